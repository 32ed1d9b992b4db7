//! The shape of JSON answers: what a real engine's answers hold (field names and JSON types,
//! merged over every row), to hold the fake's answers against, and the normalising that
//! turns a real answer into a recording fit to commit (ids and times replaced, paths of the
//! machine removed).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde_json::{Map, Value};

/// What a set of JSON values holds, merged: an object's fields are the union of the fields
/// of every object seen there, an array's items the merge of every item.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Shape {
    /// JSON types seen here: "null", "bool", "number", "string", "array", "object".
    pub types: BTreeSet<&'static str>,
    pub fields: BTreeMap<String, Shape>,
    /// The merged shape of array items; `None` when every array seen here was empty.
    pub items: Option<Box<Shape>>,
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "bool",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

impl Shape {
    pub fn of(values: &[&Value]) -> Self {
        let mut shape = Self::default();
        for value in values {
            shape.add(value);
        }
        shape
    }

    pub fn add(&mut self, value: &Value) {
        self.types.insert(type_name(value));
        match value {
            Value::Object(object) => {
                for (key, field) in object {
                    self.fields.entry(key.clone()).or_default().add(field);
                }
            }
            Value::Array(items) => {
                for item in items {
                    self.items.get_or_insert_with(Box::default).add(item);
                }
            }
            _ => {}
        }
    }
}

/// Where `fake` departs from what the real engine sent (`real`): a field the engine never
/// sends, or a value of a JSON type the engine never sends there. A null on either side
/// matches any type (the engine leaves out or nulls what it has no value for, and the fake
/// may too). Fields the engine sends that the fake leaves out are not departures. Arrays
/// the engine sent only empty cannot be compared: their paths are returned in `unchecked`.
#[derive(Debug, Default)]
pub struct Departures {
    pub mismatches: BTreeSet<String>,
    pub unchecked: BTreeSet<String>,
}

/// Fields whose contents are the tenant's own, not the API's: a workflow's input and output,
/// an event's payload, metadata the application attaches, the engine's stored config of a
/// workflow, and maps keyed by the tenant's queue names. Only their JSON type is compared.
const FREE_FORM: [&str; 7] = [
    "input",
    "output",
    "payload",
    "staticPayload",
    "additionalMetadata",
    "workflowConfig",
    "queues",
];

/// Whether a field holds the tenant's own data: a [`FREE_FORM`] field, or a `metadata`
/// object that is not the API's resource metadata (a log line's, say, which has no `id`).
fn is_free_form(key: &str, real: &Shape) -> bool {
    FREE_FORM.contains(&key) || key == "metadata" && !real.fields.contains_key("id")
}

pub fn departures(fake: &Value, real: &Shape) -> Departures {
    let mut found = Departures::default();
    compare(fake, real, "", &mut found);
    found
}

fn compare(fake: &Value, real: &Shape, path: &str, found: &mut Departures) {
    let kind = type_name(fake);
    if kind == "null" || real.types.contains("null") && real.types.len() == 1 {
        return;
    }
    if !real.types.contains(kind) {
        found.mismatches.insert(format!(
            "{}: the fake sends {kind}, the engine {}",
            display(path),
            real.types.iter().copied().collect::<Vec<_>>().join(" or ")
        ));
        return;
    }
    match fake {
        Value::Object(object) => {
            for (key, value) in object {
                let at = format!("{path}/{key}");
                match real.fields.get(key) {
                    Some(shape) if is_free_form(key, shape) => {
                        let kind = type_name(value);
                        if kind != "null"
                            && !shape.types.contains(kind)
                            && !shape.types.contains("null")
                        {
                            found.mismatches.insert(format!(
                                "{}: the fake sends {kind}, the engine {}",
                                display(&at),
                                shape.types.iter().copied().collect::<Vec<_>>().join(" or ")
                            ));
                        }
                    }
                    Some(shape) => compare(value, shape, &at, found),
                    None => {
                        found
                            .mismatches
                            .insert(format!("{}: a field the engine never sends", display(&at)));
                    }
                }
            }
        }
        Value::Array(items) if !items.is_empty() => match &real.items {
            Some(shape) => {
                for item in items {
                    compare(item, shape, &format!("{path}/*"), found);
                }
            }
            None => {
                found.unchecked.insert(display(path));
            }
        },
        _ => {}
    }
}

fn display(path: &str) -> String {
    if path.is_empty() {
        "/".to_owned()
    } else {
        path.to_owned()
    }
}

/// A real answer made fit to commit and stable across runs: every UUID replaced by a
/// numbered one (the same id, the same number, in order of appearance), every RFC 3339
/// time by `2026-01-01T00:00:00Z`, `root` (the checkout's path, as it appears in worker
/// tracebacks) by `<root>` and the home folder by `<home>`, and the W3C trace ids of `traceparent` values zeroed.
pub fn normalised(value: &Value, root: &str) -> Value {
    let mut ids = HashMap::new();
    normalise(value, root, &mut ids)
}

fn normalise(value: &Value, root: &str, ids: &mut HashMap<String, String>) -> Value {
    match value {
        Value::String(text) => Value::String(normalise_text(text, root, ids)),
        Value::Array(items) => {
            Value::Array(items.iter().map(|v| normalise(v, root, ids)).collect())
        }
        Value::Object(object) => Value::Object(
            object
                .iter()
                .map(|(k, v)| (k.clone(), normalise(v, root, ids)))
                .collect::<Map<_, _>>(),
        ),
        other => other.clone(),
    }
}

fn normalise_text(text: &str, root: &str, ids: &mut HashMap<String, String>) -> String {
    if is_time(text) {
        return "2026-01-01T00:00:00Z".to_owned();
    }
    if text.starts_with("00-") && text.len() == 55 && text.matches('-').count() == 3 {
        return format!("00-{}-{}-01", "0".repeat(32), "0".repeat(16));
    }
    let mut out = if root.is_empty() {
        text.to_owned()
    } else {
        text.replace(root, "<root>")
    };
    // The home folder too (the Python of worker tracebacks lives there).
    if let Ok(home) = std::env::var("HOME")
        && home.len() > 1
    {
        out = out.replace(&home, "<home>");
    }
    // UUIDs anywhere in the text (ids inside messages too).
    let bytes = out.clone();
    let mut at = 0;
    let mut rebuilt = String::with_capacity(out.len());
    while at < bytes.len() {
        if let Some(candidate) = bytes.get(at..at + 36)
            && is_uuid(candidate)
        {
            let next = ids.len() + 1;
            let replacement = ids
                .entry(candidate.to_owned())
                .or_insert_with(|| format!("00000000-0000-4000-8000-{next:012}"));
            rebuilt.push_str(replacement);
            at += 36;
        } else {
            let c = bytes[at..].chars().next().unwrap();
            rebuilt.push(c);
            at += c.len_utf8();
        }
    }
    out = rebuilt;
    out
}

fn is_uuid(text: &str) -> bool {
    text.len() == 36
        && text.char_indices().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == '-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn is_time(text: &str) -> bool {
    text.len() >= 20
        && text.as_bytes().get(4) == Some(&b'-')
        && text.as_bytes().get(10) == Some(&b'T')
        && text.parse::<jiff::Timestamp>().is_ok()
}
