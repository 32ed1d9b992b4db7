//! Property tests over the argument parsers and token decoding: no input panics, and what
//! is accepted always satisfies the rules (ids are canonical UUIDs, limits in range,
//! metadata keys without ':', secrets never echoed).

use std::collections::HashMap;

use hatchet_mcp::{
    config::{Config, Secret},
    hatchet::runs::RunStatus,
    mcp::args::{self, Id, MetadataFilter, Page, PastTime},
    token,
};
use proptest::prelude::*;
use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Map, Value, json};

#[derive(Debug, Deserialize, JsonSchema)]
#[allow(dead_code)] // Fields are read through Debug and the assertions below.
struct Arguments {
    run_id: Option<Id>,
    since: Option<PastTime>,
    statuses: Option<Vec<RunStatus>>,
    additional_metadata: Option<MetadataFilter>,
    #[serde(flatten)]
    page: Page,
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<String>().prop_map(Value::from),
        prop_oneof![
            Just("6ba7b810-9dad-11d1-80b4-00c04fd430c8"),
            Just("FAILED"),
            Just("failed"),
            Just("6h"),
            Just("2026-05-19T09:00:00+09:00"),
            Just("42"),
            Just("../../etc/passwd"),
            Just("%2F"),
            Just("a:b"),
        ]
        .prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        scalar(),
        prop::collection::vec(scalar(), 0..4).prop_map(Value::from),
        prop::collection::hash_map("[a-z:]{0,6}".prop_map(String::from), scalar(), 0..4)
            .prop_map(|m| Value::Object(m.into_iter().collect())),
    ]
}

fn argument_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("run_id"),
        Just("since"),
        Just("statuses"),
        Just("additional_metadata"),
        Just("limit"),
        Just("offset"),
        Just("bogus"),
    ]
    .prop_map(String::from)
}

proptest! {
    // No regression files: a failure prints its minimal input, and CI writes nothing.
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn parsing_never_panics_and_accepts_only_valid_arguments(
        pairs in prop::collection::vec((argument_name(), value()), 0..6)
    ) {
        let schema = args::schema_for::<Arguments>();
        let arguments: Map<String, Value> = pairs.into_iter().collect();
        match args::parse::<Arguments>(&schema, Some(arguments.clone())) {
            Ok(parsed) => {
                prop_assert!(!arguments.contains_key("bogus"));
                prop_assert!((1..=100).contains(&parsed.page.limit.get()));
                prop_assert!(parsed.page.offset.get() >= 0);
                if let Some(id) = parsed.run_id {
                    let text = id.to_string();
                    prop_assert!(text.len() == 36 && text.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
                }
                if let Some(filter) = parsed.additional_metadata {
                    prop_assert!(filter.0.keys().all(|k| !k.contains(':')));
                }
            }
            Err(error) => {
                // Errors are one line, and never echo more than a short preview.
                prop_assert!(!error.0.contains('\n'));
                prop_assert!(error.0.len() < 1000, "{} bytes", error.0.len());
            }
        }
    }

    #[test]
    fn ids_are_accepted_only_as_uuids_and_render_path_safe(text in any::<String>()) {
        match serde_json::from_value::<Id>(json!(text)) {
            Ok(id) => {
                prop_assert!(uuid::Uuid::try_parse(text.trim()).is_ok());
                let rendered = id.to_string();
                prop_assert!(!rendered.contains(['/', '?', '#', '%', '.']));
            }
            Err(error) => prop_assert!(error.to_string().contains("expected a UUID")),
        }
    }

    #[test]
    fn times_parse_or_explain(text in any::<String>()) {
        if let Err(error) = serde_json::from_value::<PastTime>(json!(text)) {
            prop_assert!(error.to_string().contains("RFC 3339"));
        }
    }

    #[test]
    fn relative_times_count_back_from_now(amount in 0u32..10_000, unit in prop::sample::select(vec!["s", "m", "h", "d", "w"])) {
        let before = jiff::Timestamp::now();
        let parsed = serde_json::from_value::<PastTime>(json!(format!("{amount}{unit}")));
        if let Ok(PastTime(at)) = parsed {
            prop_assert!(at <= jiff::Timestamp::now() && at <= before + jiff::SignedDuration::from_secs(1));
        }
    }

    #[test]
    fn metadata_filters_refuse_colons_in_keys(map in prop::collection::hash_map(any::<String>(), any::<String>(), 0..5)) {
        let object: Map<String, Value> = map.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        match serde_json::from_value::<MetadataFilter>(Value::Object(object)) {
            Ok(filter) => {
                prop_assert!(map.keys().all(|k| !k.contains(':')));
                let pairs = filter.to_pairs();
                prop_assert_eq!(pairs.len(), map.len());
                for (key, value) in &map {
                    let pair = format!("{key}:{value}");
                    prop_assert!(pairs.contains(&pair));
                }
            }
            Err(_) => prop_assert!(map.keys().any(|k| k.contains(':'))),
        }
    }

    #[test]
    fn limits_are_in_range_or_refused(n in any::<i64>()) {
        let schema = args::schema_for::<Arguments>();
        let arguments: Map<String, Value> = [("limit".to_owned(), json!(n))].into_iter().collect();
        let parsed = args::parse::<Arguments>(&schema, Some(arguments));
        prop_assert_eq!(parsed.is_ok(), (1..=100).contains(&n));
    }

    #[test]
    fn token_decoding_never_panics(text in any::<String>(), segments in prop::collection::vec("[A-Za-z0-9_=+/-]{0,40}", 0..5)) {
        let _ = token::decode_claims(&text);
        let _ = token::decode_claims(&segments.join("."));
    }

    #[test]
    fn config_errors_never_echo_the_token(token in "[A-Za-z0-9_.-]{12,80}") {
        let env: HashMap<&str, &str> = [("HATCHET_CLIENT_TOKEN", token.as_str())].into_iter().collect();
        if let Err(error) = Config::from_lookup(|name| env.get(name).map(|v| (*v).to_owned())) {
            prop_assert!(!error.to_string().contains(&token));
        }
    }

    #[test]
    fn redaction_removes_every_copy(
        secret in "[A-Za-z0-9_-]{20,40}\\.[A-Za-z0-9_-]{20,40}\\.[A-Za-z0-9_-]{20,60}",
        before in any::<String>(),
        after in any::<String>(),
    ) {
        let signature = secret.rsplit('.').next().unwrap().to_owned();
        let text = format!("{before}Bearer {secret} and {signature}{after}");
        let redacted = Secret::new(secret.clone()).redact(&text).into_owned();
        prop_assert!(!redacted.contains(&secret));
        prop_assert!(!redacted.contains(&signature));
    }
}
