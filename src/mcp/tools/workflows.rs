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
            "Workflows with ids and names.",
            list_workflows,
        ),
        ToolSpec::read(
            "get_workflow",
            "Get workflow",
            "GET /api/v1/workflows/{workflow_id}",
            "A workflow's versions, triggers and paused state.",
            get_workflow,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListWorkflowsArgs {
    workflow_name: Option<String>,
    #[serde(flatten)]
    page: Page,
}

async fn list_workflows(ctx: Arc<ToolContext>, args: ListWorkflowsArgs) -> ToolResult {
    let query = ListWorkflows {
        name: args.workflow_name.map(|name| ctx.namespaced(&name)),
        limit: args.page.limit(),
        offset: args.page.offset(),
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
