//! The Hatchet client against a fake Hatchet on loopback: the exact requests each endpoint
//! sends (checked against the OpenAPI contract too), and how each kind of failure maps.

mod support;

use std::time::{Duration, Instant};

use hatchet_mcp::hatchet::{
    ErrorKind,
    runs::{ListRuns, RunStatus},
    workflows::ListWorkflows,
};
use serde_json::{Value, json};
use support::{
    contract::assert_conforms,
    fake::{RUN, TENANT, WORKFLOW, client, client_at, only_request, pairs, recorded, token_for},
};
use wiremock::{Mock, MockServer, ResponseTemplate, matchers::any};

async fn answering(status: u16, body: Value) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(status).set_body_json(body))
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn list_workflows_sends_name_limit_offset() {
    let server = answering(200, json!({"rows": []})).await;
    let query = ListWorkflows {
        name: Some("ns_etl".into()),
        limit: 10,
        offset: 20,
    };
    client(&server, true).list_workflows(&query).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, format!("/api/v1/tenants/{TENANT}/workflows"));
    assert_eq!(
        pairs(&request),
        [("name", "ns_etl"), ("limit", "10"), ("offset", "20")]
    );
    assert_eq!(request.body, None);
    assert_conforms(&[request]);
}

#[tokio::test]
async fn get_workflow_and_runs_use_their_paths() {
    let server = answering(200, json!({"metadata": {"id": WORKFLOW}})).await;
    let c = client(&server, true);
    c.get_workflow(WORKFLOW.parse().unwrap()).await.unwrap();
    c.get_run(RUN.parse().unwrap()).await.unwrap();
    c.get_run_status(RUN.parse().unwrap()).await.unwrap();
    let requests = recorded(&server).await;
    let paths: Vec<(&str, &str)> = requests
        .iter()
        .map(|r| (r.method.as_str(), r.path.as_str()))
        .collect();
    assert_eq!(
        paths,
        [
            ("GET", format!("/api/v1/workflows/{WORKFLOW}").as_str()),
            (
                "GET",
                format!("/api/v1/stable/workflow-runs/{RUN}").as_str()
            ),
            (
                "GET",
                format!("/api/v1/stable/workflow-runs/{RUN}/status").as_str()
            ),
        ]
    );
    assert!(requests.iter().all(|r| r.query.is_empty()));
    assert_conforms(&requests);
}

#[tokio::test]
async fn list_runs_sends_every_filter_with_the_apis_names() {
    let server = answering(200, json!({"rows": [], "pagination": {}})).await;
    let query = ListRuns {
        since: "2026-05-19T00:00:00Z".parse().unwrap(),
        until: Some("2026-05-20T00:00:00Z".parse().unwrap()),
        statuses: vec![RunStatus::Failed, RunStatus::Running],
        workflow_ids: vec![WORKFLOW.parse().unwrap()],
        worker_id: Some(RUN.parse().unwrap()),
        parent_task_external_id: Some(RUN.parse().unwrap()),
        triggering_event_external_id: Some(RUN.parse().unwrap()),
        additional_metadata: vec!["customer:acme".into(), "env:prod".into()],
        only_tasks: false,
        include_payloads: false,
        limit: 50,
        offset: 0,
    };
    client(&server, true).list_runs(&query).await.unwrap();
    let request = only_request(&server).await;
    assert_eq!(
        request.path,
        format!("/api/v1/stable/tenants/{TENANT}/workflow-runs")
    );
    assert_eq!(
        pairs(&request),
        [
            ("since", "2026-05-19T00:00:00Z"),
            ("until", "2026-05-20T00:00:00Z"),
            ("statuses", "FAILED"),
            ("statuses", "RUNNING"),
            ("workflow_ids", WORKFLOW),
            ("worker_id", RUN),
            ("parent_task_external_id", RUN),
            ("triggering_event_external_id", RUN),
            ("additional_metadata", "customer:acme"),
            ("additional_metadata", "env:prod"),
            ("only_tasks", "false"),
            ("include_payloads", "false"),
            ("limit", "50"),
            ("offset", "0"),
        ]
    );
    assert_conforms(&[request]);
}

