//! What each read tool answers on the fixture tenant (`tests/support/fixture.rs`): no answer
//! grows past its checked-in ceiling, summary rows carry the ids the next call takes, and
//! `detail: "full"` returns the API's rows. Bytes only, never time: the benchmark
//! (`cargo bench --bench answers`) measures speed.

use std::sync::Arc;

use crate::support::{
    fake::{client_at, recorded},
    fixture::{self, Tenant},
};
use hatchet_mcp::mcp::tools::{Call, ToolContext, ToolSpec};
use hatchet_mcp::mcp::{
    output::{self, HARD_MAX_RESULT_BYTES},
    summary::{self, PAYLOAD_FIELDS},
    tools,
};
use serde_json::{Value, json};
use wiremock::MockServer;

/// The most bytes each read tool may answer on the fixture, with its default arguments.
/// Measured, then rounded up a little: a change that makes an answer larger fails here,
/// and lowering a ceiling after a change that shrinks one keeps the gain.
const CEILINGS: [(&str, usize); 27] = [
    ("list_workflows", 8200),
    ("get_workflow", 700),
    ("list_runs", 12900),
    // 17,370 bytes before its compact view (issue 22 asked for at most half).
    ("get_run", 4700),
    ("get_run_status", 200),
    ("get_task", 3000),
    ("get_task_logs", 6600),
    ("list_task_events", 9300),
    ("list_workers", 10100),
    ("get_worker", 4500),
    ("list_events", 13900),
    ("get_event", 700),
    ("list_event_keys", 1100),
    ("list_crons", 8400),
    ("get_cron", 700),
    ("list_scheduled", 10300),
    ("list_filters", 9800),
    ("get_filter", 500),
    ("cel_debug", 100),
    ("list_rate_limits", 3600),
    ("get_queue_metrics", 300),
    ("get_task_metrics", 200),
    ("get_run_timings", 12100),
    ("get_trace", 9100),
    // Opt-in (their toolsets: logs, webhooks, workflows).
    ("search_logs", 10100),
    ("list_webhooks", 6200),
    ("list_dag_tasks", 16200),
];

struct Fake {
    server: MockServer,
    context: Arc<ToolContext>,
}

impl Fake {
    async fn start() -> Self {
        let server = Tenant::serve().await;
        let mut context = ToolContext::new(client_at(&server.uri(), true), None);
        // Whole answers: the ceiling under test is this file's, not the result limit.
        context.max_result_bytes = HARD_MAX_RESULT_BYTES;
        Self {
            server,
            context: Arc::new(context),
        }
    }

    /// The text `tool` answers with `arguments`; panics on an error result.
    async fn call(&self, tool: &str, arguments: Value) -> String {
        let spec = find(tool);
        let answer = spec
            .call(
                Call::detached(self.context.clone()),
                arguments.as_object().cloned(),
            )
            .await
            .unwrap_or_else(|error| panic!("{tool}({arguments}): {error}"));
        answer.render(self.context.max_result_bytes).unwrap()
    }

    async fn json(&self, tool: &str, arguments: Value) -> Value {
        serde_json::from_str(&self.call(tool, arguments).await).unwrap()
    }
}

fn find(tool: &str) -> ToolSpec {
    tools::all()
        .into_iter()
        .find(|t| t.name == tool)
        .unwrap_or_else(|| panic!("no tool {tool}"))
}

/// Every required argument of `tool`, with a value the fixture answers.
fn required(tool: &ToolSpec) -> Value {
    Value::Object(fixture::arguments(&tool.input_schema))
}

#[tokio::test]
async fn no_answer_grows_past_its_ceiling() {
    let fake = Fake::start().await;
    let mut over = Vec::new();
    println!("| tool | bytes | ceiling |");
    let default_or_summarised = |tool: &ToolSpec| tool.in_default || tool.summary.is_some();
    let read_tools = tools::all().into_iter().filter(|t| !t.is_mutating());
    for tool in read_tools.filter(default_or_summarised) {
        let ceiling = CEILINGS
            .iter()
            .find(|(name, _)| *name == tool.name)
            .unwrap_or_else(|| panic!("{} has no ceiling in CEILINGS", tool.name))
            .1;
        let bytes = fake.call(&tool.name, required(&tool)).await.len();
        println!("| {} | {bytes} | {ceiling} |", tool.name);
        if bytes > ceiling {
            over.push(format!("{}: {bytes} bytes, ceiling {ceiling}", tool.name));
        }
    }
    assert!(over.is_empty(), "answers over their ceiling: {over:#?}");
}

