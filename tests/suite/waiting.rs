//! `wait_for_run`: it polls with a growing pause, reports progress, stops polling the moment
//! the client cancels, and answers the last status when it times out.

use std::time::Duration;

use crate::support::{
    contract::assert_server_conforms,
    fake::{RUN, WORKFLOW, client_at, mount_trigger, mount_workflows, recorded},
    in_process::{cancel_and_assert_polling_stops, connect, next_progress, start_call},
    session::{call, start, text},
};
use hatchet_mcp::mcp::{HatchetServer, registry::Toolsets};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

fn status_path() -> String {
    format!("/api/v1/stable/workflow-runs/{RUN}/status")
}

/// A fake Hatchet whose run reports `status` (a bare JSON string, as the API answers).
async fn run_reporting(status: &str) -> MockServer {
    let hatchet = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(status_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(status)))
        .mount(&hatchet)
        .await;
    hatchet
}

fn server_with_runs_toolset(url: &str) -> HatchetServer {
    let toolsets = Toolsets::parse("default,runs").unwrap();
    HatchetServer::new(client_at(url, true), None, &toolsets)
}

#[tokio::test]
async fn it_reports_progress_while_waiting_and_stops_polling_within_a_second_of_cancel() {
    let hatchet = run_reporting("RUNNING").await;
    let (client, mut hearing) = connect(server_with_runs_toolset(&hatchet.uri())).await;
    let handle = start_call(&client, "wait_for_run", json!({"workflow_run_id": RUN})).await;
    let token = handle.progress_token.clone();

    // Polls at 0 s and 1 s, each followed by a report; the next would come at 3 s.
    let first = next_progress(&mut hearing).await;
    let second = next_progress(&mut hearing).await;
    for progress in [&first, &second] {
        assert_eq!(progress.progress_token, token);
        assert_eq!(progress.total, Some(120.0));
        assert!(
            progress
                .message
                .as_deref()
                .unwrap()
                .starts_with("RUNNING after"),
            "{progress:?}"
        );
    }
    assert!(
        second.progress > first.progress,
        "{first:?} then {second:?}"
    );

    // Past the moment of the next poll (3 s after the start): none came.
    cancel_and_assert_polling_stops(handle, &hatchet, Duration::from_millis(2_500)).await;
    client.cancel().await.unwrap();
}

#[tokio::test]
async fn it_answers_the_final_status_once_the_run_finishes() {
    let hatchet = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(status_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("RUNNING")))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&hatchet)
        .await;
    Mock::given(method("GET"))
        .and(path(status_path()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("FAILED")))
        .mount(&hatchet)
        .await;
    // With the diagnose toolset, the note can send the agent to describe_run_failure.
    let session = start(&hatchet, &[("HATCHET_MCP_TOOLSETS", "runs,diagnose")]).await;
    let result = call(&session, "wait_for_run", json!({"workflow_run_id": RUN})).await;
    let answer: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(answer["status"], "FAILED", "{answer}");
    assert_eq!(answer["workflow_run_id"], RUN);
    let link = answer["dashboard_url"].as_str().unwrap();
    assert!(link.ends_with(&format!("/runs/{RUN}")), "{answer}");
    // This fake serves no run to report on: the answer says so and where to look.
    let note = answer["note"].as_str().unwrap();
    assert!(note.contains("describe_run_failure"), "{answer}");
    let polls = recorded(&hatchet)
        .await
        .iter()
        .filter(|r| r.path == status_path())
        .count();
    assert_eq!(polls, 2, "one poll, a pause, one more");
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn on_timeout_it_answers_the_last_status_and_what_to_do_next() {
    let hatchet = run_reporting("QUEUED").await;
    let session = start(&hatchet, &[("HATCHET_MCP_TOOLSETS", "runs")]).await;
    let result = call(
        &session,
        "wait_for_run",
        json!({"workflow_run_id": RUN, "timeout_s": 1}),
    )
    .await;
    let answer: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(answer["status"], "QUEUED", "{answer}");
    assert_eq!(answer["timed_out"], true);
    assert_eq!(answer["waited_s"], 1);
    let bad = call(
        &session,
        "wait_for_run",
        json!({"workflow_run_id": RUN, "timeout_s": 601}),
    )
    .await;
    assert_eq!(
        text(&bad),
        "Invalid argument `timeout_s`: must be an integer from 1 to 600, got 601."
    );
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}

const NEW_RUN: &str = "1b4e28ba-2fa1-41d2-883f-0016d3cca427";

