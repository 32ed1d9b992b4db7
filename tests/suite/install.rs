//! `hatchet-mcp install <client>`, run as a process against a temporary HOME, APPDATA and
//! XDG_CONFIG_HOME (never the real ones): every JSON client's file is created, merged
//! without losing a key, replaced idempotently, backed up, diffed by --dry-run and refused
//! when unparsable; Claude Code's line is printed and run against a fake `claude`. The
//! token never appears on stdout or stderr, nor in a file that can hold a reference.
#![cfg(unix)]

use std::{
    fs,
    io::Write,
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::atomic::{AtomicUsize, Ordering},
};

use crate::support::{
    process::{assert_no_piece_of, refused},
    token::mint_token,
};
use serde_json::{Value, json};

const JSON_CLIENTS: [&str; 4] = ["claude-desktop", "cursor", "vscode", "windsurf"];

fn token() -> String {
    mint_token(&json!({
        "sub": "707d0855-80ab-4e1f-a156-f1c4546cbf52",
        "server_url": "https://install-test.hatchet.example",
        "exp": 4102444800u64,
        "token_id": "distinctive-install-test-token-id"
    }))
}

/// A temporary home for one test, removed when dropped.
struct Home {
    root: PathBuf,
}

impl Home {
    fn new() -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::SeqCst);
        let root =
            std::env::temp_dir().join(format!("hatchet-mcp-install-{}-{n}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        for dir in ["home", "xdg", "appdata", "bin"] {
            fs::create_dir_all(root.join(dir)).unwrap();
        }
        Self { root }
    }

    /// Where `client` keeps its file under this home (Linux and macOS layouts).
    fn config_of(&self, client: &str) -> PathBuf {
        let app_data = if cfg!(target_os = "macos") {
            self.root.join("home/Library/Application Support")
        } else {
            self.root.join("xdg")
        };
        match client {
            "claude-desktop" => app_data.join("Claude/claude_desktop_config.json"),
            "vscode" => app_data.join("Code/User/mcp.json"),
            "cursor" => self.root.join("home/.cursor/mcp.json"),
            "windsurf" => self.root.join("home/.codeium/windsurf/mcp_config.json"),
            other => panic!("no file for {other}"),
        }
    }

    /// Runs the binary with only this home's variables (and the token, if given).
    fn run(&self, args: &[&str], token: Option<&str>) -> Output {
        self.run_binary(Path::new(env!("CARGO_BIN_EXE_hatchet-mcp")), args, token)
    }

    /// [`Home::run`] with the binary at `binary`.
    fn run_binary(&self, binary: &Path, args: &[&str], token: Option<&str>) -> Output {
        let mut command = Command::new(binary);
        command
            .arg("install")
            .args(args)
            .env_clear()
            .env("HOME", self.root.join("home"))
            .env("XDG_CONFIG_HOME", self.root.join("xdg"))
            .env("APPDATA", self.root.join("appdata"))
            .env(
                "PATH",
                format!("{}:/usr/bin:/bin", self.root.join("bin").display()),
            )
            .stdin(Stdio::null());
        if let Some(token) = token {
            command.env("HATCHET_CLIENT_TOKEN", token);
        }
        let output = command.output().unwrap();
        let all = format!("{}{}", stdout(&output), stderr(&output));
        if let Some(token) = token {
            assert_no_piece_of(token, &all);
        }
        output
    }

    /// Every file below the root, for "nothing else was written".
    fn files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in fs::read_dir(dir).unwrap().map(Result::unwrap) {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, out)
                } else {
                    out.push(path)
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.root, &mut out);
        out.sort();
        out
    }
}

impl Drop for Home {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.root);
    }
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn succeeded(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}{}",
        stdout(output),
        stderr(output)
    );
    stdout(output)
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

fn servers_key(client: &str) -> &'static str {
    if client == "vscode" {
        "servers"
    } else {
        "mcpServers"
    }
}

/// The backup the report names.
fn backup_named_in(report: &str) -> PathBuf {
    let line = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("backup:"))
        .unwrap_or_else(|| panic!("no backup line in {report}"));
    PathBuf::from(line.trim())
}

