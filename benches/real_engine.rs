//! What hatchet-mcp costs in front of a real Hatchet: for `get_run_status`, `list_runs` and
//! `describe_run_failure`, the latency of a tool call through the release binary next to the
//! same REST requests made directly (one keep-alive HTTP client, the same requests in the
//! same order, one after another), in one run, taking turns in blocks.
//!
//!     bash scripts/real-hatchet.sh up && cargo bench --bench real_engine
//!
//! The requests each tool makes are learnt by calling it once through a recording proxy.
//! It rewrites the real-engine section of `docs/benchmark.md` (between its markers).
//! Without the engine it says so and measures nothing.

mod shared;
#[path = "../tests/support/mod.rs"]
mod support;
use shared::{release_binary, root};

#[path = "../tests/suite/real_hatchet/proxy.rs"]
mod proxy;

use std::{
    collections::HashMap,
    process::Stdio,
    time::{Duration, Instant},
};

use rmcp::{
    RoleClient, ServiceExt, model::CallToolRequestParams, service::RunningService,
    transport::TokioChildProcess,
};
use serde_json::{Value, json};

use proxy::Recorder;

type Session = RunningService<RoleClient, ()>;

/// Calls timed per tool and way, in blocks of [`BLOCK`] taking turns.
const CALLS: usize = 200;
const BLOCK: usize = 20;
/// Untimed calls first, per tool and way.
const WARM_UP: usize = 10;

pub const START: &str = "<!-- real-engine:start -->";
pub const END: &str = "<!-- real-engine:end -->";

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let Ok(text) = std::fs::read_to_string(root().join("target/real-hatchet/env")) else {
        eprintln!(
            "real_engine: SKIPPED (target/real-hatchet/env is missing: run `bash scripts/real-hatchet.sh up` first)"
        );
        return;
    };
    let env: HashMap<String, String> = text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let seed: Value =
        serde_json::from_str(&std::fs::read_to_string(&env["REAL_HATCHET_SEED"]).unwrap()).unwrap();
    let binary = release_binary();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let rows = runtime.block_on(measure(&env, &seed, &binary));
    write_report(&env, &rows);
}

struct Row {
    tool: &'static str,
    requests: usize,
    mcp: Vec<Duration>,
    direct: Vec<Duration>,
}

async fn start(binary: &str, token: &str, url: &str) -> Session {
    let mut command = tokio::process::Command::new(binary);
    command
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", token)
        .env("HATCHET_CLIENT_SERVER_URL", url)
        .env("HATCHET_MCP_TOOLSETS", "all");
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    ().serve(transport).await.expect("initialize")
}

async fn call(session: &Session, tool: &str, arguments: &Value) {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().unwrap().clone());
    let result = session.call_tool(params).await.expect("a tool result");
    assert_ne!(result.is_error, Some(true), "{tool} failed: {result:?}");
}

async fn measure(env: &HashMap<String, String>, seed: &Value, binary: &str) -> Vec<Row> {
    let (token, url) = (
        &env["HATCHET_CLIENT_TOKEN"],
        &env["HATCHET_CLIENT_SERVER_URL"],
    );
    let failed = seed["runs"]["failed"].as_str().unwrap();
    let since = (jiff::Timestamp::now() - jiff::SignedDuration::from_hours(6)).to_string();
    let tools: [(&'static str, Value); 3] = [
        ("get_run_status", json!({"workflow_run_id": failed})),
        ("list_runs", json!({"since": since})),
        ("describe_run_failure", json!({"workflow_run_id": failed})),
    ];

    // The requests each tool makes, learnt through the recording proxy.
    let recorder = Recorder::start(url).await;
    let learning = start(binary, token, &recorder.url).await;
    for (tool, arguments) in &tools {
        recorder.label(tool);
        call(&learning, tool, arguments).await;
    }
    let exchanges = recorder.exchanges();
    let _ = learning.cancel().await;

    let session = start(binary, token, url).await;
    let _ = rustls::crypto::ring::default_provider().install_default();
    let http = reqwest::Client::new();
    let mut rows = Vec::new();
    for (tool, arguments) in &tools {
        let requests: Vec<reqwest::Request> = exchanges
            .iter()
            .filter(|e| e.label == *tool)
            .map(|e| {
                let mut url = reqwest::Url::parse(&format!("{url}{}", e.request.path)).unwrap();
                url.query_pairs_mut().extend_pairs(
                    e.request
                        .query
                        .iter()
                        .map(|(k, v)| (k.as_str(), v.as_str())),
                );
                http.request(e.request.method.parse().unwrap(), url)
                    .bearer_auth(token)
                    .build()
                    .unwrap()
            })
            .collect();
        let direct = async || {
            for request in &requests {
                let answer = http.execute(request.try_clone().unwrap()).await.unwrap();
                assert!(answer.status().is_success(), "{}", answer.status());
                answer.bytes().await.unwrap();
            }
        };
        for _ in 0..WARM_UP {
            call(&session, tool, arguments).await;
            direct().await;
        }
        let (mut mcp, mut plain) = (Vec::new(), Vec::new());
        while mcp.len() < CALLS {
            for _ in 0..BLOCK {
                let at = Instant::now();
                call(&session, tool, arguments).await;
                mcp.push(at.elapsed());
            }
            for _ in 0..BLOCK {
                let at = Instant::now();
                direct().await;
                plain.push(at.elapsed());
            }
        }
        rows.push(Row {
            tool,
            requests: requests.len(),
            mcp,
            direct: plain,
        });
    }
    let _ = session.cancel().await;
    rows
}

fn percentile(samples: &[Duration], p: f64) -> f64 {
    let mut ms: Vec<f64> = samples.iter().map(|d| d.as_secs_f64() * 1000.0).collect();
    ms.sort_by(f64::total_cmp);
    let rank = ((ms.len() as f64 - 1.0) * p).round() as usize;
    ms[rank]
}

fn write_report(env: &HashMap<String, String>, rows: &[Row]) {
    let mut table = format!(
        "{START}\n## Against a real engine\n\n\
         Written by `cargo bench --bench real_engine` against the engine of \
         `scripts/real-hatchet.sh` (Hatchet {}, PostgreSQL 15, on loopback, on this 2-core \
         machine), {CALLS} timed calls per tool and way, taking turns in blocks of {BLOCK}. \
         *direct* makes the same REST requests the tool makes (learnt through a recording \
         proxy), one after another on one keep-alive client; *through hatchet-mcp* is the \
         tool call over stdio from rmcp's client. The goal: at most 1 ms or 10% over direct, \
         whichever is larger.\n\n\
         | tool | requests | direct median (ms) | direct p95 | hatchet-mcp median (ms) | hatchet-mcp p95 | cost, median (ms) | cost, p95 (ms) | within goal |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---|\n",
        env.get("REAL_HATCHET_VERSION").map_or("?", String::as_str)
    );
    for row in rows {
        let (dm, dp) = (percentile(&row.direct, 0.5), percentile(&row.direct, 0.95));
        let (mm, mp) = (percentile(&row.mcp, 0.5), percentile(&row.mcp, 0.95));
        let goal = (dm * 0.1).max(1.0);
        table.push_str(&format!(
            "| `{}` | {} | {dm:.2} | {dp:.2} | {mm:.2} | {mp:.2} | {:+.2} | {:+.2} | {} |\n",
            row.tool,
            row.requests,
            mm - dm,
            mp - dp,
            if mm - dm <= goal { "yes" } else { "no" }
        ));
    }
    table.push_str(END);
    println!("{table}");
    shared::write_section(START, END, &table);
}
