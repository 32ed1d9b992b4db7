//! Incoming webhooks (v1): what turns a third party's HTTP call into a Hatchet event.

use reqwest::Method;
use serde_json::Value;

use super::{ApiError, Client};

api_enum!(WebhookSource {
    Generic = "GENERIC",
    Github = "GITHUB",
    Stripe = "STRIPE",
    Slack = "SLACK",
    Linear = "LINEAR",
    Svix = "SVIX",
});

impl Client {
    pub async fn list_webhooks(
        &self,
        sources: &[WebhookSource],
        limit: u32,
        offset: u32,
    ) -> Result<Value, ApiError> {
        let request = self
            .stable_tenant(Method::GET, &["webhooks"])
            .query("limit", limit)
            .query("offset", offset)
            .query_each("sourceNames", sources);
        self.send(request).await
    }

    /// Webhooks are addressed by name.
    pub async fn get_webhook(&self, name: &str) -> Result<Value, ApiError> {
        self.send(self.stable_tenant(Method::GET, &["webhooks", name]))
            .await
    }
}
