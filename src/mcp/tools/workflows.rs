//! Workflow tools.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{ToolContext, ToolResult, ToolSpec};
use crate::{
    hatchet::workflows::ListWorkflows,
    mcp::{
        args::{Id, Page},
        output,
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::read(
            "list_workflows",
            "List workflows",
            "GET /api/v1/tenants/{t}/workflows",
            "List the tenant's workflows with ids, names and versions. Use an id with get_workflow or list_runs.",
            list_workflows,
        ),
        ToolSpec::read(
            "get_workflow",
            "Get workflow",
            "GET /api/v1/workflows/{workflow_id}",
            "One workflow's definition: versions, event and cron triggers, concurrency, and whether it is paused.",
            get_workflow,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListWorkflowsArgs {
    /// Exact workflow name to find.
    workflow_name: Option<String>,
    #[serde(flatten)]
    page: Page,
}

async fn list_workflows(ctx: Arc<ToolContext>, args: ListWorkflowsArgs) -> ToolResult {
    let query = ListWorkflows {
        name: args.workflow_name.map(|name| ctx.namespaced(&name)),
        limit: args.page.limit.as_u32(),
        offset: args.page.offset.as_u32(),
    };
    Ok(output::list(
        ctx.client.list_workflows(&query).await?,
        Some(&args.page),
        true,
    )?)
}

#[derive(Deserialize, JsonSchema)]
struct GetWorkflowArgs {
    workflow_id: Id,
}

async fn get_workflow(ctx: Arc<ToolContext>, args: GetWorkflowArgs) -> ToolResult {
    Ok(output::item(
        ctx.client.get_workflow(args.workflow_id.0).await?,
    ))
}