#[tokio::test]
async fn sends_the_bearer_token_and_asks_for_json() {
    let server = answering(200, json!("RUNNING")).await;
    let status = client(&server, true)
        .get_run_status(RUN.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(status, json!("RUNNING"));
    let raw = &server.received_requests().await.unwrap()[0];
    let header = |name: &str| raw.headers.get(name).unwrap().to_str().unwrap().to_owned();
    assert_eq!(
        header("authorization"),
        format!("Bearer {}", token_for(&server.uri()))
    );
    assert_eq!(header("accept"), "application/json");
}

#[tokio::test]
async fn maps_each_error_body_shape() {
    let cases = [
        (
            404,
            json!({"errors": [{"description": "workflow run not found"}]}),
            "Hatchet API 404 not_found: workflow run not found. Check the id and that it belongs to this tenant.",
        ),
        (
            400,
            json!({"message": "invalid since"}),
            "Hatchet API 400 bad_request: invalid since. Check the arguments against the tool's schema.",
        ),
        (
            403,
            Value::Null,
            "Hatchet API 403 forbidden: no details. The token is invalid, expired or lacks access to this tenant",
        ),
    ];
    for (status, body, expected) in cases {
        let server = answering(status, body).await;
        let err = client(&server, true)
            .get_run(RUN.parse().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.kind, ErrorKind::Status(status));
        assert!(err.to_string().starts_with(expected), "{err}");
        assert_eq!(
            recorded(&server).await.len(),
            1,
            "a {status} is never retried"
        );
    }
}

#[tokio::test]
async fn retries_reads_on_503_then_succeeds() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true})))
        .mount(&server)
        .await;
    let value = client(&server, true)
        .get_workflow(WORKFLOW.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(value, json!({"ok": true}));
    assert_eq!(recorded(&server).await.len(), 3);
}

#[tokio::test]
async fn honours_retry_after_as_a_floor() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(429).insert_header("Retry-After", "1"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&server)
        .await;
    let started = Instant::now();
    client(&server, true)
        .get_workflow(WORKFLOW.parse().unwrap())
        .await
        .unwrap();
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "waited {:?}",
        started.elapsed()
    );
    assert_eq!(recorded(&server).await.len(), 2);
}

#[tokio::test]
async fn persistent_503_gives_up_with_the_status() {
    let server = answering(503, json!({"message": "overloaded"})).await;
    let err = client(&server, true)
        .get_workflow(WORKFLOW.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.status(), Some(503));
    assert!(
        err.to_string().contains("gave up after 4 attempts"),
        "{err}"
    );
    assert_eq!(recorded(&server).await.len(), 4);
}

#[tokio::test]
async fn redacts_the_token_when_hatchet_echoes_it() {
    let server = MockServer::start().await;
    let token = token_for(&server.uri());
    let signature = token.rsplit('.').next().unwrap().to_owned();
    let echo =
        json!({"errors": [{"description": format!("bad token Bearer {token} (sig {signature})")}]});
    Mock::given(any())
        .respond_with(ResponseTemplate::new(401).set_body_json(echo))
        .mount(&server)
        .await;
    let err = client(&server, true)
        .get_run(RUN.parse().unwrap())
        .await
        .unwrap_err()
        .to_string();
    assert!(!err.contains(&token) && !err.contains(&signature), "{err}");
    assert!(err.contains("[REDACTED]"), "{err}");
}

#[tokio::test]
async fn does_not_follow_redirects() {
    let elsewhere = answering(200, json!({})).await;
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(302)
                .insert_header("Location", format!("{}/stolen", elsewhere.uri())),
        )
        .mount(&server)
        .await;
    let err = client(&server, true)
        .get_run(RUN.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Redirect(302));
    assert!(err.to_string().contains("not followed"), "{err}");
    assert!(
        recorded(&elsewhere).await.is_empty(),
        "the token must not reach another host"
    );
}

#[tokio::test]
async fn refuses_bodies_over_the_size_cap() {
    let server = MockServer::start().await;
    let big = "x".repeat(2 * 1024 * 1024);
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(big))
        .mount(&server)
        .await;
    let err = client(&server, true)
        .get_run(RUN.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge);
}

#[tokio::test]
async fn non_json_success_is_a_clear_error() {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string("<html>proxy</html>"))
        .mount(&server)
        .await;
    let err = client(&server, true)
        .get_run(RUN.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::InvalidBody);
    assert!(
        err.to_string().contains("not JSON") && err.to_string().contains("<html>proxy"),
        "{err}"
    );
}

#[tokio::test]
async fn an_unreachable_server_names_the_url() {
    // Bind then drop a listener so the port is closed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = client_at(&format!("http://127.0.0.1:{port}"), true);
    let err = c.get_run(RUN.parse().unwrap()).await.unwrap_err();
    assert_eq!(err.kind, ErrorKind::Transport);
    assert!(
        err.to_string().starts_with(&format!(
            "Could not reach Hatchet at http://127.0.0.1:{port}/"
        )),
        "{err}"
    );
}
