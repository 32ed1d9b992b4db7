//! Waiting runs: why one run waits (`why_queued`: a verdict first, then the evidence) and
//! which runs have waited too long (`list_stuck_runs`), each with the queue depths and the
//! workers that explain them.
//!
//! In Hatchet v1 a task's queue is named after its action (`workflow:step`), so a queued
//! task's `actionId` names both its queue in the queue metrics and the action a worker must
//! register to take it.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::{age, instant, rows, text};
use crate::{
    mcp::{dashboard, registry::Offered},
    text::cut,
};

/// Workers and rate limits listed in an answer, at most.
const LISTED: usize = 10;

/// What `why_queued` read. Each part but the run is `None` when it could not be read: the
/// verdict is drawn from the rest and says what it could not check.
pub struct Evidence {
    /// The run with its tasks and task events.
    pub run: Value,
    /// `{queues: {name: depth}}`
    pub queues: Option<Value>,
    pub workers: Option<Value>,
    /// Rate limits, fewest units left first.
    pub rate_limits: Option<Value>,
    /// The run's workflow version, with the workflow (`isPaused`) and concurrency settings.
    pub version: Option<Value>,
    pub now: Timestamp,
    /// The tools the verdict may send the agent to.
    pub offered: Offered,
}

impl Evidence {
    /// The parts the verdict could not draw on, for its last sentence.
    fn unread(&self) -> Vec<&'static str> {
        let missing = [
            ("workers", self.workers.is_none()),
            ("queue depths", self.queues.is_none()),
            ("rate limits", self.rate_limits.is_none()),
        ];
        missing
            .into_iter()
            .filter(|(_, missing)| *missing)
            .map(|(part, _)| part)
            .collect()
    }
}

/// Whether anything of the run waits: the run itself, or one of its tasks.
pub fn waits(run: &Value) -> bool {
    text(run, "/run/status") == Some("QUEUED") || queued_tasks(run).next().is_some()
}

/// The answer for a run that does not wait: no evidence is needed.
pub fn not_waiting(run: &Value, link: String, offered: &Offered) -> Value {
    let status = text(run, "/run/status").unwrap_or("unknown");
    let verdict = match status {
        "RUNNING" => offered.hint(
            "get_run_timings",
            "Not queued: the run is RUNNING and none of its tasks waits; get_run_timings shows which task takes long.",
            "Not queued: the run is RUNNING and none of its tasks waits.",
        ).to_owned(),
        status => format!("Not queued: the run is {status}."),
    };
    let mut answer = json!({
        "verdict": verdict,
        "workflow_run_id": run.pointer("/run/metadata/id"),
        "status": status,
    });
    answer[dashboard::FIELD] = link.into();
    crate::mcp::output::prune_nulls(&mut answer);
    answer
}

/// Why a waiting run waits: the verdict, then its evidence.
pub fn why(evidence: &Evidence, link: String) -> Value {
    let queued: Vec<&Value> = queued_tasks(&evidence.run).collect();
    let findings = Findings::of(evidence, &queued);
    let queued_tasks: Vec<Value> = queued
        .iter()
        .map(|task| {
            // The engine leaves a queued task's own createdAt unset: it waits since its run.
            let waiting = instant(task, "/createdAt")
                .or_else(|| instant(&evidence.run, "/run/createdAt"))
                .map(|at| age(evidence.now.duration_since(at)));
            json!({
                "task_run_id": task.get("taskExternalId").or_else(|| task.pointer("/metadata/id")),
                "displayName": task.get("displayName"),
                "actionId": task.get("actionId"),
                "queue_depth": text(task, "/actionId").and_then(|a| depth(evidence.queues.as_ref()?, a)),
                "waiting": waiting,
            })
        })
        .collect();
    let mut workers: Vec<&Value> = findings
        .actions
        .iter()
        .flat_map(|(_, fleet)| fleet.iter().copied())
        .collect();
    workers.dedup_by_key(|w| w.pointer("/metadata/id"));
    let mut verdict = findings.verdict();
    let unread = evidence.unread();
    if !unread.is_empty() {
        verdict.push_str(&format!(
            " Not checked, as they could not be read: {} (see `unavailable`).",
            unread.join(", ")
        ));
    }
    let mut answer = json!({
        "verdict": verdict,
        "workflow_run_id": evidence.run.pointer("/run/metadata/id"),
        "status": findings.status,
        "queued_tasks": queued_tasks,
        "actions": findings.actions.iter().map(|(action, _)| action).collect::<Vec<_>>(),
        "workers": findings.workers_known.then(|| workers.iter().take(LISTED).map(|w| worker_line(w)).collect::<Vec<_>>()),
        "requeued": {
            "no_worker": findings.no_worker_requeues,
            "rate_limit": findings.rate_limit_requeues,
        },
        "rate_limits_at_limit": findings.exhausted.iter().take(LISTED).collect::<Vec<_>>(),
        "workflow": evidence.version.as_ref().map(|v| json!({
            "isPaused": v.pointer("/workflow/isPaused"),
            "concurrency": findings.concurrency,
            "sticky": v.get("sticky"),
        })),
    });
    answer[dashboard::FIELD] = link.into();
    crate::mcp::output::prune_nulls(&mut answer);
    answer
}

