//! Workflow tools.

use schemars::JsonSchema;
use serde::Deserialize;

use serde_json::{Value, json};

use crate::mcp::registry::{About, Effect, Group, ToolError, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
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
        )
        .lists(&summary::WORKFLOWS),
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
    .detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkflowArgs {
    workflow_id: Id,
}

async fn get_workflow(ctx: Call, args: GetWorkflowArgs) -> ToolResult {
    let workflow_id = args.workflow_id.0;
    Ok(output::narrowable(
        ctx.client.get_workflow(workflow_id).await?,
        ctx.offered.hint(
            "get_workflow_version",
            &format!(
                "get_workflow_version workflow_id={workflow_id} version_id=<id> reads one version whole."
            ),
            "",
        ).to_owned(),
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
        )
        .targets(&["workflow_id"]),
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
        )
        .targets(&["workflow_id"]),
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
                "GET /api/v1/workflows/{workflow_id}/versions, GET /api/v1/tenants/{t}/task-stats",
                "Concurrency group keys and their run counts.",
            ),
            get_workflow_metrics,
        ),
        ToolSpec::typed(
            about(
                "list_dag_tasks",
                "List DAG tasks",
                "GET /api/v1/stable/workflow-runs/{workflow_run_id}",
                "The tasks of DAG runs, by run.",
            ),
            list_dag_tasks,
        )
        .lists(&summary::DAG_TASKS),
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

/// Concurrency groups of a workflow and the runs in each, from what a v1 engine serves: the
/// task names of its latest version, then the queued and running counts of those tasks per
/// concurrency key (task stats). The engine's own workflow metrics endpoint
/// (`GET /api/v1/workflows/{id}/metrics`) is deprecated: it answers 500 on v1.
async fn get_workflow_metrics(call: Call, args: GetWorkflowMetricsArgs) -> ToolResult {
    let version = call
        .client
        .get_workflow_version(args.workflow_id.0, None)
        .await?;
    let tasks = task_names(&version);
    let stats = call.client.get_task_stats(&tasks).await?;
    Ok(output::item(concurrency_groups(
        &version,
        &tasks,
        &stats,
        args.group_key.as_deref(),
    )))
}

/// The task names of a version (its registered config's tasks), else the workflow's own
/// name, which a standalone task shares.
fn task_names(version: &Value) -> Vec<String> {
    let names: Vec<String> = version
        .pointer("/workflowConfig/Tasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|task| task["ReadableId"].as_str().map(str::to_owned))
        .take(MAX_TASK_NAMES)
        .collect();
    if names.is_empty() {
        version
            .pointer("/workflow/name")
            .and_then(Value::as_str)
            .map(|name| vec![name.to_owned()])
            .unwrap_or_default()
    } else {
        names
    }
}

/// Task names asked about, at most: a workflow with more is read by its first ones.
const MAX_TASK_NAMES: usize = 100;

/// `{workflow, concurrency (the settings), groups: [{task, expression, strategy, key,
/// queued, running}]}`, only `group_key`'s groups when given.
fn concurrency_groups(
    version: &Value,
    tasks: &[String],
    stats: &Value,
    group_key: Option<&str>,
) -> Value {
    let mut groups: Vec<Value> = Vec::new();
    for task in tasks {
        for state in ["queued", "running"] {
            let limits = stats
                .pointer(&format!("/{}/{state}/concurrency", task.replace('/', "~1")))
                .and_then(Value::as_array)
                .into_iter()
                .flatten();
            for limit in limits {
                let keys = limit["keys"].as_object().into_iter().flatten();
                for (key, count) in keys.filter(|(key, _)| group_key.is_none_or(|k| k == *key)) {
                    let found = groups.iter_mut().find(|g| {
                        g["task"] == task.as_str()
                            && g["key"] == key.as_str()
                            && g["expression"] == limit["expression"]
                    });
                    let group = match found {
                        Some(group) => group,
                        None => {
                            groups.push(json!({
                                "task": task,
                                "expression": limit["expression"],
                                "strategy": limit["type"],
                                "key": key,
                                "queued": 0,
                                "running": 0,
                            }));
                            groups.last_mut().expect("just pushed")
                        }
                    };
                    group[state] =
                        json!(group[state].as_i64().unwrap_or(0) + count.as_i64().unwrap_or(0));
                }
            }
        }
    }
    let mut answer = json!({
        "workflow": version.pointer("/workflow/name"),
        "concurrency": version.get("v1Concurrency").or_else(|| version.get("concurrency")),
        "groups": groups,
    });
    output::prune_nulls(&mut answer);
    answer
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
        Detail::Summary => output::list(summary::dag_tasks(dags), None, false).detail(args.detail),
        Detail::Full => output::list(dags, None, true).detail(args.detail),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A DAG's version and task stats as a real engine (v0.105) answers them.
    #[test]
    fn concurrency_groups_come_from_the_task_stats_of_the_versions_tasks() {
        let version = json!({
            "workflow": {"name": "e2e-serial"},
            "v1Concurrency": [{"expression": "'all'", "maxRuns": 1}],
            "workflowConfig": {"Tasks": [{"ReadableId": "e2e-serial"}]}
        });
        let limit = |n| json!({"concurrency": [{"expression": "'all'", "keys": {"all": n}, "type": "GROUP_ROUND_ROBIN"}], "total": n});
        let stats = json!({"e2e-serial": {"queued": limit(2), "running": limit(1)}, "other": {"queued": limit(9)}});
        let tasks = task_names(&version);
        assert_eq!(tasks, ["e2e-serial"]);
        let answer = concurrency_groups(&version, &tasks, &stats, None);
        assert_eq!(
            answer["groups"],
            json!([{"task": "e2e-serial", "expression": "'all'", "strategy": "GROUP_ROUND_ROBIN", "key": "all", "queued": 2, "running": 1}])
        );
        assert_eq!(answer["concurrency"][0]["maxRuns"], 1);
        let none = concurrency_groups(&version, &tasks, &stats, Some("other-key"));
        assert_eq!(none["groups"], json!([]));
        // A version without its config: a standalone task is named as its workflow.
        assert_eq!(task_names(&json!({"workflow": {"name": "etl"}})), ["etl"]);
    }
}
