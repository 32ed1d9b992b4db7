//! The tool catalogue: every built-in tool, one file per domain. Each file defines its tools
//! ([`ToolSpec`]s with named metadata) and their short handlers; the registry
//! ([`crate::mcp::registry`]) defines what a tool is and how it is called.
//!
//! A handler receives typed arguments (parsed and validated against the tool's own schema)
//! and a [`Call`], calls one client function, and shapes the
//! answer with [`output`](super::output).

mod bulk;
pub mod context;
mod diagnose;
mod events;
mod filters;
mod guides;
mod logs;
mod metrics;
mod run_view;
mod runs;
mod schedules;
mod tasks;
mod waiting;
mod webhooks;
mod workers;
mod workflows;

pub use context::{Call, Registry, ToolContext, ToolSpec};
pub use guides::instructions;
pub(crate) use waiting::{Polled, cancel_task, poll_task, triggered, wait_after_trigger};

use crate::mcp::registry::{Toolsets, Withheld};

/// Every tool of the catalogue, opt-in ones included, in the order `tools/list` shows them.
pub fn all() -> Vec<ToolSpec> {
    [
        workflows::read_tools(),
        runs::read_tools(),
        tasks::read_tools(),
        workers::read_tools(),
        events::read_tools(),
        schedules::read_tools(),
        filters::read_tools(),
        metrics::read_tools(),
        waiting::opt_in_tools(),
        workflows::opt_in_tools(),
        logs::opt_in_tools(),
        webhooks::opt_in_tools(),
        diagnose::opt_in_tools(),
        runs::mutating_tools(),
        bulk::mutating_tools(),
        tasks::mutating_tools(),
        events::mutating_tools(),
        workflows::mutating_tools(),
        workers::mutating_tools(),
        schedules::mutating_tools(),
        filters::mutating_tools(),
        runs::opt_in_mutating_tools(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// How a single-object tool shapes its answer, when it does more than return the API's
/// object (for the tool reference).
pub fn answer_view(tool: &str) -> Option<&'static str> {
    (tool == "get_run").then_some(run_view::DESCRIBED)
}

/// The standard surface in this mode (`HATCHET_MCP_TOOLSETS` unset): in read-only mode, no
/// mutating tool at all.
pub fn registered(read_only: bool) -> Vec<ToolSpec> {
    selected(&Toolsets::default(), read_only)
}

/// The tools `toolsets` and the mode register, in catalogue order.
pub fn selected(toolsets: &Toolsets, read_only: bool) -> Vec<ToolSpec> {
    all()
        .into_iter()
        .filter(|tool| withheld_because(tool, toolsets, read_only).is_none())
        .collect()
}

/// The registry a server starts with: the registered tools, and why each other tool of the
/// catalogue is left out.
pub fn registry(toolsets: &Toolsets, read_only: bool) -> Registry {
    let mut registered = Vec::new();
    let mut withheld = Vec::new();
    for tool in all() {
        match withheld_because(&tool, toolsets, read_only) {
            None => registered.push(tool),
            Some(why) => withheld.push((tool.name.into_owned(), why)),
        }
    }
    Registry::new(registered, withheld)
}

/// The mode is checked first: a toolset never widens it.
fn withheld_because(tool: &ToolSpec, toolsets: &Toolsets, read_only: bool) -> Option<Withheld> {
    if read_only && tool.is_mutating() {
        Some(Withheld::ReadOnly)
    } else if !toolsets.includes(tool.group, tool.in_default) {
        Some(Withheld::Toolset(tool.group))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::registry::Group;

    #[test]
    fn read_only_mode_registers_no_mutating_tool() {
        assert!(registered(true).iter().all(|t| !t.is_mutating()));
        let registry = registry(&Toolsets::default(), true);
        assert!(registry.snapshot().tools().iter().all(|t| !t.is_mutating()));
        assert_eq!(registry.withheld("cancel_runs"), Some(Withheld::ReadOnly));
    }

    #[test]
    fn a_toolset_narrows_the_surface_but_never_widens_the_mode() {
        let toolsets = Toolsets::parse("runs,tasks").unwrap();
        let tools = selected(&toolsets, true);
        assert!(!tools.is_empty());
        assert!(
            tools
                .iter()
                .all(|t| matches!(t.group, Group::Runs | Group::Tasks) && !t.is_mutating())
        );
        let registry = registry(&toolsets, true);
        assert_eq!(
            registry.withheld("list_workers"),
            Some(Withheld::Toolset(Group::Workers))
        );
        assert_eq!(registry.withheld("cancel_runs"), Some(Withheld::ReadOnly));
        let all = Toolsets::parse("all").unwrap();
        assert_eq!(selected(&all, false).len(), super::all().len());
    }

    #[test]
    fn every_mutating_tool_declares_its_audit_targets_from_its_own_arguments() {
        for tool in all() {
            let targets = tool.targets;
            if !tool.is_mutating() {
                assert_eq!(targets, Default::default(), "{}", tool.name);
                continue;
            }
            assert!(
                !targets.arguments.is_empty(),
                "{} declares no target",
                tool.name
            );
            let properties = tool.input_schema["properties"].as_object().unwrap();
            for name in targets
                .arguments
                .iter()
                .chain(targets.filter.unwrap_or(&[]))
            {
                assert!(
                    properties.contains_key(*name),
                    "{}: no argument {name}",
                    tool.name
                );
            }
        }
    }

    #[test]
    fn every_group_has_a_read_tool_and_names_are_unique() {
        let tools = all();
        for group in Group::ALL {
            assert!(
                tools.iter().any(|t| t.group == group && !t.is_mutating()),
                "{group:?}"
            );
        }
        let mut names: Vec<&str> = tools.iter().map(|t| &*t.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), tools.len());
    }
}
