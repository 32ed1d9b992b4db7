//! The MCP server: what `initialize` answers, which tools are registered, and how a call is
//! run (on its own task, so a panic becomes an error result and a cancellation drops the
//! HTTP request at once).

use std::sync::Arc;

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock,
        GetPromptRequestParams, GetPromptResponse, Implementation, ListPromptsResult,
        ListResourceTemplatesResult, ListResourcesResult, ListToolsResult, PaginatedRequestParams,
        ReadResourceRequestParams, ReadResourceResponse, ReadResourceResult, ResourceContents,
        ServerCapabilities, ServerConfig, Tool,
    },
    service::RequestContext,
};

use serde_json::json;

use super::{
    args::{DEFAULT_PAGE_LIMIT, JsonObject, MAX_PAGE_LIMIT},
    prompts,
    resources::{self, ResourceRef},
    tools::{self, ToolContext, ToolError, ToolSpec},
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

    /// Sets the soft ceiling on a result's size (`HATCHET_MCP_MAX_RESULT_BYTES`).
    pub fn with_max_result_bytes(mut self, max_result_bytes: usize) -> Self {
        Arc::get_mut(&mut self.ctx)
            .expect("the ceiling is set before the server is shared")
            .max_result_bytes = max_result_bytes;
        self
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
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_resources()
            .enable_prompts()
            .build();
        ServerConfig::new(capabilities)
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
        let result = match self.run(tool, request.arguments, &context).await? {
            Ok(text) => CallToolResult::success(vec![ContentBlock::text(self.redact(&text))]),
            Err(error) => {
                CallToolResult::error(vec![ContentBlock::text(self.redact(&error.to_string()))])
            }
        };
        Ok(result.into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(),
        ))
    }

    /// A resource is its tool's answer: the same JSON, or a JSON-RPC error (-32002 when
    /// Hatchet has no such object).
    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        let uri = request.uri;
        let (tool_name, arguments) = ResourceRef::parse(&uri)?.tool_call();
        let tool = self
            .tools
            .iter()
            .find(|t| t.name == tool_name)
            .expect("resource tools are read tools, always registered");
        match self.run(tool, Some(arguments), &context).await? {
            Ok(text) => Ok(ReadResourceResult::new(vec![
                ResourceContents::text(self.redact(&text), uri.clone())
                    .with_mime_type(resources::mime_type()),
            ])
            .into()),
            Err(ToolError::Api(error)) if error.status() == Some(404) => {
                Err(McpError::resource_not_found(
                    self.redact(&format!("No such resource {uri}: {error}")),
                    Some(json!({ "uri": uri })),
                ))
            }
            Err(error) => Err(McpError::internal_error(
                self.redact(&format!("Could not read {uri}: {error}")),
                Some(json!({ "uri": uri })),
            )),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        prompts::get(&request.name, request.arguments).map(Into::into)
    }
}

impl HatchetServer {
    /// Every text a client receives passes here last: the one redaction function.
    fn redact(&self, text: &str) -> String {
        self.ctx.client.redact(text).into_owned()
    }

    /// Runs a tool on its own task: a panic becomes an error result, and a cancellation
    /// from the client aborts the task, dropping its HTTP request at once. The answer is
    /// rendered within this server's result ceiling (not yet redacted: callers do that).
    async fn run(
        &self,
        tool: &ToolSpec,
        arguments: Option<JsonObject>,
        context: &RequestContext<RoleServer>,
    ) -> Result<Result<String, ToolError>, McpError> {
        let name = tool.name;
        let task = tokio::spawn(tool.call(self.ctx.clone(), arguments));
        let abort = task.abort_handle();
        let joined = tokio::select! {
            joined = task => joined,
            () = context.ct.cancelled() => {
                abort.abort();
                tracing::info!(tool = name, "call cancelled by the client");
                return Err(McpError::internal_error("cancelled", None));
            }
        };
        let result = joined.unwrap_or_else(|join_error| {
            let detail = panic_message(join_error);
            tracing::error!(tool = name, detail, "tool handler panicked");
            Err(ToolError::Unexpected(format!(
                "Internal error in `{name}` ({detail}); the server is still running. Please report this."
            )))
        });
        let max_bytes = self.ctx.max_result_bytes;
        Ok(result.and_then(|answer| Ok(answer.render(max_bytes)?)))
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
