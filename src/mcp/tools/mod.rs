//! The tool catalogue: every built-in tool, one file per domain. Each file defines its tools
//! ([`ToolSpec`]s with named metadata) and their short handlers; the registry
//! ([`crate::mcp::registry`]) defines what a tool is and how it is called.
//!
//! A handler receives typed arguments (parsed and validated against the tool's own schema)
//! and a [`Call`](crate::mcp::registry::Call), calls one client function, and shapes the
//! answer with [`output`](super::output).

mod bulk;
mod events;
mod filters;
mod metrics;
mod runs;
mod schedules;
mod tasks;
mod workers;
mod workflows;

use crate::mcp::registry::{Registry, ToolSpec};

/// Every tool, in the order `tools/list` shows them.
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
        runs::mutating_tools(),
        bulk::mutating_tools(),
        tasks::mutating_tools(),
        events::mutating_tools(),
        workflows::mutating_tools(),
        workers::mutating_tools(),
        schedules::mutating_tools(),
        filters::mutating_tools(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The tools this mode registers: in read-only mode, no mutating tool at all.
pub fn registered(read_only: bool) -> Vec<ToolSpec> {
    all()
        .into_iter()
        .filter(|tool| !(read_only && tool.is_mutating()))
        .collect()
}

/// The registry a server in this mode starts with: the registered tools, and the names of
/// those the mode leaves out.
pub fn registry(read_only: bool) -> Registry {
    let (registered, withheld): (Vec<ToolSpec>, Vec<ToolSpec>) = all()
        .into_iter()
        .partition(|tool| !(read_only && tool.is_mutating()));
    let withheld = withheld.into_iter().map(|t| t.name.into_owned()).collect();
    Registry::new(registered, withheld)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_only_mode_registers_no_mutating_tool() {
        assert!(registered(true).iter().all(|t| !t.is_mutating()));
        let registry = registry(true);
        assert!(registry.snapshot().tools().iter().all(|t| !t.is_mutating()));
        assert!(registry.is_withheld("cancel_runs"));
    }

    #[test]
    fn every_group_has_a_read_tool_and_names_are_unique() {
        let tools = all();
        for group in crate::mcp::registry::Group::ALL {
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
