//! The other shared argument types: ids, bounded integers, paging, metadata filters, and
//! the empty argument struct.

use std::{borrow::Cow, collections::BTreeMap, fmt};

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

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

/// A workflow, by id or by name: a filter such as `list_runs`'s `workflow_ids` takes either,
/// so an agent asked about "send-email" needs no `list_workflows` call first. Names are
/// resolved by [`WorkflowNames`](crate::mcp::workflow_names::WorkflowNames).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WorkflowRef {
    Id(uuid::Uuid),
    Name(String),
}

impl<'de> Deserialize<'de> for WorkflowRef {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let text = text.trim();
        if let Ok(id) = uuid::Uuid::try_parse(text) {
            return Ok(WorkflowRef::Id(id));
        }
        if text.is_empty() || text.chars().any(char::is_control) {
            return Err(serde::de::Error::custom(format!(
                "expected a workflow id (a UUID) or a workflow name, got {:?}",
                crate::text::preview(text)
            )));
        }
        Ok(WorkflowRef::Name(text.to_owned()))
    }
}

impl JsonSchema for WorkflowRef {
    fn schema_name() -> Cow<'static, str> {
        "WorkflowRef".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // As `Id`'s: names are accepted without a byte more in every tools/list; the
        // instructions say so once.
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
