//! What an error message may show of a value someone gave: the one place that decides
//! whether a value looks like a token (any token, or a piece of the configured one).

use super::Redactor;
use crate::text;

/// The most of a value any error message quotes.
pub const MAX_ECHO_CHARS: usize = 60;

/// The value, quoted and cut to [`MAX_ECHO_CHARS`], unless it looks like a token (a JWT,
/// base64url JSON, or holds any piece of `token` that [`Redactor`] would remove), which is
/// withheld.
pub fn safe_echo(value: &str, token: Option<&str>) -> String {
    let holds_token = token
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .is_some_and(|token| Redactor::new(token).finds_secret_in(value));
    if holds_token || looks_like_a_token(value) {
        return "(value not shown: it looks like a token)".to_owned();
    }
    format!("{:?}", text::cut(value, MAX_ECHO_CHARS))
}

/// A JWT of any shape: a base64url JSON segment (`eyJ` is base64 for `{"`), or three long
/// base64url segments in a row, separated by dots.
fn looks_like_a_token(value: &str) -> bool {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let json_segment = value
        .split(|c: char| !base64url(c))
        .any(|run| run.len() >= 16 && run.starts_with("eyJ"));
    let three_segments = value
        .split(|c: char| !(base64url(c) || c == '.'))
        .any(|run| {
            run.split('.')
                .collect::<Vec<_>>()
                .windows(3)
                .any(|w| w.iter().all(|s| s.len() >= 16))
        });
    json_segment || three_segments
}
