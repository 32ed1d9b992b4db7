//! The token never leaves the process in part either: no 12-character fragment of its
//! secret segments (claims, signature) appears in any result, error or log line, however
//! Hatchet echoes it (whole, cut at any offset, URL- or base64-encoded, split across JSON
//! fields) and however the server cuts what it quotes.

mod support;

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use hatchet_mcp::{
    config::Secret,
    hatchet::{Client, ClientOptions, RetryPolicy},
    redact::FRAGMENT_CHARS,
};
use proptest::{prelude::*, test_runner::TestRunner};
use serde_json::json;
use support::{
    fake::{BASE64_STANDARD, TENANT, base64, mint_token, token_for},
    rpc::RawRpc,
};
use wiremock::{Mock, MockServer, Request, ResponseTemplate, matchers::any};

/// Every window of [`FRAGMENT_CHARS`] characters of the token's secret segments found in
/// `text`.
fn fragments_in(token: &str, text: &str) -> Vec<String> {
    token
        .split('.')
        .skip(1)
        .flat_map(|segment| segment.as_bytes().windows(FRAGMENT_CHARS))
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .filter(|w| text.contains(w.as_str()))
        .collect()
}

/// The run id of call `n`: the fake reads `n` back from the path.
fn run_id(n: usize) -> String {
    format!("00000000-0000-4000-8000-{n:012}")
}

#[tokio::test]
async fn a_token_cut_by_the_message_cap_at_any_offset_leaves_no_fragment() {
    // The reproduction of the hostile review: Hatchet answers 500 echoing the token, padded
    // so the 500-character message cap lands at every offset inside it.
    let server = MockServer::start().await;
    let token = token_for(&server.uri());
    let echoed = token.clone();
    Mock::given(any())
        .respond_with(move |request: &Request| {
            let path = request.url.path();
            let n: usize = path
                .rsplit('/')
                .nth(1)
                .and_then(|id| id.rsplit('-').next())
                .and_then(|tail| tail.parse().ok())
                .unwrap_or(0);
            // "you sent Bearer " is 16 characters; the cap falls `n` characters into the token.
            let padding = "p".repeat(500 - 16 - n);
            ResponseTemplate::new(500)
                .set_body_json(json!({ "message": format!("{padding}you sent Bearer {echoed}") }))
        })
        .mount(&server)
        .await;
    let mut rpc = RawRpc::spawn(&[
        ("HATCHET_CLIENT_TOKEN", token.as_str()),
        ("RUST_LOG", "debug"),
    ]);
    rpc.initialize().await;
    let offsets = 0..token.len().min(480);
    for n in offsets.clone() {
        let params = json!({"name": "get_run_status", "arguments": {"workflow_run_id": run_id(n)}});
        rpc.send(&json!({"jsonrpc": "2.0", "id": n + 1, "method": "tools/call", "params": params}))
            .await;
    }
    let mut answers = String::new();
    for n in offsets.clone() {
        let answer = rpc.response(n as u64 + 1).await;
        let text = answer["result"]["content"][0]["text"].as_str().unwrap();
        assert!(text.starts_with("Hatchet API 500 server_error"), "{text}");
        answers.push_str(text);
    }
    let (stdout, stderr) = rpc.finish().await;
    for (place, text) in [
        ("results", &answers),
        ("stdout", &stdout),
        ("stderr", &stderr),
    ] {
        let found = fragments_in(&token, text);
        assert!(found.is_empty(), "{place} hold token fragments: {found:?}");
    }
    assert!(answers.contains("[REDACTED]"));
}

/// How an upstream echoes the token into a body.
#[derive(Debug, Clone)]
enum Echo {
    Whole,
    Prefix(usize),
    Suffix(usize),
    PercentEncoded,
    Base64 { prefix: String },
    SplitAcrossFields(usize),
}

fn encode(token: &str, echo: &Echo) -> serde_json::Value {
    let message =
        |text: String| json!({ "message": format!("Authorization: Bearer {text} was refused") });
    match echo {
        Echo::Whole => message(token.to_owned()),
        Echo::Prefix(n) => message(token[..*n.min(&token.len())].to_owned()),
        Echo::Suffix(n) => message(token[*n.min(&token.len())..].to_owned()),
        Echo::PercentEncoded => message(
            token
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
                .replace("%2E", "."),
        ),
        Echo::Base64 { prefix } => message(standard_base64(format!("{prefix}{token}").as_bytes())),
        Echo::SplitAcrossFields(at) => {
            let at = *at.min(&token.len());
            json!({"errors": [{"description": &token[..at]}, {"description": &token[at..]}]})
        }
    }
}

