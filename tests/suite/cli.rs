//! The binary as a process: configuration errors fail fast on stderr, stdout stays clean,
//! and the token never appears.

use std::{
    ffi::OsStr,
    os::unix::ffi::OsStrExt,
    path::Path,
    process::{Command, Output, Stdio},
};

use crate::support::{
    fake::{mint_token, token_for},
    process::{assert_no_piece_of, refused},
};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let env: Vec<(&str, &OsStr)> = env.iter().map(|(k, v)| (*k, OsStr::new(*v))).collect();
    run_os(args, &env)
}

/// Runs the binary with variables that may not be UTF-8.
fn run_os(args: &[&str], env: &[(&str, &OsStr)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"));
    command.args(args).env_clear().stdin(Stdio::null());
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().unwrap()
}

#[test]
fn config_errors_exit_non_zero_with_one_line_on_stderr_and_nothing_on_stdout() {
    let token = token_for("http://127.0.0.1:9");
    let claimless = mint_token(&serde_json::json!({"iat": 1}));
    let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
        (vec![], "HATCHET_CLIENT_TOKEN is not set"),
        (
            vec![("HATCHET_CLIENT_TOKEN", "")],
            "HATCHET_CLIENT_TOKEN is not set",
        ),
        (
            vec![("HATCHET_CLIENT_TOKEN", "garbage-token-value")],
            "HATCHET_CLIENT_TOKEN is not a JWT",
        ),
        (
            vec![("HATCHET_CLIENT_TOKEN", &claimless)],
            "HATCHET_CLIENT_SERVER_URL",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", &token),
                ("HATCHET_MCP_READ_ONLY", "perhaps"),
            ],
            "HATCHET_MCP_READ_ONLY must be one of",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", &token),
                ("HATCHET_CLIENT_SERVER_URL", "localhost:8080"),
            ],
            "HATCHET_CLIENT_SERVER_URL is not an http(s) URL",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", &token),
                ("HATCHET_TENANT_ID", "a"),
                ("HATCHET_CLIENT_TENANT_ID", "b"),
            ],
            "HATCHET_CLIENT_TENANT_ID and HATCHET_TENANT_ID",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", &token),
                ("HATCHET_MCP_TIMEOUT_SECS", "soon"),
            ],
            "HATCHET_MCP_TIMEOUT_SECS must be",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", &token),
                ("HATCHET_MCP_TOOLSETS", "runs,bulk"),
            ],
            "HATCHET_MCP_TOOLSETS names unknown toolset `bulk`; valid: default, all, workflows, runs,",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", &token),
                ("HATCHET_MCP_WORKFLOW_TOOLS", "send-email"),
            ],
            "HATCHET_MCP_WORKFLOW_TOOLS is set, but the server is read-only",
        ),
    ];
    for (env, expected) in cases {
        let stderr = refused(&run(&[], &env));
        assert!(
            stderr.contains(expected),
            "{stderr:?} should contain {expected:?}"
        );
        for secret in [&token, &claimless, &"garbage-token-value".to_owned()] {
            assert!(
                !stderr.contains(secret.as_str()),
                "the token leaked: {stderr}"
            );
        }
    }
}

#[test]
fn an_expired_token_warns_on_stderr_but_still_serves() {
    let expired = mint_token(&serde_json::json!({
        "sub": crate::support::fake::TENANT, "server_url": "http://127.0.0.1:9", "exp": 1_000_000_000
    }));
    // stdin is closed at once, so the server starts, warns, and stops when the client goes.
    let output = run(&[], &[("HATCHET_CLIENT_TOKEN", &expired)]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("HATCHET_CLIENT_TOKEN has expired"),
        "{stderr}"
    );
    assert!(output.stdout.is_empty());
    assert!(!stderr.contains(&expired));
    assert!(
        !stderr.contains("this is an MCP server"),
        "stdin is no terminal"
    );
}

