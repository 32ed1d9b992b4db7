//! Small text helpers shared by every layer: one way to cut text to length, one way to echo
//! a bad input back, one way to make untrusted text safe to show ([`sanitize`]), one way to
//! write bytes as hex and read them back ([`hex`], [`from_hex`]).

use std::borrow::Cow;

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

/// The most names an error lists; the rest are counted.
pub const LISTED_NAMES: usize = 10;

/// Names as an error lists them: each previewed and in backticks, comma-separated, at most
/// [`LISTED_NAMES`] of them and then how many more.
pub fn quoted_list<S: AsRef<str>>(names: &[S]) -> String {
    let mut listed = names
        .iter()
        .take(LISTED_NAMES)
        .map(|name| format!("`{}`", preview(name.as_ref())))
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > LISTED_NAMES {
        listed.push_str(&format!(" and {} more", names.len() - LISTED_NAMES));
    }
    listed
}

/// `text` with its first character in upper case (`read it` → `Read it`).
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// `"s"` when `count` calls for a plural noun.
pub fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// `text` with what a terminal or a model could read as something other than plain text
/// taken out: ANSI escape sequences removed whole (CSI, OSC, DCS, SOS, PM and APC strings,
/// two-character escapes, and their one-byte C1 forms), every other C0 and C1 control and
/// DEL removed, bidirectional controls and invisible format characters (zero-width
/// characters, word joiners, the byte-order mark, tag characters) removed. Tabs, line breaks
/// and the Unicode line and paragraph separators become a space. Borrowed when there was
/// nothing to take out.
pub fn strip_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_stripping) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // The one-byte C1 forms of CSI, and of the strings ended by ST.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' | '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}' => out.push(' '),
            c if is_removed(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// Untrusted text made fit for one line of metadata: [`strip_controls`], runs of white
/// space made one space, trimmed, then [`cut`] to `max_chars`.
pub fn sanitize(text: &str, max_chars: usize) -> String {
    let stripped = strip_controls(text);
    let single_spaced = stripped.split_whitespace().collect::<Vec<_>>().join(" ");
    cut(&single_spaced, max_chars)
}

/// Whether [`strip_controls`] would change `text`.
pub fn has_controls(text: &str) -> bool {
    text.chars().any(needs_stripping)
}

fn needs_stripping(c: char) -> bool {
    c.is_control() || is_removed(c) || matches!(c, '\u{2028}' | '\u{2029}')
}

/// Controls, bidirectional controls and invisible format characters.
fn is_removed(c: char) -> bool {
    c.is_control()
        || matches!(c,
            // Arabic letter mark, left-to-right and right-to-left marks, embeddings and
            // overrides, isolates.
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
            // Zero-width space, non-joiner and joiner; word joiner and invisible operators;
            // Mongolian vowel separator; byte-order mark; interlinear annotations.
            | '\u{200b}'..='\u{200d}' | '\u{2060}'..='\u{2064}' | '\u{180e}' | '\u{feff}'
            | '\u{fff9}'..='\u{fffb}'
            // Tag characters: invisible, yet read by models as ASCII.
            | '\u{e0000}'..='\u{e007f}')
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// After ESC: a CSI (`[`), a string ended by ST (`]`, `P`, `X`, `^`, `_`), or a short escape
/// (intermediate bytes, then one final byte).
fn skip_escape(chars: &mut Chars) {
    match chars.peek() {
        Some('[') => {
            chars.next();
            skip_csi(chars);
        }
        Some(']' | 'P' | 'X' | '^' | '_') => {
            chars.next();
            skip_string(chars);
        }
        _ => {
            while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
            chars.next_if(|c| matches!(c, '0'..='~'));
        }
    }
}

/// Parameter and intermediate bytes, then the final byte; stops early at anything else.
fn skip_csi(chars: &mut Chars) {
    while chars.next_if(|c| matches!(c, '0'..='?')).is_some() {}
    while chars.next_if(|c| matches!(c, ' '..='/')).is_some() {}
    chars.next_if(|c| matches!(c, '@'..='~'));
}

/// Up to and including the string terminator: BEL, ESC `\`, or the C1 ST.
fn skip_string(chars: &mut Chars) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => return,
            '\u{1b}' => {
                chars.next_if_eq(&'\\');
                return;
            }
            _ => {}
        }
    }
}

