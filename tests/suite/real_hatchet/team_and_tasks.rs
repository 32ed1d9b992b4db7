//! Team mode and MCP tasks against the real engine: a caller's own token over Streamable
//! HTTP reads the seeded runs; a task made by one server process for a real run is polled
//! to its end by another, to COMPLETED and to FAILED with the worker's failure; cancelling
//! a task that triggered a run cancels that run in the engine.

use rmcp::{
    ServiceExt,
    model::{
        CallToolRequestParams, CancelTaskParams, ClientCapabilities, ClientConfig, TaskStatus,
    },
};
use serde_json::{Value, json};

use super::{
    Engine, TURN, assert_contains, assert_contract, engine, start, status_becomes, transport,
};
use crate::{
    support::{
        process::assert_no_piece_of,
        session::{TaskSession, text},
        team::{self, TeamServer},
    },
    tasks::{answer_of, call_for_task, get, poll_to_end},
};

use super::proxy::Recorder;

/// A client that declares the Tasks extension, of the release binary in read-write mode.
async fn start_taking_tasks(engine: &Engine, recorder: &Recorder) -> TaskSession {
    let mut client = ClientConfig::default();
    client.capabilities = ClientCapabilities::builder().enable_tasks().build();
    client
        .serve(transport(
            engine,
            recorder,
            &[("HATCHET_MCP_READ_ONLY", "false")],
        ))
        .await
        .expect("initialize")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn team_mode_reads_the_real_engine_with_the_callers_token() {
    let Some(engine) = engine() else { return };
    let _turn = TURN.lock().await;
    let recorder = Recorder::start(engine.url()).await;
    // The server holds no token: the engine's token comes with each request.
    let server = TeamServer::start(&recorder.url, &[("HATCHET_MCP_TOOLSETS", "all")]).await;
    let failed = engine.id("/runs/failed");
    for stateless in [false, true] {
        let client = if stateless {
            team::connect_stateless(&server.mcp_url(), engine.token()).await
        } else {
            team::connect(&server.mcp_url(), engine.token()).await
        };
        let status = client
            .call_tool(team::run_status_call(&failed))
            .await
            .unwrap();
        assert_ne!(status.is_error, Some(true), "{status:?}");
        assert_contains(&text(&status), "FAILED", "get_run_status over HTTP");
        let params = CallToolRequestParams::new("describe_run_failure").with_arguments(
            json!({"workflow_run_id": failed})
                .as_object()
                .unwrap()
                .clone(),
        );
        let report = client.call_tool(params).await.unwrap();
        assert_contains(&text(&report), "e2e-marker", "the worker's exception");
        client.cancel().await.unwrap();
    }
    // Without a token, nothing reaches the engine.
    let before = recorder.requests().len();
    let refused = team::post(server.address(), &[], &team::initialize()).await;
    assert_eq!(refused.status, 401);
    assert_eq!(recorder.requests().len(), before);
    assert_no_piece_of(engine.token(), &server.stderr());
    assert_contract(&recorder);
}

/// Triggers `workflow` with `input` and `wait` as a task; a second server process polls it.
async fn run_as_task(
    engine: &Engine,
    recorder: &Recorder,
    workflow: &str,
    input: Value,
) -> (Value, bool) {
    let first = start_taking_tasks(engine, recorder).await;
    let task = call_for_task(
        &first,
        "trigger_workflow",
        json!({"workflow_name": workflow, "input": input, "wait": true}),
    )
    .await;
    assert_eq!(task.status, TaskStatus::Working, "{task:?}");
    first.cancel().await.unwrap();
    let second = start_taking_tasks(engine, recorder).await;
    let done = poll_to_end(&second, &task.task_id, 120).await;
    second.cancel().await.unwrap();
    answer_of(&done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_task_for_a_real_run_ends_as_the_run_does_in_another_process() {
    let Some(engine) = engine() else { return };
    let _turn = TURN.lock().await;
    let recorder = Recorder::start(engine.url()).await;
    let batch = format!("t{}", jiff::Timestamp::now().as_millisecond());

    let (answer, is_error) = run_as_task(
        engine,
        &recorder,
        "e2e-charge",
        json!({"order_id": batch, "amount": 100}),
    )
    .await;
    assert!(!is_error, "{answer}");
    assert_eq!(answer["status"], "COMPLETED", "{answer}");

    let (answer, _) = run_as_task(
        engine,
        &recorder,
        "e2e-charge",
        json!({"order_id": batch, "amount": 9002}),
    )
    .await;
    assert_eq!(answer["status"], "FAILED", "{answer}");
    assert_contains(&answer.to_string(), "e2e-marker", "the failure report");

    // Cancelling a task that triggered a run cancels the run in the engine.
    let session = start_taking_tasks(engine, &recorder).await;
    let task = call_for_task(
        &session,
        "trigger_workflow",
        json!({"workflow_name": "e2e-sleeper", "input": {}, "wait": true}),
    )
    .await;
    session
        .cancel_task(CancelTaskParams::new(task.task_id.clone()))
        .await
        .unwrap();
    let cancelled = get(&session, &task.task_id).await.unwrap();
    assert_eq!(cancelled.task.status(), TaskStatus::Cancelled);
    let message = cancelled.task.task.status_message.unwrap_or_default();
    assert_contains(&message, "was cancelled in Hatchet", "the task says so");
    session.cancel().await.unwrap();
    // The run the message names is cancelled in the engine.
    let run = message
        .split(|c: char| c.is_whitespace() || c == ',')
        .find(|word| uuid::Uuid::parse_str(word).is_ok())
        .unwrap_or_else(|| panic!("no run id in {message:?}"))
        .to_owned();
    let reader = start(engine, &recorder, &[]).await;
    status_becomes(&reader, &recorder, &run, &["CANCELLED"]).await;
    reader.cancel().await.unwrap();
    assert_contract(&recorder);
}
