//! The MCP server in process, over an in-memory duplex pipe: what only a misbehaving tool
//! can show.

mod support;

use std::sync::Arc;

use hatchet_mcp::mcp::{
    HatchetServer,
    args::NoArgs,
    tools::{self, ToolContext, ToolResult, ToolSpec},
};
use rmcp::{ServiceExt, model::CallToolRequestParams};
use support::fake::client_at;

async fn panics(_: Arc<ToolContext>, _: NoArgs) -> ToolResult {
    panic!("boom in a handler")
}

#[tokio::test]
async fn a_panicking_handler_becomes_an_error_result_and_the_server_keeps_serving() {
    let mut tool_set = tools::registered(true);
    tool_set.push(ToolSpec::read(
        "explode",
        "Explode",
        "none",
        "Panics, for this test.",
        panics,
    ));
    let server = HatchetServer::with_tools(client_at("http://127.0.0.1:9", true), None, tool_set);
    let (server_io, client_io) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        let running = server.serve(server_io).await.unwrap();
        let _ = running.waiting().await;
    });
    let client = ().serve(client_io).await.unwrap();

    let result = client
        .call_tool(CallToolRequestParams::new("explode"))
        .await
        .unwrap();
    assert_eq!(result.is_error, Some(true));
    let text = result.content[0].as_text().unwrap().text.clone();
    assert!(
        text.contains("Internal error in `explode` (boom in a handler)"),
        "{text}"
    );

    // Still serving: a bad-argument call answers normally.
    let params = CallToolRequestParams::new("get_run").with_arguments(serde_json::Map::new());
    let result = client.call_tool(params).await.unwrap();
    assert_eq!(
        result.content[0].as_text().unwrap().text,
        "Missing required argument `workflow_run_id`."
    );
    client.cancel().await.unwrap();
}
