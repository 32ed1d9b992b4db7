//! What an agent pays for each answer, and how fast the server gives it:
//!
//! - the bytes of every read tool's answer on a 50-row fixture tenant (`tests/support/fixture.rs`),
//!   and with `detail: "full"` where a tool takes it;
//! - sequential calls per second against a fake Hatchet on loopback;
//! - `initialize` latency, resident memory and `tools/list` size of the built binary.
//!
//! `cargo bench --bench answers` measures the release binary and writes `docs/benchmark.md`,
//! beside the numbers of `benches/baseline.json` (the "before" column). With
//! `-- --save-baseline` it records this run as the new baseline instead. With
//! `HATCHET_MCP_BENCH_BEFORE=<path to an older build>` it measures that build too, taking
//! turns with this one (so both see the same load), and records it as the baseline.

#[path = "../tests/support/fixture.rs"]
mod fixture;
#[allow(dead_code)] // write_section is for the benches that own one section.
mod shared;
use shared::{release_binary, root};
#[path = "../tests/support/token.rs"]
mod token;

use std::{
    collections::BTreeMap,
    io::{BufRead, BufReader, Write},
    path::PathBuf,
    process::{Command, Stdio},
    time::{Duration, Instant},
};

use rmcp::{
    RoleClient, ServiceExt, model::CallToolRequestParams, service::RunningService,
    transport::TokioChildProcess,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// The builds measured: this package's first, then the one `HATCHET_MCP_BENCH_BEFORE`
/// names, if any.
fn binaries() -> Vec<String> {
    let mut binaries = vec![release_binary()];
    binaries.extend(std::env::var("HATCHET_MCP_BENCH_BEFORE").ok());
    binaries
}

/// Spawns measured for `initialize`.
const SPAWNS: usize = 40;
/// Rounds of sequential calls; the median is reported.
const ROUNDS: usize = 3;
const ROUND: Duration = Duration::from_secs(2);

type Session = RunningService<RoleClient, ()>;

#[derive(Debug, Default, Serialize, Deserialize)]
struct Measured {
    /// Per read tool: rows in the answer (when it has rows), bytes, and bytes with
    /// `detail: "full"` (when the tool takes it).
    answers: BTreeMap<String, Answer>,
    /// Sequential calls per second, by tool.
    calls_per_second: BTreeMap<String, f64>,
    initialize_median_ms: f64,
    initialize_worst_ms: f64,
    #[serde(default)]
    initialize_best_ms: f64,
    /// The same exchange with `cat`, which echoes the line at once: what spawning a process
    /// and reading its first line costs on this machine, under its load at the time.
    #[serde(default)]
    spawn_floor_median_ms: f64,
    /// Resident memory once `initialize` and `tools/list` are answered (median), in KiB.
    idle_rss_kib: u64,
    /// The highest resident memory any spawn reached (VmHWM), in KiB.
    peak_rss_kib: u64,
    tools_list_read_only_bytes: usize,
    tools_list_read_write_bytes: usize,
    /// Which build this is, when it is not the current one.
    #[serde(default)]
    label: String,
    /// When and where it was measured.
    machine: String,
    measured_at: String,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct Answer {
    rows: Option<usize>,
    bytes: usize,
    full_bytes: Option<usize>,
}

fn baseline_path() -> PathBuf {
    root().join("benches/baseline.json")
}

fn main() {
    // `cargo bench` passes `--bench`; the only flag of ours is `--save-baseline`.
    let save_baseline = std::env::args().any(|a| a == "--save-baseline");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    let binaries = binaries();
    let mut measured = runtime.block_on(measure_serving(&binaries));
    measure_startup(&binaries, &mut measured);
    let (machine, today) = (machine(), jiff::Timestamp::now().strftime("%Y-%m-%d"));
    for m in &mut measured {
        m.machine = machine.clone();
        m.measured_at = today.to_string();
    }
    let save = |m: &Measured| {
        let text = serde_json::to_string_pretty(m).unwrap() + "\n";
        std::fs::write(baseline_path(), text).expect("write benches/baseline.json");
        println!("saved {}", baseline_path().display());
    };
    let now = measured.remove(0);
    if save_baseline {
        save(&now);
        return;
    }
    let baseline: Option<Measured> = match measured.pop() {
        Some(mut before) => {
            before.label = std::env::var("HATCHET_MCP_BENCH_BEFORE_LABEL").unwrap_or_default();
            save(&before);
            Some(before)
        }
        None => std::fs::read_to_string(baseline_path())
            .ok()
            .and_then(|text| serde_json::from_str(&text).ok()),
    };
    let mut report = render(&now, baseline.as_ref());
    // The real-engine and team-mode sections are written by their own benches
    // (`real_engine`, `team_http`): kept as they are.
    let page = std::fs::read_to_string(root().join("docs/benchmark.md")).unwrap_or_default();
    for section in ["real-engine", "team-http"] {
        let (start, end) = (
            format!("<!-- {section}:start -->"),
            format!("<!-- {section}:end -->"),
        );
        if let (Some(from), Some(to)) = (page.find(&start), page.find(&end)) {
            report = format!("{}\n{}\n", report.trim_end(), &page[from..to + end.len()]);
        }
    }
    std::fs::write(root().join("docs/benchmark.md"), &report).expect("write docs/benchmark.md");
    print!("{report}");
}

async fn start(binary: &str, url: &str, read_only: bool) -> Session {
    let mut command = tokio::process::Command::new(binary);
    command
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", token::token_for(url))
        .env("HATCHET_MCP_READ_ONLY", read_only.to_string())
        // Measure answers whole: the default 80,000-byte ceiling would cut the largest.
        .env("HATCHET_MCP_MAX_RESULT_BYTES", "500000");
    let (transport, _) = TokioChildProcess::builder(command)
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hatchet-mcp");
    ().serve(transport).await.expect("initialize")
}

/// The text of a call's answer; `Err` with it when the result is an error.
async fn try_call(
    session: &Session,
    tool: &str,
    arguments: &Map<String, Value>,
) -> Result<String, String> {
    let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(arguments.clone());
    let result = session.call_tool(params).await.expect("a tool result");
    let text: String = result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect();
    match result.is_error {
        Some(false) => Ok(text),
        _ => Err(text),
    }
}

async fn call(session: &Session, tool: &str, arguments: &Map<String, Value>) -> String {
    try_call(session, tool, arguments)
        .await
        .unwrap_or_else(|error| panic!("{tool}: {error}"))
}

/// Answer bytes of every read tool, per build; then sequential calls per second, the builds
/// taking turns round by round.
async fn measure_serving(binaries: &[String]) -> Vec<Measured> {
    let server = fixture::Tenant::serve().await;
    let mut sessions = Vec::new();
    for binary in binaries {
        sessions.push(start(binary, &server.uri(), true).await);
    }
    let mut measured: Vec<Measured> = binaries.iter().map(|_| Measured::default()).collect();
    for (session, measured) in sessions.iter().zip(&mut measured) {
        measured.answers = answer_bytes(session).await;
    }
    let tools = sessions[0].list_all_tools().await.expect("tools/list");
    for tool in ["get_run_status", "list_runs"] {
        let schema = &tools.iter().find(|t| t.name == tool).unwrap().input_schema;
        let args = fixture::arguments(schema);
        let mut rates: Vec<Vec<f64>> = sessions.iter().map(|_| Vec::new()).collect();
        for session in &sessions {
            for _ in 0..50 {
                call(session, tool, &args).await; // warm-up
            }
        }
        for _ in 0..ROUNDS {
            for (session, rates) in sessions.iter().zip(&mut rates) {
                rates.push(calls_per_second(session, tool, &args).await);
            }
        }
        for (measured, rates) in measured.iter_mut().zip(&mut rates) {
            measured
                .calls_per_second
                .insert(tool.to_owned(), median(rates));
        }
    }
    for session in sessions {
        session.cancel().await.expect("close");
    }
    measured
}

/// Every read tool, called once with its required arguments, and, when its answer has
/// rows, once more with `detail: "full"`.
async fn answer_bytes(session: &Session) -> BTreeMap<String, Answer> {
    let tools = session.list_all_tools().await.expect("tools/list");
    let mut answers = BTreeMap::new();
    for tool in &tools {
        let schema = &tool.input_schema;
        let mut args = fixture::arguments(schema);
        let text = call(session, &tool.name, &args).await;
        let rows = serde_json::from_str::<Value>(&text)
            .ok()
            .and_then(|v| v.get("rows").and_then(Value::as_array).map(Vec::len));
        // `detail` is not in the schemas tools/list shows (the instructions describe it):
        // every answer with rows is asked for it; a tool without it refuses.
        let full_bytes = match rows {
            Some(_) => {
                args.insert("detail".into(), json!("full"));
                try_call(session, &tool.name, &args)
                    .await
                    .ok()
                    .map(|t| t.len())
            }
            None => None,
        };
        let answer = Answer {
            rows,
            bytes: text.len(),
            full_bytes,
        };
        answers.insert(tool.name.to_string(), answer);
    }
    answers
}

/// Sequential calls per second over one round of [`ROUND`].
async fn calls_per_second(session: &Session, tool: &str, args: &Map<String, Value>) -> f64 {
    let started = Instant::now();
    let mut calls = 0u32;
    while started.elapsed() < ROUND {
        call(session, tool, args).await;
        calls += 1;
    }
    f64::from(calls) / started.elapsed().as_secs_f64()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// One spawn: milliseconds until `initialize` is answered, resident and peak memory (KiB)
/// once `tools/list` is answered too, and the size of that `tools/list` result.
fn spawn_once(binary: &str, read_only: bool) -> (f64, u64, u64, usize) {
    // Hatchet is never called: initialize and tools/list are answered locally.
    let url = "http://127.0.0.1:9";
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", token::token_for(url))
        .env("HATCHET_MCP_READ_ONLY", read_only.to_string())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn hatchet-mcp");
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let initialize = json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "0"}}});
    writeln!(stdin, "{initialize}").unwrap();
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    writeln!(
        stdin,
        r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
    )
    .unwrap();
    writeln!(stdin, r#"{{"jsonrpc":"2.0","id":2,"method":"tools/list"}}"#).unwrap();
    line.clear();
    stdout.read_line(&mut line).unwrap();
    let result = serde_json::from_str::<Value>(&line).unwrap()["result"].take();
    let status =
        std::fs::read_to_string(format!("/proc/{}/status", child.id())).unwrap_or_default();
    let kib = |field: &str| {
        status
            .lines()
            .find(|l| l.starts_with(field))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|n| n.parse().ok())
            .unwrap_or(0)
    };
    let (rss, peak) = (kib("VmRSS:"), kib("VmHWM:"));
    drop(stdin);
    child.wait().unwrap();
    (elapsed, rss, peak, result.to_string().len())
}

