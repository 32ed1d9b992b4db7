//! Shaping what a tool returns: compact JSON, nulls dropped, summary rows (see [`summary`]),
//! payloads left out of lists unless asked, `next_offset` for paging, and the result ceilings.
//!
//! A handler returns an [`Answer`]; the server renders it once, with the ceilings of this
//! process, so every tool is bounded the same way:
//! - past the soft ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`, default [`DEFAULT_MAX_RESULT_BYTES`])
//!   a list keeps the rows that fit and says where the rest starts, and a single object has
//!   its longest text values cut, with a `note` saying so;
//! - nothing is ever sent above [`HARD_MAX_RESULT_BYTES`].

use serde_json::{Map, Value};

use super::{
    args::Page,
    summary::{Detail, PAYLOAD_FIELDS, Summary},
};
use crate::text;

/// No result is larger than this, whatever the configuration.
pub const HARD_MAX_RESULT_BYTES: usize = 500_000;

/// The default soft ceiling: well under what MCP clients accept from one tool call
/// (Claude Code's default is 25,000 tokens, about 100 KB of JSON).
pub const DEFAULT_MAX_RESULT_BYTES: usize = 80_000;

/// The smallest soft ceiling that still leaves room for one summary row.
pub const MIN_MAX_RESULT_BYTES: usize = 4_000;

/// Text values are never cut shorter than this when an object is shrunk to fit.
const MIN_KEPT_CHARS: usize = 200;

/// A result that cannot be brought under the ceiling.
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
    /// A page of rows (`{rows, pagination, ...}`), each row whole or, with a `summary`,
    /// projected by it.
    List {
        value: Value,
        page: Option<Page>,
        keep_payloads: bool,
        summary: Option<&'static Summary>,
    },
}

/// A single object, whole: nulls dropped, compact.
pub fn item(value: Value) -> Answer {
    Answer::Item(value)
}

/// A list: nulls dropped, payloads left out unless `keep_payloads`, `next_offset` added
/// when paged, then held to the ceiling.
pub fn list(value: Value, page: Option<&Page>, keep_payloads: bool) -> Answer {
    Answer::List {
        value,
        page: page.copied(),
        keep_payloads,
        summary: None,
    }
}

impl Answer {
    /// A list whose rows are `summary`'s projection of the API's, unless `detail` asks for
    /// them whole. A single object stays whole.
    pub fn summarised(self, summary: &'static Summary, detail: Option<Detail>) -> Answer {
        match self {
            Answer::List {
                value,
                page,
                keep_payloads,
                ..
            } => Answer::List {
                value,
                page,
                keep_payloads,
                summary: (detail.unwrap_or_default() == Detail::Summary).then_some(summary),
            },
            item => item,
        }
    }