/// Which list answers carry which id, and the call that takes it: (list tool, its
/// arguments, where the id is in a summary row, the follow-up tool, its argument).
const FOLLOW_UPS: [(&str, &str, &str, &str, &str); 16] = [
    ("list_workflows", "{}", "id", "get_workflow", "workflow_id"),
    ("list_runs", "{}", "id", "get_run", "workflow_run_id"),
    ("list_runs", "{}", "workflow", "list_runs", "workflow_ids"),
    (
        "list_runs",
        r#"{"only_tasks": true}"#,
        "id",
        "get_task",
        "task_run_id",
    ),
    (
        "list_runs",
        r#"{"only_tasks": true}"#,
        "id",
        "get_task_logs",
        "task_run_id",
    ),
    (
        "list_runs",
        r#"{"only_tasks": true}"#,
        "id",
        "list_task_events",
        "task_run_id",
    ),
    (
        "list_task_events",
        "{}",
        "worker",
        "get_worker",
        "worker_id",
    ),
    ("list_workers", "{}", "id", "get_worker", "worker_id"),
    ("list_events", "{}", "id", "get_event", "event_id"),
    ("list_events", "{}", "runIds", "get_run", "workflow_run_id"),
    ("list_crons", "{}", "id", "get_cron", "cron_id"),
    ("list_filters", "{}", "id", "get_filter", "filter_id"),
    ("get_run_timings", "{}", "id", "get_task", "task_run_id"),
    ("search_logs", "{}", "task", "get_task_logs", "task_run_id"),
    ("list_webhooks", "{}", "name", "get_webhook", "name"),
    ("list_dag_tasks", "{}", "id", "get_task", "task_run_id"),
];

/// The id a summary row gives under `key`: a workflow's id comes from the legend beside
/// the rows (`workflowIds`), a list of ids gives its first.
fn id_in(answer: &Value, row: &Value, key: &str) -> Option<String> {
    let value = row.get(key)?;
    let id = match (key, value) {
        ("workflow", Value::String(name)) => answer["workflowIds"].get(name)?,
        (_, Value::Array(ids)) => ids.first()?,
        (_, value) => value,
    };
    id.as_str().map(str::to_owned)
}

#[tokio::test]
async fn summary_rows_carry_the_ids_the_next_call_takes() {
    let fake = Fake::start().await;
    for (list, arguments, key, next, argument) in FOLLOW_UPS {
        let mut arguments: Value = serde_json::from_str(arguments).unwrap();
        for (name, value) in required(&find(list)).as_object().unwrap() {
            arguments[name] = value.clone();
        }
        let answer = fake.json(list, arguments).await;
        let rows = answer["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{list}: no rows");
        // Every row that has the id shows it; the first one drives the follow-up.
        let ids: Vec<String> = rows
            .iter()
            .filter_map(|row| id_in(&answer, row, key))
            .collect();
        let present = rows.iter().filter(|row| row.get(key).is_some()).count();
        assert_eq!(ids.len(), present, "{list}: `{key}` that is not an id");
        let Some(id) = ids.first() else {
            panic!("{list}: no row has `{key}`: {}", rows[0]);
        };
        let value = if argument.ends_with("_ids") {
            json!([id])
        } else {
            json!(id)
        };
        let mut follow_up = required(&find(next));
        follow_up[argument] = value;
        fake.call(next, follow_up).await;
        let sent = recorded(&fake.server).await.pop().unwrap();
        let carried = sent.path.contains(id.as_str()) || sent.query.iter().any(|(_, v)| v == id);
        assert!(
            carried,
            "{list} `{key}` -> {next} `{argument}`: {id} not in {sent:?}"
        );
    }
}

/// The API's rows as the tool gave them before summaries: nulls dropped, and user payloads
/// dropped where the tool leaves them out unless asked.
fn api_rows(tool: &str) -> Value {
    let strips_payloads = tools::all()
        .iter()
        .find(|t| t.name == tool)
        .and_then(|t| t.summary)
        .is_some_and(|s| s.payloads);
    let mut body = match tool {
        // Read from each run's details (the engine's DAG listing refuses API tokens),
        // shaped as that listing shapes them: the fake answers every run with one body.
        "list_dag_tasks" => {
            json!([{"dagId": fixture::ANY_ID, "children": Tenant::body("get_run")["tasks"]}])
        }
        tool => Tenant::body(tool),
    };
    output::prune_nulls(&mut body);
    if let (Some(rows), true) = (
        body.get_mut("rows").and_then(Value::as_array_mut),
        strips_payloads,
    ) {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            PAYLOAD_FIELDS.iter().for_each(|field| {
                row.remove(*field);
            });
        }
    }
    // A webhook's free-form `staticPayload` keeps its keys, never its values: only what
    // the spec names is shown (src/mcp/tools/webhooks.rs).
    if let (Some(rows), "list_webhooks") =
        (body.get_mut("rows").and_then(Value::as_array_mut), tool)
    {
        for payload in rows
            .iter_mut()
            .filter_map(|row| row.get_mut("staticPayload"))
            .filter_map(Value::as_object_mut)
        {
            payload.values_mut().for_each(|v| *v = json!("[hidden]"));
        }
    }
    match body {
        Value::Object(mut page) => page.remove("rows").unwrap_or_default(),
        groups => groups,
    }
}

