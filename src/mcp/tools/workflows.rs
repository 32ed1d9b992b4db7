//! Workflow tools.

use schemars::JsonSchema;
use serde::Deserialize;

use serde_json::Value;

use crate::mcp::registry::{About, Call, Effect, Group, ToolError, ToolResult, ToolSpec};
use crate::{
    hatchet::workflows::{ListWorkflows, PauseWorkflow, PausedRunBehavior},
    mcp::{
        args::{GoDuration, Id, Page},
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
    Ok(output::item(
        ctx.client.get_workflow(args.workflow_id.0).await?,
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
