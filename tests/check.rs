//! `hatchet-mcp check` as a process against a fake Hatchet on loopback.

mod support;

use std::process::Output;

use serde_json::json;
use support::fake::{TENANT, mint_token, token_for};
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
        "mode           read-only (24 tools;".to_owned(),
        "namespace      staging_".to_owned(),
        "ok, tenant \"Acme Prod\" (slug acme-prod)".to_owned(),
        "Ready".to_owned(),
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
        text.contains("mode           read-write (41 tools"),
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
