//! Prompts: guided, read-only investigations. Each returns one user message that walks the
//! model through named read tools in order and says what to report. None asks for a change.
//!
//! A prompt is assembled from the tools the server registers: a step whose tool is not
//! registered is left out (the message says which toolsets would bring it, never the tool's
//! name), and a prompt none of whose essential tools is registered is not listed at all.

use rmcp::{
    ErrorData as McpError,
    model::{GetPromptResult, Prompt, PromptArgument, PromptMessage, Role},
};
use serde_json::Value;
use uuid::Uuid;

use super::{args::JsonObject, registry::Withheld};
use crate::mcp::tools::Registry;
use crate::text::preview;

const DEFAULT_HOURS: u32 = 24;

/// One prompt: what `prompts/list` shows, and the tools without which it has no point.
struct Definition {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    /// Listed when at least one of these is registered.
    essential: &'static [&'static str],
    /// Its arguments (`hours` optional, or `workflow_run_id` required).
    takes_run: bool,
    /// Checks the arguments and writes the prompt.
    render: fn(&JsonObject) -> Result<Rendered, McpError>,
}

/// A prompt written for its arguments: its description, the task, the steps and the shape
/// of the report asked for.
struct Rendered {
    description: String,
    intro: String,
    steps: Vec<Step>,
    report: &'static str,
}

const PROMPTS: [Definition; 3] = [
    Definition {
        name: "triage_failed_runs",
        title: "Triage failed runs",
        description: "Group recent failed runs by workflow and cause, with evidence from logs.",
        essential: &["list_runs"],
        takes_run: false,
        render: |arguments| {
            only(arguments, &["hours"])?;
            let hours = hours(arguments)?;
            Ok(Rendered {
                description: format!("Triage the runs that failed in the last {hours} hours"),
                intro: format!(
                    "Triage the workflow runs that failed in this Hatchet tenant in the last {hours} hours."
                ),
                steps: triage_failed_runs(hours),
                report: TRIAGE_REPORT,
            })
        },
    },
    Definition {
        name: "debug_run",
        title: "Debug a run",
        description: "Explain why one workflow run failed or is stuck.",
        essential: &["get_run"],
        takes_run: true,
        render: |arguments| {
            only(arguments, &["workflow_run_id"])?;
            let run = run_id(arguments)?;
            Ok(Rendered {
                description: format!("Debug workflow run {run}"),
                intro: format!(
                    "Explain why the Hatchet workflow run {run} failed, or why it is stuck."
                ),
                steps: debug_run(run),
                report: DEBUG_REPORT,
            })
        },
    },
    Definition {
        name: "tenant_health",
        title: "Tenant health",
        description: "Backlog, failure rate and unhealthy workers of the tenant.",
        essential: &["get_queue_metrics", "get_task_metrics", "list_workers"],
        takes_run: false,
        render: |arguments| {
            only(arguments, &["hours"])?;
            let hours = hours(arguments)?;
            Ok(Rendered {
                description: format!("Tenant health over the last {hours} hours"),
                intro: format!(
                    "Assess the health of this Hatchet tenant over the last {hours} hours."
                ),
                steps: tenant_health(hours),
                report: HEALTH_REPORT,
            })
        },
    },
];

/// One step of a prompt: the tool it calls (none for a step of reasoning), and its text,
/// which names no other tool.
struct Step {
    tool: Option<&'static str>,
    text: String,
}

fn call(tool: &'static str, text: String) -> Step {
    Step {
        tool: Some(tool),
        text,
    }
}

fn think(text: &str) -> Step {
    Step {
        tool: None,
        text: text.to_owned(),
    }
}

fn registered(registry: &Registry, tool: &str) -> bool {
    registry.find(tool).is_some()
}

fn available(registry: &Registry, definition: &Definition) -> bool {
    definition
        .essential
        .iter()
        .any(|tool| registered(registry, tool))
}

/// The prompts this server's tools can carry out.
pub fn list(registry: &Registry) -> Vec<Prompt> {
    PROMPTS
        .iter()
        .filter(|definition| available(registry, definition))
        .map(|definition| {
            let argument = if definition.takes_run {
                PromptArgument::new("workflow_run_id")
                    .with_description("The run's UUID.")
                    .with_required(true)
            } else {
                PromptArgument::new("hours")
                    .with_description(
                        "How far back to look, in hours (a positive integer; default 24).",
                    )
                    .with_required(false)
            };
            Prompt::new(
                definition.name,
                Some(definition.description),
                Some(vec![argument]),
            )
            .with_title(definition.title)
        })
        .collect()
}

