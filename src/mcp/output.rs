//! Shaping what a tool returns: compact JSON, nulls dropped, summary rows (see [`summary`]),
//! payloads left out of lists unless asked, `next_offset` for paging, and the result ceilings.
//!
//! A handler returns an [`Answer`]; the server renders it once, with the ceilings of this
//! process, so every tool is bounded the same way:
//! - past the soft ceiling (`HATCHET_MCP_MAX_RESULT_BYTES`, default [`DEFAULT_MAX_RESULT_BYTES`])
//!   a list keeps the rows that fit and says where the rest starts, and a single object has
//!   its longest text values cut, with a `note` saying so;
//! - an object that cutting texts does not bring under the ceiling is cut further (see
//!   [`fit_structure`]): its long arrays keep their first items, and fields that still do not
//!   fit are left out; an `omitted` field names each path cut, and the `note` says how to get
//!   the rest. Nothing is refused for its size alone;
//! - nothing is ever sent above [`HARD_MAX_RESULT_BYTES`].

use serde_json::{Map, Value};

use super::{
    args::Page,
    summary::{Detail, PAYLOAD_FIELDS, Summary},
};
use crate::text;

// The result-size bounds are settings (`HATCHET_MCP_MAX_RESULT_BYTES`): defined with them.
pub use crate::config::{DEFAULT_MAX_RESULT_BYTES, HARD_MAX_RESULT_BYTES, MIN_MAX_RESULT_BYTES};

/// Text values are never cut shorter than this when an object is shrunk to fit.
const MIN_KEPT_CHARS: usize = 200;

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
    /// One object, with the calls that read its parts one at a time: said in the `note`
    /// when the object had to be cut to fit.
    Narrowable { value: Value, narrower: String },
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
        summary: None,
    }
}

impl Answer {
    /// Whether rendering this answer is quick enough to do in place ([`work::is_small_json`]).
    pub fn is_small(&self) -> bool {
        let (Answer::Item(value) | Answer::Narrowable { value, .. } | Answer::List { value, .. }) =
            self;
        crate::work::is_small_json(value)
    }

