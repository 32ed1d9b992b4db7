//! A workflow's input schema as a typed tool publishes it: self-contained (local `$ref`s
//! inlined within a budget counted before anything is copied), its texts cleaned and
//! bounded, refused whole when it is too large or holds what may not be published.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::{MAX_SCHEMA_BYTES, SCHEMA_TEXT_CHARS, clean, wait_property};
use crate::{mcp::args::JsonObject, redact::Redactor, text};

/// Nested local `$ref`s are inlined this deep; deeper (recursive) ones keep their `$defs`.
const INLINE_DEPTH: usize = 8;

/// Why a workflow's input schema is not published.
#[derive(Debug, PartialEq)]
pub(super) enum NotUsed {
    /// It has none: nothing to warn about.
    Absent,
    Because(String),
}

fn because(reason: impl Into<String>) -> NotUsed {
    NotUsed::Because(reason.into())
}

/// The published schema of a workflow's input: self-contained (local `$ref`s inlined,
/// `$defs` kept only while still referenced), its texts cleaned and bounded, plus `wait`.
/// Refused when it is not an object schema, when it is (or would grow, inlined) over
/// [`MAX_SCHEMA_BYTES`], or when a name or value in it holds control characters or the
/// token. Never does more work than the budget allows: sizes are counted before copying.
pub(super) fn typed_schema(
    input_schema: &Value,
    redactor: &Redactor,
) -> Result<JsonObject, NotUsed> {
    let source = match input_schema {
        Value::Null => return Err(NotUsed::Absent),
        Value::Object(source) if source.is_empty() => return Err(NotUsed::Absent),
        Value::Object(source) => source,
        _ => return Err(because("it is not a JSON Schema object")),
    };
    if source.get("type").and_then(Value::as_str) != Some("object") {
        return Err(because("it is not an object schema"));
    }
    const DROPPED: [&str; 4] = ["$defs", "definitions", "$schema", "title"];
    let too_large = || because(format!("over {MAX_SCHEMA_BYTES} bytes as compact JSON"));
    let mut top = 0;
    for (key, value) in source
        .iter()
        .filter(|(k, _)| !DROPPED.contains(&k.as_str()))
    {
        top += key.len() + 4 + json_size(value, MAX_SCHEMA_BYTES).ok_or_else(too_large)?;
    }
    if top > MAX_SCHEMA_BYTES {
        return Err(too_large());
    }
    let definitions: HashMap<&str, &Value> = ["$defs", "definitions"]
        .iter()
        .filter_map(|key| source.get(*key).and_then(Value::as_object))
        .flat_map(|defs| defs.iter().map(|(k, v)| (k.as_str(), v)))
        .collect();
    let mut schema: JsonObject = source
        .iter()
        .filter(|(k, _)| !DROPPED.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let mut inliner = Inliner {
        definitions: &definitions,
        sizes: HashMap::new(),
        room: MAX_SCHEMA_BYTES - top,
    };
    let mut inlined = Value::Object(std::mem::take(&mut schema));
    inliner
        .inline(&mut inlined, INLINE_DEPTH)
        .map_err(|Inflated| {
            because(format!(
                "over {MAX_SCHEMA_BYTES} bytes once its `$ref`s are inlined"
            ))
        })?;
    if has_ref(&inlined) {
        // Recursive: keep the definitions the remaining references need, if they fit.
        let mut kept = Map::new();
        for (name, definition) in &definitions {
            let size = json_size(definition, inliner.room).ok_or_else(too_large)?;
            inliner.room = inliner.room.checked_sub(size).ok_or_else(too_large)?;
            kept.insert((*name).to_owned(), (*definition).clone());
        }
        if let Value::Object(object) = &mut inlined {
            object.insert("$defs".into(), Value::Object(kept));
        }
    }
    clean_schema(&mut inlined, redactor).map_err(because)?;
    let Value::Object(mut schema) = inlined else {
        unreachable!("an object stays an object");
    };
    let properties = schema
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(properties) = properties {
        properties.entry("wait").or_insert_with(wait_property);
    }
    let bytes = serde_json::to_string(&schema).map_or(usize::MAX, |s| s.len());
    if bytes > MAX_SCHEMA_BYTES {
        return Err(too_large());
    }
    Ok(schema)
}

/// The compact JSON length of `value` (strings counted without their escapes), or `None`
/// as soon as it passes `limit`: never walks more than `limit` bytes' worth.
fn json_size(value: &Value, limit: usize) -> Option<usize> {
    fn walk(value: &Value, total: &mut usize, limit: usize) -> bool {
        *total += match value {
            Value::Null | Value::Bool(_) | Value::Number(_) => 24,
            Value::String(s) => s.len() + 2,
            Value::Array(items) => {
                *total += 2 + items.len();
                if *total > limit {
                    return false;
                }
                return items.iter().all(|item| walk(item, total, limit));
            }
            Value::Object(map) => {
                *total += 2;
                for (key, item) in map {
                    *total += key.len() + 4;
                    if *total > limit || !walk(item, total, limit) {
                        return false;
                    }
                }
                return *total <= limit;
            }
        };
        *total <= limit
    }
    let mut total = 0;
    walk(value, &mut total, limit).then_some(total)
}

/// Replaces local `$ref`s by copies of their definitions, counting the bytes each copy adds
/// against `room` before making it.
struct Inliner<'a> {
    definitions: &'a HashMap<&'a str, &'a Value>,
    /// Each definition's size, once measured (`None`: over the whole budget).
    sizes: HashMap<&'a str, Option<usize>>,
    /// Bytes the schema may still grow by.
    room: usize,
}

