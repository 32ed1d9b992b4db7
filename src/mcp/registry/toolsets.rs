//! `HATCHET_MCP_TOOLSETS`: which groups of tools a server registers. Unset, it is `default`:
//! the project's standard surface. A user can widen it (`all`, or a group with opt-in tools)
//! or narrow it to some domains (`runs,tasks`). The mode still decides on mutating tools: a
//! toolset never registers one in read-only mode.

use std::fmt;

use super::{Group, ToolSpec};

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

    /// Whether these toolsets take `tool` (the mode is checked separately).
    pub fn includes(&self, tool: &ToolSpec) -> bool {
        self.all || (self.default && tool.in_default) || self.groups.contains(&tool.group)
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
}
