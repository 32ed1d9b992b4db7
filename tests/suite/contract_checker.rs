//! Tests of the contract checker itself (tests/support/contract.rs), run against
//! Hatchet's real OpenAPI spec. When the spec is absent they fail in CI; elsewhere they
//! pass without checking anything, and the run says so once (see `announce_skip`).

use std::process::{Command, Output};

use crate::support::contract::{
    RecordedRequest, SPEC_PATH_VAR, Verdict, assert_conforms, assert_server_conforms,
    check_requests,
};
use serde_json::{Value, json};

const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";
const OTHER_ID: &str = "4b1f7a1e-9c0d-4e55-8f3a-2d6b7c8e9f01";

fn request(
    method: &str,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) -> RecordedRequest {
    RecordedRequest {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
        body,
    }
}

fn workflow_runs_path(tenant: &str) -> String {
    format!("/api/v1/stable/tenants/{tenant}/workflow-runs")
}

fn trigger(body: Option<Value>) -> RecordedRequest {
    let path = format!("/api/v1/stable/tenants/{TENANT}/workflow-runs/trigger");
    request("POST", &path, &[], body)
}

/// The query of a valid workflow-run listing.
const VALID_LIST_QUERY: &[(&str, &str)] = &[
    ("since", "2026-05-19T00:00:00Z"),
    ("only_tasks", "false"),
    ("statuses", "FAILED"),
    ("statuses", "RUNNING"),
    ("limit", "50"),
    ("offset", "0"),
];

/// `VALID_LIST_QUERY` with `name` removed and `extra` appended.
fn list_query_with(
    without: &str,
    extra: &[(&'static str, &'static str)],
) -> Vec<(&'static str, &'static str)> {
    VALID_LIST_QUERY
        .iter()
        .copied()
        .filter(|(k, _)| *k != without)
        .chain(extra.iter().copied())
        .collect()
}

/// Runs two of this binary's checker tests in a child process whose spec is missing,
/// with `CI` as given; returns the child's output and the path it was pointed at.
fn run_without_spec(ci: &str) -> (Output, String) {
    let missing = format!("{}/no-such-openapi.json", env!("CARGO_TARGET_TMPDIR"));
    let output = Command::new(std::env::current_exe().expect("this test binary"))
        .args([
            "--exact",
            "contract_checker::valid_workflow_run_list_passes",
            "contract_checker::unknown_path_fails",
        ])
        .env(SPEC_PATH_VAR, &missing)
        .env("CI", ci)
        .output()
        .expect("run this test binary again");
    (output, missing)
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn in_ci_a_missing_spec_fails_the_checks_naming_the_expected_path() {
    let (output, missing) = run_without_spec("true");
    let all = text(&output.stdout) + &text(&output.stderr);
    assert!(!output.status.success(), "passed without the spec:\n{all}");
    let expected = format!(
        "Hatchet OpenAPI spec not found at {missing} (`bash scripts/real-hatchet.sh spec` writes one). CI is set"
    );
    assert!(all.contains(&expected), "{all}");
    assert!(all.contains("2 failed"), "{all}");
}

#[test]
fn elsewhere_a_missing_spec_is_a_skip_announced_in_one_uncaptured_line() {
    let (output, missing) = run_without_spec("false");
    let (stdout, stderr) = (text(&output.stdout), text(&output.stderr));
    assert!(output.status.success(), "{stdout}{stderr}");
    let announced: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("contract: SKIPPED"))
        .collect();
    assert_eq!(announced.len(), 1, "{stderr}");
    assert!(announced[0].contains(&missing), "{stderr}");
    assert!(announced[0].contains(SPEC_PATH_VAR), "{stderr}");
    assert!(stdout.contains("2 passed"), "{stdout}");
}

/// Runs the checker; `None` means the spec is absent (the reason is printed).
fn check(requests: &[RecordedRequest]) -> Option<Result<(), Vec<String>>> {
    match check_requests(requests) {
        Ok(Verdict::Checked { requests: n }) => {
            assert_eq!(n, requests.len());
            Some(Ok(()))
        }
        Ok(Verdict::Skipped(reason)) => {
            eprintln!("contract test SKIPPED: {reason}");
            None
        }
        Err(violations) => Some(Err(violations)),
    }
}

