//! Hatchet's OpenAPI schemas as JSON Schema 2020-12, validated by boon.
//!
//! The spec's schemas are OpenAPI's dialect; each is converted once, when the spec is
//! loaded, into plain JSON Schema with this checker's two stricter readings (see the
//! module above): `nullable` becomes a `null` type, `allOf` (and a `$ref` with siblings) is
//! folded into one object schema, a schema with `properties` or `required` but no `type`
//! is an object (`items`: an array), and an object schema that lists `properties` and
//! says nothing of `additionalProperties` is closed. Every other `$ref` stays a reference
//! into the converted spec, so recursive schemas need no unrolling. boon then validates,
//! with the formats asserted (`uuid`, `date-time`, and the integer ranges `int32`,
//! `int64`, `uint64`), and its errors are written one line each, at the value's place.

use std::{collections::HashMap, error::Error};

use boon::{Compiler, ErrorKind, Format, InstanceToken, SchemaIndex, ValidationError};
use serde_json::{Map, Value, json};

/// Where the converted spec stands for boon; its `$ref`s point into it.
const SPEC_URL: &str = "https://hatchet-spec.invalid/openapi.json";

/// How deep `$ref` and `allOf` may fold into one another before the spec is called broken.
const MAX_FOLD_DEPTH: usize = 64;

/// The spec's schemas, compiled.
pub(super) struct Schemas {
    compiled: boon::Schemas,
    /// Every schema of the spec, by its JSON text in the spec as written.
    index: HashMap<String, SchemaIndex>,
    /// The converted spec, to read the `properties` of a schema an error names.
    converted: Value,
}

impl Schemas {
    /// Converts and compiles every schema of `doc`: the components' and those written in
    /// place in parameters, request bodies and responses.
    pub(super) fn compile(doc: &Value) -> Self {
        let mut converted = doc.clone();
        let mut places: Vec<String> = Vec::new();
        if let Some(schemas) = doc
            .pointer("/components/schemas")
            .and_then(Value::as_object)
        {
            for name in schemas.keys() {
                places.push(format!("/components/schemas/{}", escape(name)));
            }
        }
        schemas_in_place(doc, &mut places);
        for place in &places {
            let original = doc.pointer(place).expect("a place found in the spec");
            *converted.pointer_mut(place).expect("the same place") = convert(original, doc, 0);
        }

        let mut compiler = Compiler::new();
        compiler.enable_format_assertions();
        for (name, fits) in INTEGER_FORMATS {
            compiler.register_format(Format { name, func: fits });
        }
        compiler
            .add_resource(SPEC_URL, converted.clone())
            .unwrap_or_else(|e| panic!("contract: boon refused the converted spec: {e}"));
        let mut compiled = boon::Schemas::new();
        let mut index = HashMap::new();
        for place in &places {
            let at = compiler
                .compile(&format!("{SPEC_URL}#{place}"), &mut compiled)
                .unwrap_or_else(|e| panic!("contract: the spec's schema at {place}: {e:#}"));
            index.insert(doc.pointer(place).unwrap().to_string(), at);
        }
        Schemas {
            compiled,
            index,
            converted,
        }
    }

    /// Validates `value` against `schema` (a schema of the spec, as written there), one line
    /// per violation, each starting with `at` and the value's place under it.
    pub(super) fn validate(&self, value: &Value, schema: &Value, at: &str, out: &mut Vec<String>) {
        let Some(&compiled) = self.index.get(&schema.to_string()) else {
            panic!("contract: a schema that is not the spec's was checked at {at}: {schema}")
        };
        if let Err(error) = self.compiled.validate(value, compiled) {
            self.describe(&error, value, at, out);
        }
    }

