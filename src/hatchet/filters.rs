//! Event filters (v1) and the CEL debugger.

use reqwest::Method;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use super::{ApiError, Client};

/// Body of `POST /api/v1/stable/tenants/{t}/cel/debug`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CelDebug {
    pub expression: String,
    pub input: Map<String, Value>,
    pub additional_metadata: Option<Map<String, Value>>,
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
        let json = json!({
            "expression": body.expression,
            "input": body.input,
            "additionalMetadata": body.additional_metadata,
            "filterPayload": body.filter_payload,
        });
        self.send(
            self.stable_tenant(Method::POST, &["cel", "debug"])
                .body(json),
        )
        .await
    }
}

/// Body of `POST /api/v1/stable/tenants/{t}/filters`.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateFilter {
    pub workflow_id: Uuid,
    pub expression: String,
    pub scope: String,
    pub payload: Option<Map<String, Value>>,
}

/// Body of `PATCH /api/v1/stable/tenants/{t}/filters/{id}`: only the fields given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UpdateFilter {
    pub expression: Option<String>,
    pub scope: Option<String>,
    pub payload: Option<Map<String, Value>>,
}

impl Client {
    pub async fn create_filter(&self, filter: &CreateFilter) -> Result<Value, ApiError> {
        let body = json!({
            "workflowId": filter.workflow_id,
            "expression": filter.expression,
            "scope": filter.scope,
            "payload": filter.payload,
        });
        self.send(self.stable_tenant(Method::POST, &["filters"]).body(body))
            .await
    }

    pub async fn update_filter(
        &self,
        filter_id: Uuid,
        update: &UpdateFilter,
    ) -> Result<Value, ApiError> {
        let body = json!({
            "expression": update.expression,
            "scope": update.scope,
            "payload": update.payload,
        });
        let request = self.stable_tenant(Method::PATCH, &["filters", &filter_id.to_string()]);
        self.send(request.body(body)).await
    }

    /// Answers the deleted filter.
    pub async fn delete_filter(&self, filter_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::DELETE, &["filters", &filter_id.to_string()]))
            .await
    }
}
