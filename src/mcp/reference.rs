//! The tool reference, rendered from the live registry: `docs/tools.md` and the README's
//! tool table. A test fails when the committed files differ from what this renders, so the
//! docs cannot drift from the code.

use serde_json::Value;

use super::{
    args::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT},
    summary::MAX_SUMMARY_TEXT_CHARS,
    tools::ToolSpec,
};

/// `docs/tools.md`.
pub fn tools_markdown(tools: &[ToolSpec]) -> String {
    let mut out = format!(
        "# Tool reference\n\n\
         <!-- Generated from the tool registry by `UPDATE_DOCS=1 cargo test --test suite docs::`; do not edit by hand. -->\n\n\
         Every tool returns one text block of compact JSON, or an `isError` result whose text says what went wrong and what to try.\n\
         Ids are UUIDs, checked before anything is sent; a `workflow_ids` filter takes workflow names as well (looked up once a minute, namespace applied). Times (`since`, `until`) take RFC 3339 with any offset, or a duration ago (`90m`, `6h`, `7d`).\n\
         Paged lists take `limit` (1 to {MAX_PAGE_LIMIT}, default {DEFAULT_PAGE_LIMIT}) and `offset` (default 0) and answer with `next_offset` (`null` on the last page).\n\
         Lists answer summary rows: the keys each tool's \"Summary rows\" names, taken from the API's field in brackets, with empty values, zeros and `false` left out where they say nothing, times to the second, and texts over {MAX_SUMMARY_TEXT_CHARS} characters cut in the middle (a `note` then says where to read them whole). `detail: \"full\"` returns the API's rows whole instead.\n\
         `tools/list` lists `detail`, `limit` (without its bounds) and `offset` in each list tool's schema without descriptions (the server's instructions describe them once); the tables below show them whole.\n",
    );
    for (heading, mutating) in [
        ("Read tools (always registered)", false),
        (
            "Mutating tools (registered only when HATCHET_MCP_READ_ONLY=false)",
            true,
        ),
    ] {
        let group: Vec<&ToolSpec> = tools
            .iter()
            .filter(|t| t.is_mutating() == mutating)
            .collect();
        if group.is_empty() {
            continue;
        }
        out.push_str(&format!("\n## {heading}\n"));
        for tool in group {
            out.push_str(&tool_section(tool));
        }
    }
    out
}

fn tool_section(tool: &ToolSpec) -> String {
    let (read_only, destructive, idempotent) = tool.effect.hints();
    let group = tool.group.name();
    let toolset = if tool.in_default {
        format!("`{group}`, in the default toolset")
    } else {
        format!("`{group}`, opt-in: HATCHET_MCP_TOOLSETS={group} (or all) registers it")
    };
    let mut out = format!(
        "\n### `{}`: {}\n\n{}\n\n- REST: `{}`\n- Group: {toolset}\n- Annotations: readOnly={read_only}, destructive={destructive}, idempotent={idempotent}, openWorld=true\n",
        tool.name, tool.title, tool.description, tool.rest
    );
    if let Some(summary) = tool.summary {
        out.push_str(&format!("- Summary rows: {}\n", summary.describe()));
    }
    if let Some(view) = super::tools::answer_view(&tool.name) {
        out.push_str(&format!("- Answer: {view}\n"));
    }
    let properties = tool
        .input_schema
        .get("properties")
        .and_then(Value::as_object);
    let Some(properties) = properties.filter(|p| !p.is_empty()) else {
        out.push_str("- Arguments: none\n");
        return out;
    };
    let required: Vec<&str> = tool
        .input_schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    out.push_str("\n| argument | type | required | default | allowed | description |\n|---|---|---|---|---|---|\n");
    for (name, schema) in properties {
        out.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} |\n",
            type_name(name, schema),
            if required.contains(&name.as_str()) {
                "yes"
            } else {
                "no"
            },
            default_of(name, schema).map_or(String::new(), |d| match d {
                Value::String(text) => format!("`{text}`"),
                other => format!("`{other}`"),
            }),
            allowed(schema),
            schema
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .replace('|', "\\|"),
        ));
    }
    out
}

/// The default, including those the published schema leaves out to save context: paging
/// defaults (stated once in the instructions) and `false` for flags.
fn default_of(name: &str, schema: &Value) -> Option<Value> {
    if let Some(default) = schema.get("default") {
        return Some(default.clone());
    }
    let is_page_limit =
        name == "limit" && schema.get("maximum") == Some(&Value::from(MAX_PAGE_LIMIT));
    match schema.get("type").and_then(Value::as_str) {
        Some("boolean") => Some(Value::Bool(false)),
        Some("integer") if is_page_limit => Some(DEFAULT_PAGE_LIMIT.into()),
        Some("integer") if name == "offset" => Some(0.into()),
        Some("string") if name == "detail" => Some("summary".into()),
        _ => None,
    }
}

/// Ids are plain strings in the schema (the `_id` names say it); the docs spell it out.
fn type_name(name: &str, schema: &Value) -> String {
    let kind = schema.get("type").and_then(Value::as_str).unwrap_or("any");
    match kind {
        "string" if name.ends_with("_id") => "uuid".into(),
        "array" if name.ends_with("_ids") => "uuid[]".into(),
        "array" => format!(
            "{}[]",
            schema
                .get("items")
                .and_then(|i| i.get("type"))
                .and_then(Value::as_str)
                .unwrap_or("any")
        ),
        "object" if schema.get("additionalProperties").is_some() => "object of strings".into(),
        other => other.into(),
    }
}

fn allowed(schema: &Value) -> String {
    let values = schema
        .get("enum")
        .or_else(|| schema.get("items").and_then(|i| i.get("enum")));
    if let Some(values) = values.and_then(Value::as_array) {
        return values
            .iter()
            .filter_map(Value::as_str)
            .map(|v| format!("`{v}`"))
            .collect::<Vec<_>>()
            .join(" ");
    }
    match (schema.get("minimum"), schema.get("maximum")) {
        (Some(min), Some(max)) => format!("{min}..={max}"),
        (Some(min), None) => format!(">= {min}"),
        _ => String::new(),
    }
}

/// The README's tool table (between its `<!-- tools:start -->` and `<!-- tools:end -->`).
pub fn readme_table(tools: &[ToolSpec]) -> String {
    let mut out = String::from(
        "| tool | group | registered | what it returns | REST call |\n|---|---|---|---|---|\n",
    );
    for tool in tools {
        let registered = match (tool.in_default, tool.is_mutating()) {
            (true, false) => "always",
            (true, true) => "read-write",
            (false, false) => "opt-in",
            (false, true) => "opt-in, read-write",
        };
        out.push_str(&format!(
            "| `{}` | {} | {registered} | {} | `{}` |\n",
            tool.name,
            tool.group.name(),
            tool.description.replace('|', "\\|"),
            tool.rest
        ));
    }
    out
}
