//! Workflow filters take names: `list_runs` with `workflow_ids: ["send-email"]` works without
//! a `list_workflows` call first; names are looked up once a minute, with the namespace
//! applied; an unknown name names the close ones.

mod support;

use serde_json::{Value, json};
use support::{
    contract::assert_server_conforms,
    fake::{TENANT, WORKFLOW, mount_workflows, pairs, recorded},
    session::{call, start, text},
};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
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
    Mock::given(method("GET"))
        .and(path(format!(
            "/api/v1/stable/tenants/{TENANT}/workflow-runs"
        )))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"rows": [], "pagination": {}})),
        )
        .mount(&hatchet)
        .await;
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
