//! Stateless, proven: two server processes behind a round-robin proxy (one request to each
//! in turn, whatever connection it came on), and one client whose requests alternate
//! between them without an error.

use std::{
    convert::Infallible,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use hyper::{Request, body::Incoming, server::conn::http1, service::service_fn};
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::{TokioExecutor, TokioIo},
};
use tokio::net::TcpListener;

use crate::support::{
    fixture::Tenant,
    session,
    team::{self, TENANT, TeamServer, caller_token},
};

/// A proxy on loopback that sends request `n` to `backends[n % len]`; returns its address
/// and how many requests each backend got.
async fn round_robin(backends: Vec<String>) -> (String, Arc<Vec<AtomicUsize>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let hits = Arc::new(
        backends
            .iter()
            .map(|_| AtomicUsize::new(0))
            .collect::<Vec<_>>(),
    );
    let next = Arc::new(AtomicUsize::new(0));
    let client: Client<HttpConnector, Incoming> =
        Client::builder(TokioExecutor::new()).build_http();
    let counted = hits.clone();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (client, backends, hits, next) = (
                client.clone(),
                backends.clone(),
                counted.clone(),
                next.clone(),
            );
            let service = service_fn(move |mut request: Request<Incoming>| {
                let n = next.fetch_add(1, Ordering::SeqCst) % backends.len();
                hits[n].fetch_add(1, Ordering::SeqCst);
                let path = request.uri().path_and_query().map_or("/", |p| p.as_str());
                *request.uri_mut() = format!("http://{}{path}", backends[n]).parse().unwrap();
                let client = client.clone();
                async move {
                    let response = client.request(request).await.expect("the backend answers");
                    Ok::<_, Infallible>(response)
                }
            });
            tokio::spawn(http1::Builder::new().serve_connection(TokioIo::new(stream), service));
        }
    });
    (address, hits)
}

#[tokio::test(flavor = "multi_thread")]
async fn one_clients_requests_alternate_between_two_replicas_without_an_error() {
    let hatchet = Tenant::serve().await;
    let run_ids = Tenant::new().run_ids().to_vec();
    let first = TeamServer::start(&hatchet.uri(), &[]).await;
    let second = TeamServer::start(&hatchet.uri(), &[]).await;
    let (proxy, hits) = round_robin(vec![
        first.address().to_owned(),
        second.address().to_owned(),
    ])
    .await;
    let token = caller_token("alice", TENANT, &hatchet.uri());
    let client = team::connect(&format!("http://{proxy}/mcp"), &token).await;
    assert!(!client.list_all_tools().await.unwrap().is_empty());
    for run_id in run_ids.iter().take(6) {
        let result = client
            .call_tool(team::run_status_call(run_id))
            .await
            .expect("no error from either replica");
        assert_ne!(result.is_error, Some(true), "{result:?}");
        assert!(session::text(&result).contains(run_id.as_str()));
    }
    client.cancel().await.unwrap();
    let counts: Vec<usize> = hits.iter().map(|h| h.load(Ordering::SeqCst)).collect();
    assert!(
        counts.iter().all(|c| *c >= 4),
        "each replica answered: {counts:?}"
    );
}