    /// The lines for `error` and its causes.
    fn describe(&self, error: &ValidationError, root: &Value, at: &str, out: &mut Vec<String>) {
        let place = place_of(&error.instance_location.tokens);
        let here = format!("{at}{place}");
        let value = value_at(root, &error.instance_location.tokens);
        let line = match &error.kind {
            ErrorKind::Group
            | ErrorKind::Schema { .. }
            | ErrorKind::Reference { .. }
            | ErrorKind::AllOf => {
                for cause in &error.causes {
                    self.describe(cause, root, at, out);
                }
                return;
            }
            ErrorKind::AnyOf | ErrorKind::OneOf(None) => {
                let keyword = if matches!(error.kind, ErrorKind::AnyOf) {
                    "anyOf"
                } else {
                    "oneOf"
                };
                let branches: Vec<String> = error
                    .causes
                    .iter()
                    .map(|cause| {
                        let mut lines = Vec::new();
                        self.describe(cause, root, &here, &mut lines);
                        format!(
                            "{}: {}",
                            self.branch_name(cause.schema_url),
                            lines.join("; ")
                        )
                    })
                    .collect();
                format!(
                    "{here}: matches no `{keyword}` branch [{}]",
                    branches.join(" | ")
                )
            }
            ErrorKind::OneOf(Some((i, j))) => {
                format!("{here}: matches more than one `oneOf` branch ({i} and {j})")
            }
            ErrorKind::Required { want } => {
                for name in want {
                    out.push(format!("{here}: missing required property `{name}`"));
                }
                return;
            }
            ErrorKind::AdditionalProperties { got } => {
                let declared = self.declared_properties(error.schema_url);
                for name in got {
                    out.push(format!(
                        "{here}: unknown property `{name}` (declared: {})",
                        super::list_or_none(&declared)
                    ));
                }
                return;
            }
            ErrorKind::Type { want, .. } => {
                let want: Vec<String> = want.iter().map(|t| t.to_string()).collect();
                format!(
                    "{here}: expected {}, got {}",
                    want.join(" or "),
                    describe(value)
                )
            }
            ErrorKind::Enum { want } => {
                let shown: Vec<String> = want.iter().map(show).collect();
                format!(
                    "{here}: {} is not one of: {}",
                    describe(value),
                    shown.join(", ")
                )
            }
            ErrorKind::Const { want } => {
                format!("{here}: {} is not {}", describe(value), show(want))
            }
            ErrorKind::Format { want, .. } => match *want {
                "uuid" => format!("{here}: `{}` is not a UUID", show(value)),
                "date-time" => format!("{here}: `{}` is not an RFC 3339 date-time", show(value)),
                other => format!("{here}: {} does not fit format {other}", show(value)),
            },
            ErrorKind::FalseSchema => format!("{here}: no value is allowed here"),
            ErrorKind::MinLength { got, want } => {
                format!("{here}: length {got} is below minLength {want}")
            }
            ErrorKind::MaxLength { got, want } => {
                format!("{here}: length {got} is above maxLength {want}")
            }
            ErrorKind::Minimum { got, want } => format!("{here}: {got} is below minimum {want}"),
            ErrorKind::Maximum { got, want } => format!("{here}: {got} is above maximum {want}"),
            ErrorKind::ExclusiveMinimum { got, want } => {
                format!("{here}: {got} is not above exclusiveMinimum {want}")
            }
            ErrorKind::ExclusiveMaximum { got, want } => {
                format!("{here}: {got} is not below exclusiveMaximum {want}")
            }
            ErrorKind::MinItems { got, want } => {
                format!("{here}: {got} items, fewer than minItems {want}")
            }
            ErrorKind::MaxItems { got, want } => {
                format!("{here}: {got} items, more than maxItems {want}")
            }
            other => format!("{here}: {other}"),
        };
        out.push(line);
    }