/// `bytes` as lower-case hex, two digits a byte.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// The `len` bytes `text` writes in hex (either case), or `None` if it is not exactly that
/// (hex digits only: `from_str_radix` alone would take `+f` for `0f`).
pub fn from_hex(text: &str, len: usize) -> Option<Vec<u8>> {
    if text.len() != 2 * len || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
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
    fn a_list_of_names_is_bounded_in_length_and_count() {
        assert_eq!(quoted_list(&["a", "b"]), "`a`, `b`");
        let many: Vec<String> = (0..10_000)
            .map(|n| format!("{n}{}", "x".repeat(500)))
            .collect();
        let listed = quoted_list(&many);
        assert!(listed.ends_with(" and 9990 more"), "{listed}");
        assert!(
            listed.len() < LISTED_NAMES * (PREVIEW_CHARS + 8) + 20,
            "{}",
            listed.len()
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

    #[test]
    fn ansi_sequences_are_removed_whole_with_their_c1_forms() {
        let cases = [
            ("red\u{1b}[31mtext\u{1b}[0m", "redtext"),
            ("\u{1b}[1;31;48;5;200mbold", "bold"),
            ("clear\u{1b}[2J\u{1b}[H", "clear"),
            (
                "\u{1b}]8;;https://evil.example\u{7}link\u{1b}]8;;\u{7}",
                "link",
            ),
            ("title\u{1b}]0;owned\u{1b}\\done", "titledone"),
            ("\u{1b}P1$r q\u{1b}\\dcs", "dcs"),
            ("\u{1b}(Bcharset", "charset"),
            ("\u{1b}7save\u{1b}8", "save"),
            ("c1\u{9b}31mcsi", "c1csi"),
            ("\u{9d}0;owned\u{9c}osc", "osc"),
            ("lone escape\u{1b}", "lone escape"),
            ("open osc\u{1b}]never ended", "open osc"),
        ];
        for (raw, clean) in cases {
            assert_eq!(strip_controls(raw), clean, "{raw:?}");
        }
    }

    #[test]
    fn controls_bidi_and_invisible_characters_are_removed() {
        assert_eq!(
            strip_controls("a\u{0}b\u{7}c\u{8}d\u{7f}e\u{85}f\u{80}g"),
            "abcde fg"
        );
        assert_eq!(
            strip_controls("\u{202e}evil\u{202c}\u{2066}x\u{2069}\u{200e}\u{200f}\u{61c}"),
            "evilx"
        );
        assert_eq!(
            strip_controls("zero\u{200b}width\u{200d}\u{2060}\u{feff}"),
            "zerowidth"
        );
        // Tag characters spell hidden ASCII for a model.
        assert_eq!(strip_controls("hi\u{e0049}\u{e0047}\u{e007f}"), "hi");
        assert_eq!(
            strip_controls("line\nbreak\ttab\u{2028}sep"),
            "line break tab sep"
        );
        assert!(matches!(
            strip_controls("plain – ünïcode ✓"),
            Cow::Borrowed(_)
        ));
        assert!(has_controls("a\u{202e}") && has_controls("a\n") && !has_controls("a b"));
    }

    #[test]
    fn sanitize_makes_one_bounded_line() {
        assert_eq!(
            sanitize("  Sends\r\n\r\n the\t report. ", 100),
            "Sends the report."
        );
        assert_eq!(
            sanitize(&format!("\u{1b}[31m{}", "é".repeat(50)), 10),
            format!("{}…", "é".repeat(10))
        );
        assert_eq!(sanitize("\u{1b}[2J\u{202e}", 10), "");
    }

    #[test]
    fn hex_reads_back_what_it_writes_and_nothing_of_another_length() {
        let bytes = [0x00, 0x7f, 0xab, 0xff];
        assert_eq!(hex(&bytes), "007fabff");
        assert_eq!(from_hex("007FABff", 4), Some(bytes.to_vec()));
        assert_eq!(from_hex("007fab", 4), None);
        assert_eq!(from_hex("007fabfg", 4), None);
        assert_eq!(from_hex("+07fabff", 4), None);
        assert_eq!(from_hex("é7fabf", 3), None);
    }
}