/// Inlining would pass the budget.
struct Inflated;

impl<'a> Inliner<'a> {
    /// Replaces each `{"$ref": "#/$defs/X"}` (or `#/definitions/X`) by a copy of X, `depth`
    /// levels deep; deeper (recursive) references are left as they are.
    fn inline(&mut self, value: &mut Value, depth: usize) -> Result<(), Inflated> {
        match value {
            Value::Object(object) => {
                let target = object
                    .get("$ref")
                    .and_then(Value::as_str)
                    .and_then(|r| {
                        r.strip_prefix("#/$defs/")
                            .or_else(|| r.strip_prefix("#/definitions/"))
                    })
                    .and_then(|name| self.definitions.get_key_value(name));
                if let (Some((name, target)), true) = (target, depth > 0) {
                    let size = *self
                        .sizes
                        .entry(name)
                        .or_insert_with(|| json_size(target, MAX_SCHEMA_BYTES));
                    self.room = size
                        .and_then(|size| self.room.checked_sub(size))
                        .ok_or(Inflated)?;
                    let mut replacement = (*target).clone();
                    self.inline(&mut replacement, depth - 1)?;
                    object.remove("$ref");
                    if let Value::Object(fields) = replacement {
                        for (key, field) in fields {
                            object.entry(key).or_insert(field);
                        }
                    }
                    return Ok(());
                }
                object.values_mut().try_for_each(|v| self.inline(v, depth))
            }
            Value::Array(items) => items.iter_mut().try_for_each(|v| self.inline(v, depth)),
            _ => Ok(()),
        }
    }
}

fn has_ref(value: &Value) -> bool {
    match value {
        Value::Object(object) => object.contains_key("$ref") || object.values().any(has_ref),
        Value::Array(items) => items.iter().any(has_ref),
        _ => false,
    }
}

