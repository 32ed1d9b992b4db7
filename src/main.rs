//! The `hatchet-mcp` binary: configuration from the environment, logs to stderr, MCP over
//! stdio. stdout carries JSON-RPC and nothing else.

use std::process::ExitCode;

use hatchet_mcp::{
    config::{self, Config},
    hatchet::{Client, ClientOptions},
    mcp::HatchetServer,
};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("serve") => serve_stdio(),
        Some("check") => check(),
        // Only `serve` speaks MCP; these are for a person at a terminal, so stdout is right.
        Some("--version" | "-V") => {
            println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Some("--help" | "-h" | "help") => {
            print!("{}", help());
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("hatchet-mcp: unknown argument {other:?}; run `hatchet-mcp --help`");
            ExitCode::from(2)
        }
    }
}

/// One thread is plenty for one client's requests, and starts fastest.
fn runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("hatchet-mcp: could not start the async runtime: {error}");
            ExitCode::FAILURE
        })
}

fn serve_stdio() -> ExitCode {
    hatchet_mcp::logging::init();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("hatchet-mcp: {error}");
            return ExitCode::from(2);
        }
    };
    if config.token_expired(jiff::Timestamp::now()) {
        tracing::warn!(
            expired_at = %config.token_expires_at.map(|t| t.to_string()).unwrap_or_default(),
            "{} has expired: Hatchet will refuse every call until it is replaced",
            config::TOKEN_VAR
        );
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// `hatchet-mcp check`: validate the setup with one live read, for a person.
fn check() -> ExitCode {
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let report = runtime.block_on(hatchet_mcp::check::run(Config::from_env()));
    print!("{}", report.text);
    ExitCode::from(report.exit_code)
}

async fn serve(config: Config) -> Result<(), String> {
    let client = Client::new(ClientOptions::from(&config)).map_err(|e| e.to_string())?;
    tracing::info!(
        tenant = %config.tenant_id,
        server_url = %config.server_url,
        read_only = config.read_only,
        "serving MCP over stdio"
    );
    hatchet_mcp::logging::redact_with(client.redactor());
    let server = HatchetServer::new(client, config.namespace.clone());
    hatchet_mcp::mcp::stdio::serve(server).await
}


fn help() -> String {
    let mut text = format!(
        "{name} {version}: {description}\n\n\
         Usage: {name} [serve]     speak MCP over stdio (the default)\n       \
         {name} check       check the setup: show what the token says, make one live read\n       \
         {name} --version | --help\n\nEnvironment:\n",
        name = env!("CARGO_PKG_NAME"),
        version = env!("CARGO_PKG_VERSION"),
        description = env!("CARGO_PKG_DESCRIPTION"),
    );
    for (name, meaning) in config::VARIABLES {
        text.push_str(&format!("  {name:<27} {meaning}\n"));
    }
    text.push_str(
        "  RUST_LOG                    log filter for stderr (default: warn,hatchet_mcp=info)\n",
    );
    text
}
