//! What changed between two runs of a workflow: their input and additional metadata as a
//! JSON diff (values cut short), their workflow versions, and each task side by side with
//! its status, duration, attempt and worker.

use jiff::SignedDuration;
use serde_json::{Value, json};

use super::{instant, shown, text, uuid_at};
use crate::{
    hatchet::Client,
    mcp::{dashboard, output},
};

/// Differences listed per compared value; the count of the rest is given.
const MAX_DIFFERENCES: usize = 20;

/// Characters of a differing value shown.
const VALUE_CHARS: usize = 80;

pub fn compare(run: &Value, baseline: &Value, client: &Client) -> Value {
    let line = |details: &Value| {
        let mut line = run_line(details);
        if let Some(id) = uuid_at(details, "/run/metadata/id") {
            line[dashboard::FIELD] = dashboard::link(client, dashboard::Page::Run(id)).into();
        }
        line
    };
    let version = |details: &Value| details.pointer("/run/workflowVersionId").cloned();
    let mut answer = json!({
        "run": line(run),
        "baseline": line(baseline),
        "same_workflow_version": version(run) == version(baseline),
    });
    for field in ["input", "additionalMetadata"] {
        let pointer = format!("/run/{field}");
        let (ours, theirs) = (run.pointer(&pointer), baseline.pointer(&pointer));
        if ours.is_none() && theirs.is_none() {
            continue; // not shown to this token (payloadsRestricted), or none at all
        }
        let empty = json!({});
        let mut found = Vec::new();
        diff(
            "",
            ours.unwrap_or(&empty),
            theirs.unwrap_or(&empty),
            &mut found,
        );
        answer[field] = json!(found.iter().take(MAX_DIFFERENCES).collect::<Vec<_>>());
        if found.len() > MAX_DIFFERENCES {
            answer[format!("{field}_differences_left_out")] = json!(found.len() - MAX_DIFFERENCES);
        }
    }
    answer["tasks"] = json!(side_by_side(run, baseline));
    output::prune_nulls(&mut answer);
    answer
}

/// When no baseline was given and none was found.
pub fn without_baseline(run: &Value, run_id: uuid::Uuid, lookback: SignedDuration) -> Value {
    let mut answer = unpaired(run, run_id);
    answer["note"] = json!(format!(
        "No COMPLETED run of this workflow was found from {}h before this run on: give `baseline_run_id` to compare with another run.",
        lookback.as_hours()
    ));
    answer
}

/// The run alone, when there is no baseline to compare it with, and how to find one.
pub fn unpaired(run: &Value, run_id: uuid::Uuid) -> Value {
    let mut answer = json!({
        "run": run_line(run),
        "next": format!("list_runs workflow_ids=[{}] statuses=[COMPLETED] since=30d", text(run, "/run/workflowId").unwrap_or("?")),
    });
    answer["run"]["workflow_run_id"] = json!(run_id.to_string());
    output::prune_nulls(&mut answer);
    answer
}

fn run_line(details: &Value) -> Value {
    let run = &details["run"];
    json!({
        "workflow_run_id": run.pointer("/metadata/id"),
        "status": run.get("status"),
        "createdAt": run.get("createdAt"),
        "duration": run.get("duration"),
        "workflowVersionId": run.get("workflowVersionId"),
    })
}

/// Differences between `ours` and `theirs`, by JSON pointer: `{path, run, baseline}`, a side
/// left out where the value is absent from that run.
fn diff(path: &str, ours: &Value, theirs: &Value, found: &mut Vec<Value>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                let here = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                match b.get(key) {
                    Some(other) => diff(&here, value, other, found),
                    None => found.push(json!({"path": here, "run": shown(value, VALUE_CHARS)})),
                }
            }
            for (key, value) in b.iter().filter(|(key, _)| !a.contains_key(*key)) {
                let here = format!("{path}/{}", key.replace('~', "~0").replace('/', "~1"));
                found.push(json!({"path": here, "baseline": shown(value, VALUE_CHARS)}));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for index in 0..a.len().max(b.len()) {
                let here = format!("{path}/{index}");
                match (a.get(index), b.get(index)) {
                    (Some(x), Some(y)) => diff(&here, x, y, found),
                    (Some(x), None) => {
                        found.push(json!({"path": here, "run": shown(x, VALUE_CHARS)}))
                    }
                    (None, Some(y)) => {
                        found.push(json!({"path": here, "baseline": shown(y, VALUE_CHARS)}))
                    }
                    (None, None) => {}
                }
            }
        }
        (a, b) if a != b => found.push(json!({
            "path": if path.is_empty() { "/" } else { path },
            "run": shown(a, VALUE_CHARS),
            "baseline": shown(b, VALUE_CHARS),
        })),
        _ => {}
    }
}

