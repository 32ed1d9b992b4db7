//! Hostile or broken clients: the server answers or ignores what the protocol says, keeps
//! serving, and never writes anything but JSON-RPC to stdout. Also: many calls at once,
//! and a cancelled call whose HTTP request must be dropped.

use std::time::Duration;

use crate::support::{
    fake::{TENANT, token_for},
    raw::{Misbehavior, RawServer},
    rpc::{RawRpc, peak_rss_kib},
    session::{start_with_stderr, text},
};
use rmcp::model::CallToolRequestParams;
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path_regex},
};

fn env_for(url: &str) -> Vec<(&'static str, String)> {
    vec![
        ("HATCHET_CLIENT_TOKEN", token_for(url)),
        ("HATCHET_MCP_TIMEOUT_SECS", "5".into()),
    ]
}

fn spawn(url: &str) -> RawRpc {
    let env = env_for(url);
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    RawRpc::spawn(&env)
}

#[tokio::test]
async fn garbage_and_odd_messages_are_answered_or_ignored_and_serving_goes_on() {
    let mut rpc = spawn("http://127.0.0.1:9");
    // Before initialize: answered with an error, not silence, and not a crash.
    let early = rpc.request(100, "tools/list", json!({})).await;
    assert!(early.get("error").is_some(), "{early}");

    rpc.initialize().await;
    rpc.send_raw(b"this is not json\n").await;
    rpc.send_raw(b"[1, 2, 3]\n").await;
    rpc.send_raw(b"\"just a string\"\n").await;
    rpc.send_raw(b"{\"jsonrpc\":\"2.0\",\"result\":{},\"id\":999}\n")
        .await;
    rpc.send_raw(b"{\"no\":\"jsonrpc\"}\n").await;
    let unknown = rpc.request(1, "no/such/method", json!({})).await;
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");

    // A 10 MB line: one huge string argument.
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{{\"name\":\"get_run\",\"arguments\":{{\"workflow_run_id\":\"{}\"}}}}}}\n",
        "a".repeat(10 * 1024 * 1024)
    );
    rpc.send_raw(huge.as_bytes()).await;
    let answer = rpc.response(2).await;
    let message = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        message
            .starts_with("Invalid argument `workflow_run_id`: 10485760 characters, at most 10000."),
        "{}",
        &message[..200.min(message.len())]
    );
    assert!(
        message.len() < 500,
        "a bad input is echoed only in part, got {} bytes",
        message.len()
    );

    let ping = rpc.request(3, "ping", json!({})).await;
    assert_eq!(ping["result"], json!({}));
    let (stdout, _) = rpc.finish().await;
    for line in stdout.lines() {
        let message: serde_json::Value = serde_json::from_str(line).unwrap();
        assert_eq!(message["jsonrpc"], "2.0", "{line}");
    }
}

#[tokio::test]
async fn two_hundred_concurrent_calls_all_answer_with_their_own_ids() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex(
            "^/api/v1/stable/workflow-runs/[0-9a-f-]+/status$",
        ))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!("RUNNING"))
                .set_delay(Duration::from_millis(300)),
        )
        .mount(&server)
        .await;
    let mut rpc = spawn(&server.uri());
    rpc.initialize().await;
    let ids: Vec<String> = (0..200)
        .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
        .collect();
    for (n, id) in ids.iter().enumerate() {
        let call = json!({"jsonrpc": "2.0", "id": 1000 + n, "method": "tools/call",
            "params": {"name": "get_run_status", "arguments": {"workflow_run_id": id}}});
        rpc.send(&call).await;
    }
    let mut answered = 0;
    for (n, id) in ids.iter().enumerate() {
        let answer = rpc.response(1000 + n as u64).await;
        let text = answer["result"]["content"][0]["text"].as_str().unwrap();
        assert_eq!(
            text,
            format!(r#"{{"workflowRunId":"{id}","status":"RUNNING"}}"#)
        );
        answered += 1;
    }
    assert_eq!(answered, 200);
    let peak = peak_rss_kib(rpc.pid());
    println!("peak RSS after 200 concurrent calls: {peak} KiB");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
    assert_eq!(server.received_requests().await.unwrap().len(), 200);
}

