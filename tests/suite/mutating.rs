//! The mutating tools and the safety model, end to end over stdio: read-only mode lets
//! nothing but reads reach Hatchet whatever the client sends; in read-write mode each tool
//! sends exactly its contract request and leaves an audit line; bulk actions preview first
//! and execute only what was previewed.

use std::time::Duration;

use crate::support::{
    contract::assert_server_conforms,
    fake::{
        RUN, TENANT, WORKFLOW, expected_request, expected_requests, mount_workflows, recorded,
        token_for, valid_arguments,
    },
    session::{Session, call, start, start_with_stderr, text},
};
use hatchet_mcp::mcp::{tools, tools::ToolSpec};
use rmcp::model::CallToolRequestParams;
use serde_json::{Value, json};
use tokio::io::AsyncReadExt;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{any, body_partial_json, method, path, path_regex},
};

const READ_WRITE: [(&str, &str); 1] = [("HATCHET_MCP_READ_ONLY", "false")];

const OTHER_WORKFLOW: &str = "3f2c1e0d-1111-4a2b-9c3d-5e6f7a8b9c0d";

/// What the fake received, less the listing of workflows that name resolution reads (once
/// a minute).
async fn sent_beyond_the_listing(
    server: &MockServer,
) -> Vec<crate::support::contract::RecordedRequest> {
    let listing = format!("/api/v1/tenants/{TENANT}/workflows");
    recorded(server)
        .await
        .into_iter()
        .filter(|r| !(r.method == "GET" && r.path == listing))
        .collect()
}