    /// `branch 1 (V1TaskStatus)` for the schema at `url`, a branch of `anyOf`/`oneOf`.
    fn branch_name(&self, url: &str) -> String {
        let pointer = url.split_once('#').map_or("", |(_, p)| p);
        let index = pointer.rsplit('/').next().unwrap_or_default();
        let referenced = self
            .converted
            .pointer(pointer)
            .and_then(|branch| branch.get("$ref"))
            .and_then(Value::as_str)
            .and_then(|r| r.rsplit('/').next());
        match referenced {
            Some(name) => format!("branch {index} ({name})"),
            None => format!("branch {index}"),
        }
    }

    /// The property names the converted schema at `url` lists.
    fn declared_properties(&self, url: &str) -> Vec<String> {
        let pointer = url.split_once('#').map_or("", |(_, pointer)| pointer);
        self.converted
            .pointer(pointer)
            .and_then(|schema| schema.get("properties"))
            .and_then(Value::as_object)
            .map(|properties| {
                properties
                    .iter()
                    // The names added for `required` alone are not described.
                    .filter(|(_, schema)| **schema != Value::Bool(true))
                    .map(|(name, _)| name.clone())
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// What boon calls to check a format.
type FormatCheck = fn(&Value) -> Result<(), Box<dyn Error>>;

/// The formats the spec gives integers, as ranges.
const INTEGER_FORMATS: [(&str, FormatCheck); 3] = [
    ("int32", |v| fits(v, i32::MIN as f64, i32::MAX as f64)),
    ("int64", |v| fits(v, i64::MIN as f64, i64::MAX as f64)),
    ("uint64", |v| fits(v, 0.0, u64::MAX as f64)),
];

fn fits(value: &Value, min: f64, max: f64) -> Result<(), Box<dyn Error>> {
    let Some(number) = value.as_number() else {
        return Ok(()); // a format says nothing of other types
    };
    let integral =
        number.is_i64() || number.is_u64() || number.as_f64().is_some_and(|f| f.fract() == 0.0);
    let x = number.as_f64().unwrap_or(f64::NAN);
    if integral && (min..=max).contains(&x) {
        Ok(())
    } else {
        Err(format!("{number} is out of range").into())
    }
}

/// Where the spec writes schemas in place: each parameter's, each request and response
/// body's, in `paths` and in `components` (not inside schemas themselves, where a property
/// may well be called `schema`).
fn schemas_in_place(doc: &Value, places: &mut Vec<String>) {
    let mut holders: Vec<String> = Vec::new();
    if let Some(paths) = doc.get("paths").and_then(Value::as_object) {
        for (path, item) in paths {
            let item_at = format!("/paths/{}", escape(path));
            holders.push(item_at.clone());
            for (method, operation) in item.as_object().into_iter().flatten() {
                if operation.is_object() && method != "parameters" {
                    holders.push(format!("{item_at}/{}", escape(method)));
                }
            }
        }
    }
    for section in ["parameters", "requestBodies", "responses"] {
        let at = format!("/components/{section}");
        if let Some(entries) = doc.pointer(&at).and_then(Value::as_object) {
            for name in entries.keys() {
                holders.push(format!("{at}/{}", escape(name)));
            }
        }
    }
    for holder in holders {
        let node = doc.pointer(&holder).unwrap();
        // An operation or path item: its parameters, request body and responses.
        for (i, parameter) in node
            .get("parameters")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            if parameter.get("schema").is_some() {
                places.push(format!("{holder}/parameters/{i}/schema"));
            }
        }
        // A component parameter itself.
        if node.get("in").is_some() && node.get("schema").is_some() {
            places.push(format!("{holder}/schema"));
        }
        let mut bodies: Vec<String> = vec![holder.clone()];
        if node.get("requestBody").is_some() {
            bodies.push(format!("{holder}/requestBody"));
        }
        for status in node
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flat_map(|r| r.keys())
        {
            bodies.push(format!("{holder}/responses/{}", escape(status)));
        }
        for body in bodies {
            let content = doc.pointer(&format!("{body}/content"));
            for media in content
                .and_then(Value::as_object)
                .into_iter()
                .flat_map(|c| c.keys())
            {
                let at = format!("{body}/content/{}/schema", escape(media));
                if doc.pointer(&at).is_some() {
                    places.push(at);
                }
            }
        }
    }
}

/// `name` as one JSON pointer token.
fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// A schema of the spec as JSON Schema 2020-12 (see the module's docs).
fn convert(schema: &Value, doc: &Value, depth: usize) -> Value {
    let Value::Object(own) = schema else {
        return schema.clone(); // a boolean schema
    };
    let reference = own.get("$ref").and_then(Value::as_str);
    let folds = own.contains_key("allOf")
        || (reference.is_some() && own.keys().any(|k| !is_annotation(k) && k != "$ref"));
    if let (Some(reference), false) = (reference, folds) {
        return json!({ "$ref": format!("{SPEC_URL}{reference}") });
    }
    let mut merged = Map::new();
    if folds {
        if let Some(reference) = reference {
            merge(&mut merged, folded(lookup(doc, reference), doc, depth + 1));
        }
        for branch in own
            .get("allOf")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            merge(&mut merged, folded(branch, doc, depth + 1));
        }
    }
    let mut rest = Map::new();
    for (key, value) in own {
        let converted = match key.as_str() {
            "$ref" | "allOf" => continue,
            "properties" => Value::Object(
                value
                    .as_object()
                    .into_iter()
                    .flatten()
                    .map(|(name, property)| (name.clone(), convert(property, doc, depth)))
                    .collect(),
            ),
            "items" | "not" => convert(value, doc, depth),
            "additionalProperties" if value.is_object() => convert(value, doc, depth),
            "anyOf" | "oneOf" => Value::Array(
                value
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|branch| convert(branch, doc, depth))
                    .collect(),
            ),
            _ => value.clone(),
        };
        rest.insert(key.clone(), converted);
    }
    merge(&mut merged, rest);
    as_json_schema(merged)
}

/// A schema folded into one object (its own `$ref` and `allOf` merged in), for `allOf`.
fn folded(schema: &Value, doc: &Value, depth: usize) -> Map<String, Value> {
    assert!(
        depth <= MAX_FOLD_DEPTH,
        "contract: `$ref`/`allOf` nesting in the spec is too deep (a cycle?)"
    );
    match schema.as_object() {
        Some(own) if own.contains_key("$ref") && !own.contains_key("allOf") => {
            let mut merged = folded(
                lookup(doc, own["$ref"].as_str().unwrap_or_default()),
                doc,
                depth + 1,
            );
            let siblings: Map<String, Value> = own
                .iter()
                .filter(|(k, _)| *k != "$ref")
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if let Value::Object(siblings) = convert(&Value::Object(siblings), doc, depth + 1) {
                merge(&mut merged, siblings);
            }
            merged
        }
        _ => match convert(schema, doc, depth + 1) {
            Value::Object(map) => map,
            _ => Map::new(),
        },
    }
}

/// Looks up a local `$ref` such as `#/components/schemas/V1TaskStatus`.
fn lookup<'a>(doc: &'a Value, reference: &str) -> &'a Value {
    let pointer = reference.strip_prefix('#').unwrap_or_else(|| {
        panic!("contract: only local `$ref`s are supported, the spec has `{reference}`")
    });
    doc.pointer(pointer)
        .unwrap_or_else(|| panic!("contract: the spec has an unresolvable `$ref`: `{reference}`"))
}

