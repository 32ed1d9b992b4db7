//! A recording proxy on loopback between hatchet-mcp and the real engine: every request is
//! forwarded as it came and recorded with the engine's answer, so the suite can check each
//! request against the OpenAPI contract and keep the answers as recordings.
#![allow(dead_code)] // The real_engine bench uses part of it.

use std::{
    convert::Infallible,
    net::SocketAddr,
    sync::{Arc, Mutex, PoisonError},
};

use http_body_util::{BodyExt, Full};
use hyper::{
    Request, Response,
    body::{Bytes, Incoming},
    server::conn::http1,
    service::service_fn,
};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;

use crate::support::contract::RecordedRequest;

/// One request and the engine's answer to it.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// What the suite was doing (the tool it called), set with [`Recorder::label`].
    pub label: String,
    pub request: RecordedRequest,
    pub status: u16,
    /// The answer as JSON; a string of its text when it was not JSON.
    pub body: Value,
}

#[derive(Clone)]
pub struct Recorder {
    pub url: String,
    exchanges: Arc<Mutex<Vec<Exchange>>>,
    label: Arc<Mutex<String>>,
}

impl Recorder {
    /// Starts a proxy to `upstream` (an `http://127.0.0.1:port` URL) on a free loopback port.
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
            .await
            .expect("bind a loopback port");
        let url = format!("http://{}", listener.local_addr().unwrap());
        let recorder = Self {
            url,
            exchanges: Arc::default(),
            label: Arc::default(),
        };
        let upstream: Arc<str> = upstream.trim_end_matches('/').into();
        // reqwest is built without a bundled crypto provider (the crate installs ring).
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let shared = recorder.clone();
        tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                // Answers go out in one write, but keep-alive clients still wait for ACKs.
                let _ = stream.set_nodelay(true);
                let (recorder, upstream, client) =
                    (shared.clone(), upstream.clone(), client.clone());
                tokio::spawn(async move {
                    let service = service_fn(move |request| {
                        let (recorder, upstream, client) =
                            (recorder.clone(), upstream.clone(), client.clone());
                        async move {
                            Ok::<_, Infallible>(recorder.forward(&client, &upstream, request).await)
                        }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        recorder
    }

    /// Names what the following requests are for.
    pub fn label(&self, label: &str) {
        *self.label.lock().unwrap_or_else(PoisonError::into_inner) = label.to_owned();
    }

    /// Every exchange so far.
    pub fn exchanges(&self) -> Vec<Exchange> {
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The requests so far, for the contract check.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        self.exchanges().into_iter().map(|e| e.request).collect()
    }

    async fn forward(
        &self,
        client: &reqwest::Client,
        upstream: &str,
        request: Request<Incoming>,
    ) -> Response<Full<Bytes>> {
        let (parts, body) = request.into_parts();
        let body = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .unwrap_or_default();
        let path_and_query = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_owned();
        let url = reqwest::Url::parse(&format!("{upstream}{path_and_query}")).unwrap();
        let mut forwarded = client.request(parts.method.clone(), url.clone());
        for (name, value) in &parts.headers {
            if !matches!(
                name.as_str(),
                "host" | "content-length" | "connection" | "transfer-encoding"
            ) {
                forwarded = forwarded.header(name, value);
            }
        }
        let (status, content_type, answer) = match forwarded.body(body.clone()).send().await {
            Ok(response) => {
                let status = response.status().as_u16();
                let content_type = response
                    .headers()
                    .get("content-type")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                (
                    status,
                    content_type,
                    response.bytes().await.unwrap_or_default(),
                )
            }
            Err(error) => (502, None, Bytes::from(format!("proxy: {error}"))),
        };
        let request = RecordedRequest {
            method: parts.method.as_str().to_owned(),
            path: url.path().to_owned(),
            query: url
                .query_pairs()
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            body: (!body.iter().all(u8::is_ascii_whitespace)).then(|| {
                serde_json::from_slice(&body)
                    .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&body).into()))
            }),
        };
        let recorded = serde_json::from_slice(&answer)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&answer).into()));
        let label = self
            .label
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        self.exchanges
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(Exchange {
                label,
                request,
                status,
                body: recorded,
            });
        let mut response = Response::builder().status(status);
        if let Some(content_type) = content_type {
            response = response.header("content-type", content_type);
        }
        response.body(Full::new(answer)).unwrap()
    }
}
