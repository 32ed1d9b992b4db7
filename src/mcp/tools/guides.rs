//! The guidance `initialize` gives: the server's instructions, assembled from the tools
//! actually registered (each piece of guidance is shown only when every tool it names is),
//! so they never name a tool the client cannot call.

use super::ToolSpec;
use crate::{
    hatchet::Client,
    mcp::args::{DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT},
    toolsets::Toolsets,
};

/// One piece of guidance on a topic: shown when every tool it names is registered. Within a
/// topic, the first piece whose tools are all registered is shown.
struct Guide {
    topic: &'static str,
    /// Every tool the text names.
    names: &'static [&'static str],
    text: &'static str,
}

const GUIDES: [Guide; 4] = [
    Guide {
        topic: "debug",
        names: &["list_runs", "get_run", "get_task_logs"],
        text: "To debug failures: list_runs with statuses=[FAILED], then get_run, then get_task_logs for the failed task.",
    },
    Guide {
        topic: "debug",
        names: &["list_runs", "get_run"],
        text: "To debug failures: list_runs with statuses=[FAILED], then get_run on a run id.",
    },
    Guide {
        topic: "bulk",
        names: &["cancel_runs", "replay_runs"],
        text: "Bulk cancel_runs/replay_runs preview by default (dry_run=true): show the preview, then execute with dry_run=false and, for a filter, the preview's confirm token.",
    },
    Guide {
        topic: "diagnose",
        names: &[
            "describe_run_failure",
            "why_queued",
            "compare_runs",
            "list_stuck_runs",
            "top_failing_workflows",
        ],
        text: "One-call diagnosis: describe_run_failure (a failed run), why_queued (a waiting one), compare_runs (what changed), list_stuck_runs and top_failing_workflows (tenant-wide).",
    },
];

/// The `instructions` of `initialize`: tenant, mode, toolsets, status vocabularies, and the
/// guidance of the groups registered.
pub fn instructions(
    client: &Client,
    toolsets: &Toolsets,
    tools: &[std::sync::Arc<ToolSpec>],
) -> String {
    let mut text = format!(
        "Hatchet tenant {} at {}. {} Toolsets: {toolsets}.\n",
        client.tenant_id(),
        client.base_url(),
        if client.read_only() {
            "Read-only: no tool here changes anything."
        } else {
            "Read-write: tools whose description begins MUTATES LIVE STATE change the tenant; confirm intent with the user first."
        }
    );
    text.push_str(
        "Statuses: v1 runs and tasks are QUEUED RUNNING COMPLETED CANCELLED FAILED; older objects (scheduled runs, step runs) use PENDING SUCCEEDED BACKOFF and others.\n\
         Times (since/until) take RFC 3339 or a duration ago such as 90m, 6h, 7d.\n",
    );
    // How lists answer, said once here (each list tool's schema lists the arguments, with no
    // words); only when a list tool is registered.
    if tools.iter().any(|t| t.summary.is_some()) {
        text.push_str(&format!(
            "Lists answer summary rows; detail=\"full\" returns the API's rows whole. Paged lists take limit (1-{MAX_PAGE_LIMIT}, default {DEFAULT_PAGE_LIMIT}) and offset (default 0), and return next_offset while more pages exist. Windows default to the last 24h; workflow_ids filters take workflow names too.\n",
        ));
    }
    let registered = |name: &&str| tools.iter().any(|t| t.name == *name);
    let mut shown: Vec<&str> = Vec::new();
    for guide in &GUIDES {
        if !shown.contains(&guide.topic) && guide.names.iter().all(registered) {
            text.push_str(guide.text);
            text.push('\n');
            shown.push(guide.topic);
        }
    }
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_guide_declares_exactly_the_tools_its_text_names() {
        let catalogue: Vec<String> = crate::mcp::tools::all()
            .into_iter()
            .map(|t| t.name.into_owned())
            .collect();
        for guide in &GUIDES {
            let mut named: Vec<&str> = guide
                .text
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .filter(|word| catalogue.iter().any(|name| name == word))
                .collect();
            named.sort_unstable();
            named.dedup();
            let mut declared = guide.names.to_vec();
            declared.sort_unstable();
            assert_eq!(named, declared, "{}", guide.text);
        }
    }
}
