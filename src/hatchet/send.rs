//! Sending: the read-only guard, the call deadline, retries of reads, the body read under
//! its cap and the shared budget, JSON parsing bounded by [`MAX_JSON_VALUES`], and errors
//! whose upstream text is redacted before it is cut.

use std::{error::Error as _, hash::BuildHasher, time::Duration};

use reqwest::{
    StatusCode, Url,
    header::{self, HeaderMap},
};
use serde_json::Value;
use tokio::{sync::OwnedSemaphorePermit, time::Instant};

use super::{
    ApiError, Client, ErrorKind, MAX_JSON_VALUES, MAX_QUOTED_CHARS, MAX_REQUEST_BODY_BYTES,
    Request, TOTAL_BODY_BUDGET_BYTES, error, json_scan::JsonScan,
};
use crate::{redact::Redactor, work};

impl Client {
    /// Sends a request and returns its JSON (`null` for an empty body, as with 204).
    pub async fn send(&self, request: Request) -> Result<Value, ApiError> {
        let is_read = request.is_read();
        if self.options.read_only && !is_read {
            return Err(ApiError::new(
                ErrorKind::ReadOnly,
                format!(
                    "Refused: this server is read-only, so it sends no {} to Hatchet. Set HATCHET_MCP_READ_ONLY=false to allow changes.",
                    request.method
                ),
            ));
        }
        let url = self.url(&request)?;
        let body_bytes = request.body.as_ref().map_or(0, |b| b.to_string().len());
        if body_bytes > MAX_REQUEST_BODY_BYTES {
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!(
                    "Refused to send a {body_bytes}-byte request body (the limit is {MAX_REQUEST_BODY_BYTES}): make the input or payload smaller."
                ),
            ));
        }
        // Its own deadline, or the call's when that comes first (a call of several
        // requests, or one that computed before sending).
        let own = Instant::now() + self.options.deadline;
        let deadline = work::current().map_or(own, |call| own.min(call.at()));
        let mut attempts = 0;
        loop {
            attempts += 1;
            let error = match tokio::time::timeout_at(
                deadline,
                self.attempt(&request, &url, is_read),
            )
            .await
            {
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(error)) => error,
                Err(_elapsed) => {
                    let mut error = ApiError::new(
                        ErrorKind::Timeout,
                        format!(
                            "Hatchet at {} did not answer within {}s (the call deadline, set by HATCHET_MCP_TIMEOUT_SECS).",
                            self.options.base_url,
                            self.options.deadline.as_secs_f32()
                        ),
                    );
                    error.outcome_unknown = !is_read;
                    return Err(error);
                }
            };
            let retries = attempts - 1;
            if !is_read || !error.is_transient() || retries >= self.options.retry.max_retries {
                return Err(with_attempts(error, attempts));
            }
            let wait = self.backoff(retries, error.retry_after);
            if Instant::now() + wait >= deadline {
                return Err(with_attempts(error, attempts));
            }
            tracing::debug!(
                attempt = attempts,
                wait_ms = wait.as_millis() as u64,
                "retrying a read"
            );
            tokio::time::sleep(wait).await;
        }
    }

    /// Exponential backoff with jitter; `Retry-After` is a floor; `max_delay` caps both.
    pub(super) fn backoff(&self, retries: u32, retry_after: Option<Duration>) -> Duration {
        let policy = &self.options.retry;
        let exponential = policy.base_delay.saturating_mul(1 << retries.min(16));
        // Full jitter over the upper half: between 50% and 100% of the exponential step.
        let random = std::collections::hash_map::RandomState::new().hash_one(Instant::now());
        let jittered = exponential.mul_f64(0.5 + (random % 1000) as f64 / 2000.0);
        jittered
            .max(retry_after.unwrap_or_default())
            .min(policy.max_delay)
    }

    /// One try. `is_read` is the request's [`Request::is_read`], computed once by `send`.
    async fn attempt(
        &self,
        request: &Request,
        url: &Url,
        is_read: bool,
    ) -> Result<Value, ApiError> {
        let token = &self.options.token;
        let mut builder = self
            .http()
            .await?
            .request(request.method.clone(), url.clone())
            .header(header::AUTHORIZATION, format!("Bearer {}", token.expose()))
            .header(header::ACCEPT, "application/json");
        if let Some(body) = &request.body {
            builder = builder
                .header(header::CONTENT_TYPE, "application/json")
                .body(body.to_string());
        }
        let sent_fully = |error: reqwest::Error| self.transport_error(&error, !is_read);
        let mut response = builder.send().await.map_err(sent_fully)?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let location = response
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);

        // `_budget` keeps the body's share of the buffer budget until it is parsed.
        let (body, _budget) = self.read_capped(&mut response, !is_read).await?;

        if status.is_success() {
            if body.iter().all(u8::is_ascii_whitespace) {
                return Ok(Value::Null);
            }
            let redactor = self.redactor.clone();
            return sized(body.len(), move || parse_json(&redactor, status, &body)).await;
        }
        if status.is_redirection() {
            return Err(ApiError::new(
                ErrorKind::Redirect(status.as_u16()),
                format!(
                    "Hatchet answered {status} redirecting to {}; redirects are not followed so the token is not sent elsewhere. Set HATCHET_CLIENT_SERVER_URL to the final address.",
                    self.quote(location.as_deref().unwrap_or("an unnamed location"))
                ),
            ));
        }
        let redactor = self.redactor.clone();
        let message = sized(body.len(), move || {
            redactor.redact_and_cut(&error::message_from_body(&body), MAX_QUOTED_CHARS)
        })
        .await;
        let mut error = ApiError::new(ErrorKind::Status(status.as_u16()), message);
        if matches!(
            status,
            StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
        ) {
            error.retry_after = retry_after;
        }
        Err(error)
    }

    /// Reads the body chunk by chunk, stopping as soon as it passes the cap.
    /// Reads the body chunk by chunk, stopping as soon as it passes the cap. The returned
    /// permit holds the body's share of the shared budget until the caller drops it.
    async fn read_capped(
        &self,
        response: &mut reqwest::Response,
        mutation: bool,
    ) -> Result<(Vec<u8>, Option<OwnedSemaphorePermit>), ApiError> {
        let cap = self.options.max_body_bytes;
        let too_large = || {
            ApiError::new(
                ErrorKind::TooLarge,
                format!(
                    "Hatchet's answer is larger than the {cap} byte limit and was not read further: narrow the request (smaller limit, tighter time window, fewer statuses)."
                ),
            )
        };
        if response
            .content_length()
            .is_some_and(|len| len > cap as u64)
        {
            return Err(too_large());
        }
        let mut body = Vec::new();
        let mut held: Option<OwnedSemaphorePermit> = None;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| self.transport_error(&e, mutation))?
        {
            if body.len() + chunk.len() > cap {
                return Err(too_large());
            }
            // Fail fast rather than wait: waiting readers holding part of the budget could
            // starve each other until the deadline. Charged in bytes received, so many
            // small chunks cost what they weigh.
            let bytes = u32::try_from(chunk.len()).unwrap_or(u32::MAX);
            let permit = self.connections.body_budget.clone().try_acquire_many_owned(bytes).map_err(|_| {
                ApiError::new(
                    ErrorKind::TooLarge,
                    format!(
                        "The answers being read at once exceed the {} MiB this server buffers; try again shortly, or narrow the request.",
                        TOTAL_BODY_BUDGET_BYTES / (1024 * 1024)
                    ),
                )
            })?;
            match held.as_mut() {
                Some(held) => held.merge(permit),
                None => held = Some(permit),
            }
            body.extend_from_slice(&chunk);
        }
        Ok((body, held))
    }

    fn transport_error(&self, error: &reqwest::Error, mutation: bool) -> ApiError {
        // reqwest's own message names the URL; the useful part is the chain of causes.
        let mut causes = Vec::new();
        let mut source = error.source();
        while let Some(cause) = source {
            causes.push(cause.to_string());
            source = cause.source();
        }
        if causes.is_empty() {
            causes.push(error.to_string());
        }
        causes.dedup();
        let cause = self.quote(&causes.join(": "));
        let mut api_error = ApiError::new(
            ErrorKind::Transport,
            format!(
                "Could not reach Hatchet at {}: {cause}.",
                self.options.base_url
            ),
        );
        // A connection that never opened carried nothing; anything later may have.
        api_error.outcome_unknown = mutation && !error.is_connect();
        api_error
    }
}

