//! Tasks (v1): one task, its logs, its events.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, Client, SortDirection};

api_enum!(LogLevel { Debug = "DEBUG", Info = "INFO", Warn = "WARN", Error = "ERROR" });

/// Query of `GET /api/v1/stable/tasks/{task}/logs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskLogs {
    pub limit: u32,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub search: Option<String>,
    pub levels: Vec<LogLevel>,
    pub order: Option<SortDirection>,
    pub attempt: Option<u32>,
}

impl Client {
    pub async fn get_task(&self, task_id: Uuid, attempt: Option<u32>) -> Result<Value, ApiError> {
        let request = self
            .v1(Method::GET, &["stable", "tasks", &task_id.to_string()])
            .query_opt("attempt", attempt);
        self.send(request).await
    }

    pub async fn get_task_logs(&self, task_id: Uuid, query: &TaskLogs) -> Result<Value, ApiError> {
        let request = self
            .v1(
                Method::GET,
                &["stable", "tasks", &task_id.to_string(), "logs"],
            )
            .query("limit", query.limit)
            .query_opt("since", query.since)
            .query_opt("until", query.until)
            .query_opt("search", query.search.as_ref())
            .query_each("levels", &query.levels)
            .query_opt("order_by_direction", query.order)
            .query_opt("attempt", query.attempt);
        self.send(request).await
    }

    pub async fn list_task_events(
        &self,
        task_id: Uuid,
        limit: u32,
        offset: u32,
    ) -> Result<Value, ApiError> {
        let request = self
            .v1(
                Method::GET,
                &["stable", "tasks", &task_id.to_string(), "task-events"],
            )
            .query("limit", limit)
            .query("offset", offset);
        self.send(request).await
    }
}

impl Client {
    /// Requeues an evicted durable task; answers `{requeued}`.
    pub async fn restore_task(&self, task_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.v1(
            Method::POST,
            &["stable", "tasks", &task_id.to_string(), "restore"],
        ))
        .await
    }
}