#[test]
fn a_fresh_install_creates_the_file_with_a_reference_where_the_client_has_one() {
    let token = token();
    for client in JSON_CLIENTS {
        let home = Home::new();
        let report = succeeded(&home.run(&[client], Some(&token)));
        let path = home.config_of(client);
        assert!(
            report.contains(&path.display().to_string()),
            "{client}: {report}"
        );
        let text = fs::read_to_string(&path).unwrap();
        let entry = &read_json(&path)[servers_key(client)]["hatchet"];
        assert_eq!(
            entry["command"],
            env!("CARGO_BIN_EXE_hatchet-mcp"),
            "{client}"
        );
        assert!(entry.get("args").is_none(), "{client}: {entry}");
        let written = entry["env"]["HATCHET_CLIENT_TOKEN"].as_str().unwrap();
        match client {
            "claude-desktop" => {
                assert_eq!(written, token);
                assert!(report.contains("keep it private"), "{report}");
            }
            "vscode" => {
                assert_eq!(written, "${input:hatchet-token}");
                assert_eq!(entry["type"], "stdio");
                let inputs = &read_json(&path)["inputs"];
                assert_eq!(
                    inputs,
                    &json!([{"type": "promptString", "id": "hatchet-token",
                             "description": "Hatchet API token", "password": true}])
                );
            }
            _ => {
                assert_eq!(written, "${env:HATCHET_CLIENT_TOKEN}", "{client}");
                assert!(
                    report.contains("set HATCHET_CLIENT_TOKEN in the environment"),
                    "{report}"
                );
            }
        }
        if client != "claude-desktop" {
            assert_no_piece_of(&token, &text);
        }
        assert_eq!(
            entry["env"].as_object().unwrap().len(),
            1,
            "{client}: read-only by default"
        );
    }
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

fn set_mode(path: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
}

#[test]
fn a_file_holding_the_token_is_created_private() {
    let home = Home::new();
    succeeded(&home.run(&["claude-desktop"], Some(&token())));
    assert_eq!(mode(&home.config_of("claude-desktop")), 0o600);
}

#[test]
fn a_file_that_will_hold_the_token_is_made_private_even_when_it_existed_and_so_is_its_backup() {
    let token = token();
    let home = Home::new();
    let path = home.config_of("claude-desktop");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(&path, "{\"globalShortcut\": \"Ctrl+Space\"}\n").unwrap();
    set_mode(&path, 0o644);
    let report = succeeded(&home.run(&["claude-desktop"], Some(&token)));
    assert_eq!(mode(&path), 0o600, "{report}");
    assert!(
        report.contains("readable by you only") && report.contains("0644"),
        "the user is told: {report}"
    );
    assert_eq!(mode(&backup_named_in(&report)), 0o600);

    // The file now holds the token; loosened by hand, then installed again with a change:
    // the new file is private, and so is the backup of the old one, which held the token.
    set_mode(&path, 0o664);
    let report = succeeded(&home.run(&["claude-desktop", "--read-write"], Some(&token)));
    let backup = backup_named_in(&report);
    assert!(fs::read_to_string(&backup).unwrap().contains(&token));
    assert_eq!(mode(&backup), 0o600, "{}", backup.display());
    assert_eq!(mode(&path), 0o600);

    // Nothing to change, but the file is readable by others: made private all the same.
    set_mode(&path, 0o644);
    let report = succeeded(&home.run(&["claude-desktop", "--read-write"], Some(&token)));
    assert!(report.contains("nothing was changed"), "{report}");
    assert!(report.contains("readable by you only"), "{report}");
    assert_eq!(mode(&path), 0o600);

    // A client whose file holds no token keeps the file's mode; its backup is private
    // (the file may hold other servers' secrets).
    let cursor = home.config_of("cursor");
    fs::create_dir_all(cursor.parent().unwrap()).unwrap();
    fs::write(&cursor, serde_json::to_string(&existing("cursor")).unwrap()).unwrap();
    set_mode(&cursor, 0o644);
    let report = succeeded(&home.run(&["cursor"], Some(&token)));
    assert_eq!(mode(&cursor), 0o644);
    assert_eq!(mode(&backup_named_in(&report)), 0o600);
}

#[test]
fn a_configuration_path_that_is_a_dangling_link_is_refused_naming_link_and_target() {
    let token = token();
    for client in JSON_CLIENTS {
        for dry_run in [false, true] {
            let home = Home::new();
            let path = home.config_of(client);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            let target = home.root.join("dotfiles/missing/mcp.json");
            std::os::unix::fs::symlink(&target, &path).unwrap();
            let mut args = vec![client];
            if dry_run {
                args.push("--dry-run");
            }
            let output = home.run(&args, Some(&token));
            assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
            let line = refused(&output);
            assert!(
                line.contains(&path.display().to_string())
                    && line.contains(&target.display().to_string())
                    && line.contains("does not exist")
                    && line.contains("nothing was changed"),
                "{client}: {line}"
            );
            assert!(!target.exists() && !target.parent().unwrap().exists());
            assert!(
                fs::symlink_metadata(&path)
                    .unwrap()
                    .file_type()
                    .is_symlink()
            );
            assert_eq!(
                home.files(),
                std::slice::from_ref(&path),
                "{client}: only the link"
            );
        }
    }
    // A link to a file that exists is followed: the file is written, the link kept.
    let home = Home::new();
    let path = home.config_of("cursor");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let target = home.root.join("dotfiles/mcp.json");
    fs::create_dir_all(target.parent().unwrap()).unwrap();
    fs::write(&target, "{}").unwrap();
    std::os::unix::fs::symlink(&target, &path).unwrap();
    succeeded(&home.run(&["cursor"], Some(&token)));
    assert!(
        fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert!(read_json(&target)["mcpServers"]["hatchet"].is_object());
}

/// A file someone already uses: other servers (one with a secret), other keys, odd values.
fn existing(client: &str) -> Value {
    json!({
        "globalShortcut": "Ctrl+Space",
        servers_key(client): {
            "github": {"command": "npx", "args": ["-y", "gh-mcp"],
                        "env": {"GITHUB_TOKEN": "ghp_ExistingSecretValue1234567890"}},
            "hatchet": {"command": "/old/hatchet-mcp", "disabled": true,
                        "env": {"HATCHET_CLIENT_SERVER_URL": "https://self-hosted.example",
                                "HATCHET_CLIENT_TOKEN": "old-value"}},
            "zeta": {"url": "https://z.example/mcp", "n": 1.5, "nested": {"list": [null, true, "x"]}}
        },
        "inputs": [{"type": "promptString", "id": "other", "description": "d", "password": true}],
        "unicode": "héllo ✓"
    })
}

#[test]
fn a_merge_keeps_every_other_server_and_key_and_backs_up_the_old_file() {
    let token = token();
    for client in JSON_CLIENTS {
        let home = Home::new();
        let path = home.config_of(client);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let before = serde_json::to_string_pretty(&existing(client)).unwrap();
        fs::write(&path, &before).unwrap();

        let report =
            succeeded(&home.run(&[client, "--read-write", "--toolsets", "all"], Some(&token)));
        assert!(!report.contains("ghp_ExistingSecret"), "{report}");
        assert_eq!(
            fs::read_to_string(backup_named_in(&report)).unwrap(),
            before,
            "{client}"
        );

        let (old, new) = (existing(client), read_json(&path));
        let key = servers_key(client);
        for top in old
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| *k != key && *k != "inputs")
        {
            assert_eq!(new[top], old[top], "{client}: {top}");
        }
        for server in ["github", "zeta"] {
            assert_eq!(new[key][server], old[key][server], "{client}: {server}");
        }
        let names: Vec<&String> = new[key].as_object().unwrap().keys().collect();
        assert_eq!(names, ["github", "hatchet", "zeta"], "{client}: order kept");
        let ours = &new[key]["hatchet"];
        assert_eq!(
            ours["disabled"], true,
            "{client}: unmanaged keys of our entry are kept"
        );
        assert_eq!(
            ours["env"]["HATCHET_CLIENT_SERVER_URL"],
            "https://self-hosted.example"
        );
        assert_eq!(ours["env"]["HATCHET_MCP_READ_ONLY"], "false");
        assert_eq!(ours["env"]["HATCHET_MCP_TOOLSETS"], "all");
        assert_eq!(
            new["inputs"][0], old["inputs"][0],
            "{client}: other inputs kept"
        );
    }
}

#[test]
fn a_second_install_changes_nothing_and_options_left_out_are_removed() {
    let token = token();
    for client in JSON_CLIENTS {
        let home = Home::new();
        let path = home.config_of(client);
        succeeded(&home.run(&[client, "--read-write"], Some(&token)));
        let first = fs::read_to_string(&path).unwrap();
        let files = home.files();

        let again = succeeded(&home.run(&[client, "--read-write"], Some(&token)));
        assert!(again.contains("nothing was changed"), "{client}: {again}");
        assert_eq!(fs::read_to_string(&path).unwrap(), first);
        assert_eq!(home.files(), files, "{client}: no backup for no change");

        let report = succeeded(&home.run(&[client], Some(&token)));
        assert_eq!(fs::read_to_string(backup_named_in(&report)).unwrap(), first);
        let env = &read_json(&path)[servers_key(client)]["hatchet"]["env"];
        assert!(
            env.get("HATCHET_MCP_READ_ONLY").is_none(),
            "{client}: {env}"
        );

        succeeded(&home.run(&[client, "--name", "hatchet-prod"], Some(&token)));
        let config = read_json(&path);
        let names: Vec<&String> = config[servers_key(client)]
            .as_object()
            .unwrap()
            .keys()
            .collect();
        assert_eq!(names, ["hatchet", "hatchet-prod"], "{client}");
        if client == "vscode" {
            assert_eq!(
                config["inputs"].as_array().unwrap().len(),
                2,
                "one token input per server"
            );
        }
    }
}

#[test]
fn dry_run_shows_a_masked_diff_and_changes_nothing() {
    let token = token();
    for client in JSON_CLIENTS {
        let home = Home::new();
        let fresh = succeeded(&home.run(&[client, "--dry-run"], Some(&token)));
        assert!(
            fresh.contains("--- /dev/null\n+++ ") && fresh.contains(" (new file)\n"),
            "{client}: {fresh}"
        );
        assert!(fresh.contains("+      \"command\": "), "{client}: {fresh}");
        assert!(
            home.files().is_empty(),
            "{client}: a dry run writes nothing"
        );

        let path = home.config_of(client);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        let before = serde_json::to_string(&existing(client)).unwrap();
        fs::write(&path, &before).unwrap();
        let files = home.files();
        let diff = succeeded(&home.run(&[client, "--dry-run", "--read-write"], Some(&token)));
        assert!(diff.contains("nothing was changed"), "{diff}");
        assert!(
            diff.contains(" (now)\n+++ ") && diff.contains(" (after install)\n"),
            "{client}: an existing file is not labelled new: {diff}"
        );
        assert!(
            diff.contains("-{") && diff.contains("+  \"globalShortcut\""),
            "{client}: {diff}"
        );
        assert!(
            diff.contains("\"HATCHET_MCP_READ_ONLY\": \"false\""),
            "{client}: {diff}"
        );
        assert!(
            !diff.contains("ghp_ExistingSecret"),
            "{client}: other servers' secrets are masked: {diff}"
        );
        assert!(diff.contains("[REDACTED]"), "{client}: {diff}");
        assert_eq!(fs::read_to_string(&path).unwrap(), before);
        assert_eq!(home.files(), files);
    }
}

#[test]
fn a_file_that_cannot_be_parsed_is_refused_and_left_alone() {
    let token = token();
    for client in JSON_CLIENTS {
        for (text, problem) in [
            (
                "{\"mcpServers\": {\"a\" 1}}",
                "not valid JSON (expected `:`",
            ),
            ("[1, 2]", "no JSON object at the top level"),
            (
                &*format!("{{\"{}\": []}}", servers_key(client)),
                "is not an object",
            ),
        ] {
            let home = Home::new();
            let path = home.config_of(client);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, text).unwrap();
            let line = refused(&home.run(&[client], Some(&token)));
            assert!(line.contains(&path.display().to_string()), "{line}");
            assert!(
                line.contains(problem) && line.contains("nothing was changed"),
                "{client}: {line}"
            );
            assert_eq!(fs::read_to_string(&path).unwrap(), text);
            assert_eq!(
                home.files(),
                std::slice::from_ref(&path),
                "{client}: no backup, no temp file"
            );
        }
    }
}

