//! Incoming webhooks: the `webhooks` toolset (opt-in). Read-only, and an answer never
//! carries secret material: any field whose name says it holds one is removed.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::{
    hatchet::webhooks::WebhookSource,
    mcp::{
        args::Page,
        output,
        registry::{About, Call, Effect, Group, ToolResult, ToolSpec},
        summary::{self, Detail},
    },
};

pub fn opt_in_tools() -> Vec<ToolSpec> {
    vec![
        ToolSpec::typed(
            About {
                name: "list_webhooks",
                title: "List webhooks",
                group: Group::Webhooks,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/webhooks",
                description: "Webhooks: source, event key and scope expressions.",
            },
            list_webhooks,
        )
        .opt_in(),
        ToolSpec::typed(
            About {
                name: "get_webhook",
                title: "Get webhook",
                group: Group::Webhooks,
                effect: Effect::Read,
                rest: "GET /api/v1/stable/tenants/{t}/webhooks/{name}",
                description: "One webhook, by name; secrets are never shown.",
            },
            get_webhook,
        )
        .opt_in(),
    ]
}

#[derive(Deserialize, JsonSchema)]
struct ListWebhooksArgs {
    sources: Option<Vec<WebhookSource>>,
    #[serde(flatten)]
    page: Page,
    detail: Option<Detail>,
}

async fn list_webhooks(call: Call, args: ListWebhooksArgs) -> ToolResult {
    let sources = args.sources.unwrap_or_default();
    let (limit, offset) = (args.page.limit(), args.page.offset());
    let mut webhooks = call.client.list_webhooks(&sources, limit, offset).await?;
    without_secrets(&mut webhooks);
    Ok(output::list(webhooks, Some(&args.page), true).summarised(&summary::WEBHOOKS, args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetWebhookArgs {
    name: String,
}

async fn get_webhook(call: Call, args: GetWebhookArgs) -> ToolResult {
    let mut webhook = call.client.get_webhook(&args.name).await?;
    without_secrets(&mut webhook);
    Ok(output::item(webhook))
}

/// Removes, at any depth, each field whose name says it holds a secret (`signingSecret`,
/// `password`, `apiKey`, `token`, `auth` other than `authType`...). Hatchet's webhook object
/// has none today; this keeps it so if a version adds one.
fn without_secrets(value: &mut Value) {
    match value {
        Value::Object(object) => {
            object.retain(|name, _| !names_a_secret(name));
            object.values_mut().for_each(without_secrets);
        }
        Value::Array(items) => items.iter_mut().for_each(without_secrets),
        _ => {}
    }
}

fn names_a_secret(name: &str) -> bool {
    let name = name.to_ascii_lowercase().replace(['_', '-'], "");
    name != "authtype"
        && [
            "secret",
            "password",
            "apikey",
            "token",
            "auth",
            "credential",
            "signature",
        ]
        .iter()
        .any(|word| name.contains(word))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn secret_fields_are_removed_at_any_depth_and_auth_type_kept() {
        let mut webhook = json!({
            "name": "stripe",
            "authType": "HMAC",
            "auth": {"hmac": {"signingSecret": "whsec_x"}},
            "rows": [{"basicAuth": {"password": "p"}, "api_key": "k", "eventKeyExpression": "input.type"}]
        });
        without_secrets(&mut webhook);
        assert_eq!(
            webhook,
            json!({"name": "stripe", "authType": "HMAC", "rows": [{"eventKeyExpression": "input.type"}]})
        );
    }
}
