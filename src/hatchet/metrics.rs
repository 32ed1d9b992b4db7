//! Metrics and traces: queue depth, task counts by status, OpenTelemetry spans of a run.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{ApiError, Client};

impl Client {
    /// `{queues: {name: depth}}`
    pub async fn get_queue_metrics(&self) -> Result<Value, ApiError> {
        self.send(self.tenant(Method::GET, &["step-run-queue-metrics"]))
            .await
    }

    /// Queued tasks per queue, `{queues: {name: depth}}`. A v1 engine leaves its queue
    /// metrics (`step-run-queue-metrics`) empty and counts its queues in the task stats
    /// instead: when the first is empty, the depths are summed from the second.
    pub async fn queue_depths(&self) -> Result<Value, ApiError> {
        let metrics = self.get_queue_metrics().await?;
        if metrics["queues"].as_object().is_some_and(|q| !q.is_empty()) {
            return Ok(metrics);
        }
        let stats = self.get_task_stats(&[]).await?;
        Ok(json!({ "queues": depths_from_task_stats(&stats) }))
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

/// `{queue: depth}` from task stats (`{task: {queued: {queues: {queue: n}}}}`), summed
/// over the tasks that share a queue.
fn depths_from_task_stats(stats: &Value) -> Map<String, Value> {
    let mut depths: Map<String, Value> = Map::new();
    let queues = stats
        .as_object()
        .into_iter()
        .flat_map(|tasks| tasks.values())
        .filter_map(|task| task.pointer("/queued/queues").and_then(Value::as_object))
        .flatten();
    for (queue, depth) in queues {
        let sum =
            depths.get(queue).and_then(Value::as_i64).unwrap_or(0) + depth.as_i64().unwrap_or(0);
        depths.insert(queue.clone(), sum.into());
    }
    depths
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_depths_are_summed_from_task_stats_as_a_real_engine_sends_them() {
        let stats = json!({
            "e2e-serial": {"queued": {"queues": {"e2e-serial:e2e-serial": 1}, "total": 1}, "running": {"total": 1}},
            "load": {"queued": {"queues": {"etl:load": 2, "shared": 1}}},
            "extract": {"queued": {"queues": {"shared": 3}}},
            "e2e-sleeper": {"running": {"total": 1}}
        });
        assert_eq!(
            Value::Object(depths_from_task_stats(&stats)),
            json!({"e2e-serial:e2e-serial": 1, "etl:load": 2, "shared": 4})
        );
    }
}
