//! Argument validation for tools whose input schema arrives at runtime, by `boon` (JSON
//! Schema 2020-12, the dialect MCP tool schemas use). Its errors are reworded the way typed
//! tools word theirs: the argument, what was wrong, what is accepted.

use std::error::Error;

use serde_json::Value;

use crate::mcp::args::{ArgError, JsonObject, missing_arguments, unknown_arguments};

/// Where the schema is registered; never fetched.
const SCHEMA_URL: &str = "urn:hatchet-mcp:tool-input";

/// At most this many problems are named in one error; the rest are counted.
const SHOWN_PROBLEMS: usize = 3;

/// The longest one problem's text may be: a `format` failure quotes the value sent.
const PROBLEM_CHARS: usize = 300;

/// A schema that cannot serve as a tool's input schema.
#[derive(Debug, thiserror::Error)]
#[error("Invalid input schema: {0}")]
pub struct SchemaError(String);

/// A compiled input schema.
pub(super) struct Validator {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
    /// The top-level property names, for "valid arguments" in an error.
    properties: Vec<String>,
}

/// Refuses every `$ref` to another document: a schema from upstream must not make this
/// process read files or the network.
struct NoExternalReferences;

impl boon::UrlLoader for NoExternalReferences {
    fn load(&self, url: &str) -> Result<Value, Box<dyn Error>> {
        Err(format!("external reference {url} is not allowed").into())
    }
}

impl Validator {
    pub(super) fn compile(schema: &JsonObject) -> Result<Self, SchemaError> {
        if schema.get("type").and_then(Value::as_str) != Some("object") {
            return Err(SchemaError(
                "a tool's input schema must have \"type\": \"object\"".into(),
            ));
        }
        let mut compiler = boon::Compiler::new();
        compiler.use_loader(Box::new(NoExternalReferences));
        let mut schemas = boon::Schemas::new();
        let invalid = |error: boon::CompileError| {
            SchemaError(crate::text::cut(&error.to_string(), PROBLEM_CHARS))
        };
        compiler
            .add_resource(SCHEMA_URL, Value::Object(schema.clone()))
            .map_err(invalid)?;
        let index = compiler
            .compile(SCHEMA_URL, &mut schemas)
            .map_err(invalid)?;
        let properties = schema
            .get("properties")
            .and_then(Value::as_object)
            .map(|p| p.keys().cloned().collect())
            .unwrap_or_default();
        Ok(Self {
            schemas,
            index,
            properties,
        })
    }

    /// Checks `arguments`; top-level nulls for declared properties count as not given (models
    /// often send them), as for typed tools.
    pub(super) fn check(&self, arguments: &mut JsonObject) -> Result<(), ArgError> {
        arguments.retain(|name, value| !(value.is_null() && self.properties.contains(name)));
        let instance = Value::Object(std::mem::take(arguments));
        let result = match self.schemas.validate(&instance, self.index) {
            Ok(()) => Ok(()),
            Err(error) => Err(self.reword(&error)),
        };
        let Value::Object(object) = instance else {
            unreachable!("built as an object above")
        };
        *arguments = object;
        result
    }

    fn reword(&self, error: &boon::ValidationError) -> ArgError {
        let mut leaves = Vec::new();
        collect_leaves(error, &mut leaves);
        let mut problems: Vec<String> = leaves
            .iter()
            .map(|leaf| self.problem(leaf))
            .map(|text| crate::text::cut(&text, PROBLEM_CHARS))
            .collect();
        problems.dedup();
        let more = problems.len().saturating_sub(SHOWN_PROBLEMS);
        problems.truncate(SHOWN_PROBLEMS);
        if more > 0 {
            problems.push(format!("({more} more problems.)"));
        }
        ArgError::new(problems.join(" "))
    }

    fn problem(&self, leaf: &boon::ValidationError) -> String {
        let location = &leaf.instance_location.tokens;
        match (&leaf.kind, location.first()) {
            (boon::ErrorKind::Required { want }, None) => missing_arguments(want).0,
            (boon::ErrorKind::AdditionalProperties { got }, None) => {
                let valid: Vec<&str> = self.properties.iter().map(String::as_str).collect();
                unknown_arguments(got, &valid).0
            }
            (kind, None) => format!("Invalid arguments: {kind}."),
            (kind, Some(first)) => {
                let name = match first {
                    boon::InstanceToken::Prop(name) => crate::text::preview(name),
                    boon::InstanceToken::Item(index) => index.to_string(),
                };
                if location.len() == 1 {
                    format!("Invalid argument `{name}`: {kind}.")
                } else {
                    let at = leaf.instance_location.to_string();
                    format!(
                        "Invalid argument `{name}` at {}: {kind}.",
                        crate::text::preview(&at)
                    )
                }
            }
        }
    }
}

/// The errors that say what is wrong (the innermost ones), in document order.
fn collect_leaves<'e, 's, 'v>(
    error: &'e boon::ValidationError<'s, 'v>,
    leaves: &mut Vec<&'e boon::ValidationError<'s, 'v>>,
) {
    if error.causes.is_empty() {
        leaves.push(error);
    }
    for cause in &error.causes {
        collect_leaves(cause, leaves);
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn validator(schema: Value) -> Result<Validator, SchemaError> {
        Validator::compile(schema.as_object().unwrap())
    }

    fn check(validator: &Validator, arguments: Value) -> Result<JsonObject, String> {
        let mut arguments = arguments.as_object().unwrap().clone();
        validator
            .check(&mut arguments)
            .map(|()| arguments)
            .map_err(|e| e.to_string())
    }

    fn order_schema() -> Validator {
        validator(json!({
            "type": "object",
            "properties": {
                "order_id": {"type": "string"},
                "quantity": {"type": "integer", "minimum": 1},
                "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}}
            },
            "required": ["order_id"],
            "additionalProperties": false
        }))
        .unwrap()
    }

    #[test]
    fn valid_arguments_pass_and_nulls_count_as_not_given() {
        let validator = order_schema();
        let passed = check(&validator, json!({"order_id": "a", "quantity": null})).unwrap();
        assert_eq!(Value::Object(passed), json!({"order_id": "a"}));
    }

    #[test]
    fn errors_name_the_argument_what_was_wrong_and_what_is_accepted() {
        let validator = order_schema();
        assert_eq!(
            check(&validator, json!({})).unwrap_err(),
            "Missing required argument `order_id`."
        );
        assert_eq!(
            check(&validator, json!({"order_id": "a", "colour": 1})).unwrap_err(),
            "Unknown argument `colour`. Valid arguments: order_id, quantity, items."
        );
        let too_few = check(&validator, json!({"order_id": "a", "quantity": 0})).unwrap_err();
        assert!(
            too_few.starts_with("Invalid argument `quantity`:") && too_few.contains('1'),
            "{too_few}"
        );
        let nested = check(&validator, json!({"order_id": "a", "items": [{}]})).unwrap_err();
        assert!(
            nested.starts_with("Invalid argument `items` at /items/0:") && nested.contains("sku"),
            "{nested}"
        );
    }

    #[test]
    fn schemas_that_reach_outside_or_are_not_objects_are_refused() {
        let external = validator(json!({
            "type": "object",
            "properties": {"a": {"$ref": "file:///etc/passwd"}}
        }));
        assert!(external.is_err());
        let not_object = validator(json!({"type": "string"}));
        let not_object = not_object.err().expect("refused").to_string();
        assert!(not_object.contains("\"type\": \"object\""), "{not_object}");
        let broken = validator(json!({"type": "object", "properties": {"a": {"minimum": "one"}}}));
        assert!(broken.is_err());
    }
}