/// What the verdict is drawn from.
struct Findings<'a> {
    status: &'a str,
    paused: bool,
    /// Each action waited on, with the workers that registered it.
    actions: Vec<(&'a str, Vec<&'a Value>)>,
    /// Whether the workers could be read (else no action's workers are known).
    workers_known: bool,
    no_worker_requeues: usize,
    rate_limit_requeues: usize,
    exhausted: Vec<Value>,
    concurrency: Option<Value>,
    depth: Option<i64>,
    offered: &'a Offered,
}

impl<'a> Findings<'a> {
    fn of(evidence: &'a Evidence, queued: &[&'a Value]) -> Self {
        let status = text(&evidence.run, "/run/status").unwrap_or("unknown");
        let mut actions: Vec<&str> = queued.iter().filter_map(|t| text(t, "/actionId")).collect();
        if actions.is_empty() {
            actions = version_actions(evidence.version.as_ref());
        }
        actions.sort_unstable();
        actions.dedup();
        let version = evidence.version.as_ref();
        let requeues = |kind: &str| requeue_count(&evidence.run, queued, kind);
        Findings {
            status,
            paused: version.and_then(|v| v.pointer("/workflow/isPaused"))
                == Some(&Value::Bool(true)),
            depth: evidence
                .queues
                .as_ref()
                .and_then(|queues| actions.iter().filter_map(|a| depth(queues, a)).max()),
            actions: actions
                .into_iter()
                .map(|a| {
                    (
                        a,
                        evidence
                            .workers
                            .as_ref()
                            .map(|w| fleet(w, a))
                            .unwrap_or_default(),
                    )
                })
                .collect(),
            workers_known: evidence.workers.is_some(),
            no_worker_requeues: requeues("REQUEUED_NO_WORKER"),
            rate_limit_requeues: requeues("REQUEUED_RATE_LIMIT"),
            exhausted: evidence
                .rate_limits
                .as_ref()
                .map(exhausted)
                .unwrap_or_default(),
            concurrency: concurrency(version),
            offered: &evidence.offered,
        }
    }

    /// One line: the most likely reason first.
    fn verdict(&self) -> String {
        if self.paused {
            return self.offered.via(
                "The workflow is paused: its runs wait until it is resumed",
                "resume_workflow",
            ) + ".";
        }
        if !self.workers_known && self.no_worker_requeues > 0 {
            return format!(
                "Requeued {} time(s) for want of a worker: compare {} with its desired labels.",
                self.no_worker_requeues,
                self.offered
                    .via("the workers that register its action", "list_workers")
            );
        }
        let actions = if self.workers_known {
            &self.actions[..]
        } else {
            &[]
        };
        for (action, fleet) in actions {
            let status = |w: &Value| text(w, "/status").unwrap_or("INACTIVE").to_owned();
            let active: Vec<&&Value> = fleet.iter().filter(|w| status(w) == "ACTIVE").collect();
            if fleet.is_empty() {
                return format!("No worker registers `{action}`: start a worker that does.");
            }
            if active.is_empty() && fleet.iter().any(|w| status(w) == "PAUSED") {
                return self.offered.via(
                    &format!("Every worker for `{action}` is paused or inactive: resume one"),
                    "resume_worker",
                ) + ".";
            }
            if active.is_empty() {
                let last = fleet
                    .iter()
                    .filter_map(|w| text(w, "/lastHeartbeatAt"))
                    .max()
                    .unwrap_or("never");
                return format!(
                    "Every worker for `{action}` is inactive (last heartbeat {last}): restart one."
                );
            }
            if active.iter().all(|w| free_slots(w) == Some(0)) {
                return format!(
                    "The {} active worker(s) for `{action}` have no free slot: it waits for running tasks to finish (or more workers).",
                    active.len()
                );
            }
            if self.no_worker_requeues > 0 {
                return format!(
                    "Requeued {} time(s) for want of a worker, though {} active worker(s) register `{action}`: compare the task's desired worker labels and sticky setting with the workers' labels.",
                    self.no_worker_requeues,
                    active.len()
                );
            }
        }
        if self.rate_limit_requeues > 0 || !self.exhausted.is_empty() {
            let keys: Vec<&str> = self
                .exhausted
                .iter()
                .filter_map(|l| text(l, "/key"))
                .take(3)
                .collect();
            return match (self.rate_limit_requeues, keys.is_empty()) {
                (0, _) => format!(
                    "Rate limits at their limit ({}): a task using one waits for its refill.",
                    keys.join(", ")
                ),
                (n, true) => format!(
                    "Requeued {n} time(s) for a rate limit: it waits for the limit to refill."
                ),
                (n, false) => format!(
                    "Requeued {n} time(s) for a rate limit; at their limit: {}.",
                    keys.join(", ")
                ),
            };
        }
        if let Some(concurrency) = &self.concurrency {
            return format!(
                "A concurrency limit applies ({}): it may wait for runs with the same key to finish.",
                cut(&concurrency.to_string(), 160)
            );
        }
        match self.depth {
            Some(depth) if depth > 1 => format!(
                "{depth} tasks are queued for the same action: it waits its turn for a free slot."
            ),
            _ => format!(
                "Nothing found holding it: its workers are active with free slots. If it stays queued, read {} and {}.",
                self.offered.via("its events", "list_task_events"),
                self.offered.via("the engine's queue", "get_queue_metrics"),
            ),
        }
    }
}