#[test]
fn version_and_help_answer_a_person_and_name_every_variable() {
    let version = run(&["--version"], &[]);
    assert!(version.status.success());
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("hatchet-mcp {}", env!("CARGO_PKG_VERSION"))
    );
    let help = run(&["--help"], &[]);
    let text = String::from_utf8_lossy(&help.stdout);
    assert!(help.status.success());
    for (name, _) in hatchet_mcp::config::VARIABLES
        .iter()
        .chain(hatchet_mcp::config::TEAM_VARIABLES)
    {
        assert!(text.contains(name), "--help should list {name}");
    }
    // Within each block, the second column starts at one place: after the widest first
    // column and two spaces.
    let usage: Vec<&str> = text
        .lines()
        .skip_while(|line| !line.starts_with("Usage:"))
        .take_while(|line| !line.is_empty())
        .collect();
    let block = |title: &str| -> Vec<&str> {
        text.lines()
            .skip_while(|line| *line != title)
            .skip(1)
            .take_while(|line| !line.is_empty())
            .collect()
    };
    for (block, first_column_ends) in [
        (
            usage,
            "hatchet-mcp serve --http ADDR".len() + "       ".len(),
        ),
        (
            block("Environment:"),
            "  HATCHET_MCP_MAX_RESULT_BYTES".len(),
        ),
        (
            block("Team mode (serve --http ADDR) also reads:"),
            "  HATCHET_MCP_HTTP_MAX_CALLS_PER_CALLER".len(),
        ),
    ] {
        for line in block.iter().filter(|line| line.trim_start().contains("  ")) {
            let column = first_column_ends + 2;
            let (first, second) = line.split_at(column);
            assert!(
                first.ends_with("  ") && !second.starts_with(' '),
                "misaligned --help line: {line:?}"
            );
        }
    }
    let unknown = run(&["--frobnicate"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(unknown.stdout.is_empty());
}

#[test]
fn subcommands_answer_their_own_help_and_refuse_extra_arguments() {
    for (args, usage) in [
        (&["check", "--help"][..], "Usage: hatchet-mcp check\n"),
        (&["check", "-h"], "Usage: hatchet-mcp check\n"),
        (&["help", "check"], "Usage: hatchet-mcp check\n"),
        (&["serve", "--help"], "Usage: hatchet-mcp [serve]\n"),
        (&["help", "serve"], "Usage: hatchet-mcp [serve]\n"),
        (&["serve", "--help"], "hatchet-mcp serve --http ADDR\n"),
        (&["help", "install"], "Usage: hatchet-mcp install <CLIENT>"),
        (&["install", "-h"], "Usage: hatchet-mcp install <CLIENT>"),
        (&["help"], "Usage: hatchet-mcp [serve]            speak MCP"),
        (&["-h"], "Usage: hatchet-mcp [serve]            speak MCP"),
    ] {
        // No token: had the command run instead of its help, it would fail.
        let output = run(args, &[]);
        let text = String::from_utf8_lossy(&output.stdout);
        assert!(output.status.success(), "{args:?}: {text}");
        assert!(
            text.starts_with(usage) || text.contains(usage),
            "{args:?}: {text}"
        );
        assert!(output.stderr.is_empty(), "{args:?}");
    }
    let check_help = String::from_utf8_lossy(&run(&["check", "--help"], &[]).stdout).into_owned();
    assert!(
        check_help.contains(
            "Exit status: 0 ready; 1 not ready (the live read failed, or the token has expired"
        ),
        "{check_help}"
    );
    assert_eq!(run(&["-V"], &[]).status.code(), Some(0));

    let token = token_for("http://127.0.0.1:9");
    for (args, named, help) in [
        (
            &["check", "extra"][..],
            "\"extra\" after `check`",
            "hatchet-mcp check --help",
        ),
        (
            &["check", "--verbose"],
            "\"--verbose\" after `check`",
            "hatchet-mcp check --help",
        ),
        (
            &["serve", "check"],
            "\"check\" after `serve`",
            "hatchet-mcp serve --help",
        ),
        (
            &["check", "--help", "x"],
            "\"x\" after `check`",
            "hatchet-mcp check --help",
        ),
        (&["--version", "x"], "\"x\"", "hatchet-mcp --help"),
        (&["help", "nothing"], "\"nothing\"", "hatchet-mcp --help"),
        (
            &["--help=all"],
            "\"--help\" takes no value",
            "hatchet-mcp --help",
        ),
        (&["-hx"], "\"-x\"", "hatchet-mcp --help"),
    ] {
        // A valid token: had the extra argument been ignored, the command would have run.
        let line = refused(&run(args, &[("HATCHET_CLIENT_TOKEN", &token)]));
        assert!(line.contains(named), "{args:?}: {line}");
        assert!(line.contains(&format!("run `{help}`")), "{args:?}: {line}");
    }
}

#[test]
fn an_argument_that_looks_like_a_token_is_never_echoed_and_a_long_one_is_cut() {
    let token = token_for("http://127.0.0.1:9");
    let other = mint_token(&serde_json::json!({"sub": "someone"}));
    let signature = token.rsplit('.').next().unwrap();
    for args in [
        vec![token.clone()],
        vec!["check".into(), token.clone()],
        vec!["serve".into(), other.clone()],
        vec!["--help".into(), format!("Bearer {token}")],
        vec![format!("x{signature}")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let line = refused(&run(&args, &[("HATCHET_CLIENT_TOKEN", &token)]));
        assert!(
            line.contains("(value not shown: it looks like a token)"),
            "{line}"
        );
        assert_no_piece_of(&token, &line);
        assert_no_piece_of(&other, &line);
    }
    // An option's attached value is never shown; only the option's name is.
    let line = refused(&run(&[&format!("--token={token}")], &[]));
    assert!(line.contains("unexpected argument \"--token\""), "{line}");
    assert_no_piece_of(&token, &line);
    let line = refused(&run(&[&format!("--help={token}")], &[]));
    assert_no_piece_of(&token, &line);
    let long = "y".repeat(1000);
    let line = refused(&run(&[&long], &[]));
    assert!(line.len() < 200, "cut: {line}");
}

#[test]
fn a_token_pasted_into_another_variable_is_never_echoed() {
    let token = token_for("http://127.0.0.1:9");
    for var in [
        "HATCHET_CLIENT_TENANT_ID",
        "HATCHET_CLIENT_SERVER_URL",
        "HATCHET_MCP_READ_ONLY",
        "HATCHET_MCP_TIMEOUT_SECS",
    ] {
        let line = refused(&run(
            &[],
            &[("HATCHET_CLIENT_TOKEN", &token), (var, &token)],
        ));
        assert!(line.contains(var), "{line}");
        assert!(
            line.contains("(value not shown: it looks like a token)"),
            "{line}"
        );
        assert_no_piece_of(&token, &line);
    }
}

#[test]
fn credentials_in_the_server_url_are_refused_without_echoing_the_password() {
    let token = token_for("http://127.0.0.1:9");
    let in_claim = token_for("http://admin:hunter2pass@127.0.0.1:9");
    for (env, named) in [
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", token.as_str()),
                (
                    "HATCHET_CLIENT_SERVER_URL",
                    "http://admin:hunter2pass@127.0.0.1:9/",
                ),
            ],
            "HATCHET_CLIENT_SERVER_URL holds a user name or password",
        ),
        (
            vec![
                ("HATCHET_CLIENT_TOKEN", token.as_str()),
                ("HATCHET_API_BASE", "admin:hunter2pass@127.0.0.1:9"),
            ],
            "HATCHET_API_BASE is not an http(s) URL (got (value not shown: it may hold a password))",
        ),
        (
            vec![("HATCHET_CLIENT_TOKEN", in_claim.as_str())],
            "the token's `server_url` claim holds a user name or password",
        ),
    ] {
        let line = refused(&run(&[], &env));
        assert!(line.contains(named), "{line}");
        assert!(!line.contains("hunter2pass"), "{line}");
        let report = run(&["check"], &env);
        let text = String::from_utf8_lossy(&report.stdout);
        assert_eq!(report.status.code(), Some(2), "{text}");
        assert!(
            text.contains(named) && !text.contains("hunter2pass"),
            "{text}"
        );
    }
}

