//! Configuration: the environment, read once at start, into a [`Config`].
//!
//! Every problem is a [`ConfigError`] whose message is one line that names the variable,
//! says what was wrong and what would be accepted, and never contains the token.

use std::{borrow::Cow, fmt, time::Duration};

use reqwest::Url;
use uuid::Uuid;

use crate::{
    redact::Redactor,
    token::{self, TokenError},
};

pub const TOKEN_VAR: &str = "HATCHET_CLIENT_TOKEN";
pub const SERVER_URL_VAR: &str = "HATCHET_CLIENT_SERVER_URL";
pub const SERVER_URL_ALIAS: &str = "HATCHET_API_BASE";
pub const TENANT_VAR: &str = "HATCHET_CLIENT_TENANT_ID";
pub const TENANT_ALIAS: &str = "HATCHET_TENANT_ID";
pub const READ_ONLY_VAR: &str = "HATCHET_MCP_READ_ONLY";
pub const NAMESPACE_VAR: &str = "HATCHET_CLIENT_NAMESPACE";
pub const TIMEOUT_VAR: &str = "HATCHET_MCP_TIMEOUT_SECS";

/// Every variable the server reads, with a one-line meaning, for `--help` and the docs.
pub const VARIABLES: &[(&str, &str)] = &[
    (
        TOKEN_VAR,
        "required: a Hatchet API token (JWT); tenant and server URL come from it",
    ),
    (
        SERVER_URL_VAR,
        "REST base URL override, e.g. for a self-hosted engine (alias HATCHET_API_BASE)",
    ),
    (TENANT_VAR, "tenant id override (alias HATCHET_TENANT_ID)"),
    (
        READ_ONLY_VAR,
        "true (default) or false; false registers the mutating tools",
    ),
    (
        NAMESPACE_VAR,
        "namespace prefixed to workflow names and event keys, as the SDKs do",
    ),
    (
        TIMEOUT_VAR,
        "deadline for one tool call's HTTP work, in seconds (default 30)",
    ),
];

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TIMEOUT_SECS: u64 = 600;

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
    /// elsewhere (see [`crate::redact`]). A client keeps one [`Redactor`] instead.
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        Redactor::new(&self.0).redact(text)
    }

    pub fn redactor(&self) -> Redactor {
        Redactor::new(&self.0)
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

/// Where a setting's value came from, so `check` and the logs can say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Token,
    Variable(&'static str),
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Token => f.write_str("from the token"),
            Source::Variable(name) => write!(f, "from {name}"),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub token: Secret,
    /// REST base URL, without a trailing slash.
    pub server_url: Url,
    pub server_url_source: Source,
    pub tenant_id: Uuid,
    pub tenant_source: Source,
    pub read_only: bool,
    /// Already normalised: lower-case, ending in `_`.
    pub namespace: Option<String>,
    pub timeout: Duration,
    pub token_expires_at: Option<jiff::Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error(
        "{TOKEN_VAR} is not set: set it to a Hatchet API token (dashboard: Settings > API Tokens)"
    )]
    MissingToken,
    #[error("{TOKEN_VAR} {0}: paste the whole API token from the Hatchet dashboard")]
    BadToken(TokenError),
    #[error("{TOKEN_VAR} has no `{claim}` claim: set {var} to supply it")]
    MissingClaim {
        claim: &'static str,
        var: &'static str,
    },
    #[error("{origin} is not a tenant UUID (got {value:?}): set {TENANT_VAR} to the tenant's UUID")]
    BadTenant { origin: String, value: String },
    #[error(
        "{origin} is not an http(s) URL (got {value:?}): set {SERVER_URL_VAR} to a URL such as https://hatchet.example.com"
    )]
    BadServerUrl { origin: String, value: String },
    #[error("{primary} and {alias} are both set, to different values: set only one of them")]
    ConflictingAliases {
        primary: &'static str,
        alias: &'static str,
    },
    #[error(
        "{READ_ONLY_VAR} must be one of true, false, 1, 0, yes, no, on, off (any case), got {0:?}"
    )]
    BadReadOnly(String),
    #[error(
        "{TIMEOUT_VAR} must be a whole number of seconds from 1 to {MAX_TIMEOUT_SECS}, got {0:?}"
    )]
    BadTimeout(String),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process env.
    /// A variable set to the empty string (or only white space) counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };

        let token = get(TOKEN_VAR).ok_or(ConfigError::MissingToken)?;
        let claims = token::decode_claims(&token).map_err(ConfigError::BadToken)?;

        let (server_url_text, server_url_source) =
            match aliased(&get, SERVER_URL_VAR, SERVER_URL_ALIAS)? {
                Some((value, var)) => (value, Source::Variable(var)),
                None => {
                    let claim = claims.server_url.filter(|v| !v.trim().is_empty()).ok_or(
                        ConfigError::MissingClaim {
                            claim: "server_url",
                            var: SERVER_URL_VAR,
                        },
                    )?;
                    (claim, Source::Token)
                }
            };
        let server_url =
            parse_server_url(&server_url_text).ok_or_else(|| ConfigError::BadServerUrl {
                origin: origin_name(&server_url_source, "server_url"),
                value: server_url_text.clone(),
            })?;

        let (tenant_text, tenant_source) = match aliased(&get, TENANT_VAR, TENANT_ALIAS)? {
            Some((value, var)) => (value, Source::Variable(var)),
            None => {
                let claim = claims.sub.ok_or(ConfigError::MissingClaim {
                    claim: "sub",
                    var: TENANT_VAR,
                })?;
                (claim, Source::Token)
            }
        };
        let tenant_id = Uuid::parse_str(&tenant_text).map_err(|_| ConfigError::BadTenant {
            origin: origin_name(&tenant_source, "sub"),
            value: tenant_text.clone(),
        })?;

        let read_only = match get(READ_ONLY_VAR) {
            None => true,
            Some(value) => parse_bool(&value).ok_or(ConfigError::BadReadOnly(value))?,
        };

        let timeout = match get(TIMEOUT_VAR) {
            None => DEFAULT_TIMEOUT,
            Some(value) => match value.parse::<u64>() {
                Ok(secs) if (1..=MAX_TIMEOUT_SECS).contains(&secs) => Duration::from_secs(secs),
                _ => return Err(ConfigError::BadTimeout(value)),
            },
        };

        Ok(Config {
            token: Secret::new(token),
            server_url,
            server_url_source,
            tenant_id,
            tenant_source,
            read_only,
            namespace: get(NAMESPACE_VAR).map(|ns| normalise_namespace(&ns)),
            timeout,
            token_expires_at: claims
                .exp
                .and_then(|s| jiff::Timestamp::from_second(s).ok()),
        })
    }

    /// Whether the token's `exp` claim lies before `now`.
    pub fn token_expired(&self, now: jiff::Timestamp) -> bool {
        self.token_expires_at.is_some_and(|exp| exp <= now)
    }
}

