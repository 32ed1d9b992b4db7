//! Parsing a call's arguments: unknown names refused, model slips coerced, bounds and
//! lengths checked where the argument's name is known, then serde with the path kept.

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::JsonObject;

/// An argument problem, worded for the model that sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArgError(pub String);

impl ArgError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Arguments the tool does not take, and the ones it does: the same words for typed and
/// schema-only tools.
pub(crate) fn unknown_arguments<S: AsRef<str>>(unknown: &[S], valid: &[&str]) -> ArgError {
    let valid = if valid.is_empty() {
        "none: this tool takes no arguments".to_owned()
    } else {
        valid.join(", ")
    };
    ArgError(format!(
        "Unknown argument{} {}. Valid arguments: {valid}.",
        crate::text::plural(unknown.len()),
        crate::text::quoted_list(unknown)
    ))
}

/// Required arguments the call left out.
pub(crate) fn missing_arguments<S: AsRef<str>>(missing: &[S]) -> ArgError {
    ArgError(format!(
        "Missing required argument{} {}.",
        crate::text::plural(missing.len()),
        crate::text::quoted_list(missing)
    ))
}

/// Turns a call's arguments into `A`, guided by `schema` (the output of
/// [`schema_for::<A>`](super::schema_for)).
pub fn parse<A: DeserializeOwned>(
    schema: &JsonObject,
    arguments: Option<JsonObject>,
) -> Result<A, ArgError> {
    let props = schema.get("properties").and_then(Value::as_object);
    let empty = JsonObject::new();
    let props = props.unwrap_or(&empty);

    let mut prepared = JsonObject::new();
    let mut unknown = Vec::new();
    for (name, value) in arguments.unwrap_or_default() {
        match props.get(&name) {
            // Models often send null for "not given" (an unknown name is refused even so).
            Some(_) if value.is_null() => {}
            Some(prop) => {
                let value = coerce(prop, value);
                check_bounds(&name, prop, &value)?;
                check_text_length(&name, prop, &value)?;
                prepared.insert(name, value);
            }
            None => unknown.push(name),
        }
    }
    if !unknown.is_empty() {
        let valid: Vec<&str> = props.keys().map(String::as_str).collect();
        return Err(unknown_arguments(&unknown, &valid));
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        let missing: Vec<&str> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| !prepared.contains_key(*r))
            .collect();
        if !missing.is_empty() {
            return Err(missing_arguments(&missing));
        }
    }
    serde_path_to_error::deserialize(Value::Object(prepared)).map_err(|error| {
        let path = error.path().to_string();
        let inner = shorten_echoes(&error.into_inner().to_string());
        let name = path.split(['.', '[']).next().unwrap_or_default();
        if name.is_empty() || name == "?" {
            ArgError(format!("Invalid arguments: {inner}."))
        } else {
            ArgError(format!("Invalid argument `{name}`: {inner}."))
        }
    })
}

/// The longest text a non-object argument may hold. Names, ids, expressions and searches
/// are far shorter; a longer one is a mistake, and would only fail upstream less clearly.
pub const MAX_TEXT_ARGUMENT_CHARS: usize = 10_000;

/// The most of serde's own message an argument error keeps (it may quote the value).
const MAX_ERROR_DETAIL_CHARS: usize = 400;

fn check_text_length(name: &str, schema: &Value, value: &Value) -> Result<(), ArgError> {
    if schema.get("type").and_then(Value::as_str) == Some("object") {
        return Ok(()); // payloads: bounded by the request body limit instead
    }
    let longest = match value {
        Value::String(text) => text.chars().count(),
        Value::Array(items) => items
            .iter()
            .filter_map(Value::as_str)
            .map(|text| text.chars().count())
            .max()
            .unwrap_or(0),
        _ => 0,
    };
    if longest > MAX_TEXT_ARGUMENT_CHARS {
        return Err(ArgError(format!(
            "Invalid argument `{name}`: {longest} characters, at most {MAX_TEXT_ARGUMENT_CHARS}."
        )));
    }
    Ok(())
}

