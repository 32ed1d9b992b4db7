//! What changed between two runs of a workflow: their input and additional metadata as a
//! JSON diff (values cut short), their workflow versions, and each task side by side with
//! its status, duration, attempt and worker.

use std::collections::HashMap;

use jiff::{SignedDuration, Timestamp};
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
        let mut found = Differences::default();
        diff(
            "",
            ours.unwrap_or(&empty),
            theirs.unwrap_or(&empty),
            &mut found,
        );
        if found.total > found.shown.len() {
            answer[format!("{field}_differences_left_out")] =
                json!(found.total - found.shown.len());
        }
        answer[field] = Value::Array(found.shown);
    }
    let (tasks, total) = side_by_side(run, baseline);
    if total > tasks.len() {
        answer["tasks_left_out"] = json!(total - tasks.len());
    }
    answer["tasks"] = json!(tasks);
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

/// The differences of one compared value: the first [`MAX_DIFFERENCES`] in full, the rest
/// only counted (two large inputs can differ in every one of their values).
#[derive(Default)]
struct Differences {
    shown: Vec<Value>,
    total: usize,
}

impl Differences {
    /// Notes one difference at `path`; builds its entry (`{path, run, baseline}`, a side
    /// left out where the value is absent) only while it will be shown.
    fn note(&mut self, path: &str, ours: Option<&Value>, theirs: Option<&Value>) {
        self.total += 1;
        if self.shown.len() >= MAX_DIFFERENCES {
            return;
        }
        let mut entry = json!({"path": if path.is_empty() { "/" } else { path }});
        if let Some(ours) = ours {
            entry["run"] = shown(ours, VALUE_CHARS);
        }
        if let Some(theirs) = theirs {
            entry["baseline"] = shown(theirs, VALUE_CHARS);
        }
        self.shown.push(entry);
    }
}

/// Differences between `ours` and `theirs`, by JSON pointer. A path is only spelled out
/// for a difference that will be shown.
fn diff(path: &str, ours: &Value, theirs: &Value, found: &mut Differences) {
    let here = |step: &dyn std::fmt::Display, found: &Differences| {
        if found.shown.len() < MAX_DIFFERENCES {
            let step = step.to_string().replace('~', "~0").replace('/', "~1");
            format!("{path}/{step}")
        } else {
            String::new()
        }
    };
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, value) in a {
                match b.get(key) {
                    Some(other) => diff(&here(key, found), value, other, found),
                    None => found.note(&here(key, found), Some(value), None),
                }
            }
            for (key, value) in b.iter().filter(|(key, _)| !a.contains_key(*key)) {
                found.note(&here(key, found), None, Some(value));
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            for index in 0..a.len().max(b.len()) {
                match (a.get(index), b.get(index)) {
                    (Some(x), Some(y)) => diff(&here(&index, found), x, y, found),
                    (x, y) => found.note(&here(&index, found), x, y),
                }
            }
        }
        (a, b) if a != b => found.note(path, Some(a), Some(b)),
        _ => {}
    }
}

/// Each task of either run, matched by step (else by name), with its status, duration,
/// attempt and the worker that last ran it; at most [`MAX_TASK_LINES`], and how many more
/// there were. Linear in the tasks and events of both runs.
fn side_by_side(run: &Value, baseline: &Value) -> (Vec<Value>, usize) {
    let tasks = |details: &'_ Value| -> Vec<(String, Value, Value)> {
        let workers = last_workers(details);
        let listed = details.get("tasks").and_then(Value::as_array);
        listed
            .into_iter()
            .flatten()
            .map(|task| {
                (
                    task_key(task),
                    task.get("displayName").cloned().unwrap_or_default(),
                    task_line(task, &workers),
                )
            })
            .collect()
    };
    let (ours, theirs) = (tasks(run), tasks(baseline));
    let index = |tasks: &[(String, Value, Value)]| -> HashMap<String, usize> {
        let mut index = HashMap::new();
        for (at, (key, _, _)) in tasks.iter().enumerate() {
            index.entry(key.clone()).or_insert(at);
        }
        index
    };
    let (ours_by_key, theirs_by_key) = (index(&ours), index(&theirs));
    let mut lines = Vec::new();
    let mut total = 0;
    let mut add = |line: Value| {
        total += 1;
        if lines.len() < MAX_TASK_LINES {
            lines.push(line);
        }
    };
    for (key, name, line) in &ours {
        let other = theirs_by_key.get(key).map(|at| &theirs[*at].2);
        add(json!({"task": name, "run": line, "baseline": other}));
    }
    for (key, name, line) in &theirs {
        if !ours_by_key.contains_key(key) {
            add(json!({"task": name, "baseline": line}));
        }
    }
    (lines, total)
}

/// Tasks shown side by side; the rest are counted.
const MAX_TASK_LINES: usize = 50;

/// Tasks of two runs of a workflow are the same step; a task without one, by its name.
fn task_key(task: &Value) -> String {
    text(task, "/stepId")
        .or_else(|| text(task, "/displayName"))
        .unwrap_or_default()
        .to_owned()
}

/// Per task id, the worker named by its newest event that names one: one pass over the
/// run's events.
fn last_workers(details: &Value) -> HashMap<&str, &str> {
    type Newest<'a> = ((Option<Timestamp>, Option<i64>), &'a str);
    let mut newest: HashMap<&str, Newest> = HashMap::new();
    let events = details.get("taskEvents").and_then(Value::as_array);
    for event in events.into_iter().flatten() {
        let (Some(task), Some(worker)) = (text(event, "/taskId"), text(event, "/workerId")) else {
            continue;
        };
        let when = (
            instant(event, "/timestamp"),
            event.get("id").and_then(Value::as_i64),
        );
        match newest.get(task) {
            Some((seen, _)) if *seen > when => {}
            _ => {
                newest.insert(task, (when, worker));
            }
        }
    }
    newest
        .into_iter()
        .map(|(task, (_, worker))| (task, worker))
        .collect()
}

fn task_line(task: &Value, workers: &HashMap<&str, &str>) -> Value {
    let id = text(task, "/taskExternalId").or_else(|| text(task, "/metadata/id"));
    let worker = id.and_then(|id| workers.get(id));
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
        let mut found = Differences::default();
        diff("", &a, &b, &mut found);
        found.shown
    }

    #[test]
    fn past_the_shown_differences_the_rest_are_only_counted() {
        let ours: Vec<Value> = (0..100_000)
            .map(|i| json!({"n": i, "text": "x".repeat(50)}))
            .collect();
        let theirs: Vec<Value> = (0..100_000)
            .map(|i| json!({"n": i + 1, "text": "x".repeat(50)}))
            .collect();
        let mut found = Differences::default();
        diff(
            "",
            &json!({"rows": ours}),
            &json!({"rows": theirs}),
            &mut found,
        );
        assert_eq!(found.total, 100_000);
        assert_eq!(found.shown.len(), MAX_DIFFERENCES);
        assert_eq!(
            found.shown[1],
            json!({"path": "/rows/1/n", "run": 1, "baseline": 2})
        );
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
        let (lines, total) = side_by_side(&run, &baseline);
        assert_eq!(total, 3);
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