fn queued_tasks(run: &Value) -> impl Iterator<Item = &Value> {
    let tasks = run.get("tasks").and_then(Value::as_array);
    tasks
        .into_iter()
        .flatten()
        .filter(|t| text(t, "/status") == Some("QUEUED"))
}

/// The step actions of a workflow version, for a run whose tasks do not exist yet.
fn version_actions(version: Option<&Value>) -> Vec<&str> {
    let jobs = version
        .and_then(|v| v.get("jobs"))
        .and_then(Value::as_array);
    jobs.into_iter()
        .flatten()
        .filter_map(|job| job.get("steps").and_then(Value::as_array))
        .flatten()
        .filter(|step| {
            step.get("parents")
                .and_then(Value::as_array)
                .is_none_or(Vec::is_empty)
        })
        .filter_map(|step| text(step, "/action"))
        .collect()
}

/// How often the queued tasks were put back in the queue for `kind`.
fn requeue_count(run: &Value, queued: &[&Value], kind: &str) -> usize {
    let ids: std::collections::HashSet<&str> = queued
        .iter()
        .filter_map(|t| text(t, "/taskExternalId").or_else(|| text(t, "/metadata/id")))
        .collect();
    let events = run.get("taskEvents").and_then(Value::as_array);
    events
        .into_iter()
        .flatten()
        .filter(|e| text(e, "/eventType") == Some(kind))
        .filter(|e| text(e, "/taskId").is_some_and(|id| ids.contains(&id)))
        .count()
}

/// The workers (of a list answer) that registered `action`.
fn fleet<'a>(workers: &'a Value, action: &str) -> Vec<&'a Value> {
    rows(workers)
        .iter()
        .filter(|w| {
            w.get("actions")
                .and_then(Value::as_array)
                .is_some_and(|a| a.iter().any(|x| x.as_str() == Some(action)))
        })
        .collect()
}

/// Free slots of a worker, summed over its slot types; `None` when it does not say.
fn free_slots(worker: &Value) -> Option<i64> {
    let config = worker.get("slotConfig").and_then(Value::as_object)?;
    Some(
        config
            .values()
            .filter_map(|c| c.get("available").and_then(Value::as_i64))
            .sum(),
    )
}

fn worker_line(worker: &Value) -> Value {
    let labels: Map<String, Value> = worker
        .get("labels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|l| {
            Some((
                text(l, "/key")?.to_owned(),
                l.get("value").cloned().unwrap_or(Value::Null),
            ))
        })
        .collect();
    json!({
        "id": worker.pointer("/metadata/id"),
        "name": worker.get("name"),
        "status": worker.get("status"),
        "lastHeartbeatAt": worker.get("lastHeartbeatAt"),
        "slots": worker.get("slotConfig"),
        "labels": (!labels.is_empty()).then_some(labels),
    })
}

