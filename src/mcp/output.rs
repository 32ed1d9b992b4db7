//! Shaping what a tool returns: compact JSON, nulls dropped, summary rows (see [`summary`]),
//! payloads left out of lists unless asked, `next_offset` for paging, and the result ceilings.
//!
//! A handler returns an [`Answer`]; the server renders it once, with the ceilings of this
//! process, so every tool is bounded the same way:
//! - past the soft ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`, default [`DEFAULT_MAX_RESULT_BYTES`])
//!   a list keeps the rows that fit and says where the rest starts, and a single object has
//!   its longest text values cut, with a `note` saying so;
//! - an object that cutting texts does not bring under the ceiling is cut further (see
//!   `fit::fit_structure`): its long arrays keep their first items, and fields that still do not
//!   fit are left out; an `omitted` field names each path cut, and the `note` says how to get
//!   the rest. Nothing is refused for its size alone;
//! - nothing is ever sent above [`HARD_MAX_RESULT_BYTES`].

use rmcp::model::Task;
use serde_json::{Map, Value};

use super::{
    args::Page,
    summary::{Detail, PAYLOAD_FIELDS, Summary},
};
mod fit;
use fit::{fit_item, fit_list};

// The result-size bounds are settings (`HATCHET_MCP_MAX_RESULT_BYTES`): defined with them.
pub use crate::config::{DEFAULT_MAX_RESULT_BYTES, HARD_MAX_RESULT_BYTES, MIN_MAX_RESULT_BYTES};

/// A result that cannot be brought under the ceiling. Cutting always ends within it, so
/// this guards the promise rather than being an answer a tool gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The result is {bytes} bytes, over the {limit}-byte limit even after cutting. Narrow it: a smaller `limit`, a tighter time window, fewer statuses, or leave payloads out."
)]
pub struct TooLarge {
    pub bytes: usize,
    pub limit: usize,
}

/// What a tool answers, before it is rendered to text.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// One object, whole (nulls dropped).
    Item(Value),
    /// What a mutating call would do, and did not do (a bulk action's dry run, or one
    /// refused for want of a valid confirm token): shown as an [`Answer::Item`]; the call's
    /// audit line says `preview`.
    Preview(Value),
    /// One object, with the calls that read its parts one at a time: said in the `note`
    /// when the object had to be cut to fit.
    Narrowable { value: Value, narrower: String },
    /// A page of rows (`{rows, pagination, ...}`), each row whole or, with a `summary`,
    /// projected by it.
    List {
        value: Value,
        page: Option<Page>,
        keep_payloads: bool,
        /// `detail: "full"`: the rows as the API gave them, whatever the tool's summary.
        whole_rows: bool,
        /// The tool's summary ([`ToolSpec::lists`](super::registry::ToolSpec::lists)),
        /// set as the call ends unless the rows are wanted whole.
        summary: Option<&'static Summary>,
    },
    /// The call goes on as an MCP task (the Tasks extension): the client is answered this
    /// task at once and polls it with `tasks/get`. Only given to a client that declared the
    /// extension on the call ([`Call::takes_tasks`](super::registry::Call::takes_tasks)).
    Task(Task),
}

/// A single object, whole: nulls dropped, compact.
pub fn item(value: Value) -> Answer {
    Answer::Item(value)
}

/// What a mutating call would do and did not do (see [`Answer::Preview`]).
pub fn preview(value: Value) -> Answer {
    Answer::Preview(value)
}

/// A single object, and how to read what a cut leaves out of it (`narrower`, a sentence
/// naming the calls that do; empty when the server offers none), for the `note` of a cut
/// answer.
pub fn narrowable(value: Value, narrower: impl Into<String>) -> Answer {
    Answer::Narrowable {
        value,
        narrower: narrower.into(),
    }
}

