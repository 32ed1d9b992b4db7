//! The server in process, over the stdio front and in-memory pipes: what only tools made
//! for a test can show (a handler that panics, a tool registered at runtime from a JSON
//! Schema, a long call that reports progress and is cancelled).

use std::time::Duration;

use crate::support::{
    fake::{RUN, client_at},
    in_process::{
        Heard, cancel_and_assert_polling_stops, connect, next_heard, next_progress, start_call,
    },
};
use hatchet_mcp::mcp::tools::{Call, ToolSpec};
use hatchet_mcp::mcp::{
    HatchetServer,
    args::{Id, NoArgs},
    output,
    registry::{About, Effect, Group, ToolResult, Toolsets},
    stdio, tools,
};
use rmcp::model::{CallToolRequestParams, ServerNotification, SubscriptionFilter};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

fn text(result: &rmcp::model::CallToolResult) -> String {
    result.content[0].as_text().unwrap().text.clone()
}

fn read_only_server(url: &str) -> HatchetServer {
    HatchetServer::new(client_at(url, true), None, &Toolsets::default())
}

async fn panics(_: Call, _: NoArgs) -> ToolResult {
    panic!("boom in a handler")
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_result_and_the_server_keeps_serving() {
    let server = read_only_server("http://127.0.0.1:9");
    let about = About {
        name: "explode",
        title: "Explode",
        group: Group::Runs,
        effect: Effect::Read,
        rest: "none",
        description: "Panics, for this test.",
    };
    server.registry().insert(ToolSpec::typed(about, panics));
    let (client, _) = connect(server).await;

    let result = client
        .call_tool(CallToolRequestParams::new("explode"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("Internal error in `explode` (boom in a handler)"),
        "{}",
        text(&result)
    );

    // Still serving: a bad-argument call answers normally.
    let params = CallToolRequestParams::new("get_run").with_arguments(serde_json::Map::new());
    let result = client.call_tool(params).await.unwrap();
    assert_eq!(
        text(&result),
        "Missing required argument `workflow_run_id`."
    );
    client.cancel().await.unwrap();
}

/// A tool known only by its JSON Schema, as a workflow's input schema arrives at runtime.
fn lookup_order_tool() -> ToolSpec {
    let about = About {
        name: "lookup_order".to_owned(),
        title: "Look up order".to_owned(),
        group: Group::Workflows,
        effect: Effect::Read,
        rest: "none".to_owned(),
        description: "Echoes an order lookup.".to_owned(),
    };
    let schema = json!({
        "type": "object",
        "properties": {
            "order_id": {"type": "string", "minLength": 1},
            "quantity": {"type": "integer", "minimum": 1}
        },
        "required": ["order_id"],
        "additionalProperties": false
    });
    let schema = schema.as_object().unwrap().clone();
    ToolSpec::from_schema(about, schema, |_, arguments| async move {
        Ok(output::item(json!({ "looked_up": arguments })))
    })
    .expect("a valid schema")
}

#[tokio::test]
async fn a_tool_registered_at_runtime_from_a_json_schema_is_announced_listed_and_validated() {
    let server = read_only_server("http://127.0.0.1:9");
    let registry = server.registry().clone();
    let (client, mut hearing) = connect(server).await;
    let listed = client.list_all_tools().await.unwrap();
    assert!(listed.iter().all(|t| t.name != "lookup_order"));
    assert_eq!(
        client
            .peer_info()
            .unwrap()
            .capabilities
            .tools
            .as_ref()
            .unwrap()
            .list_changed,
        Some(true)
    );

    registry.insert(lookup_order_tool());
    assert!(matches!(
        next_heard(&mut hearing).await,
        Heard::ToolListChanged
    ));
    let listed = client.list_all_tools().await.unwrap();
    let tool = listed.iter().find(|t| t.name == "lookup_order").unwrap();
    assert_eq!(tool.input_schema["required"], json!(["order_id"]));
    assert_eq!(listed.len(), tools::registered(true).len() + 1);

    let call = |arguments: Value| {
        let params = CallToolRequestParams::new("lookup_order")
            .with_arguments(arguments.as_object().unwrap().clone());
        client.call_tool(params)
    };
    let valid = call(json!({"order_id": "A-17", "quantity": 2}))
        .await
        .unwrap();
    assert_eq!(valid.is_error, Some(false), "{}", text(&valid));
    assert_eq!(
        text(&valid),
        r#"{"looked_up":{"order_id":"A-17","quantity":2}}"#
    );
    let invalid = call(json!({"order_id": "A-17", "quantity": 0}))
        .await
        .unwrap();
    assert_eq!(invalid.is_error, Some(true));
    assert!(
        text(&invalid).starts_with("Invalid argument `quantity`:"),
        "{}",
        text(&invalid)
    );
    let unknown = call(json!({"order": "A-17"})).await.unwrap();
    assert_eq!(
        text(&unknown),
        "Missing required argument `order_id`. Unknown argument `order`. Valid arguments: order_id, quantity."
    );

    assert!(registry.remove("lookup_order"));
    assert!(matches!(
        next_heard(&mut hearing).await,
        Heard::ToolListChanged
    ));
    let gone = call(json!({"order_id": "A-17"})).await.unwrap_err();
    assert!(gone.to_string().contains("Unknown tool"), "{gone}");
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn a_client_without_initialize_hears_of_changes_on_its_subscription() {
    use rmcp::service::{ClientLifecycleMode, ClientServiceExt};

    let server = read_only_server("http://127.0.0.1:9");
    let registry = server.registry().clone();
    let (client_out, server_in) = tokio::io::duplex(64 * 1024);
    let (server_out, client_in) = tokio::io::duplex(64 * 1024);
    tokio::spawn(stdio::serve_on(server, server_in, server_out));
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![rmcp::model::ProtocolVersion::LATEST],
    };
    let client =
        ().serve_with_lifecycle((client_in, client_out), lifecycle)
            .await
            .expect("server/discover answers");
    let filter = SubscriptionFilter::builder().tools_list_changed().build();
    let mut subscription = client.peer().listen(filter).await.unwrap();
    assert_eq!(subscription.acknowledged().tools_list_changed, Some(true));

    registry.insert(lookup_order_tool());
    let heard = tokio::time::timeout(Duration::from_secs(5), subscription.next())
        .await
        .expect("a notification within 5 s")
        .unwrap();
    assert!(
        matches!(
            heard,
            Some(ServerNotification::ToolListChangedNotification(_))
        ),
        "{heard:?}"
    );
    let listed = client.list_all_tools().await.unwrap();
    assert!(listed.iter().any(|t| t.name == "lookup_order"));
    client.cancel().await.unwrap();
}

#[derive(Deserialize, JsonSchema)]
struct PollArgs {
    workflow_run_id: Id,
}

/// Polls a run's status every 50 ms until it finishes, reporting each poll (the real
/// `wait_for_run` backs off from 1 s; this one is quick, to show the registry's plumbing).
/// The fake's run never finishes, so only a cancellation ends it.
async fn poll_run(call: Call, args: PollArgs) -> ToolResult {
    let mut polls = 0_u32;
    loop {
        let status = call.client.get_run_status(args.workflow_run_id.0).await?;
        polls += 1;
        if status["status"] != "RUNNING" {
            return Ok(output::item(status));
        }
        let message = format!("poll {polls}: still RUNNING");
        call.progress.report(f64::from(polls), None, &message).await;
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn a_long_call_reports_progress_and_stops_polling_within_a_second_of_cancel() {
    let hatchet = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"status": "RUNNING"})))
        .mount(&hatchet)
        .await;
    let server = read_only_server(&hatchet.uri());
    let about = About {
        name: "poll_run",
        title: "Poll run",
        group: Group::Runs,
        effect: Effect::Read,
        rest: "GET /api/v1/stable/workflow-runs/{workflow_run_id}/status",
        description: "Waits for a run to finish, reporting progress.",
    };
    server.registry().insert(ToolSpec::typed(about, poll_run));
    let (client, mut hearing) = connect(server).await;

    let handle = start_call(&client, "poll_run", json!({"workflow_run_id": RUN})).await;
    let token = handle.progress_token.clone();
    for expected in [1.0, 2.0, 3.0] {
        let progress = next_progress(&mut hearing).await;
        assert_eq!(progress.progress_token, token);
        assert_eq!(progress.progress, expected);
        assert!(
            progress
                .message
                .as_deref()
                .unwrap()
                .contains("still RUNNING"),
            "{progress:?}"
        );
    }

    cancel_and_assert_polling_stops(handle, &hatchet, Duration::from_millis(500)).await;

    // The server is still serving.
    let status = client
        .call_tool(
            CallToolRequestParams::new("get_run_status")
                .with_arguments(json!({"workflow_run_id": RUN}).as_object().unwrap().clone()),
        )
        .await
        .unwrap();
    assert_eq!(status.is_error, Some(false), "{}", text(&status));
    client.cancel().await.unwrap();
}
