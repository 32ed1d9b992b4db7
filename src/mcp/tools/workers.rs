//! Worker tools.

use schemars::JsonSchema;
use serde::Deserialize;

use crate::mcp::registry::{About, Effect, Group, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::workers::WorkerStatus,
    mcp::{
        args::{Id, Page},
        dashboard, output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_workers",
                title: "List workers",
                group: Group::Workers,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/worker",
                description: "Status, heartbeat, slots, actions.",
            },
            list_workers,
        )
        .lists(&summary::WORKERS),
        ToolSpec::typed(
            About {
                name: "get_worker",
                title: "Get worker",
                group: Group::Workers,
                effect: Effect::Read,
                rest: "GET /api/v1/workers/{worker_id}",
                description: "Workflows, slots, labels, recent runs.",
            },
            get_worker,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListWorkersArgs {
    statuses: Option<Vec<WorkerStatus>>,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_workers(ctx: Call, args: ListWorkersArgs) -> ToolResult {
    let statuses = args.statuses.unwrap_or_default();
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let workers = ctx.client.list_workers(&statuses, limit, offset).await?;
    Ok(output::list(workers, Some(&args.page), true).detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkerArgs {
    worker_id: Id,
}

async fn get_worker(ctx: Call, args: GetWorkerArgs) -> ToolResult {
    let worker = ctx.client.get_worker(args.worker_id.0).await?;
    let page = dashboard::Page::Worker(args.worker_id.0);
    Ok(output::item(dashboard::with_link(
        worker,
        &ctx.client,
        page,
    )))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    let effect = Effect::Mutating {
        idempotent: true,
        verify_with: "get_worker",
    };
    vec![
        ToolSpec::typed(
            About {
                name: "pause_worker",
                title: "Pause worker",
                group: Group::Workers,
                effect,
                rest: "PATCH /api/v1/workers/{worker_id}",
                description: "MUTATES LIVE STATE. Stop a worker taking new runs.",
            },
            |ctx, args: GetWorkerArgs| async move { set_paused(ctx, args, true).await },
        )
        .targets(&["worker_id"]),
        ToolSpec::typed(
            About {
                name: "resume_worker",
                title: "Resume worker",
                group: Group::Workers,
                effect,
                rest: "PATCH /api/v1/workers/{worker_id}",
                description: "MUTATES LIVE STATE. Let a paused worker take runs again.",
            },
            |ctx, args: GetWorkerArgs| async move { set_paused(ctx, args, false).await },
        )
        .targets(&["worker_id"]),
    ]
}

async fn set_paused(ctx: Call, args: GetWorkerArgs, paused: bool) -> ToolResult {
    Ok(output::item(
        ctx.client
            .set_worker_paused(args.worker_id.0, paused)
            .await?,
    ))
}
