//! The token stays secret under every fault: every tool, resource and prompt is called
//! against an upstream that misbehaves (several of them quoting the token back), and no
//! byte sequence of the token, whole or its signature segment, may appear on stdout, on
//! stderr (debug logging on) or in any result.

use crate::support::{
    fake::{RUN, WORKFLOW, token_for, valid_arguments},
    raw::{Misbehavior, RawServer},
    rpc::RawRpc,
};
use hatchet_mcp::mcp::{prompts, registry::Toolsets, resources, tools};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

/// Every call a client can make: every tool (read-write mode, all toolsets), every resource,
/// every prompt.
fn every_call() -> Vec<(String, Value)> {
    let registry = tools::registry(&Toolsets::parse("all").unwrap(), false);
    let mut calls: Vec<(String, Value)> = tools::all()
        .iter()
        .map(|tool| {
            (
                "tools/call".to_owned(),
                json!({"name": tool.name, "arguments": valid_arguments(tool)}),
            )
        })
        .collect();
    let uris = resources::list(&registry)
        .into_iter()
        .map(|r| r.uri)
        .chain([
            format!("hatchet://workflows/{WORKFLOW}"),
            format!("hatchet://runs/{RUN}"),
            format!("hatchet://runs/{RUN}/status"),
        ]);
    calls.extend(uris.map(|uri| ("resources/read".to_owned(), json!({ "uri": uri }))));
    calls.extend(prompts::list(&registry).into_iter().map(|prompt| {
        let arguments = if prompt.name == "debug_run" {
            json!({"workflow_run_id": RUN})
        } else {
            json!({"hours": "6"})
        };
        (
            "prompts/get".to_owned(),
            json!({"name": prompt.name, "arguments": arguments}),
        )
    }));
    assert_eq!(
        calls.len(),
        tools::all().len() + resources::list(&registry).len() + 3 + prompts::list(&registry).len()
    );
    calls
}

/// Runs every call, concurrently, against `url` with `token`; returns stdout and stderr.
async fn run_everything(url: &str, token: &str) -> (String, String) {
    let mut rpc = RawRpc::spawn(&[
        ("HATCHET_CLIENT_TOKEN", token),
        ("HATCHET_CLIENT_SERVER_URL", url),
        ("HATCHET_MCP_READ_ONLY", "false"),
        ("HATCHET_MCP_TOOLSETS", "all"),
        ("HATCHET_MCP_TIMEOUT_SECS", "2"),
        ("RUST_LOG", "debug"),
    ]);
    rpc.initialize().await;
    let calls = every_call();
    for (n, (method, params)) in calls.iter().enumerate() {
        rpc.send(&json!({"jsonrpc": "2.0", "id": n + 1, "method": method, "params": params}))
            .await;
    }
    for n in 0..calls.len() {
        rpc.response(n as u64 + 1).await;
    }
    rpc.finish().await
}

fn assert_secret(token: &str, stdout: &str, stderr: &str, fault: &str) {
    let signature = token.rsplit('.').next().unwrap();
    for (stream, text) in [("stdout", stdout), ("stderr", stderr)] {
        assert!(
            !text.contains(token),
            "{fault}: the token appeared on {stream}"
        );
        assert!(
            !text.contains(signature),
            "{fault}: the token's signature appeared on {stream}"
        );
    }
}

/// The faults run side by side, each against its own upstream and server process: most of
/// the time is spent waiting out deadlines and retries, not working.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_fault_makes_the_token_appear_anywhere() {
    // The token names a server URL only as a claim; every run overrides the URL, so one
    // token serves all faults, and every echo can quote it exactly.
    let token = token_for("http://127.0.0.1:9");
    let quoted = format!("Authorization: Bearer {token}");
    let wiremock_faults: Vec<(&str, ResponseTemplate)> = vec![
        (
            "persistent 503",
            ResponseTemplate::new(503).set_body_string(quoted.clone()),
        ),
        (
            "429 with Retry-After",
            ResponseTemplate::new(429)
                .insert_header("Retry-After", "1")
                .set_body_string(quoted.clone()),
        ),
        (
            "404 quoting the token",
            ResponseTemplate::new(404).set_body_json(json!({"errors": [{"description": quoted}]})),
        ),
        (
            "401 quoting the token",
            ResponseTemplate::new(401).set_body_json(json!({"message": quoted})),
        ),
        (
            "403 null body",
            ResponseTemplate::new(403).set_body_json(Value::Null),
        ),
        (
            "redirect to a URL with the token",
            ResponseTemplate::new(302).insert_header(
                "Location",
                format!("http://127.0.0.1:9/?t={token}").as_str(),
            ),
        ),
        (
            "200 non-JSON quoting the token",
            ResponseTemplate::new(200).set_body_string(format!("<html>{quoted}</html>")),
        ),
        (
            "200 JSON quoting the token",
            ResponseTemplate::new(200)
                .set_body_json(json!({"rows": [{"echo": quoted}], "isPaused": true})),
        ),
    ];
    let mut faults = tokio::task::JoinSet::new();
    for (fault, response) in wiremock_faults {
        let token = token.clone();
        faults.spawn(async move {
            let server = MockServer::start().await;
            Mock::given(any())
                .respond_with(response)
                .mount(&server)
                .await;
            let (stdout, stderr) = run_everything(&server.uri(), &token).await;
            assert!(
                !server.received_requests().await.unwrap().is_empty(),
                "{fault}: nothing was sent"
            );
            assert_secret(&token, &stdout, &stderr, fault);
        });
    }
    let raw_faults = [
        Misbehavior::Hang,
        Misbehavior::Dribble,
        Misbehavior::Reset,
        Misbehavior::Truncated,
        Misbehavior::NotJson,
        Misbehavior::Huge(20 * 1024 * 1024),
        Misbehavior::Status401(format!(r#"{{"message":"{quoted}"}}"#)),
    ];
    for fault in raw_faults {
        let token = token.clone();
        faults.spawn(async move {
            let upstream = RawServer::start(fault.clone(), usize::MAX).await;
            let (stdout, stderr) = run_everything(&upstream.url, &token).await;
            assert!(upstream.connections() > 0, "{fault:?}: nothing was sent");
            assert_secret(&token, &stdout, &stderr, &format!("{fault:?}"));
        });
    }
    let checked = faults.len();
    // join_all resumes a fault's panic: a failed assertion fails the test with its message.
    faults.join_all().await;
    let calls = every_call().len();
    println!("{checked} faults x {calls} calls: the token appeared nowhere");
}