/// Renders a prompt; bad or unknown arguments, and a prompt this server cannot carry out,
/// are invalid-params errors.
pub fn get(
    name: &str,
    arguments: Option<JsonObject>,
    registry: &Registry,
) -> Result<GetPromptResult, McpError> {
    let arguments = arguments.unwrap_or_default();
    let Some(definition) = PROMPTS.iter().find(|d| d.name == name) else {
        let listed: Vec<&str> = PROMPTS
            .iter()
            .filter(|d| available(registry, d))
            .map(|d| d.name)
            .collect();
        return Err(McpError::invalid_params(
            format!(
                "Unknown prompt `{}`; prompts/list names {}.",
                preview(name),
                if listed.is_empty() {
                    "none on this server".to_owned()
                } else {
                    listed.join(", ")
                }
            ),
            None,
        ));
    };
    if !available(registry, definition) {
        return Err(McpError::invalid_params(
            format!(
                "Prompt `{name}` is not available: {}.",
                bringing(registry, definition.essential)
            ),
            None,
        ));
    }
    let Rendered {
        description,
        intro,
        steps,
        report,
    } = (definition.render)(&arguments)?;
    let text = assemble(&intro, steps, report, registry);
    Ok(
        GetPromptResult::new(vec![PromptMessage::new_text(Role::User, text)])
            .with_description(description),
    )
}

/// The message: the introduction, the steps whose tools are registered (numbered), a note
/// on the toolsets that would bring the others, and what to report.
fn assemble(intro: &str, steps: Vec<Step>, report: &str, registry: &Registry) -> String {
    let (kept, left_out): (Vec<Step>, Vec<Step>) = steps
        .into_iter()
        .partition(|step| step.tool.is_none_or(|tool| registered(registry, tool)));
    let mut text = format!("{intro} Change nothing: use only read tools.\n\n");
    for (n, step) in kept.iter().enumerate() {
        text.push_str(&format!("{}. {}\n", n + 1, step.text));
    }
    let missing: Vec<&str> = left_out.iter().filter_map(|step| step.tool).collect();
    if !missing.is_empty() {
        text.push_str(&format!(
            "({} more step{} left out: {}.)\n",
            missing.len(),
            crate::text::plural(missing.len()),
            bringing(registry, &missing)
        ));
    }
    text.push('\n');
    text.push_str(report);
    text
}

