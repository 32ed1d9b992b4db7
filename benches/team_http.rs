//! Team mode's cost, measured side by side with stdio in one run, against the same fake
//! Hatchet (the fixture tenant of `tests/support/fixture.rs`):
//!
//! - `get_run_status` latency, sequential, over stdio and over HTTP (rmcp's client on both,
//!   rounds taken in turns so both see the same load): what the HTTP layer adds;
//! - throughput with 32 concurrent callers, each with their own token and connection;
//! - resident memory with 1,000 idle sessions (each its own caller, its connection open).
//!
//! `cargo bench --bench team_http` writes its section of `docs/benchmark.md` (between the
//! `team-http` markers). Both transports run the binary cargo built beside this bench.

#![allow(dead_code)] // The support modules serve the tests too.

#[path = "../tests/support/fixture.rs"]
mod fixture;
#[path = "../tests/support/process.rs"]
mod process;
mod shared;
#[path = "../tests/support/team.rs"]
mod team;
#[path = "../tests/support/token.rs"]
mod token;

use std::{
    process::Stdio,
    sync::Arc,
    time::{Duration, Instant},
};

use rmcp::{RoleClient, ServiceExt, service::RunningService, transport::TokioChildProcess};
use team::{TENANT, TeamServer, caller_token};

pub const START: &str = "<!-- team-http:start -->";
pub const END: &str = "<!-- team-http:end -->";

const ROUNDS: usize = 6;
const CALLS_PER_ROUND: usize = 300;
const CALLERS: usize = 32;
const THROUGHPUT_FOR: Duration = Duration::from_secs(5);
const IDLE_SESSIONS: usize = 1_000;

async fn stdio_session(url: &str) -> RunningService<RoleClient, ()> {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"));
    command
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", token::token_for(url));
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hatchet-mcp");
    ().serve(transport).await.expect("initialize")
}

/// Milliseconds of each of `CALLS_PER_ROUND` sequential calls.
async fn round<S: rmcp::Service<RoleClient>>(
    session: &RunningService<RoleClient, S>,
    run_id: &str,
) -> Vec<f64> {
    let mut times = Vec::with_capacity(CALLS_PER_ROUND);
    for _ in 0..CALLS_PER_ROUND {
        let started = Instant::now();
        let result = session
            .call_tool(team::run_status_call(run_id))
            .await
            .unwrap();
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        assert_ne!(result.is_error, Some(true), "{result:?}");
    }
    times
}