#[test]
fn comments_are_read_but_only_dropped_when_asked() {
    let home = Home::new();
    let path = home.config_of("vscode");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    let text = "{\n\t// my servers\n\t\"servers\": {\n\t\t\"a\": {\"command\": \"x\",},\n\t},\n}\n";
    fs::write(&path, text).unwrap();
    let line = refused(&home.run(&["vscode"], None));
    assert!(
        line.contains("has comments (the first on line 2)") && line.contains("--drop-comments"),
        "{line}"
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), text);

    let diff = succeeded(&home.run(&["vscode", "--dry-run"], None));
    assert!(
        diff.contains("-\t// my servers") && diff.contains("Note: "),
        "{diff}"
    );

    let report = succeeded(&home.run(&["vscode", "--drop-comments"], None));
    assert_eq!(fs::read_to_string(backup_named_in(&report)).unwrap(), text);
    let written = fs::read_to_string(&path).unwrap();
    assert!(
        written.starts_with("{\n\t\"servers\": {\n\t\t\"a\": {"),
        "the indent is kept: {written}"
    );
    assert_eq!(read_json(&path)["servers"]["a"], json!({"command": "x"}));
}

#[test]
fn usage_and_token_problems_are_refused_before_anything_is_written() {
    let home = Home::new();
    for (args, problem) in [
        (
            &["cursor", "--toolsets", "runs,taks"][..],
            "--toolsets names unknown toolset `taks`; valid: default, all,",
        ),
        (&["notepad"], "unknown client \"notepad\""),
        (&[], "name the client to set up"),
        (&["cursor", "--run"], "--run is only for claude-code"),
    ] {
        let line = refused(&home.run(args, Some(&token())));
        assert!(line.contains(problem), "{args:?}: {line}");
        assert!(line.contains("run `hatchet-mcp install --help`"), "{line}");
    }
    let line = refused(&home.run(&["claude-desktop"], None));
    assert!(
        line.contains("HATCHET_CLIENT_TOKEN is not set, and Claude Desktop expands no variables, so its file must hold the token itself: set it in this shell first"),
        "{line}"
    );
    let quoted = format!("'Bearer {}'", token());
    succeeded(&home.run(&["claude-desktop"], Some(&quoted)));
    let written = &read_json(&home.config_of("claude-desktop"))["mcpServers"]["hatchet"]["env"];
    assert_eq!(
        written["HATCHET_CLIENT_TOKEN"],
        token(),
        "written as the server would read it"
    );
    fs::remove_file(home.config_of("claude-desktop")).unwrap();
    let line = refused(&home.run(&["claude-desktop"], Some("not-a-jwt")));
    assert!(line.contains("HATCHET_CLIENT_TOKEN is not a JWT"), "{line}");
    assert!(home.files().is_empty());

    let help = succeeded(&home.run(&["--help"], None));
    assert!(
        help.starts_with("Usage: hatchet-mcp install <CLIENT>"),
        "{help}"
    );
}

