//! Claude Code keeps its servers in its own files (`~/.claude.json`, a project's
//! `.mcp.json`) and adds one with `claude mcp add`: we print that line, or run it.

use std::process::{Command, Output, Stdio};

use super::{Failure, Launch, Request, mode_env, required_token, summary};
use crate::{config::TOKEN_VAR, redact::Redactor};

/// One word of the `claude` command line.
enum Word {
    Plain(String),
    /// `HATCHET_CLIENT_TOKEN=<token>`: shown as a shell reference, run with the token.
    Token,
}

pub(super) fn install(
    request: &Request,
    launch: &Launch,
    token: Option<&str>,
) -> Result<String, Failure> {
    let words = add_words(request, launch);
    if !request.run {
        return Ok(instructions(request, launch, &words));
    }
    let token = match token_is_referenced(request) {
        true => None,
        false => Some(required_token(
            token,
            "`claude mcp add` is given the token itself",
        )?),
    };
    let redactor = token.as_deref().map(Redactor::new);
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
    let args: Vec<String> = words
        .iter()
        .map(|word| match word {
            Word::Plain(text) => text.clone(),
            Word::Token => format!("{TOKEN_VAR}={}", token.as_deref().unwrap_or_default()),
        })
        .collect();
    let output = claude(&args)?;
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
    Ok(format!(
        "{verb} server `{}` in Claude Code ({scope} scope).\n{}{}\n",
        request.name,
        summary(request, launch),
        said.trim_end()
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

/// A project's `.mcp.json` is shared: it gets `${HATCHET_CLIENT_TOKEN}`, which Claude Code
/// expands from each user's environment, rather than anyone's token.
fn token_is_referenced(request: &Request) -> bool {
    request.scope.as_deref() == Some("project")
}

/// `mcp add [--scope S] NAME -e K=V ... -- COMMAND ARGS`. The name comes before `-e`,
/// whose values are variadic and would swallow it.
fn add_words(request: &Request, launch: &Launch) -> Vec<Word> {
    let plain = |text: &str| Word::Plain(text.to_owned());
    let mut words = vec![plain("mcp"), plain("add")];
    if let Some(scope) = &request.scope {
        words.extend([plain("--scope"), plain(scope)]);
    }
    words.extend([plain(&request.name), plain("-e")]);
    words.push(match token_is_referenced(request) {
        true => Word::Plain(format!("{TOKEN_VAR}=${{{TOKEN_VAR}}}")),
        false => Word::Token,
    });
    for (key, value) in mode_env(request) {
        if let Some(value) = value {
            words.extend([plain("-e"), Word::Plain(format!("{key}={value}"))]);
        }
    }
    words.extend([plain("--"), plain(&launch.command)]);
    words.extend(launch.args.iter().map(|arg| plain(arg)));
    words
}

fn instructions(request: &Request, launch: &Launch, words: &[Word]) -> String {
    let mut line = "claude".to_owned();
    for word in words {
        line.push(' ');
        match word {
            Word::Plain(text) => line.push_str(&shell_quote(text)),
            Word::Token => line.push_str(&format!("{TOKEN_VAR}=\"${TOKEN_VAR}\"")),
        }
    }
    let token_note = if token_is_referenced(request) {
        format!(
            "The project's .mcp.json gets ${{{TOKEN_VAR}}}, which Claude Code expands from each user's environment: the file holds no token."
        )
    } else {
        format!(
            "Your shell fills in ${TOKEN_VAR}, so set it first; Claude Code keeps the token in its own configuration (~/.claude.json)."
        )
    };
    format!(
        "To add server `{name}` to Claude Code:\n{summary}run:\n\n  {line}\n\n{token_note}\n\
         If `{name}` exists already, remove it first (claude mcp remove {name}), or let \
         `hatchet-mcp install claude-code --run` do both.\n",
        name = request.name,
        summary = summary(request, launch),
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
