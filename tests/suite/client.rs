//! The Hatchet client against a fake Hatchet on loopback: the exact requests each endpoint
//! sends (checked against the OpenAPI contract too), and how each kind of failure maps.

use std::time::{Duration, Instant};

use crate::support::{
    contract::assert_conforms,
    fake::{RUN, TENANT, WORKFLOW, client, client_at, only_request, pairs, recorded, token_for},
};
use hatchet_mcp::hatchet::{
    ErrorKind,
    runs::{ListRuns, RunStatus},
    workflows::ListWorkflows,
};
use serde_json::{Value, json};
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
    async fn request_of<F, Fut>(call: F) -> crate::support::contract::RecordedRequest
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

mod mutation_endpoints {
    //! The exact method, path and body of every mutation, checked against the contract.

    use hatchet_mcp::hatchet::{
        events::PushEvent,
        filters::{CreateFilter, UpdateFilter},
        runs::{BulkAction, RunIdFilter, RunStatus, TriggerRun},
        schedules::{CreateCron, CreateScheduled},
        workflows::{PauseWorkflow, PausedRunBehavior},
    };
    use serde_json::{Map, json};

    use super::*;

    fn object(value: Value) -> Map<String, Value> {
        value.as_object().unwrap().clone()
    }

    /// Runs `call` with a read-write client against a fake answering `answer`.
    async fn request_of<F, Fut>(answer: Value, call: F) -> crate::support::contract::RecordedRequest
    where
        F: FnOnce(hatchet_mcp::hatchet::Client) -> Fut,
        Fut: std::future::Future<Output = Result<Value, hatchet_mcp::hatchet::ApiError>>,
    {
        let server = answering(200, answer).await;
        call(client(&server, false)).await.unwrap();
        let request = only_request(&server).await;
        assert_conforms(std::slice::from_ref(&request));
        request
    }