/// What would register `tools`, by toolset, without naming them: "the tasks and metrics
/// toolsets are not registered (add them to HATCHET_MCP_TOOLSETS)".
fn bringing(registry: &Registry, tools: &[&str]) -> String {
    let mut toolsets: Vec<&str> = Vec::new();
    for tool in tools {
        if let Some(Withheld::Toolset(group)) = registry.withheld(tool)
            && !toolsets.contains(&group.name())
        {
            toolsets.push(group.name());
        }
    }
    match toolsets.as_slice() {
        [] => "its tools are not registered on this server".to_owned(),
        [one] => format!(
            "its tools are in the `{one}` toolset, which this server does not register (add it to HATCHET_MCP_TOOLSETS)"
        ),
        many => format!(
            "its tools are in the {} toolsets, which this server does not register (add them to HATCHET_MCP_TOOLSETS)",
            many.iter()
                .map(|name| format!("`{name}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn only(arguments: &JsonObject, allowed: &[&str]) -> Result<(), McpError> {
    match arguments.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(unknown) => Err(McpError::invalid_params(
            format!(
                "Unknown prompt argument `{}`; valid: {}.",
                preview(unknown),
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
            format!(
                "Prompt argument `hours` must be a positive integer, got {:?}.",
                preview(&text)
            ),
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
            format!(
                "Prompt argument `workflow_run_id` must be a UUID, got {:?}.",
                preview(&text)
            ),
            None,
        )
    })
}

fn triage_failed_runs(hours: u32) -> Vec<Step> {
    vec![
        call(
            "list_runs",
            format!(
                "Call list_runs with statuses=[\"FAILED\"] and since=\"{hours}h\". Page with offset while next_offset is not null; stop after 200 runs and say so."
            ),
        ),
        think("Group the failures by workflow, then by error message."),
        call(
            "get_run",
            "For each large group, call get_run on one or two of its runs to find the task that failed and its error.".into(),
        ),
        call(
            "get_task_logs",
            "Call get_task_logs on the task that failed (levels ERROR and WARN first) to find the cause.".into(),
        ),
    ]
}

const TRIAGE_REPORT: &str = "Report: a table of workflows with their failure counts; for each group, the likely cause with evidence (error text, decisive log lines, run ids); \
     whether the failures are ongoing or clustered in time; and what to investigate or fix next. Do not cancel, replay, trigger or change anything.";

fn debug_run(run: Uuid) -> Vec<Step> {
    vec![
        call(
            "get_run",
            format!(
                "Call get_run with workflow_run_id=\"{run}\": the run's status, its tasks with their errors and attempts, and its task events."
            ),
        ),
        call(
            "get_run_timings",
            format!(
                "Call get_run_timings with workflow_run_id=\"{run}\": where the time went; note long waits in the queue."
            ),
        ),
        call(
            "get_task_logs",
            "For each failed task (or, if none failed, the longest-running one), call get_task_logs with its task id.".into(),
        ),
        call(
            "get_trace",
            format!(
                "Call get_trace with workflow_run_id=\"{run}\" for its spans, if any were recorded."
            ),
        ),
    ]
}

const DEBUG_REPORT: &str = "Report: what the run was doing, which task failed and why (quote the error and the decisive log lines), \
     whether it was retried, and the most likely fix. Do not cancel, replay, trigger or change anything.";

fn tenant_health(hours: u32) -> Vec<Step> {
    vec![
        call(
            "get_queue_metrics",
            "Call get_queue_metrics: which queues have work waiting now, and how much.".into(),
        ),
        call(
            "get_task_metrics",
            format!(
                "Call get_task_metrics with since=\"{hours}h\": task counts per status; compute the failure rate FAILED / (COMPLETED + FAILED)."
            ),
        ),
        call(
            "list_workers",
            "Call list_workers: which workers are ACTIVE, INACTIVE or PAUSED, their last heartbeats and free slots.".into(),
        ),
    ]
}

const HEALTH_REPORT: &str = "Report: the backlog (queues and depth), the failure rate, unhealthy workers (inactive, paused, stale heartbeat, no free slots), \
     and what needs attention, most urgent first. Do not pause, resume or change anything.";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mcp::{registry::Toolsets, tools};

    fn full() -> Registry {
        tools::registry(&Toolsets::default(), true)
    }

    fn get(name: &str, arguments: Option<JsonObject>) -> Result<GetPromptResult, McpError> {
        super::get(name, arguments, &full())
    }

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
        for prompt in list(&full()) {
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
            ("summarise", json!({}), "Unknown prompt `summarise`"),
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

    #[test]
    fn a_narrowed_toolset_leaves_out_steps_and_prompts_it_cannot_carry_out() {
        let runs_only = tools::registry(&Toolsets::parse("runs").unwrap(), true);
        let names: Vec<String> = list(&runs_only).into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["triage_failed_runs", "debug_run"]);
        let run = args(json!({"workflow_run_id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8"}));
        let debug = text(&super::get("debug_run", run, &runs_only).unwrap());
        assert!(debug.contains("1. Call get_run with"), "{debug}");
        for missing in ["get_run_timings", "get_task_logs", "get_trace", "2."] {
            assert!(!debug.contains(missing), "{debug}");
        }
        assert!(
            debug.contains(
                "(3 more steps left out: its tools are in the `metrics`, `tasks` toolsets"
            ),
            "{debug}"
        );
        let error = super::get("tenant_health", None, &runs_only).unwrap_err();
        assert!(
            error
                .message
                .contains("Prompt `tenant_health` is not available: its tools are in the `metrics`, `workers` toolsets"),
            "{}",
            error.message
        );
    }

    #[test]
    fn echoes_of_client_text_are_previews() {
        let long = "x".repeat(100_000);
        for (name, arguments) in [
            (long.as_str(), json!({})),
            ("triage_failed_runs", json!({"hours": long})),
            ("debug_run", json!({"workflow_run_id": long})),
            ("tenant_health", json!({(long.clone()): 1})),
        ] {
            let error = get(name, args(arguments)).unwrap_err();
            assert!(error.message.len() < 300, "{}", error.message.len());
        }
    }
}