#[track_caller]
fn expect_pass(req: RecordedRequest) {
    if let Some(Err(violations)) = check(&[req]) {
        panic!("expected no violations, got:\n{}", violations.join("\n"));
    }
}

/// Asserts the request is rejected with some violation containing every needle,
/// and returns all violations (empty when the spec is absent).
#[track_caller]
fn expect_violation(req: RecordedRequest, needles: &[&str]) -> Vec<String> {
    match check(&[req]) {
        None => Vec::new(),
        Some(Ok(())) => panic!("expected a violation mentioning {needles:?}, got none"),
        Some(Err(violations)) => {
            assert!(
                violations
                    .iter()
                    .any(|v| needles.iter().all(|n| v.contains(n))),
                "no violation mentions all of {needles:?}; got:\n{}",
                violations.join("\n")
            );
            violations
        }
    }
}

// --- paths, methods, path parameters ---------------------------------------

#[test]
fn valid_workflow_run_list_passes() {
    expect_pass(request(
        "GET",
        &workflow_runs_path(TENANT),
        VALID_LIST_QUERY,
        None,
    ));
}

#[test]
fn violations_name_the_request() {
    let path = workflow_runs_path(TENANT);
    let query = list_query_with("", &[("foo", "1")]);
    let violations = expect_violation(request("GET", &path, &query, None), &["foo"]);
    for v in &violations {
        assert!(
            v.starts_with(&format!("GET {path} : ")),
            "unexpected format: {v}"
        );
    }
}

#[test]
fn unknown_path_fails() {
    expect_violation(
        request("GET", "/api/v1/stable/nothing-here", &[], None),
        &["no path template"],
    );
    // A trailing slash is a different path.
    let path = format!("{}/", workflow_runs_path(TENANT));
    expect_violation(
        request("GET", &path, VALID_LIST_QUERY, None),
        &["no path template"],
    );
}

#[test]
fn bad_uuid_in_path_fails() {
    expect_violation(
        request(
            "GET",
            &workflow_runs_path("not-a-uuid"),
            VALID_LIST_QUERY,
            None,
        ),
        &["path parameter `tenant`", "not-a-uuid"],
    );
}

#[test]
fn path_segments_are_percent_decoded() {
    // `%2D` is `-`: the decoded tenant is a valid UUID.
    let encoded = TENANT.replace('-', "%2D");
    expect_pass(request(
        "GET",
        &workflow_runs_path(&encoded),
        VALID_LIST_QUERY,
        None,
    ));
}

#[test]
fn post_to_get_only_path_fails() {
    expect_violation(
        request("POST", &workflow_runs_path(TENANT), VALID_LIST_QUERY, None),
        &["method POST is not defined", "defined: GET"],
    );
}

#[test]
fn literal_segment_beats_parameter() {
    // `/events/keys` must match the literal template, not `/events/{v1-event}`
    // (whose parameter is a UUID, so matching it would be a violation).
    expect_pass(request(
        "GET",
        &format!("/api/v1/stable/tenants/{TENANT}/events/keys"),
        &[],
        None,
    ));
    expect_pass(request(
        "GET",
        &format!("/api/v1/stable/tenants/{TENANT}/events/{OTHER_ID}"),
        &[],
        None,
    ));
    expect_violation(
        request(
            "GET",
            &format!("/api/v1/stable/tenants/{TENANT}/events/keyz"),
            &[],
            None,
        ),
        &["path parameter `v1-event`"],
    );
}

// --- query parameters ---------------------------------------------------------

#[test]
fn missing_required_query_param_fails() {
    let query = list_query_with("since", &[]);
    expect_violation(
        request("GET", &workflow_runs_path(TENANT), &query, None),
        &["missing required query parameter `since`"],
    );
}

#[test]
fn unknown_query_param_is_named() {
    let query = list_query_with("", &[("foo", "bar")]);
    expect_violation(
        request("GET", &workflow_runs_path(TENANT), &query, None),
        &[
            "unknown query parameter `foo`",
            "declared:",
            "since",
            "statuses",
        ],
    );
}

