//! Each workflow as its own typed tool (`HATCHET_MCP_WORKFLOW_TOOLS`, read-write mode only):
//! `run_<workflow>` whose input schema is the latest version's `inputJsonSchema`, so the model
//! fills typed fields rather than guessing a JSON blob for `trigger_workflow`.
//!
//! The tools are loaded in the background (the first answer never waits on Hatchet) and
//! registered when ready, which sends `tools/list_changed`; a `tools/list` re-checks the
//! versions at most once a minute, and a changed schema is re-registered the same way.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use serde_json::{Map, Value, json};
use tokio::time::Instant;
use uuid::Uuid;

use super::{
    args::JsonObject,
    output,
    registry::{About, Call, Effect, Group, Registry, ToolContext, ToolError, ToolSpec},
    tools::wait_after_trigger,
};
use crate::hatchet::runs::TriggerRun;

/// The most workflow tools one server registers (`*` takes the first ones listed).
pub const MAX_WORKFLOW_TOOLS: usize = 50;
/// An input schema larger than this, as compact JSON, is not published: the tool takes
/// `input` as one object instead.
pub const MAX_SCHEMA_BYTES: usize = 4_096;
/// How often a `tools/list` may trigger a check for new workflow versions.
pub const REFRESH_EVERY: Duration = Duration::from_secs(60);
/// Nested local `$ref`s are inlined this deep; deeper (recursive) ones keep their `$defs`.
const INLINE_DEPTH: usize = 8;

/// Which workflows get a tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkflowToolsSpec {
    /// `*`: every workflow, up to [`MAX_WORKFLOW_TOOLS`].
    All,
    Named(Vec<String>),
}

impl WorkflowToolsSpec {
    /// Parses the variable's value: `*`, or a comma list of workflow names. Two names that
    /// make the same tool name are refused.
    pub fn parse(text: &str) -> Result<Self, String> {
        let names: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect();
        if names.iter().any(|n| n == "*") {
            return if names.len() == 1 {
                Ok(Self::All)
            } else {
                Err("mixes `*` with names: give `*` alone, or names".into())
            };
        }
        if names.is_empty() {
            return Err("names no workflow: give `*` or a comma list of workflow names".into());
        }
        if names.len() > MAX_WORKFLOW_TOOLS {
            return Err(format!(
                "names {} workflows, more than {MAX_WORKFLOW_TOOLS}",
                names.len()
            ));
        }
        let mut seen: HashMap<String, &str> = HashMap::new();
        for name in &names {
            if let Some(other) = seen.insert(tool_name(name), name) {
                return Err(format!(
                    "names `{other}` and `{name}`, which would both be the tool `{}`: keep one",
                    tool_name(name)
                ));
            }
        }
        Ok(Self::Named(names))
    }
}

/// `run_<workflow>`, within MCP's tool-name rules: letters, digits, `_`, `-`, `.`, at most
/// 128 characters.
pub fn tool_name(workflow: &str) -> String {
    let sanitized: String = workflow
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("run_{sanitized}").chars().take(128).collect()
}

/// The registered workflow tools, and when they were last checked.
pub struct WorkflowTools {
    spec: WorkflowToolsSpec,
    context: Arc<ToolContext>,
    registry: Arc<Registry>,
    refresh_every: Duration,
    state: Mutex<RefreshState>,
}

#[derive(Default)]
struct RefreshState {
    checked_at: Option<Instant>,
    running: bool,
    /// Tool name to the workflow version it was built from.
    versions: HashMap<String, String>,
}

impl WorkflowTools {
    pub fn new(
        spec: WorkflowToolsSpec,
        context: Arc<ToolContext>,
        registry: Arc<Registry>,
        refresh_every: Duration,
    ) -> Arc<Self> {
        Arc::new(Self {
            spec,
            context,
            registry,
            refresh_every,
            state: Mutex::default(),
        })
    }

    /// Starts a check in the background unless one runs or the last is recent.
    pub fn refresh_if_due(self: &Arc<Self>) {
        {
            let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            let due = state
                .checked_at
                .is_none_or(|at| at.elapsed() >= self.refresh_every);
            if state.running || !due {
                return;
            }
            state.running = true;
        }
        let this = self.clone();
        tokio::spawn(async move {
            if let Err(error) = this.refresh().await {
                tracing::warn!(%error, "workflow tools not refreshed");
            }
            let mut state = this.state.lock().unwrap_or_else(PoisonError::into_inner);
            state.running = false;
            state.checked_at = Some(Instant::now());
        });
    }