/// For an encoded echo: the encoded text of the token's secret part, and the length of a
/// run of it that carries 12 characters of the token.
fn encoded_echo(token: &str, echo: &Echo) -> Option<(String, usize)> {
    let secret_start = token.find('.').unwrap() + 1;
    match echo {
        Echo::PercentEncoded => Some((
            token[secret_start..]
                .bytes()
                .map(|b| format!("%{b:02X}"))
                .collect::<String>()
                .replace("%2E", "."),
            3 * FRAGMENT_CHARS,
        )),
        Echo::Base64 { prefix } => {
            let encoded = standard_base64(format!("{prefix}{token}").as_bytes());
            // Past the prefix and the public header, and short of the padded end.
            let from = (prefix.len() + secret_start).div_ceil(3) * 4;
            let to = encoded.len().saturating_sub(4);
            Some((encoded.get(from..to)?.to_owned(), 16))
        }
        _ => None,
    }
}

fn standard_base64(bytes: &[u8]) -> String {
    base64(bytes, BASE64_STANDARD)
}

fn echo_strategy() -> impl Strategy<Value = Echo> {
    prop_oneof![
        Just(Echo::Whole),
        (0usize..400).prop_map(Echo::Prefix),
        (0usize..400).prop_map(Echo::Suffix),
        Just(Echo::PercentEncoded),
        "[a-zA-Z :]{0,9}".prop_map(|prefix| Echo::Base64 { prefix }),
        (0usize..400).prop_map(Echo::SplitAcrossFields),
    ]
}

/// A token with random claims and a random signature, as Hatchet would mint.
fn token_strategy() -> impl Strategy<Value = String> {
    ("[a-z0-9]{8,40}", "[A-Za-z0-9_-]{43,96}").prop_map(|(nonce, signature)| {
        let token = mint_token(
            &json!({"sub": TENANT, "server_url": "http://127.0.0.1:9", "token_id": nonce}),
        );
        let (unsigned, _) = token.rsplit_once('.').unwrap();
        format!("{unsigned}.{signature}")
    })
}

#[test]
fn no_upstream_echo_of_a_random_token_survives_in_any_error() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let answer: Arc<Mutex<(u16, String)>> = Arc::new(Mutex::new((500, String::new())));
    let server = runtime.block_on(async {
        let server = MockServer::start().await;
        let answer = answer.clone();
        Mock::given(any())
            .respond_with(move |_: &Request| {
                let (status, body) = answer.lock().unwrap().clone();
                ResponseTemplate::new(status).set_body_string(body)
            })
            .mount(&server)
            .await;
        server
    });
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    });
    let statuses = prop_oneof![Just(500u16), Just(401), Just(404), Just(200), Just(302)];
    runner
        .run(
            &(token_strategy(), echo_strategy(), statuses, 0usize..600),
            |(token, echo, status, padding)| {
                let mut body = encode(&token, &echo).to_string();
                if status == 200 {
                    body = format!("not json {}{body}", "p".repeat(padding));
                } else if let Some(message) = body.strip_prefix(r#"{"message":""#) {
                    body = format!(r#"{{"message":"{}{message}"#, "p".repeat(padding));
                }
                *answer.lock().unwrap() = (status, body);
                let client = Client::new(ClientOptions {
                    base_url: server.uri().parse().unwrap(),
                    tenant_id: TENANT.parse().unwrap(),
                    token: Secret::new(token.clone()),
                    read_only: true,
                    deadline: Duration::from_secs(5),
                    retry: RetryPolicy {
                        max_retries: 0,
                        ..RetryPolicy::default()
                    },
                    max_body_bytes: 1024 * 1024,
                })
                .unwrap();
                let run = uuid::Uuid::nil();
                let error = runtime
                    .block_on(client.get_run_status(run))
                    .expect_err("every answer here is an error")
                    .to_string();
                let found = fragments_in(&token, &error);
                prop_assert!(found.is_empty(), "{echo:?}/{status}: {found:?} in {error}");
                // Encoded echoes: no run of the encoded token long enough to decode a
                // 12-character fragment survives either.
                if let Some((encoded, width)) = encoded_echo(&token, &echo) {
                    let leaked = encoded
                        .as_bytes()
                        .windows(width)
                        .map(|w| String::from_utf8_lossy(w).into_owned())
                        .find(|w| error.contains(w.as_str()));
                    prop_assert!(leaked.is_none(), "{echo:?}/{status}: {leaked:?} in {error}");
                }
                Ok(())
            },
        )
        .unwrap();
}
