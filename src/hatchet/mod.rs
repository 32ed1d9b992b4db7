//! A typed client for Hatchet's REST API. It knows nothing about MCP.
//!
//! Every request goes through [`Client::send`], which owns the read-only write guard,
//! the call deadline, retries, the response-size cap, error mapping and token redaction.
//! The per-domain modules build [`Request`]s and return the API's JSON.

/// A closed set of values the API accepts, with the exact spelling it wants on the wire.
/// Deserializing and the JSON schema use the same spelling; argument parsing matches it
/// case-insensitively. (No doc comment on the enum: it would become the description of
/// every argument of that type.)
macro_rules! api_enum {
    ($name:ident { $($variant:ident = $wire:literal),+ $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $(#[serde(rename = $wire)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $wire),+
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

mod error;
pub mod events;
pub mod filters;
pub mod info;
pub mod logs;
pub mod metrics;
pub mod rate_limits;
pub mod runs;
pub mod schedules;
pub mod tasks;
pub mod tenants;
pub mod webhooks;
pub mod workers;
pub mod workflows;

api_enum!(SortDirection { Asc = "ASC", Desc = "DESC" });

use std::{
    error::Error as _, future::Future, hash::BuildHasher, pin::Pin, sync::Arc, time::Duration,
};

pub use error::{ApiError, ErrorKind};
use reqwest::{
    Method, StatusCode, Url,
    header::{self, HeaderMap},
};
use serde::Serialize;
use serde_json::Value;
use tokio::{
    sync::{OnceCell, OwnedSemaphorePermit, Semaphore},
    time::Instant,
};
use uuid::Uuid;

use crate::{
    redact::{Redactor, Secret},
    text, work,
};

/// Bodies larger than this are refused while they stream in, so one answer cannot
/// exhaust memory. Lists are trimmed far below this before they reach the agent.
pub const DEFAULT_MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// All the bodies being read at once may hold at most this much, so many concurrent huge
/// answers cannot multiply the per-answer cap. Accounted in bytes actually received.
pub const TOTAL_BODY_BUDGET_BYTES: usize = 64 * 1024 * 1024;

/// A parsed JSON value costs far more memory than its text (a map entry is ~100 bytes, a
/// `[1,1,...]` element 32), so an answer is also bounded by how many values it holds:
/// counted on the raw bytes before parsing, so a body of tiny values cannot expand into
/// gigabytes. A full page of 100 runs with payloads holds a few tens of thousands.
pub const MAX_JSON_VALUES: usize = 500_000;

/// Requests are bounded too: a URL longer than this is refused before sending (servers
/// refuse them anyway, and the failure would read as a network error).
pub const MAX_URL_BYTES: usize = 8 * 1024;
/// A request body larger than this is refused before sending.
pub const MAX_REQUEST_BODY_BYTES: usize = 4 * 1024 * 1024;

/// How many characters of an upstream message, body preview or cause an error quotes.
const MAX_QUOTED_CHARS: usize = 500;

/// How reads are retried after a transient failure (429, 502, 503, 504, connection errors).
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, with jitter.
    pub base_delay: Duration,
    /// No wait is longer than this, whatever `Retry-After` says.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(10),
        }
    }
}

/// Everything the client needs: plain values (the entry points fill them from the
/// configuration; the client knows nothing of it).
#[derive(Debug, Clone)]
pub struct ClientOptions {
    pub base_url: Url,
    pub tenant_id: Uuid,
    pub token: Secret,
    pub read_only: bool,
    /// One deadline for a whole call, retries and waits included.
    pub deadline: Duration,
    pub retry: RetryPolicy,
    pub max_body_bytes: usize,
}

impl ClientOptions {
    /// Options for a tenant at `base_url`, with the default retry policy and body limit.
    pub fn new(
        base_url: Url,
        tenant_id: Uuid,
        token: Secret,
        read_only: bool,
        deadline: Duration,
    ) -> Self {
        Self {
            base_url,
            tenant_id,
            token,
            read_only,
            deadline,
            retry: RetryPolicy::default(),
            max_body_bytes: DEFAULT_MAX_BODY_BYTES,
        }
    }
}

/// One REST request, before it is sent. Path segments are percent-encoded when the URL is
/// built, so no argument can reach another endpoint.
#[derive(Debug, Clone)]
pub struct Request {
    method: Method,
    segments: Vec<String>,
    query: Vec<(&'static str, String)>,
    body: Option<Value>,
}

impl Request {
    fn new(method: Method, segments: Vec<String>) -> Self {
        Self {
            method,
            segments,
            query: Vec::new(),
            body: None,
        }
    }

    /// Adds `name=value`; call again with the same name for a repeated key.
    fn query(mut self, name: &'static str, value: impl ToString) -> Self {
        self.query.push((name, value.to_string()));
        self
    }

    fn query_opt(self, name: &'static str, value: Option<impl ToString>) -> Self {
        match value {
            Some(value) => self.query(name, value),
            None => self,
        }
    }

    /// Repeated keys: `statuses=FAILED&statuses=RUNNING`.
    fn query_each<T: ToString>(
        self,
        name: &'static str,
        values: impl IntoIterator<Item = T>,
    ) -> Self {
        values
            .into_iter()
            .fold(self, |req, value| req.query(name, value))
    }

    /// A JSON body: one of the body types, which leave out each optional field that is not
    /// set (every endpoint here expects an unset field to be absent, not `null`).
    fn body(mut self, body: impl Serialize) -> Self {
        // Body types hold strings, numbers, UUIDs and string-keyed maps: all of it is JSON,
        // so serializing cannot fail.
        let body = serde_json::to_value(body).expect("request bodies are plain JSON");
        self.body = Some(body);
        self
    }

    /// Reads cannot change state, so only they are ever retried.
    fn is_read(&self) -> bool {
        self.method == Method::GET || self.is_cel_debug()
    }

    /// The one POST that reads: evaluating a CEL expression changes nothing.
    fn is_cel_debug(&self) -> bool {
        let path: Vec<&str> = self.segments.iter().map(String::as_str).collect();
        self.method == Method::POST
            && matches!(
                path.as_slice(),
                ["api", "v1", "stable", "tenants", _, "cel", "debug"]
            )
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    /// Built on the first request (see [`Client::http`]): loading the system's root
    /// certificates reads and parses every file of its store, which `initialize` need not
    /// wait for. Shared by the clones of this client.
    http: Arc<OnceCell<reqwest::Client>>,
    options: ClientOptions,
    /// Shared by every request of this client: see [`TOTAL_BODY_BUDGET_BYTES`].
    body_budget: Arc<Semaphore>,
    /// Removes the token from every text that came from Hatchet.
    redactor: Arc<Redactor>,
}

impl Client {
    /// A client for `options`. Nothing is read or connected yet: the HTTP client is built
    /// on the first request. (Never fails today; the `Result` keeps room for checks that
    /// cannot wait.)
    pub fn new(options: ClientOptions) -> Result<Self, ApiError> {
        Ok(Self {
            http: Arc::new(OnceCell::new()),
            body_budget: Arc::new(Semaphore::new(TOTAL_BODY_BUDGET_BYTES)),
            redactor: Arc::new(options.token.redactor()),
            options,
        })
    }

    /// The HTTP client, built once, on a blocking thread: its TLS verifier loads the
    /// platform's root certificates (so a self-hosted engine behind a private CA in the
    /// system store is trusted), which is file I/O. A failed build is not kept: the next
    /// request tries again.
    async fn http(&self) -> Result<&reqwest::Client, ApiError> {
        match self.http.get() {
            Some(http) => Ok(http),
            None => self.build_http().await,
        }
    }

    /// The first request's part of [`Client::http`], boxed and never inlined: every
    /// endpoint's future embeds `send`'s, and an inlined build would be copied into each
    /// (about 800 KB of the binary, and pages of resident memory).
    #[inline(never)]
    fn build_http(
        &self,
    ) -> Pin<Box<dyn Future<Output = Result<&reqwest::Client, ApiError>> + Send + '_>> {
        Box::pin(self.http.get_or_try_init(|| async {
            match tokio::task::spawn_blocking(build_http_client).await {
                Ok(built) => built,
                Err(join_error) => Err(ApiError::new(
                    ErrorKind::Transport,
                    format!("could not build the HTTP client: {join_error}"),
                )),
            }
        }))
    }

    pub fn tenant_id(&self) -> Uuid {
        self.options.tenant_id
    }

    pub fn base_url(&self) -> &Url {
        &self.options.base_url
    }

    pub fn read_only(&self) -> bool {
        self.options.read_only
    }

    /// The call deadline's length (`HATCHET_MCP_TIMEOUT_SECS`).
    pub fn deadline(&self) -> Duration {
        self.options.deadline
    }

    /// Removes the token, its fragments and encodings from any text on its way out.
    pub fn redact<'a>(&self, text: &'a str) -> std::borrow::Cow<'a, str> {
        self.redactor.redact(text)
    }

    /// The redaction every outgoing text passes; shared with the log writer.
    pub fn redactor(&self) -> Arc<Redactor> {
        self.redactor.clone()
    }

    /// Upstream text made safe to quote: redacted first, then cut.
    fn quote(&self, text: &str) -> String {
        self.redactor.redact_and_cut(text, MAX_QUOTED_CHARS)
    }

    /// A key for `purpose`, derived from the token (HMAC-SHA256 keyed by it), so a secret
    /// that outlives the process can key other things without the token leaving here.
    pub fn derived_key(&self, purpose: &str) -> ring::hmac::Key {
        let root = ring::hmac::Key::new(
            ring::hmac::HMAC_SHA256,
            self.options.token.expose().as_bytes(),
        );
        let derived = ring::hmac::sign(&root, purpose.as_bytes());
        ring::hmac::Key::new(ring::hmac::HMAC_SHA256, derived.as_ref())
    }

    /// `/api/v1/{rest...}`
    fn v1(&self, method: Method, rest: &[&str]) -> Request {
        let segments = ["api", "v1"]
            .iter()
            .chain(rest)
            .map(|s| (*s).to_owned())
            .collect();
        Request::new(method, segments)
    }

    /// `/api/v1/tenants/{tenant}/{rest...}`
    fn tenant(&self, method: Method, rest: &[&str]) -> Request {
        let tenant = self.options.tenant_id.to_string();
        self.v1(method, &[&["tenants", tenant.as_str()], rest].concat())
    }

    /// `/api/v1/stable/tenants/{tenant}/{rest...}`
    fn stable_tenant(&self, method: Method, rest: &[&str]) -> Request {
        let tenant = self.options.tenant_id.to_string();
        self.v1(
            method,
            &[&["stable", "tenants", tenant.as_str()], rest].concat(),
        )
    }

    fn url(&self, request: &Request) -> Result<Url, ApiError> {
        // The URL parser silently drops tabs and newlines, so `.<TAB>.` would become `..`
        // after this check: control characters are refused outright.
        if let Some(bad) = request
            .segments
            .iter()
            .find(|s| s.is_empty() || *s == "." || *s == ".." || s.chars().any(char::is_control))
        {
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!(
                    "Refused to send a request whose path would contain the segment {:?}: an id or name may not be empty, `.` or `..`, or contain control characters.",
                    text::preview(bad)
                ),
            ));
        }
        let mut url = self.options.base_url.clone();
        url.path_segments_mut()
            .map_err(|()| ApiError::new(ErrorKind::Transport, "the server URL cannot take a path"))?
            .pop_if_empty()
            .extend(&request.segments);
        if !request.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(request.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        if url.as_str().len() > MAX_URL_BYTES {
            return Err(ApiError::new(
                ErrorKind::Refused,
                format!(
                    "Refused to send a {}-byte URL (the limit is {MAX_URL_BYTES}): shorten the names, ids or filters given.",
                    url.as_str().len()
                ),
            ));
        }
        Ok(url)
    }

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
    fn backoff(&self, retries: u32, retry_after: Option<Duration>) -> Duration {
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
            let permit = self.body_budget.clone().try_acquire_many_owned(bytes).map_err(|_| {
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

    /// Upstream JSON turned into a typed value (off the runtime thread unless small: a list
    /// can hold hundreds of thousands of values); a mismatch is an [`ErrorKind::InvalidBody`] whose
    /// text (serde quotes the offending value) is redacted before it is cut.
    pub(crate) async fn decode<T>(&self, value: Value, what: &'static str) -> Result<T, ApiError>
    where
        T: serde::de::DeserializeOwned + Send + 'static,
    {
        let redactor = self.redactor.clone();
        let small = work::is_small_json(&value);
        let decode = move || {
            serde_json::from_value(value).map_err(|e| {
                ApiError::new(
                    ErrorKind::InvalidBody,
                    format!(
                        "Hatchet's {what} was not as expected: {}",
                        redactor.redact_and_cut(&e.to_string(), MAX_QUOTED_CHARS)
                    ),
                )
            })
        };
        if small {
            decode()
        } else {
            work::off_thread(decode).await
        }
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

fn build_http_client() -> Result<reqwest::Client, ApiError> {
    // reqwest is built without a bundled crypto provider; ring is the light one.
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        // A redirect would carry the Authorization header to wherever it points.
        .redirect(reqwest::redirect::Policy::none())
        .user_agent(concat!(
            env!("CARGO_PKG_NAME"),
            "/",
            env!("CARGO_PKG_VERSION")
        ))
        .build()
        .map_err(|e| {
            ApiError::new(
                ErrorKind::Transport,
                format!("could not build the HTTP client: {e}"),
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

/// What one pass over a JSON text finds outside its strings: about how many values it
/// holds (one more than its separators and container openings: cheap, and never an
/// undercount), and the integer literals too large for 64 bits, which serde_json would
/// round through `f64`.
struct JsonScan {
    values: usize,
    big_integers: Vec<std::ops::Range<usize>>,
}

impl JsonScan {
    fn of(body: &[u8]) -> Self {
        let mut scan = JsonScan {
            values: 1,
            big_integers: Vec::new(),
        };
        let (mut in_string, mut escaped) = (false, false);
        // Where the number-like token being read starts (digits, sign, fraction, exponent).
        let mut token: Option<usize> = None;
        for (at, byte) in body.iter().enumerate() {
            if in_string {
                match (escaped, byte) {
                    (true, _) => escaped = false,
                    (false, b'\\') => escaped = true,
                    (false, b'"') => in_string = false,
                    _ => {}
                }
                continue;
            }
            let number_byte =
                byte.is_ascii_digit() || matches!(byte, b'-' | b'+' | b'.' | b'e' | b'E');
            match (token, number_byte) {
                (None, true) => token = Some(at),
                (Some(from), false) => {
                    scan.note_token(body, from..at);
                    token = None;
                }
                _ => {}
            }
            match byte {
                b'"' => in_string = true,
                b',' | b'[' | b'{' => scan.values += 1,
                _ => {}
            }
        }
        if let Some(from) = token {
            scan.note_token(body, from..body.len());
        }
        scan
    }

    /// Keeps `range` if it is a plain integer outside the i64/u64 range.
    fn note_token(&mut self, body: &[u8], range: std::ops::Range<usize>) {
        let Ok(text) = std::str::from_utf8(&body[range.clone()]) else {
            return;
        };
        let digits = text.strip_prefix('-').unwrap_or(text);
        let integer = !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit());
        let fits = text.parse::<i64>().is_ok() || text.parse::<u64>().is_ok();
        if integer && !fits {
            self.big_integers.push(range);
        }
    }

    /// `body` with each too-large integer passed on as a string of its exact digits.
    /// Borrowed when there is none.
    fn quote_big_integers<'a>(&self, body: &'a [u8]) -> std::borrow::Cow<'a, [u8]> {
        if self.big_integers.is_empty() {
            return std::borrow::Cow::Borrowed(body);
        }
        let mut out = Vec::with_capacity(body.len() + 2 * self.big_integers.len());
        let mut at = 0;
        for literal in &self.big_integers {
            out.extend_from_slice(&body[at..literal.start]);
            out.push(b'"');
            out.extend_from_slice(&body[literal.clone()]);
            out.push(b'"');
            at = literal.end;
        }
        out.extend_from_slice(&body[at..]);
        std::borrow::Cow::Owned(out)
    }
}

/// `Retry-After` as seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(header::RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let when = jiff::fmt::rfc2822::parse(value).ok()?.timestamp();
    let wait = when.duration_since(jiff::Timestamp::now());
    Some(Duration::try_from(wait).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        assert!(c.http.get().is_none(), "nothing is built before a request");
        // Port 9 is closed: the request fails, after the client was built for it.
        let error = c.send(c.v1(Method::GET, &["x"])).await.unwrap_err();
        assert_eq!(error.kind, ErrorKind::Transport, "{error}");
        assert!(clone.http.get().is_some(), "built once, for every clone");
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
    fn only_cel_debug_is_a_read_among_posts() {
        let c = client(true);
        assert!(c.stable_tenant(Method::POST, &["cel", "debug"]).is_read());
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
}
