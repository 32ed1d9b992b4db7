//! The `hatchet-mcp` binary: configuration from the environment, logs to stderr, MCP over
//! stdio. stdout carries JSON-RPC and nothing else.

use std::process::ExitCode;

use hatchet_mcp::{
    config::{self, Config},
    hatchet::{Client, ClientOptions},
    mcp::HatchetServer,
};
use rmcp::ServiceExt;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    match args.next().as_deref() {
        None | Some("serve") => {}
        // Only `serve` speaks MCP; these are for a person at a terminal, so stdout is right.
        Some("--version" | "-V") => {
            println!("{} {}", env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION"));
            return ExitCode::SUCCESS;
        }
        Some("--help" | "-h" | "help") => {
            print!("{}", help());
            return ExitCode::SUCCESS;
        }
        Some(other) => {
            eprintln!("hatchet-mcp: unknown argument {other:?}; run `hatchet-mcp --help`");
            return ExitCode::from(2);
        }
    }

    init_logging();
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

    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("hatchet-mcp: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let client = Client::new(ClientOptions::from(&config)).map_err(|e| e.to_string())?;
    tracing::info!(
        tenant = %config.tenant_id,
        server_url = %config.server_url,
        read_only = config.read_only,
        "serving MCP over stdio"
    );
    let server = HatchetServer::new(client, config.namespace.clone());
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| format!("MCP handshake failed: {e}"))?;
    running
        .waiting()
        .await
        .map_err(|e| format!("MCP session ended with an error: {e}"))?;
    Ok(())
}

/// Logs go to stderr, without colour; RUST_LOG overrides the default level.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,hatchet_mcp=info,audit=info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .init();
}

fn help() -> String {
    let mut text = format!(
        "{name} {version}: {description}\n\n\
         Usage: {name} [serve]     speak MCP over stdio (the default)\n       \
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