#[tokio::test]
async fn a_cancelled_call_drops_its_http_request_and_the_server_stays_healthy() {
    let upstream = RawServer::start(Misbehavior::Hang, 1).await;
    let (session, _stderr) =
        start_with_stderr(&upstream.url, &[("HATCHET_MCP_TIMEOUT_SECS", "30")]).await;
    let params = CallToolRequestParams::new("get_workflow")
        .with_arguments(json!({"workflow_id": TENANT}).as_object().unwrap().clone());
    // Dropping the pending call makes rmcp's client send notifications/cancelled.
    let pending = tokio::time::timeout(Duration::from_millis(500), session.call_tool(params)).await;
    assert!(pending.is_err(), "the call should still be in flight");
    let deadline = std::time::Instant::now() + Duration::from_secs(3);
    while upstream.hung_up() == 0 && std::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(
        upstream.hung_up(),
        1,
        "the upstream should see its connection closed"
    );

    // Healthy: the next call is served (the raw server behaves after its first connection).
    let params = CallToolRequestParams::new("get_workflow")
        .with_arguments(json!({"workflow_id": TENANT}).as_object().unwrap().clone());
    let result = session.call_tool(params).await.unwrap();
    assert_eq!(text(&result), r#"{"ok":true}"#);
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn protocol_edges_get_an_answer_rather_than_silence() {
    let mut rpc = spawn("http://127.0.0.1:9");
    let initialized = rpc.initialize().await;

    // Over 16 MiB: answered with its own id, and serving goes on.
    let huge = format!(
        "{{\"jsonrpc\":\"2.0\",\"id\":50,\"method\":\"tools/call\",\"params\":{{\"name\":\"get_run\",\"arguments\":{{\"workflow_run_id\":\"{}\"}}}}}}\n",
        "a".repeat(17 * 1024 * 1024)
    );
    rpc.send_raw(huge.as_bytes()).await;
    let answer = rpc.response(50).await;
    assert_eq!(answer["error"]["code"], -32600, "{answer}");
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .contains("16 MiB")
    );

    // A lone surrogate: the call is served (with U+FFFD in place of the bad escape).
    rpc.send_raw(
        b"{\"jsonrpc\":\"2.0\",\"id\":51,\"method\":\"tools/call\",\"params\":{\"name\":\"get_run\",\"arguments\":{\"workflow_run_id\":\"\\ud800\"}}}\n",
    )
    .await;
    let answer = rpc.response(51).await;
    let text = answer["result"]["content"][0]["text"].as_str().unwrap();
    assert!(
        text.starts_with("Invalid argument `workflow_run_id`"),
        "{answer}"
    );

    // Malformed tools/call params: invalid params, not "method not found".
    for (id, params) in [
        (52, json!({"name": 5})),
        (53, json!([])),
        (54, json!({"name": "get_run", "arguments": "x"})),
    ] {
        let answer = rpc.request(id, "tools/call", params).await;
        assert_eq!(answer["error"]["code"], -32602, "{answer}");
    }
    let ping = rpc.request(55, "ping", json!({})).await;
    assert_eq!(ping["result"], json!({}));

    // Completion is not declared, so it is not offered, for a prompt that exists or not.
    let capabilities = initialized["result"]["capabilities"].as_object().unwrap();
    assert!(
        capabilities.contains_key("prompts") && !capabilities.contains_key("completions"),
        "{initialized}"
    );
    for (id, prompt) in [(57, "debug_run"), (58, "no_such_prompt")] {
        let params = json!({"ref": {"type": "ref/prompt", "name": prompt}, "argument": {"name": "workflow_run_id", "value": "6b"}});
        let answer = rpc.request(id, "completion/complete", params).await;
        assert_eq!(answer["error"]["code"], -32601, "{prompt}: {answer}");
        assert!(
            answer["error"]["message"]
                .as_str()
                .unwrap()
                .contains("no completions capability"),
            "{answer}"
        );
    }
    let _ = rpc.finish().await;
}

#[tokio::test]
async fn the_server_stops_when_stdout_is_gone() {
    use tokio::io::AsyncWriteExt;
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!("RUNNING")))
        .mount(&server)
        .await;
    let token = token_for(&server.uri());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"))
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", &token)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    drop(child.stdout.take()); // the client's end of stdout is gone
    let call = |id: u64| {
        format!(
            "{}\n",
            json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
                "params": {"name": "get_run_status", "arguments": {"workflow_run_id": TENANT}}})
        )
    };
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "0"}}});
    stdin
        .write_all(format!("{init}\n").as_bytes())
        .await
        .unwrap();
    // The first answer that cannot be written stops the server; stdin stays open.
    let exited = tokio::time::timeout(Duration::from_secs(5), async {
        for id in 1..100 {
            if stdin.write_all(call(id).as_bytes()).await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        child.wait().await.unwrap()
    })
    .await;
    assert!(
        exited.is_ok(),
        "the server kept running with nowhere to answer"
    );
    let made = server.received_requests().await.unwrap().len();
    // Before, every one of the 99 calls went upstream; now the first answer that cannot be
    // written stops the server (a few calls may already be in flight by then).
    assert!(
        made < 50,
        "{made} upstream calls were made after stdout closed"
    );
}

