//! Prompts: guided, read-only investigations. Each returns one user message that walks the
//! model through named read tools in order and says what to report. None asks for a change.

use rmcp::{
    ErrorData as McpError,
    model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role},
};
use serde_json::Value;
use uuid::Uuid;

use super::args::JsonObject;

const DEFAULT_HOURS: u32 = 24;

pub fn list() -> Vec<Prompt> {
    let hours = || {
        PromptArgument::new("hours")
            .with_description("How far back to look, in hours (a positive integer; default 24).")
            .with_required(false)
    };
    vec![
        Prompt::new(
            "triage_failed_runs",
            Some("Group recent failed runs by workflow and cause, with evidence from logs."),
            Some(vec![hours()]),
        )
        .with_title("Triage failed runs"),
        Prompt::new(
            "debug_run",
            Some("Explain why one workflow run failed or is stuck."),
            Some(vec![
                PromptArgument::new("workflow_run_id")
                    .with_description("The run's UUID.")
                    .with_required(true),
            ]),
        )
        .with_title("Debug a run"),
        Prompt::new(
            "tenant_health",
            Some("Backlog, failure rate and unhealthy workers of the tenant."),
            Some(vec![hours()]),
        )
        .with_title("Tenant health"),
    ]
}

/// Renders a prompt; bad or unknown arguments are invalid-params errors.
pub fn get(name: &str, arguments: Option<JsonObject>) -> Result<GetPromptResult, McpError> {
    let arguments = arguments.unwrap_or_default();
    let (description, text) = match name {
        "triage_failed_runs" => {
            only(&arguments, &["hours"])?;
            let hours = hours(&arguments)?;
            (
                format!("Triage the runs that failed in the last {hours} hours"),
                triage_failed_runs(hours),
            )
        }
        "debug_run" => {
            only(&arguments, &["workflow_run_id"])?;
            let run = run_id(&arguments)?;
            (format!("Debug workflow run {run}"), debug_run(run))
        }
        "tenant_health" => {
            only(&arguments, &["hours"])?;
            let hours = hours(&arguments)?;
            (
                format!("Tenant health over the last {hours} hours"),
                tenant_health(hours),
            )
        }
        other => {
            return Err(McpError::invalid_params(
                format!(
                    "Unknown prompt {other:?}; prompts/list names triage_failed_runs, debug_run and tenant_health."
                ),
                None,
            ));
        }
    };
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(description),
    )
}

fn only(arguments: &JsonObject, allowed: &[&str]) -> Result<(), McpError> {
    match arguments.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(McpError::invalid_params(
            format!(
                "Unknown prompt argument `{unknown}`; valid: {}.",
                allowed.join(", ")
            ),
            None,
        )),
        None => Ok(()),
    }
}

/// Prompt arguments arrive as strings; a JSON number is accepted too.
fn text_of(value: &Value) -> String {
    value
        .as_str()
        .map_or_else(|| value.to_string(), |s| s.trim().to_owned())
}

fn hours(arguments: &JsonObject) -> Result<u32, McpError> {
    let Some(value) = arguments.get("hours").filter(|v| !v.is_null()) else {
        return Ok(DEFAULT_HOURS);
    };
    let text = text_of(value);
    text.parse::<u32>().ok().filter(|h| *h > 0).ok_or_else(|| {
        McpError::invalid_params(
            format!("Prompt argument `hours` must be a positive integer, got {text:?}."),
            None,
        )
    })
}

fn run_id(arguments: &JsonObject) -> Result<Uuid, McpError> {
    let Some(value) = arguments.get("workflow_run_id").filter(|v| !v.is_null()) else {
        return Err(McpError::invalid_params(
            "Prompt argument `workflow_run_id` is required (a UUID).",
            None,
        ));
    };
    let text = text_of(value);
    Uuid::try_parse(&text).map_err(|_| {
        McpError::invalid_params(
            format!("Prompt argument `workflow_run_id` must be a UUID, got {text:?}."),
            None,
        )
    })
}

fn triage_failed_runs(hours: u32) -> String {
    format!(
        "Triage the workflow runs that failed in this Hatchet tenant in the last {hours} hours. Change nothing: use only read tools.\n\n\
         1. Call list_runs with statuses=[\"FAILED\"] and since=\"{hours}h\". Page with offset while next_offset is not null; stop after 200 runs and say so.\n\
         2. Group the failures by workflow, then by error message.\n\
         3. For each large group, call get_run on one or two of its runs to find the task that failed and its error.\n\
         4. Call get_task_logs on that task (levels ERROR and WARN first) to find the cause.\n\n\
         Report: a table of workflows with their failure counts; for each group, the likely cause with evidence (error text, decisive log lines, run ids); \
         whether the failures are ongoing or clustered in time; and what to investigate or fix next. Do not cancel, replay, trigger or change anything."
    )
}

