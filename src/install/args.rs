//! The arguments of `hatchet-mcp install`. A problem is returned as the text of a usage
//! error; like every message of this binary it never echoes a token-like value.

use std::path::PathBuf;

use lexopt::Arg::{Long, Short, Value};

use super::{Client, DEFAULT_NAME, Request, echo, valid_name};
use crate::mcp::registry::Toolsets;

/// `install --help`, or an install to run.
#[derive(Debug, PartialEq, Eq)]
pub enum Parsed {
    Help,
    Run(Request),
}

const SCOPES: [&str; 3] = ["local", "user", "project"];

/// Reads the arguments after `install`. `token` is the configured token, never echoed.
pub fn parse(args: &mut lexopt::Parser, token: Option<&str>) -> Result<Parsed, String> {
    let mut client = None;
    let mut request = Request {
        client: Client::ClaudeCode,
        name: DEFAULT_NAME.to_owned(),
        config: None,
        command: None,
        args: Vec::new(),
        read_write: false,
        toolsets: None,
        dry_run: false,
        drop_comments: false,
        scope: None,
        run: false,
        url: None,
    };
    while let Some(arg) = args.next().map_err(|e| lexopt_problem(e, token))? {
        match arg {
            Short('h') | Long("help") => return Ok(Parsed::Help),
            Long("name") => request.name = text_value(args, token)?,
            Long("config") => {
                request.config = Some(PathBuf::from(
                    args.value().map_err(|e| lexopt_problem(e, token))?,
                ))
            }
            Long("command") => request.command = Some(text_value(args, token)?),
            Long("arg") => request.args.push(text_value(args, token)?),
            Long("toolsets") => request.toolsets = Some(text_value(args, token)?),
            Long("scope") => request.scope = Some(text_value(args, token)?),
            Long("read-write") => request.read_write = true,
            Long("dry-run") => request.dry_run = true,
            Long("drop-comments") => request.drop_comments = true,
            Long("run") => request.run = true,
            Long("url") => request.url = Some(text_value(args, token)?),
            Value(word) if client.is_none() => {
                let word = word.to_string_lossy();
                client = Some(Client::named(&word).ok_or_else(|| {
                    format!(
                        "unknown client {}; one of: {}",
                        echo(&word, token),
                        Client::names()
                    )
                })?);
            }
            other => return Err(unexpected(&other, token)),
        }
    }
    request.client =
        client.ok_or_else(|| format!("name the client to set up: one of {}", Client::names()))?;
    check(&mut request, token)?;
    Ok(Parsed::Run(request))
}

/// Rules between options, and values that can be checked before anything is read.
fn check(request: &mut Request, token: Option<&str>) -> Result<(), String> {
    let client = request.client;
    let only_for = |flag: &str, given: bool, fits: bool, whom: &str| {
        if given && !fits {
            Err(format!("{flag} is only for {whom}, not {}", client.name()))
        } else {
            Ok(())
        }
    };
    only_for(
        "--scope",
        request.scope.is_some(),
        !client.edits_json(),
        "claude-code",
    )?;
    only_for("--run", request.run, !client.edits_json(), "claude-code")?;
    let json_clients = "the clients with a JSON file";
    only_for(
        "--config",
        request.config.is_some(),
        client.edits_json(),
        json_clients,
    )?;
    only_for(
        "--drop-comments",
        request.drop_comments,
        client.edits_json(),
        json_clients,
    )?;
    if let Some(url) = &request.url {
        request.url = Some(super::remote::check_url(url)?);
        for (given, flag) in [
            (request.command.is_some(), "--command"),
            (request.read_write, "--read-write"),
            (request.toolsets.is_some(), "--toolsets"),
        ] {
            if given {
                return Err(format!(
                    "{flag} and --url do not go together: a remote server's operator sets what it runs and how"
                ));
            }
        }
    }
    if request.run && request.dry_run {
        return Err("--run and --dry-run contradict each other: choose one".to_owned());
    }
    if !request.args.is_empty() && request.command.is_none() {
        return Err("--arg is an argument for --command: give --command too".to_owned());
    }
    if let Some(scope) = &request.scope
        && !SCOPES.contains(&scope.as_str())
    {
        return Err(format!(
            "--scope must be one of {}, got {}",
            SCOPES.join(", "),
            echo(scope, token)
        ));
    }
    if !valid_name(&request.name) {
        return Err(format!(
            "--name {} is not a server name: use a letter, then letters, digits, _ or -",
            echo(&request.name, token)
        ));
    }
    if let Some(list) = &request.toolsets {
        let toolsets = Toolsets::parse(list).map_err(|problem| {
            // The parser quotes what it did not know: not if that looks like a token.
            if echo(list, token).starts_with("(value not shown") {
                "--toolsets is not usable (value not shown: it looks like a token)".to_owned()
            } else {
                format!("--toolsets {problem}")
            }
        })?;
        request.toolsets = Some(toolsets.to_string());
    }
    Ok(())
}

