//! `get_run`'s compact answer: a run's details (`V1WorkflowRunDetails`: the run, its tasks,
//! their events, the DAG's shape and the workflow's config) as summary rows, the way the
//! list tools answer, with payloads only on request. The API's object is tens of KB on a
//! real run (every task's input and output, every lifecycle event, step ids); an agent
//! reading why a run failed needs its statuses, times, errors and shape.

use serde_json::{Map, Value, json};

use crate::mcp::summary::{self, Field, How, MAX_SUMMARY_TEXT_CHARS, Summary, When};

/// What `get_run` answers, for the tool reference.
pub const DESCRIBED: &str = "By default the run and each task as a `list_runs` summary row (the run with its `workflowId`; a task's `run` only when it is another run), `dag`: each task's children by name (when the names stand for the steps), and each task event as a row: `at` (timestamp, to the second), `task` (taskDisplayName), `type` (eventType), `message` and `error` (cut to 300 characters), `retries` (when above 0). The workflow's config is left out. `include_payloads` adds the run's and each task's `input` and `output`; `detail: \"full\"` returns the API's object whole, payloads included.";

/// A task event of a run, as a row: when, which task, what happened.
const RUN_EVENTS: Summary = Summary {
    fields: &[
        Field::new("at", "timestamp").how(How::Second),
        Field::new("task", "taskDisplayName"),
        Field::new("type", "eventType"),
        Field::new("message", "message").how(How::Cut),
        Field::new("error", "errorMessage")
            .how(How::Cut)
            .when(When::Beyond("message")),
        Field::new("retries", "retryCount").how(How::Positive),
    ],
    legend: None,
    whole: "list_task_events",
    payloads: false,
};

/// `details` as `get_run` answers by default: the run and each task as a `list_runs` row
/// (payloads only when `keep_payloads`), each task event as a short row, the DAG as each
/// task's children by name, and a `note` when a long text was cut. The workflow's config
/// is left out (get_workflow_version has it). An answer of another shape is returned as it
/// is.
pub fn compact(details: Value, keep_payloads: bool) -> Value {
    let Value::Object(mut details) = details else {
        return details;
    };
    let Some(run) = details.remove("run") else {
        return Value::Object(details);
    };
    let run_id = run.pointer("/metadata/id").cloned();
    let mut cut = false;
    let mut row = |summary: &Summary, value: &Value| {
        let (row, was_cut) = summary.summarise(value, keep_payloads);
        cut |= was_cut;
        row
    };
    let mut view = Map::new();
    let mut run_row = row(&summary::RUNS, &run);
    // A list names each row's workflow beside the rows; the one run names its own.
    if let Some(id) = run.get("workflowId").filter(|id| id.is_string()) {
        run_row.insert("workflowId".into(), id.clone());
    }
    view.insert("run".into(), Value::Object(run_row));
    if let Some(Value::Array(tasks)) = details.get("tasks") {
        let tasks: Vec<Value> = tasks
            .iter()
            .map(|task| {
                let mut task = row(&summary::RUNS, task);
                // Every task of the run names the run: said once, above.
                if task.get("run") == run_id.as_ref() {
                    task.remove("run");
                }
                Value::Object(task)
            })
            .collect();
        view.insert("tasks".into(), Value::Array(tasks));
    }
    if let Some(dag) = details.get("shape").and_then(dag) {
        view.insert("dag".into(), dag);
    }
    if let Some(Value::Array(events)) = details.get("taskEvents") {
        let events: Vec<Value> = events
            .iter()
            .map(|event| Value::Object(row(&RUN_EVENTS, event)))
            .collect();
        view.insert("taskEvents".into(), Value::Array(events));
    }
    if cut {
        view.insert(
            "note".into(),
            json!(format!(
                "Texts over {MAX_SUMMARY_TEXT_CHARS} characters are cut in the middle ([N characters cut]); detail=\"full\" has them whole."
            )),
        );
    }
    Value::Object(view)
}

