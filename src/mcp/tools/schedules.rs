//! Cron and scheduled-run tools.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{ToolContext, ToolResult, ToolSpec};
use crate::{
    hatchet::{
        SortDirection,
        schedules::{
            CronOrderField, ListCrons, ListScheduled, ScheduledOrderField, ScheduledRunStatus,
        },
    },
    mcp::{
        args::{Id, MetadataFilter, Page},
        output,
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::read(
            "list_crons",
            "List crons",
            "GET /api/v1/tenants/{t}/workflows/crons",
            "Cron triggers: expression, workflow, input.",
            list_crons,
        ),
        ToolSpec::read(
            "get_cron",
            "Get cron",
            "GET /api/v1/tenants/{t}/workflows/crons/{cron_id}",
            "A cron trigger.",
            get_cron,
        ),
        ToolSpec::read(
            "list_scheduled",
            "List scheduled runs",
            "GET /api/v1/tenants/{t}/workflows/scheduled",
            "Scheduled runs: trigger time, status (PENDING, SUCCEEDED...).",
            list_scheduled,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListCronsArgs {
    workflow_id: Option<Id>,
    workflow_name: Option<String>,
    cron_name: Option<String>,
    additional_metadata: Option<MetadataFilter>,
    order_by_field: Option<CronOrderField>,
    order_by_direction: Option<SortDirection>,
    #[serde(flatten)]
    page: Page,
}

async fn list_crons(ctx: Arc<ToolContext>, args: ListCronsArgs) -> ToolResult {
    let query = ListCrons {
        workflow_id: args.workflow_id.map(|id| id.0),
        workflow_name: args.workflow_name,
        cron_name: args.cron_name,
        additional_metadata: args.additional_metadata.unwrap_or_default().to_pairs(),
        order_by_field: args.order_by_field,
        order_by_direction: args.order_by_direction,
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    Ok(output::list(
        ctx.client.list_crons(&query).await?,
        Some(&args.page),
        true,
    )?)
}

#[derive(Deserialize, JsonSchema)]
struct GetCronArgs {
    cron_id: Id,
}

async fn get_cron(ctx: Arc<ToolContext>, args: GetCronArgs) -> ToolResult {
    Ok(output::item(ctx.client.get_cron(args.cron_id.0).await?))
}

#[derive(Deserialize, JsonSchema)]
struct ListScheduledArgs {
    workflow_id: Option<Id>,
    parent_workflow_run_id: Option<Id>,
    statuses: Option<Vec<ScheduledRunStatus>>,
    additional_metadata: Option<MetadataFilter>,
    order_by_field: Option<ScheduledOrderField>,
    order_by_direction: Option<SortDirection>,
    #[serde(flatten)]
    page: Page,
}

async fn list_scheduled(ctx: Arc<ToolContext>, args: ListScheduledArgs) -> ToolResult {
    let query = ListScheduled {
        workflow_id: args.workflow_id.map(|id| id.0),
        parent_workflow_run_id: args.parent_workflow_run_id.map(|id| id.0),
        statuses: args.statuses.unwrap_or_default(),
        additional_metadata: args.additional_metadata.unwrap_or_default().to_pairs(),
        order_by_field: args.order_by_field,
        order_by_direction: args.order_by_direction,
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    Ok(output::list(
        ctx.client.list_scheduled(&query).await?,
        Some(&args.page),
        true,
    )?)
}
