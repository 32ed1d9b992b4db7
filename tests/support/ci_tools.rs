//! The checkers `bash scripts/ci-tools.sh` installs into target/ci-tools (or
//! `$HATCHET_MCP_CI_TOOLS`), and the one way a test says it cannot use one: a `SKIPPED`
//! line on stderr outside CI, a failure under `CI=true`.

use std::{
    io::Write,
    path::{Path, PathBuf},
};

use super::contract::in_ci;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

pub fn tools_dir() -> PathBuf {
    std::env::var_os("HATCHET_MCP_CI_TOOLS")
        .filter(|dir| !dir.is_empty())
        .map_or_else(|| root().join("target/ci-tools"), PathBuf::from)
}

/// An `<area>: SKIPPED` line, written to stderr itself rather than through `eprintln!`,
/// which the test harness captures: a plain `cargo test` shows it. Under CI a skip fails.
pub fn skipped(area: &str, why: &str) {
    let message = format!("{area}: SKIPPED: {why}");
    assert!(!in_ci(), "{message} (CI=true makes this a failure)");
    let _ = std::io::stderr().write_all(format!("{message}\n").as_bytes());
}

/// A file under the tools directory, if it is there; else says so (see [`skipped`]).
pub fn tool(area: &str, relative: &str) -> Option<PathBuf> {
    let path = tools_dir().join(relative);
    if path.exists() {
        Some(path)
    } else {
        skipped(
            area,
            &format!(
                "{} is missing; run `bash scripts/ci-tools.sh` first",
                path.display()
            ),
        );
        None
    }
}