/// Reads a variable that has an alias; both set to different values is an error.
fn aliased(
    get: &impl Fn(&str) -> Option<String>,
    primary: &'static str,
    alias: &'static str,
) -> Result<Option<(String, &'static str)>, ConfigError> {
    match (get(primary), get(alias)) {
        (Some(a), Some(b)) if a != b => Err(ConfigError::ConflictingAliases { primary, alias }),
        (Some(a), _) => Ok(Some((a, primary))),
        (None, Some(b)) => Ok(Some((b, alias))),
        (None, None) => Ok(None),
    }
}

fn origin_name(source: &Source, claim: &str) -> String {
    match source {
        Source::Token => format!("the token's `{claim}` claim"),
        Source::Variable(var) => (*var).to_owned(),
    }
}

fn parse_server_url(text: &str) -> Option<Url> {
    let mut url = Url::parse(text).ok()?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return None;
    }
    if url.query().is_some() || url.fragment().is_some() {
        return None;
    }
    // Paths are appended segment by segment later; a trailing slash would leave an empty one.
    let path = url.path().trim_end_matches('/').to_owned();
    url.set_path(&path);
    Some(url)
}

fn parse_bool(text: &str) -> Option<bool> {
    match text.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Some(true),
        "false" | "0" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// The SDKs lower-case the namespace and end it with `_`.
fn normalise_namespace(namespace: &str) -> String {
    let lower = namespace.to_lowercase();
    if lower.ends_with('_') {
        lower
    } else {
        format!("{lower}_")
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::token::tests::mint;

    const TENANT: &str = "707d0855-80ab-4e1f-a156-f1c4546cbf52";

    fn good_token() -> String {
        mint(
            &serde_json::json!({"sub": TENANT, "server_url": "https://cloud.example/", "exp": 1711843200}),
        )
    }

    fn load(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn reads_tenant_and_url_from_the_token() {
        let token = good_token();
        let config = load(&[(TOKEN_VAR, &token)]).unwrap();
        assert_eq!(config.tenant_id.to_string(), TENANT);
        assert_eq!(config.server_url.as_str(), "https://cloud.example/");
        assert_eq!(config.server_url_source, Source::Token);
        assert!(config.read_only);
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert!(config.token_expired(jiff::Timestamp::from_second(1711843200).unwrap()));
        assert!(!config.token_expired(jiff::Timestamp::from_second(1711843199).unwrap()));
    }

    #[test]
    fn overrides_and_aliases_win_over_the_token() {
        let token = good_token();
        let other = "11111111-2222-3333-4444-555555555555";
        let config = load(&[
            (TOKEN_VAR, &token),
            (SERVER_URL_ALIAS, "http://127.0.0.1:8080/base/"),
            (TENANT_VAR, other),
            (NAMESPACE_VAR, "Staging"),
            (READ_ONLY_VAR, "OFF"),
            (TIMEOUT_VAR, "5"),
        ])
        .unwrap();
        assert_eq!(config.server_url.as_str(), "http://127.0.0.1:8080/base");
        assert_eq!(config.server_url_source, Source::Variable(SERVER_URL_ALIAS));
        assert_eq!(config.tenant_id.to_string(), other);
        assert_eq!(config.namespace.as_deref(), Some("staging_"));
        assert!(!config.read_only);
        assert_eq!(config.timeout, Duration::from_secs(5));
    }

    #[test]
    fn empty_counts_as_unset() {
        let token = good_token();
        let config = load(&[
            (TOKEN_VAR, &token),
            (SERVER_URL_VAR, ""),
            (READ_ONLY_VAR, " "),
        ])
        .unwrap();
        assert_eq!(config.server_url_source, Source::Token);
        assert!(config.read_only);
        assert_eq!(
            load(&[(TOKEN_VAR, "")]).unwrap_err(),
            ConfigError::MissingToken
        );
    }

    #[test]
    fn every_error_names_its_variable_and_never_the_token() {
        let token = good_token();
        let no_claims = mint(&serde_json::json!({"iat": 1}));
        let bad_sub =
            mint(&serde_json::json!({"sub": "tenant-1", "server_url": "https://x.example"}));
        let cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (vec![], TOKEN_VAR),
            (vec![(TOKEN_VAR, "not-a-jwt")], TOKEN_VAR),
            (vec![(TOKEN_VAR, &no_claims)], SERVER_URL_VAR),
            (
                vec![
                    (TOKEN_VAR, &no_claims),
                    (SERVER_URL_VAR, "https://h.example"),
                ],
                TENANT_VAR,
            ),
            (vec![(TOKEN_VAR, &bad_sub)], "`sub` claim"),
            (
                vec![(TOKEN_VAR, &token), (SERVER_URL_VAR, "ftp://h.example")],
                SERVER_URL_VAR,
            ),
            (
                vec![
                    (TOKEN_VAR, &token),
                    (SERVER_URL_VAR, "a"),
                    (SERVER_URL_ALIAS, "b"),
                ],
                SERVER_URL_ALIAS,
            ),
            (
                vec![(TOKEN_VAR, &token), (TENANT_VAR, "a"), (TENANT_ALIAS, "b")],
                TENANT_ALIAS,
            ),
            (
                vec![(TOKEN_VAR, &token), (READ_ONLY_VAR, "maybe")],
                "yes, no, on, off",
            ),
            (vec![(TOKEN_VAR, &token), (TIMEOUT_VAR, "0")], TIMEOUT_VAR),
        ];
        for (vars, expected) in cases {
            let message = load(&vars).unwrap_err().to_string();
            assert!(
                message.contains(expected),
                "{message:?} should mention {expected}"
            );
            assert!(!message.contains('\n'), "one line: {message:?}");
            assert!(!message.contains(&token) && !message.contains(&no_claims));
        }
    }

    #[test]
    fn secret_never_prints_and_redacts_its_segments() {
        let token = good_token();
        let secret = Secret::new(token.clone());
        assert_eq!(
            format!("{secret} {secret:?}"),
            "[REDACTED] Secret([REDACTED])"
        );
        let signature = token.rsplit('.').next().unwrap();
        let echoed = format!("bad header: Bearer {token}; sig={signature}");
        let redacted = secret.redact(&echoed);
        assert!(
            !redacted.contains(signature) && !redacted.contains(&token),
            "{redacted}"
        );
        assert_eq!(secret.redact("nothing here"), "nothing here");
    }
}
