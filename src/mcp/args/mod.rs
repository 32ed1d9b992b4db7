//! Tool arguments: the shared argument types, their schemas, and the one path every call's
//! arguments take from JSON to a typed struct.
//!
//! A tool's argument struct derives `Deserialize` and `JsonSchema`; its schema (flattened,
//! `$ref`-free) is what `tools/list` shows, and the same schema drives [`parse()`]: unknown
//! arguments are refused, common model slips are coerced, then serde does the validation.
//!
//! By concern: `schema` (the published schema), `parse` (a call's arguments to a struct),
//! `time` (instants, durations, windows), `cron` (cron expressions) and `types` (the other
//! shared argument types).

mod cron;
mod parse;
mod schema;
mod time;
mod types;

use serde_json::{Map, Value};

pub use cron::CronExpression;
pub use parse::{ArgError, MAX_TEXT_ARGUMENT_CHARS, parse};
pub(crate) use parse::{missing_arguments, unknown_arguments};
pub use schema::schema_for;
pub use time::{DEFAULT_WINDOW_HOURS, FutureTime, GoDuration, PastTime, time_window};
pub use types::{
    Bounded, DEFAULT_PAGE_LIMIT, Id, MAX_PAGE_LIMIT, MetadataFilter, NoArgs, Offset, Page,
    PageLimit, Priority, WorkflowRef, ids,
};

pub type JsonObject = Map<String, Value>;

// The argument struct the unit tests of `schema` and `parse` share.
#[cfg(test)]
#[derive(Debug, serde::Deserialize, schemars::JsonSchema)]
struct Example {
    /// The run.
    run_id: Id,
    statuses: Option<Vec<crate::hatchet::runs::RunStatus>>,
    #[serde(default)]
    flag: bool,
    since: Option<PastTime>,
    additional_metadata: Option<MetadataFilter>,
    #[serde(flatten)]
    page: Page,
}