/// A list: nulls dropped, payloads left out unless `keep_payloads`, `next_offset` added
/// when paged, then held to the ceiling.
pub fn list(value: Value, page: Option<&Page>, keep_payloads: bool) -> Answer {
    Answer::List {
        value,
        page: page.copied(),
        keep_payloads,
        whole_rows: false,
        summary: None,
    }
}

impl Answer {
    /// The JSON the answer is made from, whatever its kind; a task has none.
    fn value(&self) -> Option<&Value> {
        match self {
            Answer::Item(value)
            | Answer::Preview(value)
            | Answer::Narrowable { value, .. }
            | Answer::List { value, .. } => Some(value),
            Answer::Task(_) => None,
        }
    }

    fn value_mut(&mut self) -> Option<&mut Value> {
        match self {
            Answer::Item(value)
            | Answer::Preview(value)
            | Answer::Narrowable { value, .. }
            | Answer::List { value, .. } => Some(value),
            Answer::Task(_) => None,
        }
    }

    /// Whether rendering this answer is quick enough to do in place
    /// ([`crate::work::is_small_json`]).
    pub fn is_small(&self) -> bool {
        self.value().is_none_or(crate::work::is_small_json)
    }

    /// Keeps, of the answer's `next` (one call, `tool arg=value`, or a list of them), the
    /// calls `offered` says the client can make; drops `next` if none is left.
    pub fn keep_offered_steps(&mut self, offered: impl Fn(&str) -> bool) {
        let Some(map) = self.value_mut().and_then(Value::as_object_mut) else {
            return;
        };
        let is_offered = |step: &Value| step.as_str().is_some_and(&offered);
        let keep = match map.get_mut("next") {
            Some(Value::Array(steps)) => {
                steps.retain(is_offered);
                !steps.is_empty()
            }
            Some(step @ Value::String(_)) => is_offered(step),
            _ => true,
        };
        if !keep {
            map.remove("next");
        }
    }

    /// A list whose rows stay as the API gave them when `detail` is `full`; otherwise
    /// they are the tool's summary rows. A single object is not changed.
    pub fn detail(mut self, detail: Option<Detail>) -> Answer {
        if let Answer::List { whole_rows, .. } = &mut self {
            *whole_rows = detail.unwrap_or_default() == Detail::Full;
        }
        self
    }

    /// A list's rows projected by `summary` (the tool's), unless they are wanted whole.
    pub(super) fn summarised_by(mut self, summary: Option<&'static Summary>) -> Answer {
        if let Answer::List {
            whole_rows: false,
            summary: slot,
            ..
        } = &mut self
        {
            *slot = summary;
        }
        self
    }

    /// The text sent to the client: at most `max_bytes` (itself capped at
    /// [`HARD_MAX_RESULT_BYTES`]).
    pub fn render(self, max_bytes: usize) -> Result<String, TooLarge> {
        let limit = max_bytes.min(HARD_MAX_RESULT_BYTES);
        let text = match self {
            Answer::Item(mut value) | Answer::Preview(mut value) => {
                prune_nulls(&mut value);
                fit_item(value, limit, None)
            }
            Answer::Narrowable {
                mut value,
                narrower,
            } => {
                prune_nulls(&mut value);
                fit_item(
                    value,
                    limit,
                    Some(narrower.as_str()).filter(|n| !n.is_empty()),
                )
            }
            Answer::List {
                mut value,
                page,
                keep_payloads,
                summary,
                ..
            } => {
                prune_nulls(&mut value);
                // The engine answers an empty list as `{}` (traces) or `rows: null`: a list
                // always says it has no rows.
                if let Value::Object(map) = &mut value {
                    map.entry("rows")
                        .or_insert_with(|| Value::Array(Vec::new()));
                }
                match summary {
                    Some(summary) => summary.apply(&mut value, keep_payloads),
                    None if !keep_payloads => strip_payloads(&mut value),
                    None => {}
                }
                if let (Some(page), Value::Object(map)) = (page, &mut value) {
                    let next = next_offset(map, page.offset.get(), page.limit.get());
                    map.insert("next_offset".into(), next.map_or(Value::Null, Value::from));
                }
                fit_list(value, page.as_ref(), limit)
            }
            // The server answers a task as a task; as text it is the task's JSON.
            Answer::Task(task) => serde_json::to_string(&task).unwrap_or_default(),
        };
        if text.len() > limit {
            return Err(TooLarge {
                bytes: text.len(),
                limit,
            });
        }
        Ok(text)
    }
}

