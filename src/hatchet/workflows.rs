//! Workflows: `GET /api/v1/tenants/{t}/workflows`, `GET /api/v1/workflows/{id}`.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
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

/// How a workflow is paused (engines from v0.103.0): the fields of `PauseWorkflowRequestPause`
/// besides its `action`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PauseWorkflow {
    #[serde(rename = "pausedWorkflowCronRunQueueBehavior")]
    pub cron_runs: PausedRunBehavior,
    #[serde(rename = "pausedWorkflowScheduledRunQueueBehavior")]
    pub scheduled_runs: PausedRunBehavior,
    /// A Go duration, such as `24h`.
    #[serde(rename = "pausedWorkflowQueueTTL")]
    pub queue_ttl: String,
}

/// Body of `PATCH /api/v1/workflows/{id}`: `pause`, and the older engines' `isPaused`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateWorkflow<'a> {
    pause: PauseAction<'a>,
    is_paused: bool,
}

/// `PauseWorkflowRequest`: which one its `action` says.
#[derive(Serialize)]
#[serde(tag = "action", rename_all = "lowercase")]
enum PauseAction<'a> {
    Pause(&'a PauseWorkflow),
    Unpause,
}

impl Client {
    /// Engines from v0.103.0 read `pause`; older ones read `isPaused` and ignore `pause`,
    /// so both are sent. The caller checks the answer's `isPaused`.
    pub async fn pause_workflow(
        &self,
        workflow_id: Uuid,
        pause: &PauseWorkflow,
    ) -> Result<Value, ApiError> {
        let body = UpdateWorkflow {
            pause: PauseAction::Pause(pause),
            is_paused: true,
        };
        self.send(
            self.v1(Method::PATCH, &["workflows", &workflow_id.to_string()])
                .body(body),
        )
        .await
    }

    pub async fn resume_workflow(&self, workflow_id: Uuid) -> Result<Value, ApiError> {
        let body = UpdateWorkflow {
            pause: PauseAction::Unpause,
            is_paused: false,
        };
        self.send(
            self.v1(Method::PATCH, &["workflows", &workflow_id.to_string()])
                .body(body),
        )
        .await
    }

    /// One version of a workflow (the latest without `version`): its steps, triggers,
    /// concurrency settings and each task's input JSON Schema.
    pub async fn get_workflow_version(
        &self,
        workflow_id: Uuid,
        version: Option<Uuid>,
    ) -> Result<Value, ApiError> {
        let request = self
            .v1(
                Method::GET,
                &["workflows", &workflow_id.to_string(), "versions"],
            )
            .query_opt("version", version);
        self.send(request).await
    }
}
