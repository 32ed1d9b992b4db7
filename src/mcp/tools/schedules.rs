//! Cron and scheduled-run tools.

use schemars::JsonSchema;
use serde::Deserialize;

use serde_json::json;

use crate::mcp::registry::{About, Effect, Group, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::{
        SortDirection,
        schedules::{
            CreateCron, CreateScheduled, CronOrderField, ListCrons, ListScheduled,
            ScheduledOrderField, ScheduledRunStatus,
        },
    },
    mcp::{
        args::{CronExpression, FutureTime, Id, JsonObject, MetadataFilter, Page, Priority},
        output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_crons",
                title: "List crons",
                group: Group::Schedules,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/workflows/crons",
                description: "Expression and workflow of each cron.",
            },
            list_crons,
        )
        .lists(&summary::CRONS),
        ToolSpec::typed(
            About {
                name: "get_cron",
                title: "Get cron",
                group: Group::Schedules,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/workflows/crons/{cron_id}",
                description: "A cron trigger.",
            },
            get_cron,
        ),
        ToolSpec::typed(
            About {
                name: "list_scheduled",
                title: "List scheduled runs",
                group: Group::Schedules,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/workflows/scheduled",
                description: "Trigger time and status.",
            },
            list_scheduled,
        )
        .lists(&summary::SCHEDULED),
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
    detail: Option<Detail>,
}

async fn list_crons(ctx: Call, args: ListCronsArgs) -> ToolResult {
    let workflow_name = match &args.workflow_name {
        Some(name) => Some(ctx.workflow_named("workflow_name", name).await?.name),
        None => None,
    };
    let query = ListCrons {
        workflow_id: args.workflow_id.map(|id| id.0),
        workflow_name,
        cron_name: args.cron_name,
        additional_metadata: args.additional_metadata.unwrap_or_default().to_pairs(),
        order_by_field: args.order_by_field,
        order_by_direction: args.order_by_direction,
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    Ok(
        output::list(ctx.client.list_crons(&query).await?, Some(&args.page), true)
            .detail(args.detail),
    )
}

#[derive(Deserialize, JsonSchema)]
struct GetCronArgs {
    cron_id: Id,
}

async fn get_cron(ctx: Call, args: GetCronArgs) -> ToolResult {
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
    detail: Option<Detail>,
}

async fn list_scheduled(ctx: Call, args: ListScheduledArgs) -> ToolResult {
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
    )
    .detail(args.detail))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    let crons = |idempotent| Effect::Mutating {
        idempotent,
        verify_with: "list_crons",
    };
    let scheduled = |idempotent| Effect::Mutating {
        idempotent,
        verify_with: "list_scheduled",
    };
    vec![
        ToolSpec::typed(
            About {
                name: "create_cron",
                title: "Create cron",
                group: Group::Schedules,
                effect: crons(false),
                rest: "POST /api/v1/tenants/{t}/workflows/{workflow_name}/crons",
                description: "MUTATES LIVE STATE. Add a cron trigger to a workflow, by name.",
            },
            create_cron,
        )
        .targets(&["workflow_name", "cron_name"]),
        ToolSpec::typed(
            About {
                name: "delete_cron",
                title: "Delete cron",
                group: Group::Schedules,
                effect: crons(true),
                rest: "DELETE /api/v1/tenants/{t}/workflows/crons/{cron_id}",
                description: "MUTATES LIVE STATE. Delete a cron trigger.",
            },
            delete_cron,
        )
        .targets(&["cron_id"]),
        ToolSpec::typed(
            About {
                name: "create_scheduled",
                title: "Schedule run",
                group: Group::Schedules,
                effect: scheduled(false),
                rest: "POST /api/v1/tenants/{t}/workflows/{workflow_name}/scheduled",
                description: "MUTATES LIVE STATE. Schedule a workflow run, by name.",
            },
            create_scheduled,
        )
        .targets(&["workflow_name"]),
        ToolSpec::typed(
            About {
                name: "delete_scheduled",
                title: "Delete scheduled",
                group: Group::Schedules,
                effect: scheduled(true),
                rest: "DELETE /api/v1/tenants/{t}/workflows/scheduled/{scheduled_id}",
                description: "MUTATES LIVE STATE. Delete a scheduled run.",
            },
            delete_scheduled,
        )
        .targets(&["scheduled_id"]),
        ToolSpec::typed(
            About {
                name: "reschedule",
                title: "Reschedule run",
                group: Group::Schedules,
                effect: scheduled(true),
                rest: "PATCH /api/v1/tenants/{t}/workflows/scheduled/{scheduled_id}",
                description: "MUTATES LIVE STATE. Move a scheduled run to a new time.",
            },
            reschedule,
        )
        .targets(&["scheduled_id"]),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct CreateCronArgs {
    workflow_name: String,
    cron_name: String,
    /// 5-6 fields or @daily etc.
    expression: CronExpression,
    input: Option<JsonObject>,
    additional_metadata: Option<JsonObject>,
    /// 3 = high
    priority: Option<Priority>,
}

async fn create_cron(ctx: Call, args: CreateCronArgs) -> ToolResult {
    let cron = CreateCron {
        cron_name: args.cron_name,
        expression: args.expression.0,
        input: args.input.unwrap_or_default(),
        additional_metadata: args.additional_metadata.unwrap_or_default(),
        priority: args.priority.map(Priority::as_u32),
    };
    let workflow = ctx
        .workflow_named("workflow_name", &args.workflow_name)
        .await?;
    Ok(output::item(
        ctx.client.create_cron(&workflow.name, &cron).await?,
    ))
}

async fn delete_cron(ctx: Call, args: GetCronArgs) -> ToolResult {
    ctx.client.delete_cron(args.cron_id.0).await?;
    Ok(output::item(
        json!({"deleted": true, "cron_id": args.cron_id.to_string()}),
    ))
}

#[derive(Deserialize, JsonSchema)]
struct CreateScheduledArgs {
    workflow_name: String,
    /// RFC 3339 or +10m
    trigger_at: FutureTime,
    input: Option<JsonObject>,
    additional_metadata: Option<JsonObject>,
    /// 3 = high
    priority: Option<Priority>,
}

async fn create_scheduled(ctx: Call, args: CreateScheduledArgs) -> ToolResult {
    let run = CreateScheduled {
        trigger_at: args.trigger_at.0,
        input: args.input.unwrap_or_default(),
        additional_metadata: args.additional_metadata.unwrap_or_default(),
        priority: args.priority.map(Priority::as_u32),
    };
    let workflow = ctx
        .workflow_named("workflow_name", &args.workflow_name)
        .await?;
    Ok(output::item(
        ctx.client.create_scheduled(&workflow.name, &run).await?,
    ))
}

#[derive(Deserialize, JsonSchema)]
struct ScheduledArgs {
    scheduled_id: Id,
}

async fn delete_scheduled(ctx: Call, args: ScheduledArgs) -> ToolResult {
    ctx.client.delete_scheduled(args.scheduled_id.0).await?;
    Ok(output::item(
        json!({"deleted": true, "scheduled_id": args.scheduled_id.to_string()}),
    ))
}

#[derive(Deserialize, JsonSchema)]
struct RescheduleArgs {
    scheduled_id: Id,
    /// RFC 3339 or +10m
    trigger_at: FutureTime,
}

async fn reschedule(ctx: Call, args: RescheduleArgs) -> ToolResult {
    Ok(output::item(
        ctx.client
            .reschedule(args.scheduled_id.0, args.trigger_at.0)
            .await?,
    ))
}
