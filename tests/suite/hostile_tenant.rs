//! A hostile tenant, against the built binary: a Hatchet whose workflows carry an input
//! schema that explodes when its `$ref`s are inlined (each definition referring to the one
//! before it several times) and names of 100 KB. Loading the typed workflow tools at start
//! and suggesting names for a name that is not found must stay bounded: `ping` is answered
//! within 100 ms while that work runs, the process stays small, and the hostile workflow's
//! tool falls back to `{input}` with a warning that names it.

use std::time::{Duration, Instant};

use crate::support::{
    fake::{TENANT, mount_no_runs, token_for},
    rpc::{RawRpc, peak_rss_kib},
};
use serde_json::{Map, Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, path_regex},
};

const LAUGHS: &str = "0a0a0a0a-0000-4000-8000-000000000001";
const EMAIL: &str = "0a0a0a0a-0000-4000-8000-000000000002";

/// `{root: $ref L<levels>}` where each `L<k>` is `anyOf` a list of `fan_out` `$ref`s to
/// `L<k-1>`: a few hundred bytes that inline to `fan_out ^ levels` copies.
fn laughs_schema(fan_out: usize, levels: usize) -> Value {
    let mut defs = Map::new();
    defs.insert("L0".into(), json!({"type": "string"}));
    for level in 1..=levels {
        let below = json!({ "$ref": format!("#/$defs/L{}", level - 1) });
        defs.insert(
            format!("L{level}"),
            json!({ "anyOf": vec![below; fan_out] }),
        );
    }
    json!({
        "type": "object",
        "properties": {"root": {"$ref": format!("#/$defs/L{levels}")}},
        "$defs": defs
    })
}

fn huge_name(i: usize) -> String {
    format!("huge-{i:02}-{}", "n".repeat(100_000))
}

async fn hostile_hatchet() -> MockServer {
    let hatchet = MockServer::start().await;
    let mut rows = vec![
        json!({"metadata": {"id": LAUGHS}, "name": "laughs"}),
        json!({"metadata": {"id": EMAIL}, "name": "send-email"}),
    ];
    for i in 0..40 {
        let id = format!("0b0b0b0b-0000-4000-8000-{i:012}");
        rows.push(json!({"metadata": {"id": id}, "name": huge_name(i)}));
    }
    let page = json!({"rows": rows, "pagination": {"current_page": 1, "num_pages": 1}});
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/tenants/{TENANT}/workflows")))
        .respond_with(ResponseTemplate::new(200).set_body_json(page))
        .mount(&hatchet)
        .await;
    let version = |id: &str, schema: Value| json!({"metadata": {"id": id}, "version": "v1", "inputJsonSchema": schema, "workflow": {"description": ""}});
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/workflows/{LAUGHS}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(version(
            "1a1a1a1a-0000-4000-8000-000000000001",
            laughs_schema(4, 12),
        )))
        .with_priority(1)
        .mount(&hatchet)
        .await;
    let email = json!({"type": "object", "properties": {"to": {"type": "string"}}});
    Mock::given(method("GET"))
        .and(path_regex("^/api/v1/workflows/[0-9a-f-]+/versions$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(version("1a1a1a1a-0000-4000-8000-000000000002", email)),
        )
        .with_priority(5)
        .mount(&hatchet)
        .await;
    mount_no_runs(&hatchet).await;
    hatchet
}

fn list_runs(id: u64, name: &str) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": "list_runs", "arguments": {"workflow_ids": [name]}}})
}

fn result_text(answer: &Value) -> (bool, String) {
    let result = &answer["result"];
    let text = result["content"][0]["text"].as_str().unwrap_or_default();
    (result["isError"] == true, text.to_owned())
}

#[tokio::test]
async fn a_billion_laughs_schema_and_huge_names_leave_ping_fast_and_the_server_small() {
    let hatchet = hostile_hatchet().await;
    let token = token_for(&hatchet.uri());
    let mut rpc = RawRpc::spawn(&[
        ("HATCHET_CLIENT_TOKEN", &token),
        ("HATCHET_MCP_TIMEOUT_SECS", "5"),
        ("HATCHET_MCP_READ_ONLY", "false"),
        ("HATCHET_MCP_WORKFLOW_TOOLS", "*"),
    ]);
    // Starting is enough to load the typed tools, and so to inline the hostile schema.
    rpc.initialize().await;
    // Names nobody has: one as long as an argument may be, one near the huge names.
    rpc.send(&list_runs(10, &"x".repeat(9_000))).await;
    rpc.send(&list_runs(11, &format!("huge-7-{}", "n".repeat(900))))
        .await;

    let mut slowest = Duration::ZERO;
    for n in 0..40 {
        let started = Instant::now();
        let pong = tokio::time::timeout(
            Duration::from_secs(5),
            rpc.request(100 + n, "ping", json!({})),
        )
        .await
        .expect("ping is answered while the hostile work runs");
        assert_eq!(pong["result"], json!({}));
        slowest = slowest.max(started.elapsed());
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    println!("slowest ping while the hostile work ran: {slowest:?}");
    assert!(slowest < Duration::from_millis(100), "{slowest:?}");

    for id in [10, 11] {
        let answer = tokio::time::timeout(Duration::from_secs(5), rpc.response(id))
            .await
            .expect("a call naming an unknown workflow is answered");
        let (is_error, text) = result_text(&answer);
        assert!(is_error, "{text}");
        assert!(
            text.starts_with("Invalid argument `workflow_ids`"),
            "{text}"
        );
        assert!(text.len() < 1_000, "{} bytes", text.len());
    }

    let mut tools = Vec::new();
    for n in 0..100 {
        let listed = rpc.request(1_000 + n, "tools/list", json!({})).await;
        tools = listed["result"]["tools"].as_array().cloned().unwrap();
        let names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
        if names.contains(&"run_laughs") && names.contains(&"run_send-email") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let tool = |name: &str| {
        tools
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not listed"))
            .clone()
    };
    let laughs = tool("run_laughs");
    assert_eq!(
        laughs["inputSchema"],
        json!({"type": "object", "properties": {"input": {"type": "object"}, "wait": {"type": "boolean", "description": "Wait up to 120s for its end"}}, "additionalProperties": false}),
        "the hostile schema is not published"
    );
    let description = laughs["description"].as_str().unwrap();
    assert!(
        description.contains("Pass the input as `input`") && description.contains("$ref"),
        "{description}"
    );
    assert_eq!(
        tool("run_send-email")["inputSchema"]["properties"]["to"],
        json!({"type": "string"})
    );
    assert!(
        !tools.iter().any(|t| t["name"]
            .as_str()
            .is_some_and(|n| n.starts_with("run_huge"))),
        "a 100 KB name gets no tool"
    );

    let peak = peak_rss_kib(rpc.pid());
    println!("peak RSS against the hostile tenant: {peak} KiB");
    assert!(peak < 64 * 1024, "peak RSS {peak} KiB");
    let pong = rpc.request(5_000, "ping", json!({})).await;
    assert_eq!(pong["result"], json!({}));
    let (_, stderr) = rpc.finish().await;
    let warning = stderr
        .lines()
        .find(|line| line.contains("WARN") && line.contains("laughs"))
        .unwrap_or_else(|| panic!("no warning names the workflow:\n{stderr}"));
    assert!(warning.contains("$ref"), "{warning}");
}
