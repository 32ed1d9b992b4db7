//! Worker tools.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{Effect, ToolContext, ToolResult, ToolSpec};
use crate::{
    hatchet::workers::WorkerStatus,
    mcp::{
        args::{Id, Page},
        output,
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::read(
            "list_workers",
            "List workers",
            "GET /api/v1/tenants/{t}/worker",
            "Status, heartbeat, slots, actions.",
            list_workers,
        ),
        ToolSpec::read(
            "get_worker",
            "Get worker",
            "GET /api/v1/workers/{worker_id}",
            "Workflows, slots, labels, recent runs.",
            get_worker,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListWorkersArgs {
    statuses: Option<Vec<WorkerStatus>>,
    #[serde(flatten)]
    page: Page,
}

async fn list_workers(ctx: Arc<ToolContext>, args: ListWorkersArgs) -> ToolResult {
    let statuses = args.statuses.unwrap_or_default();
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let workers = ctx.client.list_workers(&statuses, limit, offset).await?;
    Ok(output::list(workers, Some(&args.page), true))
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkerArgs {
    worker_id: Id,
}

async fn get_worker(ctx: Arc<ToolContext>, args: GetWorkerArgs) -> ToolResult {
    Ok(output::item(ctx.client.get_worker(args.worker_id.0).await?))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    let effect = Effect::Mutating {
        idempotent: true,
        verify_with: "get_worker",
    };
    vec![
        ToolSpec::mutating(
            "pause_worker",
            "Pause worker",
            "PATCH /api/v1/workers/{worker_id}",
            effect,
            "MUTATES LIVE STATE. Stop a worker taking new runs.",
            |ctx, args: GetWorkerArgs| async move { set_paused(ctx, args, true).await },
        ),
        ToolSpec::mutating(
            "resume_worker",
            "Resume worker",
            "PATCH /api/v1/workers/{worker_id}",
            effect,
            "MUTATES LIVE STATE. Let a paused worker take runs again.",
            |ctx, args: GetWorkerArgs| async move { set_paused(ctx, args, false).await },
        ),
    ]
}

async fn set_paused(ctx: Arc<ToolContext>, args: GetWorkerArgs, paused: bool) -> ToolResult {
    Ok(output::item(
        ctx.client
            .set_worker_paused(args.worker_id.0, paused)
            .await?,
    ))
}