fn percentile(values: &mut [f64], at: f64) -> f64 {
    values.sort_by(f64::total_cmp);
    values[((values.len() - 1) as f64 * at) as usize]
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let hatchet = fixture::Tenant::serve().await;
    let run_id = fixture::Tenant::new().run_ids()[0].clone();
    let url = hatchet.uri();

    let stdio = stdio_session(&url).await;
    let server = TeamServer::start(&url, &[]).await;
    let http = team::connect(
        &server.mcp_url(),
        &caller_token("bench", TENANT, "https://x.invalid"),
    )
    .await;
    // Warm up both (connections, caches, the caller's redaction).
    round(&stdio, &run_id).await;
    round(&http, &run_id).await;
    let (mut over_stdio, mut over_http) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        over_stdio.extend(round(&stdio, &run_id).await);
        over_http.extend(round(&http, &run_id).await);
    }
    let stdio_median = percentile(&mut over_stdio, 0.5);
    let http_median = percentile(&mut over_http, 0.5);
    let stdio_p90 = percentile(&mut over_stdio, 0.9);
    let http_p90 = percentile(&mut over_http, 0.9);
    http.cancel().await.unwrap();

    // 32 callers at once, each with their own token and connection.
    let mut clients = Vec::new();
    for n in 0..CALLERS {
        let token = caller_token(&format!("caller-{n}"), TENANT, "https://x.invalid");
        clients.push(team::connect(&server.mcp_url(), &token).await);
    }
    let http_throughput =
        calls_per_second(clients.into_iter().map(Arc::new).collect(), &run_id).await;
    // The same load on stdio: 32 calls in flight on its one session.
    let stdio = Arc::new(stdio);
    let stdio_throughput = calls_per_second(vec![stdio; CALLERS], &run_id).await;

    // A fresh server for the memory figures: idle, then with 1,000 idle sessions.
    let idle_server =
        TeamServer::start(&url, &[("HATCHET_MCP_HTTP_HEADER_TIMEOUT_SECS", "120")]).await;
    let started_kib = process::status_kib(idle_server.pid(), "VmRSS");
    let mut idle = Vec::new();
    let address = idle_server.address().to_owned();
    for batch in 0..IDLE_SESSIONS / 50 {
        let opening: Vec<_> = (0..50)
            .map(|n| {
                let address = address.clone();
                let token = caller_token(&format!("idle-{batch}-{n}"), TENANT, "https://x.invalid");
                tokio::spawn(async move { team::open_idle_session(&address, &token).await })
            })
            .collect();
        for open in opening {
            idle.push(open.await.unwrap());
        }
    }
    let idle_kib = process::status_kib(idle_server.pid(), "VmRSS");
    let peak_kib = process::status_kib(idle_server.pid(), "VmHWM");
    drop(idle);

    let mib = |kib: u64| format!("{:.1}", kib as f64 / 1024.0);
    let section = format!(
        "{START}\n## Team mode over HTTP\n\n\
         `cargo bench --bench team_http`: the same binary over stdio and over Streamable HTTP\n\
         (`serve --http`, stateless, JSON answers), against the same loopback fake, in one run\n\
         ({rounds} rounds of {per} sequential `get_run_status` calls each, taken in turns). rmcp's\n\
         client on both sides; over HTTP a kept-alive connection and the caller's own token.\n\
         {machine}\n\n\
         | measure | stdio | HTTP |\n|---|---:|---:|\n\
         | `get_run_status`, median (ms) | {sm:.3} | {hm:.3} |\n\
         | `get_run_status`, 90th percentile (ms) | {sp:.3} | {hp:.3} |\n\
         | added by the HTTP layer, median (ms) | | {added:+.3} |\n\
         | calls/s, {callers} concurrent callers (HTTP: each their own token and connection; stdio: {callers} calls in flight on its one session) | {st:.0} | {ht:.0} |\n\
         | resident memory, started (MiB) | | {started} |\n\
         | resident memory with {idle} idle sessions, each its own caller (MiB) | | {with_idle} |\n\
         | peak resident memory (MiB) | | {peak} |\n\
         {END}",
        rounds = ROUNDS,
        per = CALLS_PER_ROUND,
        machine = machine(),
        sm = stdio_median,
        hm = http_median,
        sp = stdio_p90,
        hp = http_p90,
        added = http_median - stdio_median,
        callers = CALLERS,
        st = stdio_throughput,
        ht = http_throughput,
        started = mib(started_kib),
        idle = IDLE_SESSIONS,
        with_idle = mib(idle_kib),
        peak = mib(peak_kib),
    );
    shared::write_section(START, END, &section);
    println!("{section}");
}

/// Calls per second of one task per session, each calling in a loop for
/// [`THROUGHPUT_FOR`].
async fn calls_per_second<S: rmcp::Service<RoleClient>>(
    sessions: Vec<Arc<RunningService<RoleClient, S>>>,
    run_id: &str,
) -> f64 {
    let started = Instant::now();
    let tasks: Vec<_> = sessions
        .into_iter()
        .map(|session| {
            let run_id = run_id.to_owned();
            tokio::spawn(async move {
                let mut calls = 0u64;
                while started.elapsed() < THROUGHPUT_FOR {
                    let result = session
                        .call_tool(team::run_status_call(&run_id))
                        .await
                        .unwrap();
                    assert_ne!(result.is_error, Some(true));
                    calls += 1;
                }
                calls
            })
        })
        .collect();
    let mut calls = 0;
    for task in tasks {
        calls += task.await.unwrap();
    }
    calls as f64 / started.elapsed().as_secs_f64()
}

/// The CPU this ran on, from /proc/cpuinfo where there is one.
fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    format!("Measured on {cpu}, {cores} cores.")
}
