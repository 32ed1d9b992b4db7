//! Events (v1): what was pushed, and which runs it triggered. This endpoint family spells
//! its query parameters in camelCase.

use jiff::Timestamp;
use reqwest::Method;
use serde::Serialize;
use serde_json::{Map, Value};
use uuid::Uuid;

use super::{ApiError, Client, runs::RunStatus};

/// Query of `GET /api/v1/stable/tenants/{t}/events`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ListEvents {
    pub keys: Vec<String>,
    pub since: Option<Timestamp>,
    pub until: Option<Timestamp>,
    pub workflow_ids: Vec<Uuid>,
    /// Statuses of the runs the events triggered.
    pub run_statuses: Vec<RunStatus>,
    pub event_ids: Vec<Uuid>,
    pub scopes: Vec<String>,
    /// `key:value` pairs.
    pub additional_metadata: Vec<String>,
    pub limit: u32,
    pub offset: u32,
}

impl Client {
    pub async fn list_events(&self, query: &ListEvents) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["events"])
            .query_each("keys", &query.keys)
            .query_opt("since", query.since)
            .query_opt("until", query.until)
            .query_each("workflowIds", &query.workflow_ids)
            .query_each("workflowRunStatuses", &query.run_statuses)
            .query_each("eventIds", &query.event_ids)
            .query_each("scopes", &query.scopes)
            .query_each("additionalMetadata", &query.additional_metadata)
            .query("limit", query.limit)
            .query("offset", query.offset);
        self.send(request).await
    }

    pub async fn get_event(&self, event_id: Uuid) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::GET, &["events", &event_id.to_string()]))
            .await
    }

    pub async fn list_event_keys(&self) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::GET, &["events", "keys"]))
            .await
    }
}

/// Body of `POST /api/v1/tenants/{t}/events`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushEvent {
    /// Already namespaced by the caller.
    pub key: String,
    pub data: Map<String, Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub additional_metadata: Option<Map<String, Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<String>,
}

impl Client {
    pub async fn push_event(&self, event: &PushEvent) -> Result<Value, ApiError> {
        self.send(self.tenant(Method::POST, &["events"]).body(event))
            .await
    }
}