#[test]
fn enum_values_are_case_sensitive() {
    let query = list_query_with("statuses", &[("statuses", "failed")]);
    expect_violation(
        request("GET", &workflow_runs_path(TENANT), &query, None),
        &["query parameter `statuses`", "failed", "FAILED"],
    );
    // A comma-joined list is one (invalid) value: Hatchet wants repeated keys.
    let query = list_query_with("statuses", &[("statuses", "FAILED,RUNNING")]);
    expect_violation(
        request("GET", &workflow_runs_path(TENANT), &query, None),
        &["query parameter `statuses`", "FAILED,RUNNING"],
    );
}

#[test]
fn scalar_query_values_are_typed() {
    let path = workflow_runs_path(TENANT);
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "limit",
            "fifty",
            &["query parameter `limit`", "expected integer"],
        ),
        (
            "only_tasks",
            "yes",
            &["query parameter `only_tasks`", "expected boolean"],
        ),
        (
            "only_tasks",
            "True",
            &["query parameter `only_tasks`", "expected boolean"],
        ),
        (
            "since",
            "yesterday",
            &["query parameter `since`", "date-time"],
        ),
        (
            "worker_id",
            "123",
            &["query parameter `worker_id`", "not a UUID"],
        ),
    ];
    for (name, value, needles) in cases {
        let query: Vec<_> = list_query_with(name, &[])
            .into_iter()
            .chain([(name, value)])
            .collect();
        expect_violation(request("GET", &path, &query, None), needles);
    }
}

#[test]
fn repeated_scalar_query_param_fails() {
    let query = list_query_with("", &[("limit", "10")]);
    expect_violation(
        request("GET", &workflow_runs_path(TENANT), &query, None),
        &["query parameter `limit` is repeated 2 times"],
    );
}

#[test]
fn every_violation_is_reported() {
    let bad_list = request(
        "GET",
        &workflow_runs_path("nope"),
        &[
            ("foo", "1"),
            ("statuses", "failed"),
            ("only_tasks", "false"),
        ],
        None,
    );
    let bad_trigger = trigger(None);
    let Some(result) = check(&[bad_list, bad_trigger]) else {
        return;
    };
    let violations = result.expect_err("both requests are invalid");
    for needle in [
        "path parameter `tenant`",
        "unknown query parameter `foo`",
        "query parameter `statuses`",
        "missing required query parameter `since`",
        "POST /api/v1/stable/tenants/",
        "missing required request body",
    ] {
        assert!(
            violations.iter().any(|v| v.contains(needle)),
            "no violation mentions {needle:?}; got:\n{}",
            violations.join("\n")
        );
    }
}

// --- bodies -------------------------------------------------------------------

// V1TriggerWorkflowRunRequest in the spec: properties workflowName (string),
// input (object), additionalMetadata (object), priority (integer),
// return_only_id (boolean); required: workflowName and input. The schema has no
// `type: object` at the top and no `additionalProperties`.

#[test]
fn valid_trigger_body_passes() {
    expect_pass(trigger(Some(json!({"workflowName": "x", "input": {}}))));
    // `input` and `additionalMetadata` are objects without declared properties,
    // so they accept any members.
    expect_pass(trigger(Some(json!({
        "workflowName": "x",
        "input": {"anything": {"deep": [1, "two", null]}},
        "additionalMetadata": {"source": "mcp"},
        "priority": 2,
        "return_only_id": true,
    }))));
}

#[test]
fn trigger_body_with_unknown_field_fails() {
    expect_violation(
        trigger(Some(
            json!({"workflowName": "x", "input": {}, "workflow_name": "x"}),
        )),
        &[
            "body: unknown property `workflow_name`",
            "declared:",
            "workflowName",
        ],
    );
}

#[test]
fn trigger_body_missing_required_field_fails() {
    expect_violation(
        trigger(Some(json!({"input": {}}))),
        &["body: missing required property `workflowName`"],
    );
}

