//! The tool registry: what a tool is ([`ToolSpec`]), what a call gets ([`Call`]), and the
//! set of registered tools, which can change while serving ([`Registry`]).
//!
//! A tool comes in one of two ways:
//! - typed ([`ToolSpec::typed`]): its arguments are a Rust struct; the schema is generated
//!   from it and the handler receives the parsed struct;
//! - schema-only ([`ToolSpec::from_schema`]): a JSON Schema that arrives at runtime (say, a
//!   workflow's input schema); arguments are validated against it and the handler receives
//!   the JSON object.
//!
//! Either way the metadata is named ([`About`]), so two strings cannot be swapped unnoticed.

pub mod audit;
mod call;
mod live;
mod validate;

use std::{
    borrow::Cow,
    future::Future,
    ops::Deref,
    pin::Pin,
    sync::{Arc, OnceLock},
    time::Duration,
};

use rmcp::model::{Tool, ToolAnnotations};
use schemars::JsonSchema;
use serde::de::DeserializeOwned;

pub use crate::toolsets::{Group, Toolsets};
pub use call::{Call, Context, Offered, Progress};
pub use live::{Registry, ToolSet, Withheld};
pub use validate::SchemaError;

use super::{
    args::{self, ArgError, JsonObject},
    output::{Answer, TooLarge},
    summary::{self, Summary},
};
use crate::{
    hatchet::{ApiError, ErrorKind},
    work::{Deadline, Expired},
};

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

/// What a mutating tool's audit line names as its targets: the arguments the tool itself
/// defines as identifying what it acts on (ids, names, keys), never its payload. A tool
/// made at runtime from a workflow's input schema declares none of its fields: its name
/// already says which workflow it runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Targets {
    /// Arguments whose values the line shows, when given.
    pub arguments: &'static [&'static str],
    /// For a tool that acts on a filter when none of `arguments` is given: the line then
    /// says `filter`, followed by these arguments (the ids a filter names), when given.
    pub filter: Option<&'static [&'static str]>,
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
    /// The call's deadline passed while it worked on Hatchet's answers.
    #[error(transparent)]
    Expired(#[from] Expired),
}

/// How long past its deadline a call may still end on its own: a request that times out
/// at the deadline reports that itself (naming the host that did not answer). Past this,
/// the call is stopped.
pub const DEADLINE_GRACE: Duration = Duration::from_millis(500);

/// What a successful call answers; the server renders it to compact JSON text within the
/// result ceiling.
pub type ToolResult = Result<Answer, ToolError>;

pub type BoxFuture = Pin<Box<dyn Future<Output = ToolResult> + Send>>;

/// Runs one call: the arguments have already been checked against the tool's schema.
type Handler<C> = Arc<dyn Fn(Call<C>, &JsonObject, Option<JsonObject>) -> BoxFuture + Send + Sync>;

/// A tool's metadata, by name. `S` is `&'static str` for the built-in tools and `String`
/// for tools made at runtime.
pub struct About<S> {
    /// The name a client calls it by (`list_runs`).
    pub name: S,
    /// A short human title (`List runs`).
    pub title: S,
    pub group: Group,
    pub effect: Effect,
    /// The REST call it makes, for the generated reference (`GET /api/v1/...`).
    pub rest: S,
    /// What `tools/list` tells the model: every byte is paid in every conversation.
    pub description: S,
}

/// A tool's input schema, generated when first needed: `initialize` needs none, and a
/// read-only server never lists or calls its mutating tools. Reads as the schema itself.
pub struct InputSchema {
    schema: OnceLock<Arc<JsonObject>>,
    generate: fn() -> JsonObject,
}

impl InputSchema {
    fn lazy(generate: fn() -> JsonObject) -> Self {
        Self {
            schema: OnceLock::new(),
            generate,
        }
    }

    fn ready(schema: JsonObject) -> Self {
        Self {
            schema: OnceLock::from(Arc::new(schema)),
            generate: JsonObject::new,
        }
    }

    /// The schema, shared.
    pub fn arc(&self) -> Arc<JsonObject> {
        self.generated().clone()
    }

