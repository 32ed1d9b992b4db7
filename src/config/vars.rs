//! The variables the server reads, by name, with what each means (for `--help` and the
//! docs).

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
