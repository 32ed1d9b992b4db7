//! Summary rows: what a list tool returns per row unless asked for `detail: "full"`.
//!
//! A row of the API repeats what every row says (`tenantId`, version ids, the `metadata`
//! triplet) and carries what no decision needs. One table per list tool ([`Summary`]) names
//! the fields an operator decides with and the ids the next call takes, under short keys;
//! [`Summary::apply`] projects a page with it. The tables also write the reference
//! (`docs/tools.md`), so what a key means is documented where the tool is.

use std::borrow::Cow;

use std::sync::OnceLock;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::args::{self, JsonObject, Page};
use crate::text;

/// `detail`: summary rows (the default), or the API's rows whole.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Detail {
    #[default]
    Summary,
    Full,
}

impl JsonSchema for Detail {
    fn schema_name() -> Cow<'static, str> {
        "Detail".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        // The default and what each says are in the instructions and docs, once.
        json_schema!({"type": "string", "enum": ["summary", "full"]})
    }
}

/// What every paged list takes alike: `limit`, `offset` and `detail`.
#[derive(Deserialize, JsonSchema)]
#[allow(dead_code)] // Only its schema is used.
struct ListArguments {
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

/// The schemas of the arguments every list takes alike, by name. `tools/list` shows them in
/// a shorter form ([`published_list_arguments`]); a tool whose argument of that name is
/// different (`get_task_logs`' `limit`) shows its own.
pub fn list_arguments() -> &'static JsonObject {
    static SHARED: OnceLock<JsonObject> = OnceLock::new();
    SHARED.get_or_init(|| {
        let mut schema = args::schema_for::<ListArguments>();
        match schema.remove("properties") {
            Some(Value::Object(properties)) => properties,
            _ => JsonObject::new(),
        }
    })
}

/// [`list_arguments`] as `tools/list` shows them in every list tool: as short as a model
/// can use (every byte of `tools/list` is paid in every conversation). `limit` leaves out
/// its bounds, which its refusal states; the instructions and docs say what each does.
pub fn published_list_arguments() -> &'static JsonObject {
    static PUBLISHED: OnceLock<JsonObject> = OnceLock::new();
    PUBLISHED.get_or_init(|| {
        let mut published = list_arguments().clone();
        if let Some(Value::Object(limit)) = published.get_mut("limit") {
            limit.retain(|key, _| key == "type");
        }
        published
    })
}

/// Texts longer than this are cut in the middle in a summary row: the start says what
/// failed in Go and TypeScript errors, the end does in a Python traceback.
pub const MAX_SUMMARY_TEXT_CHARS: usize = 300;

/// How a field's value becomes the summary's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum How {
    /// As the API gives it.
    Copy,
    /// A timestamp to whole seconds (`2026-05-19T08:00:00Z`).
    Second,
    /// Text over [`MAX_SUMMARY_TEXT_CHARS`] cut in the middle, saying how much was left out.
    Cut,
    /// A number, only when above zero.
    Positive,
    /// A flag, only when it is this value.
    Only(bool),
    /// How many items an array has.
    Count,
    /// Each object's field, from an array of objects.
    Each(&'static str),
    /// An object of counts, without the zeros.
    NonZero,
}

/// When a field is shown at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    Always,
    /// Only when the row has no value at this path (a queued run's creation time, where a
    /// started run has its start).
    Absent(&'static str),
    /// Only when it says more than the value at this path: not equal to it, nor that value
    /// with something appended (a run's display name that is its workflow's name and a
    /// timestamp; a run id equal to the row's id).
    Beyond(&'static str),
    /// Unless it is this value (a span status of `UNSET`).
    Not(&'static str),
}

/// One key of a summary row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub key: &'static str,
    /// Where the value is in the API's row: object keys joined by `.` (`metadata.id`).
    pub from: &'static str,
    pub how: How,
    pub when: When,
}

impl Field {
    pub const fn new(key: &'static str, from: &'static str) -> Self {
        Self {
            key,
            from,
            how: How::Copy,
            when: When::Always,
        }
    }

    pub const fn how(mut self, how: How) -> Self {
        self.how = how;
        self
    }

    pub const fn when(mut self, when: When) -> Self {
        self.when = when;
        self
    }
}

/// Ids that rows would all repeat, given once beside them: `key` maps each row's `name` to
/// its `id` (each workflow's id by name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Legend {
    pub key: &'static str,
    pub name: &'static str,
    pub id: &'static str,
}

