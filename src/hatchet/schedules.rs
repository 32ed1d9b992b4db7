//! Cron triggers and scheduled runs. These endpoints spell their query parameters in
//! camelCase and their sort direction in upper case.

use reqwest::Method;
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, Client, SortDirection};

api_enum!(CronOrderField { Name = "name", CreatedAt = "createdAt" });
api_enum!(ScheduledOrderField { TriggerAt = "triggerAt", CreatedAt = "createdAt" });
// `ScheduledRunStatus`: the older engine's status names.
api_enum!(ScheduledRunStatus {
    Pending = "PENDING",
    Running = "RUNNING",
    Succeeded = "SUCCEEDED",
    Failed = "FAILED",
    Cancelled = "CANCELLED",
    Queued = "QUEUED",
    Scheduled = "SCHEDULED",
});

/// Query of `GET /api/v1/tenants/{t}/workflows/crons`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListCrons {
    pub workflow_id: Option<Uuid>,
    pub workflow_name: Option<String>,
    pub cron_name: Option<String>,
    pub additional_metadata: Vec<String>,
    pub order_by_field: Option<CronOrderField>,
    pub order_by_direction: Option<SortDirection>,
    pub limit: u32,
    pub offset: u32,
}

/// Query of `GET /api/v1/tenants/{t}/workflows/scheduled`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListScheduled {
    pub workflow_id: Option<Uuid>,
    pub parent_workflow_run_id: Option<Uuid>,
    pub statuses: Vec<ScheduledRunStatus>,
    pub additional_metadata: Vec<String>,
    pub order_by_field: Option<ScheduledOrderField>,
    pub order_by_direction: Option<SortDirection>,
    pub limit: u32,
    pub offset: u32,
}

impl Client {
    pub async fn list_crons(&self, query: &ListCrons) -> Result<Value, ApiError> {
        let request = self
            .tenant(Method::GET, &["workflows", "crons"])
            .query_opt("workflowId", query.workflow_id)
            .query_opt("workflowName", query.workflow_name.as_ref())
            .query_opt("cronName", query.cron_name.as_ref())
            .query_each("additionalMetadata", &query.additional_metadata)
            .query_opt("orderByField", query.order_by_field)
            .query_opt("orderByDirection", query.order_by_direction)
            .query("limit", query.limit)
            .query("offset", query.offset);
        self.send(request).await
    }

    pub async fn get_cron(&self, cron_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.tenant(Method::GET, &["workflows", "crons", &cron_id.to_string()]))
            .await
    }

    pub async fn list_scheduled(&self, query: &ListScheduled) -> Result<Value, ApiError> {
        let request = self
            .tenant(Method::GET, &["workflows", "scheduled"])
            .query_opt("workflowId", query.workflow_id)
            .query_opt("parentWorkflowRunId", query.parent_workflow_run_id)
            .query_each("statuses", &query.statuses)
            .query_each("additionalMetadata", &query.additional_metadata)
            .query_opt("orderByField", query.order_by_field)
            .query_opt("orderByDirection", query.order_by_direction)
            .query("limit", query.limit)
            .query("offset", query.offset);
        self.send(request).await
    }
}
