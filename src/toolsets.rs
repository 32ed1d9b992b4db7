//! Which tools a server registers, as settings: the groups (`HATCHET_MCP_TOOLSETS`) and
//! the workflows that get a typed tool (`HATCHET_MCP_WORKFLOW_TOOLS`). Plain values,
//! parsed once by `config`; the registry and the typed tools read them.
//!
//! `HATCHET_MCP_TOOLSETS` unset is `default`: the project's standard surface. A user can
//! widen it (`all`, or a group with opt-in tools) or narrow it to some domains
//! (`runs,tasks`). The mode still decides on mutating tools: a toolset never registers one
//! in read-only mode.

use std::{collections::HashMap, fmt};

/// A tool's domain: the unit toolsets are picked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Group {
    Workflows,
    Runs,
    Tasks,
    Workers,
    Events,
    /// Crons and scheduled runs.
    Schedules,
    Filters,
    /// Queue and task metrics, rate limits, timings and traces.
    Metrics,
    /// One-call investigations (why did it fail, what is stuck, what changed): opt-in.
    Diagnose,
    /// Tenant-wide log search: opt-in.
    Logs,
    /// Incoming webhooks: opt-in.
    Webhooks,
}

impl Group {
    pub const ALL: [Group; 11] = [
        Group::Workflows,
        Group::Runs,
        Group::Tasks,
        Group::Workers,
        Group::Events,
        Group::Schedules,
        Group::Filters,
        Group::Metrics,
        Group::Diagnose,
        Group::Logs,
        Group::Webhooks,
    ];

    /// The name configuration and docs use (`runs`).
    pub fn name(self) -> &'static str {
        match self {
            Group::Workflows => "workflows",
            Group::Runs => "runs",
            Group::Tasks => "tasks",
            Group::Workers => "workers",
            Group::Events => "events",
            Group::Schedules => "schedules",
            Group::Filters => "filters",
            Group::Metrics => "metrics",
            Group::Diagnose => "diagnose",
            Group::Logs => "logs",
            Group::Webhooks => "webhooks",
        }
    }

    pub fn from_name(name: &str) -> Option<Group> {
        Group::ALL.into_iter().find(|g| g.name() == name)
    }
}

/// The most workflow tools one server registers (`*` takes the first ones by name).
pub const MAX_WORKFLOW_TOOLS: usize = 50;

/// Which workflows get a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowToolsSpec {
    /// `*`: every workflow, up to [`MAX_WORKFLOW_TOOLS`].
    All,
    Named(Vec<String>),
}

impl WorkflowToolsSpec {
    /// Parses the variable's value: `*`, or a comma list of workflow names. Two names that
    /// make the same tool name are refused.
    pub fn parse(text: &str) -> Result<Self, String> {
        let names: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        if names.iter().any(|n| n == "*") {
            return if names.len() == 1 {
                Ok(Self::All)
            } else {
                Err("mixes `*` with names: give `*` alone, or names".into())
            };
        }
        if names.is_empty() {
            return Err("names no workflow: give `*` or a comma list of workflow names".into());
        }
        if names.len() > MAX_WORKFLOW_TOOLS {
            return Err(format!(
                "names {} workflows, more than {MAX_WORKFLOW_TOOLS}",
                names.len()
            ));
        }
        let mut seen: HashMap<String, &str> = HashMap::new();
        for name in &names {
            if let Some(other) = seen.insert(tool_name(name), name) {
                return Err(format!(
                    "names `{other}` and `{name}`, which would both be the tool `{}`: keep one",
                    tool_name(name)
                ));
            }
        }
        Ok(Self::Named(names))
    }
}

/// `run_<workflow>`, within MCP's tool-name rules: letters, digits, `_`, `-`, `.`, at most
/// 128 characters.
pub fn tool_name(workflow: &str) -> String {
    let sanitized: String = workflow
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("run_{sanitized}").chars().take(128).collect()
}

/// The active toolsets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toolsets {
    /// Every tool in the catalogue.
    all: bool,
    /// The standard surface: every tool not marked opt-in.
    default: bool,
    /// Whole groups, opt-in tools included.
    groups: Vec<Group>,
}

