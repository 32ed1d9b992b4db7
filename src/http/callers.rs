//! Each caller's server: a Hatchet client with the caller's own token, sent only to the
//! operator's upstream, under the operator's policy. Kept for a while after use (by a hash
//! of the token, [`MAX_CALLERS`] at most) so that a caller's next request does not rebuild
//! its redaction and keys: a cache, not a session, since any replica builds the same from
//! the same request.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

use hyper::HeaderMap;
use rmcp::transport::streamable_http_server::{
    StreamableHttpServerConfig, StreamableHttpService, session::never::NeverSessionManager,
};
use tokio::sync::Semaphore;

use super::auth::{self, Presented, Refusal};
use crate::{
    config::{Secret, team::TeamConfig},
    hatchet::{Caller, Client, ClientOptions, Connections},
    logging::{self, CallerRedaction},
    mcp::{HatchetServer, ServerPolicy},
    redact::Redactor,
};

/// Callers whose servers are kept between requests. Each holds its token's redaction
/// (built on first use, about 150 KB): this bounds their memory whatever the number of
/// tokens seen.
const MAX_CALLERS: usize = 128;

/// A caller's server unused for this long is dropped.
const IDLE: Duration = Duration::from_secs(600);

type Service = StreamableHttpService<HatchetServer, NeverSessionManager>;

/// One caller: their server behind rmcp's stateless service, and their bound.
pub(super) struct CallerEntry {
    service: Service,
    redactor: Arc<Redactor>,
    /// Requests of this caller being served ([`TeamConfig::max_calls_per_caller`]).
    pub(super) calls: Arc<Semaphore>,
    last_used: Mutex<Instant>,
    /// Keeps the token out of every log line while the process holds it.
    _logs: CallerRedaction,
}

impl CallerEntry {
    pub(super) fn service(&self) -> &Service {
        &self.service
    }

    pub(super) fn redactor(&self) -> Arc<Redactor> {
        self.redactor.clone()
    }
}

pub(super) struct Callers {
    server_url: reqwest::Url,
    timeout: Duration,
    tenants: Option<Vec<uuid::Uuid>>,
    max_calls_per_caller: usize,
    policy: ServerPolicy,
    rmcp: StreamableHttpServerConfig,
    /// One connection pool and body budget for every caller's client.
    connections: Connections,
    /// By SHA-256 of the token.
    known: Mutex<HashMap<[u8; 32], Arc<CallerEntry>>>,
    /// With a shared token, the one caller every request is served as.
    shared: Option<Arc<CallerEntry>>,
}

impl Callers {
    pub(super) fn new(
        team: &TeamConfig,
        policy: ServerPolicy,
        rmcp: StreamableHttpServerConfig,
    ) -> Result<Self, String> {
        let mut callers = Self {
            server_url: team.server_url.clone(),
            timeout: team.policy.timeout,
            tenants: team.tenants.clone(),
            max_calls_per_caller: team.max_calls_per_caller,
            policy,
            rmcp,
            connections: Connections::default(),
            known: Mutex::new(HashMap::new()),
            shared: None,
        };
        if let Some(config) = &team.shared {
            let claims = crate::token::decode_claims(config.token.expose()).ok();
            let presented = Presented {
                token: config.token.expose().to_owned(),
                tenant: config.tenant_id,
                token_id: claims.and_then(|c| c.token_id),
                expires_at: config.token_expires_at,
            };
            callers.shared = Some(Arc::new(callers.build(presented)?));
        }
        Ok(callers)
    }

    /// The caller of a request, from its `Authorization` header; or the refusal to answer.
    pub(super) fn authenticate(&self, headers: &HeaderMap) -> Result<Arc<CallerEntry>, Refusal> {
        if let Some(shared) = &self.shared {
            return Ok(shared.clone());
        }
        let presented = auth::presented(headers)?;
        if self
            .tenants
            .as_ref()
            .is_some_and(|tenants| !tenants.contains(&presented.tenant))
        {
            return Err(Refusal::TenantNotAllowed);
        }
        let key: [u8; 32] = ring::digest::digest(&ring::digest::SHA256, presented.token.as_bytes())
            .as_ref()
            .try_into()
            .expect("SHA-256 is 32 bytes");
        let now = Instant::now();
        if let Some(entry) = self.known().get(&key) {
            *entry
                .last_used
                .lock()
                .unwrap_or_else(PoisonError::into_inner) = now;
            return Ok(entry.clone());
        }
        let entry = Arc::new(self.build(presented).map_err(|error| {
            tracing::error!(%error, "could not build a caller's client");
            Refusal::Internal
        })?);
        let mut known = self.known();
        if known.len() >= MAX_CALLERS {
            evict(&mut known, now);
        }
        if known.len() < MAX_CALLERS {
            known.insert(key, entry.clone());
        }
        Ok(entry)
    }

    fn known(&self) -> std::sync::MutexGuard<'_, HashMap<[u8; 32], Arc<CallerEntry>>> {
        self.known.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A server for one caller's token: their client (to the operator's upstream, in the
    /// operator's mode), under the operator's policy.
    fn build(&self, presented: Presented) -> Result<CallerEntry, String> {
        let options = ClientOptions::new(
            self.server_url.clone(),
            presented.tenant,
            Secret::new(presented.token),
            // The policy's mode: the send path refuses what the registry does not offer.
            self.policy.read_only(),
            self.timeout,
        );
        let caller = Caller {
            token_id: presented
                .token_id
                .unwrap_or_else(|| "(no token_id)".to_owned()),
            tenant: presented.tenant,
        };
        let client = Client::with_connections(options, &self.connections)
            .map_err(|e| e.to_string())?
            .with_caller(caller);
        let server = self
            .policy
            .server_for(client)
            .with_token_expiry(presented.expires_at);
        let redactor = server.redactor();
        let service = StreamableHttpService::new(
            move || Ok(server.clone()),
            Arc::new(NeverSessionManager::default()),
            self.rmcp.clone(),
        );
        Ok(CallerEntry {
            service,
            _logs: logging::redact_also(redactor.clone()),
            redactor,
            calls: Arc::new(Semaphore::new(self.max_calls_per_caller)),
            last_used: Mutex::new(Instant::now()),
        })
    }
}

/// Makes room: drops callers idle past [`IDLE`], else the least recently used one.
fn evict(known: &mut HashMap<[u8; 32], Arc<CallerEntry>>, now: Instant) {
    let last_used = |entry: &CallerEntry| {
        *entry
            .last_used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    };
    known.retain(|_, entry| now.duration_since(last_used(entry)) < IDLE);
    if known.len() < MAX_CALLERS {
        return;
    }
    if let Some(oldest) = known
        .iter()
        .min_by_key(|(_, entry)| last_used(entry))
        .map(|(key, _)| *key)
    {
        known.remove(&oldest);
    }
}
