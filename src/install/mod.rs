//! `hatchet-mcp install <client>`: adds this server to an MCP client's configuration.
//!
//! JSON-config clients (Claude Desktop, Cursor, VS Code, Windsurf) get their file merged:
//! every other key kept, our entry added or replaced, the old file backed up, the new one
//! written atomically. Claude Code owns its file, so it gets the `claude mcp add` line, run
//! for the user with `--run`. The token is never printed; where a client can read it from
//! elsewhere (an environment reference, a VS Code input) the file holds no token at all.

pub mod args;
mod claude_code;
mod clients;
mod diff;
mod files;
mod json_client;
mod jsonc;
mod merge;
pub mod remote;

use std::path::{Path, PathBuf};

pub use args::{Parsed, parse};
pub use clients::{Client, TokenStyle};

use crate::config::{ConfigError, READ_ONLY_VAR, TOKEN_VAR, TOOLSETS_VAR};

/// The server name written when `--name` is not given.
pub const DEFAULT_NAME: &str = "hatchet";

/// What the command line asked for, already validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub client: Client,
    pub name: String,
    /// `--config`: the file to merge into instead of the client's own.
    pub config: Option<PathBuf>,
    /// `--command` and its `--arg`s: what the client should start instead of this binary.
    pub command: Option<String>,
    pub args: Vec<String>,
    pub read_write: bool,
    /// `--toolsets`, normalised as HATCHET_MCP_TOOLSETS would print it.
    pub toolsets: Option<String>,
    pub dry_run: bool,
    /// Rewrite a file that has comments (which the rewrite loses; the backup keeps them).
    pub drop_comments: bool,
    /// Claude Code's `--scope`.
    pub scope: Option<String>,
    /// Claude Code: run `claude mcp add` rather than print it.
    pub run: bool,
    /// `--url`: a team-mode server to reach over HTTP instead of a binary to start.
    pub url: Option<String>,
}

/// Why an install did not happen: the message for stderr and the exit status (2 for what
/// the user must fix first, 1 for a failure on the way).
#[derive(Debug)]
pub struct Failure {
    pub exit_code: u8,
    pub message: String,
}

impl Failure {
    fn config(message: impl Into<String>) -> Self {
        Self {
            exit_code: 2,
            message: message.into(),
        }
    }

    fn failed(message: impl Into<String>) -> Self {
        Self {
            exit_code: 1,
            message: message.into(),
        }
    }
}

/// What the client will start: a program and its arguments.
#[derive(Debug, Clone)]
struct Launch {
    command: String,
    args: Vec<String>,
    /// Said after the report, e.g. that npx's cache is no stable home for the binary.
    note: Option<String>,
}

/// Runs the install; returns the report for stdout.
pub fn run(request: &Request) -> Result<String, Failure> {
    let launch = launch(request)?;
    let token = std::env::var(TOKEN_VAR)
        .ok()
        .map(|t| t.trim().to_owned())
        .filter(|t| !t.is_empty());
    let mut report = if request.client.edits_json() {
        json_client::install(request, &launch, token.as_deref())?
    } else {
        claude_code::install(request, &launch, token.as_deref())?
    };
    if let Some(note) = &launch.note {
        report.push_str(note);
        report.push('\n');
    }
    Ok(report)
}

fn launch(request: &Request) -> Result<Launch, Failure> {
    if let Some(url) = &request.url {
        return Ok(Launch {
            command: url.clone(),
            args: Vec::new(),
            note: None,
        });
    }
    if let Some(command) = &request.command {
        return Ok(Launch {
            command: command.clone(),
            args: request.args.clone(),
            note: None,
        });
    }
    if request.scope.as_deref() == Some("project") {
        return Ok(Launch {
            command: env!("CARGO_PKG_NAME").to_owned(),
            args: Vec::new(),
            note: Some(
                "A project's .mcp.json is shared, so it names `hatchet-mcp` (found on each user's PATH), not this binary's path; --command overrides".to_owned(),
            ),
        });
    }
    let exe = this_binary().ok_or_else(|| {
        Failure::failed("could not find the path of this binary: pass --command <path>")
    })?;
    // Started by `npx -y hatchet-mcp install ...`: npm may clear its cache at any time and
    // the client would then start nothing, so the client is given the same npx line.
    if exe.components().any(|c| c.as_os_str() == "_npx") {
        return Ok(Launch {
            command: "npx".to_owned(),
            args: vec!["-y".to_owned(), env!("CARGO_PKG_NAME").to_owned()],
            note: Some(
                "This binary runs from npx's cache, which npm may clear, so the client starts it with `npx -y hatchet-mcp`; --command overrides".to_owned(),
            ),
        });
    }
    let command = exe
        .to_str()
        .ok_or_else(|| {
            Failure::config("the path of this binary is not UTF-8: pass --command <path>")
        })?
        .to_owned();
    Ok(Launch {
        command,
        args: Vec::new(),
        note: None,
    })
}

/// The path to write: the one this binary was started by when it names the same file (a
/// package manager's `bin/` link survives upgrades; the versioned file it points to does
/// not), else the resolved executable.
fn this_binary() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let invoked = PathBuf::from(std::env::args_os().next()?);
    let candidate = if invoked.components().count() > 1 {
        std::env::current_dir().ok().map(|dir| dir.join(&invoked))
    } else {
        std::env::var_os("PATH").and_then(|path| {
            std::env::split_paths(&path)
                .map(|dir| dir.join(&invoked))
                .find(|p| p.is_file())
        })
    };
    let same = |p: &Path| std::fs::canonicalize(p).ok() == std::fs::canonicalize(&exe).ok();
    Some(
        candidate
            .filter(|p| p.is_absolute() && same(p))
            .unwrap_or(exe),
    )
}

