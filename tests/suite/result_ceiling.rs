//! Results an MCP client will accept: past the soft ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`,
//! default 80,000 bytes) a list keeps the rows that fit and says where to go on, and a
//! single object has its longest texts cut, for every tool, over stdio.

use crate::support::{
    contract::schema_problems,
    fake::{RUN, WORKFLOW},
    session::{call, start, text},
};
use serde_json::{Value, json};
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
    // The API's answer whole, payloads included: more than the ceiling.
    let whole = json!({"workflow_run_id": RUN, "detail": "full", "include_payloads": true});
    let body = text(&call(&session, "get_run", whole).await);
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

// ---------------------------------------------------------------------------
// Single objects that cutting texts cannot bring under the ceiling: many short values.

const TENANT_ID: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";
const VERSION_ID: &str = "d0000000-0000-4000-8000-000000000001";
const AT: &str = "2026-11-21T10:00:00Z";

/// Steps in the large workflow version.
const STEPS: usize = 173;

fn uuid(prefix: char, n: usize) -> String {
    format!("{prefix}0000000-0000-4000-8000-{n:012}")
}

fn meta(id: &str) -> Value {
    json!({"id": id, "createdAt": AT, "updatedAt": AT})
}

/// A workflow version of about 85 KB, valid against Hatchet's `WorkflowVersion` schema:
/// one job of [`STEPS`] steps, each short value well under the length texts are cut to.
fn big_version() -> Value {
    let job = uuid('b', 1);
    let steps: Vec<Value> = (0..STEPS)
        .map(|n| {
            json!({
                "metadata": meta(&uuid('c', n)),
                "readableId": format!("step-{n}"),
                "tenantId": TENANT_ID,
                "jobId": job,
                "action": format!("etl:step-{n}"),
                "timeout": "60s",
                "isDurable": false,
                "slotRequests": {"default": 1},
                "parents": [uuid('c', n.saturating_sub(1))],
                "children": [uuid('c', n + 1)],
                "nextId": uuid('c', n + 1),
            })
        })
        .collect();
    json!({
        "metadata": meta(VERSION_ID),
        "version": "v7",
        "order": 7,
        "workflowId": WORKFLOW,
        "sticky": "SOFT",
        "defaultPriority": 1,
        "workflow": {"metadata": meta(WORKFLOW), "name": "etl", "tenantId": TENANT_ID, "isPaused": false},
        "jobs": [{"metadata": meta(&job), "tenantId": TENANT_ID, "versionId": VERSION_ID, "name": "etl", "steps": steps}],
        "v1Concurrency": [{"maxRuns": 2, "limitStrategy": "GROUP_ROUND_ROBIN", "expression": "input.customer", "scope": "WORKFLOW"}],
        "inputJsonSchema": {"type": "object", "properties": {"batch": {"type": "integer"}}},
    })
}

/// A run of 400 tasks, each with three events, valid against `V1WorkflowRunDetails`.
fn run_of_many_tasks() -> Value {
    let task_ids: Vec<String> = (0..400).map(|n| uuid('f', n)).collect();
    let tasks: Vec<Value> = task_ids
        .iter()
        .enumerate()
        .map(|(n, id)| {
            json!({
                "metadata": meta(id), "id": id, "taskExternalId": id, "taskId": n,
                "displayName": format!("shard-{n}"), "status": if n % 7 == 0 { "FAILED" } else { "COMPLETED" },
                "errorMessage": if n % 7 == 0 { "ValueError: bad shard" } else { "" },
                "createdAt": AT, "taskInsertedAt": AT, "tenantId": TENANT_ID, "type": "DAG",
                "workflowId": WORKFLOW, "workflowRunExternalId": RUN, "numSpawnedChildren": 0,
                "input": {}, "output": {}, "actionId": "etl:shard", "attempt": 1, "retryCount": 0,
                "duration": 1000 + n,
            })
        })
        .collect();
    let events: Vec<Value> = task_ids
        .iter()
        .enumerate()
        .flat_map(|(n, id)| {
            ["QUEUED", "STARTED", "FINISHED"].map(|kind| {
                json!({"id": n * 3, "taskId": id, "timestamp": AT, "eventType": kind, "message": "", "workerId": uuid('e', 1)})
            })
        })
        .collect();
    let shape: Vec<Value> = task_ids
        .iter()
        .map(|id| json!({"taskExternalId": id, "stepId": uuid('c', 0), "childrenStepIds": [], "taskName": "shard"}))
        .collect();
    json!({
        "run": {
            "metadata": meta(RUN), "id": RUN, "status": "FAILED", "tenantId": TENANT_ID,
            "displayName": "etl-many", "workflowId": WORKFLOW, "input": {}, "output": {},
            "errorMessage": "57 tasks failed",
        },
        "tasks": tasks,
        "taskEvents": events,
        "shape": shape,
    })
}

