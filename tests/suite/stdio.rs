//! End to end: the built binary, driven over stdio by rmcp's own client, against a fake
//! Hatchet on loopback.

use crate::support::{
    contract::assert_server_conforms,
    fake::{RUN, TENANT, WORKFLOW, recorded},
    session::{call, start, text},
};
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

#[tokio::test]
async fn initialize_names_the_server_tenant_and_mode() {
    let server = MockServer::start().await;
    let session = start(&server, &[]).await;
    let info = session.peer_info().unwrap();
    let implementation = info.server_info.clone().unwrap();
    assert_eq!(implementation.name, "hatchet-mcp");
    assert_eq!(implementation.version, env!("CARGO_PKG_VERSION"));
    let instructions = info.instructions.clone().unwrap();
    assert!(
        instructions.contains(TENANT)
            && instructions.contains("Read-only")
            && !instructions.contains("dry_run"),
        "{instructions}"
    );
    let tools = session.list_all_tools().await.unwrap();
    let names: Vec<&str> = tools.iter().map(|t| t.name.as_ref()).collect();
    for expected in [
        "list_workflows",
        "get_workflow",
        "list_runs",
        "get_run",
        "get_run_status",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn list_runs_sends_the_contract_request_and_returns_compact_json() {
    let server = MockServer::start().await;
    let api_answer = json!({
        "rows": [{"metadata": {"id": RUN}, "status": "FAILED", "input": {"secret": 1}, "output": null, "workflowId": WORKFLOW}],
        "pagination": {"current_page": 1, "num_pages": 2, "next_page": 2}
    });
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/workflow-runs"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(api_answer))
        .mount(&server)
        .await;
    let session = start(&server, &[]).await;
    let result = call(
        &session,
        "list_runs",
        json!({"since": "2026-05-19T09:00:00+09:00", "statuses": "failed", "workflow_ids": [WORKFLOW], "additional_metadata": {"customer": "acme"}, "limit": "2"}),
    )
    .await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    assert_eq!(
        text(&result),
        format!(
            r#"{{"rows":[{{"id":"{RUN}","status":"FAILED"}}],"pagination":{{"current_page":1,"num_pages":2,"next_page":2}},"next_offset":2}}"#
        )
    );
    // The API's row, whole but for nulls and payloads, on request.
    let full = call(&session, "list_runs", json!({"detail": "full", "limit": 2})).await;
    assert_eq!(
        text(&full),
        format!(
            r#"{{"rows":[{{"metadata":{{"id":"{RUN}"}},"status":"FAILED","workflowId":"{WORKFLOW}"}}],"pagination":{{"current_page":1,"num_pages":2,"next_page":2}},"next_offset":2}}"#
        )
    );
    let request = &recorded(&server).await[0];
    let query: Vec<(&str, &str)> = request
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        query,
        [
            ("since", "2026-05-19T00:00:00Z"),
            ("statuses", "FAILED"),
            ("workflow_ids", WORKFLOW),
            ("additional_metadata", "customer:acme"),
            ("only_tasks", "false"),
            ("include_payloads", "false"),
            ("limit", "2"),
            ("offset", "0"),
        ]
    );
    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn the_five_tools_answer_over_stdio() {
    let server = MockServer::start().await;
    let routes = [
        (
            format!("/api/v1/tenants/{TENANT}/workflows"),
            json!({"rows": [{"metadata": {"id": WORKFLOW}, "name": "etl"}], "pagination": {"current_page": 1, "num_pages": 1}}),
        ),
        (
            format!("/api/v1/workflows/{WORKFLOW}"),
            json!({"metadata": {"id": WORKFLOW}, "name": "etl", "isPaused": false}),
        ),
        (
            format!("/api/v1/stable/workflow-runs/{RUN}"),
            json!({"run": {"metadata": {"id": RUN}, "status": "FAILED"}, "tasks": [], "taskEvents": [], "shape": []}),
        ),
        (
            format!("/api/v1/stable/workflow-runs/{RUN}/status"),
            json!("FAILED"),
        ),
    ];
    for (route, body) in routes {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(200).set_body_json(body))
            .mount(&server)
            .await;
    }
    let session = start(&server, &[("HATCHET_CLIENT_NAMESPACE", "Staging")]).await;

    let workflows = call(&session, "list_workflows", json!({"workflow_name": "etl"})).await;
    assert!(
        text(&workflows).ends_with(r#""next_offset":null}"#),
        "{}",
        text(&workflows)
    );
    let workflow = call(&session, "get_workflow", json!({"workflow_id": WORKFLOW})).await;
    assert_eq!(
        text(&workflow),
        format!(r#"{{"metadata":{{"id":"{WORKFLOW}"}},"name":"etl","isPaused":false}}"#)
    );
    let run = call(&session, "get_run", json!({"workflow_run_id": RUN})).await;
    assert!(text(&run).starts_with(r#"{"run":"#), "{}", text(&run));
    let status = call(&session, "get_run_status", json!({"workflow_run_id": RUN})).await;
    assert_eq!(
        text(&status),
        format!(r#"{{"workflowRunId":"{RUN}","status":"FAILED"}}"#)
    );

    let requests = recorded(&server).await;
    assert_eq!(requests.len(), 4);
    assert_eq!(
        requests[0].query[0],
        ("name".to_owned(), "staging_etl".to_owned()),
        "namespace applied"
    );
    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn bad_arguments_get_clear_errors_and_send_nothing() {
    let server = MockServer::start().await;
    let session = start(&server, &[]).await;
    let cases = [
        (
            "get_run",
            json!({"workflow_run_id": "../../tenants"}),
            "Invalid argument `workflow_run_id`: expected a UUID",
        ),
        (
            "list_runs",
            json!({"limit": 101}),
            "Invalid argument `limit`: must be an integer from 1 to 100, got 101.",
        ),
        (
            "list_runs",
            json!({"statuses": ["DONE"]}),
            "Invalid argument `statuses`: unknown variant `DONE`",
        ),
        (
            "list_runs",
            json!({"sinse": "6h"}),
            "Unknown argument `sinse`. Valid arguments: since,",
        ),
        (
            "list_workflows",
            json!({"offset": -1}),
            "Invalid arguments: `offset` must be an integer 0 or more",
        ),
        (
            "get_run_status",
            json!({}),
            "Missing required argument `workflow_run_id`.",
        ),
    ];
    for (tool, arguments, expected) in cases {
        let result = call(&session, tool, arguments).await;
        assert_eq!(result.is_error, Some(true));
        assert!(
            text(&result).starts_with(expected),
            "{tool}: {}",
            text(&result)
        );
    }
    assert!(
        recorded(&server).await.is_empty(),
        "no request may reach Hatchet"
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn upstream_errors_are_tool_errors_with_a_hint() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"errors": [{"description": "not found"}]})),
        )
        .mount(&server)
        .await;
    let session = start(&server, &[]).await;
    let result = call(&session, "get_run", json!({"workflow_run_id": RUN})).await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        text(&result),
        "Hatchet API 404 not_found: not found. Check the id and that it belongs to this tenant."
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn unknown_tools_are_protocol_errors() {
    let server = MockServer::start().await;
    let session = start(&server, &[]).await;
    let params = CallToolRequestParams::new("no_such_tool").with_arguments(serde_json::Map::new());
    let error = session.call_tool(params).await.unwrap_err().to_string();
    assert!(error.contains("Unknown tool `no_such_tool`"), "{error}");
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn a_narrowed_toolset_registers_only_its_groups_and_says_how_to_get_the_rest() {
    let server = MockServer::start().await;
    let session = start(&server, &[("HATCHET_MCP_TOOLSETS", "runs,tasks")]).await;
    let instructions = session.peer_info().unwrap().instructions.clone().unwrap();
    assert!(
        instructions.contains("Toolsets: runs,tasks.") && instructions.contains("get_task_logs"),
        "{instructions}"
    );
    let listed = session.list_all_tools().await.unwrap();
    let mut names: Vec<String> = listed.iter().map(|t| t.name.to_string()).collect();
    names.sort_unstable();
    let toolsets = hatchet_mcp::mcp::registry::Toolsets::parse("runs,tasks").unwrap();
    let mut expected: Vec<String> = hatchet_mcp::mcp::tools::selected(&toolsets, true)
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    expected.sort_unstable();
    assert_eq!(names, expected);
    assert!(
        names.contains(&"get_task_logs".to_owned()) && !names.contains(&"list_workers".to_owned())
    );

    let params = CallToolRequestParams::new("list_workers");
    let error = session.call_tool(params).await.unwrap_err().to_string();
    assert!(
        error.contains("`list_workers` is in the `workers` toolset")
            && error.contains("HATCHET_MCP_TOOLSETS"),
        "{error}"
    );
    assert!(
        recorded(&server).await.is_empty(),
        "nothing reaches Hatchet"
    );
    session.cancel().await.unwrap();
}
