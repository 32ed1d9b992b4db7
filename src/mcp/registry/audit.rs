//! The audit line every mutating call writes to stderr (target `audit`): which tool, which
//! targets, preview or execute, the outcome and how long it took.

use std::time::Instant;

use serde_json::Value;

use super::{Targets, ToolError, ToolResult};
use crate::{
    hatchet::Caller,
    mcp::{args::JsonObject, output::Answer},
    redact::Redactor,
};

/// One mutating call's audit line. Written when the call ends, or, if the client cancels
/// it first (the call's task is dropped mid-request), on drop with outcome `cancelled`:
/// such a call may have reached Hatchet, so it must leave a line too.
pub(super) struct AuditLine {
    tool: String,
    /// Already escaped, bounded and redacted.
    targets: String,
    /// In team mode, whose token made the call; absent on stdio.
    caller: Option<AuditCaller>,
    started: Instant,
    finished: bool,
}

impl AuditLine {
    pub(super) fn start(
        tool: &str,
        targets: Targets,
        arguments: Option<&JsonObject>,
        redactor: &Redactor,
        caller: Option<&Caller>,
    ) -> Self {
        Self {
            tool: tool.to_owned(),
            targets: audit_targets(targets, arguments, redactor),
            caller: AuditCaller::of(caller, redactor),
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
        // A tool that only previewed (a bulk action by default, or refusing a stale
        // confirm token) answered a preview.
        let previewed = matches!(result, Ok(Answer::Preview(_)));
        self.write(if previewed { "preview" } else { "execute" }, outcome);
    }

    fn write(&mut self, phase: &str, outcome: &str) {
        self.finished = true;
        record(
            &self.tool,
            phase,
            &self.targets,
            outcome,
            self.started,
            self.caller.as_ref(),
        );
    }
}

/// Writes one audit line: for a tool's call, or for a mutation made outside one (`tool` is
/// then the method, `tasks/cancel`). `targets` are identifiers only, already safe to show.
/// In team mode, `caller` names whose token made the call.
pub fn record(
    tool: &str,
    phase: &str,
    targets: &str,
    outcome: &str,
    started: Instant,
    caller: Option<&AuditCaller>,
) {
    let duration_ms = started.elapsed().as_millis() as u64;
    match caller {
        None => {
            tracing::info!(target: "audit", tool, phase, targets = %targets, outcome, duration_ms, "mutating call")
        }
        Some(caller) => {
            tracing::info!(target: "audit", tool, phase, targets = %targets, outcome, duration_ms, caller = %caller.id, tenant = %caller.tenant, "mutating call")
        }
    }
}

/// The caller an audit line names in team mode: the token's id claim (escaped, bounded,
/// redacted) and its tenant. Never the token.
pub struct AuditCaller {
    id: String,
    tenant: String,
}

impl AuditCaller {
    /// `None` on stdio, where the process has one token and no caller to name.
    pub fn of(caller: Option<&Caller>, redactor: &Redactor) -> Option<Self> {
        caller.map(|c| Self {
            id: audit_value(&c.token_id, redactor),
            tenant: c.tenant.to_string(),
        })
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
fn audit_value(text: &str, redactor: &Redactor) -> String {
    let escaped: String = redactor
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

/// What an audit line names as the call's targets: the values of the arguments the tool
/// declares as its targets ([`Targets`]), never anything else it was sent; `filter` (with
/// the filter's ids) for a tool that acts on a filter and was given no target; `none` when
/// there is nothing to name. Long id lists are cut, with the count.
fn audit_targets(targets: Targets, arguments: Option<&JsonObject>, redactor: &Redactor) -> String {
    let given = |names: &[&str]| -> Vec<String> {
        names
            .iter()
            .filter_map(|name| {
                let value = arguments?.get(*name).filter(|v| !v.is_null())?;
                Some(format!("{name}={}", audit_values(value, redactor)))
            })
            .collect()
    };
    let mut shown = given(targets.arguments);
    if shown.is_empty()
        && let Some(filter_ids) = targets.filter
    {
        shown.push("filter".to_owned());
        shown.extend(given(filter_ids));
    }
    if shown.is_empty() {
        "none".to_owned()
    } else {
        crate::text::cut(&shown.join(" "), AUDIT_TARGETS_CHARS)
    }
}

/// One target's value (or values), as the line shows it: at most twenty, each
/// redacted, escaped and cut, then how many more.
fn audit_values(value: &Value, redactor: &Redactor) -> String {
    const SHOWN_VALUES: usize = 20;
    let items = match value {
        Value::Array(items) => items.as_slice(),
        single => std::slice::from_ref(single),
    };
    // Only the values shown are formatted: a call may name hundreds of ids.
    let mut shown = items
        .iter()
        .take(SHOWN_VALUES)
        .map(|v| {
            audit_value(
                &v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                redactor,
            )
        })
        .collect::<Vec<_>>()
        .join(",");
    let more = items.len().saturating_sub(SHOWN_VALUES);
    if more > 0 {
        shown.push_str(&format!(",+{more} more"));
    }
    shown
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::mcp::registry::Context as _;
    use crate::mcp::registry::tests::context;

    const BULK: Targets = Targets {
        arguments: &["run_ids"],
        filter: Some(&["workflow_ids"]),
    };

    fn targets(declared: Targets, arguments: Value) -> String {
        audit_targets(declared, arguments.as_object(), context(false).redactor())
    }

    #[test]
    fn audit_targets_cannot_forge_lines_and_are_bounded() {
        let declared = Targets {
            arguments: &["workflow_name", "run_ids", "key"],
            filter: None,
        };
        let arguments = json!({
            "workflow_name": "etl\n2026-01-01T00:00:00Z INFO audit: forged\u{1b}[31m",
            "run_ids": vec!["r".repeat(10_000); 600],
        });
        let shown = targets(declared, arguments);
        assert!(
            !shown.contains('\n') && !shown.contains('\u{1b}'),
            "{shown}"
        );
        assert!(shown.contains("etl\\n2026"), "{shown}");
        assert!(
            shown.chars().count() <= AUDIT_TARGETS_CHARS + 1,
            "{}",
            shown.len()
        );
        // Redacted before the cut: a token near the cut leaves no piece of itself.
        let near_cut = json!({"key": format!("{}test-api-token", "x".repeat(110))});
        let shown = targets(declared, near_cut);
        assert!(
            !shown.contains("test-api") && shown.contains("[REDACTED]"),
            "{shown}"
        );
    }

    #[test]
    fn only_declared_targets_are_named() {
        let payload = json!({
            "user_id": "alice@example.com",
            "account_ids": ["acct-1"],
            "key": "k",
            "workflow_name": "w"
        });
        // A tool that declares nothing (a typed workflow tool) names nothing.
        assert_eq!(targets(Targets::default(), payload.clone()), "none");
        let declared = Targets {
            arguments: &["cron_id"],
            filter: None,
        };
        let mut with_id = payload;
        with_id["cron_id"] = json!("c-1");
        assert_eq!(targets(declared, with_id), "cron_id=c-1");
    }

    #[test]
    fn a_filter_is_named_only_where_there_is_one() {
        assert_eq!(
            targets(BULK, json!({"run_ids": ["a", "b"], "workflow_ids": ["w"]})),
            "run_ids=a,b"
        );
        assert_eq!(
            targets(
                BULK,
                json!({"since": "1h", "workflow_ids": ["w"], "additional_metadata": {"u": "x"}})
            ),
            "filter workflow_ids=w"
        );
        assert_eq!(targets(BULK, json!({"statuses": ["FAILED"]})), "filter");
        assert_eq!(targets(BULK, json!({"run_ids": null})), "filter");
    }
}