/// The DAG as `{task: [children]}` by task name, from the API's `shape` (one entry per
/// task: its name, step id and its children's step ids); `None` when no task has children
/// (a single task) or the names cannot stand for the steps (two tasks of one name, a child
/// that is not in the shape), where the step ids would be needed.
fn dag(shape: &Value) -> Option<Value> {
    let shape = shape.as_array()?;
    let mut names = Map::new();
    for step in shape {
        let id = step.get("stepId")?.as_str()?;
        let name = step.get("taskName")?.as_str()?;
        if names.values().any(|known| known == name) {
            return None;
        }
        names.insert(id.to_owned(), json!(name));
    }
    let mut dag = Map::new();
    for step in shape {
        let children = step.get("childrenStepIds")?.as_array()?;
        if children.is_empty() {
            continue;
        }
        let mut children: Vec<Value> = children
            .iter()
            .map(|child| names.get(child.as_str()?).cloned())
            .collect::<Option<_>>()?;
        children.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
        dag.insert(
            step["taskName"].as_str()?.to_owned(),
            Value::Array(children),
        );
    }
    (!dag.is_empty()).then_some(Value::Object(dag))
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUN: &str = "00000000-0000-4000-8000-000000000001";

    fn details() -> Value {
        let task = |n: u32, name: &str, status: &str, error: &str| {
            json!({
                "metadata": {"id": format!("t{n}")}, "taskExternalId": format!("t{n}"),
                "workflowRunExternalId": RUN, "displayName": name, "status": status,
                "startedAt": "2026-05-19T09:00:00.123456Z", "duration": 1200, "retryCount": 0,
                "errorMessage": error, "input": {"order": 7}, "output": {"rows": n},
            })
        };
        json!({
            "run": {"metadata": {"id": RUN}, "displayName": "etl-1", "status": "FAILED", "workflowId": "w1",
                    "input": {"order": 7}, "output": {}, "additionalMetadata": {"team": "data"},
                    "errorMessage": "x".repeat(400)},
            "tasks": [task(1, "extract", "COMPLETED", ""), task(2, "load", "FAILED", "KeyError")],
            "shape": [
                {"taskName": "extract", "stepId": "s1", "taskExternalId": "t1", "childrenStepIds": ["s2"]},
                {"taskName": "load", "stepId": "s2", "taskExternalId": "t2", "childrenStepIds": []},
            ],
            "taskEvents": [
                {"id": 9, "timestamp": "2026-05-19T09:00:02.5Z", "taskDisplayName": "load", "eventType": "FAILED",
                 "message": "", "errorMessage": "KeyError", "output": "", "retryCount": 0, "workerId": "w1"},
            ],
            "workflowConfig": {"name": "etl", "steps": ["…"]},
        })
    }

    #[test]
    fn the_run_its_tasks_events_and_dag_are_summary_rows_without_payloads() {
        let view = compact(details(), false);
        assert_eq!(view["run"]["status"], "FAILED");
        assert_eq!(view["run"]["meta"], json!({"team": "data"}));
        assert_eq!(view["run"]["workflowId"], "w1");
        assert!(view["run"].get("input").is_none());
        assert_eq!(
            view["tasks"][1],
            json!({"id": "t2", "name": "load", "status": "FAILED", "started": "2026-05-19T09:00:00Z", "duration": 1200, "error": "KeyError"})
        );
        assert_eq!(view["dag"], json!({"extract": ["load"]}));
        assert_eq!(
            view["taskEvents"][0],
            json!({"at": "2026-05-19T09:00:02Z", "task": "load", "type": "FAILED", "error": "KeyError"})
        );
        assert!(view.get("workflowConfig").is_none() && view.get("shape").is_none());
        assert!(view["note"].as_str().unwrap().contains("detail=\"full\""));
        let with_payloads = compact(details(), true);
        assert_eq!(with_payloads["run"]["input"], json!({"order": 7}));
        assert_eq!(with_payloads["tasks"][0]["output"], json!({"rows": 1}));
    }

    #[test]
    fn a_dag_whose_names_cannot_stand_for_its_steps_is_left_out() {
        let twice = json!([
            {"taskName": "a", "stepId": "s1", "childrenStepIds": ["s2"]},
            {"taskName": "a", "stepId": "s2", "childrenStepIds": []},
        ]);
        assert_eq!(dag(&twice), None);
        let single = json!([{"taskName": "a", "stepId": "s1", "childrenStepIds": []}]);
        assert_eq!(dag(&single), None);
        let unknown = json!([{"taskName": "a", "stepId": "s1", "childrenStepIds": ["s9"]}]);
        assert_eq!(dag(&unknown), None);
    }
}
