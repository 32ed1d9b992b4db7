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
pub const HTTP_ADDR_VAR: &str = "HATCHET_MCP_HTTP_ADDR";
pub const HTTP_SHARED_TOKEN_VAR: &str = "HATCHET_MCP_HTTP_SHARED_TOKEN";
pub const HTTP_TENANTS_VAR: &str = "HATCHET_MCP_HTTP_TENANTS";
pub const HTTP_ALLOWED_ORIGINS_VAR: &str = "HATCHET_MCP_HTTP_ALLOWED_ORIGINS";
pub const HTTP_ALLOWED_HOSTS_VAR: &str = "HATCHET_MCP_HTTP_ALLOWED_HOSTS";
pub const HTTP_MAX_CALLS_VAR: &str = "HATCHET_MCP_HTTP_MAX_CALLS";
pub const HTTP_MAX_CALLS_PER_CALLER_VAR: &str = "HATCHET_MCP_HTTP_MAX_CALLS_PER_CALLER";
pub const HTTP_HEADER_TIMEOUT_VAR: &str = "HATCHET_MCP_HTTP_HEADER_TIMEOUT_SECS";
pub const HTTP_DRAIN_VAR: &str = "HATCHET_MCP_HTTP_DRAIN_SECS";

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

/// The variables team mode (`serve --http`) reads besides [`VARIABLES`] (where the token
/// is then refused and the server URL required), for `--help` and the docs.
pub const TEAM_VARIABLES: &[(&str, &str)] = &[
    (
        HTTP_ADDR_VAR,
        "team mode: the address `serve` listens on over HTTP, as --http ADDR (e.g. 0.0.0.0:8080)",
    ),
    (
        HTTP_TENANTS_VAR,
        "team mode: the tenant UUIDs whose callers are served (comma list; default any)",
    ),
    (
        HTTP_ALLOWED_ORIGINS_VAR,
        "team mode: browser origins allowed to call, e.g. https://app.example.com (default none)",
    ),
    (
        HTTP_ALLOWED_HOSTS_VAR,
        "team mode: Host values accepted (comma list, or *; default loopback names on loopback, any elsewhere)",
    ),
    (
        HTTP_MAX_CALLS_VAR,
        "team mode: requests served at once, in total (default 256)",
    ),
    (
        HTTP_MAX_CALLS_PER_CALLER_VAR,
        "team mode: requests served at once per caller's token (default 16)",
    ),
    (
        HTTP_HEADER_TIMEOUT_VAR,
        "team mode: seconds a client may take to send a request's headers and body (default 10)",
    ),
    (
        HTTP_DRAIN_VAR,
        "team mode: seconds calls in flight get to finish after SIGTERM (default 25)",
    ),
    (
        HTTP_SHARED_TOKEN_VAR,
        "team mode: true serves every caller with HATCHET_CLIENT_TOKEN's rights, unauthenticated (default false)",
    ),
];
