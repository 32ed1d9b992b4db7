//! The audit line every mutating call writes to stderr (target `audit`): which tool, which
//! targets, preview or execute, the outcome and how long it took.

use std::time::Instant;

use serde_json::Value;

use super::{ToolError, ToolResult};
use crate::{
    hatchet::Client,
    mcp::{args::JsonObject, output::Answer},
};

/// One mutating call's audit line. Written when the call ends, or, if the client cancels
/// it first (the call's task is dropped mid-request), on drop with outcome `cancelled`:
/// such a call may have reached Hatchet, so it must leave a line too.
pub(super) struct AuditLine {
    tool: String,
    /// Already escaped, bounded and redacted.
    targets: String,
    started: Instant,
    finished: bool,
}

impl AuditLine {
    pub(super) fn start(tool: &str, arguments: Option<&JsonObject>, client: &Client) -> Self {
        Self {
            tool: tool.to_owned(),
            targets: audit_targets(arguments, client),
            started: Instant::now(),
            finished: false,
        }
    }

    /// Writes the line for a call that ended with `result`.
    pub(super) fn finish(mut self, result: &ToolResult) {
        let outcome = match result {
            Ok(_) => "ok",
            Err(ToolError::Args(_)) => "invalid_arguments",
            Err(ToolError::OutcomeUnknown { .. }) => "unknown",
            Err(_) => "error",
        };
        // A bulk tool that only previewed (by default, or refusing a stale confirm) says so
        // in its answer.
        let previewed = matches!(result, Ok(Answer::Item(answer)) if answer.get("executed") == Some(&Value::Bool(false)));
        self.write(if previewed { "preview" } else { "execute" }, outcome);
    }

    fn write(&mut self, phase: &str, outcome: &str) {
        self.finished = true;
        let duration_ms = self.started.elapsed().as_millis() as u64;
        tracing::info!(target: "audit", tool = self.tool, phase, targets = %self.targets, outcome, duration_ms, "mutating call");
    }
}

impl Drop for AuditLine {
    fn drop(&mut self) {
        if !self.finished {
            self.write("execute", "cancelled");
        }
    }
}

/// The most characters of one audit value, and of all targets together.
const AUDIT_VALUE_CHARS: usize = 120;
const AUDIT_TARGETS_CHARS: usize = 2_000;

/// A value as an audit line shows it: redacted, control characters escaped (a newline in
/// an argument cannot forge a second line), then cut to [`AUDIT_VALUE_CHARS`].
fn audit_value(text: &str, client: &Client) -> String {
    let escaped: String = client
        .redact(text)
        .chars()
        .flat_map(|c| {
            if c.is_control() {
                c.escape_default().collect::<Vec<_>>()
            } else {
                vec![c]
            }
        })
        .collect();
    crate::text::cut(&escaped, AUDIT_VALUE_CHARS)
}

/// What an audit line names as the call's targets: ids, workflow names and event keys, never
/// payload contents. Long id lists are cut, with the count.
fn audit_targets(arguments: Option<&JsonObject>, client: &Client) -> String {
    const SHOWN: usize = 20;
    let mut targets = Vec::new();
    for (name, value) in arguments.into_iter().flatten() {
        let is_target = name.ends_with("_id")
            || name.ends_with("_ids")
            || name == "workflow_name"
            || name == "key";
        if !is_target {
            continue;
        }
        let items = match value {
            Value::Array(items) => items.as_slice(),
            single => std::slice::from_ref(single),
        };
        // Only the values shown are formatted: a call may name hundreds of ids.
        let mut shown = items
            .iter()
            .take(SHOWN)
            .map(|v| {
                audit_value(
                    &v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                    client,
                )
            })
            .collect::<Vec<_>>()
            .join(",");
        let more = items.len().saturating_sub(SHOWN);
        if more > 0 {
            shown.push_str(&format!(",+{more} more"));
        }
        targets.push(format!("{}={shown}", audit_value(name, client)));
    }
    if targets.is_empty() {
        "filter".to_owned()
    } else {
        crate::text::cut(&targets.join(" "), AUDIT_TARGETS_CHARS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mcp::registry::tests::context;

    #[test]
    fn audit_targets_cannot_forge_lines_and_are_bounded() {
        let arguments = serde_json::json!({
            "workflow_name": "etl\n2026-01-01T00:00:00Z INFO audit: forged\u{1b}[31m",
            "run_ids": vec!["r".repeat(10_000); 600],
        });
        let targets = audit_targets(arguments.as_object(), &context(false).client);
        assert!(
            !targets.contains('\n') && !targets.contains('\u{1b}'),
            "{targets}"
        );
        assert!(targets.contains("etl\\n2026"), "{targets}");
        assert!(
            targets.chars().count() <= AUDIT_TARGETS_CHARS + 1,
            "{}",
            targets.len()
        );
        // Redacted before the cut: a token near the cut leaves no piece of itself.
        let near_cut = serde_json::json!({"key": format!("{}test-api-token", "x".repeat(110))});
        let targets = audit_targets(near_cut.as_object(), &context(false).client);
        assert!(
            !targets.contains("test-api") && targets.contains("[REDACTED]"),
            "{targets}"
        );
    }
}