/// The texts of a schema made fit for `tools/list`: each `title`, `description` and
/// `$comment` cleaned as metadata is ([`clean`]); every other string value (`enum`,
/// `const`, `default`, examples...) stripped of controls and redacted, so the model sees,
/// sends and is checked against the same clean value. What names things or matches them
/// (property and keyword names, `required`, `pattern`) cannot be rewritten without changing
/// what the workflow receives: one with control characters, or that holds the token,
/// refuses the schema.
fn clean_schema(value: &mut Value, redactor: &Redactor) -> Result<(), String> {
    const REFUSED: &str = "a property name or pattern holds control characters";
    match value {
        Value::Object(object) => {
            for (key, item) in object.iter_mut() {
                if !is_kept_as_is(key, redactor) {
                    return Err(REFUSED.into());
                }
                match (key.as_str(), item) {
                    ("title" | "description" | "$comment", Value::String(text)) => {
                        *text = clean(redactor, text, SCHEMA_TEXT_CHARS);
                    }
                    ("pattern", Value::String(text)) if !is_kept_as_is(text, redactor) => {
                        return Err(REFUSED.into());
                    }
                    ("required", Value::Array(names))
                        if names
                            .iter()
                            .filter_map(Value::as_str)
                            .any(|name| !is_kept_as_is(name, redactor)) =>
                    {
                        return Err(REFUSED.into());
                    }
                    (_, item) => clean_schema(item, redactor)?,
                }
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| clean_schema(v, redactor)),
        Value::String(text) if !is_kept_as_is(text, redactor) => {
            *text = redactor.redact(&text::strip_controls(text)).into_owned();
            Ok(())
        }
        _ => Ok(()),
    }
}

/// Whether `text` may be published as it is: no controls, nothing to redact.
fn is_kept_as_is(text: &str, redactor: &Redactor) -> bool {
    !text::has_controls(text) && matches!(redactor.redact(text), std::borrow::Cow::Borrowed(_))
}

#[cfg(test)]
pub(super) mod tests {
    use serde_json::json;

    use super::*;

    fn redactor() -> Redactor {
        Redactor::new(
            "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXBheWxvYWQtb2YtdGhlLXRva2Vu.c2lnbmF0dXJlLW9mLXRoZS10b2tlbg",
        )
    }

    fn schema_of(input: &Value) -> Result<JsonObject, NotUsed> {
        typed_schema(input, &redactor())
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
        let schema = schema_of(&pydantic).unwrap();
        assert_eq!(
            Value::Object(schema),
            json!({
                "type": "object",
                "properties": {
                    "customer": {"type": "object", "properties": {"email": {"type": "string"}}, "required": ["email"]},
                    "count": {"type": "integer"},
                    "wait": wait_property()
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
        let schema = schema_of(&tree).unwrap();
        assert!(schema.contains_key("$defs"));
        let big =
            json!({"type": "object", "properties": {"x": {"description": "d".repeat(5_000)}}});
        let why = schema_of(&big).unwrap_err();
        assert_eq!(why, because("over 4096 bytes as compact JSON"));
        assert_eq!(schema_of(&Value::Null).unwrap_err(), NotUsed::Absent);
        assert_eq!(schema_of(&json!({})).unwrap_err(), NotUsed::Absent);
        assert_eq!(
            schema_of(&json!({"type": "string"})).unwrap_err(),
            because("it is not an object schema")
        );
    }

    /// Each of `levels` definitions refers to the one before it `fan_out` times: a few
    /// hundred bytes that would inline to `fan_out ^ levels` copies.
    pub(in crate::mcp::workflow_tools) fn laughs(fan_out: usize, levels: usize) -> Value {
        let mut defs = Map::new();
        defs.insert("L0".into(), json!({"type": "string"}));
        for level in 1..=levels {
            let properties: Map<String, Value> = (0..fan_out)
                .map(|i| {
                    (
                        format!("p{i}"),
                        json!({"$ref": format!("#/$defs/L{}", level - 1)}),
                    )
                })
                .collect();
            defs.insert(
                format!("L{level}"),
                json!({"type": "object", "properties": properties}),
            );
        }
        json!({
            "type": "object",
            "properties": {"root": {"$ref": format!("#/$defs/L{levels}")}},
            "$defs": defs
        })
    }

    #[test]
    fn a_billion_laughs_schema_is_refused_within_the_budget() {
        let why = because(format!(
            "over {MAX_SCHEMA_BYTES} bytes once its `$ref`s are inlined"
        ));
        for (fan_out, levels) in [(2, 40), (10, 9), (1_000, 3)] {
            let schema = laughs(fan_out, levels);
            assert_eq!(schema_of(&schema).unwrap_err(), why, "{fan_out}^{levels}");
        }
        // What the inliner copies is counted before it is copied: it stops within the
        // budget, however large the expansion would be.
        let schema = laughs(10, 9);
        let definitions: HashMap<&str, &Value> = schema["$defs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.as_str(), v))
            .collect();
        let mut inliner = Inliner {
            definitions: &definitions,
            sizes: HashMap::new(),
            room: MAX_SCHEMA_BYTES,
        };
        let mut root = json!({"$ref": "#/$defs/L9"});
        assert!(inliner.inline(&mut root, INLINE_DEPTH).is_err());
        assert!(json_size(&root, usize::MAX).unwrap() <= 2 * MAX_SCHEMA_BYTES);
        // A modest fan-out within the budget is inlined whole.
        let small = schema_of(&laughs(2, 3)).unwrap();
        assert_eq!(
            small["properties"]["root"]["properties"]["p1"]["properties"]["p0"]["properties"]["p1"],
            json!({"type": "string"})
        );
    }

    #[test]
    fn json_size_counts_compact_json_and_stops_at_the_limit() {
        let value = json!({"a": [1, "bc", null], "d": {"e": true}});
        let exact = serde_json::to_string(&value).unwrap().len();
        let counted = json_size(&value, usize::MAX).unwrap();
        assert!(counted >= exact, "{counted} < {exact}");
        assert_eq!(json_size(&value, counted), Some(counted));
        assert_eq!(json_size(&value, counted - 1), None);
        let wide = Value::Array(vec![json!("x"); 1_000_000]);
        assert_eq!(json_size(&wide, 100), None);
    }

    #[test]
    fn schema_texts_and_values_are_cleaned_and_dirty_names_or_patterns_refuse_it() {
        let r = redactor();
        let mut schema = json!({
            "type": "object",
            "description": "Top\u{1b}[31m level\u{202e}",
            "properties": {
                "to": {"type": "string", "title": "To\u{0}", "examples": ["a\u{1b}[5mb", 3]},
                "kind": {"enum": ["red\u{1b}[0m", "c2VjcmV0LXBheWxvYWQtb2YtdGhlLXRva2Vu", "blue"], "default": "blue\u{200f}"},
                "description": {"type": "string", "$comment": "x".repeat(1_000)}
            },
            "required": ["to"]
        });
        clean_schema(&mut schema, &r).unwrap();
        assert_eq!(schema["description"], "Top level");
        assert_eq!(schema["properties"]["to"]["title"], "To");
        assert_eq!(schema["properties"]["to"]["examples"], json!(["ab", 3]));
        assert_eq!(
            schema["properties"]["kind"],
            json!({"enum": ["red", "[REDACTED]", "blue"], "default": "blue"})
        );
        let comment = schema["properties"]["description"]["$comment"]
            .as_str()
            .unwrap();
        assert_eq!(comment.chars().count(), SCHEMA_TEXT_CHARS + 1);
        for dirty in [
            json!({"properties": {"x\u{202e}": {}}}),
            json!({"required": ["x\u{1b}[1m"]}),
            json!({"pattern": "^a\u{7}$"}),
            json!({"properties": {"c2VjcmV0LXBheWxvYWQtb2YtdGhlLXRva2Vu": {}}}),
        ] {
            let mut dirty = dirty;
            assert!(clean_schema(&mut dirty, &r).is_err(), "{dirty}");
        }
    }
}
