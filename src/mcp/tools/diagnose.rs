//! One-call investigations (the opt-in `diagnose` group): who this server talks to, why a
//! run failed, what is stuck, what changed since the last success, why a run waits, and
//! which workflows fail most.
//!
//! Each handler gathers what it needs with the client's reads (several at once where they
//! do not depend on each other) and hands the answers to a shaping function that puts the
//! finding first and keeps the rest compact. The shaping lives in the submodules, each
//! testable on plain JSON.
//!
//! Only the read a tool is about (the run, the tenant, the first page of runs) failing
//! fails the call. Any other read that fails leaves its part out: the answer is drawn from
//! the rest, and its `unavailable` field names each missing part, why, and the tool that
//! reads it alone ([`Unavailable`]).

mod compare;
mod failing;
mod failure;
mod queued;

use std::future::Future;

use jiff::{SignedDuration, Timestamp};
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::task::JoinSet;
use uuid::Uuid;

pub(crate) use failure::failure_summary;

use crate::mcp::apps;
use crate::mcp::tools::{Call, ToolContext, ToolSpec};
use crate::{
    hatchet::{
        ApiError, Client,
        rate_limits::{ListRateLimits, LowerSortDirection, RateLimitOrderField},
        runs::{ListRuns, RunStatus},
    },
    mcp::{
        args::{self, Bounded, Id, NoArgs, PastTime},
        dashboard, output,
        registry::{About, Effect, Group, ToolError, ToolResult},
    },
};

fn tool<A, F, Fut>(
    name: &'static str,
    title: &'static str,
    rest: &'static str,
    description: &'static str,
    handler: F,
) -> ToolSpec
where
    A: serde::de::DeserializeOwned + JsonSchema + Send + 'static,
    F: Fn(Call, A) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ToolResult> + Send + 'static,
{
    let about = About {
        name,
        title,
        group: Group::Diagnose,
        effect: Effect::Read,
        rest,
        description,
    };
    ToolSpec::typed(about, handler).opt_in()
}

pub fn opt_in_tools() -> Vec<ToolSpec> {
    vec![
        tool(
            "whoami",
            "Who am I",
            "GET /api/v1/tenants/{t}, GET /api/v1/version",
            "Tenant, server, engine version, mode, token expiry.",
            whoami,
        ),
        tool(
            "describe_run_failure",
            "Describe run failure",
            "GET /api/v1/stable/workflow-runs/{workflow_run_id}, GET /api/v1/stable/tasks/{task}/logs",
            "Why a run failed: errors, logs, events per task.",
            describe_run_failure,
        )
        .view(apps::RUN_VIEW),
        tool(
            "list_stuck_runs",
            "List stuck runs",
            "GET /api/v1/stable/tenants/{t}/workflow-runs, GET /api/v1/tenants/{t}/step-run-queue-metrics, GET /api/v1/tenants/{t}/task-stats, GET /api/v1/tenants/{t}/worker",
            "Runs queued or running too long, oldest first.",
            list_stuck_runs,
        ),
        tool(
            "compare_runs",
            "Compare runs",
            "GET /api/v1/stable/workflow-runs/{workflow_run_id}, GET /api/v1/stable/tenants/{t}/workflow-runs",
            "What changed since the last success: input, tasks.",
            compare_runs,
        ),
        tool(
            "why_queued",
            "Why queued",
            "GET /api/v1/stable/workflow-runs/{workflow_run_id}, GET /api/v1/tenants/{t}/step-run-queue-metrics, GET /api/v1/tenants/{t}/task-stats, GET /api/v1/tenants/{t}/worker, GET /api/v1/tenants/{t}/rate-limits, GET /api/v1/workflows/{workflow}/versions",
            "Why a run waits: workers, slots, limits, concurrency.",
            why_queued,
        ),
        tool(
            "top_failing_workflows",
            "Top failing workflows",
            "GET /api/v1/stable/tenants/{t}/workflow-runs",
            "Workflows by failure count, with errors.",
            top_failing_workflows,
        ),
    ]
}