fn debug_run(run: Uuid) -> String {
    format!(
        "Explain why the Hatchet workflow run {run} failed, or why it is stuck. Change nothing: use only read tools.\n\n\
         1. Call get_run with workflow_run_id=\"{run}\": the run's status, its tasks with their errors and attempts, and its task events.\n\
         2. Call get_run_timings with workflow_run_id=\"{run}\": where the time went; note long waits in the queue.\n\
         3. For each failed task (or, if none failed, the longest-running one), call get_task_logs with its task id.\n\
         4. Call get_trace with workflow_run_id=\"{run}\" for its spans, if any were recorded.\n\n\
         Report: what the run was doing, which task failed and why (quote the error and the decisive log lines), \
         whether it was retried, and the most likely fix. Do not cancel, replay, trigger or change anything."
    )
}

fn tenant_health(hours: u32) -> String {
    format!(
        "Assess the health of this Hatchet tenant over the last {hours} hours. Change nothing: use only read tools.\n\n\
         1. Call get_queue_metrics: which queues have work waiting now, and how much.\n\
         2. Call get_task_metrics with since=\"{hours}h\": task counts per status; compute the failure rate FAILED / (COMPLETED + FAILED).\n\
         3. Call list_workers: which workers are ACTIVE, INACTIVE or PAUSED, their last heartbeats and free slots.\n\n\
         Report: the backlog (queues and depth), the failure rate, unhealthy workers (inactive, paused, stale heartbeat, no free slots), \
         and what needs attention, most urgent first. Do not pause, resume or change anything."
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn text(result: &GetPromptResult) -> String {
        result.messages[0].content.as_text().unwrap().text.clone()
    }

    fn args(value: Value) -> Option<JsonObject> {
        value.as_object().cloned()
    }

    #[test]
    fn each_prompt_is_one_user_message_naming_its_tools_in_order() {
        let cases = [
            (
                "triage_failed_runs",
                json!({"hours": "6"}),
                vec!["list_runs", "get_run", "get_task_logs"],
            ),
            (
                "debug_run",
                json!({"workflow_run_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}),
                vec!["get_run", "get_run_timings", "get_task_logs", "get_trace"],
            ),
            (
                "tenant_health",
                json!({}),
                vec!["get_queue_metrics", "get_task_metrics", "list_workers"],
            ),
        ];
        for (name, arguments, tools) in cases {
            let result = get(name, args(arguments)).unwrap();
            assert_eq!(result.messages.len(), 1);
            assert_eq!(result.messages[0].role, Role::User);
            let text = text(&result);
            let positions: Vec<usize> = tools
                .iter()
                .map(|t| text.find(t).unwrap_or_else(|| panic!("{name} lacks {t}")))
                .collect();
            assert!(
                positions.windows(2).all(|w| w[0] < w[1]),
                "{name}: tools out of order"
            );
            assert!(
                text.contains("Change nothing") && text.contains("Report:"),
                "{name}"
            );
        }
        assert!(text(&get("triage_failed_runs", None).unwrap()).contains("since=\"24h\""));
        assert!(
            text(&get("triage_failed_runs", args(json!({"hours": "6"}))).unwrap())
                .contains("since=\"6h\"")
        );
    }

    #[test]
    fn prompts_never_name_a_mutating_tool() {
        let mutating: Vec<String> = crate::mcp::tools::all()
            .into_iter()
            .filter(|t| t.is_mutating())
            .map(|t| t.name.into_owned())
            .collect();
        for prompt in list() {
            let arguments = if prompt.name == "debug_run" {
                args(json!({"workflow_run_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}))
            } else {
                None
            };
            let text = text(&get(&prompt.name, arguments).unwrap());
            for tool in &mutating {
                assert!(
                    !text.contains(tool.as_str()),
                    "{} mentions {tool}",
                    prompt.name
                );
            }
        }
    }

    #[test]
    fn bad_arguments_are_invalid_params() {
        let cases = [
            (
                "triage_failed_runs",
                json!({"hours": "0"}),
                "`hours` must be a positive integer, got \"0\"",
            ),
            (
                "tenant_health",
                json!({"hours": "a day"}),
                "`hours` must be a positive integer",
            ),
            (
                "tenant_health",
                json!({"hours": "-3"}),
                "`hours` must be a positive integer",
            ),
            ("debug_run", json!({}), "`workflow_run_id` is required"),
            (
                "debug_run",
                json!({"workflow_run_id": "run-1"}),
                "`workflow_run_id` must be a UUID",
            ),
            (
                "debug_run",
                json!({"workflow_run_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "verbose": "1"}),
                "Unknown prompt argument `verbose`",
            ),
            ("summarise", json!({}), "Unknown prompt \"summarise\""),
        ];
        for (name, arguments, expected) in cases {
            let error = get(name, args(arguments)).unwrap_err();
            assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS);
            assert!(
                error.message.contains(expected),
                "{name}: {}",
                error.message
            );
        }
    }
}
