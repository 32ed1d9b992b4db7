//! Shaping what a tool returns: compact JSON, nulls dropped, payloads left out of lists on
//! request, `next_offset` for paging, and a size ceiling on lists.

use serde_json::Value;

use super::args::Page;

/// A list result whose text is larger than this is refused with advice to narrow it.
pub const MAX_LIST_BYTES: usize = 500_000;

/// Row fields that carry user payloads; lists leave them out unless asked.
const PAYLOAD_FIELDS: [&str; 3] = ["input", "output", "payload"];

/// A list result that would be too large for the agent's context.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "The result is {bytes} bytes, over the {MAX_LIST_BYTES}-byte limit. Narrow it: a smaller `limit`, a tighter time window, fewer statuses, or leave payloads out."
)]
pub struct TooLarge {
    pub bytes: usize,
}

/// A single object, whole: nulls dropped, compact.
pub fn item(mut value: Value) -> String {
    prune_nulls(&mut value);
    value.to_string()
}

/// A list (`{rows, pagination, ...}`): nulls dropped, payloads left out unless
/// `keep_payloads`, `next_offset` added when paged, then held to [`MAX_LIST_BYTES`].
pub fn list(
    mut value: Value,
    page: Option<&Page>,
    keep_payloads: bool,
) -> Result<String, TooLarge> {
    prune_nulls(&mut value);
    if !keep_payloads {
        strip_payloads(&mut value);
    }
    if let (Some(page), Value::Object(map)) = (page, &mut value) {
        let next = next_offset(map, page.offset.get(), page.limit.get());
        map.insert("next_offset".into(), next.map_or(Value::Null, Value::from));
    }
    let text = value.to_string();
    if text.len() > MAX_LIST_BYTES {
        return Err(TooLarge { bytes: text.len() });
    }
    Ok(text)
}

pub fn prune_nulls(value: &mut Value) {
    match value {
        Value::Object(map) => {
            map.retain(|_, v| !v.is_null());
            map.values_mut().for_each(prune_nulls);
        }
        Value::Array(items) => items.iter_mut().for_each(prune_nulls),
        _ => {}
    }
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
fn next_offset(list: &serde_json::Map<String, Value>, offset: i64, limit: i64) -> Option<i64> {
    let pagination = list.get("pagination");
    let page_number = |field| {
        pagination
            .and_then(|p| p.get(field))
            .and_then(Value::as_i64)
    };
    if let (Some(current), Some(pages)) = (page_number("current_page"), page_number("num_pages")) {
        return (current < pages).then_some(offset + limit);
    }
    let rows = list
        .get("rows")
        .and_then(Value::as_array)
        .map_or(0, Vec::len) as i64;
    (rows >= limit).then_some(offset + rows)
}

/// A short, safe echo of a bad input in an error message.
pub fn preview(text: &str) -> String {
    const MAX: usize = 80;
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn page(limit: i64, offset: i64) -> Page {
        serde_json::from_value(json!({"limit": limit, "offset": offset})).unwrap()
    }

    #[test]
    fn lists_drop_nulls_and_payloads_and_say_where_the_next_page_starts() {
        let api = json!({
            "rows": [{"metadata": {"id": "a"}, "input": {"big": 1}, "output": null, "status": "FAILED", "x": null}],
            "pagination": {"current_page": 1, "num_pages": 3, "next_page": 2}
        });
        let text = list(api.clone(), Some(&page(1, 0)), false).unwrap();
        assert_eq!(
            text,
            r#"{"rows":[{"metadata":{"id":"a"},"status":"FAILED"}],"pagination":{"current_page":1,"num_pages":3,"next_page":2},"next_offset":1}"#
        );
        let kept = list(api, Some(&page(1, 0)), true).unwrap();
        assert!(kept.contains(r#""input":{"big":1}"#));
    }

    #[test]
    fn last_page_has_null_next_offset() {
        let api = json!({"rows": [], "pagination": {"current_page": 3, "num_pages": 3}});
        let text = list(api, Some(&page(50, 100)), false).unwrap();
        assert!(text.contains(r#""next_offset":null"#), "{text}");
        // Without pagination, a full page suggests there may be more.
        let text = list(json!({"rows": [1, 2]}), Some(&page(2, 4)), false).unwrap();
        assert!(text.contains(r#""next_offset":6"#), "{text}");
    }

    #[test]
    fn refuses_lists_over_the_ceiling_but_not_items() {
        let huge = json!({"rows": [{"status": "x".repeat(MAX_LIST_BYTES)}]});
        let err = list(huge.clone(), None, false).unwrap_err();
        assert!(err.to_string().contains("smaller `limit`"));
        assert!(item(huge).len() > MAX_LIST_BYTES);
        // Exactly at the ceiling is allowed: measured on the exact text.
        let overhead = list(json!({"rows": [{"s": ""}]}), None, false)
            .unwrap()
            .len();
        let exact = json!({"rows": [{"s": "y".repeat(MAX_LIST_BYTES - overhead)}]});
        assert_eq!(list(exact, None, false).unwrap().len(), MAX_LIST_BYTES);
    }
}
