//! The failure report of a run: for each failed or cancelled task its error, attempts, one
//! word for how it ended, its failure events and its last log lines; then the calls that go
//! further. Bounded to [`MAX_REPORT_BYTES`] however many tasks failed: the first
//! [`DETAILED_TASKS`] in detail, the rest counted with their errors grouped.

use std::collections::HashMap;

use serde_json::{Value, json};
use uuid::Uuid;

use super::{count_by, each, instant, rows, tally, text, uuid_at};
use crate::mcp::tools::Call;
use crate::{
    hatchet::{
        Client, SortDirection,
        tasks::{LogLevel, TaskLogs},
    },
    mcp::{dashboard, output, registry::ToolError},
    text::cut,
};

/// The most a report takes, as compact JSON.
pub const MAX_REPORT_BYTES: usize = 8_000;

/// Tasks reported in detail.
const DETAILED_TASKS: usize = 10;

/// Log lines read per task: the newest.
const LOG_LINES: u32 = 20;

/// Events that tell how an attempt went wrong or ended.
const FAILURE_EVENTS: [&str; 9] = [
    "FAILED",
    "RETRYING",
    "CANCELLED",
    "TIMED_OUT",
    "SCHEDULING_TIMED_OUT",
    "REASSIGNED",
    "RATE_LIMIT_ERROR",
    "COULD_NOT_SEND_TO_WORKER",
    "DURABLE_EVICTED",
];

/// The failure report of run `run_id` (one read of the run, then the logs of its first
/// failed tasks): what `describe_run_failure` answers, for any tool that meets a failed run.
/// The report is shaped off the runtime thread, within the call's deadline.
pub(crate) async fn failure_summary(call: &Call, run_id: Uuid) -> Result<Value, ToolError> {
    let client = &call.client;
    let details = client.get_run(run_id).await?;
    let ids = failed_tasks(&details)
        .iter()
        .take(DETAILED_TASKS)
        .map(|task| task_id(task))
        .collect();
    let logs = each(ids, |id| last_logs(client.clone(), id)).await;
    let link = dashboard::link(client, dashboard::Page::Run(run_id));
    call.compute("shaping the failure report", move || {
        fit(&Facts {
            run_id,
            details: &details,
            failed: &failed_tasks(&details),
            logs: &logs,
            link,
        })
    })
    .await
}

/// What a report is built from.
struct Facts<'a> {
    run_id: Uuid,
    details: &'a Value,
    failed: &'a [&'a Value],
    /// The newest log lines of the first failed tasks, in their order.
    logs: &'a [Logs],
    link: String,
}

/// A task's newest log lines, oldest first.
#[derive(Debug, Default)]
struct Logs {
    lines: Vec<Value>,
    /// Whether they are WARN and above (else: any level, as the task had none of those).
    warn_and_above: bool,
    /// Why they could not be read: the report goes on without them.
    error: Option<String>,
}

async fn last_logs(client: Client, task: Option<Uuid>) -> Logs {
    let Some(task) = task else {
        return Logs::default();
    };
    let mut query = TaskLogs {
        limit: LOG_LINES,
        levels: vec![LogLevel::Warn, LogLevel::Error],
        order: Some(SortDirection::Desc),
        ..TaskLogs::default()
    };
    let newest = |answer: &Value| rows(answer).iter().rev().cloned().collect::<Vec<_>>();
    let read = async {
        let warnings = client.get_task_logs(task, &query).await?;
        if !rows(&warnings).is_empty() {
            return Ok((newest(&warnings), true));
        }
        query.levels.clear();
        Ok::<_, crate::hatchet::ApiError>((
            newest(&client.get_task_logs(task, &query).await?),
            false,
        ))
    };
    match read.await {
        Ok((lines, warn_and_above)) => Logs {
            lines,
            warn_and_above,
            error: None,
        },
        Err(error) => Logs {
            error: Some(error.to_string()),
            ..Logs::default()
        },
    }
}

/// The run's tasks that failed or were cancelled, in the API's order.
fn failed_tasks(details: &Value) -> Vec<&Value> {
    let tasks = details.get("tasks").and_then(Value::as_array);
    tasks
        .into_iter()
        .flatten()
        .filter(|task| matches!(text(task, "/status"), Some("FAILED" | "CANCELLED")))
        .collect()
}

fn task_id(task: &Value) -> Option<Uuid> {
    uuid_at(task, "/taskExternalId").or_else(|| uuid_at(task, "/metadata/id"))
}

