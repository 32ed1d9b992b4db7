//! Every dependency in `src/` points downward: each module imports only from its own layer
//! or those below it (docs/architecture.md draws them). Read from the source text: every
//! `crate::`, `super::` and `self::` path outside comments and unit tests, braces expanded,
//! resolved to the module file it names.

use std::{
    collections::BTreeSet,
    path::{Path, PathBuf},
};

/// The layers from the bottom up, each a list of module paths (a module belongs to the
/// layer of its longest listed prefix). The same table as docs/architecture.md's.
const LAYERS: [(&str, &[&str]); 7] = [
    ("the base", &["redact", "text", "token", "work"]),
    ("settings", &["config", "toolsets"]),
    ("the REST client", &["hatchet"]),
    (
        "the kit",
        &[
            "mcp/registry",
            "mcp/args",
            "mcp/output",
            "mcp/summary",
            "mcp/dashboard",
        ],
    ),
    (
        "the catalogue",
        &[
            "mcp/tools",
            "mcp/prompts",
            "mcp/resources",
            "mcp/reference",
            "mcp/workflow_tools",
            "mcp/workflow_names",
            "mcp/tasks",
            "mcp/apps",
        ],
    ),
    ("the MCP front", &["mcp"]),
    (
        "entry points",
        &[
            "main", "lib", "check", "install", "setup", "logging", "http",
        ],
    ),
];

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The layer of a module path (`mcp/tools/runs`), as an index into [`LAYERS`].
fn layer_of(module: &str) -> usize {
    let mut best: Option<(usize, usize)> = None;
    for (index, (_, prefixes)) in LAYERS.iter().enumerate() {
        for prefix in *prefixes {
            let under = module == *prefix || module.starts_with(&format!("{prefix}/"));
            if under && best.is_none_or(|(_, len)| prefix.len() > len) {
                best = Some((index, prefix.len()));
            }
        }
    }
    best.unwrap_or_else(|| panic!("module {module} is in no layer: add it to LAYERS"))
        .0
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `src/mcp/tools/mod.rs` -> `mcp/tools`; `src/lib.rs` -> `lib`.
fn module_of(file: &Path) -> String {
    let relative = file.strip_prefix(src()).unwrap().with_extension("");
    let text = relative.to_string_lossy().replace('\\', "/");
    text.strip_suffix("/mod")
        .map_or(text.clone(), str::to_owned)
}

fn is_module(path: &str) -> bool {
    let root = src();
    root.join(format!("{path}.rs")).exists() || root.join(path).join("mod.rs").exists()
}

/// The longest prefix of `segments` that names a module file.
fn resolve(segments: &[String]) -> Option<String> {
    (1..=segments.len())
        .rev()
        .map(|n| segments[..n].join("/"))
        .find(|path| is_module(path))
}

/// The source without comments and without a trailing `#[cfg(test)] mod tests { ... }`.
fn code_of(text: &str) -> String {
    let text = match text.find("#[cfg(test)]\nmod tests {") {
        Some(at) => &text[..at],
        None => text,
    };
    text.lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every path a `use` or an expression names after `start` (`crate::`, `super::`, ...):
/// `a::{b, c::{d}}` gives `a/b` and `a/c/d`.
fn paths_after(code: &str, start: usize) -> Vec<Vec<String>> {
    let bytes = code.as_bytes();
    let mut end = start;
    let mut depth = 0;
    while end < bytes.len() {
        match bytes[end] {
            b'{' => depth += 1,
            b'}' if depth == 0 => break,
            b'}' => depth -= 1,
            c if depth == 0 && !(c.is_ascii_alphanumeric() || c == b'_' || c == b':') => break,
            _ => {}
        }
        end += 1;
    }
    let mut out = Vec::new();
    expand(&[], &code[start..end], &mut out);
    out
}

fn expand(prefix: &[String], text: &str, out: &mut Vec<Vec<String>>) {
    let mut parts = Vec::new();
    let (mut depth, mut from) = (0, 0);
    for (at, c) in text.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&text[from..at]);
                from = at + 1;
            }
            _ => {}
        }
    }
    parts.push(&text[from..]);
    for part in parts.into_iter().map(str::trim).filter(|p| !p.is_empty()) {
        let (head, group) = match part.find('{') {
            Some(at) if part.ends_with('}') => (&part[..at], Some(&part[at + 1..part.len() - 1])),
            _ => (part, None),
        };
        let mut path = prefix.to_vec();
        path.extend(
            head.split("::")
                .filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_lowercase() || c == '_'))
                .map(str::to_owned),
        );
        match group {
            Some(group) => expand(&path, group, out),
            None => out.push(path),
        }
    }
}

/// Every (module, module it imports) edge of `src/`.
fn edges() -> BTreeSet<(String, String)> {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut edges = BTreeSet::new();
    for file in files {
        if file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let module = module_of(&file);
        let is_root = module == "lib" || module == "main";
        let this: Vec<String> = if is_root {
            Vec::new()
        } else {
            module.split('/').map(str::to_owned).collect()
        };
        let code = code_of(&std::fs::read_to_string(&file).unwrap());
        for (keyword, base) in [
            ("crate::", Vec::new()),
            ("super::", this[..this.len().saturating_sub(1)].to_vec()),
            ("self::", this.clone()),
        ] {
            for (at, _) in code.match_indices(keyword) {
                let word_start = at == 0 || {
                    let before = code.as_bytes()[at - 1];
                    !(before.is_ascii_alphanumeric() || before == b'_' || before == b':')
                };
                if !word_start {
                    continue;
                }
                for mut path in paths_after(&code, at + keyword.len()) {
                    path.splice(0..0, base.iter().cloned());
                    if let Some(target) = resolve(&path)
                        && target != module
                    {
                        edges.insert((module.clone(), target));
                    }
                }
            }
        }
    }
    edges
}

#[test]
fn every_dependency_points_downward() {
    let edges = edges();
    let upward: Vec<String> = edges
        .iter()
        .filter(|(from, to)| layer_of(to) > layer_of(from))
        .map(|(from, to)| {
            format!(
                "{from} ({}) imports {to} ({})",
                LAYERS[layer_of(from)].0,
                LAYERS[layer_of(to)].0
            )
        })
        .collect();
    assert!(upward.is_empty(), "{}", upward.join("\n"));
    // The reading finds what it should: the catalogue uses the kit, the kit the client.
    for (from, to) in [
        ("mcp/tools/runs", "mcp/registry"),
        ("mcp/registry", "hatchet"),
    ] {
        assert!(
            edges.contains(&(from.to_owned(), to.to_owned())),
            "{from} -> {to} not found"
        );
    }
}

#[test]
fn settings_and_the_client_import_nothing_of_mcp_or_config() {
    let edges = edges();
    let offending: Vec<&(String, String)> = edges
        .iter()
        .filter(|(from, to)| {
            let settings = layer_of(from) <= 1 && to.starts_with("mcp");
            let client = from.starts_with("hatchet") && to.starts_with("config");
            settings || client
        })
        .collect();
    assert!(offending.is_empty(), "{offending:?}");
}
