//! The token never leaves the process in part either: no 12-character fragment of its
//! secret segments (claims, signature) appears in any result, error or log line, however
//! Hatchet echoes it (whole, cut at any offset, URL- or base64-encoded, split across JSON
//! fields) and however the server cuts what it quotes.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use crate::support::{
    contract::percent_decode,
    fake::{BASE64_STANDARD, TENANT, base64, mint_token, token_for},
    rpc::RawRpc,
};
use hatchet_mcp::{
    config::Secret,
    hatchet::{Client, ClientOptions, RetryPolicy},
    redact::FRAGMENT_CHARS,
};
use proptest::{prelude::*, test_runner::TestRunner};
use serde_json::json;
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

/// The text a reader could recover from `text`: JSON escapes (`\uXXXX`, `\/`, `\\`) and
/// percent-escapes (either case) decoded, again and again until nothing changes. Written
/// here independently of the redactor, as the oracle its output is held to.
fn fully_decoded(text: &str) -> String {
    let mut text = text.to_owned();
    for _ in 0..8 {
        let decoded = percent_decode(&json_unescape(&text));
        if decoded == text {
            break;
        }
        text = decoded;
    }
    text
}

fn json_unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('\\') {
        out.push_str(&rest[..at]);
        let after = &rest[at + 1..];
        let unicode = after
            .strip_prefix('u')
            .and_then(|hex| hex.get(..4))
            .and_then(|hex| u32::from_str_radix(hex, 16).ok())
            .and_then(char::from_u32);
        if let Some(c) = unicode {
            out.push(c);
            rest = &after[5..];
        } else if let Some(tail) = after.strip_prefix('/') {
            out.push('/');
            rest = tail;
        } else if let Some(tail) = after.strip_prefix('\\') {
            out.push('\\');
            rest = tail;
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Every 12-character piece of the token's secret segments found in `text` or in what a
/// reader could decode from it.
fn recoverable_fragments(token: &str, text: &str) -> Vec<String> {
    let mut found = fragments_in(token, text);
    found.extend(fragments_in(token, &fully_decoded(text)));
    found
}

/// How one character of the token is written.
fn encode_char(byte: u8, how: u8) -> String {
    match how % 8 {
        0 | 1 => (byte as char).to_string(),
        2 => format!("%{byte:02X}"),
        3 => format!("%{byte:02x}"),
        4 => format!("%25{byte:02X}"),
        5 => format!("\\u{byte:04x}"),
        6 => format!("\\\\u{byte:04X}"),
        _ => format!("%5Cu{byte:04x}"),
    }
}

#[test]
fn a_token_written_in_any_mix_of_percent_and_json_escapes_is_removed() {
    let mut runner = TestRunner::new(ProptestConfig {
        cases: 256,
        ..ProptestConfig::default()
    });
    let hows = proptest::collection::vec(proptest::arbitrary::any::<u8>(), 400);
    runner
        .run(
            &(token_strategy(), hows, 0usize..3, 0usize..60),
            |(token, hows, cut_kind, cut)| {
                let encoded: String = token
                    .bytes()
                    .zip(hows.iter().cycle())
                    .map(|(byte, how)| encode_char(byte, *how))
                    .collect();
                // Whole, or cut (an upstream cap) some way into it from either end.
                let cut = cut.min(encoded.len());
                let cut_at = |at: usize| (0..=at).rev().find(|i| encoded.is_char_boundary(*i));
                let echoed = match cut_kind {
                    0 => encoded.clone(),
                    1 => encoded[..cut_at(encoded.len() - cut).unwrap_or(0)].to_owned(),
                    _ => encoded[cut_at(cut).unwrap_or(0)..].to_owned(),
                };
                let text = format!("upstream said: Bearer {echoed} was refused");
                let redacted = Secret::new(token.clone()).redact(&text).into_owned();
                let found = recoverable_fragments(&token, &redacted);
                prop_assert!(found.is_empty(), "{found:?} in {redacted}");
                Ok(())
            },
        )
        .unwrap();
}

/// The dots alone encoded, in either case, or the whole token double-encoded: nothing of it
/// is left, its public header included.
#[test]
fn a_token_with_encoded_dots_or_double_encoding_is_removed_whole() {
    let token = token_for("http://127.0.0.1:9");
    let double: String = token.bytes().map(|b| format!("%25{b:02X}")).collect();
    for echoed in [
        token.replace('.', "%2E"),
        token.replace('.', "%2e"),
        token.replace('.', "%252E"),
        double,
    ] {
        let redacted = Secret::new(token.clone()).redact(&echoed).into_owned();
        assert_eq!(redacted, "[REDACTED]", "{echoed}");
    }
}

/// A JWT's base64 never holds `+` or `/` (its characters are all below `>`), but a secret
/// of another shape may: its base64 is recognised however a form or JSON carries those.
#[test]
fn base64_of_a_secret_form_encoded_in_any_case_or_json_escaped_is_removed() {
    let token = "k>?~>?~>?~>?-service-account-secret-0123456789";
    for prefix in ["", "a", "ab", "Bearer ", "user:"] {
        let encoded = standard_base64(format!("{prefix}{token}").as_bytes());
        assert!(encoded.contains('+') || encoded.contains('/'), "{encoded}");
        let variants = [
            encoded.replace('+', "%2b").replace('/', "%2f"),
            encoded.replace('+', "%2B").replace('/', "%2f"),
            encoded.replace('/', "\\/"),
            // A form decoder reads `+` as a space.
            encoded.replace('+', " "),
        ];
        for variant in variants {
            let redacted = Secret::new(token).redact(&variant).into_owned();
            let normalized = fully_decoded(&redacted).replace(' ', "+");
            // Past the characters that also carry the prefix, short of the padded end.
            let from = prefix.len().div_ceil(3) * 4;
            let leaked = encoded.as_bytes()[from..encoded.len() - 4]
                .windows(16)
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .find(|w| normalized.contains(w.as_str()));
            assert!(leaked.is_none(), "{prefix:?}: {leaked:?} in {redacted}");
        }
    }
}

/// Tool metadata made at runtime reaches the client through the same redaction as results:
/// workflows whose names, descriptions and input schemas carry the token (whole, in pieces,
/// percent- or JSON-escaped) become `run_<workflow>` tools, and not one byte the server
/// writes to stdout (tools/list, list_changed, errors, results) holds a piece of it.
#[tokio::test]
async fn workflow_metadata_reaches_the_client_only_redacted() {
    let hatchet = MockServer::start().await;
    let token = token_for(&hatchet.uri());
    let (_, secret) = token.split_once('.').unwrap();
    let signature = token.rsplit('.').next().unwrap();
    let claims = secret.split('.').next().unwrap();
    let every_other_encoded: String = token
        .bytes()
        .enumerate()
        .map(|(i, b)| encode_char(b, if i % 2 == 0 { 3 } else { 0 }))
        .collect();
    let json_escaped: String = token
        .bytes()
        .enumerate()
        .map(|(i, b)| encode_char(b, if i % 3 == 0 { 5 } else { 0 }))
        .collect();
    let forms = [
        token.clone(),
        claims[7..40].to_owned(),
        signature.to_owned(),
        secret.bytes().map(|b| format!("%{b:02x}")).collect(),
        every_other_encoded,
        token.replace('.', "%2E"),
        secret.bytes().map(|b| format!("%25{b:02X}")).collect(),
        json_escaped,
    ];
    let mut workflows = Vec::new();
    for (n, form) in forms.iter().enumerate() {
        let id = format!("00000000-0000-4000-8000-{n:012}");
        // Names carry pieces too (a tool name is built from one); the others stay callable.
        let name = if n % 2 == 0 {
            format!("wf{n}-{}", &signature[n..n + 14])
        } else {
            format!("wf{n}")
        };
        let key = format!("k{}", &claims[n..n + 20]);
        let schema = json!({
            "type": "object",
            "properties": {
                "to": {"type": "string", "description": format!("Bearer {form}")},
                (key.clone()): {"type": "string", "default": form},
            },
            "required": ["to", key],
        });
        let version = json!({
            "metadata": {"id": format!("10000000-0000-4000-8000-{n:012}")},
            "version": "v1",
            "inputJsonSchema": schema,
            "workflow": {"description": format!("Sends {form} to the API")},
        });
        Mock::given(wiremock::matchers::method("GET"))
            .and(wiremock::matchers::path(format!(
                "/api/v1/workflows/{id}/versions"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(version))
            .mount(&hatchet)
            .await;
        workflows.push((id, name));
    }
    let listed: Vec<(&str, &str)> = workflows
        .iter()
        .map(|(id, name)| (id.as_str(), name.as_str()))
        .collect();
    crate::support::fake::mount_workflows(&hatchet, &listed).await;

    let mut rpc = RawRpc::spawn(&[
        ("HATCHET_CLIENT_TOKEN", token.as_str()),
        ("HATCHET_MCP_READ_ONLY", "false"),
        ("HATCHET_MCP_WORKFLOW_TOOLS", "*"),
        ("HATCHET_MCP_TOOLSETS", "all"),
    ]);
    rpc.initialize().await;
    let mut id = 1;
    let mut workflow_tools = Vec::new();
    for _ in 0..100 {
        let listed = rpc.request(id, "tools/list", json!({})).await;
        id += 1;
        workflow_tools = listed["result"]["tools"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|t| t["name"].as_str().unwrap().starts_with("run_"))
            .cloned()
            .collect();
        if workflow_tools.len() == forms.len() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(workflow_tools.len(), forms.len(), "{workflow_tools:?}");
    // Calls that make the server quote the schema back: a missing argument, a wrong type.
    for tool in &workflow_tools {
        let name = tool["name"].as_str().unwrap();
        for arguments in [json!({}), json!({"to": 5}), json!({"zzz": 1})] {
            rpc.request(
                id,
                "tools/call",
                json!({"name": name, "arguments": arguments}),
            )
            .await;
            id += 1;
        }
    }
    rpc.request(id, "prompts/list", json!({})).await;
    let (stdout, stderr) = rpc.finish().await;
    assert!(stdout.contains("[REDACTED]"), "{stdout}");
    for (place, text) in [("stdout", &stdout), ("stderr", &stderr)] {
        let found = recoverable_fragments(&token, text);
        assert!(found.is_empty(), "{place} holds {found:?}");
    }
}