/// Rate limits with no units left (`value` is what remains of `limitValue` until the
/// window refills).
fn exhausted(limits: &Value) -> Vec<Value> {
    rows(limits)
        .iter()
        .filter(|l| l.get("value").and_then(Value::as_i64).is_some_and(|v| v <= 0))
        .map(|l| json!({"key": l.get("key"), "value": l.get("value"), "limitValue": l.get("limitValue"), "window": l.get("window"), "lastRefill": l.get("lastRefill")}))
        .collect()
}

/// The concurrency settings of a version, in the engine's newer form or the older one.
fn concurrency(version: Option<&Value>) -> Option<Value> {
    let version = version?;
    match version.get("v1Concurrency") {
        Some(Value::Array(settings)) if !settings.is_empty() => {
            Some(Value::Array(settings.clone()))
        }
        _ => version
            .get("concurrency")
            .filter(|c| c.is_object())
            .cloned(),
    }
}

fn depth(queues: &Value, action: &str) -> Option<i64> {
    queues
        .pointer("/queues")
        .and_then(|q| q.get(action))
        .and_then(Value::as_i64)
}

/// What `list_stuck_runs` read: the runs (oldest first) and how many match in all (`None`
/// when only the newest page could be read).
pub struct Stuck {
    pub runs: Vec<Value>,
    pub total: Option<usize>,
    /// Runs created before this count.
    pub until: Timestamp,
    pub now: Timestamp,
    pub limit: usize,
}

/// The stuck runs, with the queue depths and workers that explain them where they could be
/// read (`None`: left out).
pub fn stuck(found: &Stuck, queues: Option<&Value>, workers: Option<&Value>) -> Value {
    let listed: Vec<Value> = found
        .runs
        .iter()
        .take(found.limit)
        .map(|run| {
            json!({
                "workflow_run_id": run.pointer("/metadata/id"),
                "displayName": run.get("displayName"),
                "status": run.get("status"),
                "createdAt": run.get("createdAt"),
                "startedAt": run.get("startedAt"),
                "age": instant(run, "/createdAt").map(|at| age(found.now.duration_since(at))),
            })
        })
        .collect();
    let mut depths: Vec<(&String, i64)> = queues
        .and_then(|q| q.pointer("/queues"))
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, depth)| Some((name, depth.as_i64().filter(|d| *d > 0)?)))
        .collect();
    depths.sort_by_key(|d| std::cmp::Reverse(d.1));
    let queued: i64 = depths.iter().map(|(_, d)| d).sum();
    let busiest: Map<String, Value> = depths
        .iter()
        .take(LISTED)
        .map(|(name, d)| ((*name).clone(), json!(d)))
        .collect();
    let oldest = listed
        .first()
        .and_then(|r| r.get("workflow_run_id"))
        .and_then(Value::as_str);
    let mut answer = json!({
        "created_before": found.until.to_string(),
        "total": found.total,
        "runs": listed,
        "queued_tasks": queues.map(|_| queued),
        "busiest_queues": queues.map(|_| busiest),
        "workers": workers.map(worker_summary),
        "next": oldest.map(|id| format!("why_queued workflow_run_id={id}")),
    });
    if found.total.is_none() {
        answer["note"] = json!(
            "Only the newest page of runs could be read, so the oldest may be missing here (see `unavailable`)."
        );
    }
    crate::mcp::output::prune_nulls(&mut answer);
    answer
}

/// Workers by status, and the free slots of the active ones.
fn worker_summary(workers: &Value) -> Value {
    let all: Vec<&Value> = rows(workers).iter().collect();
    let mut summary = super::count_by(&all, "/status");
    let free: i64 = all
        .iter()
        .filter(|w| text(w, "/status") == Some("ACTIVE"))
        .filter_map(|w| free_slots(w))
        .sum();
    summary["free_slots"] = json!(free);
    summary
}

#[cfg(test)]
mod tests {
    use super::*;

    const ACTION: &str = "etl:load";

