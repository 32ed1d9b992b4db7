//! Waiting for a run to finish: `wait_for_run`, and the same wait after `trigger_workflow`
//! with `wait: true` or `rerun_with_input`. The wait polls the run's status with a growing
//! delay, reports progress when the client asked for it, and stops the moment the client
//! cancels.
//!
//! To a client that takes MCP tasks (see [`crate::mcp::tasks`]) the same wait is a task:
//! the call answers at once, and each `tasks/get` polls the run once ([`poll_task`]) until
//! the answer is the one the wait would have given.

use std::time::Duration;

use jiff::Timestamp;
use rmcp::model::TaskStatus;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;
use uuid::Uuid;

use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::{ErrorKind, runs::BulkAction},
    mcp::{
        apps,
        args::{Bounded, Id},
        dashboard::{self, Page},
        output::{self, Answer},
        registry::{About, Effect, Group, Offered, ToolError, ToolResult, audit},
        tasks::TaskId,
    },
};

/// The first pause between two status polls; each pause doubles, up to [`LONGEST_PAUSE`].
const FIRST_PAUSE: Duration = Duration::from_secs(1);
const LONGEST_PAUSE: Duration = Duration::from_secs(10);
/// How long a run a task triggered may not show in Hatchet yet before a 404 means it is gone.
const SHOWS_WITHIN: Duration = Duration::from_secs(60);

/// How long a wait may last, in seconds: 1 to 600, default 120.
pub type WaitSeconds = Bounded<1, 600, 120>;

pub fn opt_in_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "wait_for_run",
                title: "Wait for run",
                group: Group::Runs,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/workflow-runs/{workflow_run_id}/status",
                description: "Wait until a run finishes, reporting progress; answers its final status.",
            },
            wait_for_run,
        )
        .opt_in()
        .deferrable()
        .view(apps::RUN_VIEW),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct WaitForRunArgs {
    workflow_run_id: Id,
    /// Seconds
    #[serde(default)]
    timeout_s: WaitSeconds,
}

async fn wait_for_run(call: Call, args: WaitForRunArgs) -> ToolResult {
    let run_id = args.workflow_run_id.0;
    if call.takes_tasks {
        // One read first: a task is made only for a run that exists, and a run that has
        // already finished is answered at once.
        let status = run_status(&call, run_id).await?;
        if !is_finished(&status) {
            return Ok(defer(&call, run_id, false, args.timeout_s, &status));
        }
        let timeout = seconds(args.timeout_s);
        let answer = ended(&call, run_id, &status, Duration::ZERO, timeout).await;
        return Ok(output::item(answer));
    }
    let waited = wait_until_finished(&call, run_id, args.timeout_s).await?;
    Ok(output::item(waited))
}

fn seconds(wait: WaitSeconds) -> Duration {
    Duration::from_secs(wait.get().unsigned_abs())
}

/// The wait for `run_id` as an MCP task, answered at once: the client polls it.
fn defer(call: &Call, run_id: Uuid, started_run: bool, wait: WaitSeconds, status: &str) -> Answer {
    let id = TaskId::new(run_id, started_run, seconds(wait), &call.tool);
    let text = call.task_text(&id);
    let message = format!("{status}: poll tasks/get for the run's end");
    Answer::Task(id.task(&text, TaskStatus::Working, &message, Timestamp::now()))
}

/// Where a task stands after one poll.
pub(crate) enum Polled {
    /// Still waiting, and why (`RUNNING after 12s`).
    Working(String),
    /// The wait is over: the tool's own answer.
    Ended(ToolResult),
    /// Cancelled by `tasks/cancel`, and what the cancel did.
    Cancelled(String),
}

/// Polls task `text` (`id`, opened) once: the run's status, and, when it has finished or
/// the wait is over, the answer the tool would have given. A read that may succeed later
/// leaves the task working.
pub(crate) async fn poll_task(call: &Call, text: &str, id: &TaskId) -> Polled {
    if let Some(said) = call.cancels.of(text) {
        return Polled::Cancelled(said);
    }
    let now = Timestamp::now();
    let status = match run_status(call, id.run).await {
        Ok(status) => status,
        Err(ToolError::Api(error))
            if error.status() == Some(404) && id.started_run && id.age(now) < SHOWS_WITHIN =>
        {
            return Polled::Working(format!(
                "Triggered; Hatchet does not show run {} yet.",
                id.run
            ));
        }
        Err(ToolError::Api(error)) if error.is_transient() || error.kind == ErrorKind::Timeout => {
            return Polled::Working(format!("This poll failed ({error}); the wait goes on."));
        }
        Err(error) => return Polled::Ended(Err(error)),
    };
    let waited = id.age(now).min(id.wait);
    if is_finished(&status) || id.wait_over(now) {
        let answer = ended(call, id.run, &status, waited, id.wait).await;
        return Polled::Ended(Ok(output::item(answer)));
    }
    Polled::Working(progress_message(&status, waited))
}