/// The summary projection of a list tool's rows. A tool declares its own
/// ([`ToolSpec::lists`](crate::mcp::registry::ToolSpec::lists)): the one link between them.
#[derive(Debug, PartialEq, Eq)]
pub struct Summary {
    pub fields: &'static [Field],
    pub legend: Option<Legend>,
    /// Where a text cut in a row can be read whole, for the note that says so.
    pub whole: &'static str,
    /// Whether the tool's `include_payloads` adds each row's `input`, `output` and
    /// `payload` to its summary.
    pub payloads: bool,
}

/// Row fields that carry user payloads: a summary keeps them only when they were asked for.
pub const PAYLOAD_FIELDS: [&str; 3] = ["input", "output", "payload"];

mod tables;
pub use tables::*;

/// The API answers `list_dag_tasks` with one `{dagId, children}` per run asked for; a
/// summary is one page of their tasks, each row naming its run (`workflowRunExternalId`).
/// An answer of another shape is returned as it is, to be shown whole.
pub fn dag_tasks(dags: Value) -> Value {
    let Value::Array(dags) = dags else {
        return dags;
    };
    let flattens = |dag: &Value| {
        dag.is_object()
            && matches!(
                dag.get("children"),
                None | Some(Value::Null | Value::Array(_))
            )
    };
    if !dags.iter().all(flattens) {
        return Value::Array(dags);
    }
    let rows: Vec<Value> = dags
        .into_iter()
        .flat_map(|mut dag| match dag["children"].take() {
            Value::Array(children) => children,
            _ => Vec::new(),
        })
        .collect();
    serde_json::json!({ "rows": rows })
}

impl Summary {
    /// Replaces each row of `page` (`{rows, ...}`) by its summary; user payloads stay when
    /// `keep_payloads` and this summary takes them ([`Summary::payloads`]). Beside the rows go the legend, and a note when a text was cut.
    pub fn apply(&self, page: &mut Value, keep_payloads: bool) {
        let Some(rows) = page.get_mut("rows").and_then(Value::as_array_mut) else {
            return;
        };
        let mut legend = Map::new();
        let mut cut = false;
        for row in rows.iter_mut() {
            if let Some(Legend { name, id, .. }) = self.legend
                && let (Some(Value::String(name)), Some(id)) = (lookup(row, name), lookup(row, id))
            {
                legend.insert(name.clone(), id.clone());
            }
            let (summary, was_cut) = self.summarise(row, keep_payloads);
            cut |= was_cut;
            *row = Value::Object(summary);
        }
        let Value::Object(page) = page else { return };
        if let (Some(Legend { key, .. }), false) = (self.legend, legend.is_empty()) {
            page.insert(key.into(), Value::Object(legend));
        }
        if cut {
            page.insert(
                "note".into(),
                format!(
                    "Texts over {MAX_SUMMARY_TEXT_CHARS} characters are cut in the middle ([N characters cut]); {} has them whole.",
                    self.whole
                )
                .into(),
            );
        }
    }

    /// One row's summary (user payloads as [`Summary::apply`] keeps them), and whether a
    /// text in it was cut.
    pub fn summarise(&self, row: &Value, keep_payloads: bool) -> (Map<String, Value>, bool) {
        let mut summary = Map::new();
        let mut cut = false;
        for field in self.fields {
            let Some(value) = lookup(row, field.from) else {
                continue;
            };
            let shown = match field.when {
                When::Always => true,
                When::Absent(path) => lookup(row, path).is_none(),
                When::Beyond(path) => lookup(row, path).is_none_or(|other| says_more(value, other)),
                When::Not(literal) => value.as_str() != Some(literal),
            };
            if !shown {
                continue;
            }
            if let Some((value, was_cut)) = project(value, field.how) {
                cut |= was_cut;
                summary.insert(field.key.to_owned(), value);
            }
        }
        if keep_payloads && self.payloads {
            for name in PAYLOAD_FIELDS {
                if let Some(value) = row.get(name) {
                    summary.insert(name.to_owned(), value.clone());
                }
            }
        }
        (summary, cut)
    }

