//! Observability tools: queue depth, task counts, rate limits, run timings, traces.

use crate::mcp::args::WorkflowRef;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::mcp::registry::{About, Effect, Group, ToolResult};
use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::{
        rate_limits::{ListRateLimits, LowerSortDirection, RateLimitOrderField},
        runs::RunStatus,
    },
    mcp::{
        args::{self, Bounded, Id, NoArgs, Page, PastTime},
        output,
        summary::{self, Detail},
    },
};

pub fn read_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_rate_limits",
                title: "List rate limits",
                group: Group::Metrics,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/rate-limits",
                description: "Current value and limit per key.",
            },
            list_rate_limits,
        )
        .lists(&summary::RATE_LIMITS),
        ToolSpec::typed(
            About {
                name: "get_queue_metrics",
                title: "Get queue metrics",
                group: Group::Metrics,
                effect: Effect::Read,
                rest: "GET /api/v1/tenants/{t}/step-run-queue-metrics, GET /api/v1/tenants/{t}/task-stats",
                description: "Queued tasks per queue.",
            },
            get_queue_metrics,
        ),
        ToolSpec::typed(
            About {
                name: "get_task_metrics",
                title: "Get task metrics",
                group: Group::Metrics,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/task-metrics",
                description: "Task counts per status.",
            },
            get_task_metrics,
        ),
        ToolSpec::typed(
            About {
                name: "get_run_timings",
                title: "Get run timings",
                group: Group::Metrics,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/workflow-runs/{workflow_run_id}/task-timings",
                description: "When each task queued, started, finished.",
            },
            get_run_timings,
        )
        .lists(&summary::TIMINGS),
        ToolSpec::typed(
            About {
                name: "get_trace",
                title: "Get trace",
                group: Group::Metrics,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/traces",
                description: "A run's OpenTelemetry spans.",
            },
            get_trace,
        )
        .lists(&summary::TRACE),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListRateLimitsArgs {
    /// Key substring
    search: Option<String>,
    order_by_field: Option<RateLimitOrderField>,
    order_by_direction: Option<LowerSortDirection>,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_rate_limits(ctx: Call, args: ListRateLimitsArgs) -> ToolResult {
    let query = ListRateLimits {
        search: args.search,
        order_by_field: args.order_by_field,
        order_by_direction: args.order_by_direction,
        limit: args.page.limit(),
        offset: args.page.offset(),
    };
    Ok(output::list(
        ctx.client.list_rate_limits(&query).await?,
        Some(&args.page),
        true,
    )
    .detail(args.detail))
}

async fn get_queue_metrics(ctx: Call, _: NoArgs) -> ToolResult {
    Ok(output::item(ctx.client.queue_depths().await?))
}

#[derive(Deserialize, JsonSchema)]
struct GetTaskMetricsArgs {
    /// RFC 3339 or ago: 6h, 7d; default 24h
    since: Option<PastTime>,
    until: Option<PastTime>,
    workflow_ids: Option<Vec<WorkflowRef>>,
}

async fn get_task_metrics(ctx: Call, args: GetTaskMetricsArgs) -> ToolResult {
    let (since, until) = args::time_window(args.since, args.until)?;
    let workflow_ids = ctx
        .workflow_ids("workflow_ids", &args.workflow_ids.unwrap_or_default())
        .await?;
    let counts = ctx
        .client
        .get_task_metrics(since, until, &workflow_ids)
        .await?;
    Ok(output::item(counts_by_status(&counts)))
}

/// The API answers `[{status, count}]`, leaving out statuses with no tasks; every status
/// is given here, 0 where missing, so the model need not guess.
fn counts_by_status(answer: &Value) -> Value {
    let mut counts: Map<String, Value> = RunStatus::ALL
        .iter()
        .map(|s| (s.as_str().to_owned(), 0.into()))
        .collect();
    for entry in answer.as_array().into_iter().flatten() {
        if let (Some(status), Some(count)) = (entry["status"].as_str(), entry["count"].as_i64()) {
            counts.insert(status.to_owned(), count.into());
        }
    }
    Value::Object(counts)
}

#[derive(Deserialize, JsonSchema)]
struct GetRunTimingsArgs {
    workflow_run_id: Id,
    /// Child-run levels 0-10; default 0
    depth: Option<Bounded<0, { i64::MAX }, 0>>,
    detail: Option<Detail>,
}

async fn get_run_timings(ctx: Call, args: GetRunTimingsArgs) -> ToolResult {
    let depth = args.depth.map(|d| d.as_u32());
    let timings = ctx
        .client
        .get_run_timings(args.workflow_run_id.0, depth)
        .await?;
    Ok(output::list(timings, None, true).detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetTraceArgs {
    workflow_run_id: Id,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn get_trace(ctx: Call, args: GetTraceArgs) -> ToolResult {
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let spans = ctx
        .client
        .get_trace(args.workflow_run_id.0, limit, offset)
        .await?;
    Ok(output::list(spans, Some(&args.page), true).detail(args.detail))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::counts_by_status;

    #[test]
    fn task_metrics_name_every_status() {
        let answer =
            json!([{"status": "FAILED", "count": 3}, {"status": "COMPLETED", "count": 40}]);
        assert_eq!(
            counts_by_status(&answer),
            json!({"QUEUED": 0, "RUNNING": 0, "COMPLETED": 40, "CANCELLED": 0, "FAILED": 3})
        );
        assert_eq!(counts_by_status(&json!(null))["FAILED"], 0);
    }
}