/// Each task of either run, matched by step (else by name), with its status, duration,
/// attempt and the worker that last ran it.
fn side_by_side(run: &Value, baseline: &Value) -> Vec<Value> {
    let tasks = |details: &'_ Value| -> Vec<(String, Value, Value)> {
        let listed = details.get("tasks").and_then(Value::as_array);
        listed
            .into_iter()
            .flatten()
            .map(|task| {
                (
                    task_key(task),
                    task.get("displayName").cloned().unwrap_or_default(),
                    task_line(details, task),
                )
            })
            .collect()
    };
    let (ours, theirs) = (tasks(run), tasks(baseline));
    let mut lines = Vec::new();
    for (key, name, line) in &ours {
        let other = theirs.iter().find(|(k, _, _)| k == key).map(|(_, _, l)| l);
        lines.push(json!({"task": name, "run": line, "baseline": other}));
    }
    for (_, name, line) in theirs
        .iter()
        .filter(|(k, _, _)| !ours.iter().any(|(o, _, _)| o == k))
    {
        lines.push(json!({"task": name, "baseline": line}));
    }
    lines
}

/// Tasks of two runs of a workflow are the same step; a task without one, by its name.
fn task_key(task: &Value) -> String {
    text(task, "/stepId")
        .or_else(|| text(task, "/displayName"))
        .unwrap_or_default()
        .to_owned()
}

fn task_line(details: &Value, task: &Value) -> Value {
    let id = text(task, "/taskExternalId").or_else(|| text(task, "/metadata/id"));
    // The newest event that names a worker.
    let worker = details
        .get("taskEvents")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter(|e| id.is_some() && text(e, "/taskId") == id && text(e, "/workerId").is_some())
        .max_by_key(|e| {
            (
                instant(e, "/timestamp"),
                e.get("id").and_then(Value::as_i64),
            )
        })
        .and_then(|e| text(e, "/workerId"));
    json!({
        "status": task.get("status"),
        "duration": task.get("duration"),
        "attempt": task.get("attempt"),
        "workerId": worker,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn differences(a: Value, b: Value) -> Vec<Value> {
        let mut found = Vec::new();
        diff("", &a, &b, &mut found);
        found
    }

    #[test]
    fn a_json_diff_names_each_changed_added_and_removed_value() {
        let found = differences(
            json!({"a": 1, "same": "x", "nested": {"k/v": [1, 2, 3]}, "gone": true, "long": "z".repeat(200)}),
            json!({"a": 2, "same": "x", "nested": {"k/v": [1, 5]}, "new": null, "long": "y"}),
        );
        assert_eq!(found[0], json!({"path": "/a", "run": 1, "baseline": 2}));
        assert_eq!(
            found[1],
            json!({"path": "/nested/k~1v/1", "run": 2, "baseline": 5})
        );
        assert_eq!(found[2], json!({"path": "/nested/k~1v/2", "run": 3}));
        assert_eq!(found[3], json!({"path": "/gone", "run": true}));
        assert_eq!(found[4]["path"], "/long");
        assert_eq!(
            found[4]["run"].as_str().unwrap().chars().count(),
            VALUE_CHARS + 1
        );
        assert_eq!(found[5], json!({"path": "/new", "baseline": null}));
        assert_eq!(found.len(), 6);
        assert!(differences(json!({"x": [1]}), json!({"x": [1]})).is_empty());
        assert_eq!(
            differences(json!(1), json!("1")),
            vec![json!({"path": "/", "run": 1, "baseline": "1"})]
        );
    }

    #[test]
    fn tasks_are_matched_by_step_with_their_workers() {
        let run = json!({
            "tasks": [
                {"stepId": "s1", "taskExternalId": "t1", "displayName": "extract", "status": "COMPLETED", "duration": 10, "attempt": 1},
                {"stepId": "s2", "taskExternalId": "t2", "displayName": "load", "status": "FAILED", "duration": 99, "attempt": 3},
            ],
            "taskEvents": [{"taskId": "t2", "workerId": "w-old"}, {"taskId": "t2", "workerId": "w-new"}],
        });
        let baseline = json!({
            "tasks": [
                {"stepId": "s2", "taskExternalId": "b2", "displayName": "load", "status": "COMPLETED", "duration": 20, "attempt": 1},
                {"stepId": "s3", "taskExternalId": "b3", "displayName": "notify", "status": "COMPLETED", "duration": 1, "attempt": 1},
            ],
            "taskEvents": [],
        });
        let lines = side_by_side(&run, &baseline);
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["baseline"], Value::Null);
        assert_eq!(lines[1]["task"], "load");
        assert_eq!(lines[1]["run"]["workerId"], "w-new");
        assert_eq!(lines[1]["baseline"]["status"], "COMPLETED");
        assert_eq!(
            lines[2],
            json!({"task": "notify", "baseline": {"status": "COMPLETED", "duration": 1, "attempt": 1, "workerId": null}})
        );
    }
}
