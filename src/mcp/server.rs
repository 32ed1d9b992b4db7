//! The MCP server: what `initialize` answers, which tools are registered, and how a call is
//! run (on its own task, so a panic becomes an error result and a cancellation drops the
//! HTTP request at once).

use std::{sync::Arc, time::Duration};

use rmcp::{
    ErrorData as McpError, RoleServer, ServerHandler,
    model::{
        CallToolRequestParams, CallToolResponse, CallToolResult, CancelTaskParams,
        CompleteRequestParams, CompleteResult, ContentBlock, CreateTaskResult, ErrorCode,
        GetPromptRequestParams, GetPromptResponse, GetTaskParams, GetTaskResult, Implementation,
        ListPromptsResult, ListResourceTemplatesResult, ListResourcesResult, ListToolsResult,
        PaginatedRequestParams, ReadResourceRequestParams, ReadResourceResponse,
        ReadResourceResult, ResourceContents, ServerCapabilities, ServerConfig, SubscriptionFilter,
        Tool, UpdateTaskParams,
    },
    service::{NotificationContext, RequestContext, SubscriptionContext},
};

use serde_json::json;

use super::{
    apps,
    args::JsonObject,
    prompts,
    registry::{DEADLINE_GRACE, Offered, ToolError, Toolsets, Withheld},
    resources::{self, ResourceRef},
    tools,
    workflow_tools::{WorkflowTools, WorkflowToolsSpec},
};
use crate::mcp::tools::{Call, Registry, ToolContext, ToolSpec};
use crate::{
    hatchet::Client,
    mcp::{output::Answer, registry::ToolResult},
    redact::Redactor,
    work::{self, Deadline},
};

mod tasks;

#[derive(Clone)]
pub struct HatchetServer {
    ctx: Arc<ToolContext>,
    registry: Arc<Registry>,
    /// Assembled once from the tools registered at start: `initialize` is answered once.
    instructions: Arc<str>,
    /// `run_<workflow>` tools, when `HATCHET_MCP_WORKFLOW_TOOLS` asks for them.
    workflow_tools: Option<Arc<WorkflowTools>>,
}

/// What the servers of every caller share in team mode (one per caller's token): the
/// tools the operator's toolsets and mode register, the namespace and the result ceiling.
/// The operator's policy is the ceiling: nothing a caller sends widens it.
#[derive(Clone)]
pub struct ServerPolicy {
    registry: Arc<Registry>,
    toolsets: Toolsets,
    namespace: Option<String>,
    max_result_bytes: usize,
    read_only: bool,
}

impl ServerPolicy {
    /// The tools `toolsets` and the mode allow.
    pub fn new(toolsets: &Toolsets, read_only: bool, namespace: Option<String>) -> Self {
        Self {
            registry: Arc::new(tools::registry(toolsets, read_only)),
            toolsets: toolsets.clone(),
            namespace,
            max_result_bytes: crate::mcp::output::DEFAULT_MAX_RESULT_BYTES,
            read_only,
        }
    }

    /// Sets the soft ceiling on a result's size (`HATCHET_MCP_MAX_RESULT_BYTES`).
    pub fn with_max_result_bytes(mut self, max_result_bytes: usize) -> Self {
        self.max_result_bytes = max_result_bytes;
        self
    }

    pub fn read_only(&self) -> bool {
        self.read_only
    }

    /// A server for `client` (one caller's token) under this policy: the shared registry,
    /// with a context (confirm key, caches, instructions naming the tenant) of its own.
    /// The client is built in the policy's mode, so its send path refuses what the
    /// registry does not offer.
    pub fn server_for(&self, client: Client) -> HatchetServer {
        debug_assert!(
            client.read_only() || !self.read_only,
            "a read-only policy needs a read-only client"
        );
        let registered = self.registry.snapshot();
        let instructions = tools::instructions(&client, &self.toolsets, registered.tools());
        let mut ctx = ToolContext::new(client, self.namespace.clone());
        ctx.toolsets = self.toolsets.clone();
        ctx.max_result_bytes = self.max_result_bytes;
        ctx.offered = Offered::only(registered.tools().iter().map(|t| t.name.as_ref()));
        HatchetServer {
            ctx: Arc::new(ctx),
            registry: self.registry.clone(),
            instructions: instructions.into(),
            workflow_tools: None,
        }
    }
}

impl HatchetServer {
    /// A server with the tools `toolsets` and the client's mode allow.
    pub fn new(client: Client, namespace: Option<String>, toolsets: &Toolsets) -> Self {
        ServerPolicy::new(toolsets, client.read_only(), namespace).server_for(client)
    }

    /// Registers a typed tool per workflow of `spec`, loaded in the background (call it last:
    /// the loader shares this server's context), and re-checked on `tools/list` once per
    /// `refresh_every`.
    pub fn with_workflow_tools(mut self, spec: WorkflowToolsSpec, refresh_every: Duration) -> Self {
        // Config refuses the variable in read-only mode; this keeps it so for any caller.
        if self.ctx.client.read_only() {
            tracing::warn!("workflow tools need read-write mode; none registered");
            return self;
        }
        let tools =
            WorkflowTools::new(spec, self.ctx.clone(), self.registry.clone(), refresh_every);
        tools.refresh_if_due();
        self.workflow_tools = Some(tools);
        self
    }

