//! Who is calling: the bearer token each request carries, decoded but not trusted. Its
//! claims name the tenant (held to the operator's allowlist before anything is sent) and
//! the token's id (for the audit line); the server URL they name is never used: the
//! operator pins the upstream. Hatchet itself verifies the token on every request.

use hyper::{
    HeaderMap, Response, StatusCode,
    header::{self, HeaderValue},
};
use uuid::Uuid;

use super::Body;
use crate::token::{self, Claims};

/// A token longer than this is no Hatchet API token (they are a few hundred bytes).
const MAX_TOKEN_BYTES: usize = 8 * 1024;

/// A caller's token as presented, with what its (unverified) claims say.
pub(super) struct Presented {
    pub token: String,
    pub tenant: Uuid,
    pub token_id: Option<String>,
    pub expires_at: Option<jiff::Timestamp>,
}

/// Why a request is refused before anything is sent upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Refusal {
    /// No `Authorization: Bearer` header.
    Missing,
    /// A bearer credential that is not a Hatchet API token; says what is wrong.
    Malformed(&'static str),
    /// The token's tenant is not one the operator serves.
    TenantNotAllowed,
    /// The caller's client could not be built (logged where it happened).
    Internal,
}

/// The bearer token of `headers`, decoded.
pub(super) fn presented(headers: &HeaderMap) -> Result<Presented, Refusal> {
    let mut values = headers.get_all(header::AUTHORIZATION).iter();
    let value = values.next().ok_or(Refusal::Missing)?;
    if values.next().is_some() {
        return Err(Refusal::Malformed("more than one Authorization header"));
    }
    let value = value
        .to_str()
        .map_err(|_| Refusal::Malformed("the Authorization header is not text"))?;
    let (scheme, credentials) = value.trim().split_once(' ').unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(Refusal::Missing);
    }
    let token = credentials.trim();
    if token.is_empty() {
        return Err(Refusal::Missing);
    }
    if token.len() > MAX_TOKEN_BYTES {
        return Err(Refusal::Malformed("the token is longer than any API token"));
    }
    let claims: Claims = token::decode_claims(token)
        .map_err(|_| Refusal::Malformed("the token is not a Hatchet API token (a JWT)"))?;
    let tenant = claims
        .sub
        .as_deref()
        .and_then(|sub| Uuid::parse_str(sub).ok())
        .ok_or(Refusal::Malformed(
            "the token names no tenant (its `sub` claim is not a UUID)",
        ))?;
    Ok(Presented {
        token: token.to_owned(),
        tenant,
        token_id: claims.token_id,
        expires_at: claims
            .exp
            .and_then(|s| jiff::Timestamp::from_second(s).ok()),
    })
}

impl Refusal {
    /// 401 with `WWW-Authenticate` (RFC 6750) for a missing or malformed token, 403 for a
    /// tenant not served. Never quotes the token.
    pub(super) fn response(self) -> Response<Body> {
        let (status, challenge, message) = match self {
            Refusal::Missing => (
                StatusCode::UNAUTHORIZED,
                r#"Bearer realm="hatchet-mcp""#.to_owned(),
                "Unauthorized: send your own Hatchet API token as `Authorization: Bearer <token>` (dashboard: Settings > API Tokens)".to_owned(),
            ),
            Refusal::Malformed(why) => (
                StatusCode::UNAUTHORIZED,
                format!(r#"Bearer realm="hatchet-mcp", error="invalid_token", error_description="{why}""#),
                format!("Unauthorized: {why}; send a Hatchet API token as `Authorization: Bearer <token>`"),
            ),
            Refusal::Internal => {
                return super::text(StatusCode::INTERNAL_SERVER_ERROR, "Internal Server Error");
            }
            Refusal::TenantNotAllowed => (
                StatusCode::FORBIDDEN,
                r#"Bearer realm="hatchet-mcp", error="insufficient_scope", error_description="tenant not served""#.to_owned(),
                "Forbidden: this server does not serve your token's tenant (HATCHET_MCP_HTTP_TENANTS); nothing was sent to Hatchet".to_owned(),
            ),
        };
        let mut response = super::text(status, message);
        if let Ok(challenge) = HeaderValue::from_str(&challenge) {
            response
                .headers_mut()
                .insert(header::WWW_AUTHENTICATE, challenge);
        }
        response
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::tests::mint;

    const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";

    fn with(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in values {
            headers.append(header::AUTHORIZATION, HeaderValue::from_str(value).unwrap());
        }
        headers
    }

    #[test]
    fn a_bearer_token_names_its_tenant_and_id_but_not_where_it_goes() {
        let token = mint(&serde_json::json!({
            "sub": TENANT, "server_url": "https://elsewhere.example", "token_id": "t-1", "exp": 4102444800u64
        }));
        let presented = presented(&with(&[&format!("bearer  {token} ")])).unwrap();
        assert_eq!(presented.token, token);
        assert_eq!(presented.tenant.to_string(), TENANT);
        assert_eq!(presented.token_id.as_deref(), Some("t-1"));
        assert!(presented.expires_at.is_some());
    }

    #[test]
    fn what_is_not_a_token_is_refused_without_being_quoted() {
        let no_tenant = mint(&serde_json::json!({"sub": "me"}));
        for (headers, refusal) in [
            (with(&[]), Refusal::Missing),
            (with(&["Basic dXNlcjpwYXNz"]), Refusal::Missing),
            (with(&["Bearer "]), Refusal::Missing),
            (
                with(&["Bearer abc"]),
                Refusal::Malformed("the token is not a Hatchet API token (a JWT)"),
            ),
            (
                with(&["Bearer a", "Bearer b"]),
                Refusal::Malformed("more than one Authorization header"),
            ),
        ] {
            assert_eq!(presented(&headers).err(), Some(refusal));
        }
        let refusal = presented(&with(&[&format!("Bearer {no_tenant}")]))
            .err()
            .unwrap();
        assert!(matches!(refusal, Refusal::Malformed(why) if why.contains("tenant")));
        let response = refusal.response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let challenge = response.headers()[header::WWW_AUTHENTICATE]
            .to_str()
            .unwrap();
        assert!(challenge.starts_with("Bearer realm=") && challenge.contains("invalid_token"));
    }
}