/// An option's value as text (every value but a path must be UTF-8).
fn text_value(args: &mut lexopt::Parser, token: Option<&str>) -> Result<String, String> {
    let value = args.value().map_err(|e| lexopt_problem(e, token))?;
    value
        .into_string()
        .map_err(|_| "an option's value is not UTF-8 text".to_owned())
}

/// lexopt's own messages may quote a value: these never do.
fn lexopt_problem(error: lexopt::Error, token: Option<&str>) -> String {
    match error {
        lexopt::Error::MissingValue {
            option: Some(option),
        } => {
            format!("{} needs a value", echo(&option, token))
        }
        lexopt::Error::UnexpectedValue { option, .. } => {
            format!("{} takes no value", echo(&option, token))
        }
        _ => "the command line could not be read".to_owned(),
    }
}

fn unexpected(arg: &lexopt::Arg<'_>, token: Option<&str>) -> String {
    let text = match arg {
        Short(c) => format!("-{c}"),
        Long(name) => format!("--{name}"),
        Value(value) => value.to_string_lossy().into_owned(),
    };
    format!("unexpected argument {} after `install`", echo(&text, token))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &[&str]) -> Result<Parsed, String> {
        parse(&mut lexopt::Parser::from_args(words.iter().copied()), None)
    }

    fn request(words: &[&str]) -> Request {
        match parse_words(words) {
            Ok(Parsed::Run(request)) => request,
            other => panic!("{words:?}: {other:?}"),
        }
    }

    #[test]
    fn options_fill_the_request() {
        let r = request(&[
            "cursor",
            "--name",
            "hatchet-prod",
            "--read-write",
            "--toolsets",
            "Runs, tasks",
            "--dry-run",
        ]);
        assert_eq!(
            (r.client, r.name.as_str(), r.read_write, r.dry_run),
            (Client::Cursor, "hatchet-prod", true, true)
        );
        assert_eq!(r.toolsets.as_deref(), Some("runs,tasks"));
        let words = "claude-code --scope user --run --command npx --arg -y --arg hatchet-mcp";
        let r = request(&words.split(' ').collect::<Vec<_>>());
        assert_eq!((r.scope.as_deref(), r.run), (Some("user"), true));
        assert_eq!(r.args, ["-y", "hatchet-mcp"]);
        assert_eq!(parse_words(&["--help"]), Ok(Parsed::Help));
        assert_eq!(parse_words(&["vscode", "-h"]), Ok(Parsed::Help));
    }

    #[test]
    fn problems_are_named() {
        for (words, problem) in [
            (&[][..], "name the client"),
            (&["emacs"], "unknown client \"emacs\"; one of: claude-code"),
            (
                &["cursor", "--scope", "user"],
                "--scope is only for claude-code",
            ),
            (
                &["claude-code", "--config", "x"],
                "--config is only for the clients with a JSON file",
            ),
            (&["claude-code", "--run", "--dry-run"], "contradict"),
            (&["cursor", "--arg", "x"], "give --command too"),
            (
                &["claude-code", "--scope", "global"],
                "--scope must be one of local, user, project",
            ),
            (&["cursor", "--name", "my server"], "is not a server name"),
            (
                &["cursor", "--toolsets", "runz"],
                "--toolsets names unknown toolset `runz`; valid: default",
            ),
            (&["cursor", "--name"], "\"--name\" needs a value"),
            (&["cursor", "--dry-run=yes"], "\"--dry-run\" takes no value"),
            (
                &["cursor", "vscode"],
                "unexpected argument \"vscode\" after `install`",
            ),
            (&["cursor", "--force"], "unexpected argument \"--force\""),
        ] {
            let error = parse_words(words).unwrap_err();
            assert!(error.contains(problem), "{words:?}: {error}");
        }
    }
}
