//! What the benches share. A folder module, not a bench: cargo takes `benches/*.rs` and
//! `benches/*/main.rs` as benches, never `benches/*/mod.rs`.

use std::path::Path;

pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary as `cargo build --release --locked` (and `cargo install`) makes it. The one
/// cargo built beside a bench is not it: a bench is built with its dev-dependencies'
/// features (tokio's multi-thread runtime, rmcp's client, ...), which makes the binary
/// larger and slower to start. So it is built again here, in place.
pub fn release_binary() -> String {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = std::process::Command::new(cargo)
        .args(["build", "--release", "--locked", "--bin", "hatchet-mcp"])
        .current_dir(root())
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build --release failed");
    env!("CARGO_BIN_EXE_hatchet-mcp").to_owned()
}

/// Puts `section`, which begins with `start` and ends with `end`, in place of the one
/// between those markers in `docs/benchmark.md`, or at its end when it has none.
pub fn write_section(start: &str, end: &str, section: &str) {
    let path = root().join("docs/benchmark.md");
    let page = std::fs::read_to_string(&path).unwrap_or_default();
    let page = match (page.find(start), page.find(end)) {
        (Some(from), Some(to)) => {
            format!("{}{section}{}", &page[..from], &page[to + end.len()..])
        }
        _ => format!("{}\n\n{section}\n", page.trim_end()),
    };
    std::fs::write(&path, page).expect("write docs/benchmark.md");
}