    #[tokio::test]
    async fn trigger_and_bulk_actions() {
        let trigger = TriggerRun {
            workflow_name: "ns_etl".into(),
            input: object(json!({"date": "2026-05-19"})),
            additional_metadata: Some(object(json!({"source": "agent"}))),
            priority: Some(3),
        };
        let r = request_of(json!({}), |c| async move { c.trigger_run(&trigger).await }).await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "POST",
                format!("/api/v1/stable/tenants/{TENANT}/workflow-runs/trigger").as_str()
            )
        );
        assert_eq!(
            r.body,
            Some(
                json!({"workflowName": "ns_etl", "input": {"date": "2026-05-19"}, "additionalMetadata": {"source": "agent"}, "priority": 3})
            )
        );

        let ids = [RUN.parse().unwrap(), WORKFLOW.parse().unwrap()];
        for (action, segment) in [
            (BulkAction::Cancel, "cancel"),
            (BulkAction::Replay, "replay"),
        ] {
            let r = request_of(json!({"ids": [RUN]}), |c| async move {
                c.bulk_action(action, &ids).await
            })
            .await;
            assert_eq!(
                r.path,
                format!("/api/v1/stable/tenants/{TENANT}/tasks/{segment}")
            );
            assert_eq!(r.body, Some(json!({"externalIds": [RUN, WORKFLOW]})));
        }

        let filter = RunIdFilter {
            since: "2026-05-19T00:00:00Z".parse().unwrap(),
            until: None,
            statuses: vec![RunStatus::Failed],
            workflow_ids: vec![WORKFLOW.parse().unwrap()],
            additional_metadata: vec!["env:prod".into()],
        };
        let server = answering(200, json!([RUN])).await;
        let found = client(&server, false).list_run_ids(&filter).await.unwrap();
        assert_eq!(found, vec![RUN.parse::<uuid::Uuid>().unwrap()]);
        let r = only_request(&server).await;
        assert_eq!(
            r.path,
            format!("/api/v1/stable/tenants/{TENANT}/workflow-runs/external-ids")
        );
        assert_eq!(
            pairs(&r),
            [
                ("since", "2026-05-19T00:00:00Z"),
                ("statuses", "FAILED"),
                ("workflow_ids", WORKFLOW),
                ("additional_metadata", "env:prod")
            ]
        );
        assert_conforms(&[r]);
    }

    #[tokio::test]
    async fn tasks_events_workers() {
        let r = request_of(json!({"requeued": true}), |c| async move {
            c.restore_task(RUN.parse().unwrap()).await
        })
        .await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.body.clone()),
            (
                "POST",
                format!("/api/v1/stable/tasks/{RUN}/restore").as_str(),
                None
            )
        );

        let event = PushEvent {
            key: "ns_order.created".into(),
            data: object(json!({"id": 1})),
            additional_metadata: None,
            priority: Some(2),
            scope: Some("tenant-a".into()),
        };
        let r = request_of(json!({}), |c| async move { c.push_event(&event).await }).await;
        assert_eq!(r.path, format!("/api/v1/tenants/{TENANT}/events"));
        assert_eq!(
            r.body,
            Some(
                json!({"key": "ns_order.created", "data": {"id": 1}, "priority": 2, "scope": "tenant-a"})
            )
        );

        for paused in [true, false] {
            let r = request_of(json!({}), |c| async move {
                c.set_worker_paused(RUN.parse().unwrap(), paused).await
            })
            .await;
            assert_eq!(
                (r.method.as_str(), r.path.as_str()),
                ("PATCH", format!("/api/v1/workers/{RUN}").as_str())
            );
            assert_eq!(r.body, Some(json!({"isPaused": paused})));
        }
    }

    #[tokio::test]
    async fn pause_sends_both_engine_generations_their_field() {
        let pause = PauseWorkflow {
            cron_runs: PausedRunBehavior::Drop,
            scheduled_runs: PausedRunBehavior::Queue,
            queue_ttl: "168h".into(),
        };
        let r = request_of(json!({"isPaused": true}), |c| async move {
            c.pause_workflow(WORKFLOW.parse().unwrap(), &pause).await
        })
        .await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            ("PATCH", format!("/api/v1/workflows/{WORKFLOW}").as_str())
        );
        assert_eq!(
            r.body,
            Some(json!({
                "pause": {"action": "pause", "pausedWorkflowCronRunQueueBehavior": "DROP", "pausedWorkflowScheduledRunQueueBehavior": "QUEUE", "pausedWorkflowQueueTTL": "168h"},
                "isPaused": true
            }))
        );
        let r = request_of(json!({"isPaused": false}), |c| async move {
            c.resume_workflow(WORKFLOW.parse().unwrap()).await
        })
        .await;
        assert_eq!(
            r.body,
            Some(json!({"pause": {"action": "unpause"}, "isPaused": false}))
        );
    }

    #[tokio::test]
    async fn crons_and_schedules_take_the_workflow_name_in_the_path() {
        let cron = CreateCron {
            cron_name: "nightly".into(),
            expression: "0 3 * * *".into(),
            input: Map::new(),
            additional_metadata: Map::new(),
            priority: None,
        };
        let r = request_of(json!({}), |c| async move {
            c.create_cron("ns_etl job", &cron).await
        })
        .await;
        assert_eq!(
            r.path,
            format!("/api/v1/tenants/{TENANT}/workflows/ns_etl%20job/crons")
        );
        assert_eq!(
            r.body,
            Some(
                json!({"cronName": "nightly", "cronExpression": "0 3 * * *", "input": {}, "additionalMetadata": {}})
            )
        );

        let server = answering(204, Value::Null).await;
        let answer = client(&server, false)
            .delete_cron(RUN.parse().unwrap())
            .await
            .unwrap();
        assert_eq!(answer, Value::Null, "204 has no body");
        let r = only_request(&server).await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "DELETE",
                format!("/api/v1/tenants/{TENANT}/workflows/crons/{RUN}").as_str()
            )
        );

        let run = CreateScheduled {
            trigger_at: "2030-01-01T00:00:00Z".parse().unwrap(),
            input: object(json!({"a": 1})),
            additional_metadata: Map::new(),
            priority: Some(1),
        };
        let r = request_of(json!({}), |c| async move {
            c.create_scheduled("etl", &run).await
        })
        .await;
        assert_eq!(
            r.path,
            format!("/api/v1/tenants/{TENANT}/workflows/etl/scheduled")
        );
        assert_eq!(
            r.body,
            Some(
                json!({"triggerAt": "2030-01-01T00:00:00Z", "input": {"a": 1}, "additionalMetadata": {}, "priority": 1})
            )
        );

        let when = "2030-01-02T00:00:00Z".parse().unwrap();
        let r = request_of(json!({}), |c| async move {
            c.reschedule(RUN.parse().unwrap(), when).await
        })
        .await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "PATCH",
                format!("/api/v1/tenants/{TENANT}/workflows/scheduled/{RUN}").as_str()
            )
        );
        assert_eq!(r.body, Some(json!({"triggerAt": "2030-01-02T00:00:00Z"})));

        let server = answering(204, Value::Null).await;
        client(&server, false)
            .delete_scheduled(RUN.parse().unwrap())
            .await
            .unwrap();
        let r = only_request(&server).await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "DELETE",
                format!("/api/v1/tenants/{TENANT}/workflows/scheduled/{RUN}").as_str()
            )
        );
        assert_conforms(&[r]);
    }

    #[tokio::test]
    async fn filters_send_only_the_fields_given() {
        let create = CreateFilter {
            workflow_id: WORKFLOW.parse().unwrap(),
            expression: "input.x > 1".into(),
            scope: "s".into(),
            payload: None,
        };
        let r = request_of(json!({}), |c| async move { c.create_filter(&create).await }).await;
        assert_eq!(
            r.body,
            Some(json!({"workflowId": WORKFLOW, "expression": "input.x > 1", "scope": "s"}))
        );
        let update = UpdateFilter {
            scope: Some("t".into()),
            ..UpdateFilter::default()
        };
        let r = request_of(json!({}), |c| async move {
            c.update_filter(RUN.parse().unwrap(), &update).await
        })
        .await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "PATCH",
                format!("/api/v1/stable/tenants/{TENANT}/filters/{RUN}").as_str()
            )
        );
        assert_eq!(r.body, Some(json!({"scope": "t"})));
        let r = request_of(json!({}), |c| async move {
            c.delete_filter(RUN.parse().unwrap()).await
        })
        .await;
        assert_eq!(
            (r.method.as_str(), r.path.as_str()),
            (
                "DELETE",
                format!("/api/v1/stable/tenants/{TENANT}/filters/{RUN}").as_str()
            )
        );
    }

    #[tokio::test]
    async fn a_mutation_is_sent_once_even_on_503() {
        let server = answering(503, json!({"message": "busy"})).await;
        let err = client(&server, false)
            .restore_task(RUN.parse().unwrap())
            .await
            .unwrap_err();
        assert_eq!(err.status(), Some(503));
        assert!(
            !err.outcome_unknown,
            "Hatchet answered, so the outcome is known"
        );
        assert_eq!(
            recorded(&server).await.len(),
            1,
            "mutations are never retried"
        );
    }

    #[tokio::test]
    async fn a_mutation_whose_connection_breaks_after_sending_has_an_unknown_outcome() {
        // A loopback server that reads the request, then hangs up without answering.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = tokio::spawn(async move {
            let mut connections = 0;
            while let Ok(Ok((mut socket, _))) =
                tokio::time::timeout(Duration::from_millis(800), listener.accept()).await
            {
                connections += 1;
                let mut buffer = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
                drop(socket);
            }
            connections
        });
        let err = client_at(&url, false)
            .restore_task(RUN.parse().unwrap())
            .await
            .unwrap_err();
        assert!(err.outcome_unknown, "{err}");
        assert!(
            err.to_string()
                .contains("outcome is unknown; it was not retried"),
            "{err}"
        );
        assert_eq!(accepted.await.unwrap(), 1, "sent once, never retried");

        // A read on the same broken server is retried (and still fails, with a known outcome).
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let accepted = tokio::spawn(async move {
            let mut connections = 0;
            while let Ok(Ok((mut socket, _))) =
                tokio::time::timeout(Duration::from_millis(800), listener.accept()).await
            {
                connections += 1;
                let mut buffer = [0u8; 4096];
                let _ = tokio::io::AsyncReadExt::read(&mut socket, &mut buffer).await;
            }
            connections
        });
        let err = client_at(&url, false)
            .get_task(RUN.parse().unwrap(), None)
            .await
            .unwrap_err();
        assert!(!err.outcome_unknown);
        assert_eq!(accepted.await.unwrap(), 4, "a read is tried 1 + 3 times");
    }
}

