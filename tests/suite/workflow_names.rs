//! Workflow filters take names: `list_runs` with `workflow_ids: ["send-email"]` works without
//! a `list_workflows` call first; names are looked up once a minute, with the namespace
//! applied; an unknown name names the close ones.

use crate::support::{
    contract::assert_server_conforms,
    fake::{TENANT, WORKFLOW, mount_no_runs, mount_trigger, mount_workflows, pairs, recorded},
    session::{call, start, text},
};
use serde_json::{Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{any, method, path},
};

const OTHER_WORKFLOW: &str = "3f2c1e0d-1111-4a2b-9c3d-5e6f7a8b9c0d";

async fn hatchet_with_workflows() -> MockServer {
    let hatchet = MockServer::start().await;
    mount_workflows(
        &hatchet,
        &[
            (WORKFLOW, "staging_send-email"),
            (OTHER_WORKFLOW, "staging_send-sms"),
        ],
    )
    .await;
    mount_no_runs(&hatchet).await;
    hatchet
}

#[tokio::test]
async fn a_workflow_name_in_a_filter_is_resolved_once_and_sent_as_its_id() {
    let hatchet = hatchet_with_workflows().await;
    let session = start(&hatchet, &[("HATCHET_CLIENT_NAMESPACE", "staging")]).await;
    for workflows in [json!(["send-email"]), json!(["SEND-EMAIL", OTHER_WORKFLOW])] {
        let result = call(&session, "list_runs", json!({"workflow_ids": workflows})).await;
        assert_eq!(result.is_error, Some(false), "{}", text(&result));
    }
    let requests = recorded(&hatchet).await;
    let listings = requests
        .iter()
        .filter(|r| r.path.ends_with("/workflows"))
        .count();
    assert_eq!(listings, 1, "the listing is kept for a minute");
    let runs: Vec<_> = requests
        .iter()
        .filter(|r| r.path.ends_with("/workflow-runs"))
        .collect();
    let sent_ids = |index: usize| -> Vec<String> {
        pairs(runs[index])
            .into_iter()
            .filter(|(k, _)| *k == "workflow_ids")
            .map(|(_, v)| v.to_owned())
            .collect()
    };
    assert_eq!(sent_ids(0), [WORKFLOW]);
    assert_eq!(sent_ids(1), [WORKFLOW, OTHER_WORKFLOW]);
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn an_unknown_name_is_an_argument_error_with_close_matches_and_lists_nothing_else() {
    let hatchet = hatchet_with_workflows().await;
    let session = start(&hatchet, &[]).await;
    let result = call(
        &session,
        "list_runs",
        json!({"workflow_ids": ["send-emial"]}),
    )
    .await;
    assert_eq!(result.is_error, Some(true));
    assert_eq!(
        text(&result),
        "Invalid argument `workflow_ids`: no workflow is named \"send-emial\"; close matches: `staging_send-email`, `staging_send-sms`."
    );
    let requests = recorded(&hatchet).await;
    assert!(
        requests.iter().all(|r| r.path.ends_with("/workflows")),
        "no run query was sent: {requests:?}"
    );
    let answer: Value = json!(requests.len());
    assert_eq!(answer, 1);
    session.cancel().await.unwrap();
}

const BARE_ETL: &str = "11111111-1111-4111-8111-111111111111";
const STAGING_ETL: &str = "22222222-2222-4222-8222-222222222222";

/// A fake that lists `workflows` (in that order) and answers every tool that takes a
/// workflow name: run and run-id lists, triggers, crons and scheduled runs.
async fn hatchet_listing(workflows: &[(&str, &str)]) -> MockServer {
    let hatchet = MockServer::start().await;
    mount_workflows(&hatchet, workflows).await;
    mount_trigger(&hatchet, crate::support::fake::RUN).await;
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/workflow-runs/external-ids"
        )))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!([])))
        .mount(&hatchet)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"rows": [], "pagination": {}, "metadata": {"id": WORKFLOW}})),
        )
        .with_priority(10)
        .mount(&hatchet)
        .await;
    hatchet
}

