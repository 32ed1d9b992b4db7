//! The tool registry: every tool as data (name, title, description, effect, REST call,
//! input schema, handler), grouped by domain. The server registers what the mode allows.
//!
//! A handler is short: it receives typed arguments (parsed and validated by
//! [`args::parse`](super::args::parse) against the tool's own schema), calls one client
//! function, and shapes the answer with [`output`](super::output).

mod bulk;
mod events;
mod filters;
mod metrics;
mod runs;
mod schedules;
mod tasks;
mod workers;
mod workflows;

use std::{future::Future, pin::Pin, sync::Arc, time::Instant};

use rmcp::model::{Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{
    args::{self, ArgError, JsonObject},
    output::{self, Answer, TooLarge},
};
use crate::hatchet::{ApiError, Client};

/// What a tool handler can use.
pub struct ToolContext {
    pub client: Client,
    /// `HATCHET_CLIENT_NAMESPACE`, normalised (`staging_`).
    pub namespace: Option<String>,
    /// The soft result ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`): see [`output`].
    pub max_result_bytes: usize,
    /// Keys the bulk tools' confirm tokens. Derived from the API token, so a token outlives
    /// the process that issued it, yet only a holder of the API token can make one.
    confirm_key: ring::hmac::Key,
}

impl ToolContext {
    pub fn new(client: Client, namespace: Option<String>) -> Self {
        Self {
            confirm_key: client.derived_key("hatchet-mcp confirm v1"),
            client,
            namespace,
            max_result_bytes: output::DEFAULT_MAX_RESULT_BYTES,
        }
    }

    /// The key of the bulk tools' confirm tokens.
    pub fn confirm_key(&self) -> &ring::hmac::Key {
        &self.confirm_key
    }

    /// Prefixes a workflow name or event key with the namespace, as the official SDKs do.
    pub fn namespaced(&self, name: &str) -> String {
        match &self.namespace {
            Some(ns) if !name.starts_with(ns.as_str()) => format!("{ns}{name}"),
            _ => name.to_owned(),
        }
    }
}

/// Whether a tool changes anything. This is the single source of the annotations and of
/// which tools read-only mode registers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Read,
    Mutating {
        idempotent: bool,
        /// The read tool that shows whether it took effect, named when the outcome is unknown.
        verify_with: &'static str,
    },
}

impl Effect {
    /// The (readOnly, destructive, idempotent) hints this effect implies; openWorld is
    /// always true, since every tool talks to Hatchet.
    pub fn hints(self) -> (bool, bool, bool) {
        match self {
            Effect::Read => (true, false, true),
            Effect::Mutating { idempotent, .. } => (false, true, idempotent),
        }
    }
}

