//! The binary as a process: configuration errors fail fast on stderr, stdout stays clean,
//! and the token never appears.

mod support;

use std::process::{Command, Output, Stdio};

use support::fake::{mint_token, token_for};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
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
    ];
    for (env, expected) in cases {
        let output = run(&[], &env);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(
            output.stdout.is_empty(),
            "stdout must stay empty: {:?}",
            String::from_utf8_lossy(&output.stdout)
        );
        assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
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
        "sub": support::fake::TENANT, "server_url": "http://127.0.0.1:9", "exp": 1_000_000_000
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
    for (name, _) in hatchet_mcp::config::VARIABLES {
        assert!(text.contains(name), "--help should list {name}");
    }
    let unknown = run(&["--frobnicate"], &[]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(unknown.stdout.is_empty());
}
