//! Every registered tool, driven over stdio against the fake Hatchet: a valid call sends
//! the requests its registry entry names (the first first) (and the OpenAPI contract accepts it); each
//! kind of bad argument, derived from the tool's own schema, gets a clear error and sends
//! nothing.

use crate::support::{
    contract::assert_server_conforms,
    fake::{RUN, expected_requests, recorded, valid_arguments},
    session::{call, start, text},
};
use hatchet_mcp::mcp::tools::ToolSpec;
use hatchet_mcp::mcp::{registry::Group, tools};
use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

fn properties(tool: &ToolSpec) -> &Map<String, Value> {
    tool.input_schema["properties"].as_object().unwrap()
}

/// Calls each of `tools` once with valid arguments against a fake that answers an empty
/// page, and checks that each sent exactly the request its registry entry names.
async fn assert_each_sends_its_request(toolsets: &str, tools: &[ToolSpec]) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(
                json!({"rows": [], "pagination": {"current_page": 1, "num_pages": 1}}),
            ),
        )
        .mount(&server)
        .await;
    let session = start(&server, &[("HATCHET_MCP_TOOLSETS", toolsets)]).await;
    let mut seen = 0;
    for tool in tools {
        let result = call(&session, &tool.name, Value::Object(valid_arguments(tool))).await;
        assert_eq!(
            result.is_error,
            Some(false),
            "{}: {}",
            tool.name,
            text(&result)
        );
        let requests = recorded(&server).await;
        let sent: Vec<(String, String)> = requests[seen..]
            .iter()
            .map(|r| (r.method.clone(), r.path.clone()))
            .collect();
        seen = requests.len();
        // The first request named, then at most the others it names (a fallback read only
        // when the first answers nothing, as queue depths from task stats).
        let named = expected_requests(tool);
        assert_eq!(sent.first(), named.first(), "{}: {sent:?}", tool.name);
        assert!(
            sent.len() <= named.len() && sent.iter().all(|request| named.contains(request)),
            "{} sent {sent:?}, its registry entry names {named:?}",
            tool.name
        );
    }
    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn every_read_tool_sends_the_request_its_registry_entry_names() {
    assert_each_sends_its_request("default", &tools::registered(true)).await;
}

#[tokio::test]
async fn every_opt_in_lookup_sends_the_request_its_registry_entry_names() {
    // Investigations (diagnose) and wait_for_run send several requests: their own tests
    // check them.
    let lookups: Vec<ToolSpec> = tools::all()
        .into_iter()
        .filter(|t| !t.in_default && !t.is_mutating())
        .filter(|t| t.group != Group::Diagnose && t.name != "wait_for_run")
        .collect();
    assert!(lookups.len() >= 8, "{}", lookups.len());
    assert_each_sends_its_request("all", &lookups).await;
}

/// Bad values for each argument the schema makes checkable, plus an unknown argument.
fn bad_calls(tool: &ToolSpec) -> Vec<(Map<String, Value>, String)> {
    let mut calls = Vec::new();
    let with = |name: &str, value: Value| {
        let mut arguments = valid_arguments(tool);
        arguments.insert(name.to_owned(), value);
        arguments
    };
    for (name, schema) in properties(tool) {
        let items_enum = schema.get("items").and_then(|i| i.get("enum"));
        if name.ends_with("_id") {
            // Path injection: a traversal, an encoded slash, a query.
            for attempt in ["../../etc", "6ba7b810%2F..%2Ftenants", "x?limit=1000"] {
                calls.push((
                    with(name, json!(attempt)),
                    format!("Invalid argument `{name}`: expected a UUID"),
                ));
            }
        } else if name == "workflow_ids" {
            // Names are welcome here; an empty one is not.
            calls.push((
                with(name, json!([RUN, " "])),
                format!(
                    "Invalid argument `{name}`: expected a workflow id (a UUID) or a workflow name"
                ),
            ));
        } else if name.ends_with("_ids") {
            calls.push((
                with(name, json!([RUN, "x?y=z"])),
                format!("Invalid argument `{name}`: expected a UUID"),
            ));
        }
        if let Some(max) = schema.get("maximum").and_then(Value::as_i64) {
            calls.push((
                with(name, json!(max + 1)),
                format!("Invalid argument `{name}`: must be an integer from"),
            ));
        }
        if let Some(min) = schema.get("minimum").and_then(Value::as_i64) {
            calls.push((
                with(name, json!(min - 1)),
                format!("Invalid argument `{name}`: must be an integer"),
            ));
        }
        if schema.get("enum").is_some() || items_enum.is_some() {
            calls.push((
                with(name, json!("BOGUS")),
                format!("Invalid argument `{name}`: unknown variant `BOGUS`"),
            ));
        }
    }
    calls.push((
        with("bogus_argument", json!(1)),
        "Unknown argument `bogus_argument`. Valid arguments:".to_owned(),
    ));
    calls
}

#[tokio::test]
async fn every_tool_refuses_bad_arguments_without_sending_anything() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&server)
        .await;
    // Read-write with every toolset, so that every tool is registered and checked.
    let env = [
        ("HATCHET_MCP_READ_ONLY", "false"),
        ("HATCHET_MCP_TOOLSETS", "all"),
    ];
    let session = start(&server, &env).await;
    let mut checked = 0;
    for tool in tools::all() {
        for (arguments, expected) in bad_calls(&tool) {
            let result = call(&session, &tool.name, Value::Object(arguments.clone())).await;
            assert_eq!(result.is_error, Some(true), "{} {arguments:?}", tool.name);
            assert!(
                text(&result).starts_with(&expected),
                "{} {arguments:?}: {}",
                tool.name,
                text(&result)
            );
            checked += 1;
        }
    }
    assert!(
        recorded(&server).await.is_empty(),
        "a bad argument must send nothing"
    );
    println!("{checked} bad calls refused");
    assert!(
        checked > 100,
        "the schemas should yield many checks, got {checked}"
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn list_runs_and_list_events_leave_payloads_out_unless_asked() {
    let server = MockServer::start().await;
    let row = json!({"metadata": {"id": RUN}, "status": "FAILED", "input": {"card": "4242"}, "output": {"ok": 1}, "payload": {"card": "4242"}});
    let answer = json!({"rows": [row], "pagination": {}});
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(answer))
        .mount(&server)
        .await;
    let session = start(&server, &[]).await;
    for tool in ["list_runs", "list_events"] {
        let without = text(&call(&session, tool, json!({})).await);
        assert!(
            !without.contains("4242") && !without.contains("output") && without.contains(RUN),
            "{tool}: {without}"
        );
        let with = text(&call(&session, tool, json!({"include_payloads": true})).await);
        assert!(
            with.contains(r#""input":{"card":"4242"}"#) && with.contains(r#""output":{"ok":1}"#),
            "{tool}: {with}"
        );
    }
    let runs_queries: Vec<String> = recorded(&server)
        .await
        .iter()
        .filter(|r| r.path.ends_with("/workflow-runs"))
        .map(|r| {
            r.query
                .iter()
                .find(|(k, _)| k == "include_payloads")
                .unwrap()
                .1
                .clone()
        })
        .collect();
    assert_eq!(
        runs_queries,
        ["false", "true"],
        "list_runs asks Hatchet for payloads only when told to"
    );
    session.cancel().await.unwrap();
}
