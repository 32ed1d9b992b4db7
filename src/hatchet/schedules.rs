//! Cron triggers and scheduled runs. These endpoints spell their query parameters in
//! camelCase and their sort direction in upper case.

use jiff::Timestamp;
use reqwest::Method;
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};
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

    pub async fn get_scheduled(&self, scheduled_id: Uuid) -> Result<Value, ApiError> {
        let id = scheduled_id.to_string();
        self.send(self.tenant(Method::GET, &["workflows", "scheduled", &id]))
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

/// Body of `POST /api/v1/tenants/{t}/workflows/{workflow_name}/crons`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateCron {
    pub cron_name: String,
    #[serde(rename = "cronExpression")]
    pub expression: String,
    pub input: Map<String, Value>,
    pub additional_metadata: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
}

/// Body of `POST /api/v1/tenants/{t}/workflows/{workflow_name}/scheduled`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateScheduled {
    #[serde(serialize_with = "rfc3339")]
    pub trigger_at: Timestamp,
    pub input: Map<String, Value>,
    pub additional_metadata: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
}

/// Body of `PATCH /api/v1/tenants/{t}/workflows/scheduled/{id}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Reschedule {
    #[serde(serialize_with = "rfc3339")]
    trigger_at: Timestamp,
}

/// An instant as RFC 3339 text, the way `Timestamp` displays it.
fn rfc3339<S: Serializer>(at: &Timestamp, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(at)
}

impl Client {
    /// The path takes the workflow's (namespaced) name, not its id.
    pub async fn create_cron(
        &self,
        workflow_name: &str,
        cron: &CreateCron,
    ) -> Result<Value, ApiError> {
        self.send(
            self.tenant(Method::POST, &["workflows", workflow_name, "crons"])
                .body(cron),
        )
        .await
    }

    /// Answers 204 with no body.
    pub async fn delete_cron(&self, cron_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.tenant(
            Method::DELETE,
            &["workflows", "crons", &cron_id.to_string()],
        ))
        .await
    }

    /// The path takes the workflow's (namespaced) name, not its id.
    pub async fn create_scheduled(
        &self,
        workflow_name: &str,
        run: &CreateScheduled,
    ) -> Result<Value, ApiError> {
        self.send(
            self.tenant(Method::POST, &["workflows", workflow_name, "scheduled"])
                .body(run),
        )
        .await
    }

    /// Answers 204 with no body.
    pub async fn delete_scheduled(&self, scheduled_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.tenant(
            Method::DELETE,
            &["workflows", "scheduled", &scheduled_id.to_string()],
        ))
        .await
    }

    pub async fn reschedule(
        &self,
        scheduled_id: Uuid,
        trigger_at: Timestamp,
    ) -> Result<Value, ApiError> {
        let body = Reschedule { trigger_at };
        self.send(
            self.tenant(
                Method::PATCH,
                &["workflows", "scheduled", &scheduled_id.to_string()],
            )
            .body(body),
        )
        .await
    }
}