fn is_annotation(key: &str) -> bool {
    matches!(
        key,
        "description" | "title" | "example" | "examples" | "deprecated"
    ) || key.starts_with("x-") && key != "x-nullable"
}

/// Merges schema keywords from `other` into `into` (for `allOf` and `$ref` siblings):
/// properties are united (a property declared on both sides must satisfy both), `required`
/// is concatenated, and a closed `additionalProperties: false` stays closed. Other
/// keywords: the later one wins, which is enough for Hatchet's spec, where `allOf` only
/// composes object schemas.
fn merge(into: &mut Map<String, Value>, other: Map<String, Value>) {
    for (key, value) in other {
        match (key.as_str(), into.get_mut(&key)) {
            ("properties", Some(Value::Object(existing))) => {
                for (name, schema) in value.as_object().cloned().unwrap_or_default() {
                    let combined = match existing.remove(&name) {
                        Some(old) => json!({ "allOf": [old, schema] }),
                        None => schema,
                    };
                    existing.insert(name, combined);
                }
            }
            ("required", Some(Value::Array(existing))) => {
                for name in value.as_array().into_iter().flatten() {
                    if !existing.contains(name) {
                        existing.push(name.clone());
                    }
                }
            }
            ("additionalProperties", Some(Value::Bool(false))) => {}
            _ => {
                into.insert(key, value);
            }
        }
    }
}