    /// Keeps, of the answer's `next` (one call, `tool arg=value`, or a list of them), the
    /// calls whose tool `offered` says the client can make; drops `next` if none is left.
    pub fn keep_offered_steps(&mut self, offered: impl Fn(&str) -> bool) {
        let (Answer::Item(value) | Answer::Narrowable { value, .. } | Answer::List { value, .. }) =
            self;
        let Some(map) = value.as_object_mut() else {
            return;
        };
        let is_offered = |step: &Value| {
            step.as_str()
                .is_some_and(|step| offered(step.split(' ').next().unwrap_or_default()))
        };
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
/// where to continue; a single row too large on its own is shrunk like an item, and so is
/// a list answer that is still over (or has no rows to drop).
fn fit_list(value: Value, page: Option<&Page>, limit: usize) -> String {
    let text = value.to_string();
    if text.len() <= limit {
        return text;
    }
    let Value::Object(mut map) = value else {
        return fit_item(value, limit, None);
    };
    let total = match map.get("rows").and_then(Value::as_array) {
        Some(rows) if !rows.is_empty() => rows.len(),
        _ => return fit_item(Value::Object(map), limit, None),
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
        add_note(&mut map, note);
        Value::Object(map)
    };
    // The largest count of leading rows that fits: sizes only grow with the count.
    let (mut low, mut high) = (0, total);
    while low < high {
        let mid = (low + high).div_ceil(2);
        if json_len(&with_rows(&map, &rows[..mid])) <= limit {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    if low > 0 {
        return with_rows(&map, &rows[..low]).to_string();
    }
    // Not even one row fits: keep the first, shrunk.
    let overhead = json_len(&with_rows(&map, &[Value::Null]));
    let mut cuts = Cuts::default();
    let first = shrink_strings(rows[0].clone(), limit.saturating_sub(overhead), &mut cuts);
    let kept = with_rows(&map, &[first]);
    if json_len(&kept) <= limit {
        return kept.to_string();
    }
    fit_item(kept, limit, None)
}

/// An object over the limit has its longest text values cut (never below
/// [`MIN_KEPT_CHARS`]); if that is not enough, its structure is cut ([`fit_structure`]).
/// A `note` says what was cut and, with `narrower`, how to read the rest; `omitted` names
/// the paths.
fn fit_item(value: Value, limit: usize, narrower: Option<&str>) -> String {
    let text = value.to_string();
    if text.len() <= limit {
        return text;
    }
    // What is said about a cut is paid for from the same limit: room is kept for it, and
    // made larger if the first try leaves too little.
    let mut reserve = (limit / 8).clamp(300, 2_000);
    let mut last = String::new();
    for _ in 0..4 {
        let mut cuts = Cuts::default();
        let budget = limit.saturating_sub(reserve);
        let mut value = shrink_strings(value.clone(), budget, &mut cuts);
        if json_len(&value) > budget {
            fit_structure(&mut value, budget, &mut String::new(), &mut cuts);
        }
        last = cuts.annotate(value, limit, narrower).to_string();
        if last.len() <= limit {
            return last;
        }
        reserve += last.len() - limit + 200;
    }
    last
}

/// What was cut to fit the limit, by JSON pointer.
#[derive(Debug, Default)]
struct Cuts {
    /// Long texts cut short (each says how much it left out).
    texts: Vec<String>,
    /// Arrays cut to their first items: path, kept, of.
    arrays: Vec<(String, usize, usize)>,
    /// Fields left out whole: path, bytes.
    dropped: Vec<(String, usize)>,
}

/// At most this many paths are named in `omitted`; the count of the rest is given.
const MAX_OMITTED_LISTED: usize = 12;

/// A path in `omitted` is cut to this many characters.
const MAX_PATH_CHARS: usize = 120;

impl Cuts {
    fn is_empty(&self) -> bool {
        self.texts.is_empty() && self.arrays.is_empty() && self.dropped.is_empty()
    }

    /// `value` with a `note` and (after structural cuts) `omitted` added; a value that is
    /// not an object is put under `value` first, so they can be.
    fn annotate(&self, value: Value, limit: usize, narrower: Option<&str>) -> Value {
        if self.is_empty() {
            return value;
        }
        let mut map = match value {
            Value::Object(map) => map,
            other => Map::from_iter([("value".to_owned(), other)]),
        };
        let texts = self.texts.len();
        let setting = format!(
            "to fit the {limit}-byte result limit (HATCHET_MCP_MAX_RESULT_BYTES, at most {HARD_MAX_RESULT_BYTES})"
        );
        if self.arrays.is_empty() && self.dropped.is_empty() {
            add_note(
                &mut map,
                format!(
                    "{texts} long text value(s) were cut {setting}; each cut says how many characters it left out."
                ),
            );
            return Value::Object(map);
        }
        let mut parts = Vec::new();
        if texts > 0 {
            parts.push(format!(
                "{texts} long text value(s) were cut (each says how many characters it left out)"
            ));
        }
        if !self.arrays.is_empty() {
            parts.push(format!(
                "{} list(s) keep only their first items",
                self.arrays.len()
            ));
        }
        if !self.dropped.is_empty() {
            parts.push(format!("{} field(s) were left out", self.dropped.len()));
        }
        let mut note = format!(
            "Cut {setting}: {}. `omitted` names each path.",
            parts.join(", ")
        );
        match narrower {
            Some(narrower) => note.push_str(&format!(" For the rest: {narrower}")),
            None => note.push_str(" A larger limit shows more."),
        }
        add_note(&mut map, note);
        let shown = |path: &str| match path {
            "" => "/".to_owned(),
            path => text::cut(path, MAX_PATH_CHARS),
        };
        let mut omitted: Vec<String> = self
            .arrays
            .iter()
            .map(|(path, kept, of)| format!("{}: first {kept} of {of} kept", shown(path)))
            .chain(
                self.dropped
                    .iter()
                    .map(|(path, bytes)| format!("{}: left out ({bytes} bytes)", shown(path))),
            )
            .chain(
                self.texts
                    .iter()
                    .map(|path| format!("{}: text cut", shown(path))),
            )
            .collect();
        if omitted.len() > MAX_OMITTED_LISTED {
            let rest = omitted.len() - MAX_OMITTED_LISTED;
            omitted.truncate(MAX_OMITTED_LISTED);
            omitted.push(format!("and {rest} more"));
        }
        map.insert("omitted".into(), omitted.into());
        Value::Object(map)
    }
}

/// Adds `note` to an answer's `note`, after one already there.
fn add_note(map: &mut Map<String, Value>, note: String) {
    let note = match map.get("note").and_then(Value::as_str) {
        Some(earlier) => format!("{earlier} {note}"),
        None => note,
    };
    map.insert("note".into(), note.into());
}

/// Cuts the longest strings in `value`, to the longest common length that brings its
/// text within `budget` bytes (never below [`MIN_KEPT_CHARS`]); records the paths cut.
fn shrink_strings(value: Value, budget: usize, cuts: &mut Cuts) -> Value {
    let longest = longest_text(&value);
    if longest <= MIN_KEPT_CHARS {
        return value;
    }
    // Lengths no text reaches would cut nothing: start below the longest.
    let mut keep = 16_384;
    while keep > MIN_KEPT_CHARS && keep >= longest {
        keep = (keep / 2).max(MIN_KEPT_CHARS);
    }
    loop {
        let mut shrunk = value.clone();
        let mut cut = Vec::new();
        cut_strings(&mut shrunk, keep, &mut String::new(), &mut cut);
        if json_len(&shrunk) <= budget || keep <= MIN_KEPT_CHARS {
            cuts.texts.extend(cut);
            return shrunk;
        }
        keep = (keep / 2).max(MIN_KEPT_CHARS);
    }
}

/// The length in characters of the longest text in `value`.
fn longest_text(value: &Value) -> usize {
    match value {
        Value::String(s) => s.chars().count(),
        Value::Array(items) => items.iter().map(longest_text).max().unwrap_or(0),
        Value::Object(map) => map.values().map(longest_text).max().unwrap_or(0),
        _ => 0,
    }
}

fn cut_strings(value: &mut Value, keep: usize, path: &mut String, cut: &mut Vec<String>) {
    match value {
        Value::String(s) => {
            if let Some(short) = cut_text(s, keep) {
                *s = short;
                cut.push(path.clone());
            }
        }
        Value::Array(items) => {
            for (index, item) in items.iter_mut().enumerate() {
                within(path, &index.to_string(), |path| {
                    cut_strings(item, keep, path, cut)
                });
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                within(path, key, |path| cut_strings(item, keep, path, cut));
            }
        }
        _ => {}
    }
}

/// `text` cut to `keep` characters with how many it left out, if it is longer.
fn cut_text(text: &str, keep: usize) -> Option<String> {
    let left_out = text.chars().count().checked_sub(keep).filter(|n| *n > 0)?;
    Some(format!(
        "{} [{left_out} more characters]",
        text::cut(text, keep)
    ))
}

/// Runs `work` with `path` extended by the JSON-pointer segment `key`.
fn within<R>(path: &mut String, key: &str, work: impl FnOnce(&mut String) -> R) -> R {
    let length = path.len();
    path.push('/');
    path.push_str(&key.replace('~', "~0").replace('/', "~1"));
    let result = work(path);
    path.truncate(length);
    result
}

/// Texts are not cut shorter than this when a structure is cut; a text that must be, is
/// left out.
const MIN_STRUCTURE_CHARS: usize = 20;

/// Cuts `value` until its JSON fits `budget` bytes; false if it cannot (the caller leaves
/// it out). The budget is shared like water: in an object the small fields are kept whole
/// and the larger ones share what is left, each cut to its share; an array keeps its first
/// items that fit (at least one, itself cut); a text is cut. So the longest arrays and
/// fields give way first, at whatever depth they hold their bytes, and short identifying
/// fields (ids, names, statuses) survive.
fn fit_structure(value: &mut Value, budget: usize, path: &mut String, cuts: &mut Cuts) -> bool {
    if json_len(value) <= budget {
        return true;
    }
    match value {
        Value::Object(map) => fit_object(map, budget, path, cuts),
        Value::Array(items) => fit_array(items, budget, path, cuts),
        Value::String(s) => {
            let fixed = json_len(&Value::String(format!(" [{} more characters]", s.len())));
            let Some(room) = budget.checked_sub(fixed) else {
                return false;
            };
            // A character takes one to six bytes in JSON (`\u0000`): count down from a guess.
            let mut keep = room.min(s.chars().count().saturating_sub(1));
            while keep >= MIN_STRUCTURE_CHARS {
                if let Some(short) = cut_text(s, keep)
                    && json_len(&Value::String(short.clone())) <= budget
                {
                    *s = short;
                    cuts.texts.push(path.clone());
                    return true;
                }
                keep = keep * 3 / 4;
            }
            false
        }
        // A number, a flag: nothing to cut.
        _ => false,
    }
}

fn fit_object(
    map: &mut Map<String, Value>,
    budget: usize,
    path: &mut String,
    cuts: &mut Cuts,
) -> bool {
    // `{}`, and a comma and a colon for each field (one comma too many: a byte of slack).
    let Some(mut left) = budget.checked_sub(2) else {
        return false;
    };
    let mut fields: Vec<(String, usize, usize)> = map
        .iter()
        .map(|(key, value)| {
            (
                key.clone(),
                json_len(&Value::String(key.clone())) + 2,
                json_len(value),
            )
        })
        .collect();
    fields.sort_by_key(|(_, key, value)| key + value);
    let mut waiting = fields.len();
    for (key, key_bytes, value_bytes) in fields {
        let share = left / waiting;
        waiting -= 1;
        if key_bytes + value_bytes <= share {
            left -= key_bytes + value_bytes;
            continue;
        }
        let value = map.get_mut(&key).expect("a field of this map");
        let fits = share > key_bytes
            && within(path, &key, |path| {
                fit_structure(value, share - key_bytes, path, cuts)
            });
        if fits {
            left -= key_bytes + json_len(value);
        } else {
            map.remove(&key);
            within(path, &key, |path| {
                cuts.dropped.push((path.clone(), value_bytes))
            });
        }
    }
    true
}

fn fit_array(items: &mut Vec<Value>, budget: usize, path: &mut String, cuts: &mut Cuts) -> bool {
    let Some(room) = budget.checked_sub(2).filter(|_| !items.is_empty()) else {
        return false;
    };
    let total = items.len();
    let mut used = 0;
    let mut kept = 0;
    for item in items.iter() {
        let bytes = json_len(item) + usize::from(kept > 0);
        if used + bytes > room {
            break;
        }
        used += bytes;
        kept += 1;
    }
    if kept == 0 {
        let fits = within(path, "0", |path| {
            fit_structure(&mut items[0], room, path, cuts)
        });
        if !fits {
            return false;
        }
        kept = 1;
    }
    if kept < total {
        items.truncate(kept);
        cuts.arrays.push((path.clone(), kept, total));
    }
    true
}

/// The length of `value`'s compact JSON, without building it.
fn json_len(value: &Value) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0 += bytes.len();
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut count = Count(0);
    serde_json::to_writer(&mut count, value).expect("a Value always serializes");
    count.0
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