/// Stops task `text` (`id`, opened): the wait ends, and a run the task triggered is
/// cancelled in Hatchet when this server may (read-write mode), with an audit line. Answers
/// what `tasks/get` says of the task from then on.
pub(crate) async fn cancel_task(call: &Call, text: &str, id: &TaskId) -> String {
    if let Some(said) = call.cancels.of(text) {
        return said;
    }
    let run = id.run;
    let said = if !id.started_run {
        format!("Cancelled: the wait stopped; run {run} goes on (this task did not start it).")
    } else if call.client.read_only() {
        format!(
            "Cancelled: the wait stopped; run {run} goes on: this server is read-only, so it does not cancel the run the task triggered."
        )
    } else {
        let started = std::time::Instant::now();
        let cancelled = call.client.bulk_action(BulkAction::Cancel, &[run]).await;
        let outcome = if cancelled.is_ok() { "ok" } else { "error" };
        let targets = format!("workflow_run_id={run}");
        let caller = audit::AuditCaller::of(call.client.caller(), call.client.redactor_ref());
        audit::record(
            "tasks/cancel",
            "execute",
            &targets,
            outcome,
            started,
            caller.as_ref(),
        );
        match cancelled {
            Ok(_) => format!(
                "Cancelled: the wait stopped, and run {run}, which this task triggered, was cancelled in Hatchet."
            ),
            Err(error) => format!(
                "Cancelled: the wait stopped; cancelling run {run} in Hatchet failed ({error}), so it may still run."
            ),
        }
    };
    call.cancels.remember(text, said.clone());
    said
}

/// The statuses a run does not leave.
fn is_finished(status: &str) -> bool {
    matches!(status, "COMPLETED" | "CANCELLED" | "FAILED")
}

/// The run's status, as Hatchet answers it: a bare string (`RUNNING`), or an object with
/// `status`.
async fn run_status(call: &Call, run_id: Uuid) -> Result<String, ToolError> {
    let answer = call.client.get_run_status(run_id).await?;
    Ok(answer
        .as_str()
        .or_else(|| answer.get("status").and_then(Value::as_str))
        .unwrap_or("UNKNOWN")
        .to_owned())
}

/// The answer of a wait that ends now: the run's last status, how long the wait took,
/// whether it timed out, a failed run's failure report, and the run's dashboard link.
async fn ended(
    call: &Call,
    run_id: Uuid,
    status: &str,
    waited: Duration,
    timeout: Duration,
) -> Value {
    let mut answer = outcome(run_id, status, waited, timeout, &call.offered);
    if status == "FAILED" {
        attach_failure(&mut answer, call, run_id).await;
    }
    dashboard::with_link(answer, &call.client, Page::Run(run_id))
}

fn progress_message(status: &str, waited: Duration) -> String {
    format!("{status} after {}s", waited.as_secs())
}

/// Polls the run's status until it finishes or `timeout` passes; answers its last status,
/// how long the wait took, and whether it timed out. Progress goes to the client at each
/// poll that finds the run still going.
pub(super) async fn wait_until_finished(
    call: &Call,
    run_id: Uuid,
    timeout: WaitSeconds,
) -> Result<Value, ToolError> {
    let timeout = seconds(timeout);
    // The wait is the point of the call: its deadline moves to the wait's end, plus one
    // deadline for the requests after it.
    call.deadline.allow_wait(timeout);
    let started = Instant::now();
    let mut pause = FIRST_PAUSE;
    loop {
        let status = run_status(call, run_id).await?;
        let waited = started.elapsed();
        if is_finished(&status) || waited >= timeout {
            return Ok(ended(call, run_id, &status, waited, timeout).await);
        }
        let message = progress_message(&status, waited);
        let total = Some(timeout.as_secs_f64());
        call.progress
            .report(waited.as_secs_f64(), total, &message)
            .await;
        tokio::select! {
            () = tokio::time::sleep(pause.min(timeout - waited)) => {}
            // The server also drops this task on a cancellation; this stops it between
            // polls even when the call runs elsewhere.
            () = call.cancelled.cancelled() => {
                return Err(ToolError::Refused("The wait was cancelled by the client.".into()));
            }
        }
        pause = (pause * 2).min(LONGEST_PAUSE);
    }
}

/// The id of the run a trigger started, from Hatchet's answer (`V1WorkflowRunDetails`).
fn started_run_id(started: &Value) -> Option<Uuid> {
    started
        .pointer("/run/metadata/id")
        .and_then(Value::as_str)
        .and_then(|id| id.parse().ok())
}