    /// Lists the workflows, and (re)builds the tool of each whose latest version changed.
    async fn refresh(&self) -> Result<(), ToolError> {
        let listing = self.context.workflow_names.listing(&self.context).await?;
        let chosen: Vec<(String, Uuid)> = match &self.spec {
            WorkflowToolsSpec::All => listing.iter().take(MAX_WORKFLOW_TOOLS).cloned().collect(),
            WorkflowToolsSpec::Named(names) => names
                .iter()
                .filter_map(|name| {
                    let namespaced = self.context.namespaced(name);
                    let found = listing
                        .iter()
                        .find(|(known, _)| *known == namespaced || known == name);
                    if found.is_none() {
                        tracing::warn!(workflow = %name, "HATCHET_MCP_WORKFLOW_TOOLS names a workflow this tenant does not have");
                    }
                    found.cloned()
                })
                .collect(),
        };
        let mut changed = Vec::new();
        for (name, id) in chosen {
            let version = self.context.client.get_workflow_version(id, None).await?;
            let version_id = version["metadata"]["id"]
                .as_str()
                .unwrap_or_default()
                .to_owned();
            let tool = tool_name(&name);
            let known = self
                .state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .versions
                .get(&tool)
                .cloned();
            if known.as_deref() == Some(version_id.as_str()) {
                continue;
            }
            if self.registry.find(&tool).is_some() && known.is_none() {
                tracing::warn!(
                    tool,
                    "a workflow tool would replace a tool of the same name; skipped"
                );
                continue;
            }
            changed.push(workflow_tool(&name, &version));
            self.state
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .versions
                .insert(tool, version_id);
        }
        if !changed.is_empty() {
            self.registry.insert_all(changed);
        }
        Ok(())
    }
}

/// The tool of one workflow version.
fn workflow_tool(workflow: &str, version: &Value) -> ToolSpec {
    let mut description = format!("MUTATES LIVE STATE. Run workflow {workflow}.");
    if let Some(own) = version["workflow"]["description"]
        .as_str()
        .filter(|d| !d.is_empty())
    {
        description.push(' ');
        description.push_str(&crate::text::cut(own, 200));
    }
    let about = |description: String| About {
        name: tool_name(workflow),
        title: format!("Run {workflow}"),
        group: Group::Workflows,
        effect: Effect::Mutating {
            idempotent: false,
            verify_with: "list_runs",
        },
        rest: "POST /api/v1/stable/tenants/{t}/workflow-runs/trigger".to_owned(),
        description,
    };
    let workflow: Arc<str> = workflow.into();
    if let Some(schema) = typed_schema(&version["inputJsonSchema"]) {
        let name = workflow.clone();
        let typed = ToolSpec::from_schema(about(description.clone()), schema, move |call, args| {
            run_workflow(call, name.clone(), args, false)
        });
        match typed {
            Ok(tool) => return tool,
            Err(error) => {
                tracing::warn!(workflow = %workflow, %error, "input schema not usable; the tool takes `input`")
            }
        }
    }
    description.push_str(" Pass the input as `input`.");
    ToolSpec::from_schema(about(description), untyped_schema(), move |call, args| {
        run_workflow(call, workflow.clone(), args, true)
    })
    .expect("the fixed fallback schema compiles")
}

/// `{input: object, wait: boolean}`: for a workflow with no (usable) input schema.
fn untyped_schema() -> JsonObject {
    let schema = json!({
        "type": "object",
        "properties": {"input": {"type": "object"}, "wait": {"type": "boolean"}},
        "additionalProperties": false
    });
    match schema {
        Value::Object(schema) => schema,
        _ => unreachable!("an object"),
    }
}

/// The published schema of a workflow's input: self-contained (local `$ref`s inlined,
/// `$defs` kept only while still referenced), plus `wait`; `None` when there is none, it is
/// not an object schema, or it is over [`MAX_SCHEMA_BYTES`].
fn typed_schema(input_schema: &Value) -> Option<JsonObject> {
    let Value::Object(source) = input_schema else {
        return None;
    };
    if source.get("type").and_then(Value::as_str) != Some("object") {
        return None;
    }
    let definitions: Map<String, Value> = ["$defs", "definitions"]
        .iter()
        .filter_map(|key| source.get(*key).and_then(Value::as_object))
        .flat_map(|defs| defs.iter().map(|(k, v)| (k.clone(), v.clone())))
        .collect();
    let mut schema = source.clone();
    schema.remove("$defs");
    schema.remove("definitions");
    schema.remove("$schema");
    schema.remove("title");
    let mut inlined = Value::Object(schema);
    inline_refs(&mut inlined, &definitions, INLINE_DEPTH);
    let Value::Object(mut schema) = inlined else {
        return None;
    };
    if has_ref(&Value::Object(schema.clone())) {
        // Recursive: keep the definitions the remaining references need.
        schema.insert("$defs".into(), Value::Object(definitions));
    }
    let properties = schema
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(properties) = properties {
        properties
            .entry("wait")
            .or_insert_with(|| json!({"type": "boolean"}));
    }
    let bytes = serde_json::to_string(&schema).map_or(usize::MAX, |s| s.len());
    (bytes <= MAX_SCHEMA_BYTES).then_some(schema)
}

