//! Configuration: the environment, read once at start, into a [`Config`].
//!
//! Every problem is a [`ConfigError`] whose message is one line that names the variable,
//! says what was wrong and what would be accepted, and never contains the token.

use std::{borrow::Cow, collections::HashSet, ffi::OsString, fmt, time::Duration};

use reqwest::Url;
use uuid::Uuid;

use crate::token::{self, TokenError};

pub const TOKEN_VAR: &str = "HATCHET_CLIENT_TOKEN";
pub const SERVER_URL_VAR: &str = "HATCHET_CLIENT_SERVER_URL";
pub const SERVER_URL_ALIAS: &str = "HATCHET_API_BASE";
pub const TENANT_VAR: &str = "HATCHET_CLIENT_TENANT_ID";
pub const TENANT_ALIAS: &str = "HATCHET_TENANT_ID";
pub const READ_ONLY_VAR: &str = "HATCHET_MCP_READ_ONLY";
pub const NAMESPACE_VAR: &str = "HATCHET_CLIENT_NAMESPACE";
pub const TIMEOUT_VAR: &str = "HATCHET_MCP_TIMEOUT_SECS";
pub const MAX_RESULT_VAR: &str = "HATCHET_MCP_MAX_RESULT_BYTES";
pub const TOOLSETS_VAR: &str = "HATCHET_MCP_TOOLSETS";
pub const WORKFLOW_TOOLS_VAR: &str = "HATCHET_MCP_WORKFLOW_TOOLS";
pub const LOG_VAR: &str = "RUST_LOG";

/// The log filter when RUST_LOG is unset: `audit=info` keeps the audit line of every
/// mutating call, so a filter copied from the docs must keep it too.
pub const DEFAULT_LOG_FILTER: &str = "warn,hatchet_mcp=info,audit=info";

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
        "deadline for one tool call (its requests and its work on the answers), in seconds (default 30)",
    ),
    (
        MAX_RESULT_VAR,
        "largest tool result in bytes before lists are cut to the rows that fit (default 80000)",
    ),
    (
        TOOLSETS_VAR,
        "groups of tools to register: default (unset), all, or a comma list such as runs,tasks",
    ),
    (
        WORKFLOW_TOOLS_VAR,
        "read-write only: a typed run_<workflow> tool per named workflow (comma list, or * for up to 50)",
    ),
];

pub use crate::redact::Secret;
use crate::toolsets::{Toolsets, WorkflowToolsSpec};

/// No tool result is larger than this, whatever the configuration.
pub const HARD_MAX_RESULT_BYTES: usize = 500_000;

/// The default soft ceiling on a tool result (`HATCHET_MCP_MAX_RESULT_BYTES`): well under
/// what MCP clients accept from one tool call (Claude Code's default is 25,000 tokens,
/// about 100 KB of JSON).
pub const DEFAULT_MAX_RESULT_BYTES: usize = 80_000;