/// OpenAPI's readings made JSON Schema's: `nullable`, the implied `type`, closed objects.
fn as_json_schema(mut schema: Map<String, Value>) -> Value {
    if !schema.contains_key("type") {
        if schema.contains_key("properties") || schema.contains_key("required") {
            schema.insert("type".into(), json!("object"));
        } else if schema.contains_key("items") {
            schema.insert("type".into(), json!("array"));
        }
    }
    if schema
        .get("properties")
        .is_some_and(|p| p.as_object().is_some_and(|p| !p.is_empty()))
        && !schema.contains_key("additionalProperties")
    {
        schema.insert("additionalProperties".into(), Value::Bool(false));
    }
    // A name the schema requires is allowed, though some of Hatchet's schemas require one
    // they do not describe (`Step.nextId`, `V1TaskSummary.id`).
    let required: Vec<String> = schema
        .get("required")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect();
    if let Some(Value::Object(properties)) = schema.get_mut("properties") {
        for name in required {
            properties.entry(name).or_insert(Value::Bool(true));
        }
    }
    let nullable =
        [schema.remove("nullable"), schema.remove("x-nullable")].contains(&Some(Value::Bool(true)));
    if !nullable {
        return Value::Object(schema);
    }
    match schema.get_mut("type") {
        Some(Value::String(one)) => {
            let one = std::mem::take(one);
            schema.insert("type".into(), json!([one, "null"]));
        }
        Some(Value::Array(many)) if !many.contains(&json!("null")) => many.push(json!("null")),
        Some(_) => {}
        None => return json!({ "anyOf": [schema, { "type": "null" }] }),
    }
    if let Some(Value::Array(allowed)) = schema.get_mut("enum") {
        allowed.push(Value::Null);
    }
    Value::Object(schema)
}

/// `.name` and `[i]` for a place in the value.
fn place_of(tokens: &[InstanceToken]) -> String {
    tokens
        .iter()
        .map(|token| match token {
            InstanceToken::Prop(name) => format!(".{name}"),
            InstanceToken::Item(i) => format!("[{i}]"),
        })
        .collect()
}

fn value_at<'v>(root: &'v Value, tokens: &[InstanceToken]) -> &'v Value {
    tokens.iter().fold(root, |value, token| match token {
        InstanceToken::Prop(name) => &value[name.as_ref()],
        InstanceToken::Item(i) => &value[*i],
    })
}

/// A value for messages: its JSON type plus a short rendering of scalars.
pub(super) fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Array(_) | Value::Object(_) => super::json_type(value).to_owned(),
        Value::String(_) | Value::Bool(_) | Value::Number(_) => {
            let mut text = value.to_string();
            if text.chars().count() > 80 {
                text = text.chars().take(77).collect::<String>() + "...";
            }
            format!("{} {text}", super::json_type(value))
        }
    }
}

/// An enum value for messages: strings without quotes.
pub(super) fn show(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
