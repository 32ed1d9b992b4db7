//! The MCP server: what `initialize` answers, which tools are registered, and how a call is
//! run (on its own task, so a panic becomes an error result and a cancellation drops the
//! HTTP request at once).

use std::sync::Arc;

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, Implementation,
        ListToolsResult, PaginatedRequestParams, ServerCapabilities, ServerConfig, Tool,
    },
    service::RequestContext,
};

use super::{
    args::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT},
    tools::{self, ToolContext, ToolSpec},
};
use crate::hatchet::Client;

#[derive(Clone)]
pub struct HatchetServer {
    ctx: Arc<ToolContext>,
    tools: Arc<Vec<ToolSpec>>,
    /// `tools/list`, built once.
    listed: Arc<Vec<Tool>>,
    instructions: Arc<str>,
}

impl HatchetServer {
    pub fn new(client: Client, namespace: Option<String>) -> Self {
        let tools = tools::registered(client.read_only());
        Self::with_tools(client, namespace, tools)
    }

    /// A server with a given tool set (tests use it to add tools that misbehave on purpose).
    pub fn with_tools(client: Client, namespace: Option<String>, tools: Vec<ToolSpec>) -> Self {
        let listed = tools.iter().map(ToolSpec::to_mcp).collect();
        let instructions = instructions(&client, &tools);
        Self {
            ctx: Arc::new(ToolContext::new(client, namespace)),
            tools: Arc::new(tools),
            listed: Arc::new(listed),
            instructions: instructions.into(),
        }
    }

    pub fn tools(&self) -> &[ToolSpec] {
        &self.tools
    }

    pub fn instructions(&self) -> &str {
        &self.instructions
    }

    fn unknown_tool(&self, name: &str) -> McpError {
        let known_but_off = tools::all()
            .iter()
            .any(|t| t.name == name && t.is_mutating());
        let message = if known_but_off {
            format!(
                "Tool `{name}` changes live state and is not registered: this server is read-only (HATCHET_MCP_READ_ONLY=false enables it)."
            )
        } else {
            format!("Unknown tool `{name}`; tools/list names the registered tools.")
        };
        McpError::invalid_params(message, None)
    }
}

/// The `instructions` of `initialize`: tenant, mode, status vocabularies, and guidance that
/// mentions only tools that are registered.
fn instructions(client: &Client, tools: &[ToolSpec]) -> String {
    let has = |names: &[&str]| names.iter().all(|n| tools.iter().any(|t| t.name == *n));
    let mut text = format!(
        "Hatchet tenant {} at {}. {}\n",
        client.tenant_id(),
        client.base_url(),
        if client.read_only() {
            "Read-only: no tool here changes anything."
        } else {
            "Read-write: tools whose description begins MUTATES LIVE STATE change the tenant; confirm intent with the user first."
        }
    );
    text.push_str(&format!(
        "Statuses: v1 runs and tasks are QUEUED RUNNING COMPLETED CANCELLED FAILED; older objects (scheduled runs, step runs) use PENDING SUCCEEDED BACKOFF and others.\n\
         Times (since/until) take RFC 3339 or a duration ago such as 90m, 6h, 7d. Lists take limit (1-{MAX_PAGE_LIMIT}, default {DEFAULT_PAGE_LIMIT}) and offset (default 0), and return next_offset while more pages exist.\n",
    ));
    let guides: [(&[&str], &str); 3] = [
        (
            &["list_runs", "get_run", "get_task_logs"],
            "To debug failures: list_runs with statuses=[FAILED], then get_run, then get_task_logs for the failed task.\n",
        ),
        (
            &["list_runs", "get_run"],
            "To debug failures: list_runs with statuses=[FAILED], then get_run on a run id.\n",
        ),
        (
            &["cancel_runs", "replay_runs"],
            "Bulk cancel_runs/replay_runs preview by default (dry_run=true): show the preview, then execute with dry_run=false and, for a filter, the preview's confirm token.\n",
        ),
    ];
    let mut debug_said = false;
    for (needed, guide) in guides {
        let is_debug = guide.starts_with("To debug");
        if has(needed) && !(is_debug && debug_said) {
            text.push_str(guide);
            debug_said |= is_debug;
        }
    }
    text.trim_end().to_owned()
}

impl ServerHandler for HatchetServer {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(ServerCapabilities::builder().enable_tools().build())
            .with_server_info(
                Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"))
                    .with_title("Hatchet")
                    .with_description(env!("CARGO_PKG_DESCRIPTION")),
            )
            .with_instructions(self.instructions.to_string())
    }

    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, McpError> {
        Ok(ListToolsResult::with_all_items((*self.listed).clone()))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.listed.iter().find(|t| t.name == name).cloned()
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(tool) = self.tools.iter().find(|t| t.name == request.name) else {
            return Err(self.unknown_tool(&request.name));
        };
        let name = tool.name;
        let task = tokio::spawn(tool.call(self.ctx.clone(), request.arguments));
        let abort = task.abort_handle();
        let joined = tokio::select! {
            joined = task => joined,
            () = context.ct.cancelled() => {
                // Dropping the task drops its HTTP request.
                abort.abort();
                tracing::info!(tool = name, "call cancelled by the client");
                return Err(McpError::internal_error("cancelled", None));
            }
        };
        let result = match joined {
            Ok(Ok(text)) => CallToolResult::success(vec![ContentBlock::text(text)]),
            Ok(Err(error)) => CallToolResult::error(vec![ContentBlock::text(error.to_string())]),
            Err(join_error) => {
                let detail = panic_message(join_error);
                tracing::error!(tool = name, detail, "tool handler panicked");
                CallToolResult::error(vec![ContentBlock::text(format!(
                    "Internal error in `{name}` ({detail}); the server is still running. Please report this."
                ))])
            }
        };
        Ok(result.into())
    }
}

fn panic_message(error: tokio::task::JoinError) -> String {
    if !error.is_panic() {
        return "the call was stopped".into();
    }
    let payload = error.into_panic();
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic".into())
}