    // Not `get`: that is the schema's own (a `Map`'s) method, reached through `Deref`.
    fn generated(&self) -> &Arc<JsonObject> {
        self.schema.get_or_init(|| Arc::new((self.generate)()))
    }
}

impl Deref for InputSchema {
    type Target = JsonObject;

    fn deref(&self) -> &JsonObject {
        self.generated()
    }
}

/// One tool: its metadata, its input schema and its handler, which gets a [`Call`] on
/// the context `C`.
pub struct ToolSpec<C> {
    pub name: Cow<'static, str>,
    pub title: Cow<'static, str>,
    pub description: Cow<'static, str>,
    pub group: Group,
    pub effect: Effect,
    pub rest: Cow<'static, str>,
    pub input_schema: InputSchema,
    /// Whether the `default` toolset has it (see [`ToolSpec::opt_in`]).
    pub in_default: bool,
    /// What its audit line names (see [`ToolSpec::targets`]); none unless declared.
    pub targets: Targets,
    /// The summary of a list tool's rows (see [`ToolSpec::lists`]).
    pub summary: Option<&'static Summary>,
    /// Whether it may answer an MCP task instead of waiting (see [`ToolSpec::deferrable`]).
    pub deferrable: bool,
    /// The MCP Apps view its answers can be shown in (see [`ToolSpec::view`]).
    pub view: Option<&'static str>,
    handler: Handler<C>,
}

impl<C: Context> ToolSpec<C> {
    /// A tool whose arguments are the Rust type `A`: the schema is generated from it, and
    /// `handler` receives them parsed (a bad argument sends nothing upstream).
    pub fn typed<S, A, F, Fut>(about: About<S>, handler: F) -> Self
    where
        S: Into<Cow<'static, str>>,
        A: DeserializeOwned + JsonSchema + Send + 'static,
        F: Fn(Call<C>, A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let handler: Handler<C> =
            Arc::new(
                move |call, schema, arguments| match args::parse::<A>(schema, arguments) {
                    Ok(parsed) => Box::pin(handler(call, parsed)),
                    Err(error) => Box::pin(std::future::ready(Err(error.into()))),
                },
            );
        Self::assemble(about, InputSchema::lazy(args::schema_for::<A>), handler)
    }

    /// A tool whose input schema arrives at runtime: the arguments are validated against
    /// `schema` (JSON Schema 2020-12) and `handler` receives them as sent. Fails when the
    /// schema itself is not valid, or references anything outside itself.
    pub fn from_schema<S, F, Fut>(
        about: About<S>,
        schema: JsonObject,
        handler: F,
    ) -> Result<Self, SchemaError>
    where
        S: Into<Cow<'static, str>>,
        F: Fn(Call<C>, JsonObject) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ToolResult> + Send + 'static,
    {
        let validator = validate::Validator::compile(&schema)?;
        let handler: Handler<C> = Arc::new(move |call, _, arguments| {
            let mut arguments = arguments.unwrap_or_default();
            match validator.check(&mut arguments) {
                Ok(()) => Box::pin(handler(call, arguments)),
                Err(error) => Box::pin(std::future::ready(Err(error.into()))),
            }
        });
        Ok(Self::assemble(about, InputSchema::ready(schema), handler))
    }