pub fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null() && !v.as_str().is_some_and(is_unset_time));
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
}

/// Go's zero time, which the engine sends for a time it never set (a queued task's
/// `createdAt`, a scheduled run's `workflowRunCreatedAt`): no time at all, so it is left out
/// like a null rather than read as the year 1.
pub fn is_unset_time(text: &str) -> bool {
    text.starts_with("0001-01-01T00:00:00")
}

fn strip_payloads(value: &mut Value) {
    if let Some(rows) = value.get_mut("rows").and_then(Value::as_array_mut) {
        for row in rows.iter_mut().filter_map(Value::as_object_mut) {
            for field in PAYLOAD_FIELDS {
                row.remove(field);
            }
        }
    }
}

/// The offset of the next page, from the API's `pagination` when it has one, else from
/// whether the page came back full.
fn next_offset(list: &Map<String, Value>, offset: i64, limit: i64) -> Option<i64> {
    let pagination = list.get("pagination");
    let page_number = |field| {
        pagination
            .and_then(|p| p.get(field))
            .and_then(Value::as_i64)
    };
    // Pages numbered from 1 say where the list ends. Some lists number them from 0 (a real
    // engine answers list_filters' one row with `current_page: 0, num_pages: 1`): those,
    // and lists without pagination, end at the first page shorter than `limit`.
    if let (Some(current @ 1..), Some(pages)) =
        (page_number("current_page"), page_number("num_pages"))
    {
        return (current < pages).then_some(offset + limit);
    }
    let rows = list
        .get("rows")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as i64;
    (rows >= limit).then_some(offset + rows)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn page(limit: i64, offset: i64) -> Page {
        serde_json::from_value(json!({"limit": limit, "offset": offset})).unwrap()
    }

    fn render_list(value: Value, page: Option<&Page>, keep: bool, max: usize) -> String {
        list(value, page, keep).render(max).unwrap()
    }

    #[test]
    fn lists_drop_nulls_and_payloads_and_say_where_the_next_page_starts() {
        let api = json!({
            "rows": [{"metadata": {"id": "a"}, "input": {"big": 1}, "output": null, "status": "FAILED", "x": null}],
            "pagination": {"current_page": 1, "num_pages": 3, "next_page": 2}
        });
        let text = render_list(api.clone(), Some(&page(1, 0)), false, HARD_MAX_RESULT_BYTES);
        assert_eq!(
            text,
            r#"{"rows":[{"metadata":{"id":"a"},"status":"FAILED"}],"pagination":{"current_page":1,"num_pages":3,"next_page":2},"next_offset":1}"#
        );
        let kept = render_list(api, Some(&page(1, 0)), true, HARD_MAX_RESULT_BYTES);
        assert!(kept.contains(r#""input":{"big":1}"#));
    }

    #[test]
    fn a_short_page_ends_a_list_whose_pages_are_numbered_from_0() {
        // As a real engine answers list_filters: pages numbered from 0.
        let api = json!({"rows": [{"id": "f"}], "pagination": {"current_page": 0, "next_page": 1, "num_pages": 1}});
        let text = render_list(api, Some(&page(50, 0)), false, HARD_MAX_RESULT_BYTES);
        assert!(text.contains(r#""next_offset":null"#), "{text}");
    }

    #[test]
    fn an_empty_list_the_engine_sends_as_an_empty_object_says_it_has_no_rows() {
        let text = render_list(json!({}), Some(&page(50, 0)), false, HARD_MAX_RESULT_BYTES);
        assert_eq!(text, r#"{"rows":[],"next_offset":null}"#);
    }

    #[test]
    fn the_engines_zero_time_is_left_out_like_a_null() {
        let mut value =
            json!({"createdAt": "0001-01-01T00:00:00Z", "finishedAt": "2026-05-19T06:00:00Z"});
        prune_nulls(&mut value);
        assert_eq!(value, json!({"finishedAt": "2026-05-19T06:00:00Z"}));
    }

    #[test]
    fn last_page_has_null_next_offset() {
        let api = json!({"rows": [], "pagination": {"current_page": 3, "num_pages": 3}});
        let text = render_list(api, Some(&page(50, 100)), false, HARD_MAX_RESULT_BYTES);
        assert!(text.contains(r#""next_offset":null"#), "{text}");
        // Without pagination, a full page suggests there may be more.
        let text = render_list(json!({"rows": [1, 2]}), Some(&page(2, 4)), false, 1000);
        assert!(text.contains(r#""next_offset":6"#), "{text}");
    }

    #[test]
    fn a_list_over_the_soft_ceiling_keeps_the_rows_that_fit_and_says_where_to_go_on() {
        let rows: Vec<Value> = (0..100)
            .map(|i| json!({"id": i, "error": "e".repeat(1000)}))
            .collect();
        let api = json!({"rows": rows, "pagination": {"current_page": 1, "num_pages": 9}});
        let text = render_list(api, Some(&page(100, 200)), true, 20_000);
        assert!(text.len() <= 20_000, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        let kept = value["rows"].as_array().unwrap().len();
        assert!((15..20).contains(&kept), "{kept}");
        assert_eq!(value["next_offset"], 200 + kept as i64);
        assert!(value["note"].as_str().unwrap().contains(&format!(
            "Cut to {kept} of 100 rows to fit the 20000-byte result limit: call again with offset={}",
            200 + kept
        )));
        // Under the ceiling nothing changes and no note is added.
        let small = render_list(json!({"rows": [{"id": 1}]}), None, true, 20_000);
        assert_eq!(small, r#"{"rows":[{"id":1}]}"#);
    }

    #[test]
    fn one_row_too_large_alone_is_kept_shrunk() {
        let api = json!({"rows": [{"id": 1, "output": "x".repeat(50_000)}]});
        let text = render_list(api, None, true, 10_000);
        assert!(text.len() <= 10_000, "{}", text.len());
        assert!(text.contains("more characters]") && text.contains("Cut to 1 of 1 rows"));
    }

    #[test]
    fn an_item_over_the_ceiling_has_its_longest_texts_cut_with_a_note() {
        let run = json!({"id": "r", "status": "FAILED", "output": "o".repeat(2_000_000), "error": "short"});
        let text = item(run).render(DEFAULT_MAX_RESULT_BYTES).unwrap();
        assert!(text.len() <= DEFAULT_MAX_RESULT_BYTES, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["error"], "short");
        assert!(
            value["output"]
                .as_str()
                .unwrap()
                .ends_with("more characters]")
        );
        assert!(
            value["note"]
                .as_str()
                .unwrap()
                .starts_with("1 long text value(s)")
        );
    }

    #[test]
    fn many_short_values_are_cut_by_their_arrays_not_refused_and_the_hard_ceiling_wins() {
        let many: Vec<Value> = (0..100_000).map(|i| json!(i)).collect();
        let text = item(json!({ "id": "x", "ids": many }))
            .render(10_000)
            .unwrap();
        assert!(text.len() <= 10_000, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["id"], "x");
        let kept = value["ids"].as_array().unwrap().len();
        assert!((1_000..2_000).contains(&kept), "{kept}");
        assert_eq!(
            value["omitted"],
            json!([format!("/ids: first {kept} of 100000 kept")])
        );
        assert!(
            value["note"]
                .as_str()
                .unwrap()
                .contains("1 list(s) keep only their first items"),
            "{value}"
        );
        let text = item(json!({ "ids": (0..200_000).collect::<Vec<_>>() }))
            .render(usize::MAX)
            .unwrap();
        assert!(text.len() <= HARD_MAX_RESULT_BYTES, "{}", text.len());
        assert!(text.contains("500000-byte result limit"));
    }

    #[test]
    fn the_longest_arrays_give_way_first_at_any_depth_and_short_fields_survive() {
        let steps: Vec<Value> = (0..500)
            .map(|n| json!({"id": n, "action": format!("etl:step-{n}"), "parents": [n]}))
            .collect();
        let version = json!({
            "metadata": {"id": "v1"},
            "jobs": [{"name": "etl", "steps": steps}],
            "tags": ["a", "b"],
        });
        let text = narrowable(version, "get_x reads one step.")
            .render(8_000)
            .unwrap();
        assert!(text.len() <= 8_000, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["metadata"]["id"], "v1");
        assert_eq!(value["tags"], json!(["a", "b"]));
        assert_eq!(value["jobs"][0]["name"], "etl");
        let kept = value["jobs"][0]["steps"].as_array().unwrap().len();
        assert_eq!(
            value["omitted"],
            json!([format!("/jobs/0/steps: first {kept} of 500 kept")])
        );
        assert!(
            value["note"]
                .as_str()
                .unwrap()
                .ends_with("For the rest: get_x reads one step."),
            "{value}"
        );
    }

    #[test]
    fn what_no_array_can_shrink_enough_is_left_out_by_field_and_named() {
        // A map of many fields (no array to cut) beside the fields that identify it.
        let config: Map<String, Value> = (0..3_000)
            .map(|n| (format!("key-{n:04}"), json!(n)))
            .collect();
        let answer = json!({"id": "w1", "status": "ACTIVE", "config": config, "big": 12345});
        let text = item(answer).render(4_000).unwrap();
        assert!(text.len() <= 4_000, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(
            (value["id"].as_str(), value["big"].as_i64()),
            (Some("w1"), Some(12345))
        );
        let omitted = value["omitted"].as_array().unwrap();
        assert!(
            omitted[0]
                .as_str()
                .unwrap()
                .starts_with("/config/key-0000: left out ("),
            "{omitted:?}"
        );
        assert!(
            omitted
                .last()
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with("and ")
        );
        assert!(
            value["note"]
                .as_str()
                .unwrap()
                .contains("field(s) were left out")
        );
    }

    #[test]
    fn an_answer_that_is_not_an_object_is_cut_under_value() {
        let rows: Vec<Value> = (0..5_000).map(|n| json!({"n": n})).collect();
        let text = item(Value::Array(rows)).render(4_000).unwrap();
        assert!(text.len() <= 4_000, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        let kept = value["value"].as_array().unwrap().len();
        assert_eq!(
            value["omitted"],
            json!([format!("/: first {kept} of 5000 kept")])
        );
        // A list answer with no rows to drop is cut the same way.
        let text = list(json!({"spans": (0..5_000).collect::<Vec<_>>()}), None, true)
            .render(4_000)
            .unwrap();
        assert!(
            text.len() <= 4_000 && text.contains("/spans: first "),
            "{text}"
        );
    }

    #[test]
    fn a_list_whose_one_row_is_too_large_even_with_its_texts_cut_is_cut_further() {
        let row = json!({"id": 1, "children": (0..10_000).collect::<Vec<_>>()});
        let text = list(json!({"rows": [row]}), None, true)
            .render(4_000)
            .unwrap();
        assert!(text.len() <= 4_000, "{}", text.len());
        let value: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(value["rows"][0]["id"], 1);
        assert!(
            value["note"]
                .as_str()
                .unwrap()
                .starts_with("Cut to 1 of 1 rows")
        );
        assert!(
            value["omitted"][0]
                .as_str()
                .unwrap()
                .starts_with("/rows/0/children: first "),
            "{value}"
        );
    }
}