async fn objects_fake() -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("/workflows/[0-9a-f-]+/versions$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(big_version()))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex("/workflow-runs/[0-9a-f-]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(run_of_many_tasks()))
        .mount(&server)
        .await;
    server
}

#[test]
fn the_large_fixtures_are_answers_a_real_engine_could_give() {
    let version = big_version().to_string().len();
    assert!((84_000..90_000).contains(&version), "{version} bytes");
    for (schema, value) in [
        ("WorkflowVersion", big_version()),
        ("V1WorkflowRunDetails", run_of_many_tasks()),
    ] {
        if let Some(problems) = schema_problems(schema, &value) {
            assert!(problems.is_empty(), "{schema}: {problems:#?}");
        }
    }
}

/// Answers must be whole JSON, within `ceiling`, and say what was cut and how to get it.
fn assert_cut_and_said(body: &str, ceiling: usize) -> Value {
    assert!(body.len() <= ceiling, "{} bytes over {ceiling}", body.len());
    let value: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    let note = value["note"]
        .as_str()
        .unwrap_or_else(|| panic!("no note: {body}"));
    assert!(
        note.contains(&format!("{ceiling}-byte result limit")),
        "{note}"
    );
    let omitted = value["omitted"]
        .as_array()
        .unwrap_or_else(|| panic!("no omitted: {body}"));
    assert!(!omitted.is_empty(), "{body}");
    value
}

#[tokio::test]
async fn a_large_workflow_version_is_cut_to_fit_not_refused() {
    let server = objects_fake().await;
    for ceiling in [80_000, 4_000] {
        let limit = ceiling.to_string();
        let env = [
            ("HATCHET_MCP_TOOLSETS", "all"),
            ("HATCHET_MCP_MAX_RESULT_BYTES", limit.as_str()),
        ];
        let session = start(&server, &env).await;
        let result = call(
            &session,
            "get_workflow_version",
            json!({"workflow_id": WORKFLOW}),
        )
        .await;
        let body = text(&result);
        assert_eq!(result.is_error, Some(false), "{ceiling}: {body}");
        let value = assert_cut_and_said(&body, ceiling);
        println!(
            "get_workflow_version, {ceiling}: {} bytes, omitted {}",
            body.len(),
            value["omitted"]
        );
        // What identifies the version is kept; the long list of steps is what gives way.
        assert_eq!(value["metadata"]["id"], VERSION_ID, "{body}");
        assert_eq!(value["version"], "v7");
        let omitted = value["omitted"].to_string();
        assert!(omitted.contains("/jobs/0/steps"), "{ceiling}: {omitted}");
        let steps = value["jobs"][0]["steps"].as_array().map_or(0, Vec::len);
        if ceiling == 80_000 {
            assert!((140..STEPS).contains(&steps), "{steps} steps kept");
            assert!(
                omitted.contains(&format!("first {steps} of {STEPS}")),
                "{omitted}"
            );
        }
        session.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_run_with_hundreds_of_tasks_is_cut_to_fit_and_says_how_to_read_the_rest() {
    let server = objects_fake().await;
    for ceiling in [80_000, 4_000] {
        let limit = ceiling.to_string();
        let env = [("HATCHET_MCP_MAX_RESULT_BYTES", limit.as_str())];
        let session = start(&server, &env).await;
        let result = call(&session, "get_run", json!({"workflow_run_id": RUN})).await;
        let body = text(&result);
        assert_eq!(result.is_error, Some(false), "{ceiling}: {body}");
        let value = assert_cut_and_said(&body, ceiling);
        println!(
            "get_run, {ceiling}: {} bytes, omitted {}",
            body.len(),
            value["omitted"]
        );
        assert_eq!(value["run"]["status"], "FAILED", "{body}");
        let omitted = value["omitted"].to_string();
        assert!(omitted.contains("/tasks"), "{ceiling}: {omitted}");
        assert!(omitted.contains("of 400"), "{ceiling}: {omitted}");
        // How to get what was left out: the narrower tools, by task.
        let note = value["note"].as_str().unwrap();
        assert!(note.contains("get_task"), "{note}");
        if ceiling == 80_000 {
            let tasks = value["tasks"].as_array().unwrap().len();
            assert!(tasks >= 30, "{tasks} tasks kept");
        }
        session.cancel().await.unwrap();
    }
}
