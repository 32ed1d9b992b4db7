//! Workflow-run tools.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use super::{ToolContext, ToolResult, ToolSpec};
use crate::{
    hatchet::runs::{ListRuns, RunStatus},
    mcp::{
        args::{self, Id, MetadataFilter, Page, PastTime},
        output,
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::read(
            "list_runs",
            "List runs",
            "GET /api/v1/stable/tenants/{t}/workflow-runs",
            "List workflow runs in a time window (default: the last 24h), newest first, with status, timing and error. Payloads are left out unless include_payloads=true.",
            list_runs,
        ),
        ToolSpec::read(
            "get_run",
            "Get run",
            "GET /api/v1/stable/workflow-runs/{workflow_run_id}",
            "One run in full: its tasks with status, errors and attempts, task events, and DAG shape. Start here to debug a run.",
            get_run,
        ),
        ToolSpec::read(
            "get_run_status",
            "Get run status",
            "GET /api/v1/stable/workflow-runs/{workflow_run_id}/status",
            "Only a run's status: cheap for polling.",
            get_run_status,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListRunsArgs {
    /// RFC 3339 or time ago (6h, 7d); default 24h.
    since: Option<PastTime>,
    /// RFC 3339 or time ago.
    until: Option<PastTime>,
    statuses: Option<Vec<RunStatus>>,
    workflow_ids: Option<Vec<Id>>,
    worker_id: Option<Id>,
    /// Children of this task.
    parent_task_external_id: Option<Id>,
    /// Runs this event triggered.
    triggering_event_external_id: Option<Id>,
    /// Metadata key/value pairs to match.
    additional_metadata: Option<MetadataFilter>,
    /// List tasks instead of workflow runs.
    #[serde(default)]
    only_tasks: bool,
    /// Include input and output.
    #[serde(default)]
    include_payloads: bool,
    #[serde(flatten)]
    page: Page,
}

async fn list_runs(ctx: Arc<ToolContext>, args: ListRunsArgs) -> ToolResult {
    let (since, until) = args::time_window(args.since, args.until)?;
    let query = ListRuns {
        since,
        until,
        statuses: args.statuses.unwrap_or_default(),
        workflow_ids: args::ids(&args.workflow_ids.unwrap_or_default()),
        worker_id: args.worker_id.map(|id| id.0),
        parent_task_external_id: args.parent_task_external_id.map(|id| id.0),
        triggering_event_external_id: args.triggering_event_external_id.map(|id| id.0),
        additional_metadata: args.additional_metadata.unwrap_or_default().to_pairs(),
        only_tasks: args.only_tasks,
        include_payloads: args.include_payloads,
        limit: args.page.limit.as_u32(),
        offset: args.page.offset.as_u32(),
    };
    let runs = ctx.client.list_runs(&query).await?;
    Ok(output::list(runs, Some(&args.page), args.include_payloads)?)
}

#[derive(Deserialize, JsonSchema)]
struct RunArgs {
    workflow_run_id: Id,
}

async fn get_run(ctx: Arc<ToolContext>, args: RunArgs) -> ToolResult {
    Ok(output::item(
        ctx.client.get_run(args.workflow_run_id.0).await?,
    ))
}

async fn get_run_status(ctx: Arc<ToolContext>, args: RunArgs) -> ToolResult {
    let status = ctx.client.get_run_status(args.workflow_run_id.0).await?;
    Ok(output::item(
        json!({"workflowRunId": args.workflow_run_id.to_string(), "status": status}),
    ))
}
