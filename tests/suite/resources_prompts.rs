//! Resources and prompts over stdio: listed, read, and their errors' JSON-RPC codes.

use crate::support::{
    fake::{RUN, TENANT, WORKFLOW},
    session::{call, start, text},
};
use rmcp::model::{ErrorCode, GetPromptRequestParams, ReadResourceRequestParams, ResourceContents};
use serde_json::json;
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path},
};

async fn hatchet() -> MockServer {
    let server = MockServer::start().await;
    let routes = [
        (
            format!("/api/v1/tenants/{TENANT}/workflows"),
            200,
            json!({"rows": [{"metadata": {"id": WORKFLOW}, "name": "etl", "x": null}], "pagination": {"current_page": 1, "num_pages": 2}}),
        ),
        (
            format!("/api/v1/tenants/{TENANT}/worker"),
            200,
            json!({"rows": [{"metadata": {"id": RUN}, "status": "ACTIVE"}]}),
        ),
        (
            format!("/api/v1/workflows/{WORKFLOW}"),
            200,
            json!({"metadata": {"id": WORKFLOW}, "name": "etl"}),
        ),
        (
            format!("/api/v1/stable/workflow-runs/{RUN}"),
            200,
            json!({"run": {"status": "FAILED"}, "tasks": []}),
        ),
        (
            format!("/api/v1/stable/workflow-runs/{RUN}/status"),
            200,
            json!("FAILED"),
        ),
    ];
    for (route, status, body) in routes {
        Mock::given(method("GET"))
            .and(path(route))
            .respond_with(ResponseTemplate::new(status).set_body_json(body))
            .mount(&server)
            .await;
    }
    Mock::given(method("GET"))
        .respond_with(
            ResponseTemplate::new(404)
                .set_body_json(json!({"errors": [{"description": "not found"}]})),
        )
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn every_resource_reads_as_its_tools_json() {
    let server = hatchet().await;
    let session = start(&server, &[]).await;
    let resources = session.list_all_resources().await.unwrap();
    let uris: Vec<&str> = resources.iter().map(|r| r.uri.as_str()).collect();
    assert_eq!(
        uris,
        [
            "hatchet://workflows",
            "hatchet://workers",
            "ui://hatchet-mcp/run"
        ]
    );
    // The MCP Apps view is HTML in MCP Apps' media type; its tests are in run_view_app.
    assert_eq!(
        resources[2].mime_type.as_deref(),
        Some("text/html;profile=mcp-app")
    );
    let templates = session.list_all_resource_templates().await.unwrap();
    let forms: Vec<&str> = templates.iter().map(|t| t.uri_template.as_str()).collect();
    assert_eq!(
        forms,
        [
            "hatchet://workflows/{workflow_id}",
            "hatchet://runs/{workflow_run_id}",
            "hatchet://runs/{workflow_run_id}/status"
        ]
    );

    let cases = [
        (
            "hatchet://workflows".to_owned(),
            "list_workflows",
            json!({}),
        ),
        ("hatchet://workers".to_owned(), "list_workers", json!({})),
        (
            format!("hatchet://workflows/{WORKFLOW}"),
            "get_workflow",
            json!({"workflow_id": WORKFLOW}),
        ),
        (
            format!("hatchet://runs/{RUN}"),
            "get_run",
            json!({"workflow_run_id": RUN}),
        ),
        (
            format!("hatchet://runs/{RUN}/status"),
            "get_run_status",
            json!({"workflow_run_id": RUN}),
        ),
    ];
    for (uri, tool, arguments) in cases {
        let read = session
            .read_resource(ReadResourceRequestParams::new(uri.clone()))
            .await
            .unwrap();
        let [
            ResourceContents::TextResourceContents {
                uri: got_uri,
                mime_type,
                text: body,
                ..
            },
        ] = read.contents.as_slice()
        else {
            panic!("{uri}: expected one text content, got {:?}", read.contents);
        };
        assert_eq!(
            (got_uri.as_str(), mime_type.as_deref()),
            (uri.as_str(), Some("application/json"))
        );
        assert_eq!(
            body,
            &text(&call(&session, tool, arguments).await),
            "{uri} should equal {tool}"
        );
    }
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn a_missing_resource_is_32002_and_a_malformed_uri_32602() {
    let server = hatchet().await;
    let session = start(&server, &[]).await;
    let missing = format!("hatchet://runs/{WORKFLOW}");
    let error = session
        .read_resource(ReadResourceRequestParams::new(missing.clone()))
        .await
        .unwrap_err();
    let rmcp::service::ServiceError::McpError(error) = error else {
        panic!("{error}")
    };
    assert_eq!(error.code, ErrorCode::RESOURCE_NOT_FOUND);
    assert_eq!(error.data, Some(json!({"uri": missing})));
    assert!(error.message.contains("404"), "{}", error.message);

    for bad in [
        "hatchet://runs/abc",
        "hatchet://tasks",
        "file:///etc/passwd",
    ] {
        let error = session
            .read_resource(ReadResourceRequestParams::new(bad))
            .await
            .unwrap_err();
        let rmcp::service::ServiceError::McpError(error) = error else {
            panic!("{error}")
        };
        assert_eq!(error.code, ErrorCode::INVALID_PARAMS, "{bad}");
        assert!(
            error
                .message
                .contains("Valid forms: hatchet://workflows, hatchet://workers"),
            "{bad}: {}",
            error.message
        );
    }
    session.cancel().await.unwrap();
}

#[tokio::test]
async fn prompts_list_render_and_refuse_bad_arguments() {
    let server = hatchet().await;
    let session = start(&server, &[]).await;
    let prompts = session.list_all_prompts().await.unwrap();
    let names: Vec<&str> = prompts.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["triage_failed_runs", "debug_run", "tenant_health"]);

    let arguments = json!({"workflow_run_id": RUN}).as_object().unwrap().clone();
    let debug = session
        .get_prompt(GetPromptRequestParams::new("debug_run").with_arguments(arguments))
        .await
        .unwrap();
    assert_eq!(debug.messages.len(), 1);
    let text = debug.messages[0].content.as_text().unwrap().text.clone();
    assert!(
        text.contains(&format!("get_run with workflow_run_id=\"{RUN}\"")),
        "{text}"
    );

    let arguments = json!({"hours": "zero"}).as_object().unwrap().clone();
    let error = session
        .get_prompt(GetPromptRequestParams::new("tenant_health").with_arguments(arguments))
        .await
        .unwrap_err();
    let rmcp::service::ServiceError::McpError(error) = error else {
        panic!("{error}")
    };
    assert_eq!(error.code, ErrorCode::INVALID_PARAMS);
    assert!(
        error.message.contains("`hours` must be a positive integer"),
        "{}",
        error.message
    );
    assert!(
        server.received_requests().await.unwrap().is_empty(),
        "prompts read nothing"
    );
    session.cancel().await.unwrap();
}

/// Every catalogue tool name `text` mentions as a word.
fn tool_names_in<'a>(text: &str, catalogue: &'a [String]) -> Vec<&'a str> {
    let words: std::collections::HashSet<&str> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .collect();
    catalogue
        .iter()
        .map(String::as_str)
        .filter(|name| words.contains(name))
        .collect()
}

