//! Real MCP clients over HTTP, each listing the tools and calling a read tool with its own
//! token: rmcp's Streamable HTTP client (with the `initialize` handshake, and stateless on
//! protocol 2026-07-28), the Python SDK's, and Claude Desktop's entry through mcp-remote.

use std::process::Command;

use serde_json::Value;

use crate::support::{
    ci_tools,
    fake::token_for,
    fixture::Tenant,
    session,
    team::{self, TENANT, TeamServer, caller_token},
};

/// `get_run_status` through `client` answers the run.
async fn reads_the_run_status(client: &rmcp::Peer<rmcp::RoleClient>, run_id: &str) {
    let result = client
        .call_tool(team::run_status_call(run_id))
        .await
        .unwrap();
    assert_ne!(result.is_error, Some(true), "{result:?}");
    assert!(session::text(&result).contains(run_id));
}

/// Hatchet was asked something, every time with the caller's own token.
async fn every_request_carried(hatchet: &wiremock::MockServer, token: &str) {
    let sent = hatchet.received_requests().await.unwrap();
    assert!(!sent.is_empty());
    let bearer = format!("Bearer {token}");
    for request in &sent {
        assert_eq!(
            request
                .headers
                .get("authorization")
                .and_then(|v| v.to_str().ok()),
            Some(bearer.as_str()),
            "every request carries the caller's own token"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rmcp_lists_the_stdio_tools_and_reads_with_its_own_token_over_both_lifecycles() {
    let hatchet = Tenant::serve().await;
    let run_id = Tenant::new().run_ids()[0].clone();
    let server = TeamServer::start(&hatchet.uri(), &[]).await;
    // The token's claims name another server: its calls still go to the pinned upstream.
    let token = caller_token("alice-token", TENANT, "https://elsewhere.invalid");

    let stdio = session::start(&hatchet, &[]).await;
    let stdio_tools = stdio.list_all_tools().await.unwrap();
    stdio.cancel().await.unwrap();

    for stateless in [false, true] {
        let client = if stateless {
            team::connect_stateless(&server.mcp_url(), &token).await
        } else {
            team::connect(&server.mcp_url(), &token).await
        };
        let tools = client.list_all_tools().await.unwrap();
        assert_eq!(
            serde_json::to_value(&tools).unwrap(),
            serde_json::to_value(&stdio_tools).unwrap(),
            "the same tools as stdio"
        );
        reads_the_run_status(&client, &run_id).await;
        let info = client.peer_info().map(|i| i.instructions.clone());
        assert!(
            format!("{info:?}").contains(TENANT),
            "the instructions name the caller's tenant: {info:?}"
        );
        client.cancel().await.unwrap();
    }
    every_request_carried(&hatchet, &token).await;
    crate::support::process::assert_no_piece_of(&token, &server.stderr());
}

/// The Python SDK's Streamable HTTP client (from the ci-tools venv), with its own token.
#[tokio::test(flavor = "multi_thread")]
async fn the_python_sdk_lists_tools_and_reads() {
    let Some(python) = ci_tools::tool("team_http", "venv/bin/python") else {
        return;
    };
    let probe = Command::new(&python)
        .args(["-c", "import mcp"])
        .output()
        .unwrap();
    if !probe.status.success() {
        ci_tools::skipped(
            "team_http",
            "the ci-tools venv has no `mcp`; run `bash scripts/ci-tools.sh`",
        );
        return;
    }
    let hatchet = Tenant::serve().await;
    let run_id = Tenant::new().run_ids()[0].clone();
    let server = TeamServer::start(&hatchet.uri(), &[]).await;
    let token = token_for(&hatchet.uri());
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/suite/team_http/python_client.py"
    );
    let output = tokio::process::Command::new(&python)
        .args([script, &server.mcp_url(), &run_id])
        .env("HATCHET_TOKEN", &token)
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let report: Value = serde_json::from_str(stdout.trim()).unwrap();
    assert!(report["tools"].as_u64().unwrap() > 10, "{report}");
    assert!(
        report["status"].as_str().unwrap().contains(&run_id),
        "{report}"
    );
}

/// What `install <client> --url` writes for Cursor and VS Code, read back and used as the
/// client would (its `${env:...}` / `${input:...}` reference replaced by the token): it
/// reaches the server and reads. Claude Code's line names the same URL and header.
#[tokio::test(flavor = "multi_thread")]
async fn install_url_writes_entries_that_reach_the_server() {
    let hatchet = Tenant::serve().await;
    let server = TeamServer::start(&hatchet.uri(), &[]).await;
    let token = token_for(&hatchet.uri());
    let dir = std::env::temp_dir().join(format!("hatchet-mcp-remote-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let install = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"))
            .arg("install")
            .args(args)
            .env_clear()
            .env("HATCHET_CLIENT_TOKEN", &token)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "{args:?}: {stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        crate::support::process::assert_no_piece_of(&token, &stdout);
        stdout
    };
    let url = server.mcp_url();
    for (client, servers, reference) in [
        ("cursor", "mcpServers", "${env:HATCHET_CLIENT_TOKEN}"),
        ("vscode", "servers", "${input:hatchet-token}"),
    ] {
        let file = dir.join(format!("{client}.json"));
        install(&[client, "--url", &url, "--config", file.to_str().unwrap()]);
        let written = std::fs::read_to_string(&file).unwrap();
        crate::support::process::assert_no_piece_of(&token, &written);
        let entry: Value =
            serde_json::from_str::<Value>(&written).unwrap()[servers]["hatchet"].clone();
        assert_eq!(entry["url"], url.as_str(), "{entry}");
        let header = entry["headers"]["Authorization"].as_str().unwrap();
        assert_eq!(header, format!("Bearer {reference}"));
        let sent = header
            .trim_start_matches("Bearer ")
            .replace(reference, &token);
        let client = team::connect(entry["url"].as_str().unwrap(), &sent).await;
        assert!(!client.list_all_tools().await.unwrap().is_empty());
        client.cancel().await.unwrap();
    }
    let line = install(&["claude-code", "--url", &url]);
    assert!(
        line.contains(&format!("claude mcp add --transport http hatchet {url} --header 'Authorization: Bearer ${{HATCHET_CLIENT_TOKEN}}'")),
        "{line}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Claude Desktop's remote form, as `install claude-desktop --url` writes it: the entry's own
/// command line and environment, run with the mcp-remote that ci-tools installed at the
/// version the entry pins (npx would fetch that same package), bridges a stdio client to the
/// server, which reads with the entry's token.
#[tokio::test(flavor = "multi_thread")]
async fn claude_desktops_entry_reaches_the_server_through_mcp_remote() {
    let Some(bridge) = ci_tools::tool("team_http", "mcp-remote/node_modules/.bin/mcp-remote")
    else {
        return;
    };
    let installed: Value = serde_json::from_str(
        &std::fs::read_to_string(
            ci_tools::tools_dir().join("mcp-remote/node_modules/mcp-remote/package.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let hatchet = Tenant::serve().await;
    let run_id = Tenant::new().run_ids()[0].clone();
    let server = TeamServer::start(&hatchet.uri(), &[]).await;
    let token = token_for(&hatchet.uri());
    let dir = std::env::temp_dir().join(format!("hatchet-mcp-bridge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("claude_desktop_config.json");
    let output = Command::new(env!("CARGO_BIN_EXE_hatchet-mcp"))
        .args([
            "install",
            "claude-desktop",
            "--url",
            &server.mcp_url(),
            "--config",
        ])
        .arg(&file)
        .env_clear()
        .env("HATCHET_CLIENT_TOKEN", &token)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = &written["mcpServers"]["hatchet"];
    assert_eq!(entry["command"], "npx", "{entry}");
    let args: Vec<&str> = entry["args"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a.as_str().unwrap())
        .collect();
    assert_eq!(
        args[..2],
        [
            "-y",
            format!("mcp-remote@{}", installed["version"].as_str().unwrap()).as_str()
        ],
        "the entry pins the mcp-remote this test runs"
    );

    let mut bridge_command = tokio::process::Command::new(bridge);
    bridge_command
        .args(&args[2..])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        // mcp-remote keeps its OAuth state under the home directory: a fresh one.
        .env("HOME", &dir);
    for (name, value) in entry["env"].as_object().unwrap() {
        bridge_command.env(name, value.as_str().unwrap());
    }
    let (transport, _) = rmcp::transport::TokioChildProcess::builder(bridge_command)
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let client = rmcp::ServiceExt::serve((), transport)
        .await
        .expect("mcp-remote answers initialize");
    assert!(client.list_all_tools().await.unwrap().len() > 10);
    reads_the_run_status(&client, &run_id).await;
    client.cancel().await.unwrap();
    every_request_carried(&hatchet, &token).await;
    let _ = std::fs::remove_dir_all(&dir);
}