/// serde quotes a bad value whole (`unknown variant `...``, `invalid value: string "..."`):
/// each quoted run is cut to a preview, and the detail is cut as a backstop. Done on the
/// message, so a call that parses pays nothing for it.
fn shorten_echoes(detail: &str) -> String {
    let mut out = String::with_capacity(detail.len().min(MAX_ERROR_DETAIL_CHARS));
    let mut rest = detail;
    while let Some(open) = rest.find(['"', '`']) {
        let quote = rest.as_bytes()[open] as char;
        out.push_str(&rest[..=open]);
        let quoted = &rest[open + 1..];
        // A `"` run is Debug-escaped: an escaped quote does not close it.
        let close = quoted
            .char_indices()
            .find(|&(at, c)| c == quote && (quote == '`' || !quoted[..at].ends_with('\\')));
        match close {
            Some((at, _)) => {
                out.push_str(&crate::text::preview(&quoted[..at]));
                out.push(quote);
                rest = &quoted[at + 1..];
            }
            None => {
                out.push_str(&crate::text::preview(quoted));
                rest = "";
            }
        }
    }
    out.push_str(rest);
    crate::text::cut(&out, MAX_ERROR_DETAIL_CHARS)
}

/// Checks an integer against its schema's `minimum`/`maximum` here, where the argument's
/// name is known (serde loses it inside flattened structs such as [`Page`](super::Page)).
fn check_bounds(name: &str, schema: &Value, value: &Value) -> Result<(), ArgError> {
    let bound = |key| schema.get(key).and_then(Value::as_i64);
    if let Some(items) = value.as_array() {
        let count = items.len() as i64;
        if let Some(max) = bound("maxItems").filter(|max| count > *max) {
            return Err(ArgError(format!(
                "Invalid argument `{name}`: at most {max} items, got {count}."
            )));
        }
        if let Some(min) = bound("minItems").filter(|min| count < *min) {
            return Err(ArgError(format!(
                "Invalid argument `{name}`: at least {min} item(s), got {count}."
            )));
        }
        return Ok(());
    }
    let (Some(min), Some(n)) = (bound("minimum"), value.as_i64()) else {
        return Ok(());
    };
    match bound("maximum") {
        Some(max) if n < min || n > max => Err(ArgError(format!(
            "Invalid argument `{name}`: must be an integer from {min} to {max}, got {n}."
        ))),
        None if n < min => Err(ArgError(format!(
            "Invalid argument `{name}`: must be an integer {min} or more, got {n}."
        ))),
        _ => Ok(()),
    }
}