    fn assemble<S: Into<Cow<'static, str>>>(
        about: About<S>,
        input_schema: InputSchema,
        handler: Handler<C>,
    ) -> Self {
        Self {
            name: about.name.into(),
            title: about.title.into(),
            description: about.description.into(),
            group: about.group,
            effect: about.effect,
            rest: about.rest.into(),
            input_schema,
            in_default: true,
            targets: Targets::default(),
            summary: None,
            deferrable: false,
            view: None,
            handler,
        }
    }

    /// Declares the arguments that name what this (mutating) tool acts on: the only ones
    /// its audit line shows.
    pub fn targets(mut self, arguments: &'static [&'static str]) -> Self {
        self.targets.arguments = arguments;
        self
    }

    /// Declares that, given none of its target arguments, this tool acts on a filter; the
    /// audit line then says `filter` and shows `ids` (the filter's id arguments) when given.
    pub fn or_filter(mut self, ids: &'static [&'static str]) -> Self {
        self.targets.filter = Some(ids);
        self
    }

    /// Declares a list tool's summary rows: its answers' rows are projected by `summary`
    /// unless the call asks for them whole ([`Answer::detail`]).
    pub fn lists(mut self, summary: &'static Summary) -> Self {
        self.summary = Some(summary);
        self
    }

    /// Declares that the tool may answer an MCP task at once, to a client that takes them,
    /// rather than wait (`Answer::Task`): the server advertises the Tasks extension only
    /// while it registers such a tool.
    pub fn deferrable(mut self) -> Self {
        self.deferrable = true;
        self
    }

    /// Declares the MCP Apps view (a `ui://` resource) that shows this tool's answers:
    /// `tools/list` names it in the tool's `_meta.ui.resourceUri`.
    pub fn view(mut self, uri: &'static str) -> Self {
        self.view = Some(uri);
        self
    }

    /// Leaves the tool out of the `default` toolset: only its group (or `all`) registers it,
    /// so the standard surface and its context cost stay as they are.
    pub fn opt_in(mut self) -> Self {
        self.in_default = false;
        self
    }

    pub fn is_mutating(&self) -> bool {
        matches!(self.effect, Effect::Mutating { .. })
    }

    /// Runs the tool. Mutating tools re-check the mode here (the registry already left them
    /// out in read-only mode), never leave an unknown outcome unexplained, and write one
    /// audit line to stderr.
    pub fn call(&self, mut call: Call<C>, arguments: Option<JsonObject>) -> BoxFuture {
        call.tool = self.name.clone();
        let deadline = call.deadline.clone();
        let Effect::Mutating { verify_with, .. } = self.effect else {
            let future = (self.handler)(call, &self.input_schema, arguments);
            let summary = self.summary;
            return Box::pin(async move {
                let answer = within(deadline, false, future).await?;
                Ok(answer.summarised_by(summary))
            });
        };
        if call.read_only() {
            let refusal = format!(
                "`{}` changes live state and this server is read-only; set HATCHET_MCP_READ_ONLY=false to allow it.",
                self.name
            );
            return Box::pin(std::future::ready(Err(ToolError::Refused(refusal))));
        }
        let audit = audit::AuditLine::start(
            &self.name,
            self.targets,
            arguments.as_ref(),
            call.redactor(),
            call.caller(),
        );
        // Mutating tools may need the arguments exactly as sent (a bulk confirm token
        // covers the filter as the client wrote it): small, and only for these tools.
        let call = call.with_arguments_as_sent(arguments.clone().unwrap_or_default());
        let future = (self.handler)(call, &self.input_schema, arguments);
        let future = within(deadline, true, future);
        Box::pin(async move {
            let result = match future.await {
                Err(ToolError::Api(error)) if error.outcome_unknown => {
                    Err(ToolError::OutcomeUnknown { error, verify_with })
                }
                other => other,
            };
            audit.finish(&result);
            result
        })
    }

    /// The MCP definition, as `tools/list` shows it.
    pub fn to_mcp(&self) -> Tool {
        let (read_only, destructive, idempotent) = self.effect.hints();
        let annotations = ToolAnnotations::with_title(self.title.clone())
            .read_only(read_only)
            .destructive(destructive)
            .idempotent(idempotent)
            .open_world(true);
        let mut tool = Tool::new(
            self.name.clone(),
            self.description.clone(),
            self.published_schema(),
        );
        tool.annotations = Some(annotations);
        if let Some(uri) = self.view {
            let mut meta = JsonObject::new();
            meta.insert("ui".into(), serde_json::json!({ "resourceUri": uri }));
            tool.meta = Some(rmcp::model::MetaObject(meta));
        }
        tool
    }

    /// The input schema `tools/list` shows: the full one, with the arguments every list
    /// takes alike ([`summary::list_arguments`]) in their short published form (`limit`
    /// without its bounds, which its refusal states). They are listed so that a client that
    /// does not pass the server's instructions to the model still shows it how to page and
    /// how to ask for whole rows.
    fn published_schema(&self) -> Arc<JsonObject> {
        let shared = summary::list_arguments();
        let published = summary::published_list_arguments();
        let properties = self
            .input_schema
            .get("properties")
            .and_then(|p| p.as_object());
        let is_shortened = |(name, schema): (&String, &serde_json::Value)| {
            shared.get(name) == Some(schema) && published.get(name) != Some(schema)
        };
        if !properties.is_some_and(|p| p.iter().any(is_shortened)) {
            return self.input_schema.arc();
        }
        let mut schema = (*self.input_schema).clone();
        if let Some(serde_json::Value::Object(properties)) = schema.get_mut("properties") {
            for (name, property) in properties.iter_mut() {
                if shared.get(name) == Some(&*property)
                    && let Some(short) = published.get(name)
                {
                    *property = short.clone();
                }
            }
        }
        Arc::new(schema)
    }
}

