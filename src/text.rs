//! Small text helpers shared by every layer: one way to cut text to length, one way to echo
//! a bad input back, one way to make untrusted text safe for a single log line.

/// `text` cut to at most `max_chars` characters, with `…` marking a cut.
pub fn cut(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_owned(),
    }
}

/// `text` cut to at most `max_chars` characters by leaving out its middle, with a marker that
/// says how many characters were left out. The start of an error often says what failed and
/// the end of a traceback says why, so the start keeps at most half, and no more than the
/// first line when that is shorter (`Traceback (most recent call last):`); the end has the rest.
pub fn cut_middle(text: &str, max_chars: usize) -> String {
    let count = text.chars().count();
    if count <= max_chars {
        return text.to_owned();
    }
    let first_line = text.lines().next().map_or(0, |line| line.chars().count());
    let head = (max_chars / 2).min(first_line);
    let byte_at = |chars: usize| {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(at, _)| at)
    };
    format!(
        "{}…[{} characters cut]…{}",
        &text[..byte_at(head)],
        count - max_chars,
        &text[byte_at(count - (max_chars - head))..]
    )
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

    #[test]
    fn cuts_the_middle_and_says_how_much() {
        assert_eq!(cut_middle("abcdéfghij", 4), "ab…[6 characters cut]…ij");
        assert_eq!(cut_middle("abcde", 4), "ab…[1 characters cut]…de");
        assert_eq!(cut_middle("abcd", 4), "abcd");
        assert_eq!(
            cut_middle("Trace:\n  a\n  b\nError: bad", 16),
            "Trace:…[9 characters cut]…Error: bad"
        );
    }
}