impl Default for Toolsets {
    fn default() -> Self {
        Self {
            all: false,
            default: true,
            groups: Vec::new(),
        }
    }
}

impl Toolsets {
    /// Every name `HATCHET_MCP_TOOLSETS` accepts.
    pub fn valid_names() -> Vec<&'static str> {
        let mut names = vec!["default", "all"];
        names.extend(Group::ALL.iter().map(|g| g.name()));
        names
    }

    /// Parses a comma list of toolset names (case and spaces ignored).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut toolsets = Self {
            all: false,
            default: false,
            groups: Vec::new(),
        };
        let mut unknown = Vec::new();
        for name in text.split(',').map(|n| n.trim().to_ascii_lowercase()) {
            match name.as_str() {
                "" => {}
                "all" => toolsets.all = true,
                "default" => toolsets.default = true,
                other => match Group::from_name(other) {
                    Some(group) if !toolsets.groups.contains(&group) => toolsets.groups.push(group),
                    Some(_) => {}
                    None => unknown.push(name.clone()),
                },
            }
        }
        let valid = Self::valid_names().join(", ");
        if !unknown.is_empty() {
            return Err(format!(
                "names unknown toolset{} {}; valid: {valid}",
                crate::text::plural(unknown.len()),
                crate::text::quoted_list(&unknown)
            ));
        }
        if !(toolsets.all || toolsets.default || !toolsets.groups.is_empty()) {
            return Err(format!("names no toolset; valid: {valid}"));
        }
        toolsets.groups.sort_unstable();
        Ok(toolsets)
    }

    pub fn is_default(&self) -> bool {
        *self == Self::default()
    }

    /// Whether these toolsets take a tool of `group`, in the default surface or not (the
    /// mode is checked separately).
    pub fn includes(&self, group: Group, in_default: bool) -> bool {
        self.all || (self.default && in_default) || self.groups.contains(&group)
    }
}

/// As `HATCHET_MCP_TOOLSETS` would name them: `default`, `all`, `runs,tasks`.
impl fmt::Display for Toolsets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.all {
            return f.write_str("all");
        }
        let mut names = Vec::new();
        if self.default {
            names.push("default");
        }
        names.extend(self.groups.iter().map(|g| g.name()));
        f.write_str(&names.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_round_trip() {
        for group in Group::ALL {
            assert_eq!(Group::from_name(group.name()), Some(group));
        }
        assert_eq!(Group::from_name("bulk"), None);
    }

    #[test]
    fn names_parse_with_spaces_and_case_ignored() {
        let toolsets = Toolsets::parse(" Runs, tasks ,runs").unwrap();
        assert_eq!(toolsets.to_string(), "runs,tasks");
        assert!(!toolsets.is_default());
        assert!(Toolsets::parse("default").unwrap().is_default());
        assert_eq!(Toolsets::parse("all,runs").unwrap().to_string(), "all");
    }

    #[test]
    fn unknown_or_no_names_are_refused_with_the_valid_ones() {
        let error = Toolsets::parse("runs,bulk,sql").unwrap_err();
        assert!(
            error.starts_with("names unknown toolsets `bulk`, `sql`; valid: default, all, "),
            "{error}"
        );
        assert!(
            error.contains("runs") && error.contains("metrics"),
            "{error}"
        );
        assert!(
            Toolsets::parse(" , ")
                .unwrap_err()
                .starts_with("names no toolset")
        );
    }

    #[test]
    fn tool_names_follow_the_mcp_rules_and_collisions_are_refused() {
        assert_eq!(tool_name("send-email"), "run_send-email");
        assert_eq!(
            tool_name("staging_Send Email/v2"),
            "run_staging_Send_Email_v2"
        );
        assert_eq!(tool_name(&"x".repeat(300)).len(), 128);
        let error = WorkflowToolsSpec::parse("send email, send_email").unwrap_err();
        assert!(error.contains("run_send_email"), "{error}");
        assert_eq!(
            WorkflowToolsSpec::parse(" * ").unwrap(),
            WorkflowToolsSpec::All
        );
        assert!(WorkflowToolsSpec::parse("*,etl").is_err());
        assert!(WorkflowToolsSpec::parse(" , ").is_err());
    }
}