/// The parts an answer could not include, one line each: what the part is and which tool
/// reads it alone, then why it is missing. Added to the answer as `unavailable`.
#[derive(Debug, Default)]
struct Unavailable(Vec<String>);

/// How much of an upstream error an `unavailable` line keeps.
const UNAVAILABLE_ERROR_CHARS: usize = 300;

impl Unavailable {
    /// The value of a read, or `None` with the reason noted under `part`.
    fn take<T>(&mut self, part: &str, read: Result<T, ApiError>) -> Option<T> {
        match read {
            Ok(value) => Some(value),
            Err(error) => {
                self.note(part, &error);
                None
            }
        }
    }

    fn note(&mut self, part: &str, error: &dyn std::fmt::Display) {
        let error = crate::text::cut(&error.to_string(), UNAVAILABLE_ERROR_CHARS);
        self.0.push(format!("{part} could not be read: {error}"));
    }

    /// `answer` with `unavailable` added, when anything is.
    fn added_to(self, mut answer: Value) -> Value {
        if let (false, Value::Object(map)) = (self.0.is_empty(), &mut answer) {
            map.insert("unavailable".into(), json!(self.0));
        }
        answer
    }
}

async fn whoami(call: Call, _: NoArgs) -> ToolResult {
    let (tenant, version) = tokio::join!(call.client.get_tenant(), call.client.get_version());
    let tenant = tenant?;
    let mut unavailable = Unavailable::default();
    let version = unavailable.take("engine_version (GET /api/v1/version)", version);
    let answer = identity(&call, &tenant, version.as_ref(), Timestamp::now());
    Ok(output::item(unavailable.added_to(answer)))
}

/// Never the token: what it says (tenant, expiry) and what the server makes of it.
fn identity(ctx: &ToolContext, tenant: &Value, version: Option<&Value>, now: Timestamp) -> Value {
    let client = &ctx.client;
    let expires = ctx.token_expires_at;
    json!({
        "tenant": {
            "id": client.tenant_id().to_string(),
            "name": tenant.get("name"),
            "slug": tenant.get("slug"),
        },
        "server_url": client.base_url().as_str(),
        "engine_version": version.and_then(|v| v.get("version")),
        "mode": if client.read_only() { "read-only" } else { "read-write" },
        "toolsets": ctx.toolsets.to_string(),
        "token_expires_at": expires.map(|at| at.to_string()),
        "token_expires_in": expires.filter(|at| *at > now).map(|at| age(at.duration_since(now))),
        "token_expired": expires.map(|at| at <= now).filter(|expired| *expired),
    })
}

#[derive(Deserialize, JsonSchema)]
struct RunArgs {
    workflow_run_id: Id,
}

async fn describe_run_failure(call: Call, args: RunArgs) -> ToolResult {
    Ok(output::item(
        failure_summary(&call, args.workflow_run_id.0).await?,
    ))
}

// The states a run can be stuck in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
enum Pending {
    #[serde(rename = "QUEUED")]
    Queued,
    #[serde(rename = "RUNNING")]
    Running,
}

impl Pending {
    fn status(self) -> RunStatus {
        match self {
            Pending::Queued => RunStatus::Queued,
            Pending::Running => RunStatus::Running,
        }
    }
}

#[derive(Deserialize, JsonSchema)]
struct StuckArgs {
    /// Default 30m
    older_than: Option<PastTime>,
    statuses: Option<Vec<Pending>>,
    #[serde(default)]
    limit: Bounded<1, 100, 20>,
}

/// How far back `list_stuck_runs` looks: the runs API needs a start.
const STUCK_LOOKBACK: SignedDuration = SignedDuration::from_hours(7 * 24);

