//! The one error type of the Hatchet client. Its `Display` is what the agent reads, so every
//! variant says what happened and what to try next.

use std::time::Duration;

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorKind {
    /// Hatchet answered with a non-success status.
    Status(u16),
    /// A 3xx answer; redirects are never followed, so the token never goes elsewhere.
    Redirect(u16),
    /// The request could not be sent, or the connection broke.
    Transport,
    /// The call deadline passed.
    Timeout,
    /// The body exceeded the response-size cap.
    TooLarge,
    /// A success status with a body that is not JSON.
    InvalidBody,
    /// Refused locally: a write in read-only mode.
    ReadOnly,
    /// Refused locally before sending: a request that could not be sent as asked (a path
    /// segment that is empty, `.`/`..` or holds control characters, an over-long URL or body).
    Refused,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{}", self.render())]
pub struct ApiError {
    pub kind: ErrorKind,
    /// Already redacted and cut to length.
    pub message: String,
    /// For a mutation: it may have reached Hatchet, so its effect is unknown.
    pub outcome_unknown: bool,
    /// Retry-After from a 429 or 503, as a floor for the next attempt.
    pub(crate) retry_after: Option<Duration>,
}

impl ApiError {
    pub(crate) fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            outcome_unknown: false,
            retry_after: None,
        }
    }

    /// The HTTP status Hatchet answered with, when it answered.
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            ErrorKind::Status(s) | ErrorKind::Redirect(s) => Some(s),
            _ => None,
        }
    }

    /// Whether sending the same read again may succeed.
    pub(crate) fn is_transient(&self) -> bool {
        match self.kind {
            ErrorKind::Status(s) => matches!(s, 429 | 502 | 503 | 504),
            ErrorKind::Transport => true,
            _ => false,
        }
    }

    fn render(&self) -> String {
        let mut text = match &self.kind {
            ErrorKind::Status(status) => {
                let message = if self.message.is_empty() {
                    "no details"
                } else {
                    &self.message
                };
                let stop = if message.ends_with('.') { "" } else { "." };
                format!(
                    "Hatchet API {status} {}: {message}{stop}{}",
                    status_name(*status),
                    status_hint(*status)
                )
            }
            _ => self.message.clone(),
        };
        if self.outcome_unknown {
            text.push_str(
                " The request may have reached Hatchet, so its outcome is unknown; it was not retried.",
            );
        }
        text
    }
}

fn status_name(status: u16) -> &'static str {
    match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        405 => "method_not_allowed",
        409 => "conflict",
        422 => "unprocessable",
        429 => "rate_limited",
        501 => "not_implemented",
        500..=599 => "server_error",
        _ => "error",
    }
}

fn status_hint(status: u16) -> &'static str {
    match status {
        401 | 403 => {
            " The token is invalid, expired or lacks access to this tenant: check HATCHET_CLIENT_TOKEN (and HATCHET_CLIENT_TENANT_ID if set)."
        }
        404 => " Check the id and that it belongs to this tenant.",
        429 => " Rate limited by Hatchet: wait before calling again.",
        400 | 422 => " Check the arguments against the tool's schema.",
        501 => " This Hatchet engine does not implement it: it may be older than this call needs.",
        500..=599 => " Hatchet had a server-side problem: try again shortly.",
        _ => "",
    }
}

/// The message of an error body, in any of the three shapes Hatchet answers with:
/// `{"errors":[{"description":..}]}`, `{"message":..}`, or `null`/empty/non-JSON text.
/// Whole: the caller redacts it, then cuts it (in that order, so no cut splits the token).
pub(crate) fn message_from_body(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => {
            let from_errors = map.get("errors").and_then(Value::as_array).map(|errors| {
                errors
                    .iter()
                    .filter_map(|e| {
                        e.get("description")
                            .or_else(|| e.get("message"))
                            .and_then(Value::as_str)
                    })
                    .collect::<Vec<_>>()
                    .join("; ")
            });
            match from_errors.filter(|m| !m.is_empty()) {
                Some(m) => m,
                None => match map.get("message").or_else(|| map.get("error")) {
                    Some(Value::String(m)) => m.clone(),
                    _ => text.trim().to_owned(),
                },
            }
        }
        Ok(Value::Null) => String::new(),
        Ok(Value::String(m)) => m,
        _ => text.trim().to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_all_three_error_body_shapes() {
        assert_eq!(
            message_from_body(br#"{"errors":[{"description":"workflow not found","field":"x"}]}"#),
            "workflow not found"
        );
        assert_eq!(
            message_from_body(br#"{"message":"bad things"}"#),
            "bad things"
        );
        assert_eq!(message_from_body(b"null"), "");
        assert_eq!(message_from_body(b""), "");
        assert_eq!(message_from_body(b"<html>oops</html>"), "<html>oops</html>");
    }

    #[test]
    fn renders_status_name_message_and_hint() {
        let err = ApiError::new(ErrorKind::Status(404), "workflow run not found");
        assert_eq!(
            err.to_string(),
            "Hatchet API 404 not_found: workflow run not found. Check the id and that it belongs to this tenant."
        );
        let err = ApiError::new(ErrorKind::Status(403), "");
        assert!(
            err.to_string()
                .starts_with("Hatchet API 403 forbidden: no details. The token is invalid")
        );
        let mut err = ApiError::new(ErrorKind::Transport, "connection reset");
        err.outcome_unknown = true;
        assert!(err.to_string().contains("outcome is unknown"));
    }
}
