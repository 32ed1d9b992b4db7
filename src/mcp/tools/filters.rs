//! Event-filter tools and the CEL debugger.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::Deserialize;

use super::{Effect, ToolContext, ToolResult, ToolSpec};
use crate::{
    hatchet::filters::{CelDebug, CreateFilter, UpdateFilter},
    mcp::{
        args::{self, ArgError, Id, JsonObject, Page},
        output,
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::read(
            "list_filters",
            "List filters",
            "GET /api/v1/stable/tenants/{t}/filters",
            "Expression, scope, payload.",
            list_filters,
        ),
        ToolSpec::read(
            "get_filter",
            "Get filter",
            "GET /api/v1/stable/tenants/{t}/filters/{filter_id}",
            "An event filter.",
            get_filter,
        ),
        ToolSpec::read(
            "cel_debug",
            "Debug CEL",
            "POST /api/v1/stable/tenants/{t}/cel/debug",
            "Test a filter expression on a sample event.",
            cel_debug,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListFiltersArgs {
    workflow_ids: Option<Vec<Id>>,
    scopes: Option<Vec<String>>,
    #[serde(flatten)]
    page: Page,
}

async fn list_filters(ctx: Arc<ToolContext>, args: ListFiltersArgs) -> ToolResult {
    let workflow_ids = args::ids(&args.workflow_ids.unwrap_or_default());
    let scopes = args.scopes.unwrap_or_default();
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let filters = ctx
        .client
        .list_filters(&workflow_ids, &scopes, limit, offset)
        .await?;
    Ok(output::list(filters, Some(&args.page), true))
}

#[derive(Deserialize, JsonSchema)]
struct GetFilterArgs {
    filter_id: Id,
}

async fn get_filter(ctx: Arc<ToolContext>, args: GetFilterArgs) -> ToolResult {
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

async fn cel_debug(ctx: Arc<ToolContext>, args: CelDebugArgs) -> ToolResult {
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
        ToolSpec::mutating(
            "create_filter",
            "Create filter",
            "POST /api/v1/stable/tenants/{t}/filters",
            effect(false),
            "MUTATES LIVE STATE. Add an event filter to a workflow.",
            create_filter,
        ),
        ToolSpec::mutating(
            "update_filter",
            "Update filter",
            "PATCH /api/v1/stable/tenants/{t}/filters/{filter_id}",
            effect(true),
            "MUTATES LIVE STATE. Change an event filter.",
            update_filter,
        ),
        ToolSpec::mutating(
            "delete_filter",
            "Delete filter",
            "DELETE /api/v1/stable/tenants/{t}/filters/{filter_id}",
            effect(true),
            "MUTATES LIVE STATE. Delete an event filter.",
            delete_filter,
        ),
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

async fn create_filter(ctx: Arc<ToolContext>, args: CreateFilterArgs) -> ToolResult {
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

async fn update_filter(ctx: Arc<ToolContext>, args: UpdateFilterArgs) -> ToolResult {
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

async fn delete_filter(ctx: Arc<ToolContext>, args: GetFilterArgs) -> ToolResult {
    Ok(output::item(
        ctx.client.delete_filter(args.filter_id.0).await?,
    ))
}
