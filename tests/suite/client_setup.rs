//! Every setup snippet in docs/clients.md and README.md, run for real: JSON snippets are
//! parsed as their client would read them, `claude mcp add` lines are split into their
//! environment and command, and each starts the built binary against a fake Hatchet, which
//! must answer `initialize` and list the tools of the mode the snippet asks for.

use std::{collections::BTreeMap, fs, path::Path};

use crate::support::fake::token_for;
use rmcp::{ServiceExt, transport::TokioChildProcess};
use serde_json::Value;
use wiremock::MockServer;

/// One server entry a snippet defines: its command and environment.
#[derive(Debug)]
struct Entry {
    origin: String,
    command: String,
    env: BTreeMap<String, String>,
}

fn code_blocks<'a>(markdown: &'a str, language: &str) -> Vec<&'a str> {
    let fence = format!("```{language}\n");
    markdown
        .split(&fence)
        .skip(1)
        .filter_map(|rest| rest.split("\n```").next())
        .collect()
}

fn json_entries(origin: &str, block: &str) -> Vec<Entry> {
    let config: Value = serde_json::from_str(block)
        .unwrap_or_else(|e| panic!("{origin}: invalid JSON: {e}\n{block}"));
    let servers = config
        .get("mcpServers")
        .or_else(|| config.get("servers"))
        .and_then(Value::as_object);
    let servers = servers.unwrap_or_else(|| panic!("{origin}: no mcpServers/servers"));
    servers
        .iter()
        .map(|(name, server)| {
            let env = server
                .get("env")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            Entry {
                origin: format!("{origin} ({name})"),
                command: server["command"].as_str().unwrap().to_owned(),
                env: env
                    .into_iter()
                    .map(|(k, v)| (k, v.as_str().unwrap().to_owned()))
                    .collect(),
            }
        })
        .collect()
}

/// `claude mcp add NAME -e K=V ... -- COMMAND`. Placeholders like `<your API token>` hold
/// spaces, so the line is split on ` -e ` and ` -- ` rather than on white space.
fn claude_entries(origin: &str, block: &str) -> Vec<Entry> {
    block
        .lines()
        .filter(|line| line.starts_with("claude mcp add "))
        .map(|line| {
            let (options, command) = line
                .split_once(" -- ")
                .unwrap_or_else(|| panic!("{origin}: no ` -- ` in {line}"));
            let env = options
                .split(" -e ")
                .skip(1)
                .map(|pair| {
                    let (key, value) = pair.split_once('=').unwrap();
                    (key.to_owned(), value.to_owned())
                })
                .collect();
            Entry {
                origin: format!("{origin}: {line}"),
                command: command.trim().to_owned(),
                env,
            }
        })
        .collect()
}

fn entries() -> Vec<Entry> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut all = Vec::new();
    for file in ["docs/clients.md", "README.md"] {
        let text = fs::read_to_string(root.join(file)).unwrap();
        for block in code_blocks(&text, "json") {
            all.extend(json_entries(file, block));
        }
        for block in code_blocks(&text, "sh") {
            all.extend(claude_entries(file, block));
        }
    }
    let example = fs::read_to_string(root.join(".mcp.json.example")).unwrap();
    all.extend(json_entries(".mcp.json.example", &example));
    all
}

/// A value as the client would pass it: placeholders and `${...}` references become what
/// the user would have supplied.
fn resolve(key: &str, value: &str, server: &MockServer) -> String {
    let placeholder = value.contains("${") || value.starts_with('<');
    match (key, placeholder) {
        ("HATCHET_CLIENT_TOKEN", true) => token_for(&server.uri()),
        ("HATCHET_CLIENT_SERVER_URL", true) => server.uri(),
        (_, true) => panic!("{key}: no test value for placeholder {value:?}"),
        (_, false) => value.to_owned(),
    }
}

#[tokio::test]
async fn every_documented_setup_starts_a_working_server() {
    let server = MockServer::start().await;
    let entries = entries();
    assert!(
        entries.len() >= 10,
        "expected every client's snippets, found {}",
        entries.len()
    );
    for entry in entries {
        assert!(
            entry.command.ends_with("hatchet-mcp"),
            "{}: command {:?}",
            entry.origin,
            entry.command
        );
        for (key, value) in &entry.env {
            assert!(
                !value.is_empty(),
                "{}: {key} is set to the empty string",
                entry.origin
            );
            assert!(
                hatchet_mcp::config::VARIABLES
                    .iter()
                    .any(|(name, _)| name == key),
                "{}: {key} is not a variable hatchet-mcp reads",
                entry.origin
            );
        }
        let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"));
        command.env_clear();
        for (key, value) in &entry.env {
            command.env(key, resolve(key, value, &server));
        }
        let (transport, _) = TokioChildProcess::builder(command)
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let session = ()
            .serve(transport)
            .await
            .unwrap_or_else(|e| panic!("{}: no initialize: {e}", entry.origin));
        let tools = session.list_all_tools().await.unwrap();
        let read_only = entry
            .env
            .get("HATCHET_MCP_READ_ONLY")
            .is_none_or(|v| v != "false");
        assert_eq!(
            tools.len(),
            hatchet_mcp::mcp::tools::registered(read_only).len(),
            "{}",
            entry.origin
        );
        session.cancel().await.unwrap();
    }
}

/// server.json (for the MCP Registry) describes this build: its version, the stdio
/// transport, and every variable the server reads, the token marked required and secret.
#[test]
fn server_json_describes_this_build() {
    let text =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("server.json")).unwrap();
    let server: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(server["version"], env!("CARGO_PKG_VERSION"));
    let package = &server["packages"][0];
    assert_eq!(package["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(package["transport"]["type"], "stdio");
    let variables: Vec<&str> = package["environmentVariables"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    let read: Vec<&str> = hatchet_mcp::config::VARIABLES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    assert_eq!(
        variables, read,
        "server.json lists the variables hatchet-mcp reads, in order"
    );
    let token = &package["environmentVariables"][0];
    assert_eq!(
        (token["isRequired"].as_bool(), token["isSecret"].as_bool()),
        (Some(true), Some(true))
    );
}
