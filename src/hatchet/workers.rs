//! Workers: the processes that run tasks.

use reqwest::Method;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use super::{ApiError, Client};

api_enum!(WorkerStatus { Active = "ACTIVE", Inactive = "INACTIVE", Paused = "PAUSED" });

/// Body of `PATCH /api/v1/workers/{id}`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdateWorker {
    is_paused: bool,
}

impl Client {
    pub async fn list_workers(
        &self,
        statuses: &[WorkerStatus],
        limit: u32,
        offset: u32,
    ) -> Result<Value, ApiError> {
        let request = self
            .tenant(Method::GET, &["worker"])
            .query_each("statuses", statuses)
            .query("limit", limit)
            .query("offset", offset);
        self.send(request).await
    }

    pub async fn get_worker(&self, worker_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.v1(Method::GET, &["workers", &worker_id.to_string()]))
            .await
    }
}

impl Client {
    /// Pauses (`true`) or resumes (`false`) a worker: a paused worker takes no new runs.
    pub async fn set_worker_paused(
        &self,
        worker_id: Uuid,
        paused: bool,
    ) -> Result<Value, ApiError> {
        let body = UpdateWorker { is_paused: paused };
        self.send(
            self.v1(Method::PATCH, &["workers", &worker_id.to_string()])
                .body(body),
        )
        .await
    }
}