#[test]
fn trigger_body_types_are_checked() {
    let violations = expect_violation(
        trigger(Some(
            json!({"workflowName": 5, "input": "{}", "priority": 1.5}),
        )),
        &["body.workflowName: expected string"],
    );
    if !violations.is_empty() {
        for needle in [
            "body.input: expected object",
            "body.priority: expected integer",
        ] {
            assert!(
                violations.iter().any(|v| v.contains(needle)),
                "no violation mentions {needle:?}; got:\n{}",
                violations.join("\n")
            );
        }
    }
    expect_violation(
        trigger(Some(json!({"workflowName": null, "input": {}}))),
        &["body.workflowName: expected string, got null"],
    );
}

#[test]
fn required_body_must_be_present() {
    expect_violation(trigger(None), &["missing required request body"]);
}

#[test]
fn body_on_operation_without_one_fails() {
    expect_violation(
        request(
            "GET",
            &workflow_runs_path(TENANT),
            VALID_LIST_QUERY,
            Some(json!({})),
        ),
        &["sends a request body but the operation declares none"],
    );
}

#[test]
fn numeric_bounds_are_checked() {
    // ScheduleWorkflowRunRequest.priority: integer, minimum 1, maximum 3.
    let path = format!("/api/v1/tenants/{TENANT}/workflows/my-workflow/scheduled");
    let body = |priority: i64| {
        json!({
            "input": {},
            "additionalMetadata": {},
            "triggerAt": "2026-05-19T12:00:00Z",
            "priority": priority,
        })
    };
    expect_pass(request("POST", &path, &[], Some(body(3))));
    expect_violation(
        request("POST", &path, &[], Some(body(4))),
        &["body.priority", "above maximum 3"],
    );
    expect_violation(
        request("POST", &path, &[], Some(body(0))),
        &["body.priority", "below minimum 1"],
    );
}

#[test]
fn one_of_and_all_of_bodies() {
    // V1CreateWebhookRequest is a oneOf of three allOf schemas, each combining
    // V1CreateWebhookRequestBase with an authType/auth pair.
    let path = format!("/api/v1/stable/tenants/{TENANT}/webhooks");
    let body = |auth_type: &str| {
        json!({
            "sourceName": "GENERIC",
            "name": "my-hook",
            "eventKeyExpression": "input.type",
            "authType": auth_type,
            "auth": {"username": "u", "password": "p"},
        })
    };
    // Properties from both allOf halves are accepted together.
    expect_pass(request("POST", &path, &[], Some(body("BASIC"))));
    // API_KEY's auth needs headerName/apiKey, and no branch takes "NONE".
    expect_violation(
        request("POST", &path, &[], Some(body("API_KEY"))),
        &[
            "body: matches no `oneOf` branch",
            "V1CreateWebhookRequestAPIKey",
        ],
    );
    expect_violation(
        request("POST", &path, &[], Some(body("NONE"))),
        &["matches no `oneOf` branch"],
    );
}

// --- recording through wiremock ---------------------------------------------------

/// Sends a raw HTTP/1.1 request to the mock server (loopback only) and waits for
/// the response, so the request is recorded.
async fn send_raw(server: &wiremock::MockServer, head: &str, body: &str) {
    let address = *server.address();
    assert!(
        address.ip().is_loopback(),
        "mock server must be on loopback"
    );
    let message = format!(
        "{head} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    // Blocking std I/O on a blocking thread keeps this independent of tokio's
    // optional `net`/`io-util` features.
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(address).expect("connect to mock server");
        stream.write_all(message.as_bytes()).expect("send request");
        let mut response = Vec::new();
        stream.read_to_end(&mut response).expect("read response");
        assert!(response.starts_with(b"HTTP/1.1 "), "not an HTTP response");
    })
    .await
    .expect("raw HTTP client thread");
}

