//! Bringing an answer under the result ceiling: a list keeps the rows that fit; an object
//! has its longest texts cut, then its long arrays and the fields that still do not fit,
//! and says what it left out (`note`, `omitted`).

use serde_json::{Map, Value};

use crate::{config::HARD_MAX_RESULT_BYTES, mcp::args::Page, text};

/// Text values are never cut shorter than this when an object is shrunk to fit.
const MIN_KEPT_CHARS: usize = 200;

/// A list over the limit keeps the first rows that fit, says how many it dropped and
/// where to continue; a single row too large on its own is shrunk like an item, and so is
/// a list answer that is still over (or has no rows to drop).
pub(super) fn fit_list(value: Value, page: Option<&Page>, limit: usize) -> String {
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
pub(super) fn fit_item(value: Value, limit: usize, narrower: Option<&str>) -> String {
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
