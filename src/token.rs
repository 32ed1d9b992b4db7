//! Decoding the claims of a Hatchet API token.
//!
//! A Hatchet API token is an ES256 JWT. Clients never verify its signature (the engine
//! does); they only read the claims to learn which tenant and server it belongs to.

use serde::Deserialize;

/// The claims this server reads. Unknown claims are ignored.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
pub struct Claims {
    /// The tenant id.
    pub sub: Option<String>,
    /// The REST base URL of the engine that issued the token.
    pub server_url: Option<String>,
    /// Expiry, seconds since the Unix epoch.
    pub exp: Option<i64>,
    /// The token's own id (Hatchet's `token_id`): names a caller without naming the token.
    pub token_id: Option<String>,
}

/// Why a token could not be decoded. Messages never contain the token itself.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("is not a JWT (expected three base64url segments separated by '.', found {0})")]
    WrongShape(usize),
    #[error("is not a JWT: its claims segment is not base64url-encoded JSON")]
    BadClaims,
}

/// Decodes the claims without checking the signature.
pub fn decode_claims(token: &str) -> Result<Claims, TokenError> {
    let segments = token.split('.').count();
    if segments != 3 || token.split('.').any(str::is_empty) {
        return Err(TokenError::WrongShape(segments));
    }
    jsonwebtoken::dangerous::insecure_decode_claims::<Claims>(token)
        .map_err(|_| TokenError::BadClaims)
}

/// What was removed from around the token: people paste `Bearer <jwt>` from a header, or a
/// quoted string from a shell or a JSON file, and Hatchet would refuse either as sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TokenCleanup {
    pub bearer: bool,
    pub quotes: bool,
}

impl TokenCleanup {
    pub fn describe(self) -> Option<&'static str> {
        match (self.bearer, self.quotes) {
            (true, true) => Some("a leading `Bearer ` and quotes were removed"),
            (true, false) => Some("a leading `Bearer ` was removed"),
            (false, true) => Some("quotes around the token were removed"),
            (false, false) => None,
        }
    }
}

/// Strips white space, quotes and a leading `Bearer ` (any case), in any nesting.
pub fn clean_token(raw: &str) -> (String, TokenCleanup) {
    let mut cleanup = TokenCleanup::default();
    let mut token = raw.trim();
    loop {
        // A JWT never contains a quote, so stray ones at either end are safe to drop.
        let unquoted = token.trim_matches(['"', '\'']);
        if unquoted.len() != token.len() {
            cleanup.quotes = true;
            token = unquoted.trim();
            continue;
        }
        match strip_bearer(token) {
            Some(rest) => {
                cleanup.bearer = true;
                token = rest.trim();
            }
            None => return (token.to_owned(), cleanup),
        }
    }
}

fn strip_bearer(token: &str) -> Option<&str> {
    let (scheme, rest) = token.split_at_checked(6)?;
    (scheme.eq_ignore_ascii_case("bearer") && rest.starts_with(char::is_whitespace)).then_some(rest)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds an unsigned `header.claims.signature` token, as a test fixture.
    pub(crate) fn mint(claims: &serde_json::Value) -> String {
        fn b64(bytes: &[u8]) -> String {
            const ALPHABET: &[u8; 64] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                    << (8 * (3 - chunk.len()));
                for i in 0..=chunk.len() {
                    out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
                }
            }
            out
        }
        format!(
            "{}.{}.{}",
            b64(br#"{"alg":"ES256","typ":"JWT"}"#),
            b64(claims.to_string().as_bytes()),
            "c2lnbmF0dXJlLXNlZ21lbnQtdGhhdC1pcy1sb25n"
        )
    }

    #[test]
    fn decodes_the_claims_hatchet_puts_in_a_token() {
        let token = mint(&serde_json::json!({
            "sub": "707d0855-80ab-4e1f-a156-f1c4546cbf52",
            "server_url": "https://cloud.example",
            "grpc_broadcast_address": "host:443",
            "exp": 1711843200,
            "token_id": "x"
        }));
        let claims = decode_claims(&token).unwrap();
        assert_eq!(
            claims,
            Claims {
                sub: Some("707d0855-80ab-4e1f-a156-f1c4546cbf52".into()),
                server_url: Some("https://cloud.example".into()),
                exp: Some(1711843200),
                token_id: Some("x".into()),
            }
        );
    }

    #[test]
    fn rejects_what_is_not_a_jwt() {
        assert_eq!(decode_claims("abc"), Err(TokenError::WrongShape(1)));
        assert_eq!(decode_claims("a.b.c.d"), Err(TokenError::WrongShape(4)));
        assert_eq!(decode_claims("a..c"), Err(TokenError::WrongShape(3)));
        assert_eq!(decode_claims("a.!!!.c"), Err(TokenError::BadClaims));
        // Valid base64url, but not a JSON object.
        assert_eq!(decode_claims("a.bm90IGpzb24.c"), Err(TokenError::BadClaims));
    }
}
