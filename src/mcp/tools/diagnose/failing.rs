//! The workflows that fail most in a window: failures per workflow, the first and latest,
//! and their errors grouped by message.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::{instant, text};
use crate::{mcp::output, text::cut};

/// Distinct errors shown per workflow.
const ERRORS_SHOWN: usize = 3;

/// Characters of an error shown.
const ERROR_CHARS: usize = 200;

/// One workflow's failures, as they are counted.
struct Failures<'a> {
    workflow_id: Option<&'a str>,
    name: Option<&'a str>,
    count: usize,
    first: Option<(Timestamp, &'a str)>,
    latest: Option<(Timestamp, &'a str, Option<&'a str>)>,
    /// Messages with how many runs failed with each, in order of appearance.
    errors: Vec<(&'a str, usize)>,
}

/// `failed` (rows of failed runs) grouped per workflow, most failures first, at most `limit`
/// workflows. `complete` says whether `failed` is every failed run of the window.
pub fn rank(failed: &[Value], complete: bool, since: Timestamp, limit: usize) -> Value {
    let mut workflows: Vec<Failures> = Vec::new();
    for run in failed {
        let workflow_id = text(run, "/workflowId");
        let name = text(run, "/workflowName");
        let entry = match workflows
            .iter()
            .position(|w| (w.workflow_id, w.name) == (workflow_id, name))
        {
            Some(at) => &mut workflows[at],
            None => {
                workflows.push(Failures {
                    workflow_id,
                    name,
                    count: 0,
                    first: None,
                    latest: None,
                    errors: Vec::new(),
                });
                workflows.last_mut().expect("just pushed")
            }
        };
        entry.count += 1;
        let when = ["/finishedAt", "/createdAt"]
            .iter()
            .find_map(|p| Some((instant(run, p)?, text(run, p)?)));
        if let Some((at, shown)) = when {
            if entry.first.is_none_or(|(first, _)| at < first) {
                entry.first = Some((at, shown));
            }
            if entry.latest.is_none_or(|(latest, _, _)| at > latest) {
                entry.latest = Some((at, shown, text(run, "/metadata/id")));
            }
        }
        if let Some(error) = text(run, "/errorMessage") {
            match entry
                .errors
                .iter_mut()
                .find(|(message, _)| *message == error)
            {
                Some((_, count)) => *count += 1,
                None => entry.errors.push((error, 1)),
            }
        }
    }
    workflows.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then(b.latest.map(|l| l.0).cmp(&a.latest.map(|l| l.0)))
    });
    let listed: Vec<Value> = workflows.iter_mut().take(limit).map(|w| {
        w.errors.sort_by_key(|e| std::cmp::Reverse(e.1));
        json!({
            "workflowName": w.name,
            "workflowId": w.workflow_id,
            "failures": w.count,
            "first_failure": w.first.map(|f| f.1),
            "latest_failure": w.latest.map(|l| l.1),
            "latest_run_id": w.latest.and_then(|l| l.2),
            "errors": w.errors.iter().take(ERRORS_SHOWN).map(|(message, runs)| json!({"errorMessage": cut(message, ERROR_CHARS), "runs": runs})).collect::<Vec<_>>(),
        })
    }).collect();
    let mut answer = json!({
        "since": since.to_string(),
        "failed_runs": failed.len(),
        "workflows_failing": workflows.len(),
        "workflows": listed,
        "next": listed.first().and_then(|w| w.get("latest_run_id")).and_then(Value::as_str).map(|id| format!("describe_run_failure workflow_run_id={id}")),
    });
    if !complete {
        answer["note"] = json!(format!(
            "Counted the newest {} failed runs only: there are more. Give a later `since` for exact counts.",
            failed.len()
        ));
    }
    output::prune_nulls(&mut answer);
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    fn failed(workflow: &str, id: &str, at: &str, error: &str) -> Value {
        json!({"metadata": {"id": id}, "workflowId": format!("wf-{workflow}"), "workflowName": workflow,
               "status": "FAILED", "createdAt": at, "finishedAt": at, "errorMessage": error})
    }

    #[test]
    fn failures_are_counted_per_workflow_with_errors_deduplicated() {
        let runs = [
            failed("etl", "r1", "2026-05-19T09:00:00Z", "timeout"),
            failed("mail", "r2", "2026-05-19T09:30:00Z", "smtp down"),
            failed("etl", "r3", "2026-05-19T10:00:00Z", "KeyError: 'id'"),
            failed("etl", "r4", "2026-05-19T08:00:00Z", "KeyError: 'id'"),
        ];
        let since: Timestamp = "2026-05-18T10:00:00Z".parse().unwrap();
        let answer = rank(&runs, true, since, 10);
        let top = &answer["workflows"][0];
        assert_eq!(top["workflowName"], "etl");
        assert_eq!(top["failures"], 3);
        assert_eq!(top["first_failure"], "2026-05-19T08:00:00Z");
        assert_eq!(top["latest_failure"], "2026-05-19T10:00:00Z");
        assert_eq!(top["latest_run_id"], "r3");
        assert_eq!(
            top["errors"],
            json!([{"errorMessage": "KeyError: 'id'", "runs": 2}, {"errorMessage": "timeout", "runs": 1}])
        );
        assert_eq!(answer["workflows"][1]["failures"], 1);
        assert_eq!(answer["next"], "describe_run_failure workflow_run_id=r3");
        assert!(answer.get("note").is_none());
        let cut_short = rank(&runs, false, since, 1);
        assert_eq!(cut_short["workflows"].as_array().unwrap().len(), 1);
        assert_eq!(cut_short["workflows_failing"], 2);
        assert!(
            cut_short["note"]
                .as_str()
                .unwrap()
                .contains("newest 4 failed runs")
        );
    }
}
