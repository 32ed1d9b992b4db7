//! Long waits as MCP tasks (the Tasks extension): a client that declares it gets a task at
//! once and polls it to the answer the tool gives today; a cancel stops the wait (and a run
//! the task triggered); a second server process answers for a task the first one made; an
//! id this server did not issue is refused before anything is read; and the extension is
//! advertised only while a tool can answer one.

use std::time::Duration;

use rmcp::{
    ServiceError,
    model::{
        CallToolRequestParams, CallToolResponse, CancelTaskParams, ErrorCode, GetTaskParams,
        GetTaskResult, TASKS_EXTENSION_ID, Task, TaskPayload, TaskStatus,
    },
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

use crate::support::{
    contract::assert_server_conforms,
    fake::{RUN, TENANT, WORKFLOW, mount_trigger, mount_workflows, recorded, token_for},
    fixture::Tenant,
    rpc::RawRpc,
    session::{TaskSession, call, start, start_taking_tasks, text},
};

const NEW_RUN: &str = "0d4f5e6a-7b8c-4d9e-8f0a-1b2c3d4e5f60";
const RUNS: (&str, &str) = ("HATCHET_MCP_TOOLSETS", "default,runs");
const READ_WRITE: (&str, &str) = ("HATCHET_MCP_READ_ONLY", "false");

fn status_path(run: &str) -> String {
    format!("/api/v1/stable/workflow-runs/{run}/status")
}

/// Answers `first` for the run's first `times` status reads, then `then`.
async fn mount_statuses(hatchet: &MockServer, run: &str, first: &str, times: u64, then: &str) {
    Mock::given(method("GET"))
        .and(path(status_path(run)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(first)))
        .up_to_n_times(times)
        .with_priority(1)
        .mount(hatchet)
        .await;
    Mock::given(method("GET"))
        .and(path(status_path(run)))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!(then)))
        .mount(hatchet)
        .await;
}

/// Calls `tool` and expects a task back.
pub(crate) async fn call_for_task(session: &TaskSession, tool: &str, arguments: Value) -> Task {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().unwrap().clone());
    match session.call_tool_once(params).await.unwrap() {
        CallToolResponse::Task(created) => created.task,
        other => panic!("expected a task, got {other:?}"),
    }
}

pub(crate) async fn get(
    session: &TaskSession,
    task_id: &str,
) -> Result<GetTaskResult, ServiceError> {
    session.get_task(GetTaskParams::new(task_id)).await
}

/// Polls until the task ends, at the interval it suggests (at most `polls` times).
pub(crate) async fn poll_to_end(
    session: &TaskSession,
    task_id: &str,
    polls: usize,
) -> GetTaskResult {
    for _ in 0..polls {
        let polled = get(session, task_id).await.unwrap();
        if polled.task.status().is_terminal() {
            return polled;
        }
        let pause = polled
            .task
            .task
            .poll_interval_ms
            .expect("a working task says when");
        tokio::time::sleep(Duration::from_millis(pause)).await;
    }
    panic!("task {task_id} did not end");
}

/// The tool's answer a completed task carries, parsed, and whether it is an error.
pub(crate) fn answer_of(polled: &GetTaskResult) -> (Value, bool) {
    let TaskPayload::Completed { result } = &polled.task.payload else {
        panic!("not completed: {polled:?}");
    };
    let text = result["content"][0]["text"].as_str().unwrap();
    let answer = serde_json::from_str(text).unwrap_or_else(|_| json!(text));
    (answer, result.get("isError") == Some(&json!(true)))
}

/// The answer without how long the wait took, which depends on when it was read.
pub(crate) fn without_waited(mut answer: Value) -> Value {
    answer.as_object_mut().unwrap().remove("waited_s");
    answer
}

