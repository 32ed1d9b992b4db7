//! The exit of team mode, as `stdio::write_output` is stdio's: every JSON-RPC message an
//! HTTP answer carries (a JSON body, or each `data:` line of an event stream) passes
//! [`outgoing`]: the caller's token redacted, an error's message and data bounded. The
//! request's places are held until the answer has been sent.

use http_body_util::{BodyExt, Full};
use hyper::{Response, body::Bytes, header};

use super::{Body, limits::Permits};
use crate::{mcp::stdio::outgoing, redact::Redactor};
use std::sync::Arc;

pub(super) async fn redacted(
    response: Response<Body>,
    redactor: Arc<Redactor>,
    permits: Permits,
) -> Response<Body> {
    let (mut parts, body) = response.into_parts();
    let is_json = parts
        .headers
        .get(header::CONTENT_TYPE)
        .is_some_and(|t| t.as_bytes().starts_with(b"application/json"));
    if is_json {
        // One message, already whole in memory (rmcp's `Full` body): sent with its length.
        let Ok(collected) = body.collect().await;
        let cleaned = clean(&redactor, &collected.to_bytes());
        parts.headers.remove(header::CONTENT_LENGTH);
        return Response::from_parts(parts, Full::new(cleaned).boxed());
    }
    let body = body.map_frame(move |frame| {
        // The places go when the body is dropped: once it has been sent, or the client left.
        let _held = &permits;
        frame.map_data(|data| clean(&redactor, &data))
    });
    Response::from_parts(parts, body.boxed())
}

/// One frame of a body: a whole JSON message, or lines of an event stream.
fn clean(redactor: &Redactor, data: &Bytes) -> Bytes {
    let text = String::from_utf8_lossy(data);
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return Bytes::from(outgoing(redactor, &text).trim_end_matches('\n').to_owned());
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match line.strip_prefix("data:") {
            Some(message) => {
                let (message, end) = match message.strip_suffix('\n') {
                    Some(message) => (message, "\n"),
                    None => (message, ""),
                };
                out.push_str("data:");
                out.push_str(outgoing(redactor, message).trim_end_matches('\n'));
                out.push_str(end);
            }
            None => out.push_str(&redactor.redact(line)),
        }
    }
    Bytes::from(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_leaves_in_no_frame_shape() {
        let token = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ0ZW5hbnQtdG9rZW4tZm9yLXRlc3RzIn0.c2lnbmF0dXJlLXNlZ21lbnQtbG9uZw";
        let redactor = Redactor::new(token);
        let json = format!(r#"{{"jsonrpc":"2.0","id":1,"result":{{"text":"{token}"}}}}"#);
        let sse = format!("id: 0\nretry: 3000\ndata: {json}\n\n");
        for frame in [json.clone(), sse] {
            let cleaned = clean(&redactor, &Bytes::from(frame.clone()));
            let cleaned = String::from_utf8(cleaned.to_vec()).unwrap();
            assert!(
                !cleaned.contains("c2lnbmF0dXJlLXNlZ21lbnQtbG9uZw"),
                "{cleaned}"
            );
            assert!(cleaned.contains("[REDACTED]"), "{cleaned}");
        }
        let long_error = format!(
            r#"{{"jsonrpc":"2.0","id":1,"error":{{"code":-32601,"message":"{}"}}}}"#,
            "m".repeat(5_000)
        );
        let cleaned = clean(&redactor, &Bytes::from(long_error));
        assert!(cleaned.len() < 2_000, "{}", cleaned.len());
    }
}
