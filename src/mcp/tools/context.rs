//! The catalogue's context: what every tool call shares (the Hatchet client, the tenant's
//! settings, the confirm key, the workflow-name cache, the tools offered), and the kit's
//! types ([`registry`](crate::mcp::registry)) specialised to it.

use std::time::Duration;

use crate::{
    hatchet::{Caller, Client},
    mcp::{
        output,
        registry::{self, Offered},
        tasks::{self, TaskId, UnknownTask},
        workflow_names::WorkflowNames,
    },
    redact::Redactor,
    toolsets::Toolsets,
};

/// One call of a catalogue tool.
pub type Call = registry::Call<ToolContext>;
/// A catalogue tool.
pub type ToolSpec = registry::ToolSpec<ToolContext>;
/// The registered catalogue tools.
pub type Registry = registry::Registry<ToolContext>;

/// What every call shares: the Hatchet client and the server's settings.
pub struct ToolContext {
    pub client: Client,
    /// `HATCHET_CLIENT_NAMESPACE`, normalised (`staging_`).
    pub namespace: Option<String>,
    /// The soft result ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`): see [`output`].
    pub max_result_bytes: usize,
    /// The toolsets this server registers (`HATCHET_MCP_TOOLSETS`), as `whoami` reports them.
    pub toolsets: Toolsets,
    /// When the API token expires (its `exp` claim), if it says.
    pub token_expires_at: Option<jiff::Timestamp>,
    /// Keys the bulk tools' confirm tokens. Derived from the API token, so a token outlives
    /// the process that issued it, yet only a holder of the API token can make one.
    confirm_key: ring::hmac::Key,
    /// Keys the ids of MCP tasks ([`tasks`]), derived from the API token the same way.
    task_key: ring::hmac::Key,
    /// The tasks this process was asked to cancel.
    pub cancels: tasks::Cancels,
    /// Workflow names to ids, listed at most once a minute.
    pub(crate) workflow_names: WorkflowNames,
    /// The tools this server registers: the only ones an answer may send the agent to.
    pub offered: Offered,
}

impl ToolContext {
    pub fn new(client: Client, namespace: Option<String>) -> Self {
        Self {
            confirm_key: client.derived_key("hatchet-mcp confirm v1"),
            task_key: client.derived_key("hatchet-mcp task v1"),
            cancels: tasks::Cancels::default(),
            client,
            namespace,
            max_result_bytes: output::DEFAULT_MAX_RESULT_BYTES,
            workflow_names: WorkflowNames::default(),
            toolsets: Toolsets::default(),
            token_expires_at: None,
            offered: Offered::default(),
        }
    }

    /// The key of the bulk tools' confirm tokens.
    pub fn confirm_key(&self) -> &ring::hmac::Key {
        &self.confirm_key
    }

    /// The text of the task `id`, for this tenant.
    pub fn task_text(&self, id: &TaskId) -> String {
        id.issue(&self.task_key, self.client.tenant_id())
    }

    /// The task `text` names, if this server (or one with the same API token) issued it
    /// for this tenant. Nothing is read to tell.
    pub fn open_task(&self, text: &str) -> Result<TaskId, UnknownTask> {
        TaskId::open(&self.task_key, self.client.tenant_id(), text)
    }

    /// Prefixes a workflow name or event key with the namespace, as the official SDKs do.
    pub fn namespaced(&self, name: &str) -> String {
        match &self.namespace {
            Some(ns) if !name.starts_with(ns.as_str()) => format!("{ns}{name}"),
            _ => name.to_owned(),
        }
    }
}

impl registry::Context for ToolContext {
    fn call_deadline(&self) -> Duration {
        self.client.deadline()
    }

    fn read_only(&self) -> bool {
        self.client.read_only()
    }

    fn redactor(&self) -> &Redactor {
        self.client.redactor_ref()
    }

    fn caller(&self) -> Option<&Caller> {
        self.client.caller()
    }
}

#[cfg(test)]
mod tests {
    use std::{sync::Arc, time::Duration};

    use super::*;
    use crate::{
        hatchet::{ClientOptions, RetryPolicy},
        redact::Secret,
    };

    /// A context whose client never reaches a server.
    pub(crate) fn context(read_only: bool) -> Arc<ToolContext> {
        let client = Client::new(ClientOptions {
            base_url: "http://127.0.0.1:9".parse().unwrap(),
            tenant_id: uuid::Uuid::nil(),
            token: Secret::new("test-api-token"),
            read_only,
            deadline: Duration::from_secs(1),
            retry: RetryPolicy::default(),
            max_body_bytes: 1024,
        })
        .unwrap();
        Arc::new(ToolContext::new(client, Some("staging_".into())))
    }

    #[test]
    fn namespace_prefixes_once() {
        let ctx = context(true);
        assert_eq!(ctx.namespaced("etl"), "staging_etl");
        assert_eq!(ctx.namespaced("staging_etl"), "staging_etl");
    }
}