/// How much of each text a report keeps, loosest first.
struct Cuts {
    error: usize,
    events: usize,
    event_chars: usize,
    /// How many of the detailed tasks show log lines (the first ones).
    logged: usize,
    lines: usize,
    line_chars: usize,
    /// Distinct errors shown for the tasks beyond the detailed ones.
    grouped: usize,
}

#[rustfmt::skip]
const CUTS: [Cuts; 9] = [
    Cuts { error: 1000, events: 5, event_chars: 300, logged: 10, lines: 20, line_chars: 300, grouped: 5 },
    Cuts { error: 500, events: 3, event_chars: 200, logged: 10, lines: 20, line_chars: 160, grouped: 3 },
    Cuts { error: 300, events: 3, event_chars: 120, logged: 10, lines: 10, line_chars: 120, grouped: 3 },
    Cuts { error: 200, events: 2, event_chars: 100, logged: 10, lines: 5, line_chars: 100, grouped: 3 },
    Cuts { error: 200, events: 2, event_chars: 100, logged: 3, lines: 5, line_chars: 100, grouped: 3 },
    Cuts { error: 160, events: 1, event_chars: 100, logged: 3, lines: 3, line_chars: 100, grouped: 3 },
    Cuts { error: 160, events: 1, event_chars: 100, logged: 1, lines: 3, line_chars: 100, grouped: 2 },
    Cuts { error: 120, events: 1, event_chars: 80, logged: 0, lines: 0, line_chars: 0, grouped: 1 },
    Cuts { error: 80, events: 0, event_chars: 0, logged: 0, lines: 0, line_chars: 0, grouped: 1 },
];

/// What every try at a report shares, worked out once: each failed task's events, in the
/// order they happened, and one word for how it ended. One pass over the events, however
/// many tasks failed.
struct Prepared<'a> {
    events: Vec<Vec<&'a Value>>,
    classes: Vec<&'static str>,
}

impl<'a> Prepared<'a> {
    fn of(facts: &Facts<'a>) -> Self {
        let mut by_task: HashMap<Uuid, Vec<&'a Value>> = HashMap::new();
        for event in task_events(facts.details) {
            if let Some(task) = uuid_at(event, "/taskId") {
                by_task.entry(task).or_default().push(event);
            }
        }
        let events: Vec<Vec<&'a Value>> = facts
            .failed
            .iter()
            .map(|task| {
                task_id(task)
                    .and_then(|id| by_task.get(&id).cloned())
                    .unwrap_or_default()
            })
            .collect();
        let classes = facts
            .failed
            .iter()
            .zip(&events)
            .map(|(task, events)| classify(task, events))
            .collect();
        Self { events, classes }
    }
}

/// The loosest report that fits [`MAX_REPORT_BYTES`] (or the tightest).
fn fit(facts: &Facts) -> Value {
    let prepared = Prepared::of(facts);
    let mut report = Value::Null;
    for cuts in &CUTS {
        report = build(facts, &prepared, cuts);
        if report.to_string().len() <= MAX_REPORT_BYTES {
            break;
        }
    }
    report
}

fn build(facts: &Facts, prepared: &Prepared, cuts: &Cuts) -> Value {
    let run = &facts.details["run"];
    let mut report = json!({
        "workflow_run_id": facts.run_id.to_string(),
        "displayName": run.get("displayName"),
        "status": run.get("status"),
        "createdAt": run.get("createdAt"),
        "startedAt": run.get("startedAt"),
        "finishedAt": run.get("finishedAt"),
        "duration": run.get("duration"),
    });
    let all_tasks: Vec<&Value> = facts
        .details
        .get("tasks")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    let classes = &prepared.classes;
    let map = report.as_object_mut().expect("a report is an object");
    map.insert("tasks".into(), count_by(&all_tasks, "/status"));
    if facts.failed.is_empty() {
        let error = text(run, "/errorMessage").map(|e| cut(e, cuts.error));
        map.insert("errorMessage".into(), json!(error));
        map.insert(
            "note".into(),
            json!("No task of this run failed or was cancelled."),
        );
    } else {
        map.insert("classes".into(), tally(classes.iter().copied()));
    }
    let detailed: Vec<Value> = facts
        .failed
        .iter()
        .zip(classes)
        .zip(&prepared.events)
        .zip(facts.logs)
        .enumerate()
        .map(|(index, (((task, class), events), logs))| {
            let lines = if index < cuts.logged { cuts.lines } else { 0 };
            task_report(task, class, events, logs, lines, cuts)
        })
        .collect();
    map.insert("failed_tasks".into(), Value::Array(detailed));
    if let Some(rest) = facts
        .failed
        .get(DETAILED_TASKS..)
        .filter(|rest| !rest.is_empty())
    {
        map.insert("more_failed_tasks".into(), grouped(rest, cuts));
    }
    map.insert(dashboard::FIELD.into(), json!(facts.link));
    map.insert(
        "next".into(),
        json!(next_calls(
            facts.run_id,
            facts.failed.first().and_then(|t| task_id(t))
        )),
    );
    output::prune_nulls(&mut report);
    report
}

