//! Upstream faults, each over real HTTP on loopback, against the built binary driven over
//! raw stdio: the server answers every call with a clear error or a success, within its
//! deadline, and keeps serving. Deadlines are configured short so the suite stays quick.

use std::time::{Duration, Instant};

use crate::support::{
    fake::{RUN, WORKFLOW, recorded, token_for},
    raw::{Misbehavior, RawServer},
    rpc::{RawRpc, peak_rss_kib},
};
use serde_json::{Value, json};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

/// A server for `url` with a `deadline_secs` call deadline, already initialized.
async fn server_for(url: &str, deadline_secs: &str) -> RawRpc {
    let token = token_for(url);
    let mut rpc = RawRpc::spawn(&[
        ("HATCHET_CLIENT_TOKEN", &token),
        ("HATCHET_MCP_TIMEOUT_SECS", deadline_secs),
    ]);
    rpc.initialize().await;
    rpc
}

/// Calls a tool; returns (is_error, text, how long it took).
async fn call(rpc: &mut RawRpc, id: u64, tool: &str, arguments: Value) -> (bool, String, Duration) {
    let started = Instant::now();
    let answer = rpc
        .request(
            id,
            "tools/call",
            json!({"name": tool, "arguments": arguments}),
        )
        .await;
    let result = &answer["result"];
    let text = result["content"][0]["text"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    (result["isError"] == true, text, started.elapsed())
}

async fn get_workflow(rpc: &mut RawRpc, id: u64) -> (bool, String, Duration) {
    call(rpc, id, "get_workflow", json!({"workflow_id": WORKFLOW})).await
}

#[tokio::test]
async fn two_503s_then_a_200_succeeds_after_three_requests() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"name": "etl"})))
        .mount(&server)
        .await;
    let mut rpc = server_for(&server.uri(), "10").await;
    let (is_error, text, _) = get_workflow(&mut rpc, 1).await;
    assert!(!is_error, "{text}");
    assert_eq!(text, r#"{"name":"etl"}"#);
    assert_eq!(recorded(&server).await.len(), 3);
}

#[tokio::test]
async fn retry_after_in_seconds_or_as_a_date_is_waited_out() {
    for as_date in [false, true] {
        let server = MockServer::start().await;
        let mut rpc = server_for(&server.uri(), "10").await;
        // The retry may not come before `not_before`: two seconds after the 429 for the
        // seconds form; the stated instant (whole seconds) for the date form.
        let (retry_after, not_before) = if as_date {
            let at = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(3);
            let date = jiff::fmt::rfc2822::DateTimePrinter::new()
                .timestamp_to_rfc9110_string(&at)
                .unwrap();
            let stated = jiff::fmt::rfc2822::parse(&date).unwrap().timestamp();
            (date, stated)
        } else {
            (
                "2".to_owned(),
                jiff::Timestamp::now() + jiff::SignedDuration::from_secs(2),
            )
        };
        Mock::given(any())
            .respond_with(
                ResponseTemplate::new(429).insert_header("Retry-After", retry_after.as_str()),
            )
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
            .mount(&server)
            .await;
        let (is_error, text, took) = get_workflow(&mut rpc, 1).await;
        assert!(!is_error, "{text}");
        assert!(
            jiff::Timestamp::now() >= not_before,
            "Retry-After {retry_after:?}: retried too early ({took:?})"
        );
        assert!(took < Duration::from_secs(8), "{took:?}");
        assert_eq!(recorded(&server).await.len(), 2);
    }
}

#[tokio::test]
async fn client_errors_get_one_request_and_a_hint_at_once() {
    let cases = [
        (404, "Check the id and that it belongs to this tenant."),
        (
            401,
            "The token is invalid, expired or lacks access to this tenant",
        ),
        (
            403,
            "The token is invalid, expired or lacks access to this tenant",
        ),
    ];
    for (status, hint) in cases {
        let server = MockServer::start().await;
        Mock::given(any())
            .respond_with(ResponseTemplate::new(status).set_body_json(json!({"message": "nope"})))
            .mount(&server)
            .await;
        let mut rpc = server_for(&server.uri(), "10").await;
        let (is_error, text, took) = get_workflow(&mut rpc, 1).await;
        assert!(
            is_error && text.starts_with(&format!("Hatchet API {status} ")) && text.contains(hint),
            "{text}"
        );
        assert!(took < Duration::from_secs(2), "{status} took {took:?}");
        assert_eq!(
            recorded(&server).await.len(),
            1,
            "{status} is never retried"
        );
    }
}

#[tokio::test]
async fn a_persistent_503_is_reported_within_the_deadline() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    let mut rpc = server_for(&server.uri(), "3").await;
    let (is_error, text, took) = get_workflow(&mut rpc, 1).await;
    assert!(
        is_error && text.starts_with("Hatchet API 503 server_error"),
        "{text}"
    );
    assert!(took < Duration::from_millis(3500), "{took:?}");
}

#[tokio::test]
async fn a_hanging_or_dribbling_upstream_times_out_naming_the_deadline() {
    for misbehavior in [Misbehavior::Hang, Misbehavior::Dribble] {
        let upstream = RawServer::start(misbehavior.clone(), usize::MAX).await;
        let mut rpc = server_for(&upstream.url, "1").await;
        let (is_error, text, took) = get_workflow(&mut rpc, 1).await;
        assert!(is_error, "{misbehavior:?}: {text}");
        assert!(
            text.contains("did not answer within 1s") && text.contains("HATCHET_MCP_TIMEOUT_SECS"),
            "{misbehavior:?}: {text}"
        );
        assert!(
            took >= Duration::from_secs(1) && took < Duration::from_millis(2500),
            "{misbehavior:?}: {took:?}"
        );
        // And the server is still serving.
        let answer = rpc.request(2, "ping", json!({})).await;
        assert_eq!(answer["result"], json!({}));
    }
}

