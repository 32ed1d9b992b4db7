//! Small text helpers shared by every layer: one way to cut text to length, one way to echo
//! a bad input back, one way to make untrusted text safe for a single log line.

/// `text` cut to at most `max_chars` characters, with `…` marking a cut.
pub fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// How much of a bad input an error message echoes back.
pub const PREVIEW_CHARS: usize = 80;

/// A short echo of a bad input in an error message.
pub fn preview(text: &str) -> String {
    cut(text, PREVIEW_CHARS)
}

/// Names as an error lists them: each previewed and in backticks, comma-separated.
pub fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    names
        .iter()
        .map(|name| format!("`{}`", preview(name.as_ref())))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `"s"` when `count` calls for a plural noun.
pub fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cuts_on_char_boundaries_and_marks_the_cut() {
        assert_eq!(cut("héllo", 2), "hé…");
        assert_eq!(cut("héllo", 5), "héllo");
        assert_eq!(
            preview(&"x".repeat(1000)).chars().count(),
            PREVIEW_CHARS + 1
        );
    }
}