    fn run(task_status: &str, events: Value) -> Value {
        json!({
            "run": {"metadata": {"id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}, "status": "QUEUED"},
            "tasks": [{"taskExternalId": "t1", "displayName": "load", "status": task_status, "actionId": ACTION, "createdAt": "2026-05-19T09:00:00Z"}],
            "taskEvents": events,
        })
    }

    fn worker(status: &str, available: i64) -> Value {
        json!({"metadata": {"id": "w1"}, "name": "w", "status": status, "actions": [ACTION],
               "slotConfig": {"default": {"available": available, "limit": 5}}, "labels": [{"key": "gpu", "value": "a100"}]})
    }

    fn verdict(
        run: Value,
        workers: Vec<Value>,
        limits: Vec<Value>,
        version: Option<Value>,
    ) -> String {
        let evidence = Evidence {
            run,
            queues: Some(json!({"queues": {ACTION: 7}})),
            workers: Some(json!({"rows": workers})),
            rate_limits: Some(json!({"rows": limits})),
            version,
            now: "2026-05-19T10:00:00Z".parse().unwrap(),
            offered: Offered::default(),
        };
        let answer = why(&evidence, "https://h.example/tenants/t/runs/r".into());
        assert_eq!(
            answer[dashboard::FIELD],
            "https://h.example/tenants/t/runs/r"
        );
        answer["verdict"].as_str().unwrap().to_owned()
    }

    #[test]
    fn the_verdict_names_the_most_likely_reason_first() {
        let queued = || run("QUEUED", json!([]));
        let paused = Some(json!({"workflow": {"isPaused": true}}));
        assert!(
            verdict(queued(), vec![worker("ACTIVE", 1)], vec![], paused)
                .starts_with("The workflow is paused")
        );
        assert!(
            verdict(queued(), vec![], vec![], None).starts_with("No worker registers `etl:load`")
        );
        assert!(
            verdict(queued(), vec![worker("PAUSED", 5)], vec![], None)
                .starts_with("Every worker for `etl:load` is paused")
        );
        assert!(
            verdict(queued(), vec![worker("INACTIVE", 5)], vec![], None).contains("is inactive")
        );
        assert!(
            verdict(queued(), vec![worker("ACTIVE", 0)], vec![], None)
                .contains("have no free slot")
        );
        let no_worker = run(
            "QUEUED",
            json!([{"taskId": "t1", "eventType": "REQUEUED_NO_WORKER"}]),
        );
        assert!(
            verdict(no_worker, vec![worker("ACTIVE", 2)], vec![], None)
                .contains("desired worker labels")
        );
        let limit = json!({"key": "openai", "value": 0, "limitValue": 10, "window": "1m"});
        assert!(verdict(queued(), vec![worker("ACTIVE", 2)], vec![limit], None).contains("openai"));
        let concurrency = Some(
            json!({"v1Concurrency": [{"maxRuns": 1, "limitStrategy": "GROUP_ROUND_ROBIN", "expression": "input.user", "scope": "WORKFLOW"}]}),
        );
        assert!(
            verdict(queued(), vec![worker("ACTIVE", 2)], vec![], concurrency).contains("maxRuns")
        );
        assert!(
            verdict(queued(), vec![worker("ACTIVE", 2)], vec![], None)
                .starts_with("7 tasks are queued")
        );
        let mut done = run("COMPLETED", json!([]));
        done["run"]["status"] = json!("COMPLETED");
        assert!(!waits(&done) && waits(&queued()));
        let answer = not_waiting(&done, "link".into(), &Offered::default());
        assert_eq!(answer["verdict"], "Not queued: the run is COMPLETED.");
        assert_eq!(answer["dashboard_url"], "link");
    }

    #[test]
    fn stuck_runs_come_with_queues_and_workers() {
        let found = Stuck {
            runs: vec![
                json!({"metadata": {"id": "r1"}, "status": "QUEUED", "createdAt": "2026-05-19T07:47:00Z"}),
            ],
            total: Some(1),
            until: "2026-05-19T09:30:00Z".parse().unwrap(),
            now: "2026-05-19T10:00:00Z".parse().unwrap(),
            limit: 20,
        };
        let answer = stuck(
            &found,
            Some(&json!({"queues": {"a": 0, "b": 3, "c": 9}})),
            Some(&json!({"rows": [worker("ACTIVE", 2), worker("PAUSED", 5)]})),
        );
        assert_eq!(answer["runs"][0]["age"], "2h13m");
        assert_eq!(answer["queued_tasks"], 12);
        assert_eq!(answer["busiest_queues"].to_string(), r#"{"c":9,"b":3}"#);
        assert_eq!(
            answer["workers"],
            json!({"ACTIVE": 1, "PAUSED": 1, "free_slots": 2})
        );
        assert_eq!(answer["next"], "why_queued workflow_run_id=r1");
    }
}
