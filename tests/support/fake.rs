//! A fake Hatchet: a wiremock server on loopback, tokens that point at it, and helpers to
//! read back exactly what was sent.

use std::time::Duration;

use hatchet_mcp::mcp::tools::ToolSpec;
use hatchet_mcp::{
    config::Secret,
    hatchet::{Client, ClientOptions, RetryPolicy},
};
use serde_json::{Map, Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

use super::contract::RecordedRequest;

// Where the tests have always found them.
#[allow(unused_imports)]
pub use super::token::{BASE64_STANDARD, BASE64_URL_SAFE, TENANT, base64, mint_token, token_for};

pub const RUN: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
pub const WORKFLOW: &str = "9b2f1c3e-5d4a-4f6b-8c7d-0e1f2a3b4c5d";

/// A client for the fake, with short waits so retry tests stay fast.
pub fn client(server: &MockServer, read_only: bool) -> Client {
    client_at(&server.uri(), read_only)
}

/// A client for any loopback URL (say, a closed port).
pub fn client_at(url: &str, read_only: bool) -> Client {
    client_with_deadline(url, read_only, Duration::from_secs(5))
}

/// As [`client_at`], with another call deadline (a test whose point is not the deadline
/// gives itself room on a loaded machine).
pub fn client_with_deadline(url: &str, read_only: bool, deadline: Duration) -> Client {
    Client::new(ClientOptions {
        base_url: url.parse().unwrap(),
        tenant_id: TENANT.parse().unwrap(),
        token: Secret::new(token_for(url)),
        read_only,
        deadline,
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(10),
            max_delay: Duration::from_secs(10),
        },
        max_body_bytes: 1024 * 1024,
    })
    .unwrap()
}

/// Every request the fake received, in order.
pub async fn recorded(server: &MockServer) -> Vec<RecordedRequest> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .iter()
        .map(RecordedRequest::from_wiremock)
        .collect()
}

/// The one request the fake received; fails if there were more or none.
pub async fn only_request(server: &MockServer) -> RecordedRequest {
    let mut all = recorded(server).await;
    assert_eq!(all.len(), 1, "expected exactly one request, got {all:#?}");
    all.remove(0)
}

/// Query pairs as `(&str, &str)` for compact assertions.
pub fn pairs(request: &RecordedRequest) -> Vec<(&str, &str)> {
    request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect()
}

/// The smallest valid call of any tool: every required argument with a plausible value.
pub fn valid_arguments(tool: &ToolSpec) -> Map<String, Value> {
    let required = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut arguments: Map<String, Value> = required
        .iter()
        .filter_map(Value::as_str)
        .map(|name| {
            let value = match name {
                n if n.ends_with("_id") => json!(RUN),
                n if n.ends_with("_ids") => json!([RUN]),
                "expression" => json!("0 3 * * *"),
                "trigger_at" => json!("+1h"),
                _ => json!("etl"),
            };
            (name.to_owned(), value)
        })
        .collect();
    match &*tool.name {
        "update_filter" => {
            arguments.insert("scope".into(), json!("s2"));
        }
        // A wait ends at its timeout against a fake whose run never finishes.
        "wait_for_run" => {
            arguments.insert("timeout_s".into(), json!(1));
        }
        "cancel_runs" | "replay_runs" => {
            arguments.insert("run_ids".into(), json!([RUN]));
            arguments.insert("dry_run".into(), json!(false));
        }
        _ => {}
    }
    arguments
}

/// The request a valid call of `tool` (with [`valid_arguments`]) sends first, from its
/// registry entry: `GET /api/v1/tenants/{t}/workflows/crons/{cron_id}` becomes the method
/// and the path with the tenant, `etl` for a name, and [`RUN`] for every id filled in.
pub fn expected_request(tool: &ToolSpec) -> (String, String) {
    expected_requests(tool).remove(0)
}

/// Every request the registry entry names, in its order (a tool that reads more than one
/// endpoint names them all, the first first), filled in as [`expected_request`] does.
pub fn expected_requests(tool: &ToolSpec) -> Vec<(String, String)> {
    tool.rest
        .split(", ")
        .map(|entry| {
            let (method, template) = entry.split_once(' ').unwrap();
            let path = template
                .split('/')
                .map(|segment| match segment {
                    "{t}" => TENANT,
                    "{workflow_name}" | "{name}" => "etl",
                    s if s.starts_with('{') => RUN,
                    s => s,
                })
                .collect::<Vec<_>>()
                .join("/");
            (method.to_owned(), path)
        })
        .collect()
}

/// Serves `GET /api/v1/tenants/{t}/workflows`: one page of `(id, name)` workflows.
pub async fn mount_workflows(server: &MockServer, workflows: &[(&str, &str)]) {
    let rows: Vec<Value> = workflows
        .iter()
        .map(|(id, name)| json!({"metadata": {"id": id}, "name": name}))
        .collect();
    let page = json!({"rows": rows, "pagination": {"current_page": 1, "num_pages": 1}});
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/tenants/{TENANT}/workflows")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(server)
        .await;
}

/// Serves the trigger endpoint: every trigger creates the queued run `run_id`.
pub async fn mount_trigger(server: &MockServer, run_id: &str) {
    let created = json!({"run": {"metadata": {"id": run_id}, "status": "QUEUED"}, "tasks": [], "taskEvents": [], "shape": []});
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/workflow-runs/trigger"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(created))
        .mount(server)
        .await;
}

/// Serves `GET /api/v1/stable/tenants/{t}/workflow-runs` (`list_runs`): an empty page.
pub async fn mount_no_runs(server: &MockServer) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/workflow-runs"
        )))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"rows": [], "pagination": {}})),
        )
        .mount(server)
        .await;
}
