//! What each client reads: the file, the key its servers live under, and how the token is
//! given. Verified against each client's documentation (see docs/clients.md).

use std::{ffi::OsString, path::PathBuf};

/// An MCP client `hatchet-mcp install` can set up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    ClaudeCode,
    ClaudeDesktop,
    Cursor,
    Vscode,
    Windsurf,
}

/// How the token reaches the server a JSON-config client starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenStyle {
    /// The client expands nothing: the token itself goes into the file.
    Literal,
    /// The client expands `${env:NAME}` from the environment it was started in.
    EnvReference,
    /// VS Code prompts once for an `inputs` entry and keeps the answer in its secret store.
    Input,
}

impl Client {
    pub const ALL: [Client; 5] = [
        Client::ClaudeCode,
        Client::ClaudeDesktop,
        Client::Cursor,
        Client::Vscode,
        Client::Windsurf,
    ];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Client::ClaudeCode => "claude-code",
            Client::ClaudeDesktop => "claude-desktop",
            Client::Cursor => "cursor",
            Client::Vscode => "vscode",
            Client::Windsurf => "windsurf",
        }
    }

    /// The product's own name, for sentences.
    pub fn title(self) -> &'static str {
        match self {
            Client::ClaudeCode => "Claude Code",
            Client::ClaudeDesktop => "Claude Desktop",
            Client::Cursor => "Cursor",
            Client::Vscode => "VS Code",
            Client::Windsurf => "Windsurf",
        }
    }

    pub fn named(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.name() == word)
    }

    pub fn names() -> String {
        Self::ALL.map(Client::name).join(", ")
    }

    /// Whether the client is set up by editing a JSON file (all but Claude Code, which
    /// owns its file and is set up through its own `claude mcp add`).
    pub fn edits_json(self) -> bool {
        self != Client::ClaudeCode
    }

    /// The key the servers live under.
    pub fn servers_key(self) -> &'static str {
        match self {
            Client::Vscode => "servers",
            _ => "mcpServers",
        }
    }

    pub fn token_style(self) -> TokenStyle {
        match self {
            Client::ClaudeDesktop | Client::ClaudeCode => TokenStyle::Literal,
            Client::Cursor | Client::Windsurf => TokenStyle::EnvReference,
            Client::Vscode => TokenStyle::Input,
        }
    }

    /// The user-level configuration file, from the variables `lookup` reads (HOME,
    /// USERPROFILE, APPDATA, XDG_CONFIG_HOME), so tests can point it anywhere.
    pub fn config_path(self, lookup: &dyn Fn(&str) -> Option<OsString>) -> Result<PathBuf, String> {
        let path = match self {
            Client::ClaudeCode => return Err("Claude Code keeps its own file".to_owned()),
            Client::ClaudeDesktop => app_data(lookup)?.join("Claude/claude_desktop_config.json"),
            Client::Vscode => app_data(lookup)?.join("Code/User/mcp.json"),
            Client::Cursor => home(lookup)?.join(".cursor/mcp.json"),
            Client::Windsurf => home(lookup)?.join(".codeium/windsurf/mcp_config.json"),
        };
        // One spelling of the separator on Windows, for the paths we print.
        Ok(path.components().collect())
    }
}

/// A variable that holds an absolute path; anything else counts as unset.
fn absolute(lookup: &dyn Fn(&str) -> Option<OsString>, name: &str) -> Option<PathBuf> {
    lookup(name)
        .map(PathBuf::from)
        .filter(|path| path.is_absolute())
}

fn home(lookup: &dyn Fn(&str) -> Option<OsString>) -> Result<PathBuf, String> {
    let name = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    absolute(lookup, name).ok_or_else(|| {
        format!("{name} is not set to a directory, so the configuration file cannot be found: pass --config <file>")
    })
}

/// Where Electron apps (Claude Desktop, VS Code) keep their settings: the platform's
/// application-data directory.
fn app_data(lookup: &dyn Fn(&str) -> Option<OsString>) -> Result<PathBuf, String> {
    if cfg!(windows) {
        return absolute(lookup, "APPDATA").ok_or_else(|| {
            "APPDATA is not set, so the configuration file cannot be found: pass --config <file>"
                .to_owned()
        });
    }
    if cfg!(target_os = "macos") {
        return Ok(home(lookup)?.join("Library/Application Support"));
    }
    // XDG: an unset or relative XDG_CONFIG_HOME means ~/.config.
    match absolute(lookup, "XDG_CONFIG_HOME") {
        Some(dir) => Ok(dir),
        None => Ok(home(lookup)?.join(".config")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<OsString> {
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn linux_paths_follow_home_and_xdg() {
        let env = lookup(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "/x")]);
        let path = |c: Client| c.config_path(&env).unwrap();
        assert_eq!(
            path(Client::ClaudeDesktop),
            PathBuf::from("/x/Claude/claude_desktop_config.json")
        );
        assert_eq!(path(Client::Vscode), PathBuf::from("/x/Code/User/mcp.json"));
        assert_eq!(path(Client::Cursor), PathBuf::from("/h/.cursor/mcp.json"));
        assert_eq!(
            path(Client::Windsurf),
            PathBuf::from("/h/.codeium/windsurf/mcp_config.json")
        );
        let relative_xdg = lookup(&[("HOME", "/h"), ("XDG_CONFIG_HOME", "rel")]);
        assert_eq!(
            Client::Vscode.config_path(&relative_xdg).unwrap(),
            PathBuf::from("/h/.config/Code/User/mcp.json")
        );
    }

    #[test]
    fn no_home_asks_for_config() {
        let error = Client::Cursor.config_path(&lookup(&[])).unwrap_err();
        assert!(error.contains("--config"), "{error}");
    }

    #[test]
    fn every_client_has_a_name_that_parses_back() {
        for client in Client::ALL {
            assert_eq!(Client::named(client.name()), Some(client));
        }
    }
}
