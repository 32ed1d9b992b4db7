//! `hatchet-mcp check`: one screen that tells a person setting the server up whether it
//! works, and what to fix if not. Prints to stdout (it is not the MCP server); never
//! prints the token.

use std::fmt::Write as _;

use crate::{
    config::{self, Config},
    hatchet::{ApiError, Client, ErrorKind},
    mcp::tools,
};

/// What `check` found, as the text to print and the process exit code.
pub struct Report {
    pub text: String,
    pub exit_code: u8,
}

/// Exit codes: 0 ready; 1 not ready (the live read failed, or the token has expired);
/// 2 the configuration is invalid.
pub async fn run(config: Result<Config, config::ConfigError>) -> Report {
    let mut text = String::from("hatchet-mcp check\n");
    let config = match config {
        Ok(config) => config,
        Err(error) => {
            let _ = writeln!(text, "  configuration  INVALID: {error}");
            return Report { text, exit_code: 2 };
        }
    };
    let now = jiff::Timestamp::now();
    describe(&config, now, &mut text);

    let line = format!("  live read      GET {}", tenant_path(&config));
    let answer = match Client::new(crate::setup::client_options(&config)) {
        Ok(client) => client
            .get_tenant()
            .await
            .map(|tenant| describe_tenant(&client, &tenant)),
        Err(error) => Err(error),
    };
    let read_ok = match answer {
        Ok(tenant) => {
            let _ = writeln!(text, "{line}: ok, {tenant}");
            true
        }
        Err(error) => {
            let _ = writeln!(
                text,
                "{line}: FAILED\n    {error}\n  fix            {}",
                fix_for(&error, &config)
            );
            false
        }
    };
    // Hatchet refuses an expired token, so a read that worked anyway (a skewed clock, a
    // lenient engine) does not make the setup ready.
    if let Some(at) = config
        .token_expires_at
        .filter(|_| config.token_expired(now))
    {
        let _ = writeln!(
            text,
            "\nNot ready: {} expired at {at}. Create a new API token (dashboard: Settings > API Tokens) and set {} to it.",
            config::TOKEN_VAR,
            config::TOKEN_VAR
        );
    } else if read_ok {
        let clients: Vec<&str> = crate::install::Client::ALL
            .iter()
            .map(|client| client.name())
            .collect();
        let _ = writeln!(
            text,
            "\nReady: add it to your MCP client with `hatchet-mcp install <client>` ({}; `hatchet-mcp install --help` says more).",
            clients.join(", ")
        );
    }
    let exit_code = if read_ok && !config.token_expired(now) {
        0
    } else {
        1
    };
    // Whatever the report quotes (Hatchet's errors, the tenant's name), the token is not in it.
    let text = config.token.redact(&text).into_owned();
    Report { text, exit_code }
}

/// The path the live read requests, base path included, exactly as the client builds it.
fn tenant_path(config: &Config) -> String {
    let mut url = config.server_url.clone();
    let tenant = config.tenant_id.to_string();
    if let Ok(mut segments) = url.path_segments_mut() {
        segments
            .pop_if_empty()
            .extend(["api", "v1", "tenants", tenant.as_str()]);
    }
    url.path().to_owned()
}

/// `tenant "Name" (slug s)`, with Hatchet's text made safe to print.
fn describe_tenant(client: &Client, tenant: &serde_json::Value) -> String {
    let field = |name: &str| tenant.get(name).and_then(|v| v.as_str());
    let name = field("name").map_or_else(|| "(unnamed)".to_owned(), |n| printable(client, n));
    let slug = field("slug")
        .map(|s| format!(" (slug {})", printable(client, s)))
        .unwrap_or_default();
    format!("tenant \"{name}\"{slug}")
}

/// Text from Hatchet, for a terminal: the token redacted, control characters (escape
/// sequences, line breaks) dropped, and the length bounded.
fn printable(client: &Client, text: &str) -> String {
    const MAX_CHARS: usize = 80;
    let visible: String = client
        .redact(text)
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    crate::text::cut(&visible, MAX_CHARS)
}

fn describe(config: &Config, now: jiff::Timestamp, text: &mut String) {
    let expiry = match config.token_expires_at {
        Some(at) if at <= now => format!("EXPIRED at {at}: create a new API token"),
        Some(at) => format!(
            "valid until {at} ({} days left)",
            (at - now).get_seconds() / 86_400
        ),
        None => "no expiry claim".to_owned(),
    };
    let tool_count = tools::selected(&config.policy.toolsets, config.policy.read_only).len();
    let mode = if config.policy.read_only {
        format!(
            "read-only ({tool_count} tools; HATCHET_MCP_READ_ONLY=false adds the mutating ones)"
        )
    } else {
        format!("read-write ({tool_count} tools, mutating ones included)")
    };
    let _ = writeln!(
        text,
        "  tenant         {} ({})",
        config.tenant_id, config.tenant_source
    );
    let _ = writeln!(
        text,
        "  server URL     {} ({})",
        config.server_url, config.server_url_source
    );
    let _ = writeln!(text, "  token          {expiry}");
    let _ = writeln!(text, "  mode           {mode}");
    let _ = writeln!(text, "  toolsets       {}", config.policy.toolsets);
    if let Some(namespace) = &config.policy.namespace {
        let _ = writeln!(text, "  namespace      {namespace}");
    }
    let _ = writeln!(
        text,
        "  call deadline  {}s",
        config.policy.timeout.as_secs()
    );
    for note in config.adjustments() {
        let _ = writeln!(text, "  adjusted       {note}");
    }
}

/// The most likely fix for a failed live read.
fn fix_for(error: &ApiError, config: &Config) -> String {
    match error.kind {
        ErrorKind::Status(401 | 403) => format!(
            "the token was refused for tenant {}: create an API token in that tenant (dashboard: Settings > API Tokens) and set {}; \
             if you set {}, check that it is the token's tenant",
            config.tenant_id,
            config::TOKEN_VAR,
            config::TENANT_VAR
        ),
        ErrorKind::Status(404) => format!(
            "no tenant {} at this server: check {} and that {} is this engine's REST URL",
            config.tenant_id,
            config::TENANT_VAR,
            config::SERVER_URL_VAR
        ),
        ErrorKind::Redirect(_) => format!(
            "set {} to the address the redirect points to",
            config::SERVER_URL_VAR
        ),
        ErrorKind::Transport | ErrorKind::Timeout => format!(
            "the server at {} did not answer: check the address and your network; a self-hosted engine whose token names an internal address needs {} set to one you can reach",
            config.server_url,
            config::SERVER_URL_VAR
        ),
        ErrorKind::InvalidBody => format!(
            "{} does not look like a Hatchet REST API: check it",
            config::SERVER_URL_VAR
        ),
        _ => "see the error above; run with RUST_LOG=debug for more detail".to_owned(),
    }
}
