//! The `diagnose` toolset end to end: the built binary over stdio, against a fake Hatchet
//! with realistic answers. Every request it sends must pass the OpenAPI contract; upstream
//! faults reach these tools through the client's one send path; single-object answers carry
//! their dashboard link; and the whole catalogue stays within its tools/list budget.

use std::sync::Arc;

use crate::support::{
    contract::assert_server_conforms,
    fake::{RUN, TENANT, WORKFLOW, client_at, recorded, token_for},
    session::{Session, call, start, text},
};
use hatchet_mcp::mcp::tools::{Call, ToolContext};
use hatchet_mcp::mcp::{registry::Group, tools};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockBuilder, MockServer, ResponseTemplate,
    matchers::{method, path, path_regex, query_param},
};

/// A run with fifty failed tasks.
const MANY: &str = "a0000000-0000-4000-8000-000000000050";
/// The last successful run of the workflow.
const BASELINE: &str = "b0000000-0000-4000-8000-000000000001";
/// A run waiting in the queue.
const WAITING: &str = "c0000000-0000-4000-8000-000000000001";
const VERSION: &str = "d0000000-0000-4000-8000-000000000001";
const WORKER: &str = "e0000000-0000-4000-8000-000000000001";

const AT: &str = "2026-05-19T09:00:00Z";

const DIAGNOSE_TOOLS: [&str; 6] = [
    "compare_runs",
    "describe_run_failure",
    "list_stuck_runs",
    "top_failing_workflows",
    "whoami",
    "why_queued",
];

fn task_id(n: usize) -> String {
    format!("f0000000-0000-4000-8000-{n:012}")
}

fn meta(id: &str) -> Value {
    json!({"id": id, "createdAt": AT, "updatedAt": AT})
}

fn task(run: &str, n: usize, status: &str, error: &str, action: &str) -> Value {
    json!({
        "metadata": meta(&task_id(n)),
        "taskExternalId": task_id(n),
        "taskId": n,
        "stepId": format!("00000000-0000-4000-8000-{:012}", n % 3),
        "displayName": format!("step-{}", n % 3),
        "status": status,
        "attempt": 2,
        "retryCount": 1,
        "errorMessage": error,
        "actionId": action,
        "duration": 100 * n,
        "createdAt": AT,
        "taskInsertedAt": AT,
        "tenantId": TENANT,
        "type": "DAG",
        "workflowId": WORKFLOW,
        "workflowRunExternalId": run,
        "numSpawnedChildren": 0,
        "input": {},
        "output": {},
    })
}

fn event(id: i64, task: &str, kind: &str, message: &str) -> Value {
    json!({
        "id": id,
        "taskId": task,
        "timestamp": format!("2026-05-19T09:{:02}:00Z", id % 60),
        "eventType": kind,
        "message": message,
        "workerId": WORKER,
        "retryCount": 1,
    })
}

fn details(run: &str, status: &str, tasks: Vec<Value>, events: Vec<Value>, input: Value) -> Value {
    json!({
        "run": {
            "metadata": meta(run),
            "status": status,
            "displayName": "etl-8f2a",
            "workflowId": WORKFLOW,
            "workflowVersionId": VERSION,
            "tenantId": TENANT,
            "createdAt": AT,
            "startedAt": AT,
            "duration": 4200,
            "input": input,
            "additionalMetadata": {"customer": "acme"},
            "output": {},
        },
        "tasks": tasks,
        "taskEvents": events,
        "shape": [],
    })
}

/// A two-step run of `etl`: `extract` (task `first`) completed, then `load` (task
/// `first + 1`) with the given status and error.
fn etl_run(id: &str, first: usize, load: (&str, &str), events: Vec<Value>, input: Value) -> Value {
    let tasks = vec![
        task(id, first, "COMPLETED", "", "etl:extract"),
        task(id, first + 1, load.0, load.1, "etl:load"),
    ];
    details(id, load.0, tasks, events, input)
}

/// A failed run: `load` failed with a KeyError, after a retry.
fn failed_run() -> Value {
    let load = task_id(1);
    let events = vec![
        event(1, &load, "STARTED", ""),
        event(2, &load, "FAILED", ""),
    ];
    let input = json!({"batch": 42, "source": {"bucket": "raw", "prefix": "2026/05/19"}});
    etl_run(RUN, 0, ("FAILED", "KeyError: 'customer_id'"), events, input)
}

