//! Task tools: one task, its logs, its event timeline.

use schemars::JsonSchema;
use serde::Deserialize;
use uuid::Uuid;

use crate::mcp::registry::{About, Effect, Group, Offered, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::{
        SortDirection,
        tasks::{LogLevel, TaskLogs},
    },
    mcp::{
        args::{Bounded, Id, Page, PastTime},
        dashboard, output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "get_task",
                title: "Get task",
                group: Group::Tasks,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tasks/{task_run_id}",
                description: "Status, error, input, output, timing.",
            },
            get_task,
        ),
        ToolSpec::typed(
            About {
                name: "get_task_logs",
                title: "Get task logs",
                group: Group::Tasks,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tasks/{task_run_id}/logs",
                description: "A task's log lines.",
            },
            get_task_logs,
        )
        .lists(&summary::LOGS),
        ToolSpec::typed(
            About {
                name: "list_task_events",
                title: "List task events",
                group: Group::Tasks,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tasks/{task_run_id}/task-events",
                description: "Timeline: queued, started, retried, failed.",
            },
            list_task_events,
        )
        .lists(&summary::TASK_EVENTS),
    ]
}

/// Attempt numbers start at 1.
type Attempt = Bounded<1, { i64::MAX }, 1>;

/// How to page through what a cut left out of a task, with the tools this server offers.
fn task_narrower(offered: &Offered, task_id: Uuid) -> String {
    let (tools, parts): (Vec<&str>, Vec<&str>) =
        [("get_task_logs", "logs"), ("list_task_events", "events")]
            .into_iter()
            .filter(|(tool, _)| offered.has(tool))
            .unzip();
    if tools.is_empty() {
        return String::new();
    }
    format!(
        "{} task_run_id={task_id} page through its {}.",
        tools.join(" and "),
        parts.join(" and ")
    )
}

#[derive(Deserialize, JsonSchema)]
struct GetTaskArgs {
    task_run_id: Id,
    /// Default latest
    attempt: Option<Attempt>,
}

async fn get_task(ctx: Call, args: GetTaskArgs) -> ToolResult {
    let attempt = args.attempt.map(Attempt::as_u32);
    let task_id = args.task_run_id.0;
    let task = ctx.client.get_task(task_id, attempt).await?;
    let page = dashboard::Page::Run(task_id);
    Ok(output::narrowable(
        dashboard::with_link(task, &ctx.client, page),
        task_narrower(&ctx.offered, task_id),
    ))
}

#[derive(Deserialize, JsonSchema)]
struct GetTaskLogsArgs {
    task_run_id: Id,
    #[serde(default)]
    limit: Bounded<1, 1000, 1000>,
    /// RFC 3339 or ago: 6h, 7d
    since: Option<PastTime>,
    until: Option<PastTime>,
    /// Substring, any case
    search: Option<String>,
    /// Exact, not a minimum
    levels: Option<Vec<LogLevel>>,
    /// Default oldest first
    order: Option<SortDirection>,
    /// Default all
    attempt: Option<Attempt>,
    detail: Option<Detail>,
}

async fn get_task_logs(ctx: Call, args: GetTaskLogsArgs) -> ToolResult {
    let query = TaskLogs {
        limit: args.limit.as_u32(),
        since: args.since.map(|t| t.0),
        until: args.until.map(|t| t.0),
        search: args.search,
        levels: args.levels.unwrap_or_default(),
        order: args.order,
        attempt: args.attempt.map(Attempt::as_u32),
    };
    let logs = ctx.client.get_task_logs(args.task_run_id.0, &query).await?;
    Ok(output::list(logs, None, true).detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct ListTaskEventsArgs {
    task_run_id: Id,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_task_events(ctx: Call, args: ListTaskEventsArgs) -> ToolResult {
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let events = ctx
        .client
        .list_task_events(args.task_run_id.0, limit, offset)
        .await?;
    Ok(output::list(events, Some(&args.page), true).detail(args.detail))
}

pub fn mutating_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "restore_task",
                title: "Restore task",
                group: Group::Tasks,
                effect: Effect::Mutating {
                    idempotent: false,
                    verify_with: "get_task",
                },
                rest: "POST /api/v1/stable/tasks/{task_id}/restore",
                description: "MUTATES LIVE STATE. Requeue an evicted durable task.",
            },
            restore_task,
        )
        .targets(&["task_id"]),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct RestoreTaskArgs {
    task_id: Id,
}

async fn restore_task(ctx: Call, args: RestoreTaskArgs) -> ToolResult {
    Ok(output::item(ctx.client.restore_task(args.task_id.0).await?))
}