/// Whatever the client sends, an error echoes at most a short preview of it: a 1 MB tool
/// name, prompt name, prompt argument (name or value), resource URI, method name or list
/// of argument names comes back as a reply of a few hundred bytes.
#[tokio::test]
async fn every_echo_of_client_text_is_bounded() {
    let mut rpc = spawn("http://127.0.0.1:9");
    rpc.initialize().await;
    let mega = "x".repeat(1024 * 1024);
    let many_names: serde_json::Map<String, serde_json::Value> = (0..25_000)
        .map(|n| (format!("unknown_argument_number_{n:08}"), json!(1)))
        .collect();
    let requests = [
        ("tools/call", json!({"name": mega, "arguments": {}})),
        (
            "tools/call",
            json!({"name": "get_run", "arguments": {(mega.clone()): 1}}),
        ),
        (
            "tools/call",
            json!({"name": "list_runs", "arguments": many_names}),
        ),
        ("prompts/get", json!({"name": mega})),
        (
            "prompts/get",
            json!({"name": "triage_failed_runs", "arguments": {"hours": mega}}),
        ),
        (
            "prompts/get",
            json!({"name": "debug_run", "arguments": {"workflow_run_id": mega}}),
        ),
        (
            "prompts/get",
            json!({"name": "tenant_health", "arguments": {(mega.clone()): "1"}}),
        ),
        // rmcp's own error: serde quotes the value it could not read.
        (
            "prompts/get",
            json!({"name": "debug_run", "arguments": mega}),
        ),
        ("resources/read", json!({"uri": mega})),
        (
            "resources/read",
            json!({"uri": format!("hatchet://runs/{mega}")}),
        ),
        (
            "resources/read",
            json!({"uri": format!("hatchet://{mega}/status")}),
        ),
        (mega.as_str(), json!({})),
    ];
    for (n, (method, params)) in requests.iter().enumerate() {
        let id = 10 + n as u64;
        let answer = rpc.request(id, method, params.clone()).await;
        let line = answer.to_string();
        assert!(
            answer.get("error").is_some() || answer["result"]["isError"] == json!(true),
            "request {n} ({}) did not fail: {}",
            &method[..method.len().min(20)],
            &line[..line.len().min(300)]
        );
        assert!(
            line.len() < 1_500,
            "request {n} ({}): a {} byte reply: {}…",
            &method[..method.len().min(20)],
            line.len(),
            &line[..600]
        );
    }
    let ping = rpc.request(99, "ping", json!({})).await;
    assert_eq!(ping["result"], json!({}));
    let _ = rpc.finish().await;
}