    /// The summary's keys for the reference: `` `id` (metadata.id), `run` (workflowRunExternalId, when it says more than metadata.id) ``.
    pub fn describe(&self) -> String {
        let mut keys: Vec<String> = self.fields.iter().map(describe_field).collect();
        if self.payloads {
            keys.push("with include_payloads also `input`, `output` and `payload`".into());
        }
        if let Some(legend) = self.legend {
            keys.push(format!(
                "and beside the rows `{}`: each {}'s {}",
                legend.key, legend.name, legend.id
            ));
        }
        keys.join(", ")
    }
}

fn describe_field(field: &Field) -> String {
    let how = match field.how {
        How::Copy => String::new(),
        How::Second => ", to the second".into(),
        How::Cut => format!(", cut to {MAX_SUMMARY_TEXT_CHARS} characters"),
        How::Positive => ", when above 0".into(),
        How::Only(value) => format!(", only when {value}"),
        How::Count => ", counted".into(),
        How::Each(name) => format!(", each one's {name}"),
        How::NonZero => ", without zeros".into(),
    };
    let when = match field.when {
        When::Always => String::new(),
        When::Absent(path) => format!(", when there is no {path}"),
        When::Beyond(path) => format!(", when it says more than {path}"),
        When::Not(literal) => format!(", unless {literal}"),
    };
    format!("`{}` ({}{how}{when})", field.key, field.from)
}

/// The value at `path` (object keys joined by `.`), if present and not null.
fn lookup<'a>(row: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(row, |value, key| value.get(key))
        .filter(|value| !value.is_null())
}

/// Whether `value` says more than `other`: not equal to it, nor it with a suffix.
fn says_more(value: &Value, other: &Value) -> bool {
    match (value, other) {
        // An empty text says nothing, so anything says more than it.
        (Value::String(value), Value::String(other)) => {
            other.is_empty() || !value.starts_with(other.as_str())
        }
        (value, other) => value != other,
    }
}