#[test]
fn a_variable_that_is_set_but_unusable_stops_the_process_by_name() {
    let token = token_for("http://127.0.0.1:9");
    let not_utf8 = OsStr::from_bytes(b"http://127.0.0.1:8080/\xff");
    for var in [
        "HATCHET_CLIENT_SERVER_URL",
        "HATCHET_API_BASE",
        "HATCHET_TENANT_ID",
        "HATCHET_CLIENT_NAMESPACE",
        "HATCHET_MCP_READ_ONLY",
        "RUST_LOG",
    ] {
        let env = [
            ("HATCHET_CLIENT_TOKEN", OsStr::new(&token)),
            (var, not_utf8),
        ];
        let line = refused(&run_os(&[], &env));
        assert!(
            line.contains(&format!("{var} is set but is not valid UTF-8")),
            "{line}"
        );
    }
    let line = refused(&run(
        &[],
        &[
            ("HATCHET_CLIENT_TOKEN", &token),
            ("RUST_LOG", "hatchet_mcp=loudest"),
        ],
    ));
    assert!(line.contains("RUST_LOG is not a log filter"), "{line}");
}

#[test]
fn help_and_docs_give_the_default_log_filter_as_used_audit_lines_included() {
    let filter = "warn,hatchet_mcp=info,audit=info";
    assert_eq!(hatchet_mcp::config::DEFAULT_LOG_FILTER, filter);
    let help = String::from_utf8_lossy(&run(&["--help"], &[]).stdout).into_owned();
    assert!(help.contains(&format!("(default: {filter};")), "{help}");
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/configuration.md"),
    )
    .unwrap();
    assert!(
        docs.contains(&format!("`{filter}`")),
        "docs/configuration.md"
    );
}

