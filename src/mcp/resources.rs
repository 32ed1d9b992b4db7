//! Resources: read-only views that return exactly the JSON of the tool behind them. Only
//! those whose tool is registered are listed.
//!
//! | URI | tool |
//! |---|---|
//! | `hatchet://workflows` | `list_workflows` with defaults |
//! | `hatchet://workers` | `list_workers` with defaults |
//! | `hatchet://workflows/{workflow_id}` | `get_workflow` |
//! | `hatchet://runs/{workflow_run_id}` | `get_run` |
//! | `hatchet://runs/{workflow_run_id}/status` | `get_run_status` |
//!
//! The MCP Apps view `ui://hatchet-mcp/run` is HTML, not a tool's JSON: see `mcp/apps`.

use rmcp::{
    ErrorData as McpError,
    model::{Resource, ResourceTemplate},
};
use serde_json::{Value, json};
use uuid::Uuid;

use super::{args::JsonObject, tools::Registry};

const JSON: &str = "application/json";

const VALID_FORMS: &str = "hatchet://workflows, hatchet://workers, hatchet://workflows/{workflow_id}, \
     hatchet://runs/{workflow_run_id}, hatchet://runs/{workflow_run_id}/status (ids are UUIDs)";

/// A parsed resource URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceRef {
    Workflows,
    Workers,
    Workflow(Uuid),
    Run(Uuid),
    RunStatus(Uuid),
}

impl ResourceRef {
    /// Parses a `hatchet://` URI; anything else is an invalid-params error listing the forms.
    pub fn parse(uri: &str) -> Result<Self, McpError> {
        // The URI is the client's: echoed only in part, in the message and the data.
        let shown = crate::text::preview(uri);
        let invalid = |why: &str| {
            McpError::invalid_params(
                format!("{why} {shown:?}. Valid forms: {VALID_FORMS}."),
                Some(json!({ "uri": shown })),
            )
        };
        let Some(path) = uri.strip_prefix("hatchet://") else {
            return Err(invalid("Not a hatchet:// resource URI:"));
        };
        let id = |text: &str| {
            // Only the canonical form: a URI names one resource one way.
            Uuid::try_parse(text)
                .ok()
                .filter(|id| id.hyphenated().to_string() == text.to_ascii_lowercase())
                .ok_or_else(|| invalid("Not a UUID in resource URI"))
        };
        match path.split('/').collect::<Vec<_>>().as_slice() {
            ["workflows"] => Ok(Self::Workflows),
            ["workers"] => Ok(Self::Workers),
            ["workflows", workflow_id] => Ok(Self::Workflow(id(workflow_id)?)),
            ["runs", run_id] => Ok(Self::Run(id(run_id)?)),
            ["runs", run_id, "status"] => Ok(Self::RunStatus(id(run_id)?)),
            _ => Err(invalid("Unknown resource URI")),
        }
    }

    /// The URI of a resource without an id.
    fn uri(self) -> String {
        match self {
            Self::Workflows => "hatchet://workflows".into(),
            Self::Workers => "hatchet://workers".into(),
            Self::Workflow(id) => format!("hatchet://workflows/{id}"),
            Self::Run(id) => format!("hatchet://runs/{id}"),
            Self::RunStatus(id) => format!("hatchet://runs/{id}/status"),
        }
    }

    /// The tool and arguments whose JSON this resource is.
    pub fn tool_call(self) -> (&'static str, JsonObject) {
        let (tool, arguments) = match self {
            Self::Workflows => ("list_workflows", json!({})),
            Self::Workers => ("list_workers", json!({})),
            Self::Workflow(id) => ("get_workflow", json!({ "workflow_id": id })),
            Self::Run(id) => ("get_run", json!({ "workflow_run_id": id })),
            Self::RunStatus(id) => ("get_run_status", json!({ "workflow_run_id": id })),
        };
        let Value::Object(arguments) = arguments else {
            unreachable!("json! object")
        };
        (tool, arguments)
    }
}