#[test]
fn config_command_and_args_override_the_defaults() {
    let home = Home::new();
    let path = home.root.join("elsewhere/deep/mcp.json");
    let args = [
        "cursor",
        "--config",
        path.to_str().unwrap(),
        "--command",
        "npx",
        "--arg",
        "-y",
        "--arg",
        "hatchet-mcp",
    ];
    succeeded(&home.run(&args, None));
    let entry = &read_json(&path)["mcpServers"]["hatchet"];
    assert_eq!(
        (&entry["command"], &entry["args"]),
        (&json!("npx"), &json!(["-y", "hatchet-mcp"]))
    );
    assert!(!home.config_of("cursor").exists());
}

#[test]
fn run_from_npx_cache_the_client_is_given_the_npx_line() {
    let home = Home::new();
    // Where npx puts the platform package's binary: ~/.npm/_npx/<hash>/node_modules/...
    let cached = home
        .root
        .join("home/.npm/_npx/0123abcd/node_modules/@hatchet-mcp/linux-x64/bin/hatchet-mcp");
    fs::create_dir_all(cached.parent().unwrap()).unwrap();
    // Never a copy written by this process: a file it holds open for writing is inherited
    // by any process another test forks meanwhile, until that one execs, and running the
    // copy then fails with "Text file busy" (ETXTBSY). A hard link is never open for
    // writing; across file systems, `cp` writes the copy in a process of its own.
    let binary = env!("CARGO_BIN_EXE_hatchet-mcp");
    if fs::hard_link(binary, &cached).is_err() {
        let copied = Command::new("cp")
            .arg(binary)
            .arg(&cached)
            .status()
            .unwrap();
        assert!(copied.success(), "cp {binary}: {copied}");
    }
    let output = home.run_binary(&cached, &["cursor"], None);
    let report = succeeded(&output);
    assert!(report.contains("npx -y hatchet-mcp"), "{report}");
    let entry = &read_json(&home.config_of("cursor"))["mcpServers"]["hatchet"];
    assert_eq!(
        (&entry["command"], &entry["args"]),
        (&json!("npx"), &json!(["-y", "hatchet-mcp"]))
    );
}

