//! Workflows: `GET /api/v1/tenants/{t}/workflows`, `GET /api/v1/workflows/{id}`.

use reqwest::Method;
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
