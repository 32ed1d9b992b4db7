//! The one redaction function every text passes through before it leaves the process
//! (every line written to the client, logs, `check`, audit lines).
//!
//! Redaction comes before any cut: a cut can land inside the token and leave a piece that
//! no longer matches it whole. So besides the whole token, any run of
//! [`FRAGMENT_CHARS`] or more characters taken from one of its secret segments is removed,
//! wherever it stands, and so is any such run of its base64 (standard and URL-safe, at each
//! of the three byte alignments, and standard with `+` read as a space by a form decoder).
//! (A JWT's characters are all URL-unreserved, so URL or form encoding leaves it as it is,
//! and its base64 holds no `+` or `/`: the last two matter for secrets of other shapes.)
//!
//! Encodings are matched on decoded views of the text, not listed one by one: the text is
//! searched as it is, then with its escapes decoded once, twice, up to
//! [`DECODE_DEPTH`] times. One decoding turns `%XX` (either case) into its byte, and JSON's
//! `\uXXXX` (an ASCII character), `\/` and `\\` into theirs. So a token percent-encoded in
//! whole or in part, in any mix of cases, double-encoded (`%252E`), JSON-escaped (`\u0065`,
//! or `\\u0065` inside a JSON string) or any mix of these is found in some view; what is
//! removed is the stretch of the original text that the match decodes from. A `+` is never
//! read as a space (base64 uses it), which is why the form-decoded base64 is its own form.

use std::{
    borrow::Cow,
    collections::HashSet,
    hash::{BuildHasherDefault, Hasher},
    sync::OnceLock,
};

mod echo;
mod secret;

pub use echo::{MAX_ECHO_CHARS, safe_echo};
pub use secret::Secret;

/// The shortest piece of a secret segment that is recognised on its own. Twelve base64
/// characters carry 72 bits: no innocent text matches by chance.
pub const FRAGMENT_CHARS: usize = 12;

/// What a removed piece is replaced with. It holds no `"`, `\` or newline, so it can stand
/// anywhere in a JSON string.
pub const MARK: &str = "[REDACTED]";

/// How many times escapes are decoded in turn: enough for a token percent-encoded twice
/// inside a JSON string inside another JSON string.
pub const DECODE_DEPTH: usize = 4;

/// Finds and removes one secret (the API token) from text.
///
/// Its window set is built on first use, or ahead of it by [`Redactor::prepare`] on another
/// thread: building it takes about a millisecond, which `initialize` need not wait for.
#[derive(Clone)]
pub struct Redactor {
    /// The whole secret, removed wherever it appears whatever its length.
    whole: String,
    windows: OnceLock<WindowSet>,
}

/// Every window of [`FRAGMENT_CHARS`] bytes of every secret form, with a bitmap of their
/// first four bytes so that most positions of a text are ruled out without hashing a window,
/// and the bytes the forms are made of, so that a window holding any other is not looked up.
#[derive(Clone)]
struct WindowSet {
    /// Each window's bytes as one number ([`window_key`]): no allocation per window, so the
    /// set of a token's few thousand windows builds in a fraction of a millisecond.
    windows: HashSet<u128, BuildHasherDefault<WindowHasher>>,
    prefixes: Box<[u64]>,
    alphabet: [bool; 256],
    /// The alphabet and the bytes of the whole secret: what a match can hold.
    matchable: [bool; 256],
}

/// Bits in a [`WindowSet`]'s prefix bitmap (32 KiB): the few thousand windows of a token
/// fill a few percent of it.
const PREFIX_BITS: u32 = 18;

// A window is keyed as one u128.
const _: () = assert!(FRAGMENT_CHARS <= 16);

/// A window of [`FRAGMENT_CHARS`] (at most 16) bytes as one number.
fn window_key(window: &[u8]) -> u128 {
    let mut bytes = [0u8; 16];
    bytes[..window.len()].copy_from_slice(window);
    u128::from_le_bytes(bytes)
}

