//! Team mode: MCP over Streamable HTTP at `/mcp`, one deployment for a whole team, each
//! caller with their own Hatchet token (`hatchet-mcp serve --http ADDR`).
//!
//! Served stateless (rmcp's `StreamableHttpService` without sessions): every request
//! carries its caller's token and is answered whole, so any replica can answer any request.
//! In front of rmcp, each request passes, in order: the drain ([`Front::draining`]), the
//! `Origin` allowlist, the caller's bearer token ([`auth`]: decoded, never trusted for where
//! to send it, its tenant held to the allowlist before anything is sent), the concurrency
//! bounds ([`limits`]), then rmcp (the body bounded in size and time) with the caller's own
//! server; its answer leaves through the same redaction and error bounds as stdio's
//! ([`exit`]). The `Authorization` header is removed before rmcp sees the request, and no
//! header is ever logged.

mod auth;
mod callers;
mod exit;
mod limits;

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::Duration,
};

use http_body_util::{BodyExt, Full, combinators::BoxBody};
use hyper::{
    Request, Response, StatusCode,
    body::{Bytes, Incoming},
    header::{self, HeaderValue},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::{
    rt::{TokioIo, TokioTimer},
    server::graceful::GracefulShutdown,
};
use rmcp::transport::streamable_http_server::StreamableHttpServerConfig;
use tokio::{net::TcpListener, sync::Semaphore};
use tokio_util::sync::CancellationToken;

use crate::{
    config::team::{MAX_BODY_BYTES, MAX_CONNECTIONS, TeamConfig},
    mcp::ServerPolicy,
};

/// The path MCP is served at.
pub const MCP_PATH: &str = "/mcp";

pub type Body = BoxBody<Bytes, Infallible>;

/// What every request shares: the settings, the callers' servers and the bounds.
struct Front {
    team: TeamConfig,
    callers: callers::Callers,
    limits: limits::Limits,
    /// Set on SIGTERM: `/readyz` fails and new calls are refused while those in flight end.
    draining: AtomicBool,
}

/// Serves team mode until SIGTERM or SIGINT, then drains: new requests are refused, calls
/// in flight get [`TeamConfig::drain`] to finish.
pub async fn serve(team: TeamConfig) -> Result<(), String> {
    let listener = TcpListener::bind(team.listen)
        .await
        .map_err(|e| format!("could not listen on {}: {e}", team.listen))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    serve_on(listener, team, shutdown_signal()).await.map(|()| {
        tracing::info!(address = %local, "stopped");
    })
}

/// Serves on `listener` until `stop` completes (tests stop it without a signal).
pub async fn serve_on(
    listener: TcpListener,
    team: TeamConfig,
    stop: impl Future<Output = ()>,
) -> Result<(), String> {
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    // Cancelled only when the drain's time is up: calls still running then are stopped.
    let stopped = CancellationToken::new();
    let rmcp = rmcp_config(&team, stopped.clone());
    let policy = ServerPolicy::new(
        &team.policy.toolsets,
        team.policy.read_only,
        team.policy.namespace.clone(),
    )
    .with_max_result_bytes(team.policy.max_result_bytes);
    let front = Arc::new(Front {
        callers: callers::Callers::new(&team, policy, rmcp)?,
        limits: limits::Limits::new(team.max_calls),
        draining: AtomicBool::new(false),
        team,
    });
    announce(&front.team, local);
    let connections = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    let graceful = GracefulShutdown::new();
    tokio::pin!(stop);
    loop {
        let permit = tokio::select! {
            permit = connections.clone().acquire_owned() => permit.expect("never closed"),
            () = &mut stop => break,
        };
        let (stream, _) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of file descriptors, say: wait rather than spin.
                    tracing::warn!(%error, "could not accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let _ = stream.set_nodelay(true);
        let serving = front.clone();
        let service = service_fn(move |request| {
            let front = serving.clone();
            async move { Ok::<_, Infallible>(front.route(request).await) }
        });
        let connection = http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(front.team.header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = connection.await;
            drop(permit);
        });
    }
    drop(listener);
    front.draining.store(true, Ordering::SeqCst);
    let drain = front.team.drain;
    tracing::info!(
        in_flight = front.limits.in_flight(),
        drain_secs = drain.as_secs(),
        "draining: new requests are refused, calls in flight may finish"
    );
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!(
            in_flight = front.limits.in_flight(),
            "calls still running after the drain are stopped"
        );
        stopped.cancel();
    }
    Ok(())
}

