//! The end-to-end suite against a real Hatchet: the engine and worker that
//! `bash scripts/real-hatchet.sh up` starts on loopback, seeded with the objects its
//! worker's header describes (`scripts/real-hatchet/worker.py`).
//!
//! The release binary (built here as `cargo build --release --locked` builds it) is driven
//! over stdio by rmcp's client, through a recording proxy: every request it sends is checked
//! against Hatchet's OpenAPI contract, and the engine's answers to the read tools are kept,
//! normalised, under `target/real-hatchet/recordings/` (and, with
//! `HATCHET_MCP_UPDATE_REAL_FIXTURES=1`, under `tests/fixtures/real/`, which
//! `tests/suite/real_recordings.rs` holds the fake's answers against).
//!
//! Without the engine (no `target/real-hatchet/env`) every test here passes after one
//! `real-hatchet: SKIPPED` line on stderr; with `CI=true` a missing engine fails them.
//! The tests share one engine and take turns (one lock), since some pause its worker.

mod proxy;
mod team_and_tasks;

use std::{
    collections::HashMap,
    io::Write,
    path::{Path, PathBuf},
    process::Stdio,
    sync::OnceLock,
    time::Duration,
};

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult},
    service::RunningService,
    transport::TokioChildProcess,
};
use serde_json::{Value, json};
use tokio::sync::Mutex;

use crate::support::{contract, process::assert_no_piece_of, shape};
use proxy::Recorder;

type Session = RunningService<RoleClient, ()>;

/// The engine the script started: its env file and the seed's ids.
struct Engine {
    env: HashMap<String, String>,
    seed: Value,
}

impl Engine {
    fn token(&self) -> &str {
        &self.env["HATCHET_CLIENT_TOKEN"]
    }

    fn url(&self) -> &str {
        &self.env["HATCHET_CLIENT_SERVER_URL"]
    }

    fn id(&self, pointer: &str) -> String {
        self.seed
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("seed.json has no {pointer}"))
            .to_owned()
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The engine, or `None` (after one SKIPPED line) when it is not up.
fn engine() -> Option<&'static Engine> {
    static ENGINE: OnceLock<Option<Engine>> = OnceLock::new();
    ENGINE
        .get_or_init(|| {
            let path = std::env::var_os("REAL_HATCHET_ENV")
                .map_or_else(|| root().join("target/real-hatchet/env"), PathBuf::from);
            let Ok(text) = std::fs::read_to_string(&path) else {
                let reason = format!(
                    "{} is missing: run `bash scripts/real-hatchet.sh up` first",
                    path.display()
                );
                assert!(
                    !contract::in_ci(),
                    "real-hatchet: {reason} (CI=true makes this a failure)"
                );
                // Written past the test harness's capture, so a plain `cargo test` shows it.
                let _ = std::io::stderr()
                    .write_all(format!("real-hatchet: SKIPPED ({reason})\n").as_bytes());
                return None;
            };
            let env: HashMap<String, String> = text
                .lines()
                .filter_map(|line| line.split_once('='))
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect();
            let seed = std::fs::read_to_string(&env["REAL_HATCHET_SEED"])
                .expect("the seed's ids (REAL_HATCHET_SEED)");
            Some(Engine {
                env,
                seed: serde_json::from_str(&seed).unwrap(),
            })
        })
        .as_ref()
}

/// The tests take turns: one pauses the worker the others rely on.
static TURN: Mutex<()> = Mutex::const_new(());

/// The release binary, built once per run (`HATCHET_MCP_E2E_BIN` names another).
fn binary() -> &'static str {
    static BINARY: OnceLock<String> = OnceLock::new();
    BINARY.get_or_init(|| {
        if let Some(path) = std::env::var_os("HATCHET_MCP_E2E_BIN") {
            return path.into_string().unwrap();
        }
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
        let status = std::process::Command::new(cargo)
            .args(["build", "--release", "--locked", "--bin", "hatchet-mcp"])
            .current_dir(root())
            .stdout(Stdio::null())
            .status()
            .expect("run cargo build --release");
        assert!(status.success(), "cargo build --release failed");
        Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("../release/hatchet-mcp")
            .to_string_lossy()
            .into_owned()
    })
}

