//! Metrics and traces: queue depth, task counts by status, OpenTelemetry spans of a run.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, Client};

impl Client {
    /// `{queues: {name: depth}}`
    pub async fn get_queue_metrics(&self) -> Result<Value, ApiError> {
        self.send(self.tenant(Method::GET, &["step-run-queue-metrics"]))
            .await
    }

    /// `[{status, count}]` for tasks in the window.
    pub async fn get_task_metrics(
        &self,
        since: Timestamp,
        until: Option<Timestamp>,
        workflow_ids: &[Uuid],
    ) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["task-metrics"])
            .query("since", since)
            .query_opt("until", until)
            .query_each("workflow_ids", workflow_ids);
        self.send(request).await
    }

    /// Queued and running counts per task name, per queue: `{name: {queued, running}}`.
    pub async fn get_task_stats(&self, task_names: &[String]) -> Result<Value, ApiError> {
        let request = self
            .tenant(Method::GET, &["task-stats"])
            .query_each("taskNames", task_names);
        self.send(request).await
    }

    pub async fn get_trace(
        &self,
        run_id: Uuid,
        limit: u32,
        offset: u32,
    ) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["traces"])
            .query("run_external_id", run_id)
            .query("limit", limit)
            .query("offset", offset);
        self.send(request).await
    }
}