#[tokio::test]
async fn resets_truncations_and_non_json_are_clear_errors_and_the_next_call_works() {
    let cases = [
        // Transport faults are retried (1 + 3 attempts), so they misbehave four times.
        (Misbehavior::Reset, 4, "Could not reach Hatchet at"),
        (Misbehavior::Truncated, 4, "Could not reach Hatchet at"),
        (
            Misbehavior::NotJson,
            1,
            "Hatchet answered 200 OK with a body that is not JSON",
        ),
    ];
    for (misbehavior, times, expected) in cases {
        let upstream = RawServer::start(misbehavior.clone(), times).await;
        let mut rpc = server_for(&upstream.url, "10").await;
        let (is_error, text, _) = get_workflow(&mut rpc, 1).await;
        assert!(
            is_error && text.starts_with(expected),
            "{misbehavior:?}: {text}"
        );
        let (is_error, text, _) = get_workflow(&mut rpc, 2).await;
        assert!(
            !is_error && text == r#"{"ok":true}"#,
            "{misbehavior:?}: the next call: {text}"
        );
        assert_eq!(upstream.connections(), times + 1, "{misbehavior:?}");
    }
}

#[tokio::test]
async fn a_100_mb_body_is_refused_at_the_cap_and_memory_stays_bounded() {
    let upstream = RawServer::start(Misbehavior::Huge(100 * 1024 * 1024), usize::MAX).await;
    let mut rpc = server_for(&upstream.url, "20").await;
    let before = peak_rss_kib(rpc.pid());
    let (is_error, text, _) = call(&mut rpc, 1, "get_run", json!({"workflow_run_id": RUN})).await;
    assert!(
        is_error && text.contains("larger than the 16777216 byte limit"),
        "{text}"
    );
    let after = peak_rss_kib(rpc.pid());
    println!("peak RSS: {before} KiB before, {after} KiB after a 100 MB body (cap 16 MiB)");
    // The cap plus the buffer growing to it, the runtime and the binary: far below 100 MB.
    assert!(after < 80 * 1024, "peak RSS {after} KiB");
    assert_eq!(
        upstream.connections(),
        1,
        "a body over the cap is not a transient fault: no retry"
    );
}

#[tokio::test]
async fn an_echoed_token_is_redacted_from_results_and_logs() {
    let upstream_url = {
        // The token names the server, so bind first, then build the echo from its token.
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let token = token_for(&upstream_url);
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let echo =
        format!(r#"{{"message":"bad Authorization: Bearer {token} (signature {signature})"}}"#);
    let upstream = RawServer::start(Misbehavior::Status401(echo), usize::MAX).await;
    // The echo quotes the token for `upstream_url`; serve the same token from the real one.
    let mut rpc = RawRpc::spawn(&[
        ("HATCHET_CLIENT_TOKEN", &token),
        ("HATCHET_CLIENT_SERVER_URL", &upstream.url),
        ("RUST_LOG", "debug"),
    ]);
    rpc.initialize().await;
    let (is_error, text, _) = get_workflow(&mut rpc, 1).await;
    assert!(is_error && text.contains("[REDACTED]"), "{text}");
    let (stdout, stderr) = rpc.finish().await;
    for secret in [&token, &signature] {
        assert!(!stdout.contains(secret.as_str()), "token bytes on stdout");
        assert!(!stderr.contains(secret.as_str()), "token bytes on stderr");
    }
}

#[tokio::test]
async fn a_redirect_to_another_host_does_not_carry_the_token() {
    let elsewhere = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&elsewhere)
        .await;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(307).insert_header(
            "Location",
            format!("{}/api/v1/workflows/{WORKFLOW}", elsewhere.uri()),
        ))
        .mount(&server)
        .await;
    let mut rpc = server_for(&server.uri(), "5").await;
    let (is_error, text, _) = get_workflow(&mut rpc, 1).await;
    assert!(
        is_error && text.contains("redirects are not followed"),
        "{text}"
    );
    assert!(
        elsewhere.received_requests().await.unwrap().is_empty(),
        "nothing reached the other host"
    );
}

#[tokio::test]
async fn many_huge_bodies_at_once_stay_within_the_shared_buffer_budget() {
    let upstream = RawServer::start(Misbehavior::Huge(100 * 1024 * 1024), usize::MAX).await;
    let mut rpc = server_for(&upstream.url, "20").await;
    let calls = 12u64;
    for id in 1..=calls {
        let call = json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
            "params": {"name": "get_run", "arguments": {"workflow_run_id": RUN}}});
        rpc.send(&call).await;
    }
    for id in 1..=calls {
        let answer = rpc.response(id).await;
        let text = answer["result"]["content"][0]["text"].as_str().unwrap();
        assert!(
            text.contains("byte limit") || text.contains("MiB this server buffers"),
            "{text}"
        );
    }
    let peak = peak_rss_kib(rpc.pid());
    println!(
        "peak RSS with {calls} concurrent 100 MB bodies: {peak} KiB (16 MiB per answer, 64 MiB in all)"
    );
    // Without the shared budget this is 12 x 16 MiB of buffers (and their growth) at once.
    assert!(peak < 160 * 1024, "peak RSS {peak} KiB");
}