#[test]
fn claude_code_gets_a_line_to_run_with_the_token_as_a_reference() {
    let home = Home::new();
    let exe = env!("CARGO_BIN_EXE_hatchet-mcp");
    let out = succeeded(&home.run(&["claude-code", "--read-write"], Some(&token())));
    let line = out
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with("claude mcp add"))
        .unwrap();
    // Quoted, so the shell passes the reference, not the token, and Claude Code keeps it.
    assert_eq!(
        line,
        format!(
            "claude mcp add hatchet -e 'HATCHET_CLIENT_TOKEN=${{HATCHET_CLIENT_TOKEN}}' -e HATCHET_MCP_READ_ONLY=false -- {exe}"
        )
    );
    let out = succeeded(&home.run(
        &[
            "claude-code",
            "--scope",
            "project",
            "--name",
            "hatchet-prod",
        ],
        None,
    ));
    assert!(
        out.contains(
            "claude mcp add --scope project hatchet-prod -e 'HATCHET_CLIENT_TOKEN=${HATCHET_CLIENT_TOKEN}' -- hatchet-mcp\n"
        ),
        "{out}"
    );
    assert!(home.files().is_empty());
}

/// A `claude` that logs its arguments, whether its environment holds the token, and the
/// command line any process could read of it (`/proc/<pid>/cmdline`), and echoes its
/// arguments back (which the report must redact); `mcp add` fails when FAIL_ADD is in its
/// directory.
fn fake_claude(home: &Home) -> PathBuf {
    let script = home.root.join("bin/claude");
    let log = home.root.join("claude.log");
    write_executable(
        &script,
        &format!(
            "#!/bin/sh\nprintf '%s|env=%s|cmdline=%s\\n' \"$*\" \"${{HATCHET_CLIENT_TOKEN:+set}}\" \"$(tr '\\0' ' ' < /proc/$$/cmdline)\" >> '{log}'\n\
             echo \"claude was given: $*\"\n\
             if [ \"$2\" = remove ]; then exit 1; fi\n\
             if [ -e \"$(dirname \"$0\")/FAIL_ADD\" ]; then echo 'add failed' >&2; exit 3; fi\n",
            log = log.display()
        ),
    );
    log
}