async fn list_stuck_runs(call: Call, args: StuckArgs) -> ToolResult {
    let now = Timestamp::now();
    let until = args
        .older_than
        .map_or(now - SignedDuration::from_mins(30), |t| t.0);
    let statuses = match args.statuses.as_deref() {
        None | Some([]) => vec![RunStatus::Queued, RunStatus::Running],
        Some(pending) => pending.iter().map(|p| p.status()).collect(),
    };
    let query = runs_query(until - STUCK_LOOKBACK, Some(until), statuses, Vec::new());
    let (runs, queues, workers) = tokio::join!(
        oldest_runs(&call.client, query),
        call.client.queue_depths(),
        call.client.list_workers(&[], MAX_PAGE, 0),
    );
    let mut unavailable = Unavailable::default();
    let (runs, total) = match runs? {
        Oldest::All { runs, total } => (runs, Some(total)),
        Oldest::Newest {
            runs,
            error,
            offset,
        } => {
            let part = call.offered.via(
                "The oldest runs",
                &format!("the last page: list_runs offset={offset}"),
            );
            unavailable.note(&part, &error);
            (runs, None)
        }
    };
    let offered = &call.offered;
    let queues = unavailable.take(&offered.via("queue depths", "get_queue_metrics"), queues);
    let workers = unavailable.take(&offered.via("workers", "list_workers"), workers);
    let found = queued::Stuck {
        runs,
        total,
        until,
        now,
        limit: args.limit.get() as usize,
    };
    let answer = call
        .compute("sorting the stuck runs", move || {
            queued::stuck(&found, queues.as_ref(), workers.as_ref())
        })
        .await?;
    Ok(output::item(unavailable.added_to(answer)))
}

#[derive(Deserialize, JsonSchema)]
struct CompareArgs {
    workflow_run_id: Id,
    /// Default: the last success
    baseline_run_id: Option<Id>,
}

/// How far before a run `compare_runs` looks for the last success.
const BASELINE_LOOKBACK: SignedDuration = SignedDuration::from_hours(7 * 24);

async fn compare_runs(call: Call, args: CompareArgs) -> ToolResult {
    let run_id = args.workflow_run_id.0;
    let run = call.client.get_run(run_id).await?;
    let mut unavailable = Unavailable::default();
    let baseline_id = match args.baseline_run_id {
        Some(id) => Some(id.0),
        None => match last_success(&call.client, &run, run_id).await {
            Ok(found) => found,
            Err(error) => {
                let part = match call.offered.has("list_runs") {
                    true => {
                        "The baseline (the last COMPLETED run of this workflow, by list_runs; or give `baseline_run_id`)"
                    }
                    false => {
                        "The baseline (the last COMPLETED run of this workflow; or give `baseline_run_id`)"
                    }
                };
                unavailable.note(part, &error);
                return Ok(output::item(
                    unavailable.added_to(compare::unpaired(&run, run_id)),
                ));
            }
        },
    };
    let Some(baseline_id) = baseline_id else {
        return Ok(output::item(compare::without_baseline(
            &run,
            run_id,
            BASELINE_LOOKBACK,
        )));
    };
    let part = call
        .offered
        .via(&format!("The baseline run {baseline_id}"), "get_run");
    let answer = match unavailable.take(&part, call.client.get_run(baseline_id).await) {
        Some(baseline) => {
            let client = call.client.clone();
            call.compute("comparing the runs", move || {
                compare::compare(&run, &baseline, &client)
            })
            .await?
        }
        None => compare::unpaired(&run, run_id),
    };
    Ok(output::item(unavailable.added_to(answer)))
}

/// The newest COMPLETED run of `run`'s workflow, from a week before it on.
async fn last_success(
    client: &Client,
    run: &Value,
    run_id: Uuid,
) -> Result<Option<Uuid>, ToolError> {
    let Some(workflow_id) = uuid_at(run, "/run/workflowId") else {
        return Err(ToolError::Unexpected(
            "Hatchet's answer names no workflowId for this run, so its last success cannot be found: give `baseline_run_id`.".into(),
        ));
    };
    let created = instant(run, "/run/createdAt").unwrap_or_else(Timestamp::now);
    let mut query = runs_query(
        created - BASELINE_LOOKBACK,
        None,
        vec![RunStatus::Completed],
        vec![workflow_id],
    );
    query.limit = 2;
    let found = client.list_runs(&query).await?;
    Ok(rows(&found)
        .iter()
        .filter_map(|row| uuid_at(row, "/metadata/id"))
        .find(|id| *id != run_id))
}