/// Hashes a [`window_key`]: a multiply-and-fold, enough for keys taken from the secret (the
/// set's entries are never chosen by the text that is searched, only its lookups are).
#[derive(Default)]
struct WindowHasher(u64);

impl Hasher for WindowHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 = (self.0 ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }

    fn write_u128(&mut self, key: u128) {
        let folded = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        self.0 = (folded ^ (folded >> 31)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

fn prefix_slot(window: &[u8]) -> usize {
    let prefix = u32::from_le_bytes([window[0], window[1], window[2], window[3]]);
    (prefix.wrapping_mul(0x9E37_79B1) >> (32 - PREFIX_BITS)) as usize
}

impl WindowSet {
    fn new(whole: &str, forms: &[String]) -> Self {
        let mut windows = HashSet::default();
        let mut prefixes = vec![0u64; 1 << (PREFIX_BITS - 6)].into_boxed_slice();
        let mut alphabet = [false; 256];
        for form in forms {
            for byte in form.bytes() {
                alphabet[usize::from(byte)] = true;
            }
            for window in form.as_bytes().windows(FRAGMENT_CHARS) {
                let slot = prefix_slot(window);
                prefixes[slot / 64] |= 1 << (slot % 64);
                windows.insert(window_key(window));
            }
        }
        let mut matchable = alphabet;
        for byte in whole.bytes() {
            matchable[usize::from(byte)] = true;
        }
        Self {
            windows,
            prefixes,
            alphabet,
            matchable,
        }
    }

    fn contains(&self, window: &[u8]) -> bool {
        let slot = prefix_slot(window);
        self.prefixes[slot / 64] & (1 << (slot % 64)) != 0
            && self.windows.contains(&window_key(window))
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor([REDACTED])")
    }
}

/// A text with its escapes decoded once more than the view it was decoded from.
struct View {
    bytes: Vec<u8>,
    /// Each decoded byte: its position here, and the range of the escape it came from in
    /// the view before; in order. Every other byte is copied, so positions between two
    /// decoded bytes map by a constant shift.
    decoded: Vec<(usize, usize, usize)>,
}

impl View {
    /// The range of the view before that byte `at` of this one comes from.
    fn source(&self, at: usize) -> (usize, usize) {
        match self.decoded.binary_search_by_key(&at, |(here, ..)| *here) {
            Ok(found) => {
                let (_, start, end) = self.decoded[found];
                (start, end)
            }
            Err(0) => (at, at + 1),
            Err(after) => {
                let (here, _, end) = self.decoded[after - 1];
                let before = end + (at - here - 1);
                (before, before + 1)
            }
        }
    }
}

/// The range of the original text that bytes `start..end` of the last of `views` (each
/// decoded from the one before it, the first from the text) come from.
fn original(views: &[View], start: usize, end: usize) -> (usize, usize) {
    views.iter().rev().fold((start, end), |(start, end), view| {
        (view.source(start).0, view.source(end - 1).1)
    })
}

impl Redactor {
    pub fn new(secret: &str) -> Self {
        Self {
            whole: secret.to_owned(),
            windows: OnceLock::new(),
        }
    }

    /// Builds what redaction looks for now, rather than on first use (the stdio front calls
    /// it on a thread of its own as it starts, so the first line out does not wait).
    pub fn prepare(&self) {
        self.window_set();
    }

    fn window_set(&self) -> &WindowSet {
        self.windows
            .get_or_init(|| WindowSet::new(&self.whole, &secret_forms(&self.whole)))
    }

    /// `text` with the secret, its fragments and its encodings replaced by [`MARK`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let spans = merged(self.spans(text.as_bytes()));
        replace_spans(text, &spans)
    }

    /// One line of JSON as it goes to the client, redacted like any text and still JSON:
    /// a removed stretch that would start inside an escape sequence (`\n` followed by a
    /// piece of the token) takes the whole escape with it.
    pub fn redact_json<'a>(&self, line: &'a str) -> Cow<'a, str> {
        let bytes = line.as_bytes();
        let spans = self
            .spans(bytes)
            .into_iter()
            .map(|(start, end)| {
                let backslashes = bytes[..start]
                    .iter()
                    .rev()
                    .take_while(|b| **b == b'\\')
                    .count();
                (start - backslashes % 2, end)
            })
            .collect();
        replace_spans(line, &merged(spans))
    }

    /// Whether `text` holds the secret or a piece of it, in any of the forms [`redact`]
    /// removes.
    ///
    /// [`redact`]: Redactor::redact
    pub fn finds_secret_in(&self, text: &str) -> bool {
        !self.spans(text.as_bytes()).is_empty()
    }

    /// Redacts, then cuts to at most `max_chars` characters (with `…`): in that order, so
    /// the cut can never expose a piece of the secret.
    pub fn redact_and_cut(&self, text: &str, max_chars: usize) -> String {
        crate::text::cut(&self.redact(text), max_chars)
    }

    /// Byte ranges of `text` (unmerged) that hold the secret or a piece of it, in the text
    /// as it is or in one of its decoded views.
    fn spans(&self, text: &[u8]) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        self.find(text, 0, &mut spans);
        let set = self.window_set();
        let mut views: Vec<View> = Vec::new();
        while views.len() < DECODE_DEPTH {
            let Some(view) = decode_once(views.last().map_or(text, |v| &v.bytes)) else {
                break;
            };
            // A match this view adds holds a byte decoded in it, and one that can be part of
            // the secret: only the stretches around those are searched.
            let reach = FRAGMENT_CHARS.max(self.whole.len());
            let mut found = Vec::new();
            let mut searched_to = 0;
            for &(at, ..) in &view.decoded {
                if !set.matchable[usize::from(view.bytes[at])] || at < searched_to {
                    continue;
                }
                let from = (at + 1).saturating_sub(reach).max(searched_to);
                let to = (at + reach).min(view.bytes.len());
                self.find(&view.bytes[from..to], from, &mut found);
                searched_to = to.saturating_sub(reach - 1);
            }
            // Decoding once more can only find a new escape where this pass decoded a byte
            // an escape is made of.
            let again = view.decoded.iter().any(|&(at, ..)| {
                matches!(view.bytes[at], b'%' | b'\\' | b'u' | b'/')
                    || view.bytes[at].is_ascii_hexdigit()
            });
            views.push(view);
            spans.extend(
                found
                    .into_iter()
                    .map(|(start, end)| original(&views, start, end)),
            );
            if !again {
                break;
            }
        }
        spans
    }

    /// Adds to `spans` the ranges (shifted by `offset`) of every stretch of `bytes` that is
    /// the whole secret or a window of one of its forms.
    fn find(&self, bytes: &[u8], offset: usize, spans: &mut Vec<(usize, usize)>) {
        let whole = self.whole.as_bytes();
        if !whole.is_empty() && bytes.len() >= whole.len() {
            let mut at = 0;
            while let Some(found) = find_bytes(&bytes[at..], whole) {
                spans.push((offset + at + found, offset + at + found + whole.len()));
                at += found + 1;
            }
        }
        let set = self.window_set();
        if set.windows.is_empty() {
            return;
        }
        // Only windows made wholly of bytes of the forms can match: skip the rest without
        // looking.
        let mut run = 0;
        for (end, byte) in bytes.iter().enumerate() {
            run = if set.alphabet[usize::from(*byte)] {
                run + 1
            } else {
                0
            };
            let start = (end + 1).saturating_sub(FRAGMENT_CHARS);
            if run >= FRAGMENT_CHARS && set.contains(&bytes[start..=end]) {
                spans.push((offset + start, offset + end + 1));
            }
        }
    }
}

