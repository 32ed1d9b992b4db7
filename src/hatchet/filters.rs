//! Event filters (v1) and the CEL debugger.

use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{ApiError, Client};

/// Body of `POST /api/v1/stable/tenants/{t}/cel/debug`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CelDebug {
    pub expression: String,
    pub input: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_payload: Option<Map<String, Value>>,
}

impl Client {
    pub async fn list_filters(
        &self,
        workflow_ids: &[Uuid],
        scopes: &[String],
        limit: u32,
        offset: u32,
    ) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["filters"])
            .query_each("workflowIds", workflow_ids)
            .query_each("scopes", scopes)
            .query("limit", limit)
            .query("offset", offset);
        self.send(request).await
    }

    pub async fn get_filter(&self, filter_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::GET, &["filters", &filter_id.to_string()]))
            .await
    }

    /// Evaluates a CEL expression; reads nothing and changes nothing, so it is allowed (and
    /// retried) in read-only mode although it is a POST.
    pub async fn cel_debug(&self, body: &CelDebug) -> Result<Value, ApiError> {
        self.send(
            self.stable_tenant(Method::POST, &["cel", "debug"])
                .body(body)
                .reading(),
        )
        .await
    }
}

/// Body of `POST /api/v1/stable/tenants/{t}/filters`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateFilter {
    pub workflow_id: Uuid,
    pub expression: String,
    pub scope: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Map<String, Value>>,
}

/// Body of `PATCH /api/v1/stable/tenants/{t}/filters/{id}`: only the fields given.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct UpdateFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payload: Option<Map<String, Value>>,
}

impl Client {
    pub async fn create_filter(&self, filter: &CreateFilter) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::POST, &["filters"]).body(filter))
            .await
    }

    pub async fn update_filter(
        &self,
        filter_id: Uuid,
        update: &UpdateFilter,
    ) -> Result<Value, ApiError> {
        let request = self.stable_tenant(Method::PATCH, &["filters", &filter_id.to_string()]);
        self.send(request.body(update)).await
    }

    /// Answers the deleted filter.
    pub async fn delete_filter(&self, filter_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::DELETE, &["filters", &filter_id.to_string()]))
            .await
    }
}