/// The token from the environment, for a client that must be given the token itself:
/// cleaned as the server would clean it (quotes, `Bearer `), and checked to be a JWT.
fn required_token(token: Option<&str>, why: &str) -> Result<String, Failure> {
    let token = token.ok_or_else(|| {
        Failure::config(format!(
            "{TOKEN_VAR} is not set, and {why}: set it in this shell first \
             (e.g. `read -rs {TOKEN_VAR} && export {TOKEN_VAR}`; dashboard: Settings > API Tokens)"
        ))
    })?;
    let (token, _) = crate::token::clean_token(token);
    crate::token::decode_claims(&token)
        .map_err(|e| Failure::config(ConfigError::BadToken(e).to_string()))?;
    Ok(token)
}

/// The variables we manage besides the token: set when asked for, removed otherwise.
fn mode_env(request: &Request) -> Vec<(&'static str, Option<String>)> {
    vec![
        (
            READ_ONLY_VAR,
            request.read_write.then(|| "false".to_owned()),
        ),
        (TOOLSETS_VAR, request.toolsets.clone()),
    ]
}

/// The lines that say what the entry does, shared by every client's report.
fn summary(request: &Request, launch: &Launch) -> String {
    if let Some(url) = &request.url {
        return format!(
            "  url:      {url}\n  mode:     the server's (its operator sets the mode and toolsets)\n"
        );
    }
    let mut command = launch.command.clone();
    for arg in &launch.args {
        command.push(' ');
        command.push_str(arg);
    }
    let mode = if request.read_write {
        "read-write (the mutating tools are registered)"
    } else {
        "read-only (add --read-write for the mutating tools)"
    };
    let mut text = format!("  command:  {command}\n  mode:     {mode}\n");
    if let Some(toolsets) = &request.toolsets {
        text.push_str(&format!("  toolsets: {toolsets}\n"));
    }
    text
}

/// A name every client accepts as a server key and a shell needs no quotes for (VS Code's
/// schema: a letter, then letters, digits, `_` or `-`).
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && name.len() <= 64
}

/// `safe_echo`, for a value from the command line.
fn echo(value: &str, token: Option<&str>) -> String {
    crate::redact::safe_echo(value, token)
}

/// `hatchet-mcp install --help`.
pub fn help() -> String {
    let name = env!("CARGO_PKG_NAME");
    format!(
        "Usage: {name} install <CLIENT> [OPTIONS]\n\n\
         Adds this server to an MCP client's configuration, as server `{DEFAULT_NAME}` unless --name says\n\
         otherwise. CLIENT is one of: {clients}.\n\n\
         claude-desktop, cursor, vscode, windsurf: merges the client's user-level JSON file. Every\n\
         other server and key is kept; an existing entry of the same name is replaced (keys we do\n\
         not manage, such as `disabled`, are kept); the old file is copied to <file>.<time>.bak\n\
         and the new one written atomically. A file that cannot be parsed is left as it is, and\n\
         so is a path that is a link to a missing file.\n\
         The token is never printed. Cursor and Windsurf get ${{env:{TOKEN_VAR}}}, VS Code an input it\n\
         asks you for; Claude Desktop expands nothing, so it gets the token from {TOKEN_VAR}, and\n\
         its file is made readable by you only (as is every backup).\n\n\
         claude-code: prints the `claude mcp add` line; --run runs it. The entry holds\n\
         ${{{TOKEN_VAR}}}, which Claude Code expands from the environment it starts in: the token\n\
         goes on no command line (which other local users can read) and into no file.\n\n\
         Options:\n  \
           --name NAME        server name (default {DEFAULT_NAME}), e.g. hatchet-prod for a second tenant\n  \
           --read-write       set {READ_ONLY_VAR}=false: register the mutating tools\n  \
           --toolsets LIST    set {TOOLSETS_VAR} (e.g. runs,tasks or all)\n  \
           --command PATH     the program the client starts (default: this binary's absolute path;\n                     `npx -y hatchet-mcp` when run through npx)\n  \
           --arg VALUE        an argument for --command (repeat for more): --command npx --arg -y --arg hatchet-mcp\n  \
           --dry-run          show the change as a diff (secrets masked) and change nothing\n  \
           --config FILE      merge into FILE instead of the client's own file\n  \
           --drop-comments    rewrite a file that has comments (they are lost; the backup keeps them)\n  \
           --scope SCOPE      claude-code: local (default), user or project (.mcp.json: gets ${{{TOKEN_VAR}}})\n  \
           --run              claude-code: run `claude mcp add` (replacing an entry of the same name)\n  \
           --url URL          a team-mode server (serve --http) to reach instead of this binary, e.g.\n                     https://hatchet-mcp.example.com/mcp: the client sends your own token as\n                     `Authorization: Bearer` (Claude Desktop through npx {remote}); the mode and\n                     toolsets are the server's\n\n\
         Exit status: 0 done (or nothing to do); 2 the command line, the file or the token must\n\
         be fixed first (nothing was changed); 1 a failure on the way (writing, or `claude`).\n",
        clients = Client::names(),
        remote = remote::MCP_REMOTE,
    )
}