/// Where `needle` first occurs in `haystack`.
fn find_bytes(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = needle[0];
    let mut at = 0;
    while at + needle.len() <= haystack.len() {
        let next = haystack[at..=haystack.len() - needle.len()]
            .iter()
            .position(|b| *b == first)?;
        at += next;
        if haystack[at..at + needle.len()] == *needle {
            return Some(at);
        }
        at += 1;
    }
    None
}

/// Sorted, overlapping or touching spans joined.
fn merged(mut spans: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// `text` with each of `spans` (merged; their ends fall on ASCII bytes) replaced by [`MARK`].
fn replace_spans<'a>(text: &'a str, spans: &[(usize, usize)]) -> Cow<'a, str> {
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in spans {
        // Spans start and end at ASCII bytes (a secret character or an escape), so on
        // char boundaries.
        out.push_str(&text[at..start]);
        out.push_str(MARK);
        at = end;
    }
    out.push_str(&text[at..]);
    Cow::Owned(out)
}

/// `bytes` with every escape decoded once; `None` when there is none to decode. An escape
/// is `%XX` (either case, and percent-encoded again as `%25XX`, `%2525XX`, ...), or `\uXXXX`
/// of an ASCII character or `\/`, behind any run of backslashes (JSON inside a JSON string
/// escapes them again). Text is copied only once an escape is found.
fn decode_once(bytes: &[u8]) -> Option<View> {
    let mut view = View {
        bytes: Vec::new(),
        decoded: Vec::new(),
    };
    // `bytes[..copied]` is in the view; escapes are looked for from `at`.
    let (mut copied, mut at) = (0, 0);
    while let Some(next) = bytes[at..].iter().position(|b| matches!(b, b'%' | b'\\')) {
        let escape = at + next;
        match escape_at(&bytes[escape..]) {
            Ok((byte, len)) => {
                if view.decoded.is_empty() {
                    view.bytes.reserve(bytes.len());
                }
                view.bytes.extend_from_slice(&bytes[copied..escape]);
                view.decoded.push((view.bytes.len(), escape, escape + len));
                view.bytes.push(byte);
                copied = escape + len;
                at = copied;
            }
            Err(plain) => at = escape + plain,
        }
    }
    if view.decoded.is_empty() {
        return None;
    }
    view.bytes.extend_from_slice(&bytes[copied..]);
    Some(view)
}

