//! `install <client> --url https://...`: the remote form of the entry, for a team-mode
//! server (`hatchet-mcp serve --http`) that someone else runs. The client sends the user's
//! own token on every request (`Authorization: Bearer ...`); the mode and toolsets are the
//! server operator's, so nothing of them is written.

use reqwest::Url;
use serde_json::{Map, Value, json};

use super::Client;
use crate::config::TOKEN_VAR;

/// Claude Desktop's file takes only servers it starts: it reaches a remote one through
/// mcp-remote (from npm, pinned), which reads the header from this variable of its entry.
pub const MCP_REMOTE: &str = "mcp-remote@0.15.1";
pub const AUTHORIZATION_VAR: &str = "HATCHET_MCP_AUTHORIZATION";

/// `--url`'s value, checked: an `http(s)` URL with a host and no credentials. Plain HTTP
/// only to a loopback host, since the token travels in every request.
pub fn check_url(text: &str) -> Result<String, String> {
    let problem =
        "--url must be the server's MCP endpoint, such as https://hatchet-mcp.example.com/mcp";
    let url = Url::parse(text).map_err(|_| problem.to_owned())?;
    if !url.username().is_empty() || url.password().is_some() || url.host_str().is_none() {
        return Err(problem.to_owned());
    }
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    match url.scheme() {
        "https" => Ok(url.to_string()),
        "http" if loopback => Ok(url.to_string()),
        "http" => Err(
            "--url must use https: the token goes with every request (plain http only to localhost)"
                .to_owned(),
        ),
        _ => Err(problem.to_owned()),
    }
}

/// Our entry for a remote server, in the client's own shape, replacing what we manage of
/// an earlier entry (a stdio `command` included) and keeping the rest.
pub fn entry(client: Client, url: &str, authorization: &str, server: &mut Map<String, Value>) {
    for managed in ["type", "command", "args", "url", "serverUrl", "headers"] {
        server.shift_remove(managed);
    }
    match client {
        Client::ClaudeDesktop => {
            server.insert("command".into(), json!("npx"));
            server.insert(
                "args".into(),
                json!([
                    "-y",
                    MCP_REMOTE,
                    url,
                    "--header",
                    format!("Authorization:${{{AUTHORIZATION_VAR}}}")
                ]),
            );
            let env = server.entry("env").or_insert_with(|| json!({}));
            if let Value::Object(env) = env {
                env.shift_remove(TOKEN_VAR);
                env.insert(AUTHORIZATION_VAR.into(), json!(authorization));
            }
        }
        Client::Vscode => {
            server.insert("type".into(), json!("http"));
            server.insert("url".into(), json!(url));
            server.insert("headers".into(), json!({"Authorization": authorization}));
        }
        Client::Windsurf => {
            server.insert("serverUrl".into(), json!(url));
            server.insert("headers".into(), json!({"Authorization": authorization}));
        }
        Client::Cursor | Client::ClaudeCode => {
            server.insert("url".into(), json!(url));
            server.insert("headers".into(), json!({"Authorization": authorization}));
        }
    }
    if client != Client::ClaudeDesktop {
        // A stdio entry's variables mean nothing to a remote server.
        server.shift_remove("env");
    }
}

/// Claude Code's `mcp add` words for a remote server: the header holds
/// `${HATCHET_CLIENT_TOKEN}`, which Claude Code expands when it connects.
pub fn claude_code_words(scope: Option<&str>, name: &str, url: &str) -> Vec<String> {
    let mut words: Vec<String> = vec![
        "mcp".into(),
        "add".into(),
        "--transport".into(),
        "http".into(),
    ];
    if let Some(scope) = scope {
        words.extend(["--scope".into(), scope.to_owned()]);
    }
    words.extend([
        name.to_owned(),
        url.to_owned(),
        "--header".into(),
        format!("Authorization: Bearer ${{{TOKEN_VAR}}}"),
    ]);
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_or_loopback_urls_are_taken() {
        assert_eq!(
            check_url("https://mcp.example.com/mcp").unwrap(),
            "https://mcp.example.com/mcp"
        );
        assert!(check_url("http://127.0.0.1:8080/mcp").is_ok());
        assert!(
            check_url("http://mcp.example.com/mcp")
                .unwrap_err()
                .contains("https")
        );
        assert!(check_url("https://user:pw@mcp.example.com/mcp").is_err());
        assert!(check_url("mcp.example.com").is_err());
    }

    #[test]
    fn each_client_gets_its_own_shape_and_loses_the_stdio_keys() {
        let url = "https://mcp.example.com/mcp";
        let stdio = json!({"command": "/bin/hatchet-mcp", "env": {"HATCHET_CLIENT_TOKEN": "t"}, "disabled": false});
        let shaped = |client| {
            let mut server = stdio.as_object().unwrap().clone();
            entry(
                client,
                url,
                "Bearer ${env:HATCHET_CLIENT_TOKEN}",
                &mut server,
            );
            Value::Object(server)
        };
        let cursor = shaped(Client::Cursor);
        assert_eq!(cursor["url"], url);
        assert!(cursor.get("command").is_none() && cursor.get("env").is_none());
        assert_eq!(cursor["disabled"], false, "keys we do not manage are kept");
        assert_eq!(shaped(Client::Vscode)["type"], "http");
        assert_eq!(shaped(Client::Windsurf)["serverUrl"], url);
        let desktop = shaped(Client::ClaudeDesktop);
        assert_eq!(desktop["command"], "npx");
        assert_eq!(desktop["args"][1], MCP_REMOTE);
        assert!(desktop["env"].get(TOKEN_VAR).is_none());
        assert!(desktop["env"].get(AUTHORIZATION_VAR).is_some());
    }
}
