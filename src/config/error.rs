//! What can be wrong with the configuration: one line each, naming the variable, what was
//! wrong and what would be accepted.

use super::{HARD_MAX_RESULT_BYTES, MAX_TIMEOUT_SECS, MIN_MAX_RESULT_BYTES, vars::*};
use crate::token::TokenError;

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
    #[error(
        "{SERVER_URL_VAR} is not set: team mode (serve --http) sends each caller's token only to the Hatchet it names, so set it to the engine's REST URL, such as https://hatchet.example.com"
    )]
    TeamNeedsServerUrl,
    #[error(
        "{TOKEN_VAR} is set, but in team mode (serve --http) each caller brings their own token and the server holds none: unset it, or set {HTTP_SHARED_TOKEN_VAR}=true to serve every caller with this one token (anyone who reaches the server then acts with its rights)"
    )]
    TokenInTeamMode,
    #[error(
        "{HTTP_SHARED_TOKEN_VAR}=true, but {TOKEN_VAR} is not set: set it to the token to share, or unset {HTTP_SHARED_TOKEN_VAR}"
    )]
    SharedTokenMissing,
    #[error(
        "{0} is set, but in team mode each caller's token names its tenant: unset it, and list the tenants to serve in {HTTP_TENANTS_VAR}"
    )]
    TenantInTeamMode(&'static str),
    #[error(
        "{WORKFLOW_TOOLS_VAR} is not available in team mode (serve --http): each caller's tenant has its own workflows; unset it"
    )]
    WorkflowToolsInTeamMode,
    /// A team-mode variable whose value is not usable; `problem` already quotes it safely.
    #[error("{var} {problem}")]
    BadTeamSetting { var: &'static str, problem: String },
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
