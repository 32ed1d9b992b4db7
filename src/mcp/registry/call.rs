//! What a handler works with: the server-wide context (any [`Context`]: the catalogue's is
//! its `ToolContext`) and, per call, a [`Call`] carrying the client's progress token, the
//! call's cancellation, the peer and the deadline.

use std::{borrow::Cow, collections::HashSet, ops::Deref, sync::Arc, time::Duration};

use rmcp::{
    RoleServer,
    model::{ProgressNotificationParam, ProgressToken},
    service::{Peer, RequestContext},
};
use tokio_util::sync::CancellationToken;

use super::ToolError;
use crate::{hatchet::Caller, mcp::args::JsonObject, redact::Redactor, work::Deadline};

/// What the registry needs of the context every call shares; the rest of it is the
/// handlers' business.
pub trait Context: Send + Sync + 'static {
    /// How long one call may take (its requests and its work on the answers).
    fn call_deadline(&self) -> Duration;
    /// Whether the server is read-only: a mutating tool is then refused when called (it
    /// is not registered either).
    fn read_only(&self) -> bool;
    /// The redaction an audit line's values pass.
    fn redactor(&self) -> &Redactor;
    /// Whom the call is made for, when each caller brings a token (team mode): the audit
    /// line names them.
    fn caller(&self) -> Option<&Caller> {
        None
    }
}

/// The tools an answer may name as a next step: those the server registers. An answer's
/// hints (`next`, "see get_task_logs") are kept only for these, so a narrowed toolset or
/// read-only mode never sends the agent to a tool it cannot call.
#[derive(Debug, Clone, Default)]
pub struct Offered {
    /// `None`: every tool of the catalogue (a context outside a server, in tests).
    only: Option<Arc<HashSet<String>>>,
}

impl Offered {
    /// Exactly these tools.
    pub fn only<I: IntoIterator<Item = S>, S: Into<String>>(tools: I) -> Self {
        Self {
            only: Some(Arc::new(tools.into_iter().map(Into::into).collect())),
        }
    }

    pub fn has(&self, tool: &str) -> bool {
        self.only.as_ref().is_none_or(|only| only.contains(tool))
    }

    /// Whether the tool of `step`, a call written `tool arg=value ...` (its first word), is
    /// offered.
    pub fn offers_step(&self, step: &str) -> bool {
        self.has(step.split(' ').next().unwrap_or_default())
    }

    /// `text` when `tool` is offered, for a hint that names it; otherwise `instead`.
    pub fn hint<'a>(&self, tool: &str, text: &'a str, instead: &'a str) -> &'a str {
        if self.has(tool) { text } else { instead }
    }

    /// The phrases of `options` (`(tool, phrase naming it)`) whose tool is offered, joined
    /// with ", or "; `None` when none is.
    pub fn either(&self, options: &[(&str, &str)]) -> Option<String> {
        let offered: Vec<&str> = options
            .iter()
            .filter(|(tool, _)| self.has(tool))
            .map(|(_, phrase)| *phrase)
            .collect();
        (!offered.is_empty()).then(|| offered.join(", or "))
    }

    /// `what (how)`, where `how` is a call (`list_runs offset=100`), when its tool is
    /// offered; otherwise `what` alone.
    pub fn via(&self, what: &str, how: &str) -> String {
        if self.offers_step(how) {
            format!("{what} ({how})")
        } else {
            what.to_owned()
        }
    }
}

