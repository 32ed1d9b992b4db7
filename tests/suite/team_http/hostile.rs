//! Hostile callers and a hostile network: no token, a malformed one, one whose claims name
//! another server, another tenant under an allowlist, a foreign `Origin`, a 64 MB body,
//! headers a byte a second, a thousand idle sessions, a mutation in read-only mode, more
//! calls than a caller may make at once, and SIGTERM with calls in flight. No part of any
//! token appears in a log line or an answer.

use std::time::{Duration, Instant};

use serde_json::json;
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::TcpStream,
};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path_regex},
};

use crate::support::{
    fake::{RUN, WORKFLOW, mount_trigger, mount_workflows},
    fixture::Tenant,
    process::{assert_no_piece_of, status_kib},
    team::{self, TENANT, TeamServer, caller_token, initialize, post, tool_call},
};

const OTHER_TENANT: &str = "11111111-2222-3333-4444-555555555555";

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_usable_token_nothing_is_sent_and_the_answer_is_401() {
    let hatchet = MockServer::start().await;
    let server = TeamServer::start(&hatchet.uri(), &[("RUST_LOG", "trace")]).await;
    let address = server.address();
    let not_a_jwt = "hatchet-api-token-that-is-not-a-jwt-0123456789";
    for (headers, error) in [
        (vec![], None),
        (
            vec![("authorization", "Basic dXNlcjpwYXNzd29yZA==".to_owned())],
            None,
        ),
        (
            vec![("authorization", bearer(not_a_jwt))],
            Some("invalid_token"),
        ),
        (
            vec![(
                "authorization",
                bearer(&team::mint_token(&json!({"sub": "me"}))),
            )],
            Some("invalid_token"),
        ),
    ] {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let answer = post(address, &headers, &initialize()).await;
        assert_eq!(answer.status, 401, "{headers:?}: {}", answer.body);
        let challenge = answer.header("www-authenticate").expect("a challenge");
        assert!(
            challenge.starts_with("Bearer realm=\"hatchet-mcp\""),
            "{challenge}"
        );
        if let Some(error) = error {
            assert!(challenge.contains(error), "{challenge}");
        }
        assert!(!answer.body.contains("0123456789"), "{}", answer.body);
    }
    assert!(hatchet.received_requests().await.unwrap().is_empty());
    assert_no_piece_of(not_a_jwt, &server.stderr());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_goes_only_to_the_pinned_server_and_only_for_allowed_tenants() {
    let pinned = Tenant::serve().await;
    let elsewhere = MockServer::start().await;
    let server = TeamServer::start(
        &pinned.uri(),
        &[("HATCHET_MCP_HTTP_TENANTS", TENANT), ("RUST_LOG", "debug")],
    )
    .await;
    let call = tool_call(2, "get_run_status", json!({"workflow_run_id": RUN}));
    let mine = caller_token("alice", TENANT, &elsewhere.uri());
    let answer = post(
        server.address(),
        &[("authorization", &bearer(&mine))],
        &call,
    )
    .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.message()["result"].is_object(), "{}", answer.body);
    assert!(elsewhere.received_requests().await.unwrap().is_empty());
    assert_eq!(pinned.received_requests().await.unwrap().len(), 1);

    let theirs = caller_token("mallory", OTHER_TENANT, &pinned.uri());
    let answer = post(
        server.address(),
        &[("authorization", &bearer(&theirs))],
        &call,
    )
    .await;
    assert_eq!(answer.status, 403, "{}", answer.body);
    assert!(
        answer.body.contains("HATCHET_MCP_HTTP_TENANTS"),
        "{}",
        answer.body
    );
    assert_eq!(
        pinned.received_requests().await.unwrap().len(),
        1,
        "nothing more sent"
    );
    let log = server.stderr();
    assert_no_piece_of(&mine, &log);
    assert_no_piece_of(&theirs, &log);
    assert_no_piece_of(&mine, &answer.body);
}