/// A fake Hatchet where triggering answers a new run (and its status is `status`), and the
/// run [`RUN`] belongs to a workflow named `staging_etl`. It lists `etl` too, for a trigger
/// by that name.
async fn hatchet_that_triggers(status: &str) -> MockServer {
    let hatchet = MockServer::start().await;
    mount_workflows(
        &hatchet,
        &[
            (WORKFLOW, "staging_etl"),
            ("3f2c1e0d-1111-4a2b-9c3d-5e6f7a8b9c0d", "etl"),
        ],
    )
    .await;
    mount_trigger(&hatchet, NEW_RUN).await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/stable/workflow-runs/{NEW_RUN}/status"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(status)))
        .mount(&hatchet)
        .await;
    let original = json!({"run": {"metadata": {"id": RUN}, "workflowId": WORKFLOW, "status": "FAILED", "additionalMetadata": {"team": "billing"}}});
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/stable/workflow-runs/{RUN}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(original))
        .mount(&hatchet)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/workflows/{WORKFLOW}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "staging_etl"})))
        .mount(&hatchet)
        .await;
    hatchet
}

const READ_WRITE_RUNS: [(&str, &str); 2] = [
    ("HATCHET_MCP_READ_ONLY", "false"),
    ("HATCHET_MCP_TOOLSETS", "default,runs"),
];

#[tokio::test]
async fn trigger_workflow_with_wait_answers_how_the_new_run_ended() {
    let hatchet = hatchet_that_triggers("COMPLETED").await;
    let session = start(&hatchet, &READ_WRITE_RUNS).await;
    let result = call(
        &session,
        "trigger_workflow",
        json!({"workflow_name": "etl", "wait": true}),
    )
    .await;
    let answer: Value = serde_json::from_str(&text(&result)).unwrap();
    let link = answer["dashboard_url"].as_str().unwrap().to_owned();
    assert!(link.ends_with(&format!("/runs/{NEW_RUN}")), "{link}");
    assert_eq!(
        answer,
        json!({"workflow_run_id": NEW_RUN, "status": "COMPLETED", "waited_s": 0, "dashboard_url": link})
    );
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn trigger_workflow_without_wait_answers_the_same_compact_keys() {
    let hatchet = hatchet_that_triggers("COMPLETED").await;
    // wait_for_run is registered (toolset runs): the answer names it as the next call.
    for (env, next) in [
        (
            &READ_WRITE_RUNS[..],
            Some(format!("wait_for_run workflow_run_id={NEW_RUN}")),
        ),
        (&READ_WRITE_RUNS[..1], None),
    ] {
        let session = start(&hatchet, env).await;
        let arguments = json!({"workflow_name": "etl", "input": {"order": 7}});
        let result = call(&session, "trigger_workflow", arguments).await;
        let answer: Value = serde_json::from_str(&text(&result)).unwrap();
        let link = answer["dashboard_url"].as_str().unwrap().to_owned();
        let mut expected =
            json!({"workflow_run_id": NEW_RUN, "status": "QUEUED", "dashboard_url": link});
        if let Some(next) = next {
            expected["next"] = next.into();
        }
        assert_eq!(answer, expected, "{env:?}");
        session.cancel().await.unwrap();
    }
    assert_server_conforms(&hatchet).await;
}

#[tokio::test]
async fn rerun_with_input_starts_the_same_workflow_with_the_new_input_and_marks_it() {
    let hatchet = hatchet_that_triggers("RUNNING").await;
    let session = start(&hatchet, &READ_WRITE_RUNS).await;
    let result = call(
        &session,
        "rerun_with_input",
        json!({"workflow_run_id": RUN, "input": {"order": 42}}),
    )
    .await;
    let answer: Value = serde_json::from_str(&text(&result)).unwrap();
    let link = answer["dashboard_url"].as_str().unwrap().to_owned();
    assert_eq!(
        answer,
        json!({"workflow_run_id": NEW_RUN, "rerun_of": RUN, "workflow_name": "staging_etl", "status": "QUEUED",
               "next": format!("wait_for_run workflow_run_id={NEW_RUN}"), "dashboard_url": link})
    );
    let trigger = recorded(&hatchet)
        .await
        .into_iter()
        .find(|r| r.method == "POST")
        .unwrap();
    assert_eq!(
        trigger.body,
        Some(json!({
            "workflowName": "staging_etl",
            "input": {"order": 42},
            "additionalMetadata": {"team": "billing", "rerun_of": RUN}
        }))
    );
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn rerun_with_input_is_neither_in_the_default_toolset_nor_in_read_only_mode() {
    let hatchet = hatchet_that_triggers("RUNNING").await;
    for env in [
        vec![("HATCHET_MCP_READ_ONLY", "false")],
        vec![("HATCHET_MCP_TOOLSETS", "all")],
    ] {
        let session = start(&hatchet, &env).await;
        let params = rmcp::model::CallToolRequestParams::new("rerun_with_input").with_arguments(
            json!({"workflow_run_id": RUN, "input": {}})
                .as_object()
                .unwrap()
                .clone(),
        );
        let error = session.call_tool(params).await.unwrap_err().to_string();
        let expected = if env[0].0 == "HATCHET_MCP_TOOLSETS" {
            "read-only"
        } else {
            "`runs` toolset"
        };
        assert!(error.contains(expected), "{env:?}: {error}");
        session.cancel().await.unwrap();
    }
    assert!(recorded(&hatchet).await.is_empty());
}