/// One task in detail, with its last `lines` log lines.
fn task_report(
    task: &Value,
    class: &str,
    events: &[&Value],
    logs: &Logs,
    lines: usize,
    cuts: &Cuts,
) -> Value {
    let error = text(task, "/errorMessage");
    let event_lines: Vec<String> = events
        .iter()
        .filter(|e| text(e, "/eventType").is_some_and(|t| FAILURE_EVENTS.contains(&t)))
        .map(|e| event_line(e, error, cuts.event_chars))
        .collect();
    let event_lines = &event_lines[event_lines.len().saturating_sub(cuts.events)..];
    let log_lines: Vec<String> = logs.lines[logs.lines.len().saturating_sub(lines)..]
        .iter()
        .map(|line| log_line(line, cuts.line_chars))
        .collect();
    let mut report = json!({
        "task_run_id": task_id(task).map(|id| id.to_string()),
        "displayName": task.get("displayName"),
        "status": task.get("status"),
        "class": class,
        "attempt": task.get("attempt"),
        "retryCount": task.get("retryCount"),
        "errorMessage": error.map(|e| cut(e, cuts.error)),
    });
    let map = report.as_object_mut().expect("an object");
    if !event_lines.is_empty() {
        map.insert("events".into(), json!(event_lines));
    }
    if !log_lines.is_empty() {
        let levels = if logs.warn_and_above {
            "WARN,ERROR"
        } else {
            "all"
        };
        map.insert("log_levels".into(), json!(levels));
        map.insert("logs".into(), json!(log_lines));
    }
    if let Some(error) = logs.error.as_ref().filter(|_| lines > 0) {
        map.insert("logs_error".into(), json!(cut(error, cuts.error.min(200))));
    }
    report
}

/// `2026-05-19T09:00:00Z FAILED: message`; the error repeats the task's, so it is shown
/// only when the event has no message of its own and says something else.
fn event_line(event: &Value, task_error: Option<&str>, chars: usize) -> String {
    let kind = text(event, "/eventType").unwrap_or("?");
    let at = text(event, "/timestamp").unwrap_or("");
    let message = text(event, "/message")
        .or_else(|| text(event, "/errorMessage").filter(|e| Some(*e) != task_error));
    match message {
        Some(message) => format!("{at} {kind}: {}", cut(message, chars)),
        None => format!("{at} {kind}"),
    }
}

/// `2026-05-19T09:00:00Z ERROR message`
fn log_line(line: &Value, chars: usize) -> String {
    let at = text(line, "/createdAt").unwrap_or("");
    let level = text(line, "/level").unwrap_or("-");
    let message = text(line, "/message").unwrap_or("");
    format!("{at} {level} {}", cut(message, chars))
}

/// The tasks beyond the detailed ones: how many, and their errors grouped by message.
fn grouped(tasks: &[&Value], cuts: &Cuts) -> Value {
    // In order of first appearance, then by count.
    let mut errors: Vec<(&str, usize)> = Vec::new();
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for task in tasks {
        let error = text(task, "/errorMessage").unwrap_or("(no error message)");
        match seen.get(error) {
            Some(at) => errors[*at].1 += 1,
            None => {
                seen.insert(error, errors.len());
                errors.push((error, 1));
            }
        }
    }
    errors.sort_by_key(|e| std::cmp::Reverse(e.1));
    let shown: Vec<Value> = errors
        .iter()
        .take(cuts.grouped)
        .map(|(message, count)| json!({"errorMessage": cut(message, cuts.error), "tasks": count}))
        .collect();
    json!({"count": tasks.len(), "distinct_errors": errors.len(), "errors": shown})
}