/// The byte an escape at the start of `bytes` stands for and the escape's length; else how
/// many bytes to pass over as they are (a whole run of backslashes, so that a long one is
/// looked at once).
fn escape_at(bytes: &[u8]) -> Result<(u8, usize), usize> {
    let hex_pair = |at: usize| {
        let pair = bytes.get(at..at + 2)?;
        Some(hex_digit(pair[0])? << 4 | hex_digit(pair[1])?)
    };
    match bytes.first() {
        Some(b'%') => {
            let mut byte = hex_pair(1).ok_or(1usize)?;
            let mut len = 3;
            while byte == b'%' {
                let Some(next) = hex_pair(len) else { break };
                byte = next;
                len += 2;
            }
            Ok((byte, len))
        }
        Some(b'\\') => {
            let run = bytes.iter().take_while(|b| **b == b'\\').count();
            match bytes.get(run) {
                Some(b'/') => Ok((b'/', run + 1)),
                Some(b'u') => {
                    let code = bytes.get(run + 1..run + 5).and_then(|digits| {
                        digits
                            .iter()
                            .try_fold(0u8, |n, d| Some(n.checked_mul(16)? | hex_digit(*d)?))
                    });
                    match code {
                        Some(code) if code < 0x80 => Ok((code, run + 5)),
                        _ => Err(run),
                    }
                }
                _ => Err(run),
            }
        }
        _ => Err(1),
    }
}

fn hex_digit(byte: u8) -> Option<u8> {
    char::from(byte).to_digit(16).map(|digit| digit as u8)
}

