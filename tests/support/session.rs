//! The built binary as an MCP server, driven by rmcp's own client over stdio.

use rmcp::{
    RoleClient, ServiceExt,
    model::{CallToolRequestParams, CallToolResult, ClientCapabilities, ClientConfig},
    service::RunningService,
    transport::TokioChildProcess,
};
use std::process::Stdio;

use serde_json::Value;
use tokio::process::ChildStderr;
use wiremock::MockServer;

use super::fake::token_for;

pub type Session = RunningService<RoleClient, ()>;
/// A session whose client declares the Tasks extension (`io.modelcontextprotocol/tasks`).
pub type TaskSession = RunningService<RoleClient, ClientConfig>;

/// Starts the binary with only the given environment, plus a token pointing at `server`
/// and a 5 s call deadline.
pub async fn start(server: &MockServer, env: &[(&str, &str)]) -> Session {
    start_at(&server.uri(), env, Stdio::null()).await.0
}

/// As [`start`], for any loopback URL, keeping the server's stderr to read.
pub async fn start_with_stderr(url: &str, env: &[(&str, &str)]) -> (Session, ChildStderr) {
    let (session, stderr) = start_at(url, env, Stdio::piped()).await;
    (session, stderr.expect("stderr was piped"))
}

/// As [`start`], with a client that declares the Tasks extension at `initialize`.
pub async fn start_taking_tasks(server: &MockServer, env: &[(&str, &str)]) -> TaskSession {
    let transport = TokioChildProcess::builder(command(&server.uri(), env))
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
        .0;
    let mut client = ClientConfig::default();
    client.capabilities = ClientCapabilities::builder().enable_tasks().build();
    client
        .serve(transport)
        .await
        .expect("the server answers initialize")
}

async fn start_at(
    url: &str,
    env: &[(&str, &str)],
    stderr: Stdio,
) -> (Session, Option<ChildStderr>) {
    let (transport, stderr) = TokioChildProcess::builder(command(url, env))
        .stderr(stderr)
        .spawn()
        .unwrap();
    let session = ().serve(transport).await.expect("the server answers initialize");
    (session, stderr)
}

/// The binary with only `env`, plus a token pointing at `url` and a 5 s call deadline.
fn command(url: &str, env: &[(&str, &str)]) -> tokio::process::Command {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"));
    command
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", token_for(url))
        .env("HATCHET_MCP_TIMEOUT_SECS", "5");
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Calls a tool; `arguments` must be a JSON object.
pub async fn call(session: &Session, tool: &str, arguments: Value) -> CallToolResult {
    let params = CallToolRequestParams::new(tool.to_owned()).with_arguments(
        arguments
            .as_object()
            .expect("arguments are an object")
            .clone(),
    );
    session
        .call_tool(params)
        .await
        .expect("a tool result, not a protocol error")
}

/// The text of a result's content blocks.
pub fn text(result: &CallToolResult) -> String {
    result
        .content
        .iter()
        .filter_map(|c| c.as_text())
        .map(|t| t.text.clone())
        .collect()
}