/// The run's task events, in the order they happened.
fn task_events(details: &Value) -> Vec<&Value> {
    let mut events: Vec<&Value> = details
        .get("taskEvents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .collect();
    events.sort_by_key(|e| {
        (
            instant(e, "/timestamp"),
            e.get("id").and_then(Value::as_i64),
        )
    });
    events
}

/// One word for how a task ended, from its events (in order) in its last attempt:
/// `timeout` if the attempt timed out; else by the last decisive event: `worker_lost` (the
/// worker stopped sending heartbeats, or the task ran out of reassignments), `cancelled`,
/// `error`; with no such event, `cancelled` for a cancelled task, else `unknown`.
fn classify(task: &Value, events: &[&Value]) -> &'static str {
    let attempt = |e: &Value| e.get("retryCount").and_then(Value::as_i64);
    let last_attempt = events.iter().filter_map(|e| attempt(e)).max();
    let last: Vec<&Value> = events
        .iter()
        .copied()
        .filter(|e| last_attempt.is_none() || attempt(e).is_none() || attempt(e) == last_attempt)
        .collect();
    let kind = |e: &Value| text(e, "/eventType").unwrap_or_default().to_owned();
    if last
        .iter()
        .any(|e| matches!(kind(e).as_str(), "TIMED_OUT" | "SCHEDULING_TIMED_OUT"))
    {
        return "timeout";
    }
    let decisive = last.iter().rev().find(|e| {
        matches!(
            kind(e).as_str(),
            "FAILED" | "CANCELLED" | "REASSIGNED" | "RATE_LIMIT_ERROR"
        )
    });
    let mentions_reassignment = |e: &Value| {
        ["/message", "/errorMessage"]
            .iter()
            .filter_map(|p| text(e, p))
            .any(|m| m.to_ascii_lowercase().contains("reassignment"))
    };
    match decisive {
        Some(e) if kind(e) == "REASSIGNED" || mentions_reassignment(e) => "worker_lost",
        Some(e) if kind(e) == "CANCELLED" => "cancelled",
        Some(_) => "error",
        None if text(task, "/status") == Some("CANCELLED") => "cancelled",
        None => "unknown",
    }
}

