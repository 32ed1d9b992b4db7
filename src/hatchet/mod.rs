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
mod json_scan;
pub mod logs;
pub mod metrics;
pub mod rate_limits;
mod request;
pub mod runs;
pub mod schedules;
mod send;
pub mod tasks;
pub mod tenants;
#[cfg(test)]
mod tests;
pub mod webhooks;
pub mod workers;
pub mod workflows;

api_enum!(SortDirection { Asc = "ASC", Desc = "DESC" });

use std::{future::Future, pin::Pin, sync::Arc, time::Duration};

pub use error::{ApiError, ErrorKind};
pub use request::Request;
use reqwest::Url;
use serde_json::Value;
use tokio::sync::{OnceCell, Semaphore};
use uuid::Uuid;

use crate::{
    redact::{Redactor, Secret},
    work,
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

/// Who a client's calls are made for, when it carries a caller's own token (team mode):
/// the token's id and tenant, as the audit line names them. Never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    /// The token's `token_id` claim (unverified: Hatchet verifies the token itself).
    pub token_id: String,
    pub tenant: Uuid,
}

/// What the clients of one process may share, whatever their token: the HTTP connection
/// pool and the budget of bodies being read ([`TOTAL_BODY_BUDGET_BYTES`]).
#[derive(Debug, Clone)]
pub struct Connections {
    /// Built on the first request (see [`Client::http`]): loading the system's root
    /// certificates reads and parses every file of its store, which `initialize` need not
    /// wait for.
    http: Arc<OnceCell<reqwest::Client>>,
    /// Shared by every request: see [`TOTAL_BODY_BUDGET_BYTES`].
    body_budget: Arc<Semaphore>,
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            http: Arc::new(OnceCell::new()),
            body_budget: Arc::new(Semaphore::new(TOTAL_BODY_BUDGET_BYTES)),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Client {
    /// Shared by the clones of this client (and, in team mode, by every caller's client).
    connections: Connections,
    options: ClientOptions,
    /// Removes the token from every text that came from Hatchet.
    redactor: Arc<Redactor>,
    /// Whose token this is, when it is a caller's (see [`Client::with_caller`]).
    caller: Option<Arc<Caller>>,
}

impl Client {
    /// A client for `options`. Nothing is read or connected yet: the HTTP client is built
    /// on the first request. (Never fails today; the `Result` keeps room for checks that
    /// cannot wait.)
    pub fn new(options: ClientOptions) -> Result<Self, ApiError> {
        Self::with_connections(options, &Connections::default())
    }

    /// A client for `options` that shares `connections` with other clients (one per
    /// caller's token, in team mode).
    pub fn with_connections(
        options: ClientOptions,
        connections: &Connections,
    ) -> Result<Self, ApiError> {
        Ok(Self {
            connections: connections.clone(),
            redactor: Arc::new(options.token.redactor()),
            options,
            caller: None,
        })
    }

    /// Names the caller whose token this client carries, for the audit line.
    pub fn with_caller(mut self, caller: Caller) -> Self {
        self.caller = Some(Arc::new(caller));
        self
    }

    /// The caller whose token this client carries, if it is a caller's.
    pub fn caller(&self) -> Option<&Caller> {
        self.caller.as_deref()
    }

    /// The HTTP client, built once, on a blocking thread: its TLS verifier loads the
    /// platform's root certificates (so a self-hosted engine behind a private CA in the
    /// system store is trusted), which is file I/O. A failed build is not kept: the next
    /// request tries again.
    async fn http(&self) -> Result<&reqwest::Client, ApiError> {
        match self.connections.http.get() {
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
        Box::pin(self.connections.http.get_or_try_init(|| async {
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

    /// The redaction every text from Hatchet passes.
    pub fn redactor_ref(&self) -> &Redactor {
        &self.redactor
    }

    /// The redaction every outgoing text passes; shared with the log writer.
    pub fn redactor(&self) -> Arc<Redactor> {
        self.redactor.clone()
    }

    /// Upstream text made safe to quote: redacted first, then cut.
    fn quote(&self, text: &str) -> String {
        self.redactor.redact_and_cut(text, MAX_QUOTED_CHARS)
    }

    /// A key for `purpose`, derived from the token (see [`Secret::derived_key`]).
    pub fn derived_key(&self, purpose: &str) -> ring::hmac::Key {
        self.options.token.derived_key(purpose)
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