fn many_failed_run() -> Value {
    let tasks: Vec<Value> = (0..50)
        .map(|n| {
            let error = format!(
                "TimeoutError: upstream {} did not answer {}",
                n % 4,
                "x".repeat(300)
            );
            task(MANY, n, "FAILED", &error, "etl:load")
        })
        .collect();
    let events: Vec<Value> = (0..50)
        .map(|n| {
            event(
                n as i64,
                &task_id(n),
                "TIMED_OUT",
                "Task exceeded timeout of 30s",
            )
        })
        .collect();
    details(MANY, "FAILED", tasks, events, json!({}))
}

fn baseline_run() -> Value {
    let input = json!({"batch": 41, "source": {"bucket": "raw", "prefix": "2026/05/18"}});
    etl_run(BASELINE, 3, ("COMPLETED", ""), vec![], input)
}

fn waiting_run() -> Value {
    details(
        WAITING,
        "QUEUED",
        vec![task(WAITING, 7, "QUEUED", "", "etl:load")],
        vec![event(3, &task_id(7), "QUEUED", "")],
        json!({}),
    )
}

fn log_lines() -> Value {
    let rows: Vec<Value> = (0..20)
        .rev()
        .map(|i| json!({"createdAt": format!("2026-05-19T09:00:{i:02}Z"), "level": "ERROR", "message": format!("retrying customer lookup ({i}) {}", "y".repeat(100)), "metadata": {}}))
        .collect();
    json!({"rows": rows, "pagination": {}})
}

fn run_row(id: &str, status: &str, created: &str, error: &str, workflow: (&str, &str)) -> Value {
    json!({
        "metadata": meta(id),
        "status": status,
        "displayName": format!("{}-run", workflow.1),
        "workflowId": workflow.0,
        "workflowName": workflow.1,
        "createdAt": created,
        "finishedAt": created,
        "errorMessage": error,
    })
}

async fn answer(server: &MockServer, at: String, body: Value) {
    Mock::given(method("GET"))
        .and(path(at))
        .respond_with(ResponseTemplate::new(200).set_body_json(body))
        .mount(server)
        .await;
}

async fn runs_answer(server: &MockServer, status: &str, rows: Vec<Value>) {
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/workflow-runs"
        )))
        .and(query_param("statuses", status))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"rows": rows, "pagination": {"current_page": 1, "num_pages": 1}}),
        ))
        .mount(server)
        .await;
}