/// Milliseconds until `cat` echoes one line: the floor under any `initialize` here.
fn spawn_floor() -> f64 {
    let started = Instant::now();
    let mut child = Command::new("cat")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn cat");
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{{}}").unwrap();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut String::new())
        .unwrap();
    let elapsed = started.elapsed().as_secs_f64() * 1000.0;
    drop(stdin);
    child.wait().unwrap();
    elapsed
}

/// `initialize` latency and memory over [`SPAWNS`] spawns of each build, the builds and the
/// floor taking turns, so all see the same load.
fn measure_startup(binaries: &[String], measured: &mut [Measured]) {
    for binary in binaries {
        spawn_once(binary, true); // the binary into the page cache
    }
    let mut floor = Vec::new();
    let mut runs: Vec<Vec<_>> = binaries.iter().map(|_| Vec::new()).collect();
    for _ in 0..SPAWNS {
        floor.push(spawn_floor());
        for (binary, runs) in binaries.iter().zip(&mut runs) {
            runs.push(spawn_once(binary, true));
        }
    }
    let floor = median(&mut floor);
    for ((binary, runs), measured) in binaries.iter().zip(runs).zip(measured) {
        let mut times: Vec<f64> = runs.iter().map(|r| r.0).collect();
        let mut rss: Vec<f64> = runs.iter().map(|r| r.1 as f64).collect();
        measured.spawn_floor_median_ms = floor;
        measured.initialize_median_ms = median(&mut times);
        measured.initialize_worst_ms = times.last().copied().unwrap_or_default();
        measured.initialize_best_ms = times.first().copied().unwrap_or_default();
        measured.idle_rss_kib = median(&mut rss) as u64;
        measured.peak_rss_kib = runs.iter().map(|r| r.2).max().unwrap_or(0);
        measured.tools_list_read_only_bytes = runs[0].3;
        measured.tools_list_read_write_bytes = spawn_once(binary, false).3;
    }
}

fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown CPU".to_owned(), |m| m.trim().to_owned());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    // Other work on the machine slows the timings: say how much there was.
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().next().unwrap_or("unknown");
    format!(
        "{model}, {cores} cores, {}, load average {load}",
        std::env::consts::OS
    )
}

fn render(now: &Measured, before: Option<&Measured>) -> String {
    let mut out = String::from(
        "# Benchmark\n\n\
         <!-- Written by `cargo bench --bench answers`; do not edit by hand. -->\n\n\
         What an agent pays for each answer, and how fast the server gives it. Run it with\n\
         `cargo bench --bench answers` (it builds the binary as `cargo build --release --locked`\n\
         does, measures it, and rewrites this page); `cargo bench --bench answers -- --save-baseline` records a run as the\n\
         \"before\" column instead (`benches/baseline.json`), and\n\
         `HATCHET_MCP_BENCH_BEFORE=<older build> cargo bench --bench answers` measures an older\n\
         build in the same run, the two taking turns so both see the same load, and records it\n\
         as the \"before\" column (`HATCHET_MCP_BENCH_BEFORE_LABEL` says which build it is).\n\n\
         The fixture (`tests/support/fixture.rs`) is one page of 50 rows per list, shaped like the\n\
         objects of Hatchet's OpenAPI spec, with a busy tenant's values: 5 of 50 runs failed with\n\
         a whole Python traceback (1,374 and 922 characters), additional metadata on 4 runs in 5\n\
         (nested on 1 in 5), workers with 12 actions and 2 labels, spans with their resource and\n\
         span attributes. Single-object tools answer one such object. Each tool is called once with\n\
         its required arguments only; bytes are those of the text the agent receives. Timings\n\
         depend on the machine and on what else runs on it: the load average is given, and the\n\
         floor row is what spawning any process and reading a line from it cost at the time.\n\n",
    );
    if let Some(before) = before {
        if !before.label.is_empty() {
            out.push_str(&format!("\"before\" is {}. ", before.label));
        }
        out.push_str(&format!(
            "\"before\" was measured on {} ({}); \"now\" on {} ({}).\n\n",
            before.measured_at, before.machine, now.measured_at, now.machine
        ));
    } else {
        out.push_str(&format!(
            "Measured on {} ({}).\n\n",
            now.measured_at, now.machine
        ));
    }
    out.push_str("## Answer bytes\n\n");
    out.push_str("| tool | rows | before | now | now ÷ before | before per row | now per row | `detail: \"full\"` |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");
    let (mut total_before, mut total_now) = (0, 0);
    for (name, answer) in &now.answers {
        let old = before.and_then(|b| b.answers.get(name));
        total_now += answer.bytes;
        total_before += old.map_or(0, |o| o.bytes);
        let per_row = |bytes: usize| match answer.rows {
            Some(rows) if rows > 0 => format!("{}", bytes / rows),
            _ => String::new(),
        };
        out.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} | {} | {} |\n",
            answer.rows.map_or(String::new(), |r| r.to_string()),
            old.map_or(String::new(), |o| o.bytes.to_string()),
            answer.bytes,
            old.map_or(String::new(), |o| ratio(
                answer.bytes as f64,
                o.bytes as f64
            )),
            old.map_or(String::new(), |o| per_row(o.bytes)),
            per_row(answer.bytes),
            answer.full_bytes.map_or(String::new(), |b| b.to_string()),
        ));
    }
    out.push_str(&format!(
        "| **all read tools** | | {} | {total_now} | {} | | | |\n\n",
        if before.is_some() {
            total_before.to_string()
        } else {
            String::new()
        },
        if before.is_some() {
            ratio(total_now as f64, total_before as f64)
        } else {
            String::new()
        },
    ));
    out.push_str("## Speed and size\n\n| measure | before | now |\n|---|---:|---:|\n");
    let row = |out: &mut String, label: &str, value: &dyn Fn(&Measured) -> String| {
        out.push_str(&format!(
            "| {label} | {} | {} |\n",
            before.map_or(String::new(), value),
            value(now)
        ));
    };
    for tool in now.calls_per_second.keys() {
        row(
            &mut out,
            &format!("`{tool}`, sequential calls/s (loopback fake)"),
            &|m| {
                m.calls_per_second
                    .get(tool)
                    .map_or(String::new(), |r| format!("{r:.0}"))
            },
        );
    }
    row(
        &mut out,
        &format!("`initialize`, median of {SPAWNS} spawns (ms)"),
        &|m| format!("{:.2}", m.initialize_median_ms),
    );
    row(&mut out, "`initialize`, worst (ms)", &|m| {
        format!("{:.2}", m.initialize_worst_ms)
    });
    row(&mut out, "`initialize`, best (ms)", &|m| {
        format!("{:.2}", m.initialize_best_ms)
    });
    row(
        &mut out,
        "spawning `cat` and reading its echo, median: the floor (ms)",
        &|m| format!("{:.2}", m.spawn_floor_median_ms),
    );
    row(
        &mut out,
        "resident memory once initialized, median (MiB)",
        &|m| mib(m.idle_rss_kib),
    );
    row(&mut out, "peak resident memory (MiB)", &|m| {
        mib(m.peak_rss_kib)
    });
    row(&mut out, "`tools/list`, read-only (bytes)", &|m| {
        m.tools_list_read_only_bytes.to_string()
    });
    row(&mut out, "`tools/list`, read-write (bytes)", &|m| {
        m.tools_list_read_write_bytes.to_string()
    });
    out
}

fn ratio(now: f64, before: f64) -> String {
    if before == 0.0 {
        return String::new();
    }
    format!("{:.2}", now / before)
}

fn mib(kib: u64) -> String {
    format!("{:.1}", kib as f64 / 1024.0)
}
