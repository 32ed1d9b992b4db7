//! Schema generation: an argument struct's schema in the flat form `tools/list` shows.

use schemars::{JsonSchema, generate::SchemaSettings};
use serde_json::{Value, json};

use super::JsonObject;

/// The input schema of an argument struct, in the flat form tools publish: every subschema
/// inlined, no `$schema`/`title`, no `null` alternatives, only the formats a model can use.
pub fn schema_for<A: JsonSchema>() -> JsonObject {
    let generator = SchemaSettings::draft2020_12()
        .with(|s| {
            s.inline_subschemas = true;
            s.meta_schema = None;
        })
        .into_generator();
    let mut value = generator.into_root_schema_for::<A>().to_value();
    simplify(&mut value);
    let mut object = match value {
        Value::Object(object) => object,
        _ => JsonObject::new(),
    };
    // A flattened struct's doc comment lands here; the tool's description says it better.
    object.remove("description");
    object.insert("type".into(), "object".into());
    object
        .entry("properties")
        .or_insert_with(|| Value::Object(JsonObject::new()));
    object
}

fn simplify(value: &mut Value) {
    let Value::Object(map) = value else { return };
    map.remove("title");
    map.remove("$schema");
    let format = map.get("format").and_then(Value::as_str);
    if format.is_some_and(|f| !matches!(f, "uuid" | "date-time")) {
        map.remove("format");
    }
    // What a model assumes anyway: no required list, `false` for a flag, any keys for an
    // object. Every byte of tools/list is paid in every conversation.
    for (key, assumed) in [
        ("required", json!([])),
        ("default", json!(false)),
        ("additionalProperties", json!(true)),
    ] {
        if map.get(key) == Some(&assumed) {
            map.remove(key);
        }
    }
    // Option<T> adds `null` to `type` and `enum`; an absent argument already says that.
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if types.len() == 1 {
            let only = types.remove(0);
            map.insert("type".into(), only);
        }
    }
    if let Some(Value::Array(values)) = map.get_mut("enum") {
        values.retain(|v| !v.is_null());
    }
    if let Some(Value::Array(mut alternatives)) = map.remove("anyOf") {
        alternatives.retain(|a| a.get("type").and_then(Value::as_str) != Some("null"));
        if alternatives.len() == 1 {
            if let Value::Object(inner) = alternatives.remove(0) {
                for (k, v) in inner {
                    map.entry(k).or_insert(v);
                }
            }
        } else {
            map.insert("anyOf".into(), Value::Array(alternatives));
        }
    }
    // Recurse into subschemas only: a `properties` map is a map of schemas, not a schema
    // (a property named `title` or `default` must survive).
    if let Some(Value::Object(props)) = map.get_mut("properties") {
        props.values_mut().for_each(simplify);
    }
    for key in ["items", "additionalProperties"] {
        if let Some(child) = map.get_mut(key) {
            simplify(child);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mcp::args::Example;

    #[test]
    fn schema_is_flat_and_precise() {
        let schema = Value::Object(schema_for::<Example>());
        assert_eq!(
            schema,
            json!({
                "type": "object",
                "properties": {
                    "run_id": {"type": "string", "description": "The run."},
                    "statuses": {"type": "array", "items": {"type": "string", "enum": ["QUEUED", "RUNNING", "COMPLETED", "CANCELLED", "FAILED"]}},
                    "flag": {"type": "boolean"},
                    "since": {"type": "string"},
                    "additional_metadata": {"type": "object", "additionalProperties": {"type": "string"}},
                    "limit": {"type": "integer", "minimum": 1, "maximum": 100},
                    "offset": {"type": "integer"}
                },
                "required": ["run_id"]
            })
        );
    }
}
