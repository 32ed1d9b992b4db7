//! The committed tool reference must be what the registry renders now.
//! Regenerate with `UPDATE_DOCS=1 cargo test --test suite docs::`.

use std::{fs, path::Path};

use hatchet_mcp::mcp::{reference, tools};

const START: &str = "<!-- tools:start -->\n";
const END: &str = "<!-- tools:end -->";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn updating() -> bool {
    std::env::var_os("UPDATE_DOCS").is_some()
}

#[test]
fn docs_tools_md_matches_the_registry() {
    let rendered = reference::tools_markdown(&tools::all());
    let path = root().join("docs/tools.md");
    if updating() {
        fs::write(&path, &rendered).unwrap();
    }
    let committed = fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == rendered,
        "docs/tools.md is stale: run `UPDATE_DOCS=1 cargo test --test suite docs::`"
    );
}

#[test]
fn readme_tool_table_matches_the_registry() {
    let path = root().join("README.md");
    let readme = fs::read_to_string(&path).unwrap();
    let start = readme.find(START).expect("README has a tools:start marker") + START.len();
    let end = readme.find(END).expect("README has a tools:end marker");
    let rendered = reference::readme_table(&tools::all());
    if updating() {
        fs::write(
            &path,
            format!("{}{rendered}{}", &readme[..start], &readme[end..]),
        )
        .unwrap();
        return;
    }
    assert!(
        readme[start..end] == rendered,
        "README tool table is stale: run `UPDATE_DOCS=1 cargo test --test suite docs::`"
    );
}

#[test]
fn the_configuration_page_documents_every_team_mode_variable() {
    let page = fs::read_to_string(root().join("docs/configuration.md")).unwrap();
    for (name, _) in hatchet_mcp::config::TEAM_VARIABLES {
        assert!(
            page.contains(&format!("| `{name}` |")),
            "docs/configuration.md has no row for {name}"
        );
    }
}
