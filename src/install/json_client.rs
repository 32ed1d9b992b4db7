//! Installing into a client that keeps its servers in a JSON file: find the file, merge our
//! entry into what is there, then show the change (`--dry-run`) or back up and write.

use std::path::{Path, PathBuf};

use super::{
    Client, Failure, Launch, Request, TokenStyle, diff, files, jsonc::Document, merge, mode_env,
    remote, required_token, summary,
};
use crate::{config::TOKEN_VAR, redact::Redactor};

/// The file, as found and as shown in messages.
struct Target {
    path: PathBuf,
    shown: String,
}

impl Target {
    /// A refusal that names the file and promises it was left alone.
    fn refuse(&self, problem: impl std::fmt::Display) -> Failure {
        Failure::config(format!("{}: {problem}; nothing was changed", self.shown))
    }
}

pub(super) fn install(
    request: &Request,
    launch: &Launch,
    token: Option<&str>,
) -> Result<String, Failure> {
    let target = target(request)?;
    let token_value = token_value(request, token)?;
    let old =
        files::read(&target.path).map_err(|e| target.refuse(format!("could not be read: {e}")))?;
    let doc = merged(request, launch, token_value, old.as_deref(), &target)?;
    let new = doc.render();
    let comments = doc.comment_line.map(|line| {
        format!(
            "{} has comments (the first on line {line}), which rewriting it removes: \
             add --drop-comments to go ahead (the backup keeps them), or add the entry by hand",
            target.shown
        )
    });
    if request.dry_run {
        let redactor = token.map(Redactor::new);
        let diff = diff::unified(old.as_deref(), &new, &target.shown, redactor.as_ref());
        let note = comments
            .map(|c| format!("Note: {c}.\n"))
            .unwrap_or_default();
        let title = request.client.title();
        return Ok(format!(
            "Dry run: nothing was changed. {title} would get this in {}:\n{diff}{note}",
            target.shown
        ));
    }
    // A file that holds (or will hold) the token and that others may read.
    let holds_token = request.client.token_style() == TokenStyle::Literal;
    let shared = files::shared_mode(&target.path).filter(|_| holds_token);
    if old.as_deref() == Some(new.as_str()) {
        let mut report = format!(
            "{} already has this `{}` entry in {}; nothing was changed.\n{}",
            request.client.title(),
            request.name,
            target.shown,
            summary(request, launch)
        );
        if let Some(mode) = shared {
            report.push_str(&made_private(
                &target,
                mode,
                files::make_private(&target.path),
            ));
        }
        return Ok(report);
    }
    if let Some(comments) = comments.filter(|_| !request.drop_comments) {
        return Err(Failure::config(format!("{comments}; nothing was changed")));
    }
    let backup = write(request, &target, old.is_some(), &new)?;
    let mut report = report(
        request,
        launch,
        &target.shown,
        backup.as_deref(),
        token.is_some(),
    );
    if let Some(mode) = shared {
        report.push_str(&made_private(&target, mode, Ok(())));
    }
    Ok(report)
}

/// What the report says of a file holding the token that others could read: made private,
/// or (if that failed) what to run.
fn made_private(target: &Target, mode: u32, done: std::io::Result<()>) -> String {
    match done {
        Ok(()) => format!(
            "{} holds the token and was readable by others (mode {mode:04o}): it is now readable by you only (0600).\n",
            target.shown
        ),
        Err(error) => format!(
            "WARNING: {} holds the token and is readable by others (mode {mode:04o}), and could not be made private ({error}): run `chmod 600 {}`.\n",
            target.shown, target.shown
        ),
    }
}

/// `--config`, else the client's own file; a link is followed to the file it names.
fn target(request: &Request) -> Result<Target, Failure> {
    let path = match &request.config {
        Some(path) => path.clone(),
        None => request
            .client
            .config_path(&|name| std::env::var_os(name))
            .map_err(Failure::config)?,
    };
    let path = files::resolve_link(&path)
        .map_err(|problem| Failure::config(format!("{problem}; nothing was changed")))?;
    let shown = path.display().to_string();
    Ok(Target { path, shown })
}

