//! Incoming webhooks: the `webhooks` toolset (opt-in). Read-only, and an answer never
//! carries secret material: only the fields Hatchet's OpenAPI spec gives a webhook are
//! shown, at every depth; any other field keeps its name and has its value masked.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::Value;

use crate::mcp::tools::{Call, ToolSpec};
use crate::{
    hatchet::webhooks::WebhookSource,
    mcp::{
        args::Page,
        output,
        registry::{About, Effect, Group, ToolResult},
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
        .lists(&summary::WEBHOOKS)
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
    only_known(&mut webhooks, &WEBHOOK_LIST);
    Ok(output::list(webhooks, Some(&args.page), true).detail(args.detail))
}

#[derive(Deserialize, JsonSchema)]
struct GetWebhookArgs {
    name: String,
}

async fn get_webhook(call: Call, args: GetWebhookArgs) -> ToolResult {
    let mut webhook = call.client.get_webhook(&args.name).await?;
    only_known(&mut webhook, &WEBHOOK);
    Ok(output::item(webhook))
}

/// What replaces the value of a field the allowlist does not know; the key is kept, so the
/// agent knows it exists.
const MASK: &str = "[hidden]";

/// What a field of a webhook answer may hold, after Hatchet's OpenAPI spec (`V1Webhook`,
/// `V1WebhookList`, `APIResourceMeta`, `PaginationResponse`).
enum Shape {
    /// A string, number, flag or null: shown.
    Scalar,
    /// An object whose fields are these; any other field is masked. An empty list is a
    /// free-form object (`staticPayload`): its keys are shown, never its values.
    Object(&'static [(&'static str, Shape)]),
    /// An array of these.
    Array(&'static Shape),
}

const RESOURCE_META: Shape = Shape::Object(&[
    ("id", Shape::Scalar),
    ("createdAt", Shape::Scalar),
    ("updatedAt", Shape::Scalar),
]);

/// `V1Webhook`: every field the spec gives a webhook. Its authentication (`auth`:
/// passwords, API keys, signing secrets) is write-only in the spec and is never among them.
const WEBHOOK: Shape = Shape::Object(&[
    ("metadata", RESOURCE_META),
    ("tenantId", Shape::Scalar),
    ("name", Shape::Scalar),
    ("sourceName", Shape::Scalar),
    ("eventKeyExpression", Shape::Scalar),
    ("scopeExpression", Shape::Scalar),
    // Free-form: what the engine adds to every event the webhook triggers.
    ("staticPayload", Shape::Object(&[])),
    ("authType", Shape::Scalar),
    ("returnEventAsResponsePayload", Shape::Scalar),
]);

/// `V1WebhookList`.
const WEBHOOK_LIST: Shape = Shape::Object(&[
    ("rows", Shape::Array(&WEBHOOK)),
    (
        "pagination",
        Shape::Object(&[
            ("current_page", Shape::Scalar),
            ("next_page", Shape::Scalar),
            ("num_pages", Shape::Scalar),
        ]),
    ),
]);

/// `value` with only what `shape` allows shown: at every depth, a field it does not name,
/// or a value not of the kind it says, becomes [`MASK`]. An allowlist, so a secret under a
/// name nobody foresaw (`sharedKey`, `pwd`, a nested `auth: {...}`) is masked all the same.
fn only_known(value: &mut Value, shape: &Shape) {
    match (shape, &mut *value) {
        // Nothing is not a secret, whatever the field (answers leave nulls out).
        (_, Value::Null) => {}
        (Shape::Scalar, Value::String(_) | Value::Number(_) | Value::Bool(_)) => {}
        (Shape::Object(fields), Value::Object(map)) => {
            for (key, field) in map.iter_mut() {
                match fields.iter().find(|(name, _)| name == key) {
                    Some((_, shape)) => only_known(field, shape),
                    None => *field = MASK.into(),
                }
            }
        }
        (Shape::Array(item), Value::Array(items)) => {
            items.iter_mut().for_each(|value| only_known(value, item));
        }
        _ => *value = MASK.into(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn only_the_specs_fields_are_shown_at_any_depth_and_the_rest_masked_by_key() {
        let mut webhook = json!({
            "name": "stripe",
            "authType": "HMAC",
            "auth": {"hmac": {"signingSecret": "whsec_x"}},
            "metadata": {"id": "w1", "apiKey": "k"},
            "staticPayload": {"team": "payments", "nested": {"token": "t"}},
            "sourceName": {"password": "p"},
            "scopeExpression": null,
            "returnEventAsResponsePayload": true,
        });
        only_known(&mut webhook, &WEBHOOK);
        assert_eq!(
            webhook,
            json!({
                "name": "stripe",
                "authType": "HMAC",
                "auth": MASK,
                "metadata": {"id": "w1", "apiKey": MASK},
                "staticPayload": {"team": MASK, "nested": MASK},
                "sourceName": MASK,
                "scopeExpression": null,
                "returnEventAsResponsePayload": true,
            })
        );
        let mut list = json!({"rows": [{"name": "a", "pwd": "p"}], "rows2": [1], "pagination": 3});
        only_known(&mut list, &WEBHOOK_LIST);
        assert_eq!(
            list,
            json!({"rows": [{"name": "a", "pwd": MASK}], "rows2": MASK, "pagination": MASK})
        );
    }
}
