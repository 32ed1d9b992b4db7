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

mod read_endpoints {
    //! One test per endpoint family: the exact method, path and query the client sends.

    use hatchet_mcp::hatchet::{
        SortDirection,
        events::ListEvents,
        filters::CelDebug,
        rate_limits::{ListRateLimits, LowerSortDirection, RateLimitOrderField},
        runs::RunStatus,
        schedules::{
            CronOrderField, ListCrons, ListScheduled, ScheduledOrderField, ScheduledRunStatus,
        },
        tasks::{LogLevel, TaskLogs},
        workers::WorkerStatus,
    };
    use serde_json::json;

    use super::*;

    const EVENT: &str = "0d4c6b9a-1e2f-4a3b-9c8d-7e6f5a4b3c2d";

    /// Runs `call` against a fake answering `{}` and returns the one request it made.
    async fn request_of<F, Fut>(call: F) -> support::contract::RecordedRequest
    where
        F: FnOnce(hatchet_mcp::hatchet::Client) -> Fut,
        Fut: std::future::Future<Output = Result<Value, hatchet_mcp::hatchet::ApiError>>,
    {
        let server = answering(200, json!({})).await;
        call(client(&server, true)).await.unwrap();
        let request = only_request(&server).await;
        assert_conforms(std::slice::from_ref(&request));
        request
    }

    #[tokio::test]
    async fn tasks() {
        let r =
            request_of(|c| async move { c.get_task(RUN.parse().unwrap(), Some(2)).await }).await;
        assert_eq!(
            (r.path.as_str(), pairs(&r)),
            (
                format!("/api/v1/stable/tasks/{RUN}").as_str(),
                vec![("attempt", "2")]
            )
        );

        let query = TaskLogs {
            limit: 1000,
            since: Some("2026-05-19T00:00:00Z".parse().unwrap()),
            until: None,
            search: Some("timeout".into()),
            levels: vec![LogLevel::Error, LogLevel::Warn],
            order: Some(SortDirection::Desc),
            attempt: Some(1),
        };
        let r = request_of(|c| async move { c.get_task_logs(RUN.parse().unwrap(), &query).await })
            .await;
        assert_eq!(r.path, format!("/api/v1/stable/tasks/{RUN}/logs"));
        assert_eq!(
            pairs(&r),
            [
                ("limit", "1000"),
                ("since", "2026-05-19T00:00:00Z"),
                ("search", "timeout"),
                ("levels", "ERROR"),
                ("levels", "WARN"),
                ("order_by_direction", "DESC"),
                ("attempt", "1"),
            ]
        );

        let r =
            request_of(|c| async move { c.list_task_events(RUN.parse().unwrap(), 5, 10).await })
                .await;
        assert_eq!(r.path, format!("/api/v1/stable/tasks/{RUN}/task-events"));
        assert_eq!(pairs(&r), [("limit", "5"), ("offset", "10")]);
    }

    #[tokio::test]
    async fn workers() {
        let r = request_of(|c| async move {
            c.list_workers(&[WorkerStatus::Active, WorkerStatus::Paused], 50, 0)
                .await
        })
        .await;
        assert_eq!(r.path, format!("/api/v1/tenants/{TENANT}/worker"));
        assert_eq!(
            pairs(&r),
            [
                ("statuses", "ACTIVE"),
                ("statuses", "PAUSED"),
                ("limit", "50"),
                ("offset", "0")
            ]
        );
        let r = request_of(|c| async move { c.get_worker(RUN.parse().unwrap()).await }).await;
        assert_eq!(r.path, format!("/api/v1/workers/{RUN}"));
    }