/// The parts of the secret that are secret: a JWT's header segment is the same for every
/// token of its kind, and redacting it would only hide harmless text. Anything else is.
fn secret_segments(secret: &str) -> Vec<&str> {
    let segments: Vec<&str> = secret.split('.').collect();
    if segments.len() == 3 {
        segments[1..].to_vec()
    } else {
        segments
    }
}

/// The strings whose fragments count as the secret.
fn secret_forms(secret: &str) -> Vec<String> {
    let mut forms: Vec<String> = secret_segments(secret)
        .into_iter()
        .map(str::to_owned)
        .collect();
    for alignment in 0..3 {
        for alphabet in [STANDARD, URL_SAFE] {
            let encoded = base64_at_alignment(secret.as_bytes(), alignment, alphabet);
            if encoded.contains('+') {
                forms.push(encoded.replace('+', " "));
            }
            forms.push(encoded);
        }
    }
    forms.retain(|f| f.len() >= FRAGMENT_CHARS);
    forms
}

const STANDARD: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const URL_SAFE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// The base64 characters that encode `secret` when it starts `alignment` bytes into a
/// 3-byte group, leaving out the characters that also depend on the bytes around it.
fn base64_at_alignment(secret: &[u8], alignment: usize, alphabet: &[u8; 64]) -> String {
    let mut bytes = vec![0u8; alignment];
    bytes.extend_from_slice(secret);
    let encoded = encode_base64(&bytes, alphabet);
    // Characters 0..=alignment's share carry bits of the padding bytes before it; the
    // final character may carry bits of whatever follows. Drop both ends.
    let skip = match alignment {
        0 => 0,
        1 => 2,
        _ => 3,
    };
    let full_groups = bytes.len() / 3 * 4;
    encoded[skip.min(full_groups)..full_groups].to_owned()
}