    /// The text sent to the client: at most `max_bytes` (itself capped at
    /// [`HARD_MAX_RESULT_BYTES`]).
    pub fn render(self, max_bytes: usize) -> Result<String, TooLarge> {
        let limit = max_bytes.min(HARD_MAX_RESULT_BYTES);
        let text = match self {
            Answer::Item(mut value) => {
                prune_nulls(&mut value);
                fit_item(value, limit)
            }
            Answer::List {
                mut value,
                page,
                keep_payloads,
                summary,
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

/// A list over the limit keeps the first rows that fit, says how many it dropped and
/// where to continue; a single row too large on its own is shrunk like an item.
fn fit_list(value: Value, page: Option<&Page>, limit: usize) -> String {
    let text = value.to_string();
    let Value::Object(mut map) = value else {
        return text;
    };
    let total = match map.get("rows").and_then(Value::as_array) {
        Some(rows) if text.len() > limit && !rows.is_empty() => rows.len(),
        _ => return text,
    };
    let rows = match map.remove("rows") {
        Some(Value::Array(rows)) => rows,
        _ => unreachable!("checked above"),
    };
    let with_rows = |map: &Map<String, Value>, kept: &[Value]| {
        let mut map = map.clone();
        let next = page.map(|p| p.offset.get() + kept.len() as i64);
        let note = match next {
            Some(next) => format!(
                "Cut to {} of {total} rows to fit the {limit}-byte result limit: call again with offset={next} for the rest, or a smaller limit.",
                kept.len()
            ),
            None => format!(
                "Cut to {} of {total} rows to fit the {limit}-byte result limit: narrow the request (a smaller limit or a tighter time window) for the rest.",
                kept.len()
            ),
        };
        map.insert("rows".into(), Value::Array(kept.to_vec()));
        if let Some(next) = next {
            map.insert("next_offset".into(), next.into());
        }
        // A note already there (say, that texts were cut) is kept, this one after it.
        let note = match map.get("note").and_then(Value::as_str) {
            Some(earlier) => format!("{earlier} {note}"),
            None => note,
        };
        map.insert("note".into(), note.into());
        Value::Object(map).to_string()
    };
    // The largest count of leading rows that fits: sizes only grow with the count.
    let (mut low, mut high) = (0, total);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if with_rows(&map, &rows[..mid]).len() <= limit {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    if low > 0 {
        return with_rows(&map, &rows[..low]);
    }
    // Not even one row fits: keep the first, shrunk.
    let overhead = with_rows(&map, &[Value::Null]).len();
    let first = shrink_strings(rows[0].clone(), limit.saturating_sub(overhead)).0;
    with_rows(&map, &[first])
}

/// An object over the limit has its longest text values cut (never below
/// [`MIN_KEPT_CHARS`]), with a `note` saying how many.
fn fit_item(value: Value, limit: usize) -> String {
    let text = value.to_string();
    if text.len() <= limit {
        return text;
    }
    let (mut value, cut) = shrink_strings(value, limit.saturating_sub(300));
    if let (Value::Object(map), true) = (&mut value, cut > 0) {
        map.entry("note").or_insert_with(|| {
            format!(
                "{cut} long text value(s) were cut to fit the {limit}-byte result limit (HATCHET_MCP_MAX_RESULT_BYTES); each cut says how many characters it left out."
            )
            .into()
        });
    }
    value.to_string()
}

/// Cuts the longest strings in `value`, to the longest common length that brings its
/// text within `budget` bytes; returns the value and how many strings were cut.
fn shrink_strings(value: Value, budget: usize) -> (Value, usize) {
    let mut keep = 16_384;
    loop {
        let mut shrunk = value.clone();
        let cut = cut_strings(&mut shrunk, keep);
        if shrunk.to_string().len() <= budget || keep <= MIN_KEPT_CHARS {
            return (shrunk, cut);
        }
        keep = (keep / 2).max(MIN_KEPT_CHARS);
    }
}

fn cut_strings(value: &mut Value, keep: usize) -> usize {
    match value {
        Value::String(s) => match s.chars().count().checked_sub(keep) {
            Some(left_out) if left_out > 0 => {
                *s = format!("{} [{left_out} more characters]", text::cut(s, keep));
                1
            }
            _ => 0,
        },
        Value::Array(items) => items.iter_mut().map(|v| cut_strings(v, keep)).sum(),
        Value::Object(map) => map.values_mut().map(|v| cut_strings(v, keep)).sum(),
        _ => 0,
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
    let rows = list
        .get("rows")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as i64;
    // A short page is the last, whatever the pagination says: the engine numbers some
    // lists' pages from 0 (filters answer `current_page: 0, num_pages: 1` for one row).
    if rows < limit {
        return None;
    }
    let pagination = list.get("pagination");
    let page_number = |field| {
        pagination
            .and_then(|p| p.get(field))
            .and_then(Value::as_i64)
    };
    if let (Some(current), Some(pages)) = (page_number("current_page"), page_number("num_pages")) {
        return (current < pages).then_some(offset + limit);
    }
    Some(offset + rows)
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
    fn a_short_page_is_the_last_whatever_its_pagination_says() {
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
    fn what_cannot_be_cut_enough_is_refused_and_the_hard_ceiling_wins() {
        let many: Vec<Value> = (0..100_000).map(|i| json!(i)).collect();
        let err = item(json!({ "ids": many })).render(10_000).unwrap_err();
        assert_eq!(err.limit, 10_000);
        assert!(err.to_string().contains("smaller `limit`"));
        let err = item(json!({ "ids": (0..200_000).collect::<Vec<_>>() }))
            .render(usize::MAX)
            .unwrap_err();
        assert_eq!(err.limit, HARD_MAX_RESULT_BYTES);
    }
}