async fn why_queued(call: Call, args: RunArgs) -> ToolResult {
    let (client, run_id) = (&call.client, args.workflow_run_id.0);
    let run = client.get_run(run_id).await?;
    let link = dashboard::link(client, dashboard::Page::Run(run_id));
    if !queued::waits(&run) {
        return Ok(output::item(queued::not_waiting(&run, link, &call.offered)));
    }
    let version = async {
        match uuid_at(&run, "/run/workflowId") {
            Some(workflow) => client
                .get_workflow_version(workflow, uuid_at(&run, "/run/workflowVersionId"))
                .await
                .map(Some),
            None => Ok(None),
        }
    };
    let limits = ListRateLimits {
        order_by_field: Some(RateLimitOrderField::Value),
        order_by_direction: Some(LowerSortDirection::Asc),
        limit: MAX_PAGE,
        ..ListRateLimits::default()
    };
    let (queues, workers, rate_limits, version) = tokio::join!(
        client.queue_depths(),
        client.list_workers(&[], MAX_PAGE, 0),
        client.list_rate_limits(&limits),
        version,
    );
    let mut unavailable = Unavailable::default();
    let offered = &call.offered;
    let evidence = queued::Evidence {
        run,
        queues: unavailable.take(&offered.via("queue depths", "get_queue_metrics"), queues),
        workers: unavailable.take(&offered.via("workers", "list_workers"), workers),
        rate_limits: unavailable.take(&offered.via("rate limits", "list_rate_limits"), rate_limits),
        version: unavailable
            .take(
                &offered.via(
                    "The workflow version: paused state, concurrency",
                    "get_workflow_version",
                ),
                version,
            )
            .flatten(),
        now: Timestamp::now(),
        offered: offered.clone(),
    };
    let answer = call
        .compute("weighing why the run waits", move || {
            queued::why(&evidence, link)
        })
        .await?;
    Ok(output::item(unavailable.added_to(answer)))
}

#[derive(Deserialize, JsonSchema)]
struct TopFailingArgs {
    since: Option<PastTime>,
    #[serde(default)]
    limit: Bounded<1, 50, 10>,
}

/// At most this many failed runs are read (pages of [`MAX_PAGE`]); the answer says when
/// there were more.
const MAX_SCANNED_PAGES: u32 = 5;

async fn top_failing_workflows(call: Call, args: TopFailingArgs) -> ToolResult {
    let (since, _) = args::time_window(args.since, None)?;
    let mut unavailable = Unavailable::default();
    let (failed, complete) = failed_runs(&call, since, &mut unavailable).await?;
    let limit = args.limit.get() as usize;
    let answer = call
        .compute("ranking the failures", move || {
            failing::rank(&failed, complete, since, limit)
        })
        .await?;
    Ok(output::item(unavailable.added_to(answer)))
}

/// The runs that failed since `since`, newest first, at most [`MAX_SCANNED_PAGES`] pages;
/// and whether that was all of them. Only the first page failing is an error: a later one
/// ends the scan with the pages read, noted in `unavailable`.
async fn failed_runs(
    call: &Call,
    since: Timestamp,
    unavailable: &mut Unavailable,
) -> Result<(Vec<Value>, bool), ApiError> {
    let mut query = runs_query(since, None, vec![RunStatus::Failed], Vec::new());
    let mut failed = Vec::new();
    for page in 0..MAX_SCANNED_PAGES {
        query.offset = page * MAX_PAGE;
        let found = match call.client.list_runs(&query).await {
            Ok(found) => found,
            Err(error) if page > 0 => {
                let part = call.offered.via(
                    &format!("Failed runs from page {} on", page + 1),
                    &format!("list_runs statuses=[FAILED] offset={}", query.offset),
                );
                unavailable.note(&part, &error);
                return Ok((failed, false));
            }
            Err(error) => return Err(error),
        };
        failed.extend_from_slice(rows(&found));
        if is_last_page(&found) {
            return Ok((failed, true));
        }
    }
    Ok((failed, false))
}