/// Writes an executable file from a child process: a file this process held open for
/// writing would be inherited by any process another test forks meanwhile, until that one
/// execs, and running the file then fails with "Text file busy" (ETXTBSY).
fn write_executable(path: &Path, text: &str) {
    let mut writer = Command::new("sh")
        .args(["-c", "cat > \"$1\" && chmod 755 \"$1\"", "sh"])
        .arg(path)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    writer
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    assert!(
        writer.wait().unwrap().success(),
        "writing {}",
        path.display()
    );
}

#[test]
fn claude_code_run_never_puts_the_token_on_a_command_line() {
    let home = Home::new();
    let log = fake_claude(&home);
    let token = token();
    let exe = env!("CARGO_BIN_EXE_hatchet-mcp");
    let out = succeeded(&home.run(&["claude-code", "--run", "--scope", "user"], Some(&token)));
    assert!(
        out.contains("Added server `hatchet` in Claude Code (user scope)"),
        "{out}"
    );
    assert!(
        out.contains("claude was given: mcp add --scope user hatchet -e HATCHET_CLIENT_TOKEN=${HATCHET_CLIENT_TOKEN}"),
        "{out}"
    );
    assert!(out.contains("expands ${HATCHET_CLIENT_TOKEN}"), "{out}");
    let calls = fs::read_to_string(&log).unwrap();
    assert_no_piece_of(&token, &calls);
    let args: Vec<&str> = calls
        .lines()
        .map(|line| line.split('|').next().unwrap())
        .collect();
    assert_eq!(
        args,
        [
            "mcp remove --scope user hatchet".to_owned(),
            format!(
                "mcp add --scope user hatchet -e HATCHET_CLIENT_TOKEN=${{HATCHET_CLIENT_TOKEN}} -- {exe}"
            ),
        ],
        "the entry refers to the variable; the token is in no argument"
    );
    if Path::new("/proc/self/cmdline").exists() {
        assert!(calls.contains("|cmdline=/bin/sh "), "{calls}");
    }

    // The token need not be set here to add the entry; the report says it must be where
    // Claude Code starts.
    let out = succeeded(&home.run(&["claude-code", "--run"], None));
    assert!(
        out.contains("HATCHET_CLIENT_TOKEN is not set in this shell either"),
        "{out}"
    );

    fs::write(home.root.join("bin/FAIL_ADD"), "").unwrap();
    let failed = home.run(&["claude-code", "--run"], Some(&token));
    assert_eq!(failed.status.code(), Some(1), "{}", stderr(&failed));
    assert!(
        stderr(&failed).contains("`claude mcp add` failed"),
        "{}",
        stderr(&failed)
    );
}