/// A fake Hatchet that answers every request plausibly. It lists the workflow `etl` (and
/// `staging_etl`): the tools that take a workflow name resolve it first.
async fn plausible_hatchet() -> MockServer {
    let server = MockServer::start().await;
    mount_workflows(
        &server,
        &[(WORKFLOW, "etl"), (OTHER_WORKFLOW, "staging_etl")],
    )
    .await;
    for paused in [true, false] {
        Mock::given(method("PATCH"))
            .and(path_regex("^/api/v1/workflows/"))
            .and(body_partial_json(json!({"isPaused": paused})))
            .respond_with(
                ResponseTemplate::new(200)
                    .set_body_json(json!({"metadata": {"id": WORKFLOW}, "isPaused": paused})),
            )
            .mount(&server)
            .await;
    }
    Mock::given(method("DELETE"))
        .and(path_regex("/workflows/(crons|scheduled)/"))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path_regex("/tasks/(cancel|replay)$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ids": [RUN]})))
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rows": []})))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn read_only_mode_lets_nothing_but_reads_reach_hatchet_whatever_is_called() {
    let server = plausible_hatchet().await;
    let session = start(&server, &[]).await;
    for tool in tools::registered(false) {
        let params =
            CallToolRequestParams::new(tool.name.clone()).with_arguments(valid_arguments(&tool));
        match session.call_tool(params).await {
            Ok(_) => assert!(
                !tool.is_mutating(),
                "{} answered in read-only mode",
                tool.name
            ),
            Err(error) => {
                assert!(tool.is_mutating(), "{}: {error}", tool.name);
                assert!(
                    error.to_string().contains("HATCHET_MCP_READ_ONLY=false"),
                    "{error}"
                );
            }
        }
    }
    let requests = recorded(&server).await;
    // One request per read tool, and at most the others its registry entry names (queue
    // depths fall back on task stats when the queue metrics are empty).
    let reads = tools::registered(true);
    let most: usize = reads.iter().map(|t| expected_requests(t).len()).sum();
    assert!(
        (reads.len()..=most).contains(&requests.len()),
        "{} requests for {} read tools naming {most} endpoints",
        requests.len(),
        reads.len()
    );
    for request in &requests {
        let is_cel_debug = request.method == "POST"
            && request.path == format!("/api/v1/stable/tenants/{TENANT}/cel/debug");
        assert!(
            request.method == "GET" || is_cel_debug,
            "read-only mode sent {} {}",
            request.method,
            request.path
        );
    }
    let tools = session.list_all_tools().await.unwrap();
    assert!(
        tools
            .iter()
            .all(|t| t.annotations.as_ref().unwrap().read_only_hint == Some(true))
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn every_mutating_tool_sends_its_contract_request_and_leaves_an_audit_line() {
    let server = plausible_hatchet().await;
    let (session, mut stderr) = start_with_stderr(&server.uri(), &READ_WRITE).await;
    let instructions = session.peer_info().unwrap().instructions.clone().unwrap();
    assert!(
        instructions.contains("Read-write") && instructions.contains("dry_run=true"),
        "{instructions}"
    );
    assert_eq!(
        session.list_all_tools().await.unwrap().len(),
        tools::registered(false).len()
    );

    let mutating: Vec<ToolSpec> = tools::registered(false)
        .into_iter()
        .filter(ToolSpec::is_mutating)
        .collect();
    for (index, tool) in mutating.iter().enumerate() {
        let mut arguments = valid_arguments(tool);
        if tool.name == "trigger_workflow" {
            arguments.insert("input".into(), json!({"card_number": "4242-SECRET"}));
        }
        let result = call(&session, &tool.name, Value::Object(arguments)).await;
        assert_eq!(
            result.is_error,
            Some(false),
            "{}: {}",
            tool.name,
            text(&result)
        );
        let requests = sent_beyond_the_listing(&server).await;
        assert_eq!(
            requests.len(),
            index + 1,
            "{} sends exactly one request",
            tool.name
        );
        let (expected_method, expected_path) = expected_request(tool);
        assert_eq!(
            (
                requests[index].method.as_str(),
                requests[index].path.as_str()
            ),
            (expected_method.as_str(), expected_path.as_str()),
            "{}",
            tool.name
        );
    }
    assert_server_conforms(&server).await;
    session.cancel().await.unwrap();

    let mut log = String::new();
    stderr.read_to_string(&mut log).await.unwrap();
    for tool in &mutating {
        let audit = |l: &&str| {
            l.contains(" audit: mutating call ") && l.contains(&format!("tool=\"{}\"", tool.name))
        };
        let line = log
            .lines()
            .find(audit)
            .unwrap_or_else(|| panic!("no audit line for {} in:\n{log}", tool.name));
        assert!(
            line.contains("outcome=\"ok\"") && line.contains("duration_ms="),
            "{line}"
        );
    }
    assert!(log.contains(&format!("targets=workflow_id={RUN}")), "{log}");
    assert!(
        !log.contains("4242-SECRET"),
        "payload contents must not be logged"
    );
    assert!(
        !log.contains(&token_for(&server.uri())),
        "the token must not be logged"
    );
}

#[tokio::test]
async fn pause_reports_an_engine_that_did_not_pause() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"isPaused": false})))
        .mount(&server)
        .await;
    let session = start(&server, &READ_WRITE).await;
    let result = call(
        &session,
        "pause_workflow",
        json!({"workflow_id": WORKFLOW, "queue_ttl": "7d", "cron_runs": "drop"}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert!(
        text(&result).contains("isPaused is false instead of true"),
        "{}",
        text(&result)
    );
    let sent = &recorded(&server).await[0];
    assert_eq!(
        sent.body.as_ref().unwrap()["pause"]["pausedWorkflowQueueTTL"],
        "168h"
    );
    assert_eq!(
        sent.body.as_ref().unwrap()["pause"]["pausedWorkflowCronRunQueueBehavior"],
        "DROP"
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn local_checks_refuse_bad_mutations_before_sending() {
    let server = plausible_hatchet().await;
    let session = start(&server, &READ_WRITE).await;
    let cases = [
        (
            "create_cron",
            json!({"workflow_name": "etl", "cron_name": "n", "expression": "* * *"}),
            "Invalid argument `expression`: expected 5 or 6 cron fields",
        ),
        (
            "create_scheduled",
            json!({"workflow_name": "etl", "trigger_at": "2020-01-01T00:00:00Z"}),
            "Invalid argument `trigger_at`: 2020-01-01T00:00:00Z is not in the future",
        ),
        (
            "reschedule",
            json!({"scheduled_id": RUN, "trigger_at": "yesterday"}),
            "Invalid argument `trigger_at`: expected RFC 3339",
        ),
        (
            "trigger_workflow",
            json!({"workflow_name": "etl", "priority": 4}),
            "Invalid argument `priority`: must be an integer from 1 to 3",
        ),
        (
            "update_filter",
            json!({"filter_id": RUN}),
            "Give at least one of `expression`, `scope`, `payload`",
        ),
        (
            "pause_workflow",
            json!({"workflow_id": RUN, "queue_ttl": "forever"}),
            "Invalid argument `queue_ttl`",
        ),
        (
            "push_event",
            json!({"key": "k", "data": "not an object"}),
            "Invalid argument `data`",
        ),
    ];
    for (tool, arguments, expected) in cases {
        let result = call(&session, tool, arguments).await;
        assert_eq!(result.is_error, Some(true), "{tool}");
        assert!(
            text(&result).starts_with(expected),
            "{tool}: {}",
            text(&result)
        );
    }
    assert!(recorded(&server).await.is_empty());
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn namespace_prefixes_workflow_names_and_event_keys() {
    let server = plausible_hatchet().await;
    let env = [
        ("HATCHET_MCP_READ_ONLY", "false"),
        ("HATCHET_CLIENT_NAMESPACE", "Staging"),
    ];
    let session = start(&server, &env).await;
    call(
        &session,
        "trigger_workflow",
        json!({"workflow_name": "etl"}),
    )
    .await;
    call(&session, "push_event", json!({"key": "order.created"})).await;
    call(
        &session,
        "create_cron",
        json!({"workflow_name": "etl", "cron_name": "n", "expression": "@daily"}),
    )
    .await;
    call(
        &session,
        "create_scheduled",
        json!({"workflow_name": "etl", "trigger_at": "+5m"}),
    )
    .await;
    let requests = sent_beyond_the_listing(&server).await;
    assert_eq!(
        requests[0].body.as_ref().unwrap()["workflowName"],
        "staging_etl"
    );
    assert_eq!(
        requests[1].body.as_ref().unwrap()["key"],
        "staging_order.created"
    );
    assert_eq!(
        requests[2].path,
        format!("/api/v1/tenants/{TENANT}/workflows/staging_etl/crons")
    );
    assert_eq!(
        requests[3].path,
        format!("/api/v1/tenants/{TENANT}/workflows/staging_etl/scheduled")
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn an_unknown_outcome_is_reported_with_the_read_tool_to_check() {
    // A loopback server that reads the request, then hangs up without answering.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let connections = tokio::spawn(async move {
        let mut count = 0;
        while let Ok(Ok((mut socket, _))) =
            tokio::time::timeout(Duration::from_secs(2), listener.accept()).await
        {
            count += 1;
            let mut buffer = [0u8; 4096];
            let _ = socket.read(&mut buffer).await;
        }
        count
    });
    let (session, _stderr) = start_with_stderr(&url, &READ_WRITE).await;
    let result = call(&session, "restore_task", json!({"task_id": RUN})).await;
    assert_eq!(result.is_error, Some(true));
    let message = text(&result);
    assert!(
        message.contains("outcome is unknown") && message.contains("Check with `get_task`"),
        "{message}"
    );
    session.cancel().await.unwrap();
    assert_eq!(connections.await.unwrap(), 1, "never retried");
}

mod bulk {
    use super::*;

    fn ids(count: usize) -> Vec<String> {
        (0..count)
            .map(|i| format!("00000000-0000-4000-8000-{i:012}"))
            .collect()
    }

    /// A fake whose filter resolves to `matched` ids, and which records cancel/replay posts.
    async fn hatchet_matching(matched: &[String]) -> MockServer {
        let server = MockServer::start().await;
        Mock::given(method("GET"))
            .and(path(format!(
                "/api/v1/stable/tenants/{TENANT}/workflow-runs/external-ids"
            )))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(matched)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ids": matched})))
            .mount(&server)
            .await;
        server
    }

    async fn posts(server: &MockServer) -> Vec<Value> {
        recorded(server)
            .await
            .into_iter()
            .filter(|r| r.method == "POST")
            .map(|r| r.body.unwrap())
            .collect()
    }

    fn result_json(session_result: &rmcp::model::CallToolResult) -> Value {
        serde_json::from_str(&text(session_result)).unwrap()
    }

    async fn session_for(server: &MockServer) -> Session {
        start(server, &READ_WRITE).await
    }

    #[tokio::test]
    async fn a_filter_previews_then_executes_exactly_the_previewed_set() {
        let matched = ids(3);
        let server = hatchet_matching(&matched).await;
        let session = session_for(&server).await;
        let filter = json!({"statuses": ["FAILED"], "since": "6h"});

        let preview = result_json(&call(&session, "cancel_runs", filter.clone()).await);
        assert_eq!(preview["dry_run"], true);
        assert_eq!(preview["executed"], false);
        assert_eq!(preview["matched_count"], 3);
        assert_eq!(preview["run_ids"], json!(matched));
        let confirm = preview["confirm"].as_str().unwrap().to_owned();
        assert!(
            posts(&server).await.is_empty(),
            "a dry run sends no mutation"
        );

        let mut execute = filter.clone();
        execute["dry_run"] = json!(false);
        execute["confirm"] = json!(confirm);
        let done = result_json(&call(&session, "cancel_runs", execute).await);
        assert_eq!(done["executed"], true);
        assert_eq!(done["run_ids"], json!(matched));
        assert_eq!(
            done["ids"],
            json!(matched),
            "the ids the API says it acted on"
        );
        assert_eq!(posts(&server).await, [json!({"externalIds": matched})]);

        // The same token does not carry over to another action.
        let mut replay = filter;
        replay["dry_run"] = json!(false);
        replay["confirm"] = json!(confirm);
        let refused = result_json(&call(&session, "replay_runs", replay).await);
        assert_eq!(refused["executed"], false);
        assert_eq!(posts(&server).await.len(), 1);
        session.cancel().await.unwrap();
    }

    #[tokio::test]
    async fn a_filter_execute_without_a_matching_preview_sends_no_mutation() {
        let server = hatchet_matching(&ids(2)).await;
        let session = session_for(&server).await;
        for confirm in [None, Some("0123456789abcdef")] {
            let mut arguments = json!({"workflow_ids": [WORKFLOW], "dry_run": false});
            if let Some(confirm) = confirm {
                arguments["confirm"] = json!(confirm);
            }
            let answer = result_json(&call(&session, "replay_runs", arguments).await);
            assert_eq!(answer["executed"], false);
            assert_eq!(answer["dry_run"], true, "a fresh preview comes back");
            assert!(
                answer["reason"]
                    .as_str()
                    .unwrap()
                    .starts_with("Nothing was done"),
                "{answer}"
            );
            assert!(answer["confirm"].is_string());
        }
        assert!(posts(&server).await.is_empty());
        session.cancel().await.unwrap();
    }

    /// A client may start a server per call (MCP Inspector's CLI does): the token of a
    /// preview shown by one process confirms the execute in the next.
    #[tokio::test]
    async fn a_token_confirms_in_a_new_server_process() {
        let matched = ids(2);
        let server = hatchet_matching(&matched).await;
        let filter = json!({"statuses": ["FAILED"], "since": "6h"});
        let first = session_for(&server).await;
        let preview = result_json(&call(&first, "cancel_runs", filter.clone()).await);
        first.cancel().await.unwrap();

        let second = session_for(&server).await;
        let mut execute = filter;
        execute["statuses"] = json!("failed");
        execute["dry_run"] = json!(false);
        execute["confirm"] = preview["confirm"].clone();
        let done = result_json(&call(&second, "cancel_runs", execute).await);
        assert_eq!(done["executed"], true, "{done}");
        assert_eq!(posts(&server).await, [json!({"externalIds": matched})]);
        second.cancel().await.unwrap();
    }

    /// The fresh preview says what differs from the one the token was issued for.
    #[tokio::test]
    async fn a_refused_token_is_answered_with_what_differs() {
        let server = hatchet_matching(&ids(2)).await;
        let session = session_for(&server).await;
        let filter = json!({"workflow_ids": [WORKFLOW], "since": "2d"});
        let preview = result_json(&call(&session, "replay_runs", filter.clone()).await);
        let token = preview["confirm"].as_str().unwrap();
        let mut tampered = token.to_owned();
        let at = tampered.len() - 20;
        let flipped = if &tampered[at..=at] == "0" { "1" } else { "0" };
        tampered.replace_range(at..=at, flipped);
        let (expires, rest) = token.split_once('.').unwrap();
        let extended = format!("{}.{rest}", expires.parse::<u64>().unwrap() + 86_400);

        let cases = [
            (
                "replay_runs",
                json!({"since": "2d"}),
                token,
                "issued for a different filter",
            ),
            (
                "replay_runs",
                json!({"workflow_ids": [WORKFLOW], "since": "3d"}),
                token,
                "issued for a different filter",
            ),
            (
                "cancel_runs",
                filter.clone(),
                token,
                "issued for another action, not cancel",
            ),
            (
                "replay_runs",
                filter.clone(),
                &tampered,
                "malformed or was altered",
            ),
            (
                "replay_runs",
                filter.clone(),
                &extended,
                "malformed or was altered",
            ),
        ];
        for (tool, mut arguments, confirm, expected) in cases {
            arguments["dry_run"] = json!(false);
            arguments["confirm"] = json!(confirm);
            let answer = result_json(&call(&session, tool, arguments.clone()).await);
            assert_eq!(answer["executed"], false, "{arguments}");
            let reason = answer["reason"].as_str().unwrap();
            assert!(
                reason.starts_with("Nothing was done: ") && reason.contains(expected),
                "{arguments}: {reason}"
            );
            assert!(answer["confirm"].is_string());
        }
        assert!(posts(&server).await.is_empty());
        session.cancel().await.unwrap();
    }

    #[tokio::test]
    async fn a_changed_set_gets_a_fresh_preview_instead_of_an_execute() {
        let server = MockServer::start().await;
        let first = ids(2);
        let second = ids(3);
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(first)))
            .up_to_n_times(1)
            .mount(&server)
            .await;
        Mock::given(method("GET"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!(second)))
            .mount(&server)
            .await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ids": []})))
            .mount(&server)
            .await;
        let session = session_for(&server).await;
        let preview =
            result_json(&call(&session, "cancel_runs", json!({"statuses": "FAILED"})).await);
        let execute =
            json!({"statuses": "FAILED", "dry_run": false, "confirm": preview["confirm"]});
        let answer = result_json(&call(&session, "cancel_runs", execute).await);
        assert_eq!(answer["executed"], false);
        assert_eq!(answer["matched_count"], 3);
        assert_ne!(answer["confirm"], preview["confirm"]);
        assert_eq!(
            answer["reason"],
            "Nothing was done: the same filter now matches 3 runs, not the 2 previewed. Review this fresh preview and confirm it."
        );
        assert!(posts(&server).await.is_empty());
        session.cancel().await.unwrap();
    }

    #[tokio::test]
    async fn five_hundred_is_allowed_and_five_hundred_and_one_refused() {
        let server = hatchet_matching(&ids(500)).await;
        let session = session_for(&server).await;
        let preview = result_json(&call(&session, "cancel_runs", json!({"since": "1d"})).await);
        assert_eq!(preview["matched_count"], 500);
        let execute = json!({"since": "1d", "dry_run": false, "confirm": preview["confirm"]});
        assert_eq!(
            result_json(&call(&session, "cancel_runs", execute).await)["executed"],
            true
        );
        session.cancel().await.unwrap();

        let server = hatchet_matching(&ids(501)).await;
        let session = session_for(&server).await;
        let refused = call(&session, "cancel_runs", json!({"since": "1d"})).await;
        assert_eq!(refused.is_error, Some(true));
        assert!(
            text(&refused).starts_with("The filter matches 501 runs, more than the 500"),
            "{}",
            text(&refused)
        );
        let too_many = call(&session, "cancel_runs", json!({"run_ids": ids(501)})).await;
        assert_eq!(
            text(&too_many),
            "Invalid argument `run_ids`: at most 500 items, got 501."
        );
        let at_cap = call(
            &session,
            "cancel_runs",
            json!({"run_ids": ids(500), "dry_run": false}),
        )
        .await;
        assert_eq!(
            result_json(&at_cap)["executed"],
            true,
            "explicit ids need no confirm token"
        );
        assert_eq!(posts(&server).await.len(), 1);
        session.cancel().await.unwrap();
    }

    #[tokio::test]
    async fn ids_xor_filter_and_an_empty_match() {
        let server = hatchet_matching(&[]).await;
        let session = session_for(&server).await;
        let both = call(
            &session,
            "cancel_runs",
            json!({"run_ids": [RUN], "statuses": ["FAILED"]}),
        )
        .await;
        assert!(
            text(&both).starts_with("Give either `run_ids` or a filter"),
            "{}",
            text(&both)
        );
        let neither = call(&session, "replay_runs", json!({"dry_run": false})).await;
        assert!(
            text(&neither).starts_with("Give `run_ids`, or a filter"),
            "{}",
            text(&neither)
        );
        let none =
            result_json(&call(&session, "cancel_runs", json!({"statuses": ["RUNNING"]})).await);
        assert_eq!(
            none,
            json!({"action": "cancel", "executed": false, "matched_count": 0, "run_ids": []})
        );
        assert!(posts(&server).await.is_empty());
        session.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_cancelled_mutation_and_a_preview_leave_audit_lines_that_say_so() {
    let server = MockServer::start().await;
    mount_workflows(&server, &[(WORKFLOW, "etl\nforged audit line")]).await;
    Mock::given(method("POST"))
        .and(path_regex("/workflow-runs/trigger$"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"metadata": {"id": RUN}}))
                .set_delay(Duration::from_secs(5)),
        )
        .mount(&server)
        .await;
    let (session, mut stderr) = start_with_stderr(&server.uri(), &READ_WRITE).await;
    // The client gives up on the trigger after it reached Hatchet: rmcp's client sends
    // notifications/cancelled when the pending call is dropped.
    let trigger = CallToolRequestParams::new("trigger_workflow").with_arguments(
        json!({"workflow_name": "etl\nforged audit line"})
            .as_object()
            .unwrap()
            .clone(),
    );
    let pending =
        tokio::time::timeout(Duration::from_millis(700), session.call_tool(trigger)).await;
    assert!(pending.is_err(), "the trigger should still be in flight");
    let preview = call(&session, "cancel_runs", json!({"run_ids": [RUN]})).await;
    assert!(
        text(&preview).contains(r#""dry_run":true"#),
        "{}",
        text(&preview)
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    session.cancel().await.unwrap();
    let mut log = String::new();
    stderr.read_to_string(&mut log).await.unwrap();
    let line = |tool: &str| audit_line(&log, tool);
    let trigger = line("trigger_workflow");
    assert!(trigger.contains("outcome=\"cancelled\""), "{trigger}");
    assert!(
        trigger.contains("etl\\nforged"),
        "escaped, one line: {trigger}"
    );
    assert!(!log.lines().any(|l| l.starts_with("forged")), "{log}");
    let cancel = line("cancel_runs");
    assert!(
        cancel.contains("phase=\"preview\"") && cancel.contains("outcome=\"ok\""),
        "{cancel}"
    );
}

/// An audit line names only what the tool itself defines as its targets: a typed workflow
/// tool's own input fields are payload, however they are named (`user_id` holding an email
/// address here), and a tool that acts on no filter never says `targets=filter`.
#[tokio::test]
async fn audit_lines_never_carry_a_workflow_tools_input_fields() {
    let server = MockServer::start().await;
    crate::support::fake::mount_workflows(&server, &[(WORKFLOW, "onboard")]).await;
    let schema = json!({
        "type": "object",
        "properties": {
            "user_id": {"type": "string"},
            "account_ids": {"type": "array", "items": {"type": "string"}},
            "key": {"type": "string"},
            "workflow_name": {"type": "string"}
        },
        "required": ["user_id"]
    });
    Mock::given(method("GET"))
        .and(path(format!("/api/v1/workflows/{WORKFLOW}/versions")))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "metadata": {"id": RUN}, "version": "v1", "inputJsonSchema": schema,
            "workflow": {"description": ""}
        })))
        .mount(&server)
        .await;
    crate::support::fake::mount_trigger(&server, RUN).await;
    let mut env = READ_WRITE.to_vec();
    env.push(("HATCHET_MCP_WORKFLOW_TOOLS", "onboard"));
    let (session, mut stderr) = start_with_stderr(&server.uri(), &env).await;
    let mut listed = false;
    for _ in 0..100 {
        let tools = session.list_all_tools().await.unwrap();
        if tools.iter().any(|t| t.name == "run_onboard") {
            listed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(listed, "run_onboard never listed");
    let input = json!({
        "user_id": "alice@example.com",
        "account_ids": ["acct-4242-private"],
        "key": "secret-key-value",
        "workflow_name": "looks-like-a-name"
    });
    let result = call(&session, "run_onboard", input).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    session.cancel().await.unwrap();
    let mut log = String::new();
    stderr.read_to_string(&mut log).await.unwrap();
    let line = audit_line(&log, "run_onboard");
    for payload in [
        "alice@example.com",
        "acct-4242-private",
        "secret-key-value",
        "looks-like-a-name",
    ] {
        assert!(!log.contains(payload), "{payload} logged: {line}");
    }
    assert!(!line.contains("targets=filter"), "{line}");
}

/// A bulk call names its run ids, or says `filter` with the workflows the filter names:
/// never the filter's other values.
#[tokio::test]
async fn bulk_audit_lines_name_their_ids_or_say_filter() {
    let server = plausible_hatchet().await;
    let (session, mut stderr) = start_with_stderr(&server.uri(), &READ_WRITE).await;
    call(&session, "cancel_runs", json!({"run_ids": [RUN]})).await;
    call(
        &session,
        "replay_runs",
        json!({"since": "1h", "workflow_ids": [WORKFLOW], "additional_metadata": {"user": "bob@example.com"}}),
    )
    .await;
    session.cancel().await.unwrap();
    let mut log = String::new();
    stderr.read_to_string(&mut log).await.unwrap();
    let line = |tool: &str| audit_line(&log, tool);
    assert!(line("cancel_runs").contains(&format!("targets=run_ids={RUN} ")));
    let replay = line("replay_runs");
    assert!(
        replay.contains(&format!("targets=filter workflow_ids={WORKFLOW} ")),
        "{replay}"
    );
    assert!(!log.contains("bob@example.com"), "{log}");
}

/// The audit line of `tool`'s call in `log`.
fn audit_line(log: &str, tool: &str) -> String {
    log.lines()
        .find(|l| l.contains(" audit: ") && l.contains(&format!("tool=\"{tool}\"")))
        .unwrap_or_else(|| panic!("no audit line for {tool} in:\n{log}"))
        .to_owned()
}