/// Runs a handler's `future` with `deadline` as its task's (so its requests are held to it),
/// and stops it [`DEADLINE_GRACE`] after the deadline. A stopped mutation may have reached
/// Hatchet: its outcome is unknown.
async fn within(deadline: Arc<Deadline>, mutating: bool, future: BoxFuture) -> ToolResult {
    let mut future = std::pin::pin!(deadline.clone().scope(future));
    tokio::select! {
        biased;
        result = &mut future => return result,
        () = deadline.passed() => {}
    }
    if let Ok(result) = tokio::time::timeout(DEADLINE_GRACE, future).await {
        return result;
    }
    let expired = deadline.expired("waiting for Hatchet or working on its answers");
    let mut error = ApiError::new(ErrorKind::Timeout, expired.to_string());
    error.outcome_unknown = mutating;
    Err(error.into())
}

#[cfg(test)]
mod tests {

    use serde_json::json;

    use super::*;
    use crate::{
        mcp::{args::NoArgs, output},
        redact::Redactor,
    };

    /// The least context a tool can be called with: a 1 s deadline, a mode, a token.
    pub(super) struct TestContext {
        read_only: bool,
        redactor: Redactor,
    }

    impl Context for TestContext {
        fn call_deadline(&self) -> Duration {
            Duration::from_secs(1)
        }

        fn read_only(&self) -> bool {
            self.read_only
        }

        fn redactor(&self) -> &Redactor {
            &self.redactor
        }
    }

    pub(super) type Call = super::Call<TestContext>;
    pub(super) type ToolSpec = super::ToolSpec<TestContext>;

    pub(super) fn context(read_only: bool) -> Arc<TestContext> {
        Arc::new(TestContext {
            read_only,
            redactor: Redactor::new("test-api-token"),
        })
    }

    async fn changes_things(_: Call, _: NoArgs) -> ToolResult {
        Ok(output::item("changed".into()))
    }

    fn mutating_tool() -> ToolSpec {
        let about = About {
            name: "change",
            title: "Change",
            group: Group::Runs,
            effect: Effect::Mutating {
                idempotent: false,
                verify_with: "get_run",
            },
            rest: "POST /x",
            description: "MUTATES LIVE STATE. Test.",
        };
        ToolSpec::typed(about, changes_things)
    }

    #[tokio::test]
    async fn a_mutating_handler_rechecks_read_only_mode_before_running() {
        let call = |read_only| Call::detached(context(read_only));
        let refused = mutating_tool().call(call(true), None).await.unwrap_err();
        assert!(matches!(refused, ToolError::Refused(_)), "{refused}");
        assert!(refused.to_string().contains("HATCHET_MCP_READ_ONLY=false"));
        assert_eq!(
            mutating_tool().call(call(false), None).await.unwrap(),
            output::item("changed".into())
        );
    }

    fn slow_tool(effect: Effect, work: fn(Call) -> BoxFuture) -> ToolSpec {
        let about = About {
            name: "slow",
            title: "Slow",
            group: Group::Runs,
            effect,
            rest: "none",
            description: "Works past its deadline.",
        };
        ToolSpec::typed(about, move |call, _: NoArgs| work(call))
    }

    /// The test context's deadline is 1 s: a call stopped by it ends at the deadline, or
    /// within [`DEADLINE_GRACE`] after it.
    fn assert_stopped_at_the_deadline(started: tokio::time::Instant) {
        let elapsed = started.elapsed();
        let deadline = Duration::from_secs(1);
        assert!(
            elapsed >= deadline && elapsed <= deadline + DEADLINE_GRACE,
            "{elapsed:?}"
        );
    }

