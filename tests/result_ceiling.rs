//! Results an MCP client will accept: past the soft ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`,
//! default 80,000 bytes) a list keeps the rows that fit and says where to go on, and a
//! single object has its longest texts cut, for every tool, over stdio.

mod support;

use serde_json::{Value, json};
use support::{
    fake::RUN,
    session::{call, start, text},
};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path_regex},
};

fn run_row(n: usize) -> Value {
    json!({
        "metadata": {"id": format!("00000000-0000-4000-8000-{n:012}"), "createdAt": "2026-11-21T10:00:00Z", "updatedAt": "2026-11-21T10:00:00Z"},
        "status": "FAILED",
        "displayName": format!("etl-{n}"),
        "errorMessage": "Traceback (most recent call last): ".repeat(30),
        "input": {"rows": "x".repeat(300)},
        "output": {"rows": "y".repeat(300)},
    })
}

async fn fake() -> MockServer {
    let server = MockServer::start().await;
    let rows: Vec<Value> = (0..100).map(run_row).collect();
    Mock::given(method("GET"))
        .and(path_regex("/workflow-runs$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"rows": rows, "pagination": {"current_page": 1, "num_pages": 3, "next_page": 2}}),
        ))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("/workflow-runs/[0-9a-f-]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"run": {"metadata": {"id": RUN}, "status": "COMPLETED", "output": {"blob": "z".repeat(3_000_000)}}, "tasks": []}),
        ))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_list_past_the_ceiling_keeps_the_rows_that_fit_and_says_where_to_go_on() {
    let server = fake().await;
    let session = start(&server, &[]).await;
    let result = call(
        &session,
        "list_runs",
        json!({"limit": 100, "include_payloads": true}),
    )
    .await;
    let body = text(&result);
    assert!(body.len() <= 80_000, "{} bytes", body.len());
    let value: Value = serde_json::from_str(&body).unwrap();
    let kept = value["rows"].as_array().unwrap().len();
    assert!((10..100).contains(&kept), "{kept} rows kept");
    assert_eq!(value["next_offset"], kept);
    let note = value["note"].as_str().unwrap();
    assert!(note.contains(&format!("offset={kept}")), "{note}");
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn a_single_object_is_bounded_too_and_the_ceiling_is_configurable() {
    let server = fake().await;
    let session = start(&server, &[("HATCHET_MCP_MAX_RESULT_BYTES", "20000")]).await;
    let body = text(&call(&session, "get_run", json!({"workflow_run_id": RUN})).await);
    assert!(body.len() <= 20_000, "{} bytes", body.len());
    let value: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(value["run"]["status"], "COMPLETED");
    assert!(
        value["note"]
            .as_str()
            .unwrap()
            .contains("20000-byte result limit")
    );
    let rows = text(&call(&session, "list_runs", json!({"limit": 100})).await);
    assert!(rows.len() <= 20_000, "{} bytes", rows.len());
    session.cancel().await.unwrap();
}
