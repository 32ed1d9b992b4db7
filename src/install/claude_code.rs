//! Claude Code keeps its servers in its own files (`~/.claude.json`, a project's
//! `.mcp.json`) and adds one with `claude mcp add`: we print that line, or run it.

use std::process::{Command, Output, Stdio};

use super::{Failure, Launch, Request, mode_env, summary};
use crate::{config::TOKEN_VAR, redact::Redactor};

pub(super) fn install(
    request: &Request,
    launch: &Launch,
    token: Option<&str>,
) -> Result<String, Failure> {
    let words = add_words(request, launch);
    if !request.run {
        return Ok(instructions(request, launch, &words));
    }
    // `claude` runs with this environment, token included: what it says is redacted.
    let redactor = token.map(Redactor::new);
    let shown = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        match &redactor {
            Some(r) => r.redact(&text).into_owned(),
            None => text.into_owned(),
        }
    };
    // `claude mcp add` refuses a name that exists: replacing our entry means removing it.
    let scope = request.scope.as_deref().unwrap_or("local");
    let removed = claude(&["mcp", "remove", "--scope", scope, &request.name])?
        .status
        .success();
    let output = claude(&words)?;
    let said = shown(&output.stdout) + &shown(&output.stderr);
    if !output.status.success() {
        let lost = if removed {
            " (the earlier entry of that name was removed)"
        } else {
            ""
        };
        return Err(Failure::failed(format!(
            "`claude mcp add` failed ({}){lost}: {}",
            output.status,
            said.trim()
        )));
    }
    let verb = if removed { "Replaced" } else { "Added" };
    let unset = match token {
        Some(_) => String::new(),
        None => format!(
            "Note: {TOKEN_VAR} is not set in this shell either; set it before you start Claude Code.\n"
        ),
    };
    Ok(format!(
        "{verb} server `{}` in Claude Code ({scope} scope).\n{}{}\n{}.\n{unset}",
        request.name,
        summary(request, launch),
        said.trim_end(),
        token_note(request),
    ))
}

/// Runs `claude` with `args`, its output captured (it is shown only once redacted).
fn claude<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> Result<Output, Failure> {
    Command::new("claude")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            Failure::failed(format!(
                "could not run `claude` ({e}): is Claude Code installed and on PATH? Without --run, this prints the line to run yourself"
            ))
        })
}

/// `mcp add [--scope S] NAME -e K=V ... -- COMMAND ARGS`. The name comes before `-e`,
/// whose values are variadic and would swallow it.
///
/// The token is never a word of it: a command line is readable by every local user
/// (`/proc/<pid>/cmdline`, `ps`) while it runs, and `claude mcp` has no way to read a value
/// from stdin or a file. The entry gets `${HATCHET_CLIENT_TOKEN}` instead, which Claude
/// Code expands from its own environment when it starts the server; so the token is in
/// no command line and in none of Claude Code's files (a project's `.mcp.json` is shared,
/// which needs the same).
fn add_words(request: &Request, launch: &Launch) -> Vec<String> {
    if let Some(url) = &request.url {
        return super::remote::claude_code_words(request.scope.as_deref(), &request.name, url);
    }
    let mut words: Vec<String> = vec!["mcp".into(), "add".into()];
    if let Some(scope) = &request.scope {
        words.extend(["--scope".into(), scope.clone()]);
    }
    words.extend([
        request.name.clone(),
        "-e".into(),
        format!("{TOKEN_VAR}=${{{TOKEN_VAR}}}"),
    ]);
    for (key, value) in mode_env(request) {
        if let Some(value) = value {
            words.extend(["-e".into(), format!("{key}={value}")]);
        }
    }
    words.extend(["--".into(), launch.command.clone()]);
    words.extend(launch.args.iter().cloned());
    words
}

/// Where the server's token comes from, for the report and the printed line.
fn token_note(request: &Request) -> String {
    if request.scope.as_deref() == Some("project") {
        return format!(
            "The project's .mcp.json gets ${{{TOKEN_VAR}}}, which Claude Code expands from each user's environment: the file holds no token"
        );
    }
    format!(
        "The entry holds ${{{TOKEN_VAR}}}, not the token: Claude Code expands ${{{TOKEN_VAR}}} from the environment it starts in, so set {TOKEN_VAR} there (export it in your shell profile, say). The token goes on no command line, where other local users could read it, and into no file"
    )
}

fn instructions(request: &Request, launch: &Launch, words: &[String]) -> String {
    let mut line = "claude".to_owned();
    for word in words {
        line.push(' ');
        line.push_str(&shell_quote(word));
    }
    format!(
        "To add server `{name}` to Claude Code:\n{summary}run:\n\n  {line}\n\n{note}.\n\
         If `{name}` exists already, remove it first (claude mcp remove {name}), or let \
         `hatchet-mcp install claude-code --run` do both.\n",
        name = request.name,
        summary = summary(request, launch),
        note = token_note(request),
    )
}

/// `text` as one POSIX shell word.
fn shell_quote(text: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "_-./=:,@%+".contains(c);
    if !text.is_empty() && text.chars().all(plain) {
        text.to_owned()
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_that_need_quotes_get_them() {
        assert_eq!(shell_quote("/usr/bin/hatchet-mcp"), "/usr/bin/hatchet-mcp");
        assert_eq!(shell_quote("/Apps/My Tools/x"), "'/Apps/My Tools/x'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote("A=${B}"), "'A=${B}'");
    }
}
