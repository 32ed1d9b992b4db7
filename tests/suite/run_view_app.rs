//! The MCP Apps run view (`ui://hatchet-mcp/run`), rendered in a real browser: headless
//! Chromium loads `run_view_app/host.html`, a test page that speaks the host side of MCP
//! Apps (answers `ui/initialize`, sends the tool's input and result, passes `tools/call` on)
//! and hosts the view as the server serves it, under the strict content security policy a
//! host gives a view that declares no domains. The view's DOM is checked (one bar per task,
//! the failed ones marked, the failing task's error and log lines) and a screenshot saved to
//! `target/run-view-app/`; `UPDATE_DOCS=1` copies it to `docs/run-view.png` for the README.
//!
//! Chromium is Debian's package (`bash scripts/chromium.sh`); without it this test says
//! SKIPPED, and fails under `CI=true`.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use rmcp::model::{ReadResourceRequestParams, ResourceContents};
use serde_json::{Value, json};

use crate::support::{
    fixture::Tenant,
    session::{Session, call, start},
};

const VIEW: &str = "ui://hatchet-mcp/run";

/// Debian's Chromium, or the one `HATCHET_MCP_CHROMIUM` names.
fn chromium() -> Option<PathBuf> {
    let named = std::env::var_os("HATCHET_MCP_CHROMIUM").map(PathBuf::from);
    named
        .into_iter()
        .chain(["/usr/bin/chromium", "/usr/bin/chromium-browser"].map(PathBuf::from))
        .find(|path| path.is_file())
}

fn out_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target/run-view-app")
}

/// One rendering: the tool's input and result, and what the view's `tools/call`s get.
struct Case {
    name: &'static str,
    input: Value,
    result: Value,
    calls: Value,
}

/// Writes the case's page (host.html beside its data.js) and answers its URL.
fn write_page(case: &Case, view_html: &str) -> PathBuf {
    let dir = out_dir().join(case.name);
    std::fs::create_dir_all(&dir).unwrap();
    let host = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/suite/run_view_app/host.html");
    std::fs::copy(host, dir.join("host.html")).unwrap();
    let js = |value: &Value| serde_json::to_string(value).unwrap();
    let data = format!(
        "const VIEW_HTML = {};\nconst TOOL_INPUT = {};\nconst TOOL_RESULT = {};\nconst TOOL_CALLS = {};\nconst THEME = \"light\";\n",
        js(&json!(view_html)),
        js(&case.input),
        js(&case.result),
        js(&case.calls)
    );
    std::fs::write(dir.join("data.js"), data).unwrap();
    dir.join("host.html")
}

/// Runs headless Chromium on `page` with `action` (`--dump-dom`, `--screenshot=...`);
/// answers its stdout and stderr.
async fn run_chromium(
    chromium: &Path,
    page: &Path,
    action: &str,
    profile: &str,
) -> (String, String) {
    let profile = out_dir().join(format!("profile-{profile}"));
    let _ = std::fs::remove_dir_all(&profile);
    let mut command = tokio::process::Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--hide-scrollbars",
            "--allow-file-access-from-files",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=944,624",
            "--virtual-time-budget=5000",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(action)
        .arg(format!("file://{}", page.display()))
        .stdin(Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(90), command.output())
        .await
        .expect("Chromium finishes within 90 s")
        .expect("Chromium starts");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "Chromium failed: {stderr}");
    (stdout, stderr)
}

async fn tool_result(session: &Session, tool: &str, arguments: &Value) -> Value {
    serde_json::to_value(call(session, tool, arguments.clone()).await).unwrap()
}

/// The view as the server serves it, checked to be what MCP Apps expects.
async fn view_html(session: &Session) -> String {
    let listed = session.list_all_resources().await.unwrap();
    let view = listed
        .iter()
        .find(|r| r.uri == VIEW)
        .expect("the view is listed");
    assert_eq!(view.mime_type.as_deref(), Some("text/html;profile=mcp-app"));
    let read = session
        .read_resource(ReadResourceRequestParams::new(VIEW))
        .await
        .unwrap();
    match &read.contents[..] {
        [
            ResourceContents::TextResourceContents {
                text, mime_type, ..
            },
        ] => {
            assert_eq!(mime_type.as_deref(), Some("text/html;profile=mcp-app"));
            text.clone()
        }
        other => panic!("one HTML text, not {other:?}"),
    }
}