fn encode_base64(bytes: &[u8], alphabet: &[u8; 64]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(alphabet[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI3MDdkMDg1NS04MGFiLTRlMWYtYTE1Ni1mMWM0NTQ2Y2JmNTIiLCJzZXJ2ZXJfdXJsIjoiaHR0cHM6Ly9jbG91ZC5leGFtcGxlIn0.MEUCIQDx4m0Lk2iVpXq8cU3Hs9yZtRrWn5oQeA7bJf6G1dKc2AIgN0vYp3sT8uE4wZ_hLq-KjM5xRbCd9FnG7aHsUiOe";

    fn signature() -> &'static str {
        TOKEN.rsplit('.').next().unwrap()
    }

    #[test]
    fn removes_the_whole_token_and_leaves_other_text_alone() {
        let r = Redactor::new(TOKEN);
        let text = format!("you sent Bearer {TOKEN}, fine");
        assert_eq!(r.redact(&text), format!("you sent Bearer {MARK}, fine"));
        assert!(matches!(r.redact("nothing secret here"), Cow::Borrowed(_)));
        // The public header alone is left as it is.
        let header = TOKEN.split('.').next().unwrap();
        assert_eq!(r.redact(header), header);
    }

    #[test]
    fn a_token_cut_at_any_offset_leaves_no_fragment() {
        let r = Redactor::new(TOKEN);
        for cut in 0..=TOKEN.len() {
            for text in [
                format!("x Bearer {}", &TOKEN[..cut]),
                format!("{} y", &TOKEN[cut..]),
            ] {
                let out = r.redact(&text);
                assert_no_fragment(&out, &format!("cut at {cut}"));
            }
        }
    }

    #[test]
    fn base64_and_percent_encodings_are_recognised() {
        let r = Redactor::new(TOKEN);
        for prefix in ["", "a", "ab", "Bearer ", "user:"] {
            let raw = format!("{prefix}{TOKEN}");
            for alphabet in [STANDARD, URL_SAFE] {
                let encoded = encode_base64(raw.as_bytes(), alphabet);
                let form_encoded = encoded
                    .replace('+', "%2B")
                    .replace('/', "%2f")
                    .replace('=', "%3D");
                for text in [encoded.clone(), form_encoded, encoded.replace('+', " ")] {
                    let out = r.redact(&text);
                    // What survives is at most the few characters shared with the prefix.
                    assert!(out.len() < 40, "{prefix:?}: {out}");
                }
            }
        }
    }

    #[test]
    fn escapes_are_decoded_in_turn_and_the_stretch_they_came_from_removed() {
        let r = Redactor::new(TOKEN);
        let sig = signature();
        let partly: String = sig
            .bytes()
            .enumerate()
            .map(|(i, b)| {
                if i % 3 == 0 {
                    format!("%{b:02x}")
                } else {
                    char::from(b).to_string()
                }
            })
            .collect();
        let json: String = sig.bytes().map(|b| format!("\\\\u{b:04x}")).collect();
        let thrice: String = sig.bytes().map(|b| format!("%255Cu{b:04x}")).collect();
        for encoded in [partly, json, thrice, sig.replace('_', "%255F")] {
            let text = format!("<{encoded}>");
            assert_eq!(r.redact(&text), format!("<{MARK}>"), "{encoded}");
        }
        // Text without escapes is not decoded at all: JSON's own escapes are not ones.
        assert!(decode_once(br#"plain % text \n \" \\ \u00e9 %zz"#).is_none());
        let first = decode_once(br"a%41\u0042\/x%255Cu0041").unwrap();
        assert_eq!(first.bytes, br"aAB/x\u0041");
        assert_eq!(
            first.decoded,
            [(1, 1, 4), (2, 4, 10), (3, 10, 12), (5, 13, 18)]
        );
        let second = decode_once(&first.bytes).unwrap();
        assert_eq!(second.bytes, b"aAB/xA");
        let views = [first, second];
        assert_eq!(original(&views, 0, 1), (0, 1));
        assert_eq!(original(&views, 4, 5), (12, 13));
        assert_eq!(original(&views, 5, 6), (13, 23));
        assert_eq!(original(&views, 1, 6), (1, 23));
        // Escaped again, in one step: a run of backslashes, or `%25` repeated.
        let again = decode_once(br"\\\\u0041 %252541 \\\/").unwrap();
        assert_eq!(again.bytes, b"A A /");
        // A long run of backslashes is passed over at once.
        let run = vec![b'\\'; 1 << 20];
        assert!(decode_once(&run).is_none());
    }

    #[test]
    fn a_json_line_stays_json_when_a_piece_follows_an_escape() {
        let r = Redactor::new(TOKEN);
        let sig = signature();
        // The signature's character before the piece, escaped: `\n` would be a newline.
        for at in 1..sig.len() - FRAGMENT_CHARS {
            let before = &sig[at - 1..at];
            let line =
                serde_json::json!({ "text": format!("a\\{before}{}", &sig[at..]) }).to_string();
            let line = line.replace(r"\\", r"\");
            let Ok(original) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue; // `\X` is not a JSON escape for this X
            };
            let out = r.redact_json(&line);
            let redacted: serde_json::Value = serde_json::from_str(&out)
                .unwrap_or_else(|e| panic!("{e}: {out} from {line} ({original})"));
            assert_no_fragment(redacted["text"].as_str().unwrap(), &line);
        }
    }

    #[test]
    fn base64_encoding_matches_the_standard() {
        assert_eq!(encode_base64(b"Man", STANDARD), "TWFu");
        assert_eq!(encode_base64(b"Ma", STANDARD), "TWE");
        assert_eq!(encode_base64(b"\xfb\xff", URL_SAFE), "-_8");
    }

    pub(crate) fn assert_no_fragment(text: &str, context: &str) {
        for segment in TOKEN.split('.').skip(1) {
            for window in segment.as_bytes().windows(FRAGMENT_CHARS) {
                let window = std::str::from_utf8(window).unwrap();
                assert!(!text.contains(window), "{context}: {window} in {text}");
            }
        }
        let _ = signature();
    }
}
