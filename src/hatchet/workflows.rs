//! Workflows: `GET /api/v1/tenants/{t}/workflows`, `GET /api/v1/workflows/{id}`.

use reqwest::Method;
use serde_json::{Value, json};
use uuid::Uuid;

use super::{ApiError, Client};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListWorkflows {
    /// Already namespaced by the caller.
    pub name: Option<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Client {
    pub async fn list_workflows(&self, query: &ListWorkflows) -> Result<Value, ApiError> {
        let request = self
            .tenant(Method::GET, &["workflows"])
            .query_opt("name", query.name.as_ref())
            .query("limit", query.limit)
            .query("offset", query.offset);
        self.send(request).await
    }

    pub async fn get_workflow(&self, workflow_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.v1(Method::GET, &["workflows", &workflow_id.to_string()]))
            .await
    }
}

api_enum!(PausedRunBehavior { Queue = "QUEUE", Drop = "DROP" });

/// How a workflow is paused (engines from v0.103.0).
#[derive(Debug, Clone, PartialEq)]
pub struct PauseWorkflow {
    pub cron_runs: PausedRunBehavior,
    pub scheduled_runs: PausedRunBehavior,
    /// A Go duration, such as `24h`.
    pub queue_ttl: String,
}

impl Client {
    /// Engines from v0.103.0 read `pause`; older ones read `isPaused` and ignore `pause`,
    /// so both are sent. The caller checks the answer's `isPaused`.
    pub async fn pause_workflow(
        &self,
        workflow_id: Uuid,
        pause: &PauseWorkflow,
    ) -> Result<Value, ApiError> {
        let body = json!({
            "pause": {
                "action": "pause",
                "pausedWorkflowCronRunQueueBehavior": pause.cron_runs,
                "pausedWorkflowScheduledRunQueueBehavior": pause.scheduled_runs,
                "pausedWorkflowQueueTTL": pause.queue_ttl,
            },
            "isPaused": true,
        });
        self.send(
            self.v1(Method::PATCH, &["workflows", &workflow_id.to_string()])
                .body(body),
        )
        .await
    }

    pub async fn resume_workflow(&self, workflow_id: Uuid) -> Result<Value, ApiError> {
        let body = json!({ "pause": { "action": "unpause" }, "isPaused": false });
        self.send(
            self.v1(Method::PATCH, &["workflows", &workflow_id.to_string()])
                .body(body),
        )
        .await
    }
}
