//! The one redaction function every text passes through before it leaves the process
//! (tool results, errors, logs, `check`, audit lines).
//!
//! Redaction comes before any cut: a cut can land inside the token and leave a piece that
//! no longer matches it whole. So besides the whole token, any run of
//! [`FRAGMENT_CHARS`] or more characters taken from one of its secret segments is removed,
//! wherever it stands, together with the encodings an upstream might echo it in: standard
//! and URL-safe base64 of the token (at each of the three byte alignments), their
//! percent-encoded forms, and the token with every character percent-encoded. (A JWT's own
//! characters are all URL-unreserved, so ordinary URL-encoding leaves it unchanged; the raw
//! fragments cover that.)

use std::{borrow::Cow, collections::HashSet, sync::OnceLock};

/// The shortest piece of a secret segment that is recognised on its own. Twelve base64
/// characters carry 72 bits: no innocent text matches by chance.
pub const FRAGMENT_CHARS: usize = 12;

/// What a removed piece is replaced with.
pub const MARK: &str = "[REDACTED]";

/// Finds and removes one secret (the API token) from text.
///
/// Its window sets are built on first use, not at start: building them takes about a
/// millisecond, which `initialize` need not wait for.
#[derive(Clone)]
pub struct Redactor {
    /// The whole secret, removed wherever it appears whatever its length.
    whole: String,
    windows: OnceLock<Vec<WindowSet>>,
}

/// Every window of one length (in bytes: a fully percent-encoded character takes three) of
/// every secret form of that kind, with a bitmap of their first four bytes so that most
/// positions of a text are ruled out without hashing a window.
#[derive(Clone)]
struct WindowSet {
    width: usize,
    windows: HashSet<Box<[u8]>>,
    prefixes: Box<[u64]>,
}

/// Bits in a [`WindowSet`]'s prefix bitmap (32 KiB): the few thousand windows of a token
/// fill a few percent of it.
const PREFIX_BITS: u32 = 18;

fn prefix_slot(window: &[u8]) -> usize {
    let prefix = u32::from_le_bytes([window[0], window[1], window[2], window[3]]);
    (prefix.wrapping_mul(0x9E37_79B1) >> (32 - PREFIX_BITS)) as usize
}

impl WindowSet {
    fn new(width: usize, forms: &[String]) -> Self {
        let windows: HashSet<Box<[u8]>> = forms
            .iter()
            .flat_map(|form| form.as_bytes().windows(width))
            .map(Box::from)
            .collect();
        let mut prefixes = vec![0u64; 1 << (PREFIX_BITS - 6)].into_boxed_slice();
        for window in &windows {
            let slot = prefix_slot(window);
            prefixes[slot / 64] |= 1 << (slot % 64);
        }
        Self {
            width,
            windows,
            prefixes,
        }
    }

    fn contains(&self, window: &[u8]) -> bool {
        let slot = prefix_slot(window);
        self.prefixes[slot / 64] & (1 << (slot % 64)) != 0 && self.windows.contains(window)
    }
}

impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Redactor([REDACTED])")
    }
}

impl Redactor {
    pub fn new(secret: &str) -> Self {
        Self {
            whole: secret.to_owned(),
            windows: OnceLock::new(),
        }
    }

    fn window_sets(&self) -> &[WindowSet] {
        self.windows.get_or_init(|| {
            vec![
                WindowSet::new(FRAGMENT_CHARS, &secret_forms(&self.whole)),
                WindowSet::new(
                    3 * FRAGMENT_CHARS,
                    &fully_percent_encoded_forms(&self.whole),
                ),
            ]
        })
    }

    /// `text` with the secret, its fragments and its encodings replaced by [`MARK`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let text: Cow<'a, str> = if !self.whole.is_empty() && text.contains(&self.whole) {
            Cow::Owned(text.replace(&self.whole, MARK))
        } else {
            Cow::Borrowed(text)
        };
        let spans = self.fragment_spans(text.as_bytes());
        if spans.is_empty() {
            return text;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end) in spans {
            // Spans are windows of ASCII bytes, so their ends are char boundaries.
            out.push_str(&text[at..start]);
            out.push_str(MARK);
            at = end;
        }
        out.push_str(&text[at..]);
        Cow::Owned(out)
    }

    /// Redacts, then cuts to at most `max_chars` characters (with `…`): in that order, so
    /// the cut can never expose a piece of the secret.
    pub fn redact_and_cut(&self, text: &str, max_chars: usize) -> String {
        crate::text::cut(&self.redact(text), max_chars)
    }

    /// Merged byte ranges of `text` covered by some secret window.
    fn fragment_spans(&self, bytes: &[u8]) -> Vec<(usize, usize)> {
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for set in self.window_sets() {
            if set.windows.is_empty() {
                continue;
            }
            // Only windows made wholly of secret-alphabet bytes can match: skip the rest
            // without looking.
            let mut run = 0;
            for (end, byte) in bytes.iter().enumerate() {
                run = if is_secret_byte(*byte) { run + 1 } else { 0 };
                let start = (end + 1).saturating_sub(set.width);
                if run >= set.width && set.contains(&bytes[start..=end]) {
                    spans.push((start, end + 1));
                }
            }
        }
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
}

/// Bytes that can occur in a secret form: base64 (both alphabets), `=`, and `%` escapes.
fn is_secret_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'+' | b'/' | b'=' | b'%')
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
            forms.push(percent_encode_base64(&encoded));
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

/// The secret segments with every character written as `%XX`, in both cases of hex.
fn fully_percent_encoded_forms(secret: &str) -> Vec<String> {
    secret_segments(secret)
        .into_iter()
        .flat_map(|segment| {
            let upper: String = segment.bytes().map(|b| format!("%{b:02X}")).collect();
            [upper.to_ascii_lowercase(), upper]
        })
        .collect()
}

/// Base64 as a query string or form would carry it.
fn percent_encode_base64(encoded: &str) -> String {
    encoded
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D")
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
                for text in [encoded.clone(), percent_encode_base64(&encoded)] {
                    let out = r.redact(&text);
                    // What survives is at most the few characters shared with the prefix.
                    assert!(out.len() < 40, "{prefix:?}: {out}");
                }
            }
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
