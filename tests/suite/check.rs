//! `hatchet-mcp check` as a process against a fake Hatchet on loopback.

use std::process::Output;

use crate::support::fake::{TENANT, mint_token, token_for};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{header, method, path},
};

async fn check(env: &[(&str, &str)]) -> Output {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"));
    command.arg("check").env_clear();
    for (name, value) in env {
        command.env(name, value);
    }
    command.output().await.unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[tokio::test]
async fn a_working_setup_names_the_tenant_and_exits_zero() {
    let server = MockServer::start().await;
    let token = token_for(&server.uri());
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/tenants/{TENANT}")))
        .and(header("authorization", format!("Bearer {token}").as_str()))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"name": "Acme Prod", "slug": "acme-prod"})),
        )
        .mount(&server)
        .await;
    let output = check(&[
        ("HATCHET_CLIENT_TOKEN", &token),
        ("HATCHET_CLIENT_NAMESPACE", "staging"),
    ])
    .await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    for expected in [
        format!("tenant         {TENANT} (from the token)"),
        format!("server URL     {}/ (from the token)", server.uri()),
        "token          valid until 2100-01-01T00:00:00Z".to_owned(),
        format!(
            "mode           read-only ({} tools;",
            hatchet_mcp::mcp::tools::registered(true).len()
        ),
        "namespace      staging_".to_owned(),
        "ok, tenant \"Acme Prod\" (slug acme-prod)".to_owned(),
        "Ready: add it to your MCP client with `hatchet-mcp install <client>` (claude-code, "
            .to_owned(),
    ] {
        assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
    }
    assert!(!text.contains(&token) && !String::from_utf8_lossy(&output.stderr).contains(&token));
}

#[tokio::test]
async fn a_refused_token_says_what_to_fix_and_exits_one() {
    let server = MockServer::start().await;
    let token = token_for(&server.uri());
    let echo = json!({"errors": [{"description": format!("invalid token {token}")}]});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(403).set_body_json(echo))
        .mount(&server)
        .await;
    let output = check(&[
        ("HATCHET_CLIENT_TOKEN", &token),
        ("HATCHET_MCP_READ_ONLY", "false"),
    ])
    .await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "mode           read-write ({} tools",
            hatchet_mcp::mcp::tools::registered(false).len()
        )),
        "{text}"
    );
    assert!(
        text.contains("FAILED\n    Hatchet API 403 forbidden"),
        "{text}"
    );
    assert!(
        text.contains("fix            the token was refused for tenant"),
        "{text}"
    );
    assert!(text.contains("Settings > API Tokens"), "{text}");
    assert!(
        !text.contains(&token),
        "the token is never printed, even when echoed:\n{text}"
    );
}

#[tokio::test]
async fn an_unreachable_server_and_a_bad_config_each_say_so() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let output = check(&[
        ("HATCHET_CLIENT_TOKEN", &token_for(&url)),
        ("HATCHET_MCP_TIMEOUT_SECS", "3"),
    ])
    .await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("Could not reach Hatchet") && text.contains("HATCHET_CLIENT_SERVER_URL"),
        "{text}"
    );

    let expired = mint_token(&json!({"sub": TENANT, "server_url": url, "exp": 1_000_000_000}));
    let text = stdout(&check(&[("HATCHET_CLIENT_TOKEN", &expired)]).await);
    assert!(text.contains("EXPIRED at 2001-09-09T01:46:40Z"), "{text}");

    let output = check(&[("HATCHET_CLIENT_TOKEN", "not-a-token")]).await;
    assert_eq!(output.status.code(), Some(2));
    assert!(stdout(&output).contains("configuration  INVALID: HATCHET_CLIENT_TOKEN is not a JWT"));
    assert!(!stdout(&output).contains("not-a-token"));
}