    /// Sets the soft ceiling on a result's size (`HATCHET_MCP_MAX_RESULT_BYTES`).
    pub fn with_max_result_bytes(mut self, max_result_bytes: usize) -> Self {
        Arc::get_mut(&mut self.ctx)
            .expect("the ceiling is set before the server is shared")
            .max_result_bytes = max_result_bytes;
        self
    }

    /// Records when the API token expires (its `exp` claim), for `whoami`.
    pub fn with_token_expiry(mut self, expires_at: Option<jiff::Timestamp>) -> Self {
        Arc::get_mut(&mut self.ctx)
            .expect("the expiry is set before the server is shared")
            .token_expires_at = expires_at;
        self
    }

    /// The registered tools; a change to them notifies the client.
    pub fn registry(&self) -> &Arc<Registry> {
        &self.registry
    }

    pub fn instructions(&self) -> &str {
        &self.instructions
    }

    fn unknown_tool(&self, name: &str) -> McpError {
        let withheld = self.registry.withheld(name);
        // A name the client made up is echoed only in part.
        let name = crate::text::preview(name);
        let message = match withheld {
            Some(Withheld::ReadOnly) => format!(
                "Tool `{name}` changes live state and is not registered: this server is read-only (HATCHET_MCP_READ_ONLY=false enables it)."
            ),
            Some(Withheld::Toolset(group)) => format!(
                "Tool `{name}` is in the `{}` toolset, which this server does not register (add it to HATCHET_MCP_TOOLSETS).",
                group.name()
            ),
            None => format!("Unknown tool `{name}`; tools/list names the registered tools."),
        };
        McpError::invalid_params(message, None)
    }
}

