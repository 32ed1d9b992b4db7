//! The server in process: served through the stdio front on in-memory pipes, driven by a
//! client that records the notifications it hears (progress, tools/list_changed).

use std::time::Duration;

use hatchet_mcp::mcp::{HatchetServer, stdio};
use rmcp::{
    ClientHandler, RoleClient, ServiceExt,
    model::{CallToolRequest, CallToolRequestParams, ClientRequest, ProgressNotificationParam},
    service::{NotificationContext, PeerRequestOptions, RequestHandle, RunningService},
};
use tokio::sync::mpsc;

/// What the client heard, in order.
#[derive(Debug)]
pub enum Heard {
    ToolListChanged,
    Progress(ProgressNotificationParam),
}

/// A client that records the notifications it receives.
pub struct Recorder(mpsc::UnboundedSender<Heard>);

impl ClientHandler for Recorder {
    async fn on_tool_list_changed(&self, _: NotificationContext<RoleClient>) {
        let _ = self.0.send(Heard::ToolListChanged);
    }

    async fn on_progress(
        &self,
        params: ProgressNotificationParam,
        _: NotificationContext<RoleClient>,
    ) {
        let _ = self.0.send(Heard::Progress(params));
    }
}

pub type Client = RunningService<RoleClient, Recorder>;

/// Serves `server` through the stdio front on pipes; connects a recording client that uses
/// the `initialize` handshake.
pub async fn connect(server: HatchetServer) -> (Client, mpsc::UnboundedReceiver<Heard>) {
    let (client_out, server_in) = tokio::io::duplex(64 * 1024);
    let (server_out, client_in) = tokio::io::duplex(64 * 1024);
    tokio::spawn(stdio::serve_on(server, server_in, server_out));
    let (heard, hearing) = mpsc::unbounded_channel();
    let client = Recorder(heard)
        .serve((client_in, client_out))
        .await
        .expect("the server answers initialize");
    (client, hearing)
}

pub async fn next_heard(hearing: &mut mpsc::UnboundedReceiver<Heard>) -> Heard {
    tokio::time::timeout(Duration::from_secs(5), hearing.recv())
        .await
        .expect("a notification within 5 s")
        .expect("the client is still connected")
}

/// Starts a call that the client can cancel; rmcp's client gives every request a progress
/// token (`handle.progress_token`).
pub async fn start_call(
    client: &Client,
    tool: &str,
    arguments: serde_json::Value,
) -> RequestHandle<RoleClient> {
    let params = CallToolRequestParams::new(tool.to_owned())
        .with_arguments(arguments.as_object().expect("an object").clone());
    let request = ClientRequest::CallToolRequest(CallToolRequest::new(params));
    client
        .send_cancellable_request(request, PeerRequestOptions::no_options())
        .await
        .expect("the request is sent")
}

/// The next progress notification, within 5 s.
pub async fn next_progress(
    hearing: &mut mpsc::UnboundedReceiver<Heard>,
) -> ProgressNotificationParam {
    match next_heard(hearing).await {
        Heard::Progress(progress) => progress,
        other => panic!("expected progress, heard {other:?}"),
    }
}

/// Cancels the call behind `handle`, then checks that `hatchet` saw at most one more request
/// in the next second (one may have been in flight) and none at all in the `quiet` after it.
pub async fn cancel_and_assert_polling_stops(
    handle: RequestHandle<RoleClient>,
    hatchet: &wiremock::MockServer,
    quiet: Duration,
) {
    handle
        .cancel(Some("the user stopped waiting".into()))
        .await
        .expect("the cancellation is sent");
    let polls = || async { hatchet.received_requests().await.unwrap().len() };
    let at_cancel = polls().await;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let a_second_later = polls().await;
    assert!(
        a_second_later <= at_cancel + 1,
        "{at_cancel} polls at cancel, {a_second_later} a second later"
    );
    tokio::time::sleep(quiet).await;
    assert_eq!(polls().await, a_second_later, "still polling after cancel");
}