/// A fake that answers the tenant read at `base` + `/api/v1/tenants/{TENANT}`, and only there.
async fn fake_tenant(base_path: &str, body: serde_json::Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("{base_path}/api/v1/tenants/{TENANT}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn a_bearer_prefix_or_quotes_around_the_token_are_removed_before_sending() {
    for (before, after, note) in [
        ("Bearer ", "", "a leading `Bearer ` was removed"),
        ("bearer  ", "", "a leading `Bearer ` was removed"),
        ("\"", "\"", "quotes around the token were removed"),
        (
            "'Bearer ",
            "'\n",
            "a leading `Bearer ` and quotes were removed",
        ),
    ] {
        let server = fake_tenant("", json!({"name": "Acme"})).await;
        let token = token_for(&server.uri());
        let output = check(&[("HATCHET_CLIENT_TOKEN", &format!("{before}{token}{after}"))]).await;
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{before:?}:\n{text}");
        assert!(
            text.contains(&format!("adjusted       HATCHET_CLIENT_TOKEN: {note}")),
            "{text}"
        );
        let sent = server.received_requests().await.unwrap();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            sent[0]
                .headers
                .get("authorization")
                .unwrap()
                .to_str()
                .unwrap(),
            format!("Bearer {token}"),
            "exactly one scheme, then the bare token"
        );
        assert!(!text.contains(&token));
    }
}

#[tokio::test]
async fn a_server_url_ending_in_api_is_normalised_and_the_live_read_shows_the_real_path() {
    let server = fake_tenant("/base", json!({"name": "Acme"})).await;
    let uri = server.uri();
    let cases = [
        (
            vec![("HATCHET_CLIENT_SERVER_URL", format!("{uri}/base/api/v1/"))],
            "HATCHET_CLIENT_SERVER_URL ended in /api/v1, which was removed",
        ),
        (
            vec![("HATCHET_API_BASE", format!("{uri}/base/api"))],
            "HATCHET_API_BASE ended in /api, which was removed",
        ),
        (
            vec![],
            "the token's `server_url` claim ended in /api/v1, which was removed",
        ),
    ];
    for (vars, note) in cases {
        let token = token_for(&format!("{uri}/base/api/v1"));
        let mut env = vec![("HATCHET_CLIENT_TOKEN", token.as_str())];
        env.extend(vars.iter().map(|(k, v)| (*k, v.as_str())));
        let output = check(&env).await;
        let text = stdout(&output);
        assert_eq!(output.status.code(), Some(0), "{text}");
        for expected in [
            format!("server URL     {uri}/base ("),
            format!("adjusted       {note}: every request adds /api/v1 itself"),
            format!("live read      GET /base/api/v1/tenants/{TENANT}: ok"),
        ] {
            assert!(text.contains(&expected), "missing {expected:?} in:\n{text}");
        }
    }
}

#[tokio::test]
async fn an_expired_token_is_not_ready_even_when_the_read_works() {
    let server = fake_tenant("", json!({"name": "Acme"})).await;
    let expired = mint_token(&json!({
        "sub": TENANT, "server_url": server.uri(), "exp": 1_000_000_000
    }));
    let output = check(&[("HATCHET_CLIENT_TOKEN", &expired)]).await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(!text.contains("Ready"), "{text}");
    assert!(
        text.contains("Not ready: HATCHET_CLIENT_TOKEN expired at 2001-09-09T01:46:40Z. Create a new API token"),
        "{text}"
    );
}

#[tokio::test]
async fn the_tenant_name_is_printed_without_the_token_control_characters_or_excess() {
    let server = MockServer::start().await;
    let token = token_for(&server.uri());
    let hostile = format!(
        "\u{1b}]0;pwned\u{7}Acme\r\nReady: {token} {}",
        "x".repeat(300)
    );
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"name": hostile, "slug": "a\u{1b}[2Jb"})),
        )
        .mount(&server)
        .await;
    let output = check(&[("HATCHET_CLIENT_TOKEN", &token)]).await;
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains("live read"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains("ok, tenant \"]0;pwnedAcmeReady: [REDACTED] xxx"),
        "{line}"
    );
    assert!(line.contains("…\" (slug a[2Jb)"), "{line}");
    assert!(line.chars().count() < 200, "bounded: {line}");
    assert!(!text.contains('\u{1b}') && !text.contains('\r') && !text.contains(&token));
}
