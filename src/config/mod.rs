//! Configuration: the environment, read once at start, into a [`Config`].
//!
//! Every problem is a [`ConfigError`] whose message is one line that names the variable,
//! says what was wrong and what would be accepted, and never contains the token.

mod error;
mod parse;
pub mod team;
mod vars;

use std::{ffi::OsString, fmt, time::Duration};

use reqwest::Url;
use uuid::Uuid;

pub use crate::redact::Secret;
use crate::redact::safe_echo;
use crate::{
    token::{self, TokenCleanup, clean_token},
    toolsets::{Toolsets, WorkflowToolsSpec},
};
pub use error::ConfigError;
use parse::{UrlProblem, aliased, normalise_namespace, origin_name, parse_bool, parse_server_url};
pub use vars::*;

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
    /// The mode and limits, which do not depend on the token.
    pub policy: Policy,
    pub token_expires_at: Option<jiff::Timestamp>,
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

    pub(crate) fn from_os_lookup(
        lookup: impl Fn(&str) -> Option<OsString>,
    ) -> Result<Self, ConfigError> {
        // A variable that is set but not UTF-8 is refused rather than skipped: skipping it
        // would quietly send the token to the token's own server, or use its own tenant.
        let get = getter(lookup);

        let raw_token = get(TOKEN_VAR)?.ok_or(ConfigError::MissingToken)?;
        let (token, token_cleanup) = clean_token(&raw_token);
        if token.is_empty() {
            return Err(ConfigError::MissingToken);
        }
        if token.starts_with('$') {
            return Err(ConfigError::UnexpandedToken(safe_echo(&token, None)));
        }
        let claims = token::decode_claims(&token).map_err(ConfigError::BadToken)?;
        let echo = |value: &str| safe_echo(value, Some(&token));

        let (server_url, server_url_source, server_url_suffix_removed) =
            read_server_url(&get, claims.server_url, Some(&token))?;

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

        let policy = Policy::read(&get, Some(&token))?;

        Ok(Config {
            token: Secret::new(token),
            token_cleanup,
            server_url,
            server_url_source,
            server_url_suffix_removed,
            tenant_id,
            tenant_source,
            policy,
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

/// The REST base URL: [`SERVER_URL_VAR`] (or its alias), else the token's `server_url`
/// claim when there is a token; with where it came from and the suffix removed from it.
pub(crate) fn read_server_url(
    get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
    claim: Option<String>,
    token: Option<&str>,
) -> Result<(Url, Source, Option<&'static str>), ConfigError> {
    let (text, source) = match aliased(get, SERVER_URL_VAR, SERVER_URL_ALIAS)? {
        Some((value, var)) => (value, Source::Variable(var)),
        None => {
            let missing = match token {
                Some(_) => ConfigError::MissingClaim {
                    claim: "server_url",
                    var: SERVER_URL_VAR,
                },
                None => ConfigError::TeamNeedsServerUrl,
            };
            let claim = claim.filter(|v| !v.trim().is_empty()).ok_or(missing)?;
            (claim, Source::Token)
        }
    };
    let origin = origin_name(&source, "server_url");
    match parse_server_url(&text) {
        Ok((url, removed)) => Ok((url, source, removed)),
        Err(UrlProblem::UserInfo) => Err(ConfigError::UserInfoInUrl { origin }),
        Err(UrlProblem::Invalid) => {
            // An unparsable URL may still hold `user:password@`: never echo that.
            let value = if text.contains('@') {
                "(value not shown: it may hold a password)".to_owned()
            } else {
                safe_echo(&text, token)
            };
            Err(ConfigError::BadServerUrl { origin, value })
        }
    }
}

/// The settings a server runs under whatever its token: the mode, namespace, deadline,
/// result ceiling, toolsets and typed workflow tools. On stdio they are part of [`Config`];
/// in team mode ([`team`]) they are the operator's ceiling over every caller.
#[derive(Debug, Clone)]
pub struct Policy {
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
}

/// A lookup that refuses a variable set to text that is not UTF-8, and reads one set to
/// white space as unset.
pub(crate) fn getter(
    lookup: impl Fn(&str) -> Option<OsString>,
) -> impl Fn(&'static str) -> Result<Option<String>, ConfigError> {
    move |name| {
        let Some(value) = lookup(name) else {
            return Ok(None);
        };
        let value = value
            .into_string()
            .map_err(|_| ConfigError::NotUnicode(name))?;
        let value = value.trim();
        Ok((!value.is_empty()).then(|| value.to_owned()))
    }
}

impl Policy {
    /// Reads the policy's variables; `token`, when the process holds one, is never echoed.
    pub(crate) fn read(
        get: &impl Fn(&'static str) -> Result<Option<String>, ConfigError>,
        token: Option<&str>,
    ) -> Result<Self, ConfigError> {
        let echo = |value: &str| safe_echo(value, token);
        // A message that quotes parts of a value says nothing of one that looks like a token.
        let unless_token = |message: String, value: &str| {
            if echo(value).starts_with("(value not shown") {
                "is not usable (value not shown: it looks like a token)".to_owned()
            } else {
                message
            }
        };

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

        Ok(Policy {
            read_only,
            namespace: get(NAMESPACE_VAR)?.map(|ns| normalise_namespace(&ns)),
            timeout,
            max_result_bytes,
            toolsets,
            workflow_tools,
        })
    }
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

#[cfg(test)]
mod tests;
