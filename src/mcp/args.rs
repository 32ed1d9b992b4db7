//! Tool arguments: the shared argument types, their schemas, and the one path every call's
//! arguments take from JSON to a typed struct.
//!
//! A tool's argument struct derives `Deserialize` and `JsonSchema`; its schema (flattened,
//! `$ref`-free) is what `tools/list` shows, and the same schema drives [`parse`]: unknown
//! arguments are refused, common model slips are coerced, then serde does the validation.

use std::{borrow::Cow, collections::BTreeMap, fmt};

use jiff::{SignedDuration, Timestamp};
use schemars::{JsonSchema, Schema, SchemaGenerator, generate::SchemaSettings, json_schema};
use serde::{Deserialize, Deserializer, Serialize, de::DeserializeOwned};
use serde_json::{Map, Value, json};

pub type JsonObject = Map<String, Value>;

/// An argument problem, worded for the model that sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ArgError(pub String);

impl ArgError {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

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

/// Turns a call's arguments into `A`, guided by `schema` (the output of [`schema_for::<A>`]).
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
            None => unknown.push(crate::text::preview(&name)),
        }
    }
    if !unknown.is_empty() {
        let valid: Vec<&str> = props.keys().map(String::as_str).collect();
        let valid = if valid.is_empty() {
            "none: this tool takes no arguments".to_owned()
        } else {
            valid.join(", ")
        };
        return Err(ArgError(format!(
            "Unknown argument{} {}. Valid arguments: {valid}.",
            if unknown.len() > 1 { "s" } else { "" },
            unknown
                .iter()
                .map(|u| format!("`{u}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if let Some(required) = schema.get("required").and_then(Value::as_array) {
        let missing: Vec<&str> = required
            .iter()
            .filter_map(Value::as_str)
            .filter(|r| !prepared.contains_key(*r))
            .collect();
        if !missing.is_empty() {
            return Err(ArgError(format!(
                "Missing required argument{} {}.",
                if missing.len() > 1 { "s" } else { "" },
                missing
                    .iter()
                    .map(|m| format!("`{m}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
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
/// name is known (serde loses it inside flattened structs such as [`Page`]).
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

/// A UUID argument, checked before any request is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Id(pub uuid::Uuid);

impl<'de> Deserialize<'de> for Id {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        uuid::Uuid::try_parse(text.trim()).map(Id).map_err(|_| {
            serde::de::Error::custom(format!(
                "expected a UUID like 6ba7b810-9dad-11d1-80b4-00c04fd430c8, got {:?}",
                crate::text::preview(&text)
            ))
        })
    }
}

impl JsonSchema for Id {
    fn schema_name() -> Cow<'static, str> {
        "Id".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // No `"format": "uuid"`: the `_id` names say it, every byte of tools/list is paid
        // in every conversation, and a bad id gets a clear error anyway.
        json_schema!({"type": "string"})
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

pub fn ids(ids: &[Id]) -> Vec<uuid::Uuid> {
    ids.iter().map(|id| id.0).collect()
}

/// `since` / `until`: RFC 3339 with any offset, or a duration ago (`90m`, `6h`, `7d`).
/// Resolved to a UTC instant when parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PastTime(pub Timestamp);

impl<'de> Deserialize<'de> for PastTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_past_time(&text, Timestamp::now())
            .map(PastTime)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for PastTime {
    fn schema_name() -> Cow<'static, str> {
        "PastTime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

pub(crate) fn parse_past_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    if let Some(instant) = parse_rfc3339(text) {
        return Ok(instant);
    }
    let relative = text.strip_suffix("ago").map(str::trim_end).unwrap_or(text);
    if let Some(duration) = parse_duration(relative) {
        return now.checked_sub(duration).map_err(|e| e.to_string());
    }
    Err(format!(
        "expected RFC 3339 with an offset (2026-05-19T09:00:00Z) or a duration ago (90m, 6h, 7d), got {:?}",
        crate::text::preview(text)
    ))
}

/// An RFC 3339 instant. Stricter than jiff's parser, which also takes offsets up to
/// ±25:59, offsets with seconds and six-digit years: none of them is RFC 3339, and each is
/// more likely a typo than meant.
fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let bytes = text.as_bytes();
    let four_digit_year =
        bytes.len() > 4 && bytes[..4].iter().all(u8::is_ascii_digit) && bytes[4] == b'-';
    let offset_ok = if text.ends_with(['Z', 'z']) {
        true
    } else {
        let offset = &bytes[bytes.len().checked_sub(6)?..];
        let two = |at: usize| {
            std::str::from_utf8(&offset[at..at + 2])
                .ok()?
                .parse::<u8>()
                .ok()
        };
        matches!(offset[0], b'+' | b'-')
            && offset[3] == b':'
            && two(1).is_some_and(|h| h <= 23)
            && two(4).is_some_and(|m| m <= 59)
    };
    if !(four_digit_year && offset_ok) {
        return None;
    }
    text.parse().ok()
}

/// `30s`, `90m`, `6h`, `7d`, `2w`: a whole number and one unit.
pub(crate) fn parse_duration(text: &str) -> Option<SignedDuration> {
    let text = text.trim();
    let split = text.find(|c: char| !c.is_ascii_digit())?;
    let (digits, unit) = text.split_at(split);
    let amount: i64 = digits.parse().ok()?;
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return None,
    };
    // Ten years is far beyond any retention window; larger numbers are typos.
    let total = amount
        .checked_mul(seconds)
        .filter(|s| *s <= 10 * 366 * 86_400)?;
    Some(SignedDuration::from_secs(total))
}

/// How far back a window reaches when `since` is not given.
pub const DEFAULT_WINDOW_HOURS: i64 = 24;

/// The window of a list or a bulk filter: `since` defaults to [`DEFAULT_WINDOW_HOURS`]
/// before `until` (or before now), and must precede `until`.
pub fn time_window(
    since: Option<PastTime>,
    until: Option<PastTime>,
) -> Result<(Timestamp, Option<Timestamp>), ArgError> {
    let until = until.map(|t| t.0);
    let since = match since {
        Some(since) => since.0,
        None => until
            .unwrap_or_else(Timestamp::now)
            .checked_sub(SignedDuration::from_hours(DEFAULT_WINDOW_HOURS))
            .map_err(|_| {
                ArgError::new(
                    "Invalid argument `until`: too early to reach back 24h from; give a later time or `since` as well.",
                )
            })?,
    };
    if until.is_some_and(|until| until <= since) {
        return Err(ArgError::new(
            "Invalid arguments: `since` must be earlier than `until`.",
        ));
    }
    Ok((since, until))
}

/// `trigger_at`: RFC 3339 with any offset, or a duration from now (`+10m`, `+2h`). A time
/// that is not in the future is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FutureTime(pub Timestamp);

impl<'de> Deserialize<'de> for FutureTime {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        parse_future_time(&text, Timestamp::now())
            .map(FutureTime)
            .map_err(serde::de::Error::custom)
    }
}

impl JsonSchema for FutureTime {
    fn schema_name() -> Cow<'static, str> {
        "FutureTime".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

pub(crate) fn parse_future_time(text: &str, now: Timestamp) -> Result<Timestamp, String> {
    let text = text.trim();
    let when = if let Some(relative) = text.strip_prefix('+') {
        parse_duration(relative).and_then(|d| now.checked_add(d).ok())
    } else {
        parse_rfc3339(text)
    };
    match when {
        Some(when) if when > now => Ok(when),
        Some(when) => Err(format!(
            "{when} is not in the future (now is {now}); give a later time or a duration such as +10m"
        )),
        None => Err(format!(
            "expected RFC 3339 with an offset (2026-05-19T09:00:00Z) or a duration from now (+10m, +2h), got {:?}",
            crate::text::preview(text)
        )),
    }
}

/// A duration such as `24h`, `90m` or `7d`, sent in Go's notation (Go has no day unit).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoDuration(pub String);

impl<'de> Deserialize<'de> for GoDuration {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let seconds = parse_duration(&text)
            .map(|d| d.as_secs())
            .filter(|s| *s > 0)
            .ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "expected a duration such as 30m, 24h or 7d, got {:?}",
                    crate::text::preview(&text)
                ))
            })?;
        let go = match seconds {
            s if s % 3600 == 0 => format!("{}h", s / 3600),
            s if s % 60 == 0 => format!("{}m", s / 60),
            s => format!("{s}s"),
        };
        Ok(GoDuration(go))
    }
}

impl JsonSchema for GoDuration {
    fn schema_name() -> Cow<'static, str> {
        "GoDuration".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// A cron expression, checked locally: five or six fields, or one of Hatchet's macros.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CronExpression(pub String);

const CRON_MACROS: [&str; 6] = [
    "@yearly",
    "@annually",
    "@monthly",
    "@weekly",
    "@daily",
    "@hourly",
];

impl<'de> Deserialize<'de> for CronExpression {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let expression = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let fields = expression.split(' ').count();
        let field_chars = |c: char| c.is_ascii_alphanumeric() || "*/,-?#".contains(c);
        let valid = if expression.starts_with('@') {
            CRON_MACROS.contains(&expression.to_ascii_lowercase().as_str())
        } else {
            (5..=6).contains(&fields) && expression.chars().all(|c| c == ' ' || field_chars(c))
        };
        if valid {
            Ok(CronExpression(expression))
        } else {
            Err(serde::de::Error::custom(format!(
                "expected 5 or 6 cron fields (\"0 * * * *\") or one of {}, got {:?}",
                CRON_MACROS.join(" "),
                crate::text::preview(&text)
            )))
        }
    }
}

impl JsonSchema for CronExpression {
    fn schema_name() -> Cow<'static, str> {
        "CronExpression".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "string"})
    }
}

/// Run priority: 1 (lowest) to 3.
pub type Priority = Bounded<1, 3, 1>;

/// An integer in `MIN..=MAX`, defaulting to `DEFAULT` where the field has `#[serde(default)]`.
/// Out of range is an error, never a silent clamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bounded<const MIN: i64, const MAX: i64, const DEFAULT: i64>(i64);

/// The default `limit` of a paged list. Stated once, in the instructions and the docs,
/// rather than in every list tool's schema.
pub const DEFAULT_PAGE_LIMIT: i64 = 50;
pub const MAX_PAGE_LIMIT: i64 = 100;

/// `limit` of a list: 1..=100, default 50.
pub type PageLimit = Bounded<1, MAX_PAGE_LIMIT, DEFAULT_PAGE_LIMIT>;

impl<const MIN: i64, const MAX: i64, const DEFAULT: i64> Bounded<MIN, MAX, DEFAULT> {
    pub fn get(self) -> i64 {
        self.0
    }

    /// For the API's 32-bit fields; the bounds already keep it in range.
    pub fn as_u32(self) -> u32 {
        u32::try_from(self.0).unwrap_or(u32::MAX)
    }
}

impl<const MIN: i64, const MAX: i64, const DEFAULT: i64> Default for Bounded<MIN, MAX, DEFAULT> {
    fn default() -> Self {
        Self(DEFAULT)
    }
}

impl<const MIN: i64, const MAX: i64, const DEFAULT: i64> Serialize for Bounded<MIN, MAX, DEFAULT> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_i64(self.0)
    }
}

