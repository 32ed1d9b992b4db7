//! Schema snapshots: every tool's full definition (name, description, input schema,
//! annotations) as `tools/list` shows it. A change to any of them fails here until the
//! snapshot under tests/snapshots/ is reviewed and updated (`INSTA_UPDATE=always cargo test`
//! or `cargo insta review`).

use hatchet_mcp::mcp::tools;
use serde_json::Value;

#[test]
fn every_tool_definition_matches_its_snapshot() {
    for tool in tools::all() {
        insta::assert_json_snapshot!(tool.name.as_ref(), tool.to_mcp());
    }
}

#[test]
fn schemas_are_flat() {
    fn walk(value: &Value, tool: &str) {
        if let Value::Object(map) = value {
            for banned in ["$ref", "$defs", "$schema", "anyOf", "oneOf", "allOf"] {
                assert!(
                    !map.contains_key(banned),
                    "{tool}: `{banned}` in its schema"
                );
            }
            map.values().for_each(|v| walk(v, tool));
        }
    }
    for tool in tools::all() {
        let schema = Value::Object((*tool.input_schema).clone());
        walk(&schema, &tool.name);
        assert_eq!(schema["type"], "object", "{}", tool.name);
        // Every limit says its range; `offset` is a bare integer on purpose (see args.rs).
        if let Some(limit) = schema["properties"].get("limit") {
            let bounded = limit.get("minimum").is_some() && limit.get("maximum").is_some();
            assert!(bounded, "{}: limit without minimum/maximum", tool.name);
        }
    }
}
