//! `HATCHET_MCP_WORKFLOW_TOOLS`: each named workflow becomes `run_<workflow>`, typed by its
//! latest version's input schema, loaded in the background and re-registered (with
//! `tools/list_changed`) when the version changes.

mod support;

use std::time::Duration;

use hatchet_mcp::mcp::{HatchetServer, registry::Toolsets, workflow_tools::WorkflowToolsSpec};
use rmcp::model::{CallToolRequestParams, Tool};
use serde_json::{Value, json};
use support::{
    contract::assert_server_conforms,
    fake::{RUN, WORKFLOW, client_at, mount_trigger, mount_workflows, recorded},
    in_process::{Client, Heard, connect, next_heard},
};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

const ORDER_WORKFLOW: &str = "3f2c1e0d-1111-4a2b-9c3d-5e6f7a8b9c0d";

fn version(id: &str, schema: Value) -> Value {
    json!({"metadata": {"id": id}, "version": "v1", "inputJsonSchema": schema, "workflow": {"description": ""}})
}

/// Pydantic's shape: a nested model behind a `$ref`.
fn order_schema() -> Value {
    json!({
        "title": "OrderInput",
        "type": "object",
        "properties": {"customer": {"$ref": "#/$defs/Customer"}, "quantity": {"type": "integer", "minimum": 1}},
        "required": ["customer", "quantity"],
        "$defs": {"Customer": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}}
    })
}

async fn serve_version(hatchet: &MockServer, workflow: &str, body: Value, priority: u8) {
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/workflows/{workflow}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .with_priority(priority)
        .mount(hatchet)
        .await;
}

async fn fake_hatchet() -> MockServer {
    let hatchet = MockServer::start().await;
    mount_workflows(
        &hatchet,
        &[(WORKFLOW, "send-email"), (ORDER_WORKFLOW, "place order")],
    )
    .await;
    let email =
        json!({"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]});
    serve_version(
        &hatchet,
        WORKFLOW,
        version("a1a1a1a1-0000-4000-8000-000000000001", email),
        5,
    )
    .await;
    serve_version(
        &hatchet,
        ORDER_WORKFLOW,
        version("b2b2b2b2-0000-4000-8000-000000000001", order_schema()),
        5,
    )
    .await;
    mount_trigger(&hatchet, RUN).await;
    hatchet
}

/// tools/list, polled until `name` is there (the tools load in the background).
async fn listed_with(client: &Client, name: &str) -> Vec<Tool> {
    for _ in 0..100 {
        let tools = client.list_all_tools().await.unwrap();
        if tools.iter().any(|t| t.name == name) {
            return tools;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("{name} never listed")
}

fn tool<'a>(tools: &'a [Tool], name: &str) -> &'a Tool {
    tools.iter().find(|t| t.name == name).unwrap()
}

#[tokio::test]
async fn each_named_workflow_is_a_typed_tool_that_validates_then_triggers_once() {
    let hatchet = fake_hatchet().await;
    let spec = WorkflowToolsSpec::parse("send-email, place order").unwrap();
    let server = HatchetServer::new(client_at(&hatchet.uri(), false), None, &Toolsets::default())
        .with_workflow_tools(spec, Duration::ZERO);
    let (client, mut hearing) = connect(server).await;

    let tools = listed_with(&client, "run_place_order").await;
    let order = tool(&tools, "run_place_order");
    assert_eq!(
        order.input_schema["properties"]["customer"],
        json!({"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}),
        "the $ref is resolved"
    );
    assert!(order.input_schema.get("$defs").is_none());
    assert!(
        order
            .description
            .as_deref()
            .unwrap()
            .starts_with("MUTATES LIVE STATE. Run workflow place order.")
    );
    let annotations = order.annotations.clone().unwrap();
    assert_eq!(
        (
            annotations.read_only_hint,
            annotations.destructive_hint,
            annotations.idempotent_hint
        ),
        (Some(false), Some(true), Some(false))
    );
    assert_eq!(
        tool(&tools, "run_send-email").input_schema["required"],
        json!(["to"])
    );

    let call = |name: &str, arguments: Value| {
        let params = CallToolRequestParams::new(name.to_owned())
            .with_arguments(arguments.as_object().unwrap().clone());
        client.call_tool(params)
    };
    let triggers = || async {
        recorded(&hatchet)
            .await
            .into_iter()
            .filter(|r| r.method == "POST")
            .collect::<Vec<_>>()
    };
    let invalid = call("run_place_order", json!({"customer": {}, "quantity": 0}))
        .await
        .unwrap();
    assert_eq!(invalid.is_error, Some(true));
    let message = invalid.content[0].as_text().unwrap().text.clone();
    assert!(
        message.contains("`customer`") && message.contains("`quantity`"),
        "{message}"
    );
    assert!(triggers().await.is_empty(), "an invalid call sends nothing");

    let valid = json!({"customer": {"email": "a@example.com"}, "quantity": 2});
    let result = call("run_place_order", valid.clone()).await.unwrap();
    assert_eq!(result.is_error, Some(false), "{:?}", result.content);
    let sent = triggers().await;
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].body,
        Some(json!({"workflowName": "place order", "input": valid}))
    );

    // A new version: the next tools/list re-checks, re-registers, and says so.
    tokio::time::sleep(Duration::from_millis(200)).await;
    while hearing.try_recv().is_ok() {}
    let changed = json!({"type": "object", "properties": {"to": {"type": "string"}, "cc": {"type": "string"}}, "required": ["to", "cc"]});
    let new_version = version("a1a1a1a1-0000-4000-8000-000000000002", changed);
    serve_version(&hatchet, WORKFLOW, new_version, 1).await;
    client.list_all_tools().await.unwrap();
    assert!(matches!(
        next_heard(&mut hearing).await,
        Heard::ToolListChanged
    ));
    let mut required = Value::Null;
    for _ in 0..50 {
        let tools = client.list_all_tools().await.unwrap();
        required = tool(&tools, "run_send-email").input_schema["required"].clone();
        if required == json!(["to", "cc"]) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(required, json!(["to", "cc"]));
    assert_server_conforms(&hatchet).await;
    client.cancel().await.unwrap();
}