/// The smallest soft ceiling that still leaves room for one summary row.
pub const MIN_MAX_RESULT_BYTES: usize = 4_000;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_TIMEOUT_SECS: u64 = 600;
/// The most of a value any error message quotes.
pub const MAX_ECHO_CHARS: usize = 60;

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
    /// What was removed from around the token as it was read.
    pub token_cleanup: TokenCleanup,
    /// REST base URL, without a trailing slash.
    pub server_url: Url,
    pub server_url_source: Source,
    /// The `/api` or `/api/v1` removed from the end of the URL as given, if any.
    pub server_url_suffix_removed: Option<&'static str>,
    pub tenant_id: Uuid,
    pub tenant_source: Source,
    pub read_only: bool,
    /// Already normalised: lower-case, ending in `_`.
    pub namespace: Option<String>,
    pub timeout: Duration,
    /// The soft ceiling on a tool result's size (the answers are cut to it when shaped).
    pub max_result_bytes: usize,
    /// Which groups of tools are registered (`HATCHET_MCP_TOOLSETS`).
    pub toolsets: Toolsets,
    /// Which workflows get a typed tool (`HATCHET_MCP_WORKFLOW_TOOLS`; read-write only).
    pub workflow_tools: Option<WorkflowToolsSpec>,
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
    /// A `${NAME}` the MCP client was to expand (say, from a Claude Code entry that
    /// `hatchet-mcp install` wrote) came through as it is.
    #[error(
        "{TOKEN_VAR} is {0}, a reference your MCP client did not expand: set {TOKEN_VAR} to the token in the environment the client starts from, or put the token itself in the client's configuration"
    )]
    UnexpandedToken(String),
    #[error("{TOKEN_VAR} has no `{claim}` claim: set {var} to supply it")]
    MissingClaim {
        claim: &'static str,
        var: &'static str,
    },
    #[error("{0} is set but is not valid UTF-8: set it to plain text, or unset it")]
    NotUnicode(&'static str),
    // `value` fields hold what [`safe_echo`] made of the input: quoted and cut, or withheld.
    #[error("{origin} is not a tenant UUID (got {value}): set {TENANT_VAR} to the tenant's UUID")]
    BadTenant { origin: String, value: String },
    #[error(
        "{origin} is not an http(s) URL (got {value}): set {SERVER_URL_VAR} to a URL such as https://hatchet.example.com"
    )]
    BadServerUrl { origin: String, value: String },
    #[error(
        "{origin} holds a user name or password (user:password@host), which is refused: remove it; Hatchet takes only the token in {TOKEN_VAR}"
    )]
    UserInfoInUrl { origin: String },
    #[error("{primary} and {alias} are both set, to different values: set only one of them")]
    ConflictingAliases {
        primary: &'static str,
        alias: &'static str,
    },
    #[error(
        "{READ_ONLY_VAR} must be one of true, false, 1, 0, yes, no, on, off (any case), got {0}"
    )]
    BadReadOnly(String),
    #[error(
        "{TIMEOUT_VAR} must be a whole number of seconds from 1 to {MAX_TIMEOUT_SECS}, got {0}"
    )]
    BadTimeout(String),
    #[error(
        "{MAX_RESULT_VAR} must be a whole number of bytes from {MIN_MAX_RESULT_BYTES} to {HARD_MAX_RESULT_BYTES}, got {0}"
    )]
    BadMaxResult(String),
    /// Already says what was wrong and lists the valid names.
    #[error("{TOOLSETS_VAR} {0}")]
    BadToolsets(String),
    #[error("{WORKFLOW_TOOLS_VAR} {0}")]
    BadWorkflowTools(String),
    #[error(
        "{WORKFLOW_TOOLS_VAR} is set, but the server is read-only: its tools run workflows, which changes live state. Set {READ_ONLY_VAR}=false, or unset {WORKFLOW_TOOLS_VAR}"
    )]
    WorkflowToolsNeedReadWrite,
    #[error(
        "{LOG_VAR} is not a log filter ({0}): use directives such as {DEFAULT_LOG_FILTER} (the default), or unset it"
    )]
    BadLogFilter(String),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_os_lookup(|name| std::env::var_os(name))
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process env.
    /// A variable set to the empty string (or only white space) counts as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        Self::from_os_lookup(|name| lookup(name).map(OsString::from))
    }

    fn from_os_lookup(lookup: impl Fn(&str) -> Option<OsString>) -> Result<Self, ConfigError> {
        // A variable that is set but not UTF-8 is refused rather than skipped: skipping it
        // would quietly send the token to the token's own server, or use its own tenant.
        let get = |name: &'static str| -> Result<Option<String>, ConfigError> {
            let Some(value) = lookup(name) else {
                return Ok(None);
            };
            let value = value
                .into_string()
                .map_err(|_| ConfigError::NotUnicode(name))?;
            let value = value.trim();
            Ok((!value.is_empty()).then(|| value.to_owned()))
        };

        let raw_token = get(TOKEN_VAR)?.ok_or(ConfigError::MissingToken)?;
        let (token, token_cleanup) = clean_token(&raw_token);
        if token.is_empty() {
            return Err(ConfigError::MissingToken);
        }
        if token.starts_with('$') {
            return Err(ConfigError::UnexpandedToken(safe_echo(&token, None)));
        }
        let claims = token::decode_claims(&token).map_err(ConfigError::BadToken)?;
        let echo = |value: &str| safe_echo(value, Some(&raw_token));
        // A message that quotes parts of a value says nothing of one that looks like a token.
        let unless_token = |message: String, value: &str| {
            if echo(value).starts_with("(value not shown") {
                "is not usable (value not shown: it looks like a token)".to_owned()
            } else {
                message
            }
        };

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
        let origin = origin_name(&server_url_source, "server_url");
        let (server_url, server_url_suffix_removed) = match parse_server_url(&server_url_text) {
            Ok(parsed) => parsed,
            Err(UrlProblem::UserInfo) => return Err(ConfigError::UserInfoInUrl { origin }),
            Err(UrlProblem::Invalid) => {
                // An unparsable URL may still hold `user:password@`: never echo that.
                let value = if server_url_text.contains('@') {
                    "(value not shown: it may hold a password)".to_owned()
                } else {
                    echo(&server_url_text)
                };
                return Err(ConfigError::BadServerUrl { origin, value });
            }
        };

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
            value: echo(&tenant_text),
        })?;

        let read_only = match get(READ_ONLY_VAR)? {
            None => true,
            Some(value) => {
                parse_bool(&value).ok_or_else(|| ConfigError::BadReadOnly(echo(&value)))?
            }
        };

        let timeout = match get(TIMEOUT_VAR)? {
            None => DEFAULT_TIMEOUT,
            Some(value) => match value.parse::<u64>() {
                Ok(secs) if (1..=MAX_TIMEOUT_SECS).contains(&secs) => Duration::from_secs(secs),
                _ => return Err(ConfigError::BadTimeout(echo(&value))),
            },
        };

        let max_result_bytes = match get(MAX_RESULT_VAR)? {
            None => DEFAULT_MAX_RESULT_BYTES,
            Some(value) => match value.parse::<usize>() {
                Ok(bytes) if (MIN_MAX_RESULT_BYTES..=HARD_MAX_RESULT_BYTES).contains(&bytes) => {
                    bytes
                }
                _ => return Err(ConfigError::BadMaxResult(echo(&value))),
            },
        };

        let toolsets = match get(TOOLSETS_VAR)? {
            None => Toolsets::default(),
            Some(value) => Toolsets::parse(&value)
                .map_err(|e| ConfigError::BadToolsets(unless_token(e, &value)))?,
        };

        let workflow_tools = match get(WORKFLOW_TOOLS_VAR)? {
            None => None,
            Some(_) if read_only => return Err(ConfigError::WorkflowToolsNeedReadWrite),
            Some(value) => Some(
                WorkflowToolsSpec::parse(&value)
                    .map_err(|e| ConfigError::BadWorkflowTools(unless_token(e, &value)))?,
            ),
        };

        Ok(Config {
            token: Secret::new(token),
            token_cleanup,
            server_url,
            server_url_source,
            server_url_suffix_removed,
            tenant_id,
            tenant_source,
            read_only,
            namespace: get(NAMESPACE_VAR)?.map(|ns| normalise_namespace(&ns)),
            timeout,
            max_result_bytes,
            toolsets,
            workflow_tools,
            token_expires_at: claims
                .exp
                .and_then(|s| jiff::Timestamp::from_second(s).ok()),
        })
    }

    /// Whether the token's `exp` claim lies before `now`.
    pub fn token_expired(&self, now: jiff::Timestamp) -> bool {
        self.token_expires_at.is_some_and(|exp| exp <= now)
    }

    /// What was changed in the values as given, one sentence each, for `check` and the
    /// start log: the variable should be fixed even though the server copes.
    pub fn adjustments(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if let Some(removed) = self.token_cleanup.describe() {
            notes.push(format!("{TOKEN_VAR}: {removed}; set it to the bare token"));
        }
        if let Some(suffix) = self.server_url_suffix_removed {
            notes.push(format!(
                "{} ended in {suffix}, which was removed: every request adds /api/v1 itself",
                origin_name(&self.server_url_source, "server_url")
            ));
        }
        notes
    }
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

