//! The Helm chart (`deploy/helm/hatchet-mcp`), offline: `helm lint`, `helm template` (with
//! and without the autoscaler), every rendered object checked against Kubernetes' schemas
//! by kubernetes-validate, and the promises it keeps: non-root, a read-only filesystem,
//! probes on /healthz and /readyz, the upstream required, no token anywhere.

use std::{
    path::{Path, PathBuf},
    process::{Command, Output},
};

use crate::support::ci_tools;

fn chart() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy/helm/hatchet-mcp")
}

fn run(command: &mut Command) -> Output {
    command
        .output()
        .unwrap_or_else(|e| panic!("{command:?}: {e}"))
}

fn ok(output: &Output) -> String {
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

const UPSTREAM: &str = "hatchet.serverUrl=http://hatchet-api.hatchet.svc:8080";

#[test]
fn the_chart_lints_renders_and_validates_offline() {
    let (Some(helm), Some(validate)) = (
        ci_tools::tool("team_http", "helm/bin/helm"),
        ci_tools::tool("team_http", "venv/bin/kubernetes-validate"),
    ) else {
        return;
    };
    let home = tempfile_dir();
    let helm = |args: &[&str]| {
        let mut command = Command::new(&helm);
        command
            .args(args)
            // No repositories, no cache of the user's: offline and self-contained.
            .env("HELM_CACHE_HOME", home.join("cache"))
            .env("HELM_CONFIG_HOME", home.join("config"))
            .env("HELM_DATA_HOME", home.join("data"));
        run(&mut command)
    };
    let chart = chart();
    let chart = chart.to_str().unwrap();
    ok(&helm(&["lint", "--strict", chart, "--set", UPSTREAM]));

    let refused = helm(&["template", "team", chart]);
    assert!(
        !refused.status.success(),
        "rendered without hatchet.serverUrl"
    );
    assert!(String::from_utf8_lossy(&refused.stderr).contains("hatchet.serverUrl is required"));

    for extra in [
        &[][..],
        &[
            "--set",
            "autoscaling.enabled=true",
            "--set",
            "readOnly=false",
        ],
    ] {
        let mut args = vec!["template", "team", chart, "--set", UPSTREAM];
        args.extend_from_slice(extra);
        let rendered = ok(&helm(&args));
        let file = home.join("rendered.yaml");
        std::fs::write(&file, &rendered).unwrap();
        ok(&run(
            Command::new(&validate).args(["--strict", file.to_str().unwrap()])
        ));
        for promise in [
            "kind: Deployment",
            "kind: Service",
            "runAsNonRoot: true",
            "readOnlyRootFilesystem: true",
            "allowPrivilegeEscalation: false",
            "path: /healthz",
            "path: /readyz",
            r#"args: ["serve", "--http", "0.0.0.0:8080"]"#,
            "value: \"http://hatchet-api.hatchet.svc:8080\"",
            "automountServiceAccountToken: false",
        ] {
            assert!(
                rendered.contains(promise),
                "missing {promise:?} in:\n{rendered}"
            );
        }
        assert!(!rendered.contains("HATCHET_CLIENT_TOKEN"), "{rendered}");
        assert_eq!(
            rendered.contains("kind: HorizontalPodAutoscaler"),
            !extra.is_empty(),
            "{rendered}"
        );
    }
}

/// A fresh directory under target/ for helm's homes and the rendered file.
fn tempfile_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/team-http-chart")
        .join(std::process::id().to_string());
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