    /// On the wall clock: the work is a real thread's, and tokio's paused clock does not
    /// move while one runs.
    #[tokio::test]
    async fn cpu_work_is_given_up_at_the_deadline() {
        let computing = slow_tool(Effect::Read, |call| {
            Box::pin(async move {
                let value = call
                    .compute("counting", || {
                        std::thread::sleep(Duration::from_secs(3));
                        1
                    })
                    .await?;
                Ok(output::item(value.into()))
            })
        });
        let started = tokio::time::Instant::now();
        let error = computing
            .call(Call::detached(context(true)), None)
            .await
            .unwrap_err();
        // On the wall clock, a loaded machine may add to it; nothing near the 3 s of work.
        let elapsed = started.elapsed();
        assert!(elapsed < Duration::from_millis(2_500), "{elapsed:?}");
        assert_eq!(
            error.to_string(),
            "The call did not finish within 1s (the call deadline, set by HATCHET_MCP_TIMEOUT_SECS) while counting; nothing more was done."
        );
    }

    /// On tokio's paused clock, which moves only when every task waits: exact, and no
    /// real second passes.
    #[tokio::test(start_paused = true)]
    async fn a_call_that_waits_is_stopped_just_after_its_deadline() {
        // A stopped mutation's outcome is unknown.
        let waiting = |effect| {
            slow_tool(effect, |_| {
                Box::pin(async {
                    tokio::time::sleep(Duration::from_secs(30)).await;
                    Ok(output::item("late".into()))
                })
            })
        };
        let started = tokio::time::Instant::now();
        let error = waiting(Effect::Read)
            .call(Call::detached(context(true)), None)
            .await
            .unwrap_err();
        assert_stopped_at_the_deadline(started);
        assert!(
            error
                .to_string()
                .starts_with("The call did not finish within 1s"),
            "{error}"
        );
        let mutation = Effect::Mutating {
            idempotent: false,
            verify_with: "get_run",
        };
        let error = waiting(mutation)
            .call(Call::detached(context(false)), None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                error,
                ToolError::OutcomeUnknown {
                    verify_with: "get_run",
                    ..
                }
            ),
            "{error}"
        );
    }

    #[test]
    fn a_schema_is_generated_when_first_needed() {
        let tool = mutating_tool();
        assert!(
            tool.input_schema.schema.get().is_none(),
            "not at construction"
        );
        let listed = tool.to_mcp();
        assert!(tool.input_schema.schema.get().is_some());
        assert_eq!(*listed.input_schema, *tool.input_schema);
    }

    #[test]
    fn a_mutating_tool_is_annotated_destructive() {
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

    fn echo_tool() -> ToolSpec {
        let about = About {
            name: "echo".to_owned(),
            title: "Echo".to_owned(),
            group: Group::Workflows,
            effect: Effect::Read,
            rest: "none".to_owned(),
            description: "Echoes its arguments.".to_owned(),
        };
        let schema = json!({
            "type": "object",
            "properties": {"n": {"type": "integer", "minimum": 1}},
            "required": ["n"],
            "additionalProperties": false
        });
        ToolSpec::from_schema(
            about,
            schema.as_object().unwrap().clone(),
            |_, a| async move { Ok(output::item(a.into())) },
        )
        .unwrap()
    }

    #[tokio::test]
    async fn a_schema_only_tool_validates_before_its_handler_runs() {
        let tool = echo_tool();
        let call = || Call::detached(context(true));
        let good = json!({"n": 2}).as_object().cloned();
        assert_eq!(
            tool.call(call(), good).await.unwrap(),
            output::item(json!({"n": 2}))
        );
        let bad = json!({"n": 0}).as_object().cloned();
        let error = tool.call(call(), bad).await.unwrap_err().to_string();
        assert_eq!(error, "Invalid argument `n`: must be >=1, but got 0.");
        let missing = tool.call(call(), None).await.unwrap_err().to_string();
        assert!(missing.contains("`n`"), "{missing}");
    }
}