#[tokio::test]
async fn many_small_chunks_are_charged_what_they_weigh() {
    // 150,000 one-byte chunks: 150 KB of answer. Charged a KiB per chunk, this was "over
    // 64 MiB" and refused; charged in bytes it is a small answer.
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let (mut socket, _) = listener.accept().await.unwrap();
        socket.set_nodelay(true).unwrap();
        let mut request = [0u8; 4096];
        let _ = socket.read(&mut request).await;
        let mut body = String::from("[");
        body.push_str(&"1,".repeat(74_999));
        body.push_str("1]");
        let mut answer = String::from(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n",
        );
        for byte in body.chars() {
            answer.push_str(&format!("1\r\n{byte}\r\n"));
        }
        answer.push_str("0\r\n\r\n");
        socket.write_all(answer.as_bytes()).await.unwrap();
        let _ = socket.shutdown().await;
    });
    // Parsing 150,000 chunks in a debug build can take seconds on a loaded machine: the
    // deadline is not what this test is about.
    let value = crate::support::fake::client_with_deadline(&url, true, Duration::from_secs(120))
        .get_run(RUN.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(value.as_array().map(Vec::len), Some(75_000));
}

#[tokio::test]
async fn an_answer_of_too_many_tiny_values_is_refused_before_it_is_parsed() {
    // 510,000 values in 1 MB would take tens of MB once parsed.
    let body = format!("[{}1]", "1,".repeat(509_999));
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(ResponseTemplate::new(200).set_body_string(body))
        .mount(&server)
        .await;
    let err = client_at(&server.uri(), true)
        .get_run(RUN.parse().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooLarge);
    assert!(err.to_string().contains("JSON values"), "{err}");
}