#[test]
fn every_documented_install_command_is_locked() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = vec![root.join("README.md")];
    files.extend(
        std::fs::read_dir(root.join("docs"))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|path| path.extension().is_some_and(|e| e == "md")),
    );
    let mut seen = 0;
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for line in text.lines().filter(|l| l.contains("cargo install")) {
            seen += 1;
            assert!(
                line.contains("cargo install --locked"),
                "{}: {line}",
                file.display()
            );
        }
    }
    assert!(seen > 0, "the README documents an install command");
}

#[test]
fn started_by_hand_at_a_terminal_it_says_what_it_is_and_keeps_serving() {
    // `script` (util-linux) gives the server a terminal as stdin; its EOF then ends it.
    let token = token_for("http://127.0.0.1:9");
    let output = Command::new("script")
        .args(["-q", "-c", env!("CARGO_BIN_EXE_hatchet-mcp"), "/dev/null"])
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", &token)
        .stdin(Stdio::null())
        .output()
        .expect("`script` (util-linux) runs the server on a terminal");
    let text = String::from_utf8_lossy(&output.stdout);
    let notice = text
        .find("hatchet-mcp: this is an MCP server: it expects an MCP client on stdin/stdout")
        .unwrap_or_else(|| panic!("no notice in {text:?}"));
    assert!(text.contains("run `hatchet-mcp check`"), "{text}");
    let serving = text
        .find("serving MCP over stdio")
        .expect("it serves after the notice");
    assert!(notice < serving, "{text}");
}

#[test]
fn serve_warns_at_start_about_what_it_adjusted() {
    let token = token_for("http://127.0.0.1:9");
    let output = run(
        &[],
        &[
            ("HATCHET_CLIENT_TOKEN", &format!("Bearer {token}")),
            ("HATCHET_CLIENT_SERVER_URL", "http://127.0.0.1:9/api/v1/"),
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    for expected in [
        "HATCHET_CLIENT_TOKEN: a leading `Bearer ` was removed; set it to the bare token",
        "HATCHET_CLIENT_SERVER_URL ended in /api/v1, which was removed",
        "server_url=http://127.0.0.1:9/ ",
    ] {
        assert!(
            stderr.contains(expected),
            "missing {expected:?} in {stderr}"
        );
    }
    assert!(output.stdout.is_empty());
}
