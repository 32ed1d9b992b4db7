//! Event tools.

use crate::mcp::args::WorkflowRef;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::mcp::registry::{About, Effect, Group, ToolError, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::{
        events::{ListEvents, PushEvent},
        runs::RunStatus,
    },
    mcp::{
        args::{self, Id, JsonObject, MetadataFilter, NoArgs, Page, PastTime, Priority},
        output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_events",
                title: "List events",
                group: Group::Events,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/events",
                description: "Events and the runs they triggered.",
            },
            list_events,
        )
        .lists(&summary::EVENTS),
        ToolSpec::typed(
            About {
                name: "get_event",
                title: "Get event",
                group: Group::Events,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/events/{event_id}",
                description: "Payload and metadata.",
            },
            get_event,
        ),
        ToolSpec::typed(
            About {
                name: "list_event_keys",
                title: "List event keys",
                group: Group::Events,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/events/keys",
                description: "All event keys.",
            },
            list_event_keys,
        ),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListEventsArgs {
    keys: Option<Vec<String>>,
    /// RFC 3339 or ago: 6h, 7d
    since: Option<PastTime>,
    until: Option<PastTime>,
    /// Of triggered runs
    workflow_ids: Option<Vec<WorkflowRef>>,
    /// Of triggered runs
    statuses: Option<Vec<RunStatus>>,
    event_ids: Option<Vec<Id>>,
    scopes: Option<Vec<String>>,
    additional_metadata: Option<MetadataFilter>,
    /// Add payload
    #[serde(default)]
    include_payloads: bool,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_events(ctx: Call, args: ListEventsArgs) -> ToolResult {
    let query = ListEvents {
        keys: args.keys.unwrap_or_default(),
        since: args.since.map(|t| t.0),
        until: args.until.map(|t| t.0),
        workflow_ids: ctx
            .workflow_ids("workflow_ids", &args.workflow_ids.unwrap_or_default())
            .await?,
        run_statuses: args.statuses.unwrap_or_default(),
        event_ids: args::ids(&args.event_ids.unwrap_or_default()),
        scopes: args.scopes.unwrap_or_default(),
        additional_metadata: args.additional_metadata.unwrap_or_default().to_pairs(),
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    let events = ctx.client.list_events(&query).await?;
    Ok(output::list(events, Some(&args.page), args.include_payloads).detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetEventArgs {
    event_id: Id,
}

async fn get_event(ctx: Call, args: GetEventArgs) -> ToolResult {
    Ok(output::item(ctx.client.get_event(args.event_id.0).await?))
}

async fn list_event_keys(ctx: Call, _: NoArgs) -> ToolResult {
    Ok(output::list(
        ctx.client.list_event_keys().await?,
        None,
        true,
    ))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "push_event",
                title: "Push event",
                group: Group::Events,
                effect: Effect::Mutating {
                    idempotent: false,
                    verify_with: "list_events",
                },
                rest: "POST /api/v1/tenants/{t}/events",
                description: "MUTATES LIVE STATE. Push an event; it may trigger workflows.",
            },
            push_event,
        )
        .targets(&["key"]),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct PushEventArgs {
    key: String,
    data: Option<JsonObject>,
    additional_metadata: Option<JsonObject>,
    /// 3 = high
    priority: Option<Priority>,
    /// Selects filters by scope
    scope: Option<String>,
}

async fn push_event(ctx: Call, args: PushEventArgs) -> ToolResult {
    let event = PushEvent {
        key: ctx.namespaced(&args.key),
        data: args.data.unwrap_or_default(),
        additional_metadata: args.additional_metadata,
        priority: args.priority.map(Priority::as_u32),
        scope: args.scope,
    };
    match ctx.client.push_event(&event).await {
        Ok(pushed) => Ok(output::item(pushed)),
        // A v1 engine (v0.105, say) answers its REST route for new events 400
        // "EventCreate is deprecated": it takes events only over gRPC, from an SDK.
        Err(error)
            if error.status() == Some(400)
                && error.to_string().contains("EventCreate is deprecated") =>
        {
            let instead = ctx.offered.hint(
                "trigger_workflow",
                " To start the workflow the event would trigger, use trigger_workflow with the same input.",
                "",
            );
            Err(ToolError::Refused(format!(
                "{EVENTS_OVER_GRPC_ONLY}{instead}"
            )))
        }
        Err(error) => Err(error.into()),
    }
}

/// What `push_event` says when the engine no longer takes events over REST.
const EVENTS_OVER_GRPC_ONLY: &str = "Not sent: this Hatchet engine takes new events only over gRPC, from an SDK (Python `hatchet.event.push(key, payload)`, TypeScript `hatchet.events.push`), and refuses them on its REST API (\"EventCreate is deprecated\"), which is all hatchet-mcp speaks.";
