//! Workflow-run tools.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::json;

use crate::mcp::registry::{About, Call, Effect, Group, ToolResult, ToolSpec};
use crate::{
    hatchet::runs::{ListRuns, RunStatus, TriggerRun},
    mcp::{
        args::{self, Id, JsonObject, MetadataFilter, Page, PastTime, Priority},
        output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_runs",
                title: "List runs",
                group: Group::Runs,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/workflow-runs",
                description: "Runs in a time window: status, timing, error.",
            },
            list_runs,
        ),
        ToolSpec::typed(
            About {
                name: "get_run",
                title: "Get run",
                group: Group::Runs,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/workflow-runs/{workflow_run_id}",
                description: "Tasks, events, DAG: start here to debug.",
            },
            get_run,
        ),
        ToolSpec::typed(
            About {
                name: "get_run_status",
                title: "Get run status",
                group: Group::Runs,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/workflow-runs/{workflow_run_id}/status",
                description: "Status only, for polling.",
            },
            get_run_status,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListRunsArgs {
    /// RFC 3339 or ago: 6h, 7d; default 24h
    since: Option<PastTime>,
    until: Option<PastTime>,
    statuses: Option<Vec<RunStatus>>,
    workflow_ids: Option<Vec<Id>>,
    worker_id: Option<Id>,
    /// Its child runs
    parent_task_external_id: Option<Id>,
    triggering_event_external_id: Option<Id>,
    additional_metadata: Option<MetadataFilter>,
    /// Tasks, not workflow runs
    #[serde(default)]
    only_tasks: bool,
    /// Add input/output
    #[serde(default)]
    include_payloads: bool,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_runs(ctx: Call, args: ListRunsArgs) -> ToolResult {
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
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    let runs = ctx.client.list_runs(&query).await?;
    Ok(output::list(runs, Some(&args.page), args.include_payloads)
        .summarised(&summary::RUNS, args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct RunArgs {
    workflow_run_id: Id,
}

async fn get_run(ctx: Call, args: RunArgs) -> ToolResult {
    Ok(output::item(
        ctx.client.get_run(args.workflow_run_id.0).await?,
    ))
}

async fn get_run_status(ctx: Call, args: RunArgs) -> ToolResult {
    let status = ctx.client.get_run_status(args.workflow_run_id.0).await?;
    Ok(output::item(
        json!({"workflowRunId": args.workflow_run_id.to_string(), "status": status}),
    ))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    vec![ToolSpec::typed(
        About {
            name: "trigger_workflow",
            title: "Trigger workflow",
            group: Group::Runs,
            effect: Effect::Mutating {
                idempotent: false,
                verify_with: "list_runs",
            },
            rest: "POST /api/v1/stable/tenants/{t}/workflow-runs/trigger",
            description: "MUTATES LIVE STATE. Run a workflow, by name; returns the new run.",
        },
        trigger_workflow,
    )]
}

#[derive(Deserialize, JsonSchema)]
struct TriggerWorkflowArgs {
    workflow_name: String,
    input: Option<JsonObject>,
    additional_metadata: Option<JsonObject>,
    /// 3 = high
    priority: Option<Priority>,
}

async fn trigger_workflow(ctx: Call, args: TriggerWorkflowArgs) -> ToolResult {
    let trigger = TriggerRun {
        workflow_name: ctx.namespaced(&args.workflow_name),
        input: args.input.unwrap_or_default(),
        additional_metadata: args.additional_metadata,
        priority: args.priority.map(Priority::as_u32),
    };
    Ok(output::item(ctx.client.trigger_run(&trigger).await?))
}
