//! [`Secret`]: the API token as the process holds it, never shown by `Debug` or `Display`,
//! and the keys derived from it.

use std::{borrow::Cow, fmt};

use super::Redactor;

/// A secret string whose `Debug` and `Display` never show it.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself, for the one place that needs it: the Authorization header.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Removes the secret, its fragments and its encodings from text that came from
    /// elsewhere (see [`Redactor`]). A client keeps one [`Redactor`] instead.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        Redactor::new(&self.0).redact(text)
    }

    pub fn redactor(&self) -> Redactor {
        Redactor::new(&self.0)
    }

    /// A key for `purpose`, derived from the secret (HMAC-SHA256 keyed by it), so that a
    /// value that outlives the process (a bulk confirm token) can be keyed without the
    /// secret leaving here, and only a holder of the secret can make one.
    pub fn derived_key(&self, purpose: &str) -> ring::hmac::Key {
        let root = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, self.0.as_bytes());
        let derived = ring::hmac::sign(&root, purpose.as_bytes());
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([REDACTED])")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}
