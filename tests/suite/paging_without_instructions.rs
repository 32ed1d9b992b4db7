//! An agent whose client never shows it the server's instructions (several clients do not)
//! must still find how to page a list and how to ask for whole rows, from the tool's schema
//! and its answers alone. This test plays that agent: it reads no instructions, only
//! `tools/list` and the answers.

use crate::support::{
    fake::TENANT,
    session::{Session, call, start, text},
};
use serde_json::{Map, Value, json};
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate, matchers::method};

/// Workflows the fake tenant has: more than two default pages.
const WORKFLOWS: usize = 123;

/// Answers `GET .../workflows` a page at a time, from its `offset` and `limit`, with the
/// pagination the engine gives (pages numbered from 1).
struct Pages;

impl Respond for Pages {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let query = |name: &str| {
            request
                .url
                .query_pairs()
                .find(|(key, _)| key == name)
                .and_then(|(_, value)| value.parse::<usize>().ok())
        };
        let (offset, limit) = (query("offset").unwrap_or(0), query("limit").unwrap_or(50));
        let rows: Vec<Value> = (offset..WORKFLOWS.min(offset + limit))
            .map(|n| {
                json!({
                    "metadata": {"id": format!("00000000-0000-4000-8000-{n:012}"), "createdAt": "2026-11-01T00:00:00Z", "updatedAt": "2026-11-01T00:00:00Z"},
                    "name": format!("workflow-{n:03}"),
                    "tenantId": TENANT,
                    "isPaused": false,
                })
            })
            .collect();
        let pages = WORKFLOWS.div_ceil(limit);
        let page = offset / limit + 1;
        ResponseTemplate::new(200).set_body_json(json!({
            "rows": rows,
            "pagination": {"current_page": page, "num_pages": pages, "next_page": (page < pages).then_some(page + 1)},
        }))
    }
}

/// The schema of `tool`'s argument `name`, as `tools/list` shows it.
async fn argument(session: &Session, tool: &str, name: &str) -> Option<Value> {
    let tools = session.list_all_tools().await.unwrap();
    let tool = tools.iter().find(|t| t.name == tool)?;
    tool.input_schema
        .get("properties")
        .and_then(|properties| properties.get(name))
        .cloned()
}

async fn answer(session: &Session, arguments: Value) -> Map<String, Value> {
    let result = call(session, "list_workflows", arguments).await;
    assert_eq!(result.is_error, Some(false), "{}", text(&result));
    serde_json::from_str(&text(&result)).unwrap()
}

#[tokio::test]
async fn an_agent_pages_to_the_end_and_asks_for_whole_rows_from_schemas_and_answers_alone() {
    let hatchet = MockServer::start().await;
    Mock::given(method("GET"))
        .respond_with(Pages)
        .mount(&hatchet)
        .await;
    let session = start(&hatchet, &[]).await;

    // The first answer says where the next page starts: `next_offset`. The schema has the
    // argument that takes it.
    let first = answer(&session, json!({})).await;
    let next_key = first
        .keys()
        .find(|key| key.starts_with("next_"))
        .expect("a first page says that more follows")
        .clone();
    let paging_argument = next_key.trim_start_matches("next_");
    let schema = argument(&session, "list_workflows", paging_argument)
        .await
        .unwrap_or_else(|| panic!("list_workflows' schema has no `{paging_argument}`"));
    assert_eq!(schema["type"], "integer", "{schema}");
    let limit = argument(&session, "list_workflows", "limit").await;
    assert_eq!(
        limit.map(|l| l["type"].clone()),
        Some(json!("integer")),
        "the page size is listed too"
    );

    // Follow it to the end.
    let mut names: Vec<String> = Vec::new();
    let mut page = first;
    let mut calls = 1;
    loop {
        names.extend(
            page["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|row| row["name"].as_str().unwrap().to_owned()),
        );
        let Some(next) = page.get(&next_key).and_then(Value::as_u64) else {
            break;
        };
        page = answer(&session, json!({ paging_argument: next })).await;
        calls += 1;
        assert!(calls < 10, "paging does not end");
    }
    let expected: Vec<String> = (0..WORKFLOWS).map(|n| format!("workflow-{n:03}")).collect();
    assert_eq!(
        names, expected,
        "every row once, in order, in {calls} calls"
    );

    // Rows are summaries; the schema's `detail` offers the alternative.
    let detail = argument(&session, "list_workflows", "detail")
        .await
        .expect("list_workflows' schema has `detail`");
    let choices: Vec<&str> = detail["enum"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let whole = *choices
        .iter()
        .find(|choice| **choice != "summary")
        .expect("a choice besides summary rows");
    let full = answer(&session, json!({"detail": whole})).await;
    let row = &full["rows"][0];
    assert_eq!(
        (
            row["metadata"]["createdAt"].as_str(),
            row["tenantId"].as_str()
        ),
        (Some("2026-11-01T00:00:00Z"), Some(TENANT)),
        "detail={whole} gives the API's rows whole: {row}"
    );
    session.cancel().await.unwrap();
}
