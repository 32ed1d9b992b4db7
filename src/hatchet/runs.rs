//! Workflow runs (v1 engine): list, details, status.

use jiff::Timestamp;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{ApiError, Client};

// `V1TaskStatus`: the status of a v1 run or task.
api_enum!(RunStatus {
    Queued = "QUEUED",
    Running = "RUNNING",
    Completed = "COMPLETED",
    Cancelled = "CANCELLED",
    Failed = "FAILED",
});

/// Query of `GET /api/v1/stable/tenants/{t}/workflow-runs`.
#[derive(Debug, Clone, PartialEq)]
pub struct ListRuns {
    /// Required by the API.
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    pub statuses: Vec<RunStatus>,
    pub workflow_ids: Vec<Uuid>,
    pub worker_id: Option<Uuid>,
    pub parent_task_external_id: Option<Uuid>,
    pub triggering_event_external_id: Option<Uuid>,
    /// `key:value` pairs.
    pub additional_metadata: Vec<String>,
    pub only_tasks: bool,
    pub include_payloads: bool,
    pub limit: u32,
    pub offset: u32,
}

impl Client {
    pub async fn list_runs(&self, query: &ListRuns) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["workflow-runs"])
            .query("since", query.since)
            .query_opt("until", query.until)
            .query_each("statuses", &query.statuses)
            .query_each("workflow_ids", &query.workflow_ids)
            .query_opt("worker_id", query.worker_id)
            .query_opt("parent_task_external_id", query.parent_task_external_id)
            .query_opt(
                "triggering_event_external_id",
                query.triggering_event_external_id,
            )
            .query_each("additional_metadata", &query.additional_metadata)
            .query("only_tasks", query.only_tasks)
            .query("include_payloads", query.include_payloads)
            .query("limit", query.limit)
            .query("offset", query.offset);
        self.send(request).await
    }

    /// The run with its tasks, task events and DAG shape.
    pub async fn get_run(&self, run_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.v1(
            Method::GET,
            &["stable", "workflow-runs", &run_id.to_string()],
        ))
        .await
    }

    /// The API answers a bare JSON string such as `"RUNNING"`.
    pub async fn get_run_status(&self, run_id: Uuid) -> Result<Value, ApiError> {
        let id = run_id.to_string();
        self.send(self.v1(Method::GET, &["stable", "workflow-runs", &id, "status"]))
            .await
    }
}

impl Client {
    /// Task timings of a run, `depth` levels of children deep.
    pub async fn get_run_timings(
        &self,
        run_id: Uuid,
        depth: Option<u32>,
    ) -> Result<Value, ApiError> {
        let id = run_id.to_string();
        let request = self
            .v1(
                Method::GET,
                &["stable", "workflow-runs", &id, "task-timings"],
            )
            .query_opt("depth", depth);
        self.send(request).await
    }
}

/// Which bulk action `cancel_runs` / `replay_runs` take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BulkAction {
    Cancel,
    Replay,
}

impl BulkAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Cancel => "cancel",
            Self::Replay => "replay",
        }
    }
}

/// Query of `GET /api/v1/stable/tenants/{t}/workflow-runs/external-ids`.
#[derive(Debug, Clone, PartialEq)]
pub struct RunIdFilter {
    pub since: Timestamp,
    pub until: Option<Timestamp>,
    pub statuses: Vec<RunStatus>,
    pub workflow_ids: Vec<Uuid>,
    /// `key:value` pairs.
    pub additional_metadata: Vec<String>,
}

/// Body of `POST /api/v1/stable/tenants/{t}/workflow-runs/trigger`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerRun {
    /// Already namespaced by the caller.
    pub workflow_name: String,
    pub input: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
}

/// Body of `POST /api/v1/stable/tenants/{t}/tasks/{cancel,replay}`: the runs, by id.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct BulkIds<'a> {
    external_ids: &'a [Uuid],
}

impl Client {
    /// The ids of the runs a filter matches: the API answers a bare JSON array.
    pub async fn list_run_ids(&self, filter: &RunIdFilter) -> Result<Vec<Uuid>, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["workflow-runs", "external-ids"])
            .query("since", filter.since)
            .query_opt("until", filter.until)
            .query_each("statuses", &filter.statuses)
            .query_each("workflow_ids", &filter.workflow_ids)
            .query_each("additional_metadata", &filter.additional_metadata);
        let answer = self.send(request).await?;
        self.decode(answer, "list of run ids (an array of UUIDs)")
            .await
    }

    /// Cancels or replays the given runs or tasks; answers `{ids}`, the ids acted on.
    pub async fn bulk_action(&self, action: BulkAction, ids: &[Uuid]) -> Result<Value, ApiError> {
        let body = BulkIds { external_ids: ids };
        self.send(
            self.stable_tenant(Method::POST, &["tasks", action.as_str()])
                .body(body),
        )
        .await
    }

    pub async fn trigger_run(&self, trigger: &TriggerRun) -> Result<Value, ApiError> {
        self.send(
            self.stable_tenant(Method::POST, &["workflow-runs", "trigger"])
                .body(trigger),
        )
        .await
    }

    /// The tasks of DAG runs, by run: `[{dagId, children: [task]}]`, as the engine's DAG
    /// listing shapes them. That listing (`GET /api/v1/stable/dags/tasks`) answers an API
    /// token 403 (it serves the dashboard's session only), so each run's details are read
    /// instead, one after another. A run that cannot be read gets its error in place of its
    /// tasks; the others are still answered.
    pub async fn list_dag_tasks(&self, run_ids: &[Uuid]) -> Result<Value, ApiError> {
        let mut dags = Vec::with_capacity(run_ids.len());
        for id in run_ids {
            let dag = match self.get_run(*id).await {
                Ok(run) => json!({"dagId": id.to_string(), "children": run["tasks"]}),
                Err(error) if error.status().is_some_and(|s| s < 500) => {
                    json!({"dagId": id.to_string(), "children": [], "error": error.to_string()})
                }
                Err(error) => return Err(error),
            };
            dags.push(dag);
        }
        Ok(Value::Array(dags))
    }
}