/// The largest page the API is asked for.
const MAX_PAGE: u32 = 100;

/// A runs query for the diagnose tools: workflow runs (not tasks), no payloads, a full page.
fn runs_query(
    since: Timestamp,
    until: Option<Timestamp>,
    statuses: Vec<RunStatus>,
    workflow_ids: Vec<Uuid>,
) -> ListRuns {
    ListRuns {
        since,
        until,
        statuses,
        workflow_ids,
        worker_id: None,
        parent_task_external_id: None,
        triggering_event_external_id: None,
        additional_metadata: Vec::new(),
        only_tasks: false,
        include_payloads: false,
        limit: MAX_PAGE,
        offset: 0,
    }
}

/// What [`oldest_runs`] found, oldest first.
enum Oldest {
    /// The oldest runs, and how many match in all.
    All { runs: Vec<Value>, total: usize },
    /// Only the first page (the newest runs): the last page, at `offset`, failed.
    Newest {
        runs: Vec<Value>,
        error: ApiError,
        offset: u32,
    },
}

/// The runs `query` matches, oldest first: the API lists newest first, so when there is more
/// than one page the last page (the oldest runs) is read as well. Only the first page
/// failing is an error.
async fn oldest_runs(client: &Client, mut query: ListRuns) -> Result<Oldest, ApiError> {
    let first = client.list_runs(&query).await?;
    let mut found: Vec<Value> = rows(&first).to_vec();
    let mut total = found.len();
    let pages = first
        .pointer("/pagination/num_pages")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    let oldest_first = |mut runs: Vec<Value>| {
        runs.sort_by_key(|row| instant(row, "/createdAt"));
        runs.dedup_by(|a, b| a.pointer("/metadata/id") == b.pointer("/metadata/id"));
        runs
    };
    if pages > 1 {
        query.offset = u32::try_from(pages - 1)
            .unwrap_or(u32::MAX / MAX_PAGE)
            .saturating_mul(MAX_PAGE);
        match client.list_runs(&query).await {
            Ok(last) => {
                total = query.offset as usize + rows(&last).len();
                found.extend_from_slice(rows(&last));
            }
            Err(error) => {
                return Ok(Oldest::Newest {
                    runs: oldest_first(found),
                    error,
                    offset: query.offset,
                });
            }
        }
    }
    Ok(Oldest::All {
        runs: oldest_first(found),
        total,
    })
}

fn is_last_page(list: &Value) -> bool {
    let page = |field: &str| {
        list.pointer(&format!("/pagination/{field}"))
            .and_then(Value::as_i64)
    };
    match (page("current_page"), page("num_pages")) {
        (Some(current), Some(pages)) => current >= pages,
        _ => rows(list).len() < MAX_PAGE as usize,
    }
}

/// Runs `work` on each item, a few at a time; the results come back in the items' order.
/// A panic in one is a panic of the caller (which the server turns into an error result).
async fn each<T, R, F, Fut>(items: Vec<T>, work: F) -> Vec<R>
where
    T: Send + 'static,
    R: Send + 'static,
    F: Fn(T) -> Fut,
    Fut: Future<Output = R> + Send + 'static,
{
    const AT_ONCE: usize = 4;
    let mut results: Vec<Option<R>> = std::iter::repeat_with(|| None).take(items.len()).collect();
    let mut running = JoinSet::new();
    let mut collect = |joined: Result<(usize, R), tokio::task::JoinError>| match joined {
        Ok((index, result)) => results[index] = Some(result),
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        Err(_) => {}
    };
    for (index, item) in items.into_iter().enumerate() {
        if running.len() >= AT_ONCE
            && let Some(joined) = running.join_next().await
        {
            collect(joined);
        }
        let future = work(item);
        running.spawn(async move { (index, future.await) });
    }
    while let Some(joined) = running.join_next().await {
        collect(joined);
    }
    results.into_iter().flatten().collect()
}