fn rmcp_config(team: &TeamConfig, stopped: CancellationToken) -> StreamableHttpServerConfig {
    let config = StreamableHttpServerConfig::default()
        .with_legacy_session_mode(false)
        .with_json_response(true)
        .with_sse_keep_alive(None)
        .with_sse_retry(None)
        .with_max_request_body_bytes(MAX_BODY_BYTES)
        .with_cancellation_token(stopped)
        // Origin is checked in front (see `Front::route`), with its own answer.
        .disable_allowed_origins();
    match &team.allowed_hosts {
        Some(hosts) => config.with_allowed_hosts(hosts.iter().cloned()),
        None => config.disable_allowed_hosts(),
    }
}

fn announce(team: &TeamConfig, local: SocketAddr) {
    tracing::info!(
        address = %local,
        path = MCP_PATH,
        server_url = %team.server_url,
        read_only = team.policy.read_only,
        toolsets = %team.policy.toolsets,
        tenants = team.tenants.as_ref().map_or_else(|| "any".to_owned(), |t| t.len().to_string()),
        "serving MCP over Streamable HTTP (team mode)"
    );
    if let Some(shared) = &team.shared {
        tracing::warn!(
            tenant = %shared.tenant_id,
            "SHARED TOKEN: every request is served with the operator's HATCHET_CLIENT_TOKEN, whoever sends it and without asking for a token; anyone who reaches {local} can do what that token can. Put authentication in front of it, or unset HATCHET_MCP_HTTP_SHARED_TOKEN"
        );
    }
    if let Some(removed) = team.server_url_suffix_removed {
        tracing::warn!(
            "the server URL ended in {removed}, which was removed: every request adds /api/v1 itself"
        );
    }
}

/// SIGTERM (Kubernetes, docker stop) or SIGINT (Ctrl-C).
async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {},
                    _ = tokio::signal::ctrl_c() => {},
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

impl Front {
    async fn route(&self, request: Request<Incoming>) -> Response<Body> {
        match request.uri().path() {
            MCP_PATH => self.mcp(request).await,
            "/healthz" => text(StatusCode::OK, "ok"),
            "/readyz" if self.draining.load(Ordering::SeqCst) => {
                text(StatusCode::SERVICE_UNAVAILABLE, "draining")
            }
            "/readyz" => text(StatusCode::OK, "ready"),
            _ => text(StatusCode::NOT_FOUND, "Not Found: MCP is served at /mcp"),
        }
    }

    async fn mcp(&self, mut request: Request<Incoming>) -> Response<Body> {
        if self.draining.load(Ordering::SeqCst) {
            let mut response = text(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable: this server is shutting down; retry (another replica answers)",
            );
            response
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            return response;
        }
        if let Some(refusal) = self.foreign_origin(&request) {
            return refusal;
        }
        let caller = match self.callers.authenticate(request.headers()) {
            Ok(caller) => caller,
            Err(refusal) => return refusal.response(),
        };
        // rmcp (and anything it logs) never sees the token.
        request.headers_mut().remove(header::AUTHORIZATION);
        let permits = match self.limits.admit(&caller) {
            Ok(permits) => permits,
            Err(busy) => return busy.response(),
        };
        let request = request.map(|body| limits::deadlined(body, self.team.header_timeout));
        let response = caller.service().handle(request).await;
        exit::redacted(response, caller.redactor(), permits).await
    }

    /// A browser page of an origin not allowed (DNS rebinding, or a page that should not
    /// reach the server) is refused before anything else is read.
    fn foreign_origin(&self, request: &Request<Incoming>) -> Option<Response<Body>> {
        let origin = request.headers().get(header::ORIGIN)?;
        let allowed = origin.to_str().is_ok_and(|origin| {
            let origin = origin.trim_end_matches('/').to_ascii_lowercase();
            self.team.allowed_origins.contains(&origin)
        });
        (!allowed).then(|| {
            text(
                StatusCode::FORBIDDEN,
                "Forbidden: this Origin is not allowed (HATCHET_MCP_HTTP_ALLOWED_ORIGINS lists those that are)",
            )
        })
    }
}

/// A plain-text answer.
pub(crate) fn text(status: StatusCode, body: impl Into<Bytes>) -> Response<Body> {
    let mut response = Response::new(Full::new(body.into()).boxed());
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