/// Tolerates the slips models make: `"42"` for 42, `"true"` for true, `"FAILED"` for
/// `["FAILED"]`, `"failed"` for `"FAILED"`, a JSON object sent as a string.
fn coerce(schema: &Value, value: Value) -> Value {
    let kind = schema.get("type").and_then(Value::as_str);
    let value = match (kind, value) {
        (Some("integer" | "number"), Value::String(s)) => {
            match serde_json::from_str::<Value>(s.trim()) {
                Ok(n @ Value::Number(_)) => n,
                _ => Value::String(s),
            }
        }
        (Some("boolean"), Value::String(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            _ => Value::String(s),
        },
        (Some("array"), value) => {
            let items = match value {
                Value::Array(items) => items,
                single => vec![single],
            };
            let item_schema = schema.get("items").cloned().unwrap_or(Value::Null);
            Value::Array(
                items
                    .into_iter()
                    .map(|item| coerce(&item_schema, item))
                    .collect(),
            )
        }
        (Some("object"), Value::String(s)) => match serde_json::from_str::<Value>(&s) {
            Ok(object @ Value::Object(_)) => object,
            _ => Value::String(s),
        },
        (Some("string"), n @ (Value::Number(_) | Value::Bool(_))) => Value::String(n.to_string()),
        (_, value) => value,
    };
    match (schema.get("enum").and_then(Value::as_array), &value) {
        (Some(allowed), Value::String(s)) => allowed
            .iter()
            .find(|a| a.as_str().is_some_and(|a| a.eq_ignore_ascii_case(s.trim())))
            .cloned()
            .unwrap_or(value),
        _ => value,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::{
        hatchet::runs::RunStatus,
        mcp::args::{Example, NoArgs, schema_for},
    };

    fn run(args: Value) -> Result<Example, ArgError> {
        parse(&schema_for::<Example>(), args.as_object().cloned())
    }

    const RUN: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

    #[test]
    fn coerces_model_slips() {
        let args = run(json!({"run_id": RUN, "statuses": "failed", "flag": "TRUE", "limit": "42", "offset": 10.0, "since": null})).unwrap();
        assert_eq!(args.run_id.to_string(), RUN);
        assert_eq!(args.statuses, Some(vec![RunStatus::Failed]));
        assert!(args.flag);
        assert_eq!((args.page.limit.get(), args.page.offset.get()), (42, 10));
        assert_eq!(args.since, None);
        let args = run(json!({"run_id": RUN, "additional_metadata": "{\"a\": 1}"})).unwrap();
        assert_eq!(args.additional_metadata.unwrap().to_pairs(), vec!["a:1"]);
    }

    #[test]
    fn errors_name_the_argument_and_what_is_accepted() {
        let cases = [
            (
                json!({"run_id": RUN, "limitt": 5}),
                "Unknown argument `limitt`. Valid arguments: run_id, statuses, flag, since, additional_metadata, limit, offset.",
            ),
            (json!({}), "Missing required argument `run_id`."),
            (
                json!({"run_id": "abc"}),
                "Invalid argument `run_id`: expected a UUID like 6ba7b810-9dad-11d1-80b4-00c04fd430c8, got \"abc\".",
            ),
            (
                json!({"run_id": RUN, "limit": 500}),
                "Invalid argument `limit`: must be an integer from 1 to 100, got 500.",
            ),
            (
                json!({"run_id": RUN, "limit": 0}),
                "Invalid argument `limit`: must be an integer from 1 to 100, got 0.",
            ),
            (
                json!({"run_id": RUN, "offset": -1}),
                "Invalid arguments: `offset` must be an integer 0 or more, got -1.",
            ),
            (
                json!({"run_id": RUN, "statuses": ["DONE"]}),
                "Invalid argument `statuses`: unknown variant `DONE`, expected one of `QUEUED`, `RUNNING`, `COMPLETED`, `CANCELLED`, `FAILED`.",
            ),
            (
                json!({"run_id": RUN, "additional_metadata": {"a:b": "c"}}),
                "Invalid argument `additional_metadata`: key \"a:b\" contains ':', which the key:value filter format cannot express.",
            ),
            (
                json!({"run_id": RUN, "since": "yesterday"}),
                "Invalid argument `since`: expected RFC 3339 with an offset (2026-05-19T09:00:00Z) or a duration ago (90m, 6h, 7d), got \"yesterday\".",
            ),
        ];
        for (args, expected) in cases {
            assert_eq!(run(args).unwrap_err().0, expected);
        }
    }

    #[test]
    fn no_error_echoes_a_long_value_whole() {
        let huge = "x".repeat(1_000_000);
        let cases = [
            json!({"run_id": RUN, "statuses": [huge.clone()]}),
            json!({"run_id": huge.clone()}),
            json!({"run_id": RUN, "limit": vec![1; 100_000]}),
            json!({ huge.clone(): 1 }),
        ];
        for args in cases {
            let err = run(args).unwrap_err().0;
            assert!(err.len() < 1_000, "{} bytes: {}", err.len(), &err[..200]);
        }
        let long = "y".repeat(MAX_TEXT_ARGUMENT_CHARS + 1);
        let err = run(json!({"run_id": RUN, "statuses": [long]}))
            .unwrap_err()
            .0;
        assert_eq!(
            err,
            format!(
                "Invalid argument `statuses`: {} characters, at most {MAX_TEXT_ARGUMENT_CHARS}.",
                MAX_TEXT_ARGUMENT_CHARS + 1
            )
        );
    }

    #[test]
    fn array_lengths_follow_the_schema() {
        let schema = json!({"type": "object", "properties": {"ids": {"type": "array", "items": {"type": "string"}, "minItems": 1, "maxItems": 2}}});
        let parse_ids = |v: Value| check_bounds("ids", &schema["properties"]["ids"], &v);
        assert!(parse_ids(json!(["a", "b"])).is_ok());
        assert_eq!(
            parse_ids(json!(["a", "b", "c"])).unwrap_err().0,
            "Invalid argument `ids`: at most 2 items, got 3."
        );
        assert_eq!(
            parse_ids(json!([])).unwrap_err().0,
            "Invalid argument `ids`: at least 1 item(s), got 0."
        );
    }

    #[test]
    fn no_args_tool_lists_no_valid_arguments() {
        let err = parse::<NoArgs>(
            &schema_for::<NoArgs>(),
            json!({"x": 1}).as_object().cloned(),
        )
        .unwrap_err();
        assert_eq!(
            err.0,
            "Unknown argument `x`. Valid arguments: none: this tool takes no arguments."
        );
        assert_eq!(
            Value::Object(schema_for::<NoArgs>()),
            json!({"type": "object", "properties": {}})
        );
    }
}