/// The calls that go further, ready to make.
fn next_calls(run_id: Uuid, task: Option<Uuid>) -> Vec<String> {
    let mut next = Vec::new();
    if let Some(task) = task {
        next.push(format!("get_task_logs task_run_id={task}"));
        next.push(format!("list_task_events task_run_id={task}"));
    }
    next.push(format!("get_run_timings workflow_run_id={run_id}"));
    next.push(format!("compare_runs workflow_run_id={run_id}"));
    next
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    fn task(n: usize, status: &str, error: &str) -> Value {
        json!({
            "metadata": {"id": format!("00000000-0000-0000-0000-{n:012}")},
            "taskExternalId": format!("00000000-0000-0000-0000-{n:012}"),
            "displayName": format!("step-{n}"),
            "status": status,
            "attempt": 3,
            "retryCount": 2,
            "errorMessage": error,
        })
    }

    fn event(task: usize, id: i64, kind: &str, retry: i64, message: &str) -> Value {
        json!({
            "id": id,
            "taskId": format!("00000000-0000-0000-0000-{task:012}"),
            "timestamp": format!("2026-05-19T09:00:{:02}Z", id % 60),
            "eventType": kind,
            "message": message,
            "retryCount": retry,
        })
    }

    #[test]
    fn a_task_is_classified_by_its_last_attempt() {
        let e = |id, kind, retry, message| event(1, id, kind, retry, message);
        let cases = [
            (
                "FAILED",
                vec![e(1, "STARTED", 0, ""), e(2, "FAILED", 0, "")],
                "error",
            ),
            // A timeout wins within the last attempt, whatever order the events came in.
            (
                "FAILED",
                vec![e(2, "TIMED_OUT", 2, ""), e(1, "FAILED", 2, "")],
                "timeout",
            ),
            // An earlier attempt's timeout does not decide how the last one ended.
            (
                "FAILED",
                vec![e(1, "TIMED_OUT", 0, ""), e(2, "FAILED", 1, "")],
                "error",
            ),
            (
                "FAILED",
                vec![e(
                    1,
                    "REASSIGNED",
                    0,
                    "Worker did not send a heartbeat for 30 seconds",
                )],
                "worker_lost",
            ),
            (
                "FAILED",
                vec![e(
                    1,
                    "FAILED",
                    0,
                    "Task reached its maximum reassignment count",
                )],
                "worker_lost",
            ),
            // Reassigned, then failed on its new worker: an error.
            (
                "FAILED",
                vec![e(1, "REASSIGNED", 0, ""), e(2, "FAILED", 0, "")],
                "error",
            ),
            ("CANCELLED", vec![e(1, "CANCELLED", 0, "")], "cancelled"),
            ("CANCELLED", vec![], "cancelled"),
            ("FAILED", vec![e(1, "QUEUED", 0, "")], "unknown"),
        ];
        for (status, events, expected) in cases {
            let refs: Vec<&Value> = events.iter().collect();
            assert_eq!(
                classify(&task(1, status, "boom"), &refs),
                expected,
                "{events:?}"
            );
        }
    }

    fn details(failed: usize) -> Value {
        let mut tasks: Vec<Value> = (0..failed)
            .map(|n| {
                task(
                    n,
                    "FAILED",
                    &format!("ValueError: bad input {} {}", n % 3, "x".repeat(400)),
                )
            })
            .collect();
        tasks.push(task(999, "COMPLETED", ""));
        let events: Vec<Value> = (0..failed)
            .flat_map(|n| {
                [
                    event(n, 2 * n as i64, "STARTED", 2, ""),
                    event(n, 2 * n as i64 + 1, "FAILED", 2, ""),
                ]
            })
            .collect();
        json!({
            "run": {"displayName": "etl-1", "status": "FAILED", "createdAt": "2026-05-19T09:00:00Z", "duration": 1234},
            "tasks": tasks,
            "taskEvents": events,
        })
    }

    fn logs() -> Logs {
        let lines = (0..20)
            .map(|i| json!({"createdAt": "2026-05-19T09:00:00Z", "level": "ERROR", "message": format!("line {i} {}", "y".repeat(300))}))
            .collect();
        Logs {
            lines,
            warn_and_above: true,
            error: None,
        }
    }

    fn report(failed: usize) -> Value {
        let details = details(failed);
        let failed_tasks = failed_tasks(&details);
        let all_logs: Vec<Logs> = (0..failed.min(DETAILED_TASKS)).map(|_| logs()).collect();
        fit(&Facts {
            run_id: RUN.parse().unwrap(),
            details: &details,
            failed: &failed_tasks,
            logs: &all_logs,
            link: format!("https://h.example/tenants/t/runs/{RUN}"),
        })
    }

    #[test]
    fn fifty_failed_tasks_fit_the_bound_ten_in_detail() {
        let report = report(50);
        let text = report.to_string();
        assert!(text.len() <= MAX_REPORT_BYTES, "{} bytes", text.len());
        assert_eq!(
            report["failed_tasks"].as_array().unwrap().len(),
            DETAILED_TASKS
        );
        assert_eq!(report["more_failed_tasks"]["count"], 40);
        assert_eq!(report["more_failed_tasks"]["distinct_errors"], 3);
        assert_eq!(report["classes"], json!({"error": 50}));
        assert_eq!(report["tasks"], json!({"FAILED": 50, "COMPLETED": 1}));
        assert_eq!(report["failed_tasks"][0]["class"], "error");
        println!("50 failed tasks: {} bytes", text.len());
    }

    #[test]
    fn five_thousand_failed_tasks_are_classified_in_one_pass_over_their_events() {
        // 5,000 tasks and 10,000 events: a scan of every event per task and per try at the
        // report was half a billion steps; grouping them once is linear.
        let report = report(5_000);
        assert!(report.to_string().len() <= MAX_REPORT_BYTES);
        assert_eq!(report["classes"], json!({"error": 5_000}));
        assert_eq!(report["more_failed_tasks"]["count"], 5_000 - DETAILED_TASKS);
        assert_eq!(
            report["failed_tasks"][9]["events"],
            json!(["2026-05-19T09:00:19Z FAILED"])
        );
    }

    #[test]
    fn one_failed_task_keeps_its_twenty_log_lines() {
        let report = report(1);
        assert!(report.to_string().len() <= MAX_REPORT_BYTES);
        let task = &report["failed_tasks"][0];
        assert_eq!(task["logs"].as_array().unwrap().len(), 20, "{task}");
        assert_eq!(task["log_levels"], "WARN,ERROR");
        assert_eq!(task["events"], json!(["2026-05-19T09:00:01Z FAILED"]));
        assert!(report.get("more_failed_tasks").is_none());
        assert_eq!(
            report["next"][0],
            "get_task_logs task_run_id=00000000-0000-0000-0000-000000000000"
        );
    }

    #[test]
    fn a_run_without_failures_says_so() {
        let report = report(0);
        assert_eq!(
            report["note"],
            "No task of this run failed or was cancelled."
        );
        assert_eq!(report["failed_tasks"], json!([]));
        assert_eq!(report["next"].as_array().unwrap().len(), 2);
    }
}