#[tokio::test]
async fn from_wiremock_decodes_query_and_body() {
    let server = wiremock::MockServer::start().await;
    let list = format!(
        "GET {}?since=2026-05-19T00%3A00%3A00Z&only_tasks=false&statuses=FAILED\
         &statuses=RUNNING&additional_metadata=a%3Ab&additional_metadata=c+d",
        workflow_runs_path(TENANT)
    );
    send_raw(&server, &list, "").await;
    let trigger_path = format!("/api/v1/stable/tenants/{TENANT}/workflow-runs/trigger");
    send_raw(
        &server,
        &format!("POST {trigger_path}"),
        r#"{"workflowName":"x","input":{}}"#,
    )
    .await;

    let received = server.received_requests().await.expect("recording enabled");
    let recorded: Vec<RecordedRequest> = received
        .iter()
        .map(RecordedRequest::from_wiremock)
        .collect();
    assert_eq!(recorded.len(), 2);

    let get = &recorded[0];
    assert_eq!(get.method, "GET");
    assert_eq!(get.path, workflow_runs_path(TENANT));
    assert_eq!(get.body, None);
    let pairs: Vec<(&str, &str)> = get
        .query
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("since", "2026-05-19T00:00:00Z"),
            ("only_tasks", "false"),
            ("statuses", "FAILED"),
            ("statuses", "RUNNING"),
            ("additional_metadata", "a:b"),
            ("additional_metadata", "c d"),
        ]
    );

    let post = &recorded[1];
    assert_eq!(post.method, "POST");
    assert_eq!(post.path, trigger_path);
    assert!(post.query.is_empty());
    assert_eq!(post.body, Some(json!({"workflowName": "x", "input": {}})));

    // Both recorded requests conform (or the check is skipped without the spec).
    assert_conforms(&recorded);
    assert_server_conforms(&server).await;
}

#[tokio::test]
async fn from_wiremock_keeps_raw_path_and_non_json_body() {
    let server = wiremock::MockServer::start().await;
    let encoded = TENANT.replace('-', "%2D");
    send_raw(
        &server,
        &format!("POST /api/v1/stable/tenants/{encoded}/workflow-runs/trigger"),
        "not json",
    )
    .await;
    let received = server.received_requests().await.expect("recording enabled");
    let recorded = RecordedRequest::from_wiremock(&received[0]);
    assert_eq!(
        recorded.path,
        format!("/api/v1/stable/tenants/{encoded}/workflow-runs/trigger")
    );
    assert_eq!(recorded.body, Some(Value::String("not json".to_owned())));
    expect_violation(recorded, &["body: expected object, got string"]);
}

#[test]
fn assert_conforms_panics_listing_every_violation() {
    let bad = [
        request("GET", "/api/v1/stable/nothing-here", &[], None),
        trigger(Some(json!({"input": {}}))),
    ];
    if check(&bad).is_none() {
        return; // spec absent: assert_conforms only prints SKIPPED
    }
    let panic = std::panic::catch_unwind(|| assert_conforms(&bad)).expect_err("must panic");
    let message = panic
        .downcast_ref::<String>()
        .expect("panic message is a String");
    assert!(
        message.contains("2 violation(s) of Hatchet's OpenAPI spec"),
        "{message}"
    );
    assert!(message.contains("no path template"), "{message}");
    assert!(
        message.contains("missing required property `workflowName`"),
        "{message}"
    );
}

#[test]
fn the_legacy_is_paused_field_is_allowed_only_as_a_boolean_on_workflow_patches() {
    let path = "/api/v1/workflows/9b2f1c3e-5d4a-4f6b-8c7d-0e1f2a3b4c5d";
    let body =
        |is_paused: Value| Some(json!({"pause": {"action": "unpause"}, "isPaused": is_paused}));
    expect_pass(request("PATCH", path, &[], body(json!(false))));
    expect_violation(
        request("PATCH", path, &[], body(json!("yes"))),
        &["`isPaused` must be a boolean"],
    );
    // Elsewhere it is an unknown field like any other.
    let worker = "/api/v1/workers/9b2f1c3e-5d4a-4f6b-8c7d-0e1f2a3b4c5d";
    expect_pass(request(
        "PATCH",
        worker,
        &[],
        Some(json!({"isPaused": true})),
    ));
    expect_violation(
        trigger(Some(
            json!({"workflowName": "x", "input": {}, "isPaused": true}),
        )),
        &["isPaused"],
    );
}