impl<'de, const MIN: i64, const MAX: i64, const DEFAULT: i64> Deserialize<'de>
    for Bounded<MIN, MAX, DEFAULT>
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let number = value.as_i64().or_else(|| {
            value
                .as_f64()
                .filter(|f| f.fract() == 0.0)
                .map(|f| f as i64)
        });
        let range = if MAX == i64::MAX {
            format!("{MIN} or more")
        } else {
            format!("from {MIN} to {MAX}")
        };
        match number {
            Some(n) if (MIN..=MAX).contains(&n) => Ok(Self(n)),
            _ => Err(serde::de::Error::custom(format!(
                "must be an integer {range}, got {value}"
            ))),
        }
    }
}

impl<const MIN: i64, const MAX: i64, const DEFAULT: i64> JsonSchema for Bounded<MIN, MAX, DEFAULT> {
    fn schema_name() -> Cow<'static, str> {
        format!("Bounded_{MIN}_{MAX}").into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        if MAX == i64::MAX {
            json_schema!({"type": "integer", "minimum": MIN})
        } else {
            json_schema!({"type": "integer", "minimum": MIN, "maximum": MAX})
        }
    }
}

/// `limit` and `offset`, shared by every paged list.
///
/// Their defaults (50 and 0) are stated once, in the server instructions, rather than in
/// every list tool's schema.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, JsonSchema)]
pub struct Page {
    #[serde(default)]
    #[schemars(transform = drop_default)]
    pub limit: PageLimit,
    #[serde(default)]
    #[schemars(transform = drop_default)]
    pub offset: Offset,
}

