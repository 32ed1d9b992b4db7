//! The send path's guards, on a client that never reaches a server.

use std::time::Duration;

use reqwest::{
    Method, Url,
    header::{self, HeaderMap},
};
use serde_json::Value;
use uuid::Uuid;

use super::{json_scan::JsonScan, send::retry_after, *};
use crate::redact::Secret;

fn client(read_only: bool) -> Client {
    Client::new(ClientOptions {
        base_url: Url::parse("http://127.0.0.1:9/prefix").unwrap(),
        tenant_id: Uuid::nil(),
        token: Secret::new("t"),
        read_only,
        deadline: Duration::from_secs(1),
        retry: RetryPolicy::default(),
        max_body_bytes: 1024,
    })
    .unwrap()
}

#[tokio::test]
async fn the_http_client_is_built_on_the_first_request_and_shared_by_clones() {
    let c = Client::new(ClientOptions {
        retry: RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        },
        ..client(true).options
    })
    .unwrap();
    let clone = c.clone();
    assert!(
        c.connections.http.get().is_none(),
        "nothing is built before a request"
    );
    // Port 9 is closed: the request fails, after the client was built for it.
    let error = c.send(c.v1(Method::GET, &["x"])).await.unwrap_err();
    assert_eq!(error.kind, ErrorKind::Transport, "{error}");
    assert!(
        clone.connections.http.get().is_some(),
        "built once, for every clone"
    );
}

#[test]
fn integers_beyond_64_bits_keep_their_digits() {
    let body = br#"{"a":123456789012345678901234567890,"b":-18446744073709551616,"c":1.5e300,"d":"99999999999999999999999","e":18446744073709551615,"f":1.123456789012345678901234,"g":-9223372036854775808,"h":[true,false,null]}"#;
    let scan = JsonScan::of(body);
    let value: Value = serde_json::from_slice(&scan.quote_big_integers(body)).unwrap();
    assert_eq!(value["a"], "123456789012345678901234567890");
    assert_eq!(value["b"], "-18446744073709551616");
    assert!(value["c"].is_f64());
    assert_eq!(value["d"], "99999999999999999999999");
    assert_eq!(value["e"].as_u64(), Some(u64::MAX));
    assert!(value["f"].is_f64(), "a long fraction stays a number");
    assert_eq!(value["g"].as_i64(), Some(i64::MIN));
    let top_level = JsonScan::of(b"123456789012345678901234567890");
    assert_eq!(top_level.big_integers, vec![0..30]);
    let small = JsonScan::of(b"[1,2]");
    assert!(matches!(
        small.quote_big_integers(b"[1,2]"),
        std::borrow::Cow::Borrowed(_)
    ));
}

#[test]
fn counts_values_outside_strings() {
    assert_eq!(JsonScan::of(br#"{"a":[1,2,3],"b":"x,y,{"}"#).values, 6);
    assert_eq!(JsonScan::of(b"null").values, 1);
}

#[test]
fn percent_encodes_every_path_segment() {
    let c = client(true);
    let url = c
        .url(&c.tenant(Method::GET, &["workflows", "a/b?c#d%"]))
        .unwrap();
    assert_eq!(
        url.as_str(),
        "http://127.0.0.1:9/prefix/api/v1/tenants/00000000-0000-0000-0000-000000000000/workflows/a%2Fb%3Fc%23d%25"
    );
    assert!(c.url(&c.v1(Method::GET, &["workflows", ".."])).is_err());
}

#[test]
fn refuses_requests_that_could_not_be_sent_as_asked() {
    let c = client(false);
    // The URL parser drops tabs and newlines: `.<TAB>.` would become `..`.
    for bad in [".\t.", "a\nb", "\r"] {
        let err = c.url(&c.v1(Method::GET, &["workflows", bad])).unwrap_err();
        assert_eq!(err.kind, ErrorKind::Refused, "{bad:?}");
    }
    let long = "x".repeat(MAX_URL_BYTES);
    let err = c
        .url(&c.v1(Method::GET, &["workflows", &long]))
        .unwrap_err();
    assert!(err.to_string().contains("URL"), "{err}");
}

#[tokio::test]
async fn refuses_an_oversized_body_before_sending() {
    let c = client(false);
    let body = serde_json::json!({"input": "x".repeat(MAX_REQUEST_BODY_BYTES)});
    let err = c
        .send(c.tenant(Method::POST, &["events"]).body(body))
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Refused);
    assert!(err.to_string().contains("request body"), "{err}");
}

#[test]
fn repeats_array_query_keys() {
    let c = client(true);
    let req = c
        .v1(Method::GET, &["x"])
        .query_each("statuses", ["FAILED", "RUNNING"])
        .query("m", "a:b c");
    assert_eq!(
        c.url(&req).unwrap().query(),
        Some("statuses=FAILED&statuses=RUNNING&m=a%3Ab+c")
    );
}

#[test]
fn a_post_is_a_read_only_when_its_endpoint_declares_it() {
    let c = client(true);
    assert!(
        c.stable_tenant(Method::POST, &["cel", "debug"])
            .reading()
            .is_read()
    );
    assert!(!c.stable_tenant(Method::POST, &["cel", "debug"]).is_read());
    assert!(
        !c.stable_tenant(Method::POST, &["tasks", "cancel"])
            .is_read()
    );
    assert!(
        !c.v1(Method::POST, &["stable", "tenants", "x", "cel", "debugger"])
            .is_read()
    );
    assert!(c.v1(Method::GET, &["anything"]).is_read());
}

#[tokio::test]
async fn read_only_refuses_writes_before_any_network() {
    let c = client(true);
    let err = c
        .send(
            c.tenant(Method::POST, &["events"])
                .body(serde_json::json!({})),
        )
        .await
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ReadOnly);
    assert!(err.to_string().contains("HATCHET_MCP_READ_ONLY=false"));
}

#[test]
fn backoff_honours_retry_after_as_a_floor_and_caps_at_max_delay() {
    let c = client(true);
    for retries in 0..3 {
        let wait = c.backoff(retries, None);
        let step = Duration::from_millis(250 << retries);
        assert!(wait >= step / 2 && wait <= step, "{wait:?}");
    }
    assert_eq!(
        c.backoff(0, Some(Duration::from_secs(2))),
        Duration::from_secs(2)
    );
    assert_eq!(
        c.backoff(0, Some(Duration::from_secs(60))),
        Duration::from_secs(10)
    );
}

#[test]
fn parses_retry_after_seconds_and_http_dates() {
    let mut headers = HeaderMap::new();
    headers.insert(header::RETRY_AFTER, "2".parse().unwrap());
    assert_eq!(retry_after(&headers), Some(Duration::from_secs(2)));
    let soon = jiff::Timestamp::now() + jiff::SignedDuration::from_secs(5);
    let date = jiff::fmt::rfc2822::DateTimePrinter::new()
        .timestamp_to_rfc9110_string(&soon)
        .unwrap();
    headers.insert(header::RETRY_AFTER, date.parse().unwrap());
    let wait = retry_after(&headers).unwrap();
    assert!(
        wait > Duration::from_secs(3) && wait <= Duration::from_secs(5),
        "{wait:?}"
    );
    headers.insert(
        header::RETRY_AFTER,
        "Wed, 21 Oct 2015 07:28:00 GMT".parse().unwrap(),
    );
    assert_eq!(retry_after(&headers), Some(Duration::ZERO));
}