impl ServerHandler for HatchetServer {
    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_resources()
            .enable_prompts();
        // Tasks only while a registered tool can answer one (see `tasks.rs`).
        let capabilities = if self.offers_tasks() {
            capabilities.enable_tasks().build()
        } else {
            capabilities.build()
        };
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
        if let Some(workflow_tools) = &self.workflow_tools {
            workflow_tools.refresh_if_due();
        }
        let listed = self.registry.snapshot().listed().to_vec();
        Ok(ListToolsResult::with_all_items(listed))
    }

    fn get_tool(&self, name: &str) -> Option<Tool> {
        self.registry.find(name).map(|tool| tool.to_mcp())
    }

    async fn on_initialized(&self, context: NotificationContext<RoleServer>) {
        self.registry.notify_peer(context.peer);
    }

    fn accepted_subscription_filter(
        &self,
        requested: &SubscriptionFilter,
    ) -> Option<SubscriptionFilter> {
        let mut accepted = SubscriptionFilter::new();
        accepted.tools_list_changed = requested.tools_list_changed;
        Some(accepted)
    }

    async fn listen(&self, subscription: SubscriptionContext) -> Result<(), McpError> {
        self.registry.listen(subscription).await;
        Ok(())
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, McpError> {
        let Some(tool) = self.registry.find(&request.name) else {
            return Err(self.unknown_tool(&request.name));
        };
        let (result, deadline) = self.run(&tool, request.arguments, &context).await?;
        // A wait answered as an MCP task (only to a client that declared them on the call).
        if let Ok(Answer::Task(task)) = result {
            return Ok(CreateTaskResult::new(task).into());
        }
        Ok(tool_result(self.shape(result, &deadline).await).into())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourcesResult, McpError> {
        let mut listed = resources::list(&self.registry);
        // The MCP Apps views, while a registered tool points at one.
        let snapshot = self.registry.snapshot();
        if snapshot.tools().iter().any(|tool| tool.view.is_some()) {
            listed.extend(apps::list());
        }
        Ok(ListResourcesResult::with_all_items(listed))
    }

    async fn list_resource_templates(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListResourceTemplatesResult, McpError> {
        Ok(ListResourceTemplatesResult::with_all_items(
            resources::templates(&self.registry),
        ))
    }

    /// A resource is its tool's answer: the same JSON, or a JSON-RPC error (-32002 when
    /// Hatchet has no such object).
    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        context: RequestContext<RoleServer>,
    ) -> Result<ReadResourceResponse, McpError> {
        if let Some(view) = apps::read(&request.uri) {
            return Ok(ReadResourceResult::new(vec![view]).into());
        }
        let resource = ResourceRef::parse(&request.uri)?;
        // Parsed, so short and canonical: echoed as the client wrote it.
        let uri = request.uri;
        let (tool_name, arguments) = resource.tool_call();
        // A toolset may leave a resource's tool out: then the resource is not there either,
        // and the error names the toolset that would bring it rather than the tool.
        let Some(tool) = self.registry.find(tool_name) else {
            let why = match self.registry.withheld(tool_name) {
                Some(Withheld::Toolset(group)) => format!(
                    "it is read through the `{}` toolset, which this server does not register (add it to HATCHET_MCP_TOOLSETS)",
                    group.name()
                ),
                _ => "this server does not register what reads it".to_owned(),
            };
            return Err(McpError::resource_not_found(
                format!("{uri} is not available: {why}."),
                Some(json!({ "uri": uri })),
            ));
        };
        match self.run_to_text(&tool, Some(arguments), &context).await? {
            Ok(text) => Ok(ReadResourceResult::new(vec![
                ResourceContents::text(text, uri.clone()).with_mime_type(resources::mime_type()),
            ])
            .into()),
            Err(ToolError::Api(error)) if error.status() == Some(404) => {
                Err(McpError::resource_not_found(
                    format!("No such resource {uri}: {error}"),
                    Some(json!({ "uri": uri })),
                ))
            }
            Err(error) => Err(McpError::internal_error(
                format!("Could not read {uri}: {error}"),
                Some(json!({ "uri": uri })),
            )),
        }
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, McpError> {
        Ok(ListPromptsResult::with_all_items(prompts::list(
            &self.registry,
        )))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, McpError> {
        prompts::get(&request.name, request.arguments, &self.registry).map(Into::into)
    }

    async fn get_task(
        &self,
        request: GetTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        self.task_get(&request.task_id, &context).await
    }

    async fn cancel_task(
        &self,
        request: CancelTaskParams,
        context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.task_cancel(&request.task_id, &context).await
    }

    async fn update_task(
        &self,
        request: UpdateTaskParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        self.task_update(&request.task_id)
    }

    /// Not offered: the server declares no `completions` capability (its prompts take run
    /// ids and numbers, which no list completes), so the method does not exist here rather
    /// than answering an empty list for any name, prompts that do not exist included.
    async fn complete(
        &self,
        _request: CompleteRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> Result<CompleteResult, McpError> {
        Err(McpError::new(
            ErrorCode::METHOD_NOT_FOUND,
            "completion/complete is not offered: this server declares no completions capability",
            None,
        ))
    }
}

impl HatchetServer {
    /// The redaction every line to the client passes on its way out: the one exit.
    pub fn redactor(&self) -> Arc<Redactor> {
        self.ctx.client.redactor()
    }

    /// Runs a tool on its own task: a panic becomes an error result, and a cancellation
    /// from the client aborts the task, dropping its HTTP request at once. Answers the
    /// tool's result and the call's deadline, for shaping it ([`Self::shape`]).
    async fn run(
        &self,
        tool: &ToolSpec,
        arguments: Option<JsonObject>,
        context: &RequestContext<RoleServer>,
    ) -> Result<(ToolResult, Arc<Deadline>), McpError> {
        let name = &*tool.name;
        let call = Call::from_request(self.ctx.clone(), context);
        let deadline = call.deadline.clone();
        let task = tokio::spawn(tool.call(call, arguments));
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
        Ok((result, deadline))
    }

    /// Runs a tool ([`Self::run`]) and shapes its answer as text ([`Self::shape`]).
    async fn run_to_text(
        &self,
        tool: &ToolSpec,
        arguments: Option<JsonObject>,
        context: &RequestContext<RoleServer>,
    ) -> Result<Result<String, ToolError>, McpError> {
        let (result, deadline) = self.run(tool, arguments, context).await?;
        Ok(self.shape(result, &deadline).await)
    }

    /// A tool's result as the client reads it: an answer rendered within this server's
    /// result ceiling (off the runtime thread when large) and within the call's deadline,
    /// then redacted: the stdio front redacts every line again on its way out, and this
    /// keeps a result clean on any other transport too (the in-process one the tests use).
    /// An error passes as it is.
    async fn shape(&self, result: ToolResult, deadline: &Deadline) -> Result<String, ToolError> {
        let answer = result?;
        let max_bytes = self.ctx.max_result_bytes;
        let redactor = self.ctx.client.redactor();
        let offered = self.ctx.offered.clone();
        let small = answer.is_small();
        let shape = move || {
            let mut answer = answer;
            answer.keep_offered_steps(|step| offered.offers_step(step));
            let text = answer.render(max_bytes)?;
            Ok(redactor.redact(&text).into_owned())
        };
        // A small answer is shaped in place: another thread would cost more than the work.
        if small {
            return shape();
        }
        let render = work::off_thread(shape);
        // A call that ended just in time still has its answer shaped.
        let shaped = tokio::time::timeout_at(deadline.at() + DEADLINE_GRACE, render).await;
        shaped.unwrap_or_else(|_| Err(deadline.expired("shaping the answer").into()))
    }
}

/// A tool's result as MCP sends it: its text, or its error as an `isError` result.
fn tool_result(shaped: Result<String, ToolError>) -> CallToolResult {
    match shaped {
        Ok(text) => CallToolResult::success(vec![ContentBlock::text(text)]),
        Err(error) => CallToolResult::error(vec![ContentBlock::text(error.to_string())]),
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