/// An answer's rows: its `rows`; for a list of groups (`list_dag_tasks`' runs, each with its
/// tasks), the whole answer.
fn rows_of(answer: &Value) -> &Value {
    answer.get("rows").unwrap_or(answer)
}

/// How many rows a summary makes of a full answer: one per row, or per task of a group.
fn summary_row_count(full: &Value) -> Option<usize> {
    match full {
        Value::Array(_) => summary::dag_tasks(full.clone())["rows"]
            .as_array()
            .map(Vec::len),
        page => page["rows"].as_array().map(Vec::len),
    }
}

/// The largest share of the full answer a summary may be. Half, but for `search_logs`:
/// a log line is mostly its message and the task it is from, which stay; its summary drops
/// only the line's metadata, the attempt and the fractions of seconds.
fn most_of_full(tool: &str) -> (usize, usize) {
    match tool {
        "search_logs" => (3, 4),
        _ => (1, 2),
    }
}

#[tokio::test]
async fn detail_full_returns_the_apis_rows_and_every_list_tool_has_a_summary() {
    let fake = Fake::start().await;
    let mut with_summary = Vec::new();
    for tool in tools::all().into_iter().filter(|t| !t.is_mutating()) {
        let takes_detail = tool.input_schema["properties"].get("detail").is_some();
        let single_view = tools::answer_view(&tool.name).is_some();
        assert_eq!(
            takes_detail,
            tool.summary.is_some() || single_view,
            "{}: takes `detail` exactly when it has a summary or a compact view",
            tool.name
        );
        if !takes_detail || single_view {
            continue;
        }
        with_summary.push(tool.name.to_string());
        let mut arguments = required(&tool);
        let summary = fake.json(&tool.name, arguments.clone()).await;
        arguments["detail"] = json!("full");
        let full = fake.json(&tool.name, arguments).await;
        assert_eq!(rows_of(&full), &api_rows(&tool.name), "{}", tool.name);
        assert_eq!(
            summary["rows"].as_array().map(Vec::len),
            summary_row_count(&full),
            "{}: a summary row for every row",
            tool.name
        );
        let text = |v: &Value| v.to_string().len();
        let (most, of) = most_of_full(&tool.name);
        assert!(
            text(&summary) * of <= text(&full) * most,
            "{}: the summary ({} bytes) should be at most {most}/{of} of the full answer ({} bytes)",
            tool.name,
            text(&summary),
            text(&full)
        );
    }
    with_summary.sort_unstable();
    assert_eq!(with_summary.len(), 15, "{with_summary:?}");
}

#[tokio::test]
async fn get_run_is_compact_by_default_and_gives_the_rest_on_request() {
    let fake = Fake::start().await;
    let run = json!({"workflow_run_id": fixture::ANY_ID});
    let with = |extra: Value| {
        let mut arguments = run.clone();
        arguments
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        arguments
    };
    let api = Tenant::body("get_run");
    let compact = fake.json("get_run", run.clone()).await;
    let tasks = api["tasks"].as_array().unwrap().len();
    assert_eq!(compact["tasks"].as_array().unwrap().len(), tasks);
    assert_eq!(compact["run"]["status"], api["run"]["status"]);
    assert!(compact["run"].get("input").is_none() && compact.get("workflowConfig").is_none());
    assert_eq!(
        compact["taskEvents"].as_array().unwrap().len(),
        api["taskEvents"].as_array().unwrap().len()
    );
    assert!(compact["dag"].is_object(), "{compact}");

    let payloads = fake
        .json("get_run", with(json!({"include_payloads": true})))
        .await;
    assert_eq!(payloads["run"]["input"], api["run"]["input"]);
    assert_eq!(payloads["tasks"][0]["input"], api["tasks"][0]["input"]);

    // `detail: "full"` is the API's answer itself, payloads included (its link added),
    // with or without include_payloads.
    let mut expected = api.clone();
    output::prune_nulls(&mut expected);
    let mut full = Value::Null;
    for extra in [
        json!({"detail": "full"}),
        json!({"detail": "full", "include_payloads": true}),
    ] {
        full = fake.json("get_run", with(extra)).await;
        full.as_object_mut().unwrap().remove("dashboard_url");
        assert_eq!(full, expected);
    }

    let bytes = |value: &Value| value.to_string().len();
    println!(
        "get_run: {} bytes compact, {} whole",
        bytes(&compact),
        bytes(&full)
    );
    assert!(
        bytes(&compact) * 2 <= bytes(&full),
        "compact is at most half"
    );
}