/// A fake Hatchet that answers every read the diagnose tools make.
async fn fake() -> MockServer {
    let server = MockServer::start().await;
    let tenant = json!({"metadata": meta(TENANT), "name": "Acme production", "slug": "acme-prod", "version": "V1"});
    answer(&server, format!("/api/v1/tenants/{TENANT}"), tenant).await;
    answer(
        &server,
        "/api/v1/version".into(),
        json!({"version": "v0.104.7"}),
    )
    .await;
    for (id, run) in [
        (RUN, failed_run()),
        (MANY, many_failed_run()),
        (BASELINE, baseline_run()),
        (WAITING, waiting_run()),
    ] {
        answer(&server, format!("/api/v1/stable/workflow-runs/{id}"), run).await;
    }
    Mock::given(method("GET"))
        .and(path_regex(r"^/api/v1/stable/tasks/[0-9a-f-]+/logs$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(log_lines()))
        .mount(&server)
        .await;
    let etl = (WORKFLOW, "etl");
    let mail = ("9b2f1c3e-5d4a-4f6b-8c7d-0e1f2a3b4c00", "mail");
    runs_answer(
        &server,
        "COMPLETED",
        vec![run_row(BASELINE, "COMPLETED", AT, "", etl)],
    )
    .await;
    let failed = vec![
        run_row(
            RUN,
            "FAILED",
            "2026-05-19T09:40:00Z",
            "KeyError: 'customer_id'",
            etl,
        ),
        run_row(
            "a1000000-0000-4000-8000-000000000002",
            "FAILED",
            "2026-05-19T09:20:00Z",
            "smtp: connection refused",
            mail,
        ),
        run_row(
            "a1000000-0000-4000-8000-000000000003",
            "FAILED",
            "2026-05-19T08:00:00Z",
            "KeyError: 'customer_id'",
            etl,
        ),
        run_row(MANY, "FAILED", "2026-05-19T07:00:00Z", "TimeoutError", etl),
    ];
    runs_answer(&server, "FAILED", failed).await;
    let stuck = vec![
        run_row(WAITING, "QUEUED", "2026-05-19T09:10:00Z", "", etl),
        run_row(
            "c1000000-0000-4000-8000-000000000002",
            "RUNNING",
            "2026-05-19T06:00:00Z",
            "",
            etl,
        ),
    ];
    runs_answer(&server, "QUEUED", stuck).await;
    let queues = json!({"queues": {"etl:load": 7, "etl:extract": 0, "mail:send": 2}});
    answer(
        &server,
        format!("/api/v1/tenants/{TENANT}/step-run-queue-metrics"),
        queues,
    )
    .await;
    let worker = json!({
        "metadata": meta(WORKER), "name": "etl-worker-1", "type": "SELFHOSTED", "status": "ACTIVE",
        "lastHeartbeatAt": AT, "actions": ["etl:extract", "etl:load"],
        "slotConfig": {"default": {"available": 0, "limit": 4}},
        "labels": [{"metadata": meta(WORKER), "key": "region", "value": "eu"}],
    });
    answer(&server, format!("/api/v1/workers/{WORKER}"), worker.clone()).await;
    let workers = json!({"rows": [worker], "pagination": {"current_page": 1, "num_pages": 1}});
    answer(&server, format!("/api/v1/tenants/{TENANT}/worker"), workers).await;
    let limits = json!({"rows": [
        {"key": "openai", "tenantId": TENANT, "limitValue": 60, "value": 0, "window": "1m", "lastRefill": AT},
        {"key": "stripe", "tenantId": TENANT, "limitValue": 100, "value": 40, "window": "1s", "lastRefill": AT},
    ]});
    answer(
        &server,
        format!("/api/v1/tenants/{TENANT}/rate-limits"),
        limits,
    )
    .await;
    let version = json!({
        "metadata": meta(VERSION), "version": "v3", "order": 3, "workflowId": WORKFLOW,
        "workflow": {"metadata": meta(WORKFLOW), "name": "etl", "isPaused": false, "tenantId": TENANT},
        "v1Concurrency": [{"maxRuns": 2, "limitStrategy": "GROUP_ROUND_ROBIN", "expression": "input.customer", "scope": "WORKFLOW"}],
    });
    answer(
        &server,
        format!("/api/v1/workflows/{WORKFLOW}/versions"),
        version,
    )
    .await;
    answer(
        &server,
        format!("/api/v1/stable/tasks/{}", task_id(1)),
        task(RUN, 1, "FAILED", "KeyError", "etl:load"),
    )
    .await;
    server
}

/// Calls a tool that must succeed; answers its JSON and the size of its text. The answer
/// must send the agent to no tool the session does not list.
async fn ok(session: &Session, tool: &str, arguments: Value) -> (Value, usize) {
    let result = call(session, tool, arguments).await;
    let body = text(&result);
    assert_eq!(result.is_error, Some(false), "{tool}: {body}");
    println!("{tool}: {} bytes", body.len());
    let listed = listed_names(session).await;
    let unlisted = named_tools(&body)
        .into_iter()
        .filter(|name| !listed.contains(name))
        .collect::<Vec<_>>();
    assert!(
        unlisted.is_empty(),
        "{tool} names {unlisted:?}, which this server does not list: {body}"
    );
    (serde_json::from_str(&body).unwrap(), body.len())
}

async fn listed_names(session: &Session) -> Vec<String> {
    let tools = session.list_all_tools().await.unwrap();
    tools.iter().map(|t| t.name.to_string()).collect()
}

/// The catalogue's tools that `text` names as whole words.
fn named_tools(text: &str) -> Vec<String> {
    let is_word = |c: char| c.is_ascii_alphanumeric() || c == '_';
    tools::all()
        .into_iter()
        .map(|tool| tool.name.to_string())
        .filter(|name| {
            text.match_indices(name.as_str()).any(|(at, _)| {
                let before = text[..at].chars().next_back();
                let after = text[at + name.len()..].chars().next();
                !before.is_some_and(is_word) && !after.is_some_and(is_word)
            })
        })
        .collect()
}

#[tokio::test]
async fn the_diagnose_tools_answer_over_stdio_and_every_request_fits_the_contract() {
    let server = fake().await;
    let session = start(&server, &[("HATCHET_MCP_TOOLSETS", "diagnose")]).await;
    let mut listed: Vec<String> = session
        .list_all_tools()
        .await
        .unwrap()
        .iter()
        .map(|t| t.name.to_string())
        .collect();
    listed.sort_unstable();
    assert_eq!(listed, DIAGNOSE_TOOLS);

    let (me, _) = ok(&session, "whoami", json!({})).await;
    assert_eq!(
        me,
        json!({
            "tenant": {"id": TENANT, "name": "Acme production", "slug": "acme-prod"},
            "server_url": format!("{}/", server.uri()),
            "engine_version": "v0.104.7",
            "mode": "read-only",
            "toolsets": "diagnose",
            "token_expires_at": "2100-01-01T00:00:00Z",
            "token_expires_in": me["token_expires_in"],
        })
    );
    assert!(me["token_expires_in"].as_str().unwrap().ends_with('h'));

    let (failure, _) = ok(
        &session,
        "describe_run_failure",
        json!({"workflow_run_id": RUN}),
    )
    .await;
    assert_eq!(failure["status"], "FAILED");
    assert_eq!(failure["tasks"], json!({"COMPLETED": 1, "FAILED": 1}));
    assert_eq!(failure["classes"], json!({"error": 1}));
    let load = &failure["failed_tasks"][0];
    assert_eq!(load["task_run_id"], task_id(1));
    assert_eq!(load["errorMessage"], "KeyError: 'customer_id'");
    assert_eq!(load["events"], json!(["2026-05-19T09:02:00Z FAILED"]));
    let logs = load["logs"].as_array().unwrap();
    assert_eq!(logs.len(), 20);
    assert!(
        logs[0]
            .as_str()
            .unwrap()
            .starts_with("2026-05-19T09:00:00Z ERROR retrying customer lookup (0)")
    );
    assert!(logs[19].as_str().unwrap().contains("(19)"), "oldest first");
    assert_eq!(
        failure["dashboard_url"],
        format!("{}/tenants/{TENANT}/runs/{RUN}", server.uri())
    );
    // Only the steps this server can take: get_task_logs is in another toolset.
    assert_eq!(
        failure["next"],
        json!([format!("compare_runs workflow_run_id={RUN}")])
    );

    let (many, bytes) = ok(
        &session,
        "describe_run_failure",
        json!({"workflow_run_id": MANY}),
    )
    .await;
    assert!(bytes <= 8_000, "{bytes} bytes for 50 failed tasks");
    assert_eq!(many["classes"], json!({"timeout": 50}));
    assert_eq!(many["failed_tasks"].as_array().unwrap().len(), 10);
    assert_eq!(many["more_failed_tasks"]["count"], 40);
    assert_eq!(many["more_failed_tasks"]["distinct_errors"], 4);
    assert!(
        many["failed_tasks"][0]["logs"].is_array(),
        "the first tasks keep some log lines"
    );

    let (stuck, _) = ok(&session, "list_stuck_runs", json!({"older_than": "15m"})).await;
    assert_eq!(stuck["total"], 2);
    assert_eq!(stuck["runs"][0]["status"], "RUNNING", "oldest first");
    assert_eq!(stuck["runs"][1]["workflow_run_id"], WAITING);
    assert_eq!(
        stuck["busiest_queues"],
        json!({"etl:load": 7, "mail:send": 2})
    );
    assert_eq!(stuck["workers"], json!({"ACTIVE": 1, "free_slots": 0}));

    let (compared, _) = ok(&session, "compare_runs", json!({"workflow_run_id": RUN})).await;
    assert_eq!(compared["baseline"]["workflow_run_id"], BASELINE);
    assert_eq!(compared["same_workflow_version"], true);
    assert_eq!(
        compared["input"],
        json!([
            {"path": "/batch", "run": 42, "baseline": 41},
            {"path": "/source/prefix", "run": "2026/05/19", "baseline": "2026/05/18"},
        ])
    );
    assert_eq!(compared["additionalMetadata"], json!([]));
    assert_eq!(compared["tasks"][1]["task"], "step-1");
    assert_eq!(compared["tasks"][1]["run"]["status"], "FAILED");
    assert_eq!(compared["tasks"][1]["run"]["workerId"], WORKER);
    assert_eq!(compared["tasks"][1]["baseline"]["status"], "COMPLETED");

    let (waiting, _) = ok(&session, "why_queued", json!({"workflow_run_id": WAITING})).await;
    assert!(
        waiting["verdict"]
            .as_str()
            .unwrap()
            .starts_with("The 1 active worker(s) for `etl:load` have no free slot"),
        "{waiting}"
    );
    assert_eq!(
        waiting.as_object().unwrap().keys().next().unwrap(),
        "verdict"
    );
    assert_eq!(waiting["queued_tasks"][0]["queue_depth"], 7);
    assert_eq!(waiting["workers"][0]["labels"], json!({"region": "eu"}));
    assert_eq!(waiting["rate_limits_at_limit"][0]["key"], "openai");
    assert_eq!(waiting["workflow"]["concurrency"][0]["maxRuns"], 2);
    let (finished, _) = ok(&session, "why_queued", json!({"workflow_run_id": RUN})).await;
    assert_eq!(finished["verdict"], "Not queued: the run is FAILED.");

    let (failing, _) = ok(&session, "top_failing_workflows", json!({"since": "7d"})).await;
    assert_eq!(failing["failed_runs"], 4);
    let top = &failing["workflows"][0];
    assert_eq!(
        (top["workflowName"].as_str(), top["failures"].as_u64()),
        (Some("etl"), Some(3))
    );
    assert_eq!(
        top["errors"][0],
        json!({"errorMessage": "KeyError: 'customer_id'", "runs": 2})
    );
    assert_eq!(top["latest_run_id"], RUN);

    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn answers_send_the_agent_only_to_tools_this_server_registers() {
    let server = fake().await;
    // The workflow is paused: why_queued says to resume it, where resuming is registered.
    let mut version: Value = json!({
        "metadata": meta(VERSION), "version": "v3", "order": 3, "workflowId": WORKFLOW,
        "workflow": {"metadata": meta(WORKFLOW), "name": "etl", "isPaused": true, "tenantId": TENANT},
    });
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/workflows/{WORKFLOW}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(version.take()))
        .with_priority(1)
        .mount(&server)
        .await;
    // The settings; the steps describe_run_failure's `next` must offer; the tools the
    // paused workflow's verdict must name.
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a [&'a str], &'a [&'a str]);
    let cases: [Case; 3] = [
        (
            &[("HATCHET_MCP_TOOLSETS", "default,diagnose")],
            &[
                "get_task_logs",
                "list_task_events",
                "get_run_timings",
                "compare_runs",
            ],
            &[],
        ),
        (
            &[
                ("HATCHET_MCP_TOOLSETS", "default,diagnose"),
                ("HATCHET_MCP_READ_ONLY", "false"),
            ],
            &["get_task_logs", "compare_runs"],
            &["resume_workflow"],
        ),
        (
            &[("HATCHET_MCP_TOOLSETS", "diagnose,metrics")],
            &["get_run_timings"],
            &[],
        ),
    ];
    for (env, failure_steps, queued_steps) in cases {
        let session = start(&server, env).await;
        // `ok` checks that nothing else is named.
        let (failure, _) = ok(
            &session,
            "describe_run_failure",
            json!({"workflow_run_id": RUN}),
        )
        .await;
        let next = failure["next"].to_string();
        for step in failure_steps {
            assert!(next.contains(step), "{env:?}: {next}");
        }
        let (queued, _) = ok(&session, "why_queued", json!({"workflow_run_id": WAITING})).await;
        let verdict = queued["verdict"].as_str().unwrap();
        assert!(verdict.starts_with("The workflow is paused"), "{verdict}");
        for step in queued_steps {
            assert!(verdict.contains(step), "{env:?}: {verdict}");
        }
        ok(&session, "list_stuck_runs", json!({"older_than": "15m"})).await;
        ok(&session, "compare_runs", json!({"workflow_run_id": RUN})).await;
        session.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn runs_tasks_and_workers_carry_their_dashboard_link_and_lists_do_not() {
    let server = fake().await;
    let session = start(&server, &[]).await;
    let base = server.uri();
    let cases = [
        (
            "get_run",
            json!({"workflow_run_id": RUN}),
            format!("{base}/tenants/{TENANT}/runs/{RUN}"),
        ),
        (
            "get_task",
            json!({"task_run_id": task_id(1)}),
            format!("{base}/tenants/{TENANT}/runs/{}", task_id(1)),
        ),
        (
            "get_worker",
            json!({"worker_id": WORKER}),
            format!("{base}/tenants/{TENANT}/workers/{WORKER}"),
        ),
    ];
    for (tool, arguments, link) in cases {
        let (answer, _) = ok(&session, tool, arguments).await;
        assert_eq!(answer["dashboard_url"], link, "{tool}");
    }
    let body = text(&call(&session, "list_workers", json!({})).await);
    assert!(!body.contains("dashboard_url"), "{body}");
    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn upstream_faults_reach_the_diagnose_tools_through_the_shared_send_path() {
    let server = MockServer::start().await;
    let token = token_for(&server.uri());
    // Two 503s, then the run: retried as every read is.
    Mock::given(path(format!("/api/v1/stable/workflow-runs/{RUN}")))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    answer(
        &server,
        format!("/api/v1/stable/workflow-runs/{RUN}"),
        failed_run(),
    )
    .await;
    // Logs that fail: the report goes on without them.
    Mock::given(path_regex(r"/logs$"))
        .respond_with(
            ResponseTemplate::new(500).set_body_json(json!({"message": "log store down"})),
        )
        .mount(&server)
        .await;
    // A tenant read refused, its error echoing the token.
    Mock::given(path(format!("/api/v1/tenants/{TENANT}")))
        .respond_with(
            ResponseTemplate::new(403)
                .set_body_json(json!({"message": format!("bad token {token}")})),
        )
        .mount(&server)
        .await;
    Mock::given(path("/api/v1/version"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"version": "v0.104.7"})))
        .mount(&server)
        .await;
    let session = start(&server, &[("HATCHET_MCP_TOOLSETS", "all")]).await;

    let (report, _) = ok(
        &session,
        "describe_run_failure",
        json!({"workflow_run_id": RUN}),
    )
    .await;
    let run_reads = recorded(&server)
        .await
        .iter()
        .filter(|r| r.path.ends_with(RUN))
        .count();
    assert_eq!(run_reads, 3);
    let load = &report["failed_tasks"][0];
    assert!(load.get("logs").is_none());
    assert!(
        load["logs_error"]
            .as_str()
            .unwrap()
            .starts_with("Hatchet API 500 server_error: log store down."),
        "{load}"
    );

    let missing = call(&session, "why_queued", json!({"workflow_run_id": WAITING})).await;
    assert_eq!(missing.is_error, Some(true));
    let missing = text(&missing);
    assert!(
        missing.starts_with("Hatchet API 404") && missing.contains("Check the id"),
        "{missing}"
    );

    let refused = call(&session, "whoami", json!({})).await;
    let refused = text(&refused);
    assert!(
        refused.starts_with("Hatchet API 403")
            && refused.contains("The token is invalid")
            && !refused.contains(&token),
        "{refused}"
    );
    let bad = call(&session, "list_stuck_runs", json!({"older_than": "soon"})).await;
    assert!(
        text(&bad).starts_with("Invalid argument `older_than`: expected RFC 3339"),
        "{}",
        text(&bad)
    );
    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn the_default_toolset_leaves_diagnose_out_and_says_how_to_add_it() {
    let server = MockServer::start().await;
    let session = start(&server, &[]).await;
    let params = rmcp::model::CallToolRequestParams::new("whoami");
    let error = session.call_tool(params).await.unwrap_err().to_string();
    assert!(
        error.contains("`whoami` is in the `diagnose` toolset")
            && error.contains("HATCHET_MCP_TOOLSETS"),
        "{error}"
    );
    assert!(recorded(&server).await.is_empty());
    session.cancel().await.unwrap();
}

#[test]
fn the_diagnose_tools_are_read_only_and_opt_in() {
    // Their cost in tools/list is held by the all-toolsets budget in tests/suite/registry.rs.
    let diagnose: Vec<_> = tools::all()
        .into_iter()
        .filter(|t| t.group == Group::Diagnose)
        .collect();
    let mut names: Vec<&str> = diagnose.iter().map(|t| &*t.name).collect();
    names.sort_unstable();
    assert_eq!(names, DIAGNOSE_TOOLS);
    assert!(diagnose.iter().all(|t| !t.is_mutating() && !t.in_default));
}

// ---------------------------------------------------------------------------
// One failing sub-request degrades its own part only.

/// Answers `tool` in process against the full fake with `failure` mounted over it (a
/// higher priority), then checks every request against the contract. The call must
/// succeed; its answer is returned.
async fn degraded(tool: &str, arguments: Value, failure: Mock) -> Value {
    degraded_by(tool, arguments, vec![failure]).await
}

/// As [`degraded`], with several mocks mounted over the full fake (an answer that sets up
/// a failure, and the failure).
async fn degraded_by(tool: &str, arguments: Value, mounts: Vec<Mock>) -> Value {
    let server = fake().await;
    for mount in mounts {
        mount.with_priority(1).mount(&server).await;
    }
    let context = Arc::new(ToolContext::new(client_at(&server.uri(), true), None));
    let spec = tools::all()
        .into_iter()
        .find(|t| t.name == tool)
        .unwrap_or_else(|| panic!("no tool {tool}"));
    let answer = spec
        .call(Call::detached(context), arguments.as_object().cloned())
        .await
        .unwrap_or_else(|error| panic!("{tool}: the whole call failed: {error}"));
    let text = answer.render(80_000).unwrap();
    assert_server_conforms(&server).await;
    serde_json::from_str(&text).unwrap()
}

/// What `matching` requests get: `rows` as the first of two pages.
fn first_page_of_two(matching: MockBuilder, rows: Vec<Value>) -> Mock {
    matching.respond_with(
        ResponseTemplate::new(200).set_body_json(
            json!({"rows": rows, "pagination": {"current_page": 1, "num_pages": 2}}),
        ),
    )
}

/// A GET of exactly `at` answering `status`.
fn failing(at: String, status: u16) -> Mock {
    failing_with(at, None, status)
}

/// A GET of exactly `at`, with `query` among its parameters if given, answering `status`.
fn failing_with(at: String, query: Option<(&str, &str)>, status: u16) -> Mock {
    let mut request = Mock::given(method("GET")).and(path(at));
    if let Some((name, value)) = query {
        request = request.and(query_param(name, value));
    }
    request.respond_with(
        ResponseTemplate::new(status).set_body_json(json!({"message": "part unavailable"})),
    )
}

/// The answer's `unavailable` entries, joined, which must name `part` and `status`.
fn says_unavailable(answer: &Value, part: &str, status: u16) -> String {
    let said = answer["unavailable"]
        .as_array()
        .unwrap_or_else(|| panic!("no `unavailable` in {answer}"))
        .iter()
        .map(|e| e.as_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        said.contains(part) && said.contains(&format!("Hatchet API {status}")),
        "{part} {status}: {said}"
    );
    said
}

#[tokio::test]
async fn whoami_answers_without_the_engine_version_it_could_not_read() {
    let me = degraded("whoami", json!({}), failing("/api/v1/version".into(), 500)).await;
    assert_eq!(me["tenant"]["name"], "Acme production");
    assert!(me.get("engine_version").is_none(), "{me}");
    says_unavailable(&me, "engine_version", 500);
}

#[tokio::test]
async fn describe_run_failure_notes_a_task_whose_logs_are_missing_and_reports_the_rest() {
    let logs = format!("/api/v1/stable/tasks/{}/logs", task_id(1));
    let failure = degraded(
        "describe_run_failure",
        json!({"workflow_run_id": RUN}),
        failing(logs, 404),
    )
    .await;
    let load = &failure["failed_tasks"][0];
    assert_eq!(load["errorMessage"], "KeyError: 'customer_id'");
    assert_eq!(load["events"], json!(["2026-05-19T09:02:00Z FAILED"]));
    assert!(
        load["logs_error"]
            .as_str()
            .unwrap()
            .starts_with("Hatchet API 404"),
        "{load}"
    );
    assert_eq!(failure["classes"], json!({"error": 1}));
}

#[tokio::test]
async fn list_stuck_runs_lists_the_runs_when_queues_or_workers_cannot_be_read() {
    let queues = format!("/api/v1/tenants/{TENANT}/step-run-queue-metrics");
    let workers = format!("/api/v1/tenants/{TENANT}/worker");
    for (at, status, part) in [(queues, 500, "queue"), (workers, 404, "workers")] {
        let stuck = degraded(
            "list_stuck_runs",
            json!({"older_than": "15m"}),
            failing(at, status),
        )
        .await;
        assert_eq!(stuck["total"], 2, "{stuck}");
        assert_eq!(stuck["runs"][1]["workflow_run_id"], WAITING);
        says_unavailable(&stuck, part, status);
        match part {
            "queue" => assert_eq!(stuck["workers"], json!({"ACTIVE": 1, "free_slots": 0})),
            _ => assert_eq!(
                stuck["busiest_queues"],
                json!({"etl:load": 7, "mail:send": 2})
            ),
        }
    }
}

#[tokio::test]
async fn list_stuck_runs_keeps_the_newest_page_when_the_oldest_cannot_be_read() {
    let runs = format!("/api/v1/stable/tenants/{TENANT}/workflow-runs");
    let rows = vec![run_row(
        WAITING,
        "QUEUED",
        "2026-05-19T09:10:00Z",
        "",
        (WORKFLOW, "etl"),
    )];
    let first_of_two = first_page_of_two(
        Mock::given(method("GET"))
            .and(path(runs.clone()))
            .and(query_param("offset", "0")),
        rows,
    );
    let last = failing_with(runs, Some(("offset", "100")), 500);
    let stuck = degraded_by("list_stuck_runs", json!({}), vec![first_of_two, last]).await;
    assert_eq!(stuck["runs"][0]["workflow_run_id"], WAITING, "{stuck}");
    says_unavailable(&stuck, "oldest", 500);
}

#[tokio::test]
async fn compare_runs_shows_the_run_when_its_baseline_cannot_be_read() {
    let baseline = format!("/api/v1/stable/workflow-runs/{BASELINE}");
    let compared = degraded(
        "compare_runs",
        json!({"workflow_run_id": RUN}),
        failing(baseline, 404),
    )
    .await;
    assert_eq!(compared["run"]["workflow_run_id"], RUN, "{compared}");
    assert_eq!(compared["run"]["status"], "FAILED");
    says_unavailable(&compared, BASELINE, 404);

    let search = format!("/api/v1/stable/tenants/{TENANT}/workflow-runs");
    let compared = degraded(
        "compare_runs",
        json!({"workflow_run_id": RUN}),
        failing_with(search, Some(("statuses", "COMPLETED")), 500),
    )
    .await;
    assert_eq!(compared["run"]["workflow_run_id"], RUN, "{compared}");
    let said = says_unavailable(&compared, "baseline", 500);
    assert!(said.contains("baseline_run_id"), "{said}");
}

#[tokio::test]
async fn why_queued_gives_a_verdict_from_what_it_could_read_and_names_what_it_could_not() {
    let cases = [
        (format!("/api/v1/tenants/{TENANT}/worker"), 500, "workers"),
        (
            format!("/api/v1/tenants/{TENANT}/step-run-queue-metrics"),
            500,
            "queue",
        ),
        (
            format!("/api/v1/tenants/{TENANT}/rate-limits"),
            404,
            "rate limits",
        ),
        (
            format!("/api/v1/workflows/{WORKFLOW}/versions"),
            404,
            "workflow version",
        ),
    ];
    for (at, status, part) in cases {
        let waiting = degraded(
            "why_queued",
            json!({"workflow_run_id": WAITING}),
            failing(at, status),
        )
        .await;
        let verdict = waiting["verdict"].as_str().unwrap();
        says_unavailable(&waiting, part, status);
        assert_eq!(
            waiting["queued_tasks"][0]["task_run_id"],
            task_id(7),
            "{waiting}"
        );
        if part == "workers" {
            // Nothing may be concluded about workers it has not seen.
            assert!(!verdict.contains("No worker registers"), "{verdict}");
            assert!(verdict.contains("could not be read: workers"), "{verdict}");
            assert!(
                waiting.get("workers").is_none(),
                "unknown, not none: {waiting}"
            );
        } else {
            assert!(
                verdict.starts_with("The 1 active worker(s) for `etl:load` have no free slot"),
                "{part}: {verdict}"
            );
        }
    }
}

#[tokio::test]
async fn top_failing_workflows_counts_the_pages_it_read_when_a_later_one_fails() {
    let runs = format!("/api/v1/stable/tenants/{TENANT}/workflow-runs");
    let rows = vec![run_row(
        RUN,
        "FAILED",
        "2026-05-19T09:40:00Z",
        "KeyError",
        (WORKFLOW, "etl"),
    )];
    let first_of_two = first_page_of_two(
        Mock::given(method("GET"))
            .and(path(runs.clone()))
            .and(query_param("statuses", "FAILED"))
            .and(query_param("offset", "0")),
        rows,
    );
    let last = failing_with(runs, Some(("offset", "100")), 500);
    let failing = degraded_by("top_failing_workflows", json!({}), vec![first_of_two, last]).await;
    assert_eq!(failing["failed_runs"], 1, "{failing}");
    assert_eq!(failing["workflows"][0]["workflowName"], "etl");
    says_unavailable(&failing, "page 2", 500);
}