fn drop_default(schema: &mut Schema) {
    schema.remove("default");
}

/// `offset` of a list: 0 or more.
///
/// Its schema is a bare integer: a negative offset is refused when parsed, and no model
/// sends one, so eleven copies of `"minimum":0` would only cost context. Its error names
/// the argument itself, since serde loses the name inside the flattened [`Page`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Offset(u32);

impl Offset {
    pub fn get(self) -> i64 {
        i64::from(self.0)
    }
}

impl<'de> Deserialize<'de> for Offset {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let number = value.as_u64().or_else(|| {
            value
                .as_f64()
                .filter(|f| *f >= 0.0 && f.fract() == 0.0)
                .map(|f| f as u64)
        });
        match number.and_then(|n| u32::try_from(n).ok()) {
            Some(n) => Ok(Offset(n)),
            None => Err(serde::de::Error::custom(format!(
                "`offset` must be an integer 0 or more, got {value}"
            ))),
        }
    }
}

impl JsonSchema for Offset {
    fn schema_name() -> Cow<'static, str> {
        "Offset".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "integer"})
    }
}

impl Page {
    pub fn limit(&self) -> u32 {
        self.limit.as_u32()
    }

    pub fn offset(&self) -> u32 {
        self.offset.0
    }
}

/// A metadata filter: string keys to string values, sent as repeated `key:value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetadataFilter(pub BTreeMap<String, String>);