/// The summary value, and whether a text was cut; `None` when there is nothing to show
/// (an empty text, object or array, a zero that [`How::Positive`] leaves out).
fn project(value: &Value, how: How) -> Option<(Value, bool)> {
    let mut cut = false;
    let projected = match (how, value) {
        (How::Copy, value) => value.clone(),
        (How::Second, Value::String(time)) => Value::String(to_second(time)),
        (How::Cut, Value::String(text)) => {
            let short = text::cut_middle(text, MAX_SUMMARY_TEXT_CHARS);
            cut = short.len() < text.len();
            Value::String(short)
        }
        (How::Positive, Value::Number(n)) => match n.as_f64() {
            Some(x) if x > 0.0 => value.clone(),
            _ => return None,
        },
        (How::Only(wanted), Value::Bool(b)) if *b == wanted => value.clone(),
        (How::Only(_), _) => return None,
        (How::Count, Value::Array(items)) => items.len().into(),
        (How::Each(name), Value::Array(items)) => Value::Array(
            items
                .iter()
                .filter_map(|i| lookup(i, name))
                .cloned()
                .collect(),
        ),
        (How::NonZero, Value::Object(counts)) => Value::Object(
            counts
                .iter()
                .filter(|(_, n)| n.as_f64() != Some(0.0))
                .map(|(k, n)| (k.clone(), n.clone()))
                .collect(),
        ),
        // A value not of the expected type passes as the API gave it.
        (_, value) => value.clone(),
    };
    let empty = match &projected {
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    (!empty).then_some((projected, cut))
}

/// `2026-05-19T08:00:00.123456Z` to `2026-05-19T08:00:00Z`; anything else as it is.
fn to_second(time: &str) -> String {
    let Some(dot) = time.find('.').filter(|&at| time[..at].contains('T')) else {
        return time.to_owned();
    };
    let digits = time[dot + 1..]
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(time.len() - dot - 1);
    format!("{}{}", &time[..dot], &time[dot + 1 + digits..])
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_run_row_keeps_what_a_decision_needs() {
        let mut page = json!({"rows": [{
            "metadata": {"id": "r1", "createdAt": "2026-05-19T08:00:00.5Z", "updatedAt": "2026-05-19T08:00:00.5Z"},
            "tenantId": "t", "workflowId": "w1", "workflowName": "etl", "workflowRunExternalId": "r1",
            "displayName": "etl-1779177600", "status": "FAILED", "startedAt": "2026-05-19T08:00:01.123456Z",
            "duration": 1500, "retryCount": 2, "attempt": 3, "errorMessage": "x".repeat(1000),
            "additionalMetadata": {"customer": "acme"}, "input": {"card": 1}
        }, {
            "metadata": {"id": "t2"}, "workflowName": "etl", "workflowId": "w1", "workflowRunExternalId": "r1",
            "displayName": "load", "status": "QUEUED", "createdAt": "2026-05-19T08:00:02.25+00:00",
            "retryCount": 0, "errorMessage": "", "additionalMetadata": {}
        }], "pagination": {}});
        RUNS.apply(&mut page, false);
        let cut = format!(
            "{}…[700 characters cut]…{}",
            "x".repeat(150),
            "x".repeat(150)
        );
        assert_eq!(
            page,
            json!({"rows": [
                {"id": "r1", "workflow": "etl", "status": "FAILED", "started": "2026-05-19T08:00:01Z", "duration": 1500, "retries": 2, "error": cut, "meta": {"customer": "acme"}},
                {"id": "t2", "run": "r1", "workflow": "etl", "name": "load", "status": "QUEUED", "created": "2026-05-19T08:00:02+00:00"}
            ], "pagination": {}, "workflowIds": {"etl": "w1"},
            "note": "Texts over 300 characters are cut in the middle ([N characters cut]); get_run or get_task has them whole."})
        );
    }

    #[test]
    fn payloads_stay_when_asked_for() {
        let mut page = json!({"rows": [{"metadata": {"id": "r1"}, "input": {"card": 1}, "output": {"ok": true}}]});
        RUNS.apply(&mut page, true);
        assert_eq!(
            page["rows"][0],
            json!({"id": "r1", "input": {"card": 1}, "output": {"ok": true}})
        );
    }

    #[test]
    fn counts_lists_and_flags_are_shown_only_when_they_say_something() {
        let mut page = json!({"rows": [{
            "metadata": {"id": "e1"}, "key": "order:paid", "seenAt": "2026-05-19T08:00:00.1Z",
            "workflowRunSummary": {"running": 0, "queued": 0, "succeeded": 2, "failed": 1, "cancelled": 0},
            "triggeredRuns": [{"workflowRunId": "r1"}, {"workflowRunId": "r2", "filterId": "f"}]
        }]});
        EVENTS.apply(&mut page, false);
        assert_eq!(
            page["rows"][0],
            json!({"id": "e1", "key": "order:paid", "at": "2026-05-19T08:00:00Z", "runs": {"succeeded": 2, "failed": 1}, "runIds": ["r1", "r2"]})
        );
        let mut page = json!({"rows": [{"metadata": {"id": "c"}, "enabled": true}, {"metadata": {"id": "d"}, "enabled": false}]});
        CRONS.apply(&mut page, false);
        assert_eq!(
            page["rows"],
            json!([{"id": "c"}, {"id": "d", "enabled": false}])
        );
        let mut page = json!({"rows": [{"spanId": "s", "statusCode": "UNSET"}, {"spanId": "t", "statusCode": "ERROR"}]});
        TRACE.apply(&mut page, false);
        assert_eq!(
            page["rows"],
            json!([{"span": "s"}, {"span": "t", "status": "ERROR"}])
        );
    }

    #[test]
    fn timestamps_lose_only_their_fraction() {
        assert_eq!(
            to_second("2026-05-19T08:00:00.123456Z"),
            "2026-05-19T08:00:00Z"
        );
        assert_eq!(
            to_second("2026-05-19T08:00:00.1+02:00"),
            "2026-05-19T08:00:00+02:00"
        );
        assert_eq!(to_second("2026-05-19T08:00:00Z"), "2026-05-19T08:00:00Z");
        assert_eq!(to_second("v1.2"), "v1.2");
    }

    #[test]
    fn a_summary_is_described_by_its_keys() {
        for summary in [&RUNS, &WORKFLOWS, &LOGS, &TRACE] {
            assert!(summary.describe().starts_with('`'), "{summary:?}");
        }
        assert!(
            RUNS.describe()
                .contains("`run` (workflowRunExternalId, when it says more than metadata.id)")
        );
    }
}