    #[tokio::test]
    async fn events_use_camel_case_names() {
        let query = ListEvents {
            keys: vec!["order.created".into()],
            since: Some("2026-05-19T00:00:00Z".parse().unwrap()),
            until: Some("2026-05-20T00:00:00Z".parse().unwrap()),
            workflow_ids: vec![WORKFLOW.parse().unwrap()],
            run_statuses: vec![RunStatus::Failed],
            event_ids: vec![EVENT.parse().unwrap()],
            scopes: vec!["tenant-a".into()],
            additional_metadata: vec!["env:prod".into()],
            limit: 20,
            offset: 40,
        };
        let r = request_of(|c| async move { c.list_events(&query).await }).await;
        assert_eq!(r.path, format!("/api/v1/stable/tenants/{TENANT}/events"));
        assert_eq!(
            pairs(&r),
            [
                ("keys", "order.created"),
                ("since", "2026-05-19T00:00:00Z"),
                ("until", "2026-05-20T00:00:00Z"),
                ("workflowIds", WORKFLOW),
                ("workflowRunStatuses", "FAILED"),
                ("eventIds", EVENT),
                ("scopes", "tenant-a"),
                ("additionalMetadata", "env:prod"),
                ("limit", "20"),
                ("offset", "40"),
            ]
        );
        let r = request_of(|c| async move { c.get_event(EVENT.parse().unwrap()).await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/stable/tenants/{TENANT}/events/{EVENT}")
        );
        let r = request_of(|c| async move { c.list_event_keys().await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/stable/tenants/{TENANT}/events/keys")
        );
    }

    #[tokio::test]
    async fn crons_and_scheduled_runs_sort_in_upper_case() {
        let query = ListCrons {
            workflow_id: Some(WORKFLOW.parse().unwrap()),
            workflow_name: Some("etl".into()),
            cron_name: Some("nightly".into()),
            additional_metadata: vec!["team:data".into()],
            order_by_field: Some(CronOrderField::CreatedAt),
            order_by_direction: Some(SortDirection::Asc),
            limit: 50,
            offset: 0,
        };
        let r = request_of(|c| async move { c.list_crons(&query).await }).await;
        assert_eq!(r.path, format!("/api/v1/tenants/{TENANT}/workflows/crons"));
        assert_eq!(
            pairs(&r),
            [
                ("workflowId", WORKFLOW),
                ("workflowName", "etl"),
                ("cronName", "nightly"),
                ("additionalMetadata", "team:data"),
                ("orderByField", "createdAt"),
                ("orderByDirection", "ASC"),
                ("limit", "50"),
                ("offset", "0"),
            ]
        );
        let r = request_of(|c| async move { c.get_cron(EVENT.parse().unwrap()).await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/tenants/{TENANT}/workflows/crons/{EVENT}")
        );

        let query = ListScheduled {
            workflow_id: Some(WORKFLOW.parse().unwrap()),
            parent_workflow_run_id: Some(RUN.parse().unwrap()),
            statuses: vec![ScheduledRunStatus::Scheduled],
            additional_metadata: vec![],
            order_by_field: Some(ScheduledOrderField::TriggerAt),
            order_by_direction: Some(SortDirection::Desc),
            limit: 10,
            offset: 0,
        };
        let r = request_of(|c| async move { c.list_scheduled(&query).await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/tenants/{TENANT}/workflows/scheduled")
        );
        assert_eq!(
            pairs(&r),
            [
                ("workflowId", WORKFLOW),
                ("parentWorkflowRunId", RUN),
                ("statuses", "SCHEDULED"),
                ("orderByField", "triggerAt"),
                ("orderByDirection", "DESC"),
                ("limit", "10"),
                ("offset", "0"),
            ]
        );
    }

    #[tokio::test]
    async fn rate_limits_sort_in_lower_case() {
        let query = ListRateLimits {
            search: Some("api".into()),
            order_by_field: Some(RateLimitOrderField::LimitValue),
            order_by_direction: Some(LowerSortDirection::Desc),
            limit: 50,
            offset: 0,
        };
        let r = request_of(|c| async move { c.list_rate_limits(&query).await }).await;
        assert_eq!(r.path, format!("/api/v1/tenants/{TENANT}/rate-limits"));
        assert_eq!(
            pairs(&r),
            [
                ("search", "api"),
                ("orderByField", "limitValue"),
                ("orderByDirection", "desc"),
                ("limit", "50"),
                ("offset", "0")
            ]
        );
    }

    #[tokio::test]
    async fn filters_and_the_cel_debugger() {
        let ids = [WORKFLOW.parse().unwrap()];
        let r =
            request_of(|c| async move { c.list_filters(&ids, &["s1".into()], 50, 0).await }).await;
        assert_eq!(r.path, format!("/api/v1/stable/tenants/{TENANT}/filters"));
        assert_eq!(
            pairs(&r),
            [
                ("workflowIds", WORKFLOW),
                ("scopes", "s1"),
                ("limit", "50"),
                ("offset", "0")
            ]
        );
        let r = request_of(|c| async move { c.get_filter(EVENT.parse().unwrap()).await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/stable/tenants/{TENANT}/filters/{EVENT}")
        );

        let body = CelDebug {
            expression: "input.amount > 100".into(),
            input: json!({"amount": 150}).as_object().unwrap().clone(),
            additional_metadata: Some(json!({"env": "prod"}).as_object().unwrap().clone()),
            filter_payload: None,
        };
        // A POST, but a read: allowed in read-only mode.
        let r = request_of(|c| async move { c.cel_debug(&body).await }).await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "POST",
                format!("/api/v1/stable/tenants/{TENANT}/cel/debug").as_str()
            )
        );
        assert_eq!(
            r.body,
            Some(
                json!({"expression": "input.amount > 100", "input": {"amount": 150}, "additionalMetadata": {"env": "prod"}})
            )
        );
    }

    #[tokio::test]
    async fn metrics_timings_and_traces() {
        let r = request_of(|c| async move { c.get_queue_metrics().await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/tenants/{TENANT}/step-run-queue-metrics")
        );
        let ids = [WORKFLOW.parse().unwrap()];
        let since = "2026-05-19T00:00:00Z".parse().unwrap();
        let r = request_of(|c| async move { c.get_task_metrics(since, None, &ids).await }).await;
        assert_eq!(
            r.path,
            format!("/api/v1/stable/tenants/{TENANT}/task-metrics")
        );
        assert_eq!(
            pairs(&r),
            [
                ("since", "2026-05-19T00:00:00Z"),
                ("workflow_ids", WORKFLOW)
            ]
        );
        let r =
            request_of(|c| async move { c.get_run_timings(RUN.parse().unwrap(), Some(2)).await })
                .await;
        assert_eq!(
            (r.path.as_str(), pairs(&r)),
            (
                format!("/api/v1/stable/workflow-runs/{RUN}/task-timings").as_str(),
                vec![("depth", "2")]
            )
        );
        let r =
            request_of(|c| async move { c.get_trace(RUN.parse().unwrap(), 100, 0).await }).await;
        assert_eq!(r.path, format!("/api/v1/stable/tenants/{TENANT}/traces"));
        assert_eq!(
            pairs(&r),
            [("run_external_id", RUN), ("limit", "100"), ("offset", "0")]
        );
    }
}