impl MetadataFilter {
    pub fn to_pairs(&self) -> Vec<String> {
        self.0.iter().map(|(k, v)| format!("{k}:{v}")).collect()
    }
}

impl<'de> Deserialize<'de> for MetadataFilter {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let Value::Object(object) = Value::deserialize(deserializer)? else {
            return Err(D::Error::custom(
                r#"expected an object of string keys to string values, like {"customer":"acme"}"#,
            ));
        };
        let mut filter = BTreeMap::new();
        for (key, value) in object {
            if key.contains(':') {
                return Err(D::Error::custom(format!(
                    "key {key:?} contains ':', which the key:value filter format cannot express"
                )));
            }
            let value = match value {
                Value::String(s) => s,
                scalar @ (Value::Number(_) | Value::Bool(_)) => scalar.to_string(),
                other => {
                    return Err(D::Error::custom(format!(
                        "value of {key:?} must be a string, got {other}"
                    )));
                }
            };
            filter.insert(key, value);
        }
        Ok(MetadataFilter(filter))
    }
}

impl JsonSchema for MetadataFilter {
    fn schema_name() -> Cow<'static, str> {
        "MetadataFilter".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({"type": "object", "additionalProperties": {"type": "string"}})
    }
}

/// A tool without arguments.
#[derive(Debug, Clone, Copy, Default, Deserialize, JsonSchema)]
pub struct NoArgs {}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::hatchet::runs::RunStatus;

    #[derive(Debug, Deserialize, JsonSchema)]
    struct Example {
        /// The run.
        run_id: Id,
        statuses: Option<Vec<RunStatus>>,
        #[serde(default)]
        flag: bool,
        since: Option<PastTime>,
        additional_metadata: Option<MetadataFilter>,
        #[serde(flatten)]
        page: Page,
    }

    fn run(args: Value) -> Result<Example, ArgError> {
        parse(&schema_for::<Example>(), args.as_object().cloned())
    }

    const RUN: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

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
    fn times_are_utc_and_relative_forms_count_back_from_now() {
        let now: Timestamp = "2026-05-19T12:00:00Z".parse().unwrap();
        let parse = |s| parse_past_time(s, now).unwrap().to_string();
        assert_eq!(parse("2026-05-19T09:00:00+09:00"), "2026-05-19T00:00:00Z");
        assert_eq!(parse("90m"), "2026-05-19T10:30:00Z");
        assert_eq!(parse("6h ago"), "2026-05-19T06:00:00Z");
        assert_eq!(parse("7d"), "2026-05-12T12:00:00Z");
        assert!(
            parse_past_time("2026-05-19T09:00:00", now).is_err(),
            "an offset is required"
        );
        assert!(parse_past_time("6x", now).is_err());
        assert!(parse_past_time("99999999999d", now).is_err());
    }

    #[test]
    fn only_rfc3339_offsets_and_years_are_accepted() {
        let now: Timestamp = "2026-05-19T12:00:00Z".parse().unwrap();
        for bad in [
            "2026-05-19T09:00:00+25:00",
            "2026-05-19T09:00:00+24:00",
            "2026-05-19T09:00:00+05:60",
            "2026-05-19T09:00:00+05:30:15",
            "-009999-01-01T00:00:00Z",
            "+002026-05-19T09:00:00Z",
        ] {
            assert!(parse_past_time(bad, now).is_err(), "{bad}");
            assert!(parse_future_time(bad, now).is_err(), "{bad}");
        }
        assert!(parse_past_time("2026-05-19T09:00:00-23:59", now).is_ok());
        assert!(parse_past_time("0000-01-01T00:00:00Z", now).is_ok());
    }

    #[test]
    fn a_window_ending_at_the_earliest_instant_is_an_error_not_a_panic() {
        let earliest = Some(PastTime(Timestamp::MIN));
        let err = time_window(None, earliest).unwrap_err();
        assert!(err.0.contains("`until`"), "{err}");
        // `since` defaults to a day before `until`, when `until` is given.
        let until: Timestamp = "2026-01-02T00:00:00Z".parse().unwrap();
        let (since, _) = time_window(None, Some(PastTime(until))).unwrap();
        assert_eq!(since.to_string(), "2026-01-01T00:00:00Z");
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
    fn trigger_times_must_be_in_the_future() {
        let now: Timestamp = "2026-05-19T12:00:00Z".parse().unwrap();
        assert_eq!(
            parse_future_time("+10m", now).unwrap().to_string(),
            "2026-05-19T12:10:00Z"
        );
        assert_eq!(
            parse_future_time("2026-05-20T09:00:00+09:00", now)
                .unwrap()
                .to_string(),
            "2026-05-20T00:00:00Z"
        );
        assert!(
            parse_future_time("2026-05-19T11:00:00Z", now)
                .unwrap_err()
                .contains("not in the future")
        );
        assert!(
            parse_future_time("tomorrow", now)
                .unwrap_err()
                .contains("+10m")
        );
    }

    #[test]
    fn cron_expressions_and_durations_are_checked_locally() {
        let cron = |s: &str| {
            serde_json::from_value::<CronExpression>(json!(s))
                .map(|c| c.0)
                .map_err(|e| e.to_string())
        };
        assert_eq!(cron("0  3 * * 1-5").unwrap(), "0 3 * * 1-5");
        assert_eq!(cron("*/5 * * * * *").unwrap(), "*/5 * * * * *");
        assert_eq!(cron("@daily").unwrap(), "@daily");
        assert!(cron("* * * *").unwrap_err().contains("5 or 6 cron fields"));
        assert!(cron("@sometimes").is_err());
        assert!(cron("0 3 * * 1; rm").is_err());
        let go = |s: &str| {
            serde_json::from_value::<GoDuration>(json!(s))
                .map(|d| d.0)
                .map_err(|e| e.to_string())
        };
        assert_eq!(go("24h").unwrap(), "24h");
        assert_eq!(go("7d").unwrap(), "168h");
        assert_eq!(go("90m").unwrap(), "90m");
        assert_eq!(go("45s").unwrap(), "45s");
        assert!(go("0m").is_err() && go("soon").is_err());
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
    fn time_window_defaults_to_a_day_and_orders_its_ends() {
        let (since, until) = time_window(None, None).unwrap();
        let expected = Timestamp::now() - SignedDuration::from_hours(24);
        assert!((since - expected).get_seconds().abs() < 5);
        assert_eq!(until, None);
        let t = |s: &str| Some(PastTime(s.parse().unwrap()));
        assert!(time_window(t("2026-01-02T00:00:00Z"), t("2026-01-01T00:00:00Z")).is_err());
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