/// Replaces each `{"$ref": "#/$defs/X"}` (or `#/definitions/X`) by a copy of X, `depth`
/// levels deep.
fn inline_refs(value: &mut Value, definitions: &Map<String, Value>, depth: usize) {
    match value {
        Value::Object(object) => {
            let target = object
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| {
                    r.strip_prefix("#/$defs/")
                        .or_else(|| r.strip_prefix("#/definitions/"))
                })
                .and_then(|name| definitions.get(name));
            if let (Some(target), true) = (target, depth > 0) {
                let mut replacement = target.clone();
                inline_refs(&mut replacement, definitions, depth - 1);
                object.remove("$ref");
                if let Value::Object(fields) = replacement {
                    for (key, field) in fields {
                        object.entry(key).or_insert(field);
                    }
                }
                return;
            }
            object
                .values_mut()
                .for_each(|v| inline_refs(v, definitions, depth));
        }
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| inline_refs(v, definitions, depth)),
        _ => {}
    }
}

fn has_ref(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.contains_key("$ref") || object.values().any(has_ref),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// Triggers the workflow with the validated arguments (less `wait`) as its input.
async fn run_workflow(
    call: Call,
    workflow: Arc<str>,
    mut arguments: JsonObject,
    untyped: bool,
) -> Result<output::Answer, ToolError> {
    let wait = arguments.remove("wait").and_then(|w| w.as_bool()) == Some(true);
    let input = if untyped {
        arguments
            .remove("input")
            .and_then(|i| i.as_object().cloned())
            .unwrap_or_default()
    } else {
        arguments
    };
    let trigger = TriggerRun {
        // The name as Hatchet lists it, namespace included.
        workflow_name: workflow.to_string(),
        input,
        additional_metadata: None,
        priority: None,
    };
    let started = call.client.trigger_run(&trigger).await?;
    if wait {
        return Ok(output::item(wait_after_trigger(&call, &started).await));
    }
    Ok(output::item(started))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tool_names_follow_the_mcp_rules_and_collisions_are_refused() {
        assert_eq!(tool_name("send-email"), "run_send-email");
        assert_eq!(
            tool_name("staging_Send Email/v2"),
            "run_staging_Send_Email_v2"
        );
        assert_eq!(tool_name(&"x".repeat(300)).len(), 128);
        let error = WorkflowToolsSpec::parse("send email, send_email").unwrap_err();
        assert!(error.contains("run_send_email"), "{error}");
        assert_eq!(
            WorkflowToolsSpec::parse(" * ").unwrap(),
            WorkflowToolsSpec::All
        );
        assert!(WorkflowToolsSpec::parse("*,etl").is_err());
        assert!(WorkflowToolsSpec::parse(" , ").is_err());
    }

    #[test]
    fn local_refs_are_inlined_and_unused_defs_dropped() {
        let pydantic = json!({
            "title": "OrderInput",
            "type": "object",
            "properties": {"customer": {"$ref": "#/$defs/Customer"}, "count": {"type": "integer"}},
            "required": ["customer"],
            "$defs": {"Customer": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]}}
        });
        let schema = typed_schema(&pydantic).unwrap();
        assert_eq!(
            Value::Object(schema),
            json!({
                "type": "object",
                "properties": {
                    "customer": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]},
                    "count": {"type": "integer"},
                    "wait": {"type": "boolean"}
                },
                "required": ["customer"]
            })
        );
    }

    #[test]
    fn recursive_refs_keep_their_defs_and_big_or_missing_schemas_fall_back() {
        let tree = json!({
            "type": "object",
            "properties": {"root": {"$ref": "#/$defs/Node"}},
            "$defs": {"Node": {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}}
        });
        let schema = typed_schema(&tree).unwrap();
        assert!(schema.contains_key("$defs"));
        let big =
            json!({"type": "object", "properties": {"x": {"description": "d".repeat(5_000)}}});
        assert!(typed_schema(&big).is_none());
        assert!(typed_schema(&Value::Null).is_none());
        assert!(typed_schema(&json!({"type": "string"})).is_none());
    }
}