/// Why a call failed; shown to the model as an `isError` result.
#[derive(Debug, thiserror::Error)]
pub enum ToolError {
    #[error(transparent)]
    Args(#[from] ArgError),
    #[error(transparent)]
    Api(#[from] ApiError),
    #[error(transparent)]
    TooLarge(#[from] TooLarge),
    /// Not done, and why: read-only mode, a bulk limit, a missing confirmation.
    #[error("{0}")]
    Refused(String),
    /// Hatchet answered, but not as it should have (say, a workflow still not paused).
    #[error("{0}")]
    Unexpected(String),
    /// A mutation whose request may have reached Hatchet: never retried automatically.
    #[error("{error} Check with `{verify_with}` before trying again.")]
    OutcomeUnknown {
        error: ApiError,
        verify_with: &'static str,
    },
}

/// What a successful call answers; the server renders it to compact JSON text within the
/// result ceiling.
pub type ToolResult = Result<Answer, ToolError>;

type BoxFuture = Pin<Box<dyn Future<Output = ToolResult> + Send>>;
type Handler =
    Arc<dyn Fn(Arc<ToolContext>, &JsonObject, Option<JsonObject>) -> BoxFuture + Send + Sync>;

pub struct ToolSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub description: &'static str,
    pub effect: Effect,
    /// The REST call it makes, for the generated reference.
    pub rest: &'static str,
    pub input_schema: Arc<JsonObject>,
    handler: Handler,
}

impl ToolSpec {
    /// A read tool: `handler` gets the arguments parsed into `A`.
    pub fn read<A, F, Fut>(
        name: &'static str,
        title: &'static str,
        rest: &'static str,
        description: &'static str,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Arc<ToolContext>, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let handler = move |ctx, args: A, _: JsonObject| handler(ctx, args);
        Self::build(name, title, rest, description, Effect::Read, false, handler)
    }

    /// A mutating tool: registered only in read-write mode; `effect` says whether it is
    /// idempotent and which read tool verifies it.
    fn mutating<A, F, Fut>(
        name: &'static str,
        title: &'static str,
        rest: &'static str,
        effect: Effect,
        description: &'static str,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Arc<ToolContext>, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let handler = move |ctx, args: A, _: JsonObject| handler(ctx, args);
        Self::mutating_as_sent(name, title, rest, effect, description, handler)
    }

    /// As [`mutating`](Self::mutating), for a handler that also needs the arguments as the
    /// client sent them, before coercion and parsing.
    fn mutating_as_sent<A, F, Fut>(
        name: &'static str,
        title: &'static str,
        rest: &'static str,
        effect: Effect,
        description: &'static str,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Arc<ToolContext>, A, JsonObject) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        debug_assert!(
            matches!(effect, Effect::Mutating { .. }),
            "{name} must be Effect::Mutating"
        );
        Self::build(name, title, rest, description, effect, true, handler)
    }

    /// `keep_sent`: whether the handler gets the arguments as sent (else an empty object).
    fn build<A, F, Fut>(
        name: &'static str,
        title: &'static str,
        rest: &'static str,
        description: &'static str,
        effect: Effect,
        keep_sent: bool,
        handler: F,
    ) -> Self
    where
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Arc<ToolContext>, A, JsonObject) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let handler: Handler = Arc::new(move |ctx, schema, arguments| {
            let sent = match (keep_sent, &arguments) {
                (true, Some(sent)) => sent.clone(),
                _ => JsonObject::new(),
            };
            // Arguments are parsed before anything is sent: a bad one sends nothing.
            match args::parse::<A>(schema, arguments) {
                Ok(parsed) => Box::pin(handler(ctx, parsed, sent)),
                Err(error) => Box::pin(std::future::ready(Err(error.into()))),
            }
        });
        Self {
            name,
            title,
            description,
            effect,
            rest,
            input_schema: Arc::new(args::schema_for::<A>()),
            handler,
        }
    }

    pub fn is_mutating(&self) -> bool {
        matches!(self.effect, Effect::Mutating { .. })
    }

    /// Runs the tool. Mutating tools re-check the mode here (the registry already left them
    /// out in read-only mode), never leave an unknown outcome unexplained, and write one
    /// audit line to stderr.
    pub fn call(&self, ctx: Arc<ToolContext>, arguments: Option<JsonObject>) -> BoxFuture {
        let Effect::Mutating { verify_with, .. } = self.effect else {
            return (self.handler)(ctx, &self.input_schema, arguments);
        };
        if ctx.client.read_only() {
            let refusal = format!(
                "`{}` changes live state and this server is read-only; set HATCHET_MCP_READ_ONLY=false to allow it.",
                self.name
            );
            return Box::pin(std::future::ready(Err(ToolError::Refused(refusal))));
        }
        let targets = audit_targets(arguments.as_ref(), &ctx.client);
        let future = (self.handler)(ctx, &self.input_schema, arguments);
        let mut audit = AuditLine {
            tool: self.name,
            targets,
            started: Instant::now(),
            finished: false,
        };
        Box::pin(async move {
            let result = match future.await {
                Err(ToolError::Api(error)) if error.outcome_unknown => {
                    Err(ToolError::OutcomeUnknown { error, verify_with })
                }
                other => other,
            };
            let outcome = match &result {
                Ok(_) => "ok",
                Err(ToolError::Args(_)) => "invalid_arguments",
                Err(ToolError::OutcomeUnknown { .. }) => "unknown",
                Err(_) => "error",
            };
            // A bulk tool that only previewed (by default, or refusing a stale confirm)
            // says so in its answer.
            let previewed = matches!(&result, Ok(Answer::Item(answer)) if answer.get("executed") == Some(&Value::Bool(false)));
            audit.write(if previewed { "preview" } else { "execute" }, outcome);
            result
        })
    }

    /// The MCP definition, as `tools/list` shows it.
    pub fn to_mcp(&self) -> Tool {
        let (read_only, destructive, idempotent) = self.effect.hints();
        let annotations = ToolAnnotations::with_title(self.title)
            .read_only(read_only)
            .destructive(destructive)
            .idempotent(idempotent)
            .open_world(true);
        let mut tool = Tool::new(self.name, self.description, self.input_schema.clone());
        tool.annotations = Some(annotations);
        tool
    }
}

/// One mutating call's audit line. Written when the call ends, or, if the client cancels
/// it first (the call's task is dropped mid-request), on drop with outcome `cancelled`:
/// such a call may have reached Hatchet, so it must leave a line too.
struct AuditLine {
    tool: &'static str,
    /// Already escaped, bounded and redacted.
    targets: String,
    started: Instant,
    finished: bool,
}

impl AuditLine {
    fn write(&mut self, phase: &str, outcome: &str) {
        self.finished = true;
        let duration_ms = self.started.elapsed().as_millis() as u64;
        tracing::info!(target: "audit", tool = self.tool, phase, targets = %self.targets, outcome, duration_ms, "mutating call");
    }
}

impl Drop for AuditLine {
    fn drop(&mut self) {
        if !self.finished {
            self.write("execute", "cancelled");
        }
    }
}

/// The most characters of one audit value, and of all targets together.
const AUDIT_VALUE_CHARS: usize = 120;
const AUDIT_TARGETS_CHARS: usize = 2_000;

/// A value as an audit line shows it: redacted, control characters escaped (a newline in
/// an argument cannot forge a second line), then cut to [`AUDIT_VALUE_CHARS`].
fn audit_value(text: &str, client: &Client) -> String {
    let escaped: String = client
        .redact(text)
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    crate::text::cut(&escaped, AUDIT_VALUE_CHARS)
}