/// The rows of a list answer.
fn rows(list: &Value) -> &[Value] {
    list.get("rows")
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

/// The text at `pointer`, if it is a non-empty string.
fn text<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn uuid_at(value: &Value, pointer: &str) -> Option<Uuid> {
    text(value, pointer).and_then(|s| s.parse().ok())
}

fn instant(value: &Value, pointer: &str) -> Option<Timestamp> {
    text(value, pointer)
        .filter(|s| !crate::mcp::output::is_unset_time(s))
        .and_then(|s| s.parse().ok())
}

/// A span for reading at a glance: `45s`, `12m`, `2h13m`, `3d4h`.
fn age(span: SignedDuration) -> String {
    let s = span.as_secs().max(0);
    match s {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h{}m", s / 3600, s % 3600 / 60),
        s => format!("{}d{}h", s / 86_400, s % 86_400 / 3600),
    }
}

/// A value from Hatchet, cut for a summary: long text, and the JSON text of a long object
/// or array, to `chars` characters.
fn shown(value: &Value, chars: usize) -> Value {
    match value {
        Value::String(s) => Value::String(crate::text::cut(s, chars)),
        Value::Array(_) | Value::Object(_) => {
            let text = value.to_string();
            if text.chars().count() <= chars {
                value.clone()
            } else {
                Value::String(crate::text::cut(&text, chars))
            }
        }
        other => other.clone(),
    }
}

/// `{"QUEUED": 2, "FAILED": 1}`: how many of `items` have each value at `pointer`.
fn count_by(items: &[&Value], pointer: &str) -> Value {
    tally(
        items
            .iter()
            .map(|item| text(item, pointer).unwrap_or("unknown")),
    )
}

/// How often each key occurs, in order of first occurrence.
fn tally<'a>(keys: impl IntoIterator<Item = &'a str>) -> Value {
    let mut counts = serde_json::Map::new();
    for key in keys {
        let count = counts.entry(key).or_insert(json!(0));
        *count = json!(count.as_u64().unwrap_or(0) + 1);
    }
    Value::Object(counts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_read_at_a_glance() {
        let secs = SignedDuration::from_secs;
        assert_eq!(age(secs(-5)), "0s");
        assert_eq!(age(secs(59)), "59s");
        assert_eq!(age(secs(12 * 60 + 5)), "12m");
        assert_eq!(age(secs(2 * 3600 + 13 * 60)), "2h13m");
        assert_eq!(age(secs(3 * 86_400 + 4 * 3600 + 59)), "3d4h");
    }

    #[test]
    fn long_values_are_cut_short_ones_kept() {
        assert_eq!(shown(&json!({"a": 1}), 20), json!({"a": 1}));
        assert_eq!(shown(&json!("abcdef"), 3), json!("abc…"));
        assert_eq!(shown(&json!([1, 2, 3, 4]), 5), json!("[1,2,…"));
        assert_eq!(shown(&json!(12345678), 2), json!(12345678));
    }

    #[test]
    fn the_last_page_is_known_from_pagination_or_a_short_page() {
        assert!(is_last_page(
            &json!({"rows": [], "pagination": {"current_page": 2, "num_pages": 2}})
        ));
        assert!(!is_last_page(
            &json!({"rows": [], "pagination": {"current_page": 1, "num_pages": 2}})
        ));
        assert!(is_last_page(&json!({"rows": [1]})));
    }

    #[tokio::test]
    async fn each_keeps_the_order_of_its_items() {
        let doubled = each((0..10).collect(), |n: u64| async move {
            tokio::time::sleep(std::time::Duration::from_millis(10 - n)).await;
            n * 2
        })
        .await;
        assert_eq!(doubled, (0..10).map(|n| n * 2).collect::<Vec<_>>());
    }
}