/// The fixed resources whose tool this server registers.
pub fn list(registry: &Registry) -> Vec<Resource> {
    [
        (
            ResourceRef::Workflows,
            "workflows",
            "Workflows",
            "The tenant's workflows (first page), as list_workflows returns them.",
        ),
        (
            ResourceRef::Workers,
            "workers",
            "Workers",
            "The tenant's workers (first page), as list_workers returns them.",
        ),
    ]
    .into_iter()
    .filter(|(resource, ..)| registry.find(resource.tool_call().0).is_some())
    .map(|(resource, name, title, description)| {
        Resource::new(resource.uri(), name)
            .with_title(title)
            .with_description(description)
            .with_mime_type(JSON)
    })
    .collect()
}

/// The resource templates whose tool this server registers.
pub fn templates(registry: &Registry) -> Vec<ResourceTemplate> {
    [
        (
            "hatchet://workflows/{workflow_id}",
            "get_workflow",
            "workflow",
            "Workflow",
            "One workflow, as get_workflow returns it.",
        ),
        (
            "hatchet://runs/{workflow_run_id}",
            "get_run",
            "run",
            "Workflow run",
            "One run with its tasks and events, as get_run returns it.",
        ),
        (
            "hatchet://runs/{workflow_run_id}/status",
            "get_run_status",
            "run-status",
            "Workflow run status",
            "A run's status, as get_run_status returns it.",
        ),
    ]
    .into_iter()
    .filter(|(_, tool, ..)| registry.find(tool).is_some())
    .map(|(template, _, name, title, description)| {
        ResourceTemplate::new(template, name)
            .with_title(title)
            .with_description(description)
            .with_mime_type(JSON)
    })
    .collect()
}

/// The MIME type of every resource.
pub fn mime_type() -> &'static str {
    JSON
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    #[test]
    fn parses_every_form() {
        let id: Uuid = ID.parse().unwrap();
        assert_eq!(
            ResourceRef::parse("hatchet://workflows").unwrap(),
            ResourceRef::Workflows
        );
        assert_eq!(
            ResourceRef::parse("hatchet://workers").unwrap(),
            ResourceRef::Workers
        );
        assert_eq!(
            ResourceRef::parse(&format!("hatchet://workflows/{ID}")).unwrap(),
            ResourceRef::Workflow(id)
        );
        assert_eq!(
            ResourceRef::parse(&format!("hatchet://runs/{ID}")).unwrap(),
            ResourceRef::Run(id)
        );
        assert_eq!(
            ResourceRef::parse(&format!("hatchet://runs/{ID}/status")).unwrap(),
            ResourceRef::RunStatus(id)
        );
        for resource in [
            ResourceRef::Workflows,
            ResourceRef::Workers,
            ResourceRef::Workflow(id),
            ResourceRef::Run(id),
            ResourceRef::RunStatus(id),
        ] {
            assert_eq!(ResourceRef::parse(&resource.uri()).unwrap(), resource);
        }
    }

    #[test]
    fn bad_uris_are_invalid_params_listing_the_valid_forms() {
        for uri in [
            "hatchet://runs/not-a-uuid",
            "hatchet://runs/../../tenants",
            "hatchet://runs/6ba7b8109dad11d180b400c04fd430c8",
            "hatchet://events",
            "hatchet://workflows/",
            "https://example.com/runs",
        ] {
            let error = ResourceRef::parse(uri).unwrap_err();
            assert_eq!(error.code, rmcp::model::ErrorCode::INVALID_PARAMS, "{uri}");
            assert!(
                error.message.contains("Valid forms: hatchet://workflows"),
                "{uri}: {}",
                error.message
            );
            assert_eq!(error.data, Some(json!({ "uri": uri })));
        }
    }

    #[test]
    fn a_long_uri_is_echoed_as_a_preview() {
        let long = format!("hatchet://runs/{}", "x".repeat(100_000));
        let error = ResourceRef::parse(&long).unwrap_err();
        assert!(error.message.len() < 400, "{}", error.message.len());
        assert_eq!(
            error.data,
            Some(json!({ "uri": crate::text::preview(&long) }))
        );
    }

    #[test]
    fn each_resource_is_its_tool() {
        let id: Uuid = ID.parse().unwrap();
        let (tool, arguments) = ResourceRef::RunStatus(id).tool_call();
        assert_eq!(
            (tool, Value::Object(arguments)),
            ("get_run_status", json!({ "workflow_run_id": ID }))
        );
        assert_eq!(ResourceRef::Workers.tool_call().0, "list_workers");
    }
}