/// A run just triggered, as the trigger tools answer without `wait`: the keys a wait
/// answers with (its id, its status, its dashboard link), and the call that waits for it.
/// Hatchet's whole answer (the run's input echoed, its empty task list) says nothing more
/// yet. An answer that names no run id is returned whole.
pub(crate) fn triggered(call: &Call, started: Value) -> Value {
    let Some(run_id) = started_run_id(&started) else {
        return started;
    };
    let answer = json!({
        "workflow_run_id": run_id,
        "status": started.pointer("/run/status"),
        "next": format!("wait_for_run workflow_run_id={run_id}"),
    });
    dashboard::with_link(answer, &call.client, Page::Run(run_id))
}

/// After a trigger (`wait: true`): waits for the new run with the default timeout, or, for
/// a client that takes tasks, answers the wait as a task at once. The run exists whatever
/// happens next, so a failed wait is reported in the answer, never as an error that could
/// read as "not triggered".
pub(crate) async fn wait_after_trigger(call: &Call, started: &Value) -> Answer {
    let Some(run_id) = started_run_id(started) else {
        let mut answer = started.clone();
        answer["note"] = "Triggered, but Hatchet's answer names no run id to wait for.".into();
        return output::item(answer);
    };
    if call.takes_tasks {
        let status = started.pointer("/run/status").and_then(Value::as_str);
        let wait = WaitSeconds::default();
        return defer(call, run_id, true, wait, status.unwrap_or("QUEUED"));
    }
    output::item(
        match wait_until_finished(call, run_id, WaitSeconds::default()).await {
            Ok(finished) => finished,
            Err(error) => json!({
                "workflow_run_id": run_id,
                "note": match call.offered.either(&[("wait_for_run", "wait_for_run"), ("get_run", "get_run")]) {
                    Some(check) => format!("Triggered; the wait for its end failed: {error} Check with {check}."),
                    None => format!("Triggered; the wait for its end failed: {error}"),
                },
            }),
        },
    )
}

/// A failed run's answer carries `describe_run_failure`'s report; if that cannot be read, the
/// answer says so and still gives the status.
async fn attach_failure(answer: &mut Value, call: &Call, run_id: Uuid) {
    match super::diagnose::failure_summary(call, run_id).await {
        Ok(failure) => {
            answer["failure"] = failure;
            if let Some(object) = answer.as_object_mut() {
                object.remove("note");
            }
        }
        Err(error) => {
            let retry = call
                .offered
                .hint("describe_run_failure", " Try describe_run_failure.", "");
            answer["note"] =
                format!("The run failed; its failure report could not be read ({error}).{retry}")
                    .into();
        }
    }
}

fn outcome(
    run_id: Uuid,
    status: &str,
    waited: Duration,
    timeout: Duration,
    offered: &Offered,
) -> Value {
    let mut answer = json!({
        "workflow_run_id": run_id,
        "status": status,
        "waited_s": waited.as_secs(),
    });
    if !is_finished(status) {
        answer["timed_out"] = true.into();
        let next = offered
            .either(&[
                ("wait_for_run", "Call wait_for_run again"),
                ("get_run", "read its tasks with get_run"),
            ])
            .map(|next| format!(" {}.", crate::text::capitalised(&next)))
            .unwrap_or_default();
        answer["note"] = format!("Still {status} after {}s.{next}", timeout.as_secs()).into();
    } else if status == "FAILED" {
        answer["note"] = offered
            .hint(
                "get_run",
                "The run failed: get_run shows its tasks and errors.",
                "The run failed.",
            )
            .into();
    }
    answer
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_finished_run_answers_its_status_and_a_timed_out_one_says_what_next() {
        let run = Uuid::nil();
        let done = outcome(
            run,
            "COMPLETED",
            Duration::from_secs(3),
            Duration::from_secs(120),
            &Offered::default(),
        );
        assert_eq!(
            done,
            json!({"workflow_run_id": run, "status": "COMPLETED", "waited_s": 3})
        );
        let late = outcome(
            run,
            "RUNNING",
            Duration::from_secs(5),
            Duration::from_secs(5),
            &Offered::default(),
        );
        assert_eq!(late["timed_out"], true);
        assert!(
            late["note"]
                .as_str()
                .unwrap()
                .contains("wait_for_run again")
        );
    }

    #[test]
    fn what_next_names_only_offered_tools() {
        let run = Uuid::nil();
        let (status, second) = ("RUNNING", Duration::from_secs(1));
        let note =
            |offered: &Offered| outcome(run, status, second, second, offered)["note"].clone();
        assert_eq!(
            note(&Offered::only(["get_run"])),
            "Still RUNNING after 1s. Read its tasks with get_run."
        );
        assert_eq!(
            note(&Offered::only(["wait_for_run", "get_run"])),
            "Still RUNNING after 1s. Call wait_for_run again, or read its tasks with get_run."
        );
        assert_eq!(
            note(&Offered::only(["list_runs"])),
            "Still RUNNING after 1s."
        );
        let failed = outcome(run, "FAILED", second, second, &Offered::only(["list_runs"]));
        assert_eq!(failed["note"], "The run failed.");
    }
}
