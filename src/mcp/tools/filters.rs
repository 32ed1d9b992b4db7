//! Event-filter tools and the CEL debugger.

use crate::mcp::args::WorkflowRef;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::mcp::registry::{About, Effect, Group, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::filters::{CelDebug, CreateFilter, UpdateFilter},
    mcp::{
        args::{ArgError, Id, JsonObject, Page},
        output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_filters",
                title: "List filters",
                group: Group::Filters,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/filters",
                description: "Expression and scope of each event filter.",
            },
            list_filters,
        )
        .lists(&summary::FILTERS),
        ToolSpec::typed(
            About {
                name: "get_filter",
                title: "Get filter",
                group: Group::Filters,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/filters/{filter_id}",
                description: "An event filter.",
            },
            get_filter,
        ),
        ToolSpec::typed(
            About {
                name: "cel_debug",
                title: "Debug CEL",
                group: Group::Filters,
                effect: Effect::Read,
                rest: "POST /api/v1/stable/tenants/{t}/cel/debug",
                description: "Test a filter expression on a sample event.",
            },
            cel_debug,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListFiltersArgs {
    workflow_ids: Option<Vec<WorkflowRef>>,
    scopes: Option<Vec<String>>,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_filters(ctx: Call, args: ListFiltersArgs) -> ToolResult {
    let workflow_ids = ctx
        .workflow_ids("workflow_ids", &args.workflow_ids.unwrap_or_default())
        .await?;
    let scopes = args.scopes.unwrap_or_default();
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let filters = ctx
        .client
        .list_filters(&workflow_ids, &scopes, limit, offset)
        .await?;
    Ok(output::list(filters, Some(&args.page), true).detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetFilterArgs {
    filter_id: Id,
}

async fn get_filter(ctx: Call, args: GetFilterArgs) -> ToolResult {
    Ok(output::item(ctx.client.get_filter(args.filter_id.0).await?))
}

#[derive(Deserialize, JsonSchema)]
struct CelDebugArgs {
    /// e.g. input.amount > 100
    expression: String,
    /// Event payload; default {}
    input: Option<JsonObject>,
    additional_metadata: Option<JsonObject>,
    /// `payload` in CEL
    filter_payload: Option<JsonObject>,
}

async fn cel_debug(ctx: Call, args: CelDebugArgs) -> ToolResult {
    let body = CelDebug {
        expression: args.expression,
        input: args.input.unwrap_or_default(),
        additional_metadata: args.additional_metadata,
        filter_payload: args.filter_payload,
    };
    Ok(output::item(ctx.client.cel_debug(&body).await?))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    let effect = |idempotent| Effect::Mutating {
        idempotent,
        verify_with: "list_filters",
    };
    vec![
        ToolSpec::typed(
            About {
                name: "create_filter",
                title: "Create filter",
                group: Group::Filters,
                effect: effect(false),
                rest: "POST /api/v1/stable/tenants/{t}/filters",
                description: "MUTATES LIVE STATE. Add an event filter to a workflow.",
            },
            create_filter,
        )
        .targets(&["workflow_id"]),
        ToolSpec::typed(
            About {
                name: "update_filter",
                title: "Update filter",
                group: Group::Filters,
                effect: effect(true),
                rest: "PATCH /api/v1/stable/tenants/{t}/filters/{filter_id}",
                description: "MUTATES LIVE STATE. Change an event filter.",
            },
            update_filter,
        )
        .targets(&["filter_id"]),
        ToolSpec::typed(
            About {
                name: "delete_filter",
                title: "Delete filter",
                group: Group::Filters,
                effect: effect(true),
                rest: "DELETE /api/v1/stable/tenants/{t}/filters/{filter_id}",
                description: "MUTATES LIVE STATE. Delete an event filter.",
            },
            delete_filter,
        )
        .targets(&["filter_id"]),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct CreateFilterArgs {
    workflow_id: Id,
    /// CEL
    expression: String,
    scope: String,
    payload: Option<JsonObject>,
}

async fn create_filter(ctx: Call, args: CreateFilterArgs) -> ToolResult {
    let filter = CreateFilter {
        workflow_id: args.workflow_id.0,
        expression: args.expression,
        scope: args.scope,
        payload: args.payload,
    };
    Ok(output::item(ctx.client.create_filter(&filter).await?))
}

#[derive(Deserialize, JsonSchema)]
struct UpdateFilterArgs {
    filter_id: Id,
    expression: Option<String>,
    scope: Option<String>,
    payload: Option<JsonObject>,
}

async fn update_filter(ctx: Call, args: UpdateFilterArgs) -> ToolResult {
    let update = UpdateFilter {
        expression: args.expression,
        scope: args.scope,
        payload: args.payload,
    };
    if update == UpdateFilter::default() {
        let missing = "Give at least one of `expression`, `scope`, `payload` to change.";
        return Err(ArgError::new(missing).into());
    }
    Ok(output::item(
        ctx.client.update_filter(args.filter_id.0, &update).await?,
    ))
}

async fn delete_filter(ctx: Call, args: GetFilterArgs) -> ToolResult {
    Ok(output::item(
        ctx.client.delete_filter(args.filter_id.0).await?,
    ))
}
