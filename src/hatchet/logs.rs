//! Tenant-wide log search (v1): every task's log lines in one query.

use jiff::Timestamp;
use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, Client, tasks::LogLevel};

/// Query of `GET /api/v1/stable/tenants/{t}/logs`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TenantLogs {
    pub limit: u32,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub search: Option<String>,
    pub levels: Vec<LogLevel>,
    pub workflow_ids: Vec<Uuid>,
    pub task_run_ids: Vec<Uuid>,
}

impl Client {
    /// Newest first: a search is for what happened lately.
    pub async fn search_logs(&self, query: &TenantLogs) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["logs"])
            .query("limit", query.limit)
            .query_opt("since", query.since)
            .query_opt("until", query.until)
            .query_opt("search", query.search.as_ref())
            .query_each("levels", &query.levels)
            .query("order_by_direction", "DESC")
            .query_each("workflow_ids", &query.workflow_ids)
            .query_each("taskExternalIds", &query.task_run_ids);
        self.send(request).await
    }
}
