//! Adding or replacing our server entry in a client's configuration, leaving everything
//! else as it was: other servers, other top-level keys, and the keys of our own entry that
//! we do not manage (a client's `disabled` or `alwaysAllow`, a HATCHET_CLIENT_SERVER_URL
//! the user added by hand).

use serde_json::{Map, Value, json};

/// The server entry we write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// VS Code wants `"type": "stdio"`; the others infer it from `command`.
    pub stdio_type: bool,
    pub command: String,
    pub args: Vec<String>,
    /// Variables we manage: `Some` sets one, `None` removes it (an earlier `--read-write`
    /// must not outlive a later install without it).
    pub env: Vec<(&'static str, Option<String>)>,
}

/// Sets `servers_key.name` in `doc` to `entry`.
pub fn upsert_server(
    doc: &mut Value,
    servers_key: &str,
    name: &str,
    entry: &Entry,
) -> Result<(), String> {
    let server = server_object(doc, servers_key, name)?;
    if entry.stdio_type {
        server.insert("type".into(), json!("stdio"));
    }
    server.insert("command".into(), json!(entry.command));
    if entry.args.is_empty() {
        server.shift_remove("args");
    } else {
        server.insert("args".into(), json!(entry.args));
    }
    let env = child_object(server, "env")
        .map_err(|problem| format!("`{servers_key}.{name}`: {problem}"))?;
    for (key, value) in &entry.env {
        match value {
            Some(value) => env.insert((*key).into(), json!(value)),
            None => env.shift_remove(*key),
        };
    }
    Ok(())
}

/// `servers_key.name` in `doc`, created empty if absent.
pub fn server_object<'a>(
    doc: &'a mut Value,
    servers_key: &str,
    name: &str,
) -> Result<&'a mut Map<String, Value>, String> {
    let servers = child_object(top_level(doc)?, servers_key)?;
    let server = servers
        .entry(name)
        .or_insert_with(|| Value::Object(Map::new()));
    match server {
        Value::Object(server) => Ok(server),
        _ => Err(format!("`{servers_key}.{name}` is not an object")),
    }
}

/// Adds (or replaces, by id) a VS Code `promptString` input that asks for a password.
pub fn upsert_secret_input(doc: &mut Value, id: &str, description: &str) -> Result<(), String> {
    let top = top_level(doc)?;
    let inputs = top.entry("inputs").or_insert_with(|| json!([]));
    let Value::Array(inputs) = inputs else {
        return Err("`inputs` is not an array".to_owned());
    };
    let input = json!({
        "type": "promptString",
        "id": id,
        "description": description,
        "password": true,
    });
    match inputs.iter_mut().find(|i| i.get("id") == Some(&json!(id))) {
        Some(existing) => *existing = input,
        None => inputs.push(input),
    }
    Ok(())
}

fn top_level(doc: &mut Value) -> Result<&mut Map<String, Value>, String> {
    doc.as_object_mut()
        .ok_or_else(|| "the file holds no JSON object at the top level".to_owned())
}

/// The object under `key`, created if absent.
fn child_object<'a>(
    parent: &'a mut Map<String, Value>,
    key: &str,
) -> Result<&'a mut Map<String, Value>, String> {
    let child = parent
        .entry(key)
        .or_insert_with(|| Value::Object(Map::new()));
    child
        .as_object_mut()
        .ok_or_else(|| format!("`{key}` is not an object"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(env: Vec<(&'static str, Option<String>)>) -> Entry {
        Entry {
            stdio_type: false,
            command: "/bin/hatchet-mcp".into(),
            args: vec![],
            env,
        }
    }

    #[test]
    fn keeps_other_servers_keys_and_unmanaged_parts_of_our_entry() {
        let mut doc = json!({
            "theme": "dark",
            "mcpServers": {
                "other": {"command": "x"},
                "hatchet": {"command": "old", "args": ["a"], "disabled": true,
                            "env": {"HATCHET_CLIENT_SERVER_URL": "https://h", "HATCHET_MCP_READ_ONLY": "false"}}
            }
        });
        let ours = entry(vec![
            (
                "HATCHET_CLIENT_TOKEN",
                Some("${env:HATCHET_CLIENT_TOKEN}".into()),
            ),
            ("HATCHET_MCP_READ_ONLY", None),
        ]);
        upsert_server(&mut doc, "mcpServers", "hatchet", &ours).unwrap();
        assert_eq!(
            doc,
            json!({
                "theme": "dark",
                "mcpServers": {
                    "other": {"command": "x"},
                    "hatchet": {"command": "/bin/hatchet-mcp", "disabled": true,
                                "env": {"HATCHET_CLIENT_SERVER_URL": "https://h",
                                        "HATCHET_CLIENT_TOKEN": "${env:HATCHET_CLIENT_TOKEN}"}}
                }
            })
        );
    }

    #[test]
    fn refuses_shapes_it_cannot_merge_into() {
        let ours = entry(vec![]);
        for (mut doc, problem) in [
            (json!([]), "no JSON object"),
            (json!({"mcpServers": []}), "`mcpServers` is not an object"),
            (
                json!({"mcpServers": {"hatchet": 1}}),
                "`mcpServers.hatchet` is not an object",
            ),
            (
                json!({"mcpServers": {"hatchet": {"env": 1}}}),
                "`env` is not an object",
            ),
        ] {
            let error = upsert_server(&mut doc, "mcpServers", "hatchet", &ours).unwrap_err();
            assert!(error.contains(problem), "{error}");
        }
    }

    #[test]
    fn a_secret_input_is_replaced_by_id() {
        let mut doc = json!({"inputs": [{"id": "other"}, {"id": "hatchet-token", "type": "x"}]});
        upsert_secret_input(&mut doc, "hatchet-token", "Hatchet API token").unwrap();
        upsert_secret_input(&mut doc, "hatchet-token", "Hatchet API token").unwrap();
        assert_eq!(doc["inputs"].as_array().unwrap().len(), 2);
        assert_eq!(doc["inputs"][1]["password"], true);
    }
}