/// What the file gets for HATCHET_CLIENT_TOKEN: a reference where the client has one.
fn token_value(request: &Request, token: Option<&str>) -> Result<String, Failure> {
    Ok(match request.client.token_style() {
        TokenStyle::Literal => {
            let title = request.client.title();
            let why =
                format!("{title} expands no variables, so its file must hold the token itself");
            required_token(token, &why)?
        }
        TokenStyle::EnvReference => format!("${{env:{TOKEN_VAR}}}"),
        TokenStyle::Input => format!("${{input:{}}}", input_id(&request.name)),
    })
}

/// The old file (none is `{}`) with our entry, and VS Code's token input, merged in.
fn merged(
    request: &Request,
    launch: &Launch,
    token_value: String,
    old: Option<&str>,
    target: &Target,
) -> Result<Document, Failure> {
    let mut doc = Document::parse(old.unwrap_or("")).map_err(|e| {
        target.refuse(format!(
            "not valid JSON ({e}): fix it, or pass --config <file> to write another file"
        ))
    })?;
    let client = request.client;
    if let Some(url) = &request.url {
        let server = merge::server_object(&mut doc.value, client.servers_key(), &request.name)
            .map_err(|p| target.refuse(p))?;
        remote::entry(client, url, &format!("Bearer {token_value}"), server);
    } else {
        let mut env = vec![(TOKEN_VAR, Some(token_value))];
        env.extend(mode_env(request));
        let entry = merge::Entry {
            stdio_type: client == Client::Vscode,
            command: launch.command.clone(),
            args: launch.args.clone(),
            env,
        };
        merge::upsert_server(&mut doc.value, client.servers_key(), &request.name, &entry)
            .map_err(|p| target.refuse(p))?;
    }
    if client.token_style() == TokenStyle::Input {
        merge::upsert_secret_input(
            &mut doc.value,
            &input_id(&request.name),
            "Hatchet API token",
        )
        .map_err(|p| target.refuse(p))?;
    }
    Ok(doc)
}

/// Backs up the old file (if any), then replaces it; returns the backup's path.
fn write(
    request: &Request,
    target: &Target,
    existed: bool,
    new: &str,
) -> Result<Option<PathBuf>, Failure> {
    let backup = match existed {
        true => Some(files::back_up(&target.path).map_err(|e| {
            Failure::failed(format!(
                "could not back up {}: {e}; nothing was changed",
                target.shown
            ))
        })?),
        false => None,
    };
    let holds_token = request.client.token_style() == TokenStyle::Literal;
    files::write_atomically(&target.path, new, holds_token)
        .map_err(|e| Failure::failed(format!("could not write {}: {e}", target.shown)))?;
    Ok(backup)
}

fn report(
    request: &Request,
    launch: &Launch,
    shown: &str,
    backup: Option<&Path>,
    token_set: bool,
) -> String {
    let title = request.client.title();
    let verb = if backup.is_some() {
        "Updated"
    } else {
        "Created"
    };
    let mut report = format!("{verb} {shown}: server `{}` for {title}.\n", request.name);
    report.push_str(&summary(request, launch));
    if let Some(backup) = backup {
        report.push_str(&format!("  backup:   {}\n", backup.display()));
    }
    report.push_str(&match request.client.token_style() {
        TokenStyle::Literal => format!(
            "The file holds the token from {TOKEN_VAR} ({title} expands no variables): keep it private.\n"
        ),
        TokenStyle::EnvReference => format!(
            "The file holds no token: {title} reads ${{env:{TOKEN_VAR}}}, so set {TOKEN_VAR} in the environment {title} starts from{}.\n",
            if token_set { "" } else { " (it is not set in this shell either)" }
        ),
        TokenStyle::Input => format!(
            "The file holds no token: VS Code asks for it (input `{}`) when the server first starts, and keeps it in its secret storage.\n",
            input_id(&request.name)
        ),
    });
    report.push_str(&format!(
        "Restart {title}, or reload its MCP servers, to start it.\n"
    ));
    report
}

/// VS Code's input id for a server's token: one per server, so `hatchet-prod` asks for its
/// own.
fn input_id(name: &str) -> String {
    format!("{name}-token")
}