const PIPELINE_RUN: &str = "5d1c7a2e-3b4f-4e6a-9c8d-7e6f5a4b3c2d";

/// Serves a run shaped like a real pipeline: one task fans out to two, each with a child;
/// the card charge fails after its retries, so the receipt is never sent.
async fn mount_pipeline(hatchet: &wiremock::MockServer) {
    use wiremock::{
        Mock, ResponseTemplate,
        matchers::{method, path},
    };
    let at = |ms: i64| {
        let t = jiff::Timestamp::from_millisecond(1_779_173_487_000 + ms).unwrap();
        json!(t.to_string())
    };
    let steps = [
        (
            "validate-order",
            "COMPLETED",
            0,
            620,
            &["charge-card", "reserve-stock"][..],
        ),
        ("charge-card", "FAILED", 700, 4_100, &["send-receipt"][..]),
        (
            "reserve-stock",
            "COMPLETED",
            700,
            1_800,
            &["notify-warehouse"][..],
        ),
        ("notify-warehouse", "COMPLETED", 2_600, 900, &[][..]),
        ("send-receipt", "CANCELLED", 4_850, 0, &[][..]),
    ];
    let id = |k: usize| format!("5d1c7a2e-0000-4000-8000-00000000000{k}");
    let step = |name: &str| format!("5d1c7a2e-0000-4000-9000-{:012}", name.len());
    let tasks: Vec<Value> = steps
        .iter()
        .enumerate()
        .map(|(k, (name, status, start, duration, _))| {
            let mut task = json!({
                "metadata": {"id": id(k), "createdAt": at(*start), "updatedAt": at(start + duration)},
                "taskExternalId": id(k), "workflowRunExternalId": PIPELINE_RUN,
                "displayName": format!("{name}-1779173487"), "status": status,
                "startedAt": at(*start), "duration": duration, "retryCount": 0,
                "tenantId": crate::support::fake::TENANT,
            });
            if *status == "FAILED" {
                task["retryCount"] = json!(3);
                task["errorMessage"] = json!("stripe._error.CardError: Request req_8f3a2bQ91xLm: Your card was declined. (decline_code=insufficient_funds)");
            }
            task
        })
        .collect();
    let shape: Vec<Value> = steps
        .iter()
        .enumerate()
        .map(|(k, (name, _, _, _, children))| {
            json!({"taskExternalId": id(k), "stepId": step(name), "taskName": name,
                "childrenStepIds": children.iter().map(|c| step(c)).collect::<Vec<_>>()})
        })
        .collect();
    let run = json!({
        "metadata": {"id": PIPELINE_RUN, "createdAt": at(-300), "updatedAt": at(4_850)},
        "displayName": "order-fulfilment-1779173487", "status": "FAILED",
        "startedAt": at(0), "finishedAt": at(4_850), "duration": 4_850,
        "workflowId": "87d6e3d2-afc2-40ac-b2f5-7ac518cbb99d", "tenantId": crate::support::fake::TENANT,
        "errorMessage": tasks[1]["errorMessage"], "additionalMetadata": {"order_id": "ord_835646"},
    });
    let details = json!({"run": run, "tasks": tasks, "taskEvents": [], "shape": shape});
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/stable/workflow-runs/{PIPELINE_RUN}")))
        .respond_with(ResponseTemplate::new(200).set_body_json(details))
        .with_priority(1)
        .mount(hatchet)
        .await;
}

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

/// What the host copied of the view's DOM once it rendered.
fn rendered(dom: &str) -> &str {
    let start = dom
        .find("<div id=\"rendered\">")
        .expect("the host page is in the dump");
    &dom[start..]
}

