//! The tool registry as a whole: which tools each mode registers, their annotations, and
//! what `tools/list` costs the agent in every conversation.

use std::sync::Arc;

use hatchet_mcp::mcp::{
    registry::{Effect, Toolsets},
    tools,
};
use serde_json::json;

/// The default surface, as the project card promises it: the one place these names and
/// counts are written down. Every other test derives them from the registry.
const READ_TOOLS: [&str; 24] = [
    "list_workflows",
    "get_workflow",
    "list_runs",
    "get_run",
    "get_run_status",
    "get_task",
    "get_task_logs",
    "list_task_events",
    "list_workers",
    "get_worker",
    "list_events",
    "get_event",
    "list_event_keys",
    "list_crons",
    "get_cron",
    "list_scheduled",
    "list_rate_limits",
    "list_filters",
    "get_filter",
    "cel_debug",
    "get_queue_metrics",
    "get_task_metrics",
    "get_run_timings",
    "get_trace",
];

const MUTATING_TOOLS: [&str; 17] = [
    "trigger_workflow",
    "cancel_runs",
    "replay_runs",
    "restore_task",
    "push_event",
    "pause_workflow",
    "resume_workflow",
    "pause_worker",
    "resume_worker",
    "create_cron",
    "delete_cron",
    "create_scheduled",
    "delete_scheduled",
    "reschedule",
    "create_filter",
    "update_filter",
    "delete_filter",
];

/// Budgets for the `tools/list` result, compact JSON: every byte is paid in every
/// conversation. Read-only grew from 11,000 to 11,500 when the list tools' `limit`, `offset`
/// and `detail` were listed (a client may not pass the instructions that described them);
/// read-write grew by as much, plus the description of the trigger tools' `wait`. Each grew
/// by 54 bytes per tool that points at the MCP Apps run view (`_meta.ui.resourceUri`):
/// get_run and describe_run_failure by default, wait_for_run too with every toolset.
const READ_ONLY_BUDGET: usize = 11_608;
const READ_WRITE_BUDGET: usize = 19_858;

/// With every toolset on, read-only: the widest surface a user can pick without mutating.
const ALL_TOOLSETS_READ_ONLY_BUDGET: usize = 17_912;

fn tools_list_bytes(read_only: bool) -> usize {
    listed_bytes(&tools::registered(read_only))
}

fn listed_bytes(tools: &[hatchet_mcp::mcp::tools::ToolSpec]) -> usize {
    let listed: Vec<_> = tools.iter().map(|t| t.to_mcp()).collect();
    serde_json::to_string(&json!({ "tools": listed }))
        .unwrap()
        .len()
}

#[test]
fn the_default_surface_is_the_cards_24_read_and_17_mutating_tools() {
    let names = |tools: Vec<hatchet_mcp::mcp::tools::ToolSpec>| {
        let mut names: Vec<String> = tools.into_iter().map(|t| t.name.into_owned()).collect();
        names.sort_unstable();
        names
    };
    let sorted = |list: &[&str]| {
        let mut list: Vec<String> = list.iter().map(|n| (*n).to_owned()).collect();
        list.sort_unstable();
        list
    };
    assert_eq!(names(tools::registered(true)), sorted(&READ_TOOLS));
    let mutating = tools::registered(false)
        .into_iter()
        .filter(|t| t.is_mutating())
        .collect();
    assert_eq!(names(mutating), sorted(&MUTATING_TOOLS));
    assert_eq!(
        names(tools::registered(false)),
        sorted(&[READ_TOOLS.as_slice(), MUTATING_TOOLS.as_slice()].concat())
    );
}

#[test]
fn read_write_tools_list_fits_the_context_budget() {
    let bytes = tools_list_bytes(false);
    println!(
        "read-write tools/list: {bytes} bytes for {} tools (budget {READ_WRITE_BUDGET})",
        tools::registered(false).len()
    );
    assert!(
        bytes <= READ_WRITE_BUDGET,
        "read-write tools/list is {bytes} bytes, over {READ_WRITE_BUDGET}"
    );
}

#[test]
fn read_only_tools_list_fits_the_context_budget() {
    let bytes = tools_list_bytes(true);
    println!(
        "read-only tools/list: {bytes} bytes for {} tools (budget {READ_ONLY_BUDGET})",
        tools::registered(true).len()
    );
    assert!(
        bytes <= READ_ONLY_BUDGET,
        "read-only tools/list is {bytes} bytes, over {READ_ONLY_BUDGET}"
    );
}

#[test]
fn all_toolsets_in_read_only_mode_fit_their_budget() {
    let all = Toolsets::parse("all").unwrap();
    let bytes = listed_bytes(&tools::selected(&all, true));
    println!("all toolsets, read-only: {bytes} bytes (budget {ALL_TOOLSETS_READ_ONLY_BUDGET})");
    assert!(
        bytes <= ALL_TOOLSETS_READ_ONLY_BUDGET,
        "tools/list with every toolset is {bytes} bytes, over {ALL_TOOLSETS_READ_ONLY_BUDGET}"
    );
}

#[test]
fn the_instructions_describe_lists_only_where_a_list_tool_is_registered() {
    let client = crate::support::fake::client_at("http://127.0.0.1:9", true);
    let instructions = |names: &str| {
        let toolsets = Toolsets::parse(names).unwrap();
        let tools: Vec<_> = tools::selected(&toolsets, true)
            .into_iter()
            .map(Arc::new)
            .collect();
        tools::instructions(&client, &toolsets, &tools)
    };
    assert!(instructions("default").contains("detail=\"full\""));
    let diagnose_only = instructions("diagnose");
    assert!(
        diagnose_only.contains("describe_run_failure") && !diagnose_only.contains("detail="),
        "{diagnose_only}"
    );
}

#[test]
fn every_tool_sets_a_title_and_all_four_hints_matching_its_effect() {
    for spec in tools::all() {
        let tool = spec.to_mcp();
        let a = tool
            .annotations
            .as_ref()
            .unwrap_or_else(|| panic!("{} has no annotations", spec.name));
        assert!(
            a.title.as_deref().is_some_and(|t| !t.is_empty()),
            "{} has no title",
            spec.name
        );
        let hints = (
            a.read_only_hint,
            a.destructive_hint,
            a.idempotent_hint,
            a.open_world_hint,
        );
        match spec.effect {
            Effect::Read => assert_eq!(
                hints,
                (Some(true), Some(false), Some(true), Some(true)),
                "{}",
                spec.name
            ),
            Effect::Mutating { idempotent, .. } => {
                assert_eq!(
                    hints,
                    (Some(false), Some(true), Some(idempotent), Some(true)),
                    "{}",
                    spec.name
                );
                assert!(
                    spec.description.starts_with("MUTATES LIVE STATE."),
                    "{}",
                    spec.name
                );
            }
        }
    }
}

#[test]
fn descriptions_are_short_and_names_unique() {
    let all = tools::all();
    for tool in &all {
        assert!(
            tool.description.len() <= 200,
            "{}: description is {} chars",
            tool.name,
            tool.description.len()
        );
        assert_eq!(
            all.iter().filter(|t| t.name == tool.name).count(),
            1,
            "{} twice",
            tool.name
        );
    }
}