/// The release binary over stdio serving the engine through `recorder`, with `env` added.
fn transport(engine: &Engine, recorder: &Recorder, env: &[(&str, &str)]) -> TokioChildProcess {
    let mut command = tokio::process::Command::new(binary());
    command
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", engine.token())
        .env("HATCHET_CLIENT_SERVER_URL", &recorder.url)
        .env("HATCHET_MCP_TIMEOUT_SECS", "30")
        .env("HATCHET_MCP_TOOLSETS", "all");
    for (name, value) in env {
        command.env(name, value);
    }
    TokioChildProcess::builder(command)
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
        .0
}

/// A client of [`transport`].
async fn start(engine: &Engine, recorder: &Recorder, env: &[(&str, &str)]) -> Session {
    ().serve(transport(engine, recorder, env))
        .await
        .expect("initialize")
}

/// Calls a tool and returns its answer's text, which must not be an error.
async fn ok(session: &Session, recorder: &Recorder, tool: &str, arguments: Value) -> String {
    let (text, is_error) = call(session, recorder, tool, arguments.clone()).await;
    assert!(!is_error, "{tool} {arguments} answered an error: {text}");
    text
}

/// As [`ok`], parsed.
async fn json_of(session: &Session, recorder: &Recorder, tool: &str, arguments: Value) -> Value {
    let text = ok(session, recorder, tool, arguments).await;
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{tool}: not JSON ({e}): {text}"))
}

async fn call(
    session: &Session,
    recorder: &Recorder,
    tool: &str,
    arguments: Value,
) -> (String, bool) {
    recorder.label(tool);
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().expect("an object").clone());
    let result: CallToolResult = session
        .call_tool(params)
        .await
        .unwrap_or_else(|e| panic!("{tool}: a protocol error: {e}"));
    let text = result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect::<String>();
    (text, result.is_error == Some(true))
}

fn rows(answer: &Value) -> &[Value] {
    rows_of(&answer["rows"])
}

fn rows_of(list: &Value) -> &[Value] {
    list.as_array().map_or(&[], Vec::as_slice)
}

fn assert_contains(text: &str, wanted: &str, what: &str) {
    assert!(text.contains(wanted), "{what}: {wanted:?} not in {text}");
}