/// `work` on a body of `bytes` bytes: in place when small, else off the runtime thread (a
/// 16 MiB body takes a while to scan, parse or redact).
async fn sized<T, F>(bytes: usize, work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    if bytes <= work::INLINE_BYTES {
        work()
    } else {
        work::off_thread(work).await
    }
}

/// A success body as JSON, refused when it holds more values than [`MAX_JSON_VALUES`] (see
/// there) or is not JSON; a quoted preview is redacted before it is cut.
fn parse_json(redactor: &Redactor, status: StatusCode, body: &[u8]) -> Result<Value, ApiError> {
    let scan = JsonScan::of(body);
    let values = scan.values;
    if values > MAX_JSON_VALUES {
        return Err(ApiError::new(
            ErrorKind::TooLarge,
            format!(
                "Hatchet's answer holds about {values} JSON values, over the {MAX_JSON_VALUES} this server parses at once: narrow the request (smaller limit, tighter time window)."
            ),
        ));
    }
    serde_json::from_slice(&scan.quote_big_integers(body)).map_err(|e| {
        let preview = redactor.redact_and_cut(&String::from_utf8_lossy(body), 200);
        ApiError::new(
            ErrorKind::InvalidBody,
            format!("Hatchet answered {status} with a body that is not JSON ({e}): {preview}"),
        )
    })
}

fn with_attempts(mut error: ApiError, attempts: u32) -> ApiError {
    if attempts > 1 {
        error
            .message
            .push_str(&format!(" (gave up after {attempts} attempts)"));
    }
    error
}

/// `Retry-After` as seconds or as an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or_default())
}
