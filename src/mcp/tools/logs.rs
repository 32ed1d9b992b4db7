//! Tenant-wide log search: the `logs` toolset (opt-in).

use crate::mcp::args::WorkflowRef;
use schemars::JsonSchema;
use serde::Deserialize;

use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::{logs::TenantLogs, tasks::LogLevel},
    mcp::{
        args::{self, Bounded, Id, PastTime},
        output,
        registry::{About, Effect, Group, ToolResult},
        summary::{self, Detail},
    },
};

pub fn opt_in_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "search_logs",
                title: "Search logs",
                group: Group::Logs,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/logs",
                description: "Log lines of every task matching a text, newest first.",
            },
            search_logs,
        )
        .lists(&summary::LOG_SEARCH)
        .opt_in(),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct SearchLogsArgs {
    /// Substring, any case
    query: String,
    since: Option<PastTime>,
    until: Option<PastTime>,
    /// Exact, not a minimum
    levels: Option<Vec<LogLevel>>,
    workflow_ids: Option<Vec<WorkflowRef>>,
    task_run_ids: Option<Vec<Id>>,
    #[serde(default)]
    limit: Bounded<1, 1000, 100>,
    detail: Option<Detail>,
}

async fn search_logs(call: Call, args: SearchLogsArgs) -> ToolResult {
    let (since, until) = args::time_window(args.since, args.until)?;
    let query = TenantLogs {
        limit: args.limit.as_u32(),
        since: Some(since),
        until,
        search: Some(args.query),
        levels: args.levels.unwrap_or_default(),
        workflow_ids: call
            .workflow_ids("workflow_ids", &args.workflow_ids.unwrap_or_default())
            .await?,
        task_run_ids: args::ids(&args.task_run_ids.unwrap_or_default()),
    };
    let lines = call.client.search_logs(&query).await?;
    Ok(output::list(lines, None, true).detail(args.detail))
}
