//! The `hatchet-mcp` binary: configuration from the environment, logs to stderr, MCP over
//! stdio. stdout carries JSON-RPC and nothing else.

use std::{io::IsTerminal, process::ExitCode};

use hatchet_mcp::{
    config::{self, Config},
    hatchet::Client,
    install,
    mcp::HatchetServer,
    setup,
};

const NAME: &str = env!("CARGO_PKG_NAME");

/// A subcommand. Each parses its own flags, so a new one (or a flag) is one more arm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sub {
    Serve,
    Check,
    Install,
}

impl Sub {
    fn named(word: &str) -> Option<Self> {
        match word {
            "serve" => Some(Sub::Serve),
            "check" => Some(Sub::Check),
            "install" => Some(Sub::Install),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Sub::Serve => "serve",
            Sub::Check => "check",
            Sub::Install => "install",
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
enum Command {
    Run(Sub),
    /// `serve --http ADDR`, or `serve` with HATCHET_MCP_HTTP_ADDR set: team mode.
    ServeHttp(Option<String>),
    Install(install::Request),
    Help(Option<Sub>),
    Version,
}

/// A command line that was not understood: what was wrong, and whose help to point to.
struct UsageError {
    problem: String,
    scope: Option<Sub>,
}

impl UsageError {
    fn line(&self) -> String {
        let help = match self.scope {
            Some(sub) => format!("{NAME} {} --help", sub.name()),
            None => format!("{NAME} --help"),
        };
        format!("{NAME}: {}; run `{help}`", self.problem)
    }
}

fn main() -> ExitCode {
    // An argument may be a token pasted in the wrong place: never echo one.
    let token = std::env::var_os(config::TOKEN_VAR).map(|t| t.to_string_lossy().into_owned());
    let command = match parse(lexopt::Parser::from_env(), token.as_deref()) {
        Ok(command) => command,
        Err(error) => {
            eprintln!("{}", error.line());
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Run(Sub::Serve) => serve_stdio(),
        Command::ServeHttp(listen) => serve_http(listen.as_deref()),
        Command::Run(Sub::Check) => check(),
        Command::Run(Sub::Install) => unreachable!("install is parsed into Command::Install"),
        Command::Install(request) => install_client(&request),
        // Only `serve` speaks MCP; these are for a person at a terminal, so stdout is right.
        Command::Version => {
            println!("{NAME} {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
        Command::Help(sub) => {
            print!("{}", help(sub));
            ExitCode::SUCCESS
        }
    }
}

/// One argument: a flag (`-h`, `--help`) or a word. Owned, so the parser can move on.
struct Arg {
    flag: bool,
    text: String,
}

struct Cli<'t> {
    args: lexopt::Parser,
    /// The configured token, which no message may echo.
    token: Option<&'t str>,
}

impl Cli<'_> {
    fn next(&mut self, scope: Option<Sub>) -> Result<Option<Arg>, UsageError> {
        use lexopt::Arg::{Long, Short, Value};
        let (flag, text) = match self.args.next() {
            Ok(None) => return Ok(None),
            Ok(Some(Short(c))) => (true, format!("-{c}")),
            Ok(Some(Long(name))) => (true, format!("--{name}")),
            // Not UTF-8 text matches no command, and is shown lossily.
            Ok(Some(Value(value))) => (false, value.to_string_lossy().into_owned()),
            // lexopt's own messages quote the value; this one never does.
            Err(lexopt::Error::UnexpectedValue { option, .. }) => {
                let problem = format!(
                    "{} takes no value",
                    hatchet_mcp::redact::safe_echo(&option, self.token)
                );
                return Err(UsageError { problem, scope });
            }
            Err(_) => {
                let problem = "the command line could not be read".to_owned();
                return Err(UsageError { problem, scope });
            }
        };
        Ok(Some(Arg { flag, text }))
    }

    fn unexpected(&self, arg: &Arg, scope: Option<Sub>) -> UsageError {
        let text = hatchet_mcp::redact::safe_echo(&arg.text, self.token);
        let problem = match scope {
            Some(sub) => format!("unexpected argument {text} after `{}`", sub.name()),
            None => format!("unexpected argument {text}"),
        };
        UsageError { problem, scope }
    }

    /// A subcommand's own arguments: `install` has its own parser, the others take only
    /// `--help`.
    fn sub(&mut self, sub: Sub) -> Result<Command, UsageError> {
        if sub == Sub::Install {
            return match install::parse(&mut self.args, self.token) {
                Ok(install::Parsed::Help) => Ok(Command::Help(Some(sub))),
                Ok(install::Parsed::Run(request)) => Ok(Command::Install(request)),
                Err(problem) => Err(UsageError {
                    problem,
                    scope: Some(sub),
                }),
            };
        }
        match self.next(Some(sub))? {
            // An explicit `serve` reads HATCHET_MCP_HTTP_ADDR (a container's one argument);
            // plain `hatchet-mcp` is always stdio.
            None if sub == Sub::Serve => Ok(Command::ServeHttp(None)),
            None => Ok(Command::Run(sub)),
            Some(arg) if is_help(&arg) => Ok(Command::Help(Some(sub))),
            Some(arg) if sub == Sub::Serve && arg.flag && arg.text == "--http" => {
                match self.args.value() {
                    Ok(addr) => Ok(Command::ServeHttp(Some(
                        addr.to_string_lossy().into_owned(),
                    ))),
                    Err(_) => Err(UsageError {
                        problem: "--http needs an address, such as 127.0.0.1:8080".to_owned(),
                        scope: Some(sub),
                    }),
                }
            }
            Some(arg) => Err(self.unexpected(&arg, Some(sub))),
        }
    }
}

fn is_help(arg: &Arg) -> bool {
    arg.flag && matches!(arg.text.as_str(), "--help" | "-h")
}

/// `[serve]`, `check`, `--version`, `--help`, `help [COMMAND]`, `COMMAND --help`. Anything
/// else, extra arguments included, is an error: ignoring it could run the wrong thing.
fn parse(args: lexopt::Parser, token: Option<&str>) -> Result<Command, UsageError> {
    let mut cli = Cli { args, token };
    let command = match cli.next(None)? {
        None => Command::Run(Sub::Serve),
        Some(arg) if is_help(&arg) => Command::Help(None),
        Some(arg) if arg.flag && matches!(arg.text.as_str(), "--version" | "-V") => {
            Command::Version
        }
        Some(arg) if !arg.flag && arg.text == "help" => match cli.next(None)? {
            None => Command::Help(None),
            Some(topic) => match Sub::named(&topic.text).filter(|_| !topic.flag) {
                Some(sub) => Command::Help(Some(sub)),
                None => return Err(cli.unexpected(&topic, None)),
            },
        },
        Some(arg) => match Sub::named(&arg.text).filter(|_| !arg.flag) {
            Some(sub) => cli.sub(sub)?,
            None => return Err(cli.unexpected(&arg, None)),
        },
    };
    let scope = match command {
        Command::Run(sub) | Command::Help(Some(sub)) => Some(sub),
        Command::ServeHttp(_) => Some(Sub::Serve),
        Command::Install(_) => Some(Sub::Install),
        _ => None,
    };
    match cli.next(scope)? {
        None => Ok(command),
        Some(extra) => Err(cli.unexpected(&extra, scope)),
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
    if let Err(code) = init_logging() {
        return code;
    }
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(error) => {
            eprintln!("{NAME}: {error}");
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
    for note in config.adjustments() {
        tracing::warn!("{note}");
    }
    // Someone who ran the binary by hand would otherwise see it wait in silence. Not a log
    // line, so no RUST_LOG can hide it; it goes to stderr, as stdout belongs to MCP.
    if std::io::stdin().is_terminal() {
        eprintln!(
            "{NAME}: this is an MCP server: it expects an MCP client on stdin/stdout and keeps waiting for one; \
             to test the setup run `{NAME} check`, for usage `{NAME} --help`"
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

/// `serve --http ADDR` (or `serve` with HATCHET_MCP_HTTP_ADDR): team mode, on a runtime
/// with a worker per core. Without either, `serve` is stdio.
fn serve_http(listen: Option<&str>) -> ExitCode {
    let team = match config::team::TeamConfig::from_env(listen) {
        Ok(Some(team)) => team,
        Ok(None) => return serve_stdio(),
        Err(error) => {
            eprintln!("{NAME}: {error}");
            return ExitCode::from(2);
        }
    };
    if let Err(code) = init_logging() {
        return code;
    }
    if let Some(shared) = &team.shared {
        hatchet_mcp::logging::redact_with(std::sync::Arc::new(shared.token.redactor()));
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("{NAME}: could not start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(hatchet_mcp::http::serve(team)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!("{error}");
            ExitCode::FAILURE
        }
    }
}

/// `hatchet-mcp check`: validate the setup with one live read, for a person.
fn check() -> ExitCode {
    // Logs (RUST_LOG=debug) go to stderr, the report to stdout.
    if let Err(code) = init_logging() {
        return code;
    }
    let runtime = match runtime() {
        Ok(runtime) => runtime,
        Err(code) => return code,
    };
    let report = runtime.block_on(hatchet_mcp::check::run(Config::from_env()));
    print!("{}", report.text);
    ExitCode::from(report.exit_code)
}

/// `hatchet-mcp install <client>`: the report on stdout, a refusal as one line on stderr.
fn install_client(request: &install::Request) -> ExitCode {
    match install::run(request) {
        Ok(report) => {
            print!("{report}");
            ExitCode::SUCCESS
        }
        Err(failure) => {
            eprintln!("{NAME}: {}", failure.message);
            ExitCode::from(failure.exit_code)
        }
    }
}

async fn serve(config: Config) -> Result<(), String> {
    let client = Client::new(setup::client_options(&config)).map_err(|e| e.to_string())?;
    tracing::info!(
        tenant = %config.tenant_id,
        server_url = %config.server_url,
        read_only = config.policy.read_only,
        toolsets = %config.policy.toolsets,
        "serving MCP over stdio"
    );
    hatchet_mcp::logging::redact_with(client.redactor());
    let mut server = HatchetServer::new(
        client,
        config.policy.namespace.clone(),
        &config.policy.toolsets,
    )
    .with_max_result_bytes(config.policy.max_result_bytes)
    .with_token_expiry(config.token_expires_at);
    if let Some(spec) = config.policy.workflow_tools.clone() {
        server = server.with_workflow_tools(spec, hatchet_mcp::mcp::workflow_tools::REFRESH_EVERY);
    }
    hatchet_mcp::mcp::stdio::serve(server).await
}

/// Logs go to stderr, redacted, without colour; RUST_LOG replaces the default filter. A
/// RUST_LOG that cannot be used stops the process, like any other bad variable.
fn init_logging() -> Result<(), ExitCode> {
    let filter = config::log_filter(std::env::var_os(config::LOG_VAR)).map_err(|error| {
        eprintln!("{NAME}: {error}");
        ExitCode::from(2)
    })?;
    hatchet_mcp::logging::init(filter);
    Ok(())
}

fn help(sub: Option<Sub>) -> String {
    match sub {
        None => general_help(),
        Some(Sub::Serve) => format!(
            "Usage: {NAME} [serve]\n       {NAME} serve --http ADDR\n\n\
             Speaks MCP (JSON-RPC) over stdin/stdout, for an MCP client such as Claude Code or\n\
             Cursor to start; a person at a terminal wants `{NAME} check`. Logs go to stderr.\n\
             Configuration comes from the environment (see `{NAME} --help`); if it is invalid,\n\
             one line on stderr says why and the exit status is 2.\n\n\
             With --http ADDR (or `serve` with {http_var} set), team mode: MCP over Streamable\n\
             HTTP at http://ADDR/mcp for a whole team, each caller sending their own Hatchet API\n\
             token as `Authorization: Bearer <token>`. {server_var} is required (callers' tokens\n\
             go there only) and {token_var} refused. Probes: /healthz, /readyz. SIGTERM drains.\n\
             TLS terminates in front. See docs/remote.md.\n",
            http_var = config::HTTP_ADDR_VAR,
            server_var = config::SERVER_URL_VAR,
            token_var = config::TOKEN_VAR,
        ),
        Some(Sub::Check) => format!(
            "Usage: {NAME} check\n\n\
             Checks the setup, for a person: shows the tenant, server URL, token expiry and mode\n\
             read from the environment (see `{NAME} --help`), says what was adjusted in them,\n\
             makes one live read (GET <server path>/api/v1/tenants/<tenant>) and says what to fix\n\
             if it fails. Never prints the token.\n\n\
             Exit status: 0 ready; 1 not ready (the live read failed, or the token has expired:\n\
             create a new one); 2 the configuration is invalid.\n"
        ),
        Some(Sub::Install) => install::help(),
    }
}

fn general_help() -> String {
    let mut text = format!(
        "{NAME} {version}: {description}\n\n",
        version = env!("CARGO_PKG_VERSION"),
        description = env!("CARGO_PKG_DESCRIPTION"),
    );
    let commands = [
        (
            "[serve]",
            "speak MCP over stdin/stdout, for an MCP client (the default)",
        ),
        (
            "serve --http ADDR",
            "team mode: MCP over HTTP, each caller with their own token",
        ),
        (
            "check",
            "check the setup: show what the token says, make one live read",
        ),
        (
            "install CLIENT",
            "add this server to an MCP client's configuration",
        ),
        ("help [COMMAND] | COMMAND --help", ""),
        ("--version | --help", ""),
    ];
    // Each column as wide as its longest entry that has a second column.
    let width = commands
        .iter()
        .filter(|(_, what)| !what.is_empty())
        .map(|(usage, _)| usage.len())
        .max()
        .unwrap_or_default();
    for (n, (usage, what)) in commands.iter().enumerate() {
        let lead = if n == 0 { "Usage:" } else { "" };
        let line = format!("{lead:<6} {NAME} {usage:<width$}  {what}");
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text.push_str("\nEnvironment:\n");
    let mut variables: Vec<(&str, String)> = config::VARIABLES
        .iter()
        .map(|(name, meaning)| (*name, (*meaning).to_owned()))
        .collect();
    variables.push((
        config::LOG_VAR,
        format!(
            "log filter for stderr (default: {}; keep audit=info for the audit lines)",
            config::DEFAULT_LOG_FILTER
        ),
    ));
    let width = variables
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or_default();
    for (name, meaning) in variables {
        text.push_str(&format!("  {name:<width$}  {meaning}\n"));
    }
    text.push_str("\nTeam mode (serve --http ADDR) also reads:\n");
    let width = config::TEAM_VARIABLES
        .iter()
        .map(|(name, _)| name.len())
        .max()
        .unwrap_or_default();
    for (name, meaning) in config::TEAM_VARIABLES {
        let meaning = meaning.trim_start_matches("team mode: ");
        text.push_str(&format!("  {name:<width$}  {meaning}\n"));
    }
    text
}
