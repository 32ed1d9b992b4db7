//! `cancel_runs` and `replay_runs`: bulk actions that preview first.
//!
//! A call names runs explicitly (`run_ids`) or by a filter, never both. `dry_run` defaults
//! to true and answers a preview with a `confirm` token (see [`confirm`]). Executing a
//! filter needs that token: the filter is resolved again, and if anything differs from the
//! preview nothing is done and a fresh preview comes back, saying what differs. So what
//! runs is exactly what was shown.

mod confirm;

use crate::mcp::args::WorkflowRef;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use uuid::Uuid;

use crate::mcp::registry::{About, Effect, Group, ToolError, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::runs::{BulkAction, RunIdFilter, RunStatus},
    mcp::{
        args::{self, Id, JsonObject, MetadataFilter, PastTime},
        output,
    },
};

/// The most runs one call may act on. Exactly this many is allowed.
pub const MAX_BULK_RUNS: usize = 500;

const VERIFY_WITH: &str = "list_runs";

pub fn mutating_tools() -> Vec<ToolSpec> {
    let effect = Effect::Mutating {
        idempotent: false,
        verify_with: VERIFY_WITH,
    };
    vec![
        ToolSpec::typed(
            About {
                name: "cancel_runs",
                title: "Cancel runs",
                group: Group::Runs,
                effect,
                rest: "POST /api/v1/stable/tenants/{t}/tasks/cancel",
                description: "MUTATES LIVE STATE. Cancel up to 500 runs, by run_ids or filter. Previews unless dry_run=false; a filter also needs the preview's confirm.",
            },
            |call, args| bulk(call, BulkAction::Cancel, args),
        )
        .targets(&["run_ids"])
        .or_filter(&["workflow_ids"]),
        ToolSpec::typed(
            About {
                name: "replay_runs",
                title: "Replay runs",
                group: Group::Runs,
                effect,
                rest: "POST /api/v1/stable/tenants/{t}/tasks/replay",
                description: "MUTATES LIVE STATE. Replay runs by run_ids or a filter, as cancel_runs.",
            },
            |call, args| bulk(call, BulkAction::Replay, args),
        )
        .targets(&["run_ids"])
        .or_filter(&["workflow_ids"]),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct BulkArgs {
    #[schemars(length(min = 1, max = 500))]
    run_ids: Option<Vec<Id>>,
    /// Default: 24h before until.
    since: Option<PastTime>,
    until: Option<PastTime>,
    statuses: Option<Vec<RunStatus>>,
    workflow_ids: Option<Vec<WorkflowRef>>,
    additional_metadata: Option<MetadataFilter>,
    #[serde(default = "preview_by_default")]
    dry_run: bool,
    /// From a filter preview.
    confirm: Option<String>,
}

fn preview_by_default() -> bool {
    true
}

/// The runs a call names.
enum Selection {
    Ids(Vec<Uuid>),
    Filter(RunIdFilter),
}

impl BulkArgs {
    /// `workflow_ids`: those of the call, resolved (names looked up).
    fn selection(&self, workflow_ids: &[Uuid]) -> Result<Selection, ToolError> {
        let has_filter = self.since.is_some()
            || self.until.is_some()
            || self.statuses.is_some()
            || self.workflow_ids.is_some()
            || self.additional_metadata.is_some();
        match (&self.run_ids, has_filter) {
            (Some(_), true) => Err(ToolError::Refused(
                "Give either `run_ids` or a filter (since, until, statuses, workflow_ids, additional_metadata), not both.".into(),
            )),
            (None, false) => Err(ToolError::Refused(
                "Give `run_ids`, or a filter (since, until, statuses, workflow_ids, additional_metadata) to select runs.".into(),
            )),
            (Some(ids), false) => Ok(Selection::Ids(args::ids(ids))),
            (None, true) => {
                let (since, until) = args::time_window(self.since, self.until)?;
                Ok(Selection::Filter(RunIdFilter {
                    since,
                    until,
                    statuses: self.statuses.clone().unwrap_or_default(),
                    workflow_ids: workflow_ids.to_vec(),
                    additional_metadata: self.additional_metadata.clone().unwrap_or_default().to_pairs(),
                }))
            }
        }
    }

    /// The filter as the client gave it, in one canonical form, for the confirm token.
    /// `since` and `until` are the strings sent, not the instants they resolve to: "6h"
    /// means another instant at each call, and confirming "the last 6h" is what was asked.
    /// (If the runs in that window changed, the ids differ, and the token says so.) The
    /// lists are sets, so they are sorted; statuses as parsed, so "failed" is "FAILED".
    fn filter_as_given(&self, sent: &JsonObject, workflow_ids: &[Uuid]) -> String {
        let as_sent = |name: &str| match sent.get(name) {
            Some(Value::String(text)) => Value::String(text.trim().to_owned()),
            Some(other) => other.clone(),
            None => Value::Null,
        };
        let mut statuses: Vec<&str> = self.statuses.iter().flatten().map(|s| s.as_str()).collect();
        statuses.sort_unstable();
        statuses.dedup();
        let mut workflow_ids = workflow_ids.to_vec();
        workflow_ids.sort_unstable();
        workflow_ids.dedup();
        let metadata = self.additional_metadata.as_ref().map(|m| &m.0);
        json!([
            as_sent("since"),
            as_sent("until"),
            statuses,
            workflow_ids,
            metadata
        ])
        .to_string()
    }
}

const NEEDS_CONFIRM: &str = "Nothing was done: executing a filter needs the confirm token of its preview. Review this preview, then call again with dry_run=false and confirm.";

async fn bulk(ctx: Call, action: BulkAction, args: BulkArgs) -> ToolResult {
    // Names are looked up only for a filter: with run_ids they would be refused anyway.
    let workflows = match &args.run_ids {
        None => args.workflow_ids.as_deref().unwrap_or_default(),
        Some(_) => &[],
    };
    let workflow_ids = ctx.workflow_ids("workflow_ids", workflows).await?;
    let selection = args.selection(&workflow_ids)?;
    let filter = match selection {
        Selection::Filter(_) => Some(args.filter_as_given(ctx.arguments_as_sent(), &workflow_ids)),
        Selection::Ids(_) => None,
    };
    let ids = match selection {
        Selection::Ids(ids) => ids,
        Selection::Filter(filter) => ctx.client.list_run_ids(&filter).await?,
    };
    // A filter can match hundreds of thousands of runs before the limit below refuses it.
    let ids = ctx
        .compute("sorting the matched run ids", move || {
            let mut ids = ids;
            ids.sort_unstable();
            ids.dedup();
            ids
        })
        .await?;
    if ids.len() > MAX_BULK_RUNS {
        return Err(ToolError::Refused(format!(
            "The filter matches {} runs, more than the {MAX_BULK_RUNS} one call may {}. Nothing was done. Narrow it: a tighter since/until, fewer statuses, or workflow_ids.",
            ids.len(),
            action.as_str()
        )));
    }
    let action_name = action.as_str();
    if ids.is_empty() {
        return Ok(output::preview(
            json!({"action": action_name, "executed": false, "matched_count": 0, "run_ids": []}),
        ));
    }
    let now = jiff::Timestamp::now();
    let subject = confirm::Subject {
        tenant: ctx.client.tenant_id(),
        action: action_name,
        filter: filter.as_deref().unwrap_or("run_ids"),
        ids: &ids,
    };
    let token = confirm::issue(ctx.confirm_key(), &subject, now);
    let preview = |reason: Option<&str>| {
        output::preview(json!({
            "action": action_name,
            "dry_run": true,
            "executed": false,
            "matched_count": ids.len(),
            "run_ids": ids,
            "confirm": token,
            "reason": reason,
        }))
    };
    if args.dry_run {
        return Ok(preview(None));
    }
    if filter.is_some() {
        let refusal = match args.confirm.as_deref() {
            None => Some(NEEDS_CONFIRM.to_owned()),
            Some(given) => confirm::check(ctx.confirm_key(), given, &subject, now)
                .err()
                .map(|mismatch| mismatch.reason(action_name)),
        };
        if let Some(reason) = refusal {
            return Ok(preview(Some(&reason)));
        }
    }
    let answer = ctx.client.bulk_action(action, &ids).await?;
    Ok(output::item(json!({
        "action": action_name,
        "dry_run": false,
        "executed": true,
        "matched_count": ids.len(),
        "run_ids": ids,
        "ids": answer.get("ids").cloned().unwrap_or(Value::Null),
    })))
}