/// Guidance names only tools the server has: over every single-group toolset, `default`
/// and `all`, read-only and read-write, every tool named in the instructions, the prompts
/// (listed and rendered), the resources and the tool descriptions is registered.
#[tokio::test]
async fn guidance_names_only_registered_tools_whatever_the_toolsets() {
    use crate::support::{fake::client_at, in_process::connect};
    use hatchet_mcp::mcp::{HatchetServer, registry::Toolsets, tools};

    let catalogue: Vec<String> = tools::all()
        .into_iter()
        .map(|t| t.name.into_owned())
        .collect();
    let mut prompts_seen = 0;
    for toolsets in Toolsets::valid_names() {
        for read_only in [true, false] {
            let parsed = Toolsets::parse(toolsets).unwrap();
            let server =
                HatchetServer::new(client_at("http://127.0.0.1:9", read_only), None, &parsed);
            let (client, _hearing) = connect(server).await;
            let tools = client.list_all_tools().await.unwrap();
            let registered: Vec<String> = tools.iter().map(|t| t.name.to_string()).collect();
            let mut texts = vec![(
                "instructions".to_owned(),
                client
                    .peer_info()
                    .unwrap()
                    .instructions
                    .clone()
                    .unwrap_or_default(),
            )];
            for tool in tools {
                texts.push((
                    format!("description of {}", tool.name),
                    tool.description.unwrap_or_default().into_owned(),
                ));
            }
            for prompt in client.list_all_prompts().await.unwrap() {
                texts.push((
                    format!("prompt {} as listed", prompt.name),
                    serde_json::to_string(&prompt).unwrap(),
                ));
                let arguments: serde_json::Map<String, serde_json::Value> = prompt
                    .arguments
                    .iter()
                    .flatten()
                    .filter(|a| a.required == Some(true))
                    .map(|a| (a.name.clone(), json!(RUN)))
                    .collect();
                let rendered = client
                    .get_prompt(
                        GetPromptRequestParams::new(prompt.name.clone()).with_arguments(arguments),
                    )
                    .await
                    .unwrap();
                texts.push((
                    format!("prompt {}", prompt.name),
                    serde_json::to_string(&rendered).unwrap(),
                ));
                prompts_seen += 1;
            }
            for resource in client.list_all_resources().await.unwrap() {
                texts.push((
                    format!("resource {}", resource.uri),
                    serde_json::to_string(&resource).unwrap(),
                ));
            }
            for template in client.list_all_resource_templates().await.unwrap() {
                texts.push((
                    format!("resource template {}", template.uri_template),
                    serde_json::to_string(&template).unwrap(),
                ));
            }
            for (place, text) in &texts {
                for named in tool_names_in(text, &catalogue) {
                    assert!(
                        registered.iter().any(|r| r == named),
                        "toolsets={toolsets} read_only={read_only}: {place} names `{named}`, which is not registered:\n{text}"
                    );
                }
            }
            client.cancel().await.unwrap();
        }
    }
    assert!(prompts_seen > 0, "no prompt was ever listed");
}