const NAMESPACED_READ_WRITE: [(&str, &str); 2] = [
    ("HATCHET_CLIENT_NAMESPACE", "staging"),
    ("HATCHET_MCP_READ_ONLY", "false"),
];

/// Calls every kind of tool that takes a workflow name with `name`; each must succeed.
async fn call_each_tool_naming(session: &crate::support::session::Session, name: &str) {
    let calls = [
        ("list_runs", json!({"workflow_ids": [name]})),
        (
            "cancel_runs",
            json!({"workflow_ids": [name], "since": "1h"}),
        ),
        ("trigger_workflow", json!({"workflow_name": name})),
        (
            "create_cron",
            json!({"workflow_name": name, "cron_name": "nightly", "expression": "@daily"}),
        ),
        (
            "create_scheduled",
            json!({"workflow_name": name, "trigger_at": "+5m"}),
        ),
        ("list_crons", json!({"workflow_name": name})),
    ];
    for (tool, arguments) in calls {
        let result = call(session, tool, arguments).await;
        assert_eq!(result.is_error, Some(false), "{tool}: {}", text(&result));
    }
}

/// What each call of [`call_each_tool_naming`] sent for the workflow: the ids of the two
/// filters, the trigger's name, the cron and scheduled paths, and the cron filter's name.
async fn sent_for_the_workflow(hatchet: &MockServer) -> Vec<String> {
    let requests = recorded(hatchet).await;
    let query = |suffix: &str, key: &str| -> Vec<String> {
        let request = requests
            .iter()
            .find(|r| r.method == "GET" && r.path.ends_with(suffix))
            .unwrap_or_else(|| panic!("no GET …{suffix} in {requests:#?}"));
        pairs(request)
            .into_iter()
            .filter(|(k, _)| *k == key)
            .map(|(_, v)| v.to_owned())
            .collect()
    };
    let post = |suffix: &str| {
        requests
            .iter()
            .find(|r| r.method == "POST" && r.path.ends_with(suffix))
            .unwrap_or_else(|| panic!("no POST …{suffix} in {requests:#?}"))
    };
    let mut sent = query("/workflow-runs", "workflow_ids");
    sent.extend(query("/workflow-runs/external-ids", "workflow_ids"));
    sent.push(
        post("/workflow-runs/trigger").body.as_ref().unwrap()["workflowName"]
            .as_str()
            .unwrap()
            .to_owned(),
    );
    sent.push(post("/crons").path.clone());
    sent.push(post("/scheduled").path.clone());
    sent.extend(query("/workflows/crons", "workflowName"));
    sent
}

fn expected(id: &str, name: &str) -> Vec<String> {
    let workflows = format!("/api/v1/tenants/{TENANT}/workflows");
    vec![
        id.to_owned(),
        id.to_owned(),
        name.to_owned(),
        format!("{workflows}/{name}/crons"),
        format!("{workflows}/{name}/scheduled"),
        name.to_owned(),
    ]
}