#[tokio::test]
async fn the_run_view_renders_a_fixture_run_in_headless_chromium() {
    let Some(chromium) = chromium() else {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "Chromium is missing (bash scripts/chromium.sh installs it)"
        );
        eprintln!(
            "run_view_app::the_run_view_renders_a_fixture_run_in_headless_chromium: SKIPPED (no Chromium: bash scripts/chromium.sh installs it)"
        );
        return;
    };
    let hatchet = Tenant::serve().await;
    let run = Tenant::new().run_ids()[3].clone();
    let toolsets = ("HATCHET_MCP_TOOLSETS", "default,diagnose,runs");
    let session = start(&hatchet, &[toolsets]).await;
    let html = view_html(&session).await;
    let input = json!({"workflow_run_id": run});
    let get_run = tool_result(&session, "get_run", &input).await;
    let tasks = serde_json::from_str::<Value>(get_run["content"][0]["text"].as_str().unwrap())
        .unwrap()["tasks"]
        .as_array()
        .unwrap()
        .clone();
    let failed = tasks.iter().filter(|t| t["status"] == "FAILED").count();
    assert!(
        tasks.len() >= 2 && failed >= 1,
        "the fixture run has a failed task"
    );

    let cases = [
        Case {
            name: "get_run",
            input: input.clone(),
            result: get_run.clone(),
            calls: json!({}),
        },
        // A wait's answer names no tasks: the view asks the host for get_run's.
        Case {
            name: "wait_for_run",
            input: input.clone(),
            result: tool_result(&session, "wait_for_run", &input).await,
            calls: json!({"get_run": get_run}),
        },
    ];
    for case in &cases {
        let page = write_page(case, &html);
        let (dom, log) = run_chromium(&chromium, &page, "--dump-dom", case.name).await;
        let view = rendered(&dom);
        assert_eq!(
            count(view, "class=\"bar"),
            tasks.len(),
            "{}: one bar per task: {view}",
            case.name
        );
        assert_eq!(
            count(view, "class=\"bar failed\""),
            failed,
            "{}: {view}",
            case.name
        );
        assert_eq!(
            count(view, "data-status=\"FAILED\""),
            failed,
            "{}",
            case.name
        );
        assert!(
            view.contains("id=\"failure\""),
            "{}: the failing task's error: {view}",
            case.name
        );
        assert!(view.contains("CardError"), "{}", case.name);
        assert!(view.contains("id=\"dashboard\""), "{}", case.name);
        assert!(view.contains("data-run-status=\"FAILED\""), "{}", case.name);
        // Nothing was refused by the policy: the view needs nothing from outside.
        assert!(
            !log.contains("Content Security Policy") && !log.contains("Refused to"),
            "{}: {log}",
            case.name
        );
    }
    // A run with a DAG's shape, waited for: its tasks side by side with their parents, the
    // failure report's last log lines; the README's screenshot.
    let pipeline = json!({"workflow_run_id": PIPELINE_RUN});
    mount_pipeline(&hatchet).await;
    let case = Case {
        name: "pipeline",
        input: pipeline.clone(),
        result: tool_result(&session, "wait_for_run", &pipeline).await,
        calls: json!({"get_run": tool_result(&session, "get_run", &pipeline).await}),
    };
    let wait_page = write_page(&case, &html);
    let (dom, _) = run_chromium(&chromium, &wait_page, "--dump-dom", "logs").await;
    let view = rendered(&dom);
    assert_eq!(count(view, "class=\"bar"), 5, "{view}");
    assert_eq!(count(view, "class=\"bar failed\""), 1, "{view}");
    assert_eq!(count(view, "after validate-order"), 2, "{view}");
    assert!(view.contains("class=\"logs\""), "{view}");

    let shot = out_dir().join("run-view.png");
    let _ = std::fs::remove_file(&shot);
    let action = format!("--screenshot={}", shot.display());
    run_chromium(&chromium, &wait_page, &action, "screenshot").await;
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(
        png.starts_with(b"\x89PNG") && png.len() > 10_000,
        "{} bytes",
        png.len()
    );
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/run-view.png");
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::copy(&shot, &docs).unwrap();
    }
    assert!(docs.is_file(), "docs/run-view.png: UPDATE_DOCS=1 writes it");
    session.cancel().await.unwrap();
}