/// Polls a run's status until it is one of `wanted`.
async fn status_becomes(
    session: &Session,
    recorder: &Recorder,
    run: &str,
    wanted: &[&str],
) -> String {
    let mut status = String::new();
    for _ in 0..120 {
        let answer = json_of(
            session,
            recorder,
            "get_run_status",
            json!({"workflow_run_id": run}),
        )
        .await;
        status = answer["status"].as_str().unwrap_or_default().to_owned();
        if wanted.contains(&status.as_str()) {
            return status;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("run {run} is {status}, not one of {wanted:?}, after 60 s");
}

/// Every request the suite made conforms to the OpenAPI contract.
fn assert_contract(recorder: &Recorder) {
    contract::assert_conforms(&recorder.requests());
}

/// The engine's 2xx answers to the read tools, normalised, one file per tool: in
/// `target/real-hatchet/recordings/` always, and in `tests/fixtures/real/` when
/// `HATCHET_MCP_UPDATE_REAL_FIXTURES=1`.
fn keep_recordings(recorder: &Recorder) {
    let mut by_tool: HashMap<String, Vec<Value>> = HashMap::new();
    for exchange in recorder.exchanges() {
        // The read tools' session reads only (cel_debug's POST evaluates, nothing more).
        if (200..300).contains(&exchange.status) {
            let answer = json!({
                "request": format!("{} {}", exchange.request.method, exchange.request.path),
                "answer": exchange.body,
            });
            by_tool.entry(exchange.label).or_default().push(answer);
        }
    }
    let checkout = root().to_string_lossy().into_owned();
    let mut dirs = vec![root().join("target/real-hatchet/recordings")];
    if std::env::var("HATCHET_MCP_UPDATE_REAL_FIXTURES").as_deref() == Ok("1") {
        dirs.push(root().join("tests/fixtures/real"));
    }
    for dir in dirs {
        std::fs::create_dir_all(&dir).unwrap();
        for (tool, answers) in &by_tool {
            let normalised = shape::normalised(&Value::Array(answers.clone()), &checkout);
            let text = serde_json::to_string_pretty(&normalised).unwrap() + "\n";
            std::fs::write(dir.join(format!("{tool}.json")), text).unwrap();
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_read_tool_answers_from_the_real_objects() {
    let Some(engine) = engine() else { return };
    let _turn = TURN.lock().await;
    let recorder = Recorder::start(engine.url()).await;
    let s = &start(engine, &recorder, &[]).await;
    let r = &recorder;
    let failed = engine.id("/runs/failed");
    let dag = engine.id("/runs/dag");
    let charge = engine.id("/workflows/e2e-charge");
    let greet = engine.id("/workflows/e2e-greet");
    let marker = "card declined: insufficient funds for order ord-5000 (e2e-marker)";

    let whoami = json_of(s, r, "whoami", json!({})).await;
    assert_eq!(whoami["engine_version"], engine.env["REAL_HATCHET_VERSION"]);
    assert_eq!(whoami["mode"], "read-only");

    let workflows = ok(s, r, "list_workflows", json!({})).await;
    for name in [
        "e2e-greet",
        "e2e-charge",
        "e2e-sleeper",
        "e2e-serial",
        "e2e-pipeline",
        "e2e-on-signup",
    ] {
        assert_contains(&workflows, name, "list_workflows");
    }
    let workflow = json_of(s, r, "get_workflow", json!({"workflow_id": charge})).await;
    assert_eq!(workflow["name"], "e2e-charge");

    // Runs: summary rows, and the API's rows with detail "full".
    // Every page, as an agent pages: an engine the suite has run against before holds more
    // runs than one page.
    let since = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(6);
    let mut all_runs: Vec<Value> = Vec::new();
    let mut offset = Some(0);
    while let Some(at) = offset.filter(|at| *at < 2_000) {
        let arguments = json!({"since": since.to_string(), "limit": 100, "offset": at});
        let page = json_of(s, r, "list_runs", arguments).await;
        all_runs.extend(rows(&page).iter().cloned());
        offset = page["next_offset"].as_u64();
    }
    let row_of = |id: &str| {
        all_runs
            .iter()
            .find(|row| row["id"] == id)
            .unwrap_or_else(|| panic!("list_runs has no row for {id} in {} rows", all_runs.len()))
            .clone()
    };
    assert_eq!(row_of(&failed)["status"], "FAILED");
    assert_eq!(row_of(&engine.id("/runs/queued"))["status"], "QUEUED");
    assert_eq!(row_of(&engine.id("/runs/running"))["status"], "RUNNING");
    assert_eq!(row_of(&engine.id("/runs/cancelled"))["status"], "CANCELLED");
    assert_contains(
        &row_of(&failed).to_string(),
        "e2e-marker",
        "a failed row's error",
    );
    let full = json_of(
        s,
        r,
        "list_runs",
        json!({"since": since.to_string(), "detail": "full", "limit": 5}),
    )
    .await;
    assert!(
        rows(&full).len() == 5
            && rows(&full)
                .iter()
                .all(|row| row["metadata"]["id"].is_string()),
        "detail full holds the API's rows: {full}"
    );

    let run = ok(s, r, "get_run", json!({"workflow_run_id": dag})).await;
    for task in ["extract", "transform", "audit", "load"] {
        assert_contains(&run, task, "get_run of the DAG");
    }
    let status = json_of(s, r, "get_run_status", json!({"workflow_run_id": failed})).await;
    assert_eq!(status["status"], "FAILED");

    let task = json_of(s, r, "get_task", json!({"task_run_id": failed})).await;
    assert_eq!(task["attempt"], 2, "one retry: two attempts: {task}");
    assert_contains(&task.to_string(), marker, "get_task");
    let logs = ok(s, r, "get_task_logs", json!({"task_run_id": failed})).await;
    assert_contains(&logs, "contacting the payment gateway", "get_task_logs");
    let events = ok(s, r, "list_task_events", json!({"task_run_id": failed})).await;
    assert_contains(&events, "\"FAILED\"", "list_task_events");
    let completed_events = ok(
        s,
        r,
        "list_task_events",
        json!({"task_run_id": engine.id("/runs/charge_completed")}),
    )
    .await;
    assert_contains(
        &completed_events,
        "\"FINISHED\"",
        "list_task_events of a success",
    );

    let workers = json_of(s, r, "list_workers", json!({})).await;
    let worker = rows(&workers)
        .iter()
        .find(|w| w["name"] == "e2e-worker")
        .unwrap_or_else(|| panic!("no e2e-worker: {workers}"))
        .clone();
    let worker_id = worker["id"].as_str().unwrap();
    let one = json_of(s, r, "get_worker", json!({"worker_id": worker_id})).await;
    assert_contains(&one.to_string(), "e2e-charge", "get_worker's actions");

    let events = ok(s, r, "list_events", json!({})).await;
    assert_contains(&events, "e2e:user-signup", "list_events");
    assert_contains(
        &events,
        &engine.id("/runs/event_triggered"),
        "list_events' runs",
    );
    let full_events = ok(s, r, "list_events", json!({"detail": "full"})).await;
    assert_contains(
        &full_events,
        "e2e-scope",
        "the scoped event's scope, in the API's rows",
    );
    let event = json_of(
        s,
        r,
        "get_event",
        json!({"event_id": engine.id("/event_id")}),
    )
    .await;
    assert_eq!(event["payload"]["plan"], "pro");
    assert_contains(
        &ok(s, r, "list_event_keys", json!({})).await,
        "e2e:user-signup",
        "keys",
    );

    assert_contains(
        &ok(s, r, "list_crons", json!({})).await,
        "e2e-nightly",
        "list_crons",
    );
    let cron = json_of(s, r, "get_cron", json!({"cron_id": engine.id("/cron_id")})).await;
    assert_eq!(cron["cron"], "0 3 * * *");
    let scheduled_id = engine.id("/scheduled_id");
    let schedules = ok(s, r, "list_scheduled", json!({})).await;
    assert_contains(&schedules, &scheduled_id, "list_scheduled");
    let scheduled = json_of(s, r, "get_scheduled", json!({"scheduled_id": scheduled_id})).await;
    assert_eq!(scheduled["workflowName"], "e2e-greet");

    let filter_id = engine.id("/filter_id");
    assert_contains(
        &ok(s, r, "list_filters", json!({})).await,
        &filter_id,
        "list_filters",
    );
    let filter = json_of(s, r, "get_filter", json!({"filter_id": filter_id})).await;
    assert_eq!(filter["scope"], "e2e-scope");
    let debug = json_of(
        s,
        r,
        "cel_debug",
        json!({"expression": "input.plan == 'pro'", "input": {"plan": "pro"}}),
    )
    .await;
    assert_eq!(debug["output"], true, "{debug}");

    let limits = ok(s, r, "list_rate_limits", json!({})).await;
    assert_contains(&limits, "e2e-sms", "list_rate_limits");
    let queues = json_of(s, r, "get_queue_metrics", json!({})).await;
    assert!(queues["queues"].is_object(), "{queues}");
    let metrics = json_of(s, r, "get_task_metrics", json!({})).await;
    for status in ["FAILED", "QUEUED", "RUNNING", "COMPLETED", "CANCELLED"] {
        assert!(metrics[status].as_u64() >= Some(1), "{status} in {metrics}");
    }
    let timings = ok(s, r, "get_run_timings", json!({"workflow_run_id": dag})).await;
    for task in ["extract", "transform", "audit", "load"] {
        assert_contains(&timings, task, "get_run_timings");
    }
    // No OpenTelemetry collector runs here: the trace is empty, and says so.
    let trace = json_of(s, r, "get_trace", json!({"workflow_run_id": dag})).await;
    assert_eq!(trace["rows"], json!([]), "{trace}");

    let done = json_of(s, r, "wait_for_run", json!({"workflow_run_id": dag})).await;
    assert_eq!(done["status"], "COMPLETED", "{done}");

    let version = json_of(s, r, "get_workflow_version", json!({"workflow_id": greet})).await;
    let schema = &version["inputJsonSchema"];
    assert!(
        schema.to_string().contains("postcode"),
        "nested model: {schema}"
    );
    assert!(schema.to_string().contains("\"sms\""), "enum: {schema}");
    let concurrency = ok(
        s,
        r,
        "get_workflow_metrics",
        json!({"workflow_id": engine.id("/workflows/e2e-serial")}),
    )
    .await;
    assert_contains(
        &concurrency,
        "all",
        "get_workflow_metrics names the concurrency key",
    );
    let dag_tasks = ok(s, r, "list_dag_tasks", json!({"workflow_run_ids": [dag]})).await;
    for task in ["extract", "transform", "audit", "load"] {
        assert_contains(&dag_tasks, task, "list_dag_tasks");
    }
    let stats = json_of(s, r, "get_task_stats", json!({})).await;
    assert_eq!(stats["e2e-serial"]["queued"]["total"], 1, "{stats}");

    let found = ok(s, r, "search_logs", json!({"query": "payment gateway"})).await;
    assert_contains(&found, &failed, "search_logs names the task");
    let webhooks = ok(s, r, "list_webhooks", json!({})).await;
    assert_contains(&webhooks, "e2e-github", "list_webhooks");
    let webhook = ok(s, r, "get_webhook", json!({"name": "e2e-github"})).await;
    assert_contains(&webhook, "HMAC", "get_webhook");
    let secret = engine.id("/webhook_secret");
    assert_no_piece_of(&secret, &webhooks);
    assert_no_piece_of(&secret, &webhook);

    // The diagnose tools, on what really happened.
    let failure = ok(
        s,
        r,
        "describe_run_failure",
        json!({"workflow_run_id": failed}),
    )
    .await;
    assert_contains(
        &failure,
        marker,
        "describe_run_failure carries the exception",
    );
    assert_contains(&failure, "contacting the payment gateway", "and the logs");
    let queued = json_of(
        s,
        r,
        "why_queued",
        json!({"workflow_run_id": engine.id("/runs/queued")}),
    )
    .await;
    assert_contains(&queued["verdict"].to_string(), "concurrency", "why_queued");
    // Go's zero time once made this wait 739,951 days; the seed is days old at most. (Not a
    // search for "739" in the whole answer: a run id may hold it.)
    for task in rows_of(&queued["queued_tasks"]) {
        let waiting = task["waiting"].as_str().unwrap_or_default();
        // `45s`, `3m`, `2h5m`, `739951d3h`.
        let days = waiting
            .split_once('d')
            .and_then(|(n, _)| n.parse::<u64>().ok());
        assert!(
            days.is_none_or(|days| days < 30),
            "no wait computed from a zero time: {queued}"
        );
    }
    let stuck = ok(s, r, "list_stuck_runs", json!({"older_than": "1s"})).await;
    assert_contains(
        &stuck,
        &engine.id("/runs/running"),
        "list_stuck_runs finds the sleeper",
    );
    // The baseline it picks itself is the latest success of the same workflow (the other
    // tests may have added some); named, the seed's own success gives the seed's inputs.
    let compared = json_of(s, r, "compare_runs", json!({"workflow_run_id": failed})).await;
    assert_eq!(compared["baseline"]["status"], "COMPLETED", "{compared}");
    assert_eq!(compared["same_workflow_version"], true, "{compared}");
    let compared = json_of(
        s,
        r,
        "compare_runs",
        json!({"workflow_run_id": failed, "baseline_run_id": engine.id("/runs/charge_completed")}),
    )
    .await;
    let amount = compared["input"]
        .as_array()
        .and_then(|diffs| diffs.iter().find(|d| d["path"] == "/input/amount"))
        .unwrap_or_else(|| panic!("no amount in {compared}"));
    assert_eq!(
        (&amount["run"], &amount["baseline"]),
        (&json!(5000), &json!(500))
    );
    let failing = json_of(s, r, "top_failing_workflows", json!({})).await;
    assert_eq!(
        failing["workflows"][0]["workflowName"], "e2e-charge",
        "{failing}"
    );

    assert_contract(r);
    keep_recordings(r);
}

/// A run id from a trigger's answer, whatever its shape (`workflow_run_id`, or the API's
/// object with the id at `run.metadata.id`).
fn run_id_of(answer: &Value) -> String {
    [
        "/workflow_run_id",
        "/run/metadata/id",
        "/metadata/id",
        "/workflowRunId",
    ]
    .iter()
    .find_map(|p| answer.pointer(p).and_then(Value::as_str))
    .unwrap_or_else(|| panic!("no run id in {answer}"))
    .to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_mutating_tool_changes_the_engine() {
    let Some(engine) = engine() else { return };
    let _turn = TURN.lock().await;
    let recorder = Recorder::start(engine.url()).await;
    let r = &recorder;
    let s = &start(engine, r, &[("HATCHET_MCP_READ_ONLY", "false")]).await;
    let batch = format!("b{}", jiff::Timestamp::now().as_millisecond());
    let greet_input = json!({"name": "Grace", "channel": "sms", "address": {"city": "Paris", "postcode": "75001"}});

    // trigger_workflow, then wait_for_run: one that completes, one that fails.
    let started = json_of(
        s,
        r,
        "trigger_workflow",
        json!({"workflow_name": "e2e-greet", "input": greet_input}),
    )
    .await;
    let greeted = run_id_of(&started);
    let done = json_of(
        s,
        r,
        "wait_for_run",
        json!({"workflow_run_id": greeted, "timeout_s": 60}),
    )
    .await;
    assert_eq!(done["status"], "COMPLETED", "{done}");
    let started = json_of(
        s,
        r,
        "trigger_workflow",
        json!({"workflow_name": "e2e-charge", "input": {"order_id": batch, "amount": 9000}}),
    )
    .await;
    let declined = run_id_of(&started);
    let done = json_of(
        s,
        r,
        "wait_for_run",
        json!({"workflow_run_id": declined, "timeout_s": 60}),
    )
    .await;
    assert_eq!(done["status"], "FAILED", "{done}");
    assert_contains(
        &done.to_string(),
        "e2e-marker",
        "wait_for_run's failure report",
    );

    // trigger_workflow with wait: the same two endings.
    let waited = json_of(
        s,
        r,
        "trigger_workflow",
        json!({"workflow_name": "e2e-charge", "input": {"order_id": batch, "amount": 100}, "wait": true}),
    )
    .await;
    assert_contains(&waited.to_string(), "COMPLETED", "trigger_workflow wait");
    let waited = json_of(
        s,
        r,
        "trigger_workflow",
        json!({"workflow_name": "e2e-charge", "input": {"order_id": batch, "amount": 9001}, "wait": true}),
    )
    .await;
    assert_contains(
        &waited.to_string(),
        "FAILED",
        "trigger_workflow wait on a failure",
    );
    assert_contains(&waited.to_string(), "e2e-marker", "with the failure report");

    // rerun_with_input: the failed run again, with an input that succeeds.
    let rerun = json_of(
        s,
        r,
        "rerun_with_input",
        json!({"workflow_run_id": declined, "input": {"order_id": batch, "amount": 10}, "wait": true}),
    )
    .await;
    assert_contains(&rerun.to_string(), "COMPLETED", "rerun_with_input");
    let rerun_id = run_id_of(&rerun);
    let rerun_run = ok(s, r, "get_run", json!({"workflow_run_id": rerun_id})).await;
    assert_contains(
        &rerun_run,
        &declined,
        "the rerun's metadata names the run it reruns",
    );

    // replay_runs by id: the failed run runs again (and fails again): its task has more
    // events afterwards.
    let events = |answer: &Value| rows(answer).len();
    let before = events(&json_of(s, r, "list_task_events", json!({"task_run_id": declined})).await);
    let replayed = ok(
        s,
        r,
        "replay_runs",
        json!({"run_ids": [declined], "dry_run": false}),
    )
    .await;
    assert_contains(&replayed, &declined, "replay_runs");
    let mut after = before;
    for _ in 0..120 {
        after = events(&json_of(s, r, "list_task_events", json!({"task_run_id": declined})).await);
        if after > before {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(
        after > before,
        "a replay leaves new task events: {before} then {after}"
    );
    status_becomes(s, r, &declined, &["FAILED"]).await;

    // cancel_runs by id.
    let sleeper = run_id_of(
        &json_of(
            s,
            r,
            "trigger_workflow",
            json!({"workflow_name": "e2e-sleeper", "input": {}}),
        )
        .await,
    );
    status_becomes(s, r, &sleeper, &["RUNNING"]).await;
    ok(
        s,
        r,
        "cancel_runs",
        json!({"run_ids": [sleeper], "dry_run": false}),
    )
    .await;
    status_becomes(s, r, &sleeper, &["CANCELLED"]).await;

    // The bulk preview and its confirm, on a filter that matches two runs of this batch.
    let mut batch_runs = Vec::new();
    for _ in 0..2 {
        let started = json_of(
            s,
            r,
            "trigger_workflow",
            json!({"workflow_name": "e2e-sleeper", "input": {}, "additional_metadata": {"e2e_batch": batch}}),
        )
        .await;
        batch_runs.push(run_id_of(&started));
    }
    for run in &batch_runs {
        status_becomes(s, r, run, &["RUNNING"]).await;
    }
    let since = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(1)).to_string();
    let filter = json!({"since": since, "workflow_ids": ["e2e-sleeper"], "statuses": ["RUNNING"], "additional_metadata": {"e2e_batch": batch}});
    let preview = json_of(s, r, "cancel_runs", filter.clone()).await;
    assert_eq!(
        preview["executed"], false,
        "a filter previews first: {preview}"
    );
    for run in &batch_runs {
        assert_contains(&preview.to_string(), run, "the preview lists the batch");
    }
    assert!(
        !preview.to_string().contains(&engine.id("/runs/running")),
        "the preview holds only the batch: {preview}"
    );
    let confirm = preview["confirm"]
        .as_str()
        .unwrap_or_else(|| panic!("no confirm: {preview}"));
    let mut execute = filter.clone();
    execute["dry_run"] = json!(false);
    execute["confirm"] = json!(confirm);
    let executed = json_of(s, r, "cancel_runs", execute).await;
    assert_eq!(executed["executed"], true, "{executed}");
    for run in &batch_runs {
        status_becomes(s, r, run, &["CANCELLED"]).await;
    }
    assert_eq!(
        json_of(
            s,
            r,
            "get_run_status",
            json!({"workflow_run_id": engine.id("/runs/running")})
        )
        .await["status"],
        "RUNNING",
        "the seed's sleeper was outside the filter"
    );

    // restore_task: only an evicted durable task has anything to restore. On a finished
    // task the engine still answers `requeued: true`, and nothing runs again.
    let events_before =
        rows(&json_of(s, r, "list_task_events", json!({"task_run_id": greeted})).await).len();
    let restored = json_of(s, r, "restore_task", json!({"task_id": greeted})).await;
    assert_eq!(restored["requeued"], true, "{restored}");
    tokio::time::sleep(Duration::from_secs(2)).await;
    let events_after =
        rows(&json_of(s, r, "list_task_events", json!({"task_run_id": greeted})).await).len();
    assert_eq!(
        events_before, events_after,
        "a finished task is not run again"
    );
    let status = json_of(s, r, "get_run_status", json!({"workflow_run_id": greeted})).await;
    assert_eq!(status["status"], "COMPLETED");

    // push_event: this engine takes new events only over gRPC (its REST route answers
    // "EventCreate is deprecated"): the tool says so plainly, and no event is made.
    let (text, is_error) = call(
        s,
        r,
        "push_event",
        json!({"key": "e2e:user-signup", "data": {"email": format!("{batch}@example.com"), "plan": "free"}}),
    )
    .await;
    assert!(is_error, "{text}");
    assert_contains(&text, "only over gRPC", "push_event's refusal");
    assert_contains(&text, "trigger_workflow", "and what to do instead");
    assert!(
        !ok(s, r, "list_events", json!({})).await.contains(&batch),
        "no event was made"
    );

    // pause and resume a workflow.
    let pipeline = engine.id("/workflows/e2e-pipeline");
    ok(s, r, "pause_workflow", json!({"workflow_id": pipeline})).await;
    let paused = json_of(s, r, "get_workflow", json!({"workflow_id": pipeline})).await;
    assert_eq!(paused["isPaused"], true, "{paused}");
    ok(s, r, "resume_workflow", json!({"workflow_id": pipeline})).await;
    let resumed = json_of(s, r, "get_workflow", json!({"workflow_id": pipeline})).await;
    assert_eq!(resumed["isPaused"], false, "{resumed}");

    // pause and resume the worker.
    let workers = json_of(s, r, "list_workers", json!({})).await;
    let worker = rows(&workers)
        .iter()
        .find(|w| w["name"] == "e2e-worker" && w["status"] == "ACTIVE")
        .and_then(|w| w["id"].as_str())
        .unwrap_or_else(|| panic!("no active e2e-worker: {workers}"))
        .to_owned();
    ok(s, r, "pause_worker", json!({"worker_id": worker})).await;
    let paused = json_of(s, r, "get_worker", json!({"worker_id": worker})).await;
    assert_eq!(paused["status"], "PAUSED", "{paused}");
    ok(s, r, "resume_worker", json!({"worker_id": worker})).await;
    let resumed = json_of(s, r, "get_worker", json!({"worker_id": worker})).await;
    assert_eq!(resumed["status"], "ACTIVE", "{resumed}");

    // crons.
    let cron_name = format!("e2e-{batch}");
    let cron = json_of(
        s,
        r,
        "create_cron",
        json!({"workflow_name": "e2e-greet", "cron_name": cron_name, "expression": "15 4 * * *", "input": greet_input}),
    )
    .await;
    let cron_id = cron["metadata"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{cron}"))
        .to_owned();
    assert_contains(
        &ok(s, r, "list_crons", json!({})).await,
        &cron_name,
        "a new cron",
    );
    ok(s, r, "delete_cron", json!({"cron_id": cron_id})).await;
    assert!(
        !ok(s, r, "list_crons", json!({})).await.contains(&cron_name),
        "the cron is gone"
    );

    // schedules: create, move, delete.
    let at = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(48)).to_string();
    let scheduled = json_of(
        s,
        r,
        "create_scheduled",
        json!({"workflow_name": "e2e-greet", "trigger_at": at, "input": greet_input}),
    )
    .await;
    let scheduled_id = scheduled["metadata"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{scheduled}"))
        .to_owned();
    let later = (jiff::Timestamp::now() + jiff::SignedDuration::from_hours(72))
        .round(jiff::Unit::Second)
        .unwrap();
    ok(
        s,
        r,
        "reschedule",
        json!({"scheduled_id": scheduled_id, "trigger_at": later.to_string()}),
    )
    .await;
    let moved = json_of(s, r, "get_scheduled", json!({"scheduled_id": scheduled_id})).await;
    let moved_at: jiff::Timestamp = moved["triggerAt"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        moved_at.round(jiff::Unit::Second).unwrap(),
        later,
        "{moved}"
    );
    ok(
        s,
        r,
        "delete_scheduled",
        json!({"scheduled_id": scheduled_id}),
    )
    .await;
    assert!(
        !ok(s, r, "list_scheduled", json!({}))
            .await
            .contains(&scheduled_id),
        "the scheduled run is gone"
    );

    // filters: create, change, delete.
    let signup = engine.id("/workflows/e2e-on-signup");
    let created = json_of(
        s,
        r,
        "create_filter",
        json!({"workflow_id": signup, "expression": "input.plan == 'team'", "scope": batch}),
    )
    .await;
    let filter_id = created["metadata"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_owned();
    ok(
        s,
        r,
        "update_filter",
        json!({"filter_id": filter_id, "expression": "input.plan == 'enterprise'"}),
    )
    .await;
    let changed = json_of(s, r, "get_filter", json!({"filter_id": filter_id})).await;
    assert_eq!(
        changed["expression"], "input.plan == 'enterprise'",
        "{changed}"
    );
    ok(s, r, "delete_filter", json!({"filter_id": filter_id})).await;
    assert!(
        !ok(s, r, "list_filters", json!({}))
            .await
            .contains(&filter_id),
        "the filter is gone"
    );

    assert_contract(r);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_typed_workflow_tool_is_built_from_the_schema_the_sdk_registered() {
    let Some(engine) = engine() else { return };
    let _turn = TURN.lock().await;
    let recorder = Recorder::start(engine.url()).await;
    let r = &recorder;
    let s = &start(
        engine,
        r,
        &[
            ("HATCHET_MCP_READ_ONLY", "false"),
            ("HATCHET_MCP_WORKFLOW_TOOLS", "e2e-greet"),
        ],
    )
    .await;
    // The tools load in the background and are announced when ready.
    let mut tool = None;
    for _ in 0..60 {
        let tools = s.list_all_tools().await.unwrap();
        tool = tools.into_iter().find(|t| t.name == "run_e2e-greet");
        if tool.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let tool = tool.expect("run_e2e-greet is registered");
    let schema = serde_json::to_value(&tool.input_schema).unwrap();
    assert_eq!(
        schema["required"],
        json!(["name", "channel", "address"]),
        "{schema}"
    );
    assert_contains(
        &schema.to_string(),
        "postcode",
        "the nested model is inlined",
    );
    assert_contains(&schema.to_string(), "\"sms\"", "the enum is kept");

    // An invalid call sends nothing.
    let posts = |r: &Recorder| r.requests().iter().filter(|q| q.method == "POST").count();
    let before = posts(r);
    let (text, is_error) = call(
        s,
        r,
        "run_e2e-greet",
        json!({"name": "Lin", "channel": "fax", "address": {"city": "Oslo", "postcode": "0150"}}),
    )
    .await;
    assert!(is_error, "an enum value the schema refuses: {text}");
    assert_contains(&text, "channel", "the error names the argument");
    assert_eq!(posts(r), before, "nothing was sent");

    // A valid call runs the workflow.
    let answer = json_of(
        s,
        r,
        "run_e2e-greet",
        json!({"name": "Lin", "channel": "email", "address": {"city": "Oslo", "postcode": "0150"}, "wait": true}),
    )
    .await;
    assert_contains(&answer.to_string(), "COMPLETED", "the typed tool's run");
    let run = ok(
        s,
        r,
        "get_run",
        json!({"workflow_run_id": run_id_of(&answer), "include_payloads": true}),
    )
    .await;
    assert_contains(
        &run,
        "hello Lin",
        "the input reached the task, whose output says so",
    );
    assert_contract(r);
}

#[test]
fn check_against_the_real_engine_exits_0() {
    let Some(engine) = engine() else { return };
    let output = std::process::Command::new(binary())
        .arg("check")
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", engine.token())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_contains(&stdout, engine.url(), "check names the engine");
    assert_no_piece_of(engine.token(), &stdout);
}
