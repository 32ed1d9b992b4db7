//! The webhook tools show only what Hatchet's OpenAPI spec says a webhook is (`V1Webhook`,
//! at every depth) and mask everything else, whatever its name: a secret under a name no
//! list of words foresees never reaches the agent. Against a fake Hatchet, in process.

use std::sync::Arc;

use crate::support::{
    contract::spec_document,
    fake::{TENANT, client_at},
};
use hatchet_mcp::mcp::tools::{Call, ToolContext};
use hatchet_mcp::mcp::{output::HARD_MAX_RESULT_BYTES, tools};
use serde_json::{Map, Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path, path_regex},
};

const MASK: &str = "[hidden]";

/// A webhook as a hostile or future engine might send it: the spec's fields, and secret
/// material under names of every kind, at the top, nested, and inside known objects.
fn webhook_with_secrets() -> Value {
    json!({
        "metadata": {"id": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "createdAt": "2026-05-19T09:00:00Z",
                     "updatedAt": "2026-05-19T09:00:00Z", "signingKey": "SECRET-meta-signing-key"},
        "tenantId": TENANT,
        "name": "stripe-payments",
        "sourceName": "STRIPE",
        "eventKeyExpression": "'stripe:' + input.type",
        "scopeExpression": "input.data.object.customer",
        "authType": "HMAC",
        "returnEventAsResponsePayload": false,
        "staticPayload": {"environment": "SECRET-static-value", "apiKey": "SECRET-static-api-key"},
        "auth": {"hmac": {"signingSecret": "SECRET-whsec", "algorithm": "SHA256"}},
        "signingKey": "SECRET-signing-key",
        "hmacKey": "SECRET-hmac-key",
        "privateKey": "-----BEGIN PRIVATE KEY----- SECRET-private",
        "bearer": "SECRET-bearer-value",
        "cookie": "session=SECRET-cookie",
        "passwd": "SECRET-passwd",
        "pwd": "SECRET-pwd",
        "clientSecret": "SECRET-client-secret",
        "sharedKey": "SECRET-shared-key",
        "credentials": {"user": "u", "pass": "SECRET-credentials"},
        "headers": [{"name": "Authorization", "value": "Bearer SECRET-header"}],
        // A known field whose value is not what the spec says: masked too.
        "eventKeyExpression_extra": "SECRET-extra",
    })
}

async fn fake(webhook: Value) -> MockServer {
    let server = MockServer::start().await;
    let list = format!("/api/v1/stable/tenants/{TENANT}/webhooks");
    Mock::given(method("GET"))
        .and(path(list))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "rows": [webhook.clone()],
            "pagination": {"current_page": 1, "num_pages": 1, "next_page": 1, "token": "SECRET-page-token"},
            "cursor": "SECRET-cursor",
        })))
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path_regex(r"/webhooks/[^/]+$"))
        .respond_with(ResponseTemplate::new(200).set_body_json(webhook))
        .mount(&server)
        .await;
    server
}

/// What `tool` answers, as text, on `server`.
async fn answer(server: &MockServer, tool: &str, arguments: Value) -> String {
    let mut context = ToolContext::new(client_at(&server.uri(), true), None);
    context.max_result_bytes = HARD_MAX_RESULT_BYTES;
    let context = Arc::new(context);
    let spec = tools::all()
        .into_iter()
        .find(|t| t.name == tool)
        .unwrap_or_else(|| panic!("no tool {tool}"));
    spec.call(Call::detached(context), arguments.as_object().cloned())
        .await
        .unwrap_or_else(|error| panic!("{tool}: {error}"))
        .render(HARD_MAX_RESULT_BYTES)
        .unwrap()
}

#[tokio::test]
async fn no_secret_under_any_name_reaches_the_answer_and_every_unknown_field_is_masked() {
    let server = fake(webhook_with_secrets()).await;
    let cases = [
        ("get_webhook", json!({"name": "stripe-payments"})),
        ("list_webhooks", json!({})),
        ("list_webhooks", json!({"detail": "full"})),
    ];
    for (tool, arguments) in cases {
        let text = answer(&server, tool, arguments.clone()).await;
        assert!(!text.contains("SECRET"), "{tool} {arguments}: {text}");
        let value: Value = serde_json::from_str(&text).unwrap();
        let webhook = match tool {
            "get_webhook" => &value,
            _ => &value["rows"][0],
        };
        assert!(
            webhook.to_string().contains("stripe-payments"),
            "{tool}: {webhook}"
        );
        if arguments.get("detail").is_none() && tool == "list_webhooks" {
            continue; // summary rows carry only the summary's fields
        }
        for key in [
            "auth",
            "signingKey",
            "hmacKey",
            "privateKey",
            "bearer",
            "cookie",
            "passwd",
            "pwd",
            "clientSecret",
            "sharedKey",
            "credentials",
            "headers",
            "eventKeyExpression_extra",
        ] {
            assert_eq!(webhook[key], MASK, "{tool}: `{key}` is kept, masked");
        }
        assert_eq!(webhook["metadata"]["signingKey"], MASK);
        assert_eq!(webhook["metadata"]["createdAt"], "2026-05-19T09:00:00Z");
        assert_eq!(
            webhook["staticPayload"],
            json!({"environment": MASK, "apiKey": MASK}),
            "free-form: its keys are shown, never its values"
        );
        assert_eq!(webhook["eventKeyExpression"], "'stripe:' + input.type");
        assert_eq!(webhook["authType"], "HMAC");
        if tool == "list_webhooks" {
            assert_eq!(value["pagination"]["token"], MASK);
            assert_eq!(value["pagination"]["num_pages"], 1);
            assert_eq!(value["cursor"], MASK);
        }
    }
}

/// A value of the type the spec gives a property, for the test below.
fn sample(name: &str, schema: &Value, schemas: &Map<String, Value>) -> Value {
    let schema = match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => &schemas[reference.trim_start_matches("#/components/schemas/")],
        None => schema,
    };
    if let Some(first) = schema["enum"].as_array().and_then(|e| e.first()) {
        return first.clone();
    }
    match schema["type"].as_str() {
        Some("boolean") => json!(true),
        Some("integer") => json!(7),
        Some("object") => match schema["properties"].as_object() {
            Some(properties) => properties
                .iter()
                .map(|(key, property)| (key.clone(), sample(key, property, schemas)))
                .collect(),
            None => json!({}),
        },
        _ => json!(format!("{name}-value")),
    }
}

#[tokio::test]
async fn every_field_the_spec_gives_a_webhook_is_shown_whole() {
    // Without the spec, the contract module has said so (and failed in CI).
    let Some(spec) = spec_document() else { return };
    let schemas = spec["components"]["schemas"].as_object().unwrap();
    let properties = schemas["V1Webhook"]["properties"].as_object().unwrap();
    let webhook: Map<String, Value> = properties
        .iter()
        .map(|(key, property)| (key.clone(), sample(key, property, schemas)))
        .collect();
    let webhook = Value::Object(webhook);
    let server = fake(webhook.clone()).await;
    let shown: Value =
        serde_json::from_str(&answer(&server, "get_webhook", json!({"name": "x"})).await).unwrap();
    assert_eq!(shown, webhook, "every V1Webhook property, unmasked");
    assert!(properties.len() >= 9, "{properties:?}");
}