#[tokio::test]
async fn every_tool_resolves_a_name_to_the_namespaced_workflow_whatever_the_listing_order() {
    let both = [(BARE_ETL, "etl"), (STAGING_ETL, "staging_etl")];
    let reversed = [(STAGING_ETL, "staging_etl"), (BARE_ETL, "etl")];
    for listing in [both, reversed] {
        let hatchet = hatchet_listing(&listing).await;
        let session = start(&hatchet, &NAMESPACED_READ_WRITE).await;
        call_each_tool_naming(&session, "etl").await;
        assert_eq!(
            sent_for_the_workflow(&hatchet).await,
            expected(STAGING_ETL, "staging_etl"),
            "listed as {listing:?}"
        );
        assert_server_conforms(&hatchet).await;
        session.cancel().await.unwrap();
    }
    // Without a namespaced workflow of that name, the name as given is the one.
    let hatchet = hatchet_listing(&[(BARE_ETL, "etl")]).await;
    let session = start(&hatchet, &NAMESPACED_READ_WRITE).await;
    call_each_tool_naming(&session, "etl").await;
    assert_eq!(
        sent_for_the_workflow(&hatchet).await,
        expected(BARE_ETL, "etl")
    );
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn a_spelling_in_another_case_resolves_when_one_workflow_matches_and_is_refused_when_several_do()
 {
    let hatchet = hatchet_listing(&[(BARE_ETL, "Send-Email"), (OTHER_WORKFLOW, "billing")]).await;
    let session = start(&hatchet, &[("HATCHET_MCP_READ_ONLY", "false")]).await;
    call_each_tool_naming(&session, "send-EMAIL").await;
    assert_eq!(
        sent_for_the_workflow(&hatchet).await,
        expected(BARE_ETL, "Send-Email")
    );
    session.cancel().await.unwrap();

    let one = (BARE_ETL, "Send-Email");
    let other = (STAGING_ETL, "send-EMAIL");
    for listing in [[one, other], [other, one]] {
        let hatchet = hatchet_listing(&listing).await;
        let session = start(&hatchet, &[("HATCHET_MCP_READ_ONLY", "false")]).await;
        for (tool, arguments) in [
            ("list_runs", json!({"workflow_ids": ["send-email"]})),
            ("trigger_workflow", json!({"workflow_name": "send-email"})),
            ("list_crons", json!({"workflow_name": "SEND-email"})),
        ] {
            let result = call(&session, tool, arguments).await;
            assert_eq!(result.is_error, Some(true), "{tool}: {}", text(&result));
            let message = text(&result);
            assert!(
                message.starts_with("Invalid argument `workflow_")
                    && message.contains("2 workflows")
                    && message.contains("`Send-Email`, `send-EMAIL`"),
                "{tool}, listed as {listing:?}: {message}"
            );
        }
        let requests = recorded(&hatchet).await;
        assert!(
            requests.iter().all(|r| r.path.ends_with("/workflows")),
            "only the listing was sent: {requests:#?}"
        );
        session.cancel().await.unwrap();
    }
}

#[tokio::test]
async fn a_name_beyond_what_one_listing_reads_is_found_with_the_name_search() {
    let hatchet = MockServer::start().await;
    let full_page: Vec<Value> = (0..200)
        .map(|i| json!({"metadata": {"id": format!("00000000-0000-4000-8000-{i:012}")}, "name": format!("bulk-{i:03}")}))
        .collect();
    let listing = format!("/api/v1/tenants/{TENANT}/workflows");
    Mock::given(method("GET"))
        .and(path(listing.clone()))
        .and(wiremock::matchers::query_param("name", "rare-one"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"rows": [{"metadata": {"id": OTHER_WORKFLOW}, "name": "rare-one"}]}),
        ))
        .with_priority(1)
        .mount(&hatchet)
        .await;
    Mock::given(method("GET"))
        .and(path(listing.clone()))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"rows": full_page})))
        .with_priority(5)
        .mount(&hatchet)
        .await;
    mount_trigger(&hatchet, crate::support::fake::RUN).await;
    let session = start(&hatchet, &[("HATCHET_MCP_READ_ONLY", "false")]).await;
    let result = call(
        &session,
        "trigger_workflow",
        json!({"workflow_name": "rare-one"}),
    )
    .await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    let requests = recorded(&hatchet).await;
    let pages = requests.iter().filter(|r| r.path == listing).count();
    assert_eq!(pages, 11, "ten pages, then the name search");
    let trigger = requests.iter().find(|r| r.method == "POST").unwrap();
    assert_eq!(trigger.body.as_ref().unwrap()["workflowName"], "rare-one");
    let unknown = call(
        &session,
        "trigger_workflow",
        json!({"workflow_name": "nowhere"}),
    )
    .await;
    assert_eq!(unknown.is_error, Some(true));
    assert!(
        text(&unknown).contains("no workflow is named"),
        "{}",
        text(&unknown)
    );
    assert_server_conforms(&hatchet).await;
    session.cancel().await.unwrap();
}