/// What an audit line names as the call's targets: ids, workflow names and event keys, never
/// payload contents. Long id lists are cut, with the count.
fn audit_targets(arguments: Option<&JsonObject>, client: &Client) -> String {
    const SHOWN: usize = 20;
    let mut targets = Vec::new();
    for (name, value) in arguments.into_iter().flatten() {
        let is_target = name.ends_with("_id")
            || name.ends_with("_ids")
            || name == "workflow_name"
            || name == "key";
        if !is_target {
            continue;
        }
        let items = match value {
            Value::Array(items) => items.as_slice(),
            single => std::slice::from_ref(single),
        };
        // Only the values shown are formatted: a call may name hundreds of ids.
        let mut shown = items
            .iter()
            .take(SHOWN)
            .map(|v| {
                audit_value(
                    &v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    client,
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let more = items.len().saturating_sub(SHOWN);
        if more > 0 {
            shown.push_str(&format!(",+{more} more"));
        }
        targets.push(format!("{}={shown}", audit_value(name, client)));
    }
    if targets.is_empty() {
        "filter".to_owned()
    } else {
        crate::text::cut(&targets.join(" "), AUDIT_TARGETS_CHARS)
    }
}

/// Every tool, in the order `tools/list` shows them.
pub fn all() -> Vec<ToolSpec> {
    [
        workflows::read_tools(),
        runs::read_tools(),
        tasks::read_tools(),
        workers::read_tools(),
        events::read_tools(),
        schedules::read_tools(),
        filters::read_tools(),
        metrics::read_tools(),
        runs::mutating_tools(),
        bulk::mutating_tools(),
        tasks::mutating_tools(),
        events::mutating_tools(),
        workflows::mutating_tools(),
        workers::mutating_tools(),
        schedules::mutating_tools(),
        filters::mutating_tools(),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// The tools this mode registers: in read-only mode, no mutating tool at all.
pub fn registered(read_only: bool) -> Vec<ToolSpec> {
    all()
        .into_iter()
        .filter(|tool| !(read_only && tool.is_mutating()))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::{
        config::Secret,
        hatchet::{ClientOptions, RetryPolicy},
        mcp::args::NoArgs,
    };

    fn context(read_only: bool) -> Arc<ToolContext> {
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

    async fn changes_things(_: Arc<ToolContext>, _: NoArgs) -> ToolResult {
        Ok(output::item("changed".into()))
    }

    fn mutating_tool() -> ToolSpec {
        let effect = Effect::Mutating {
            idempotent: false,
            verify_with: "get_run",
        };
        ToolSpec::mutating(
            "change",
            "Change",
            "POST /x",
            effect,
            "MUTATES LIVE STATE. Test.",
            changes_things,
        )
    }

    #[tokio::test]
    async fn a_mutating_handler_rechecks_read_only_mode_before_running() {
        let refused = mutating_tool().call(context(true), None).await.unwrap_err();
        assert!(matches!(refused, ToolError::Refused(_)), "{refused}");
        assert!(refused.to_string().contains("HATCHET_MCP_READ_ONLY=false"));
        assert_eq!(
            mutating_tool().call(context(false), None).await.unwrap(),
            output::item("changed".into())
        );
    }

    #[test]
    fn read_only_mode_registers_no_mutating_tool() {
        assert!(registered(true).iter().all(|t| !t.is_mutating()));
        let annotations = mutating_tool().to_mcp().annotations.unwrap();
        assert_eq!(
            (
                annotations.read_only_hint,
                annotations.destructive_hint,
                annotations.idempotent_hint
            ),
            (Some(false), Some(true), Some(false))
        );
    }

    #[test]
    fn audit_targets_cannot_forge_lines_and_are_bounded() {
        let arguments = serde_json::json!({
            "workflow_name": "etl\n2026-01-01T00:00:00Z INFO audit: forged\u{1b}[31m",
            "run_ids": vec!["r".repeat(10_000); 600],
        });
        let targets = audit_targets(arguments.as_object(), &context(false).client);
        assert!(
            !targets.contains('\n') && !targets.contains('\u{1b}'),
            "{targets}"
        );
        assert!(targets.contains("etl\\n2026"), "{targets}");
        assert!(
            targets.chars().count() <= AUDIT_TARGETS_CHARS + 1,
            "{}",
            targets.len()
        );
        // Redacted before the cut: a token near the cut leaves no piece of itself.
        let near_cut = serde_json::json!({"key": format!("{}test-api-token", "x".repeat(110))});
        let targets = audit_targets(near_cut.as_object(), &context(false).client);
        assert!(
            !targets.contains("test-api") && targets.contains("[REDACTED]"),
            "{targets}"
        );
    }

    #[test]
    fn namespace_prefixes_once() {
        let ctx = context(true);
        assert_eq!(ctx.namespaced("etl"), "staging_etl");
        assert_eq!(ctx.namespaced("staging_etl"), "staging_etl");
    }
}