#[tokio::test(flavor = "multi_thread")]
async fn only_allowed_origins_pass_and_bodies_are_bounded_in_size_and_time() {
    let hatchet = MockServer::start().await;
    let server = TeamServer::start(
        &hatchet.uri(),
        &[
            (
                "HATCHET_MCP_HTTP_ALLOWED_ORIGINS",
                "https://app.example.com",
            ),
            ("HATCHET_MCP_HTTP_HEADER_TIMEOUT_SECS", "2"),
        ],
    )
    .await;
    let address = server.address().to_owned();
    let token = caller_token("alice", TENANT, &hatchet.uri());
    let auth = bearer(&token);
    let foreign = post(
        &address,
        &[("authorization", &auth), ("origin", "https://evil.example")],
        &initialize(),
    )
    .await;
    assert_eq!(foreign.status, 403, "{}", foreign.body);
    let allowed = post(
        &address,
        &[
            ("authorization", &auth),
            ("origin", "https://app.example.com"),
        ],
        &initialize(),
    )
    .await;
    assert_eq!(allowed.status, 200, "{}", allowed.body);
    assert!(allowed.message()["result"]["serverInfo"].is_object());

    // 64 MB announced and streamed: refused long before it is all in.
    let mut stream = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {address}\r\nauthorization: {auth}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: {}\r\n\r\n",
        64 * 1024 * 1024
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = vec![b' '; 1024 * 1024];
    let mut sent = 0;
    for _ in 0..64 {
        if stream.write_all(&chunk).await.is_err() {
            break;
        }
        sent += 1;
    }
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw)).await;
    let answer = team::parse_answer(&raw);
    assert_eq!(answer.status, 413, "after {sent} MiB: {}", answer.body);

    // Headers a byte a second: the connection is closed after the header timeout (2 s).
    let started = Instant::now();
    let mut slow = TcpStream::connect(&address).await.unwrap();
    let mut closed = false;
    for byte in b"POST /mcp HTTP/1.1\r\nhost: x\r\nx-slow: aaaaaaaaaaaaaaaa".iter() {
        if slow.write_all(&[*byte]).await.is_err() {
            closed = true;
            break;
        }
        let mut buf = [0u8; 256];
        if let Ok(Ok(read)) =
            tokio::time::timeout(Duration::from_secs(1), slow.read(&mut buf)).await
        {
            // An answer (408) or the end of the stream: either way the server let go.
            let _ = read;
            closed = true;
            break;
        }
    }
    assert!(closed, "the slow client was never cut off");
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );

    // A body a byte a second: cut off after the same time.
    let mut slow = TcpStream::connect(&address).await.unwrap();
    let head = format!(
        "POST /mcp HTTP/1.1\r\nhost: {address}\r\nauthorization: {auth}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: 1000\r\n\r\n{{"
    );
    slow.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), slow.read_to_end(&mut raw)).await;
    assert!(
        started.elapsed() < Duration::from_secs(8),
        "{:?}",
        started.elapsed()
    );
    let answer = team::parse_answer(&raw);
    assert!(answer.status >= 400, "{}", answer.body);
    assert!(hatchet.received_requests().await.unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_thousand_idle_sessions_stay_within_64_mib() {
    let hatchet = MockServer::start().await;
    let server = TeamServer::start(
        &hatchet.uri(),
        &[("HATCHET_MCP_HTTP_HEADER_TIMEOUT_SECS", "60")],
    )
    .await;
    let address = server.address().to_owned();
    let mut idle = Vec::new();
    for batch in 0..20 {
        let opening = (0..50).map(|n| {
            let address = address.clone();
            // Each session its own caller: the worst case for what the server keeps.
            let token = caller_token(&format!("caller-{batch}-{n}"), TENANT, "https://x.invalid");
            async move { team::open_idle_session(&address, &token).await }
        });
        idle.extend(futures_join(opening).await);
    }
    assert_eq!(idle.len(), 1000);
    let rss = status_kib(server.pid(), "VmRSS");
    assert!(
        rss < 64 * 1024,
        "{rss} KiB resident with 1,000 idle sessions"
    );
    // Still answering.
    let token = caller_token("late", TENANT, "https://x.invalid");
    let answer = post(
        &address,
        &[("authorization", &bearer(&token))],
        &initialize(),
    )
    .await;
    assert_eq!(answer.status, 200);
    drop(idle);
}

async fn futures_join<F: std::future::Future<Output = TcpStream> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<TcpStream> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for handle in handles {
        out.push(handle.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn read_only_sends_no_mutation_and_read_write_audits_the_caller() {
    let hatchet = MockServer::start().await;
    mount_workflows(&hatchet, &[(WORKFLOW, "etl")]).await;
    mount_trigger(&hatchet, RUN).await;
    let token = caller_token("alice-token-id", TENANT, &hatchet.uri());
    let auth = bearer(&token);
    let trigger = tool_call(2, "trigger_workflow", json!({"workflow_name": "etl"}));

    let read_only = TeamServer::start(&hatchet.uri(), &[]).await;
    let answer = post(read_only.address(), &[("authorization", &auth)], &trigger).await;
    let message = answer.message();
    assert!(
        message["error"]["message"]
            .as_str()
            .unwrap()
            .contains("read-only"),
        "{message}"
    );
    assert!(hatchet.received_requests().await.unwrap().is_empty());

    let read_write = TeamServer::start(&hatchet.uri(), &[("HATCHET_MCP_READ_ONLY", "false")]).await;
    let answer = post(read_write.address(), &[("authorization", &auth)], &trigger).await;
    let message = answer.message();
    assert_ne!(message["result"]["isError"], json!(true), "{message}");
    // The audit line is written as the call ends, just before its answer.
    let log = read_write.stderr();
    let line = log
        .lines()
        .find(|l| l.contains(" audit: mutating call "))
        .unwrap_or_else(|| panic!("no audit line in {log}"));
    assert!(line.contains("caller=alice-token-id"), "{line}");
    assert!(line.contains(&format!("tenant={TENANT}")), "{line}");
    assert_no_piece_of(&token, &log);
    assert_no_piece_of(&token, &answer.body);
}

async fn slow_status(delay: Duration) -> MockServer {
    let hatchet = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path_regex("/workflow-runs/.*/status$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json("RUNNING")
                .set_delay(delay),
        )
        .mount(&hatchet)
        .await;
    hatchet
}

#[tokio::test(flavor = "multi_thread")]
async fn a_caller_past_their_bound_is_told_to_retry() {
    let hatchet = slow_status(Duration::from_millis(1500)).await;
    let server = TeamServer::start(
        &hatchet.uri(),
        &[("HATCHET_MCP_HTTP_MAX_CALLS_PER_CALLER", "1")],
    )
    .await;
    let address = server.address().to_owned();
    let auth = bearer(&caller_token("alice", TENANT, &hatchet.uri()));
    let call = tool_call(2, "get_run_status", json!({"workflow_run_id": RUN}));
    let first = {
        let (address, auth, call) = (address.clone(), auth.clone(), call.clone());
        tokio::spawn(async move { post(&address, &[("authorization", &auth)], &call).await })
    };
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = post(&address, &[("authorization", &auth)], &call).await;
    assert_eq!(second.status, 429, "{}", second.body);
    assert_eq!(second.header("retry-after"), Some("1"));
    // Another caller is not held back by the first.
    let other = bearer(&caller_token("bob", TENANT, &hatchet.uri()));
    let third = post(&address, &[("authorization", &other)], &call).await;
    assert_eq!(third.status, 200, "{}", third.body);
    assert_eq!(first.await.unwrap().status, 200);
}

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_lets_calls_in_flight_finish_and_refuses_new_ones() {
    let hatchet = slow_status(Duration::from_secs(2)).await;
    let mut server = TeamServer::start(&hatchet.uri(), &[]).await;
    let address = server.address().to_owned();
    let auth = bearer(&caller_token("alice", TENANT, &hatchet.uri()));
    let call = tool_call(2, "get_run_status", json!({"workflow_run_id": RUN}));
    let in_flight: Vec<_> = (0..3)
        .map(|_| {
            let (address, auth, call) = (address.clone(), auth.clone(), call.clone());
            tokio::spawn(async move { post(&address, &[("authorization", &auth)], &call).await })
        })
        .collect();
    // All three have reached the fake before the signal.
    let reached = Instant::now();
    while hatchet.received_requests().await.unwrap().len() < 3 {
        assert!(
            reached.elapsed() < Duration::from_secs(10),
            "the calls never reached Hatchet"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.terminate();
    tokio::time::sleep(Duration::from_millis(300)).await;
    match TcpStream::connect(&address).await {
        Err(_) => {}
        Ok(mut stream) => {
            // Accepted by the kernel's queue before the listener closed: never served.
            let _ = stream
                .write_all(b"GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n")
                .await;
            let mut raw = Vec::new();
            let _ =
                tokio::time::timeout(Duration::from_secs(5), stream.read_to_end(&mut raw)).await;
            let text = String::from_utf8_lossy(&raw);
            assert!(
                !text.starts_with("HTTP/1.1 200"),
                "a new request was served: {text}"
            );
        }
    }
    for call in in_flight {
        let answer = call.await.unwrap();
        assert_eq!(answer.status, 200, "{}", answer.body);
        assert!(
            answer.message()["result"]["content"].is_array(),
            "{}",
            answer.body
        );
    }
    let status = tokio::time::timeout(Duration::from_secs(10), server.child.wait())
        .await
        .expect("the server exits after the drain")
        .unwrap();
    assert!(status.success(), "{status:?}: {}", server.stderr());
    assert!(server.stderr().contains("draining"), "{}", server.stderr());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_shared_token_serves_callers_without_theirs_only_when_asked_and_says_so() {
    let hatchet = Tenant::serve().await;
    let shared = caller_token("shared-token-id", TENANT, &hatchet.uri());
    let server = TeamServer::start(
        &hatchet.uri(),
        &[
            ("HATCHET_CLIENT_TOKEN", &shared),
            ("HATCHET_MCP_HTTP_SHARED_TOKEN", "true"),
        ],
    )
    .await;
    let call = tool_call(2, "get_run_status", json!({"workflow_run_id": RUN}));
    let answer = post(server.address(), &[], &call).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let sent = hatchet.received_requests().await.unwrap();
    assert_eq!(
        sent[0]
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
        Some(bearer(&shared).as_str())
    );
    let log = server.stderr();
    assert!(log.contains("SHARED TOKEN"), "{log}");
    assert_no_piece_of(&shared, &log);
    assert_no_piece_of(&shared, &answer.body);
}