#[tokio::test]
async fn a_wait_answers_a_task_at_once_that_polls_to_completed_in_any_process() {
    let hatchet = MockServer::start().await;
    mount_statuses(&hatchet, RUN, "RUNNING", 2, "COMPLETED").await;
    let first = start_taking_tasks(&hatchet, &[RUNS]).await;
    let task = call_for_task(&first, "wait_for_run", json!({"workflow_run_id": RUN})).await;
    assert_eq!(task.status, TaskStatus::Working);
    assert_eq!(task.poll_interval_ms, Some(1_000), "{task:?}");
    // The wait's 120 s and an hour to read its answer.
    assert_eq!(task.ttl_ms, Some(3_720_000), "{task:?}");
    assert!(task.task_id.contains(&RUN.replace('-', "")), "{task:?}");

    let working = get(&first, &task.task_id).await.unwrap();
    assert_eq!(working.task.status(), TaskStatus::Working);
    let message = working.task.task.status_message.clone().unwrap();
    assert!(message.starts_with("RUNNING after"), "{message}");

    let done = poll_to_end(&first, &task.task_id, 20).await;
    assert_eq!(done.task.status(), TaskStatus::Completed);
    assert_eq!(done.task.task.created_at, task.created_at);
    let (answer, is_error) = answer_of(&done);
    assert!(!is_error);
    assert_eq!(answer["status"], "COMPLETED", "{answer}");
    assert_eq!(answer["workflow_run_id"], RUN);
    assert!(answer["dashboard_url"].as_str().unwrap().ends_with(RUN));
    first.cancel().await.unwrap();

    // Another process (a restart, another replica) answers for the same id alike.
    let second = start_taking_tasks(&hatchet, &[RUNS]).await;
    let again = get(&second, &task.task_id).await.unwrap();
    assert_eq!(again.task.status(), TaskStatus::Completed);
    assert_eq!(without_waited(answer_of(&again).0), without_waited(answer));
    assert_server_conforms(&hatchet).await;
    second.cancel().await.unwrap();
}

#[tokio::test]
async fn a_failed_run_ends_the_task_with_the_tools_answer_and_its_failure_report() {
    let hatchet = Tenant::serve().await;
    let run = Tenant::new().run_ids()[0].clone();
    // The fixture's runs have failed; this one is still running when the wait starts.
    mount_statuses(&hatchet, &run, "RUNNING", 1, "FAILED").await;
    let with_tasks = start_taking_tasks(&hatchet, &[RUNS]).await;
    let task = call_for_task(&with_tasks, "wait_for_run", json!({"workflow_run_id": run})).await;
    let done = poll_to_end(&with_tasks, &task.task_id, 20).await;
    let (answer, is_error) = answer_of(&done);
    assert!(!is_error, "a failed run is an answer, not an error");
    assert_eq!(answer["status"], "FAILED", "{answer}");
    assert!(answer["failure"].is_object(), "{answer}");

    // The same wait without tasks: the same answer, held open instead.
    let without_tasks = start(&hatchet, &[RUNS]).await;
    let result = call(
        &without_tasks,
        "wait_for_run",
        json!({"workflow_run_id": run}),
    )
    .await;
    let held: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(without_waited(answer), without_waited(held));
    with_tasks.cancel().await.unwrap();
    without_tasks.cancel().await.unwrap();
}

async fn hatchet_that_triggers() -> MockServer {
    let hatchet = MockServer::start().await;
    mount_workflows(&hatchet, &[(WORKFLOW, "etl")]).await;
    mount_trigger(&hatchet, NEW_RUN).await;
    mount_statuses(&hatchet, NEW_RUN, "RUNNING", 1, "RUNNING").await;
    Mock::given(method("POST"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/tasks/cancel"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ids": [NEW_RUN]})))
        .mount(&hatchet)
        .await;
    hatchet
}