/// What an error message may show of a value the user gave: the value, quoted and cut to
/// [`MAX_ECHO_CHARS`], unless it looks like a token (a JWT, base64url JSON, or any
/// 12-character piece of the configured `token`), which is withheld.
pub fn safe_echo(value: &str, token: Option<&str>) -> String {
    if looks_like_token(value) || contains_piece_of(value, token) {
        return "(value not shown: it looks like a token)".to_owned();
    }
    format!("{:?}", cut(value, MAX_ECHO_CHARS))
}

/// `text` cut to at most `max` characters, an ellipsis marking the cut.
pub fn cut(text: &str, max: usize) -> Cow<'_, str> {
    match text.char_indices().nth(max) {
        None => Cow::Borrowed(text),
        Some(_) => {
            let keep: String = text.chars().take(max.saturating_sub(1)).collect();
            Cow::Owned(keep + "…")
        }
    }
}

fn looks_like_token(value: &str) -> bool {
    let base64url = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    // `eyJ` is base64 for `{"`: a JWT's header or claims segment.
    let json_segment = value
        .split(|c: char| !base64url(c))
        .any(|run| run.len() >= 16 && run.starts_with("eyJ"));
    // Three long base64url segments in a row, separated by dots: a JWT of any header.
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

fn contains_piece_of(value: &str, token: Option<&str>) -> bool {
    const PIECE: usize = 12;
    let Some(token) = token.map(str::trim).filter(|t| !t.is_empty()) else {
        return false;
    };
    if token.len() < PIECE {
        return value.contains(token);
    }
    let pieces: HashSet<&[u8]> = token.as_bytes().windows(PIECE).collect();
    value.as_bytes().windows(PIECE).any(|w| pieces.contains(w))
}

/// The log filter for stderr: RUST_LOG if set (the empty string counts as unset), else
/// [`DEFAULT_LOG_FILTER`]. A filter that cannot be used is an error, not a silent default.
pub fn log_filter(value: Option<OsString>) -> Result<tracing_subscriber::EnvFilter, ConfigError> {
    let text = match value {
        None => None,
        Some(value) => Some(
            value
                .into_string()
                .map_err(|_| ConfigError::NotUnicode(LOG_VAR))?,
        ),
    };
    let text = text.as_deref().map(str::trim).filter(|t| !t.is_empty());
    // The parser's message may quote the filter: it gets the same care as any echoed value.
    tracing_subscriber::EnvFilter::try_new(text.unwrap_or(DEFAULT_LOG_FILTER))
        .map_err(|error| ConfigError::BadLogFilter(safe_echo(&error.to_string(), None)))
}

/// Reads a variable that has an alias; both set to different values is an error.
fn aliased(
    get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    primary: &'static str,
    alias: &'static str,
) -> Result<Option<(String, &'static str)>, ConfigError> {
    match (get(primary)?, get(alias)?) {
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

enum UrlProblem {
    Invalid,
    UserInfo,
}

/// Parses a REST base URL. A trailing `/api` or `/api/v1` is removed (and returned), since
/// every request path starts with `/api/v1` and keeping it would request `/api/api/v1/...`.
fn parse_server_url(text: &str) -> Result<(Url, Option<&'static str>), UrlProblem> {
    let mut url = Url::parse(text).map_err(|_| UrlProblem::Invalid)?;
    // Credentials in the URL would be echoed by `check`, the logs and the MCP instructions.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(UrlProblem::UserInfo);
    }
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(UrlProblem::Invalid);
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(UrlProblem::Invalid);
    }
    // Paths are appended segment by segment later; a trailing slash would leave an empty one.
    let mut segments: Vec<&str> = url.path().split('/').skip(1).collect();
    while segments.last() == Some(&"") {
        segments.pop();
    }
    let is = |segment: &str, name: &str| segment.eq_ignore_ascii_case(name);
    let (keep, removed) = match segments.as_slice() {
        [rest @ .., api, v1] if is(api, "api") && is(v1, "v1") => (rest.len(), Some("/api/v1")),
        [rest @ .., api] if is(api, "api") => (rest.len(), Some("/api")),
        _ => (segments.len(), None),
    };
    let path = format!("/{}", segments[..keep].join("/"));
    url.set_path(&path);
    Ok((url, removed))
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
            (
                vec![(TOKEN_VAR, &token), (MAX_RESULT_VAR, "100")],
                "HATCHET_MCP_MAX_RESULT_BYTES must be a whole number of bytes from 4000 to 500000",
            ),
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
    fn bearer_and_quotes_are_stripped_from_the_token_and_recorded() {
        let token = good_token();
        let cases = [
            (format!("Bearer {token}"), true, false),
            (format!("  bEaReR\t{token}\n"), true, false),
            (format!("\"{token}\""), false, true),
            (format!("'Bearer {token}'"), true, true),
            (format!("Bearer \"{token}\""), true, true),
            (token.clone(), false, false),
        ];
        for (given, bearer, quotes) in cases {
            let config = load(&[(TOKEN_VAR, &given)]).unwrap();
            assert_eq!(config.token.expose(), token, "from {given:?}");
            assert_eq!(config.token_cleanup, TokenCleanup { bearer, quotes });
            let noted = config
                .adjustments()
                .iter()
                .any(|n| n.starts_with(TOKEN_VAR));
            assert_eq!(noted, bearer || quotes, "{given:?}");
        }
        // A reference the client did not expand is named as such.
        let error = load(&[(TOKEN_VAR, "${HATCHET_CLIENT_TOKEN}")]).unwrap_err();
        assert!(
            error.to_string().starts_with(
                "HATCHET_CLIENT_TOKEN is \"${HATCHET_CLIENT_TOKEN}\", a reference your MCP client did not expand"
            ),
            "{error}"
        );
        // `Bearer` glued to the rest is not an auth scheme: it is left alone.
        let glued = load(&[(TOKEN_VAR, &format!("Bearer{token}"))]).unwrap();
        assert_eq!(glued.token.expose(), format!("Bearer{token}"));
        assert_eq!(glued.token_cleanup, TokenCleanup::default());
        assert_eq!(
            load(&[(TOKEN_VAR, "'\"\"'")]).unwrap_err(),
            ConfigError::MissingToken
        );
    }

    #[test]
    fn a_trailing_api_or_api_v1_is_removed_from_the_server_url_and_recorded() {
        let token = good_token();
        for (given, expected, removed) in [
            (
                "http://127.0.0.1:8080/api",
                "http://127.0.0.1:8080/",
                Some("/api"),
            ),
            (
                "http://127.0.0.1:8080/api/",
                "http://127.0.0.1:8080/",
                Some("/api"),
            ),
            (
                "http://127.0.0.1:8080/api/v1",
                "http://127.0.0.1:8080/",
                Some("/api/v1"),
            ),
            (
                "http://127.0.0.1:8080/API/V1/",
                "http://127.0.0.1:8080/",
                Some("/api/v1"),
            ),
            (
                "http://h.example/base/api/v1//",
                "http://h.example/base",
                Some("/api/v1"),
            ),
            ("http://h.example/v1", "http://h.example/v1", None),
            ("http://h.example/apis", "http://h.example/apis", None),
        ] {
            let config = load(&[(TOKEN_VAR, &token), (SERVER_URL_VAR, given)]).unwrap();
            assert_eq!(config.server_url.as_str(), expected, "from {given}");
            assert_eq!(config.server_url_suffix_removed, removed, "from {given}");
            let notes = config.adjustments();
            assert_eq!(notes.len(), usize::from(removed.is_some()), "{notes:?}");
            assert!(
                notes.iter().all(|n| n.starts_with(SERVER_URL_VAR)),
                "{notes:?}"
            );
        }
        let from_claim =
            mint(&serde_json::json!({"sub": TENANT, "server_url": "https://cloud.example/api/"}));
        let config = load(&[(TOKEN_VAR, &from_claim)]).unwrap();
        assert_eq!(config.server_url.as_str(), "https://cloud.example/");
        assert_eq!(
            config.adjustments(),
            [
                "the token's `server_url` claim ended in /api, which was removed: every request adds /api/v1 itself"
            ]
        );
    }

    #[test]
    fn credentials_in_the_server_url_are_refused_and_never_echoed() {
        let token = good_token();
        for url in [
            "http://user:pa55word@127.0.0.1:8080",
            "https://pa55word@h.example/base",
            "http://:pa55word@h.example",
            "user:pa55word@h.example",
            "http://user:pa55word@h.example:99999",
        ] {
            let message = load(&[(TOKEN_VAR, &token), (SERVER_URL_ALIAS, url)])
                .unwrap_err()
                .to_string();
            assert!(message.contains(SERVER_URL_ALIAS), "{message}");
            assert!(!message.contains("pa55word"), "{message}");
        }
        let claim = mint(
            &serde_json::json!({"sub": TENANT, "server_url": "https://u:pa55word@cloud.example"}),
        );
        let error = load(&[(TOKEN_VAR, &claim)]).unwrap_err();
        assert_eq!(
            error,
            ConfigError::UserInfoInUrl {
                origin: "the token's `server_url` claim".into()
            }
        );
        assert!(!error.to_string().contains("pa55word"));
    }

    #[test]
    fn a_variable_that_is_set_but_not_utf8_is_refused_by_name() {
        use std::os::unix::ffi::OsStringExt;
        let token = good_token();
        for var in [
            SERVER_URL_VAR,
            TENANT_ALIAS,
            READ_ONLY_VAR,
            NAMESPACE_VAR,
            TOKEN_VAR,
        ] {
            let error = Config::from_os_lookup(|name| match name {
                name if name == var => Some(OsString::from_vec(b"http://h.example/\xff".to_vec())),
                TOKEN_VAR => Some(OsString::from(token.clone())),
                _ => None,
            })
            .unwrap_err();
            assert_eq!(error, ConfigError::NotUnicode(var));
            assert!(error.to_string().starts_with(var), "{error}");
        }
    }

    #[test]
    fn values_that_look_like_a_token_are_never_echoed_and_others_are_cut() {
        let token = good_token();
        let other_jwt = mint(&serde_json::json!({"sub": "someone else"}));
        let signature = token.rsplit('.').next().unwrap();
        let piece = &token[20..32];
        for (var, value) in [
            (TENANT_VAR, token.as_str()),
            (TENANT_VAR, other_jwt.as_str()),
            (TENANT_ALIAS, &format!("tenant={signature}")),
            (READ_ONLY_VAR, piece),
            (TIMEOUT_VAR, &format!("Bearer {token}")),
            (SERVER_URL_VAR, token.as_str()),
            (
                SERVER_URL_VAR,
                "AAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBBBBBB.CCCCCCCCCCCCCCCCCCCC",
            ),
        ] {
            let message = load(&[(TOKEN_VAR, &token), (var, value)])
                .unwrap_err()
                .to_string();
            assert!(
                message.contains("(value not shown: it looks like a token)"),
                "{message}"
            );
            assert!(
                !message.contains(piece) && !message.contains(value),
                "{message}"
            );
        }
        let long = "x".repeat(500);
        let message = load(&[(TOKEN_VAR, &token), (TENANT_VAR, &long)])
            .unwrap_err()
            .to_string();
        assert!(message.contains(&format!("\"{}…\"", "x".repeat(MAX_ECHO_CHARS - 1))));
        assert!(message.len() < 200, "{message}");
        // Ordinary values, host names with dots included, are still shown.
        let message = load(&[
            (TOKEN_VAR, &token),
            (SERVER_URL_VAR, "ftp://hatchet.internal.example.com"),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            message.contains("\"ftp://hatchet.internal.example.com\""),
            "{message}"
        );
    }

    #[test]
    fn the_log_filter_defaults_keeps_audit_lines_and_refuses_what_it_cannot_use() {
        use std::os::unix::ffi::OsStringExt;
        assert!(DEFAULT_LOG_FILTER.contains("audit=info"));
        let default = log_filter(None).unwrap().to_string();
        assert_eq!(log_filter(Some(" ".into())).unwrap().to_string(), default);
        assert!(default.contains("audit=info"), "{default}");
        assert!(log_filter(Some("debug".into())).is_ok());
        assert!(matches!(
            log_filter(Some("hatchet_mcp=loudest".into())),
            Err(ConfigError::BadLogFilter(_))
        ));
        assert_eq!(
            log_filter(Some(OsString::from_vec(vec![b'd', 0xff]))).unwrap_err(),
            ConfigError::NotUnicode(LOG_VAR)
        );
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
