//! Workflow tools.

use schemars::JsonSchema;
use serde::Deserialize;

use serde_json::Value;

use crate::mcp::registry::{About, Call, Effect, Group, ToolError, ToolResult, ToolSpec};
use crate::{
    hatchet::workflows::{ListWorkflows, PauseWorkflow, PausedRunBehavior},
    mcp::{
        args::{self, ArgError, GoDuration, Id, Page},
        output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_workflows",
                title: "List workflows",
                group: Group::Workflows,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/workflows",
                description: "Workflow ids and names.",
            },
            list_workflows,
        ),
        ToolSpec::typed(
            About {
                name: "get_workflow",
                title: "Get workflow",
                group: Group::Workflows,
                effect: Effect::Read,
                rest: "GET /api/v1/workflows/{workflow_id}",
                description: "Versions, triggers, paused state.",
            },
            get_workflow,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListWorkflowsArgs {
    /// Substring, any case
    workflow_name: Option<String>,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_workflows(ctx: Call, args: ListWorkflowsArgs) -> ToolResult {
    let query = ListWorkflows {
        name: args.workflow_name.map(|name| ctx.namespaced(&name)),
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    Ok(output::list(
        ctx.client.list_workflows(&query).await?,
        Some(&args.page),
        true,
    )
    .summarised(&summary::WORKFLOWS, args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkflowArgs {
    workflow_id: Id,
}

async fn get_workflow(ctx: Call, args: GetWorkflowArgs) -> ToolResult {
    let workflow_id = args.workflow_id.0;
    Ok(output::narrowable(
        ctx.client.get_workflow(workflow_id).await?,
        format!(
            "get_workflow_version workflow_id={workflow_id} version_id=<id> reads one version whole."
        ),
    ))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    let effect = Effect::Mutating {
        idempotent: true,
        verify_with: "get_workflow",
    };
    vec![
        ToolSpec::typed(
            About {
                name: "pause_workflow",
                title: "Pause workflow",
                group: Group::Workflows,
                effect,
                rest: "PATCH /api/v1/workflows/{workflow_id}",
                description: "MUTATES LIVE STATE. Pause a workflow: new runs queue until resumed.",
            },
            pause_workflow,
        ),
        ToolSpec::typed(
            About {
                name: "resume_workflow",
                title: "Resume workflow",
                group: Group::Workflows,
                effect,
                rest: "PATCH /api/v1/workflows/{workflow_id}",
                description: "MUTATES LIVE STATE. Resume a paused workflow.",
            },
            resume_workflow,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct PauseWorkflowArgs {
    workflow_id: Id,
    /// Then queued runs drop; default 24h
    queue_ttl: Option<GoDuration>,
    /// Default QUEUE
    cron_runs: Option<PausedRunBehavior>,
    /// Default QUEUE
    scheduled_runs: Option<PausedRunBehavior>,
}

async fn pause_workflow(ctx: Call, args: PauseWorkflowArgs) -> ToolResult {
    let pause = PauseWorkflow {
        cron_runs: args.cron_runs.unwrap_or(PausedRunBehavior::Queue),
        scheduled_runs: args.scheduled_runs.unwrap_or(PausedRunBehavior::Queue),
        queue_ttl: args.queue_ttl.map_or_else(|| "24h".to_owned(), |ttl| ttl.0),
    };
    let workflow = ctx
        .client
        .pause_workflow(args.workflow_id.0, &pause)
        .await?;
    expect_paused(workflow, true)
}

#[derive(Deserialize, JsonSchema)]
struct ResumeWorkflowArgs {
    workflow_id: Id,
}

async fn resume_workflow(ctx: Call, args: ResumeWorkflowArgs) -> ToolResult {
    expect_paused(ctx.client.resume_workflow(args.workflow_id.0).await?, false)
}

/// The engine answers the workflow; one that ignored the request says so in `isPaused`.
fn expect_paused(workflow: Value, paused: bool) -> ToolResult {
    match workflow.get("isPaused").and_then(Value::as_bool) {
        Some(actual) if actual == paused => Ok(output::item(workflow)),
        actual => Err(ToolError::Unexpected(format!(
            "Hatchet accepted the request, but the workflow's isPaused is {} instead of {paused}: this engine may not support {} workflows through the API.",
            actual.map_or("missing".to_owned(), |a| a.to_string()),
            if paused { "pausing" } else { "resuming" }
        ))),
    }
}

/// The `workflows` toolset's deeper views (opt-in): versions, concurrency, DAG tasks,
/// one scheduled run, queued and running counts per task.
pub fn opt_in_tools() -> Vec<ToolSpec> {
    let about = |name, title, rest, description| About {
        name,
        title,
        group: Group::Workflows,
        effect: Effect::Read,
        rest,
        description,
    };
    vec![
        ToolSpec::typed(
            about(
                "get_workflow_version",
                "Get workflow version",
                "GET /api/v1/workflows/{workflow_id}/versions",
                "A version (default latest): tasks, input schemas, concurrency.",
            ),
            get_workflow_version,
        ),
        ToolSpec::typed(
            about(
                "get_workflow_metrics",
                "Get workflow metrics",
                "GET /api/v1/workflows/{workflow_id}/metrics",
                "Concurrency group keys and their run counts.",
            ),
            get_workflow_metrics,
        ),
        ToolSpec::typed(
            about(
                "list_dag_tasks",
                "List DAG tasks",
                "GET /api/v1/stable/dags/tasks",
                "The tasks of DAG runs, by run.",
            ),
            list_dag_tasks,
        ),
        ToolSpec::typed(
            about(
                "get_scheduled",
                "Get scheduled run",
                "GET /api/v1/tenants/{t}/workflows/scheduled/{scheduled_id}",
                "One scheduled run: time, input, status.",
            ),
            get_scheduled,
        ),
        ToolSpec::typed(
            about(
                "get_task_stats",
                "Get task stats",
                "GET /api/v1/tenants/{t}/task-stats",
                "Queued and running counts per task name and queue.",
            ),
            get_task_stats,
        ),
    ]
    .into_iter()
    .map(ToolSpec::opt_in)
    .collect()
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkflowVersionArgs {
    workflow_id: Id,
    /// Default latest
    version_id: Option<Id>,
}

async fn get_workflow_version(call: Call, args: GetWorkflowVersionArgs) -> ToolResult {
    let version = args.version_id.map(|id| id.0);
    let answer = call
        .client
        .get_workflow_version(args.workflow_id.0, version)
        .await?;
    Ok(output::item(answer))
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkflowMetricsArgs {
    workflow_id: Id,
    /// Concurrency group key
    group_key: Option<String>,
}

async fn get_workflow_metrics(call: Call, args: GetWorkflowMetricsArgs) -> ToolResult {
    let group_key = args.group_key.as_deref();
    let answer = call
        .client
        .get_workflow_metrics(args.workflow_id.0, group_key)
        .await?;
    Ok(output::item(answer))
}

/// One call covers at most this many runs.
const MAX_DAG_RUNS: usize = 50;

#[derive(Deserialize, JsonSchema)]
struct ListDagTasksArgs {
    workflow_run_ids: Vec<Id>,
    detail: Option<Detail>,
}

async fn list_dag_tasks(call: Call, args: ListDagTasksArgs) -> ToolResult {
    let count = args.workflow_run_ids.len();
    if !(1..=MAX_DAG_RUNS).contains(&count) {
        return Err(ArgError::new(format!(
            "Invalid argument `workflow_run_ids`: give 1 to {MAX_DAG_RUNS} run ids, got {count}."
        ))
        .into());
    }
    let ids = args::ids(&args.workflow_run_ids);
    let dags = call.client.list_dag_tasks(&ids).await?;
    Ok(match args.detail.unwrap_or_default() {
        Detail::Summary => output::list(summary::dag_tasks(dags), None, false)
            .summarised(&summary::DAG_TASKS, args.detail),
        Detail::Full => output::list(dags, None, true),
    })
}

#[derive(Deserialize, JsonSchema)]
struct GetScheduledArgs {
    scheduled_id: Id,
}

async fn get_scheduled(call: Call, args: GetScheduledArgs) -> ToolResult {
    Ok(output::item(
        call.client.get_scheduled(args.scheduled_id.0).await?,
    ))
}

#[derive(Deserialize, JsonSchema)]
struct GetTaskStatsArgs {
    task_names: Option<Vec<String>>,
}

async fn get_task_stats(call: Call, args: GetTaskStatsArgs) -> ToolResult {
    let names = args.task_names.unwrap_or_default();
    Ok(output::item(call.client.get_task_stats(&names).await?))
}