/// One call: the shared context (a `Call` derefs to it, so `call.client` works for the
/// catalogue's), plus what belongs to this call alone.
pub struct Call<C> {
    context: Arc<C>,
    /// Reports progress to the client; a no-op when the call carried no `progressToken`.
    pub progress: Progress,
    /// Cancelled when the client sends `notifications/cancelled` for this call. The server
    /// also drops the call's task then, so a handler only needs it to stop cleanly between
    /// awaits (say, to skip a last request).
    pub cancelled: CancellationToken,
    /// The client, for requests and notifications beyond progress. `None` outside a session.
    pub peer: Option<Peer<RoleServer>>,
    /// `HATCHET_MCP_TIMEOUT_SECS` from the call's start, later only by a wait it asked for:
    /// it bounds the call's requests, its work on their answers, and the call as a whole.
    pub deadline: Arc<Deadline>,
    /// The arguments as the client sent them, before coercion; kept for mutating tools only.
    arguments_as_sent: JsonObject,
    /// Whether the client declared the Tasks extension (`io.modelcontextprotocol/tasks`)
    /// on this call: a tool that waits may then answer an MCP task at once
    /// ([`Answer::Task`](crate::mcp::output::Answer::Task)) instead of holding the call open.
    pub takes_tasks: bool,
    /// The name of the tool called (empty outside [`ToolSpec::call`](super::ToolSpec::call)).
    pub tool: Cow<'static, str>,
}

impl<C: Context> Call<C> {
    /// A call made by a client in a session.
    pub fn from_request(context: Arc<C>, request: &RequestContext<RoleServer>) -> Self {
        let progress = match request.meta.get_progress_token() {
            Some(token) => Progress::to(request.peer.clone(), token),
            None => Progress::none(),
        };
        let takes_tasks = request
            .client_capabilities()
            .is_some_and(|capabilities| capabilities.supports_tasks());
        Self {
            deadline: Deadline::starting_now(context.call_deadline()),
            context,
            progress,
            cancelled: request.ct.clone(),
            peer: Some(request.peer.clone()),
            arguments_as_sent: JsonObject::new(),
            takes_tasks,
            tool: Cow::Borrowed(""),
        }
    }

    /// A call outside any session (tests, internal use): no progress, never cancelled.
    pub fn detached(context: Arc<C>) -> Self {
        Self {
            deadline: Deadline::starting_now(context.call_deadline()),
            context,
            progress: Progress::none(),
            cancelled: CancellationToken::new(),
            peer: None,
            arguments_as_sent: JsonObject::new(),
            takes_tasks: false,
            tool: Cow::Borrowed(""),
        }
    }

    pub(super) fn with_arguments_as_sent(mut self, arguments: JsonObject) -> Self {
        self.arguments_as_sent = arguments;
        self
    }

    /// The arguments exactly as the client sent them (mutating tools only; else empty).
    pub fn arguments_as_sent(&self) -> &JsonObject {
        &self.arguments_as_sent
    }

    /// Runs `work` (CPU work on Hatchet's answers: shaping, diffing, ranking) off the runtime
    /// thread, within the call's deadline; `doing` names it in the error when the deadline
    /// passes first.
    pub async fn compute<T, F>(&self, doing: &'static str, work: F) -> Result<T, ToolError>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        Ok(self.deadline.off_thread(doing, work).await?)
    }
}

impl<C> Deref for Call<C> {
    type Target = C;

    fn deref(&self) -> &C {
        &self.context
    }
}

/// Sends `notifications/progress` for one call (redacted on its way out, like every line).
#[derive(Clone)]
pub struct Progress {
    target: Option<ProgressTarget>,
}

#[derive(Clone)]
struct ProgressTarget {
    peer: Peer<RoleServer>,
    token: ProgressToken,
}

impl Progress {
    /// Reports nothing: the call carried no `progressToken`.
    pub fn none() -> Self {
        Self { target: None }
    }

    fn to(peer: Peer<RoleServer>, token: ProgressToken) -> Self {
        Self {
            target: Some(ProgressTarget { peer, token }),
        }
    }

    /// Reports `progress` (increasing with each report) out of `total` when known. A client
    /// that has gone away is not an error for the call: the report is dropped.
    pub async fn report(&self, progress: f64, total: Option<f64>, message: &str) {
        let Some(target) = &self.target else { return };
        let mut param = ProgressNotificationParam::new(target.token.clone(), progress)
            .with_message(message.to_owned());
        param.total = total;
        if let Err(error) = target.peer.notify_progress(param).await {
            tracing::debug!(%error, "progress notification not sent");
        }
    }
}