fn cancels_sent(requests: &[crate::support::contract::RecordedRequest]) -> Vec<Value> {
    requests
        .iter()
        .filter(|r| r.method == "POST" && r.path.ends_with("/tasks/cancel"))
        .map(|r| r.body.clone().unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn cancelling_a_trigger_task_cancels_its_run_and_says_so_and_a_wait_task_only_stops() {
    let hatchet = hatchet_that_triggers().await;
    let session = start_taking_tasks(&hatchet, &[RUNS, READ_WRITE]).await;
    let arguments = json!({"workflow_name": "etl", "wait": true});
    let task = call_for_task(&session, "trigger_workflow", arguments).await;
    assert!(task.task_id.starts_with("hm1.t."), "{task:?}");
    let cancel = CancelTaskParams::new(task.task_id.clone());
    session.cancel_task(cancel).await.unwrap();
    let cancelled = get(&session, &task.task_id).await.unwrap();
    assert_eq!(cancelled.task.status(), TaskStatus::Cancelled);
    let message = cancelled.task.task.status_message.unwrap();
    assert!(
        message.contains(&format!(
            "run {NEW_RUN}, which this task triggered, was cancelled in Hatchet"
        )),
        "{message}"
    );
    let sent = cancels_sent(&recorded(&hatchet).await);
    assert_eq!(sent, vec![json!({"externalIds": [NEW_RUN]})]);

    // A wait for a run the task did not start: the wait stops, the run goes on.
    let waiting = call_for_task(
        &session,
        "wait_for_run",
        json!({"workflow_run_id": NEW_RUN}),
    )
    .await;
    assert!(waiting.task_id.starts_with("hm1.w."), "{waiting:?}");
    let cancel = CancelTaskParams::new(waiting.task_id.clone());
    session.cancel_task(cancel).await.unwrap();
    let stopped = get(&session, &waiting.task_id).await.unwrap();
    assert_eq!(stopped.task.status(), TaskStatus::Cancelled);
    let message = stopped.task.task.status_message.unwrap();
    assert!(message.contains("goes on"), "{message}");
    assert_eq!(cancels_sent(&recorded(&hatchet).await).len(), 1);
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn an_id_this_server_did_not_issue_is_refused_and_nothing_is_read() {
    let hatchet = hatchet_that_triggers().await;
    let session = start_taking_tasks(&hatchet, &[RUNS, READ_WRITE]).await;
    let task = call_for_task(
        &session,
        "wait_for_run",
        json!({"workflow_run_id": NEW_RUN}),
    )
    .await;
    let before = recorded(&hatchet).await.len();
    // A wait turned into a trigger, to cancel a run it did not start; a made-up id.
    let forged = task.task_id.replacen("hm1.w.", "hm1.t.", 1);
    for id in [forged.as_str(), "hm1.t.0.0.0.x.00", "anything"] {
        for error in [
            get(&session, id).await.unwrap_err(),
            session
                .cancel_task(CancelTaskParams::new(id))
                .await
                .unwrap_err(),
        ] {
            let ServiceError::McpError(error) = error else {
                panic!("{error:?}")
            };
            assert_eq!(error.code, ErrorCode::INVALID_PARAMS, "{error:?}");
            assert!(error.message.starts_with("Unknown task"), "{error:?}");
        }
    }
    assert_eq!(
        recorded(&hatchet).await.len(),
        before,
        "nothing was read or sent"
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn the_extension_is_advertised_only_while_a_tool_can_answer_a_task() {
    let hatchet = MockServer::start().await;
    let advertises = |session: &TaskSession| {
        let info = session.peer_info().expect("initialized");
        info.capabilities
            .extensions
            .as_ref()
            .is_some_and(|e| e.contains_key(TASKS_EXTENSION_ID))
    };
    // Read-only by default: neither wait_for_run (opt-in) nor a trigger is registered.
    let plain = start_taking_tasks(&hatchet, &[]).await;
    assert!(!advertises(&plain));
    let error = get(&plain, "anything").await.unwrap_err();
    let ServiceError::McpError(error) = error else {
        panic!("{error:?}")
    };
    assert_eq!(error.code, ErrorCode::METHOD_NOT_FOUND, "{error:?}");
    plain.cancel().await.unwrap();
    let runs = start_taking_tasks(&hatchet, &[RUNS]).await;
    assert!(advertises(&runs));
    runs.cancel().await.unwrap();
    let read_write = start_taking_tasks(&hatchet, &[READ_WRITE]).await;
    assert!(advertises(&read_write), "trigger_workflow waits too");
    read_write.cancel().await.unwrap();
}

/// Protocol 2026-07-28's `server/discover` (no `initialize` before it) tells the same as
/// `initialize`: the extension where a tool can answer a task, and not elsewhere.
#[tokio::test]
async fn server_discover_advertises_the_extension_as_initialize_does() {
    let token = token_for("http://127.0.0.1:9");
    let discover = json!({"_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities":
            {"extensions": {(TASKS_EXTENSION_ID): {}}},
    }});
    for (env, expected) in [(None, false), (Some(RUNS), true), (Some(READ_WRITE), true)] {
        let mut rpc = RawRpc::spawn(
            &[("HATCHET_CLIENT_TOKEN", token.as_str())]
                .into_iter()
                .chain(env)
                .collect::<Vec<_>>(),
        );
        let answer = rpc.request(1, "server/discover", discover.clone()).await;
        let capabilities = &answer["result"]["capabilities"];
        assert!(capabilities["tools"].is_object(), "{answer}");
        assert_eq!(
            capabilities["extensions"].get(TASKS_EXTENSION_ID).is_some(),
            expected,
            "{env:?}: {answer}"
        );
        rpc.finish().await;
    }
}

#[tokio::test]
async fn a_client_that_does_not_declare_tasks_waits_as_before() {
    let hatchet = MockServer::start().await;
    mount_statuses(&hatchet, RUN, "RUNNING", 1, "COMPLETED").await;
    let session = start(&hatchet, &[RUNS]).await;
    let result = call(&session, "wait_for_run", json!({"workflow_run_id": RUN})).await;
    let answer: Value = serde_json::from_str(&text(&result)).unwrap();
    assert_eq!(answer["status"], "COMPLETED", "{answer}");
    assert_eq!(answer["waited_s"], 1, "it waited a pause, holding the call");
    session.cancel().await.unwrap();
}
