//! The built binary in team mode (`serve --http 127.0.0.1:0`) in front of a fake Hatchet,
//! and clients for it: rmcp's Streamable HTTP client with a caller's token, and raw HTTP.

use std::{
    sync::{Arc, Mutex},
    time::Duration,
};

use rmcp::{
    RoleClient, ServiceExt,
    model::{ClientConfig, ProtocolVersion},
    service::{ClientLifecycleMode, ClientServiceExt, RunningService},
    transport::{
        StreamableHttpClientTransport, streamable_http_client::StreamableHttpClientTransportConfig,
    },
};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader},
    net::TcpStream,
    process::Child,
};

#[allow(unused_imports)]
pub use super::token::{TENANT, mint_token};

/// A caller's token for [`TENANT`] with the id `token_id`, whose claims name `server_url`.
pub fn caller_token(token_id: &str, tenant: &str, server_url: &str) -> String {
    mint_token(&json!({
        "sub": tenant,
        "server_url": server_url,
        "iat": 1704067200,
        "exp": 4102444800u64,
        "token_id": token_id
    }))
}

/// The server process, its address and everything it wrote to stderr so far.
pub struct TeamServer {
    pub child: Child,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub stderr: Arc<Mutex<String>>,
}

impl TeamServer {
    /// Starts the binary in team mode in front of `upstream` (the only variables it gets are
    /// those, a 5 s call deadline and `env`), and waits until it listens.
    pub async fn start(upstream: &str, env: &[(&str, &str)]) -> Self {
        let mut all = vec![
            ("HATCHET_CLIENT_SERVER_URL", upstream),
            ("HATCHET_MCP_TIMEOUT_SECS", "5"),
        ];
        all.extend_from_slice(env);
        let mut child = super::process::server_command(&all)
            .args(["serve", "--http", "127.0.0.1:0"])
            .spawn()
            .unwrap();
        let stderr = Arc::new(Mutex::new(String::new()));
        let (address_tx, address_rx) = tokio::sync::oneshot::channel();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let log = stderr.clone();
        tokio::spawn(async move {
            let mut address_tx = Some(address_tx);
            while let Ok(Some(line)) = lines.next_line().await {
                if let Some(at) = line.find("address=") {
                    let address = line[at + 8..].split_whitespace().next().unwrap_or("");
                    if let Some(tx) = address_tx.take() {
                        let _ = tx.send(address.to_owned());
                    }
                }
                let mut log = log.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let address = tokio::time::timeout(Duration::from_secs(20), address_rx)
            .await
            .unwrap_or_else(|_| panic!("the server did not start: {}", stderr.lock().unwrap()))
            .unwrap_or_else(|_| panic!("the server stopped: {}", stderr.lock().unwrap()));
        Self {
            child,
            base: format!("http://{address}"),
            stderr,
        }
    }

    pub fn mcp_url(&self) -> String {
        format!("{}/mcp", self.base)
    }

    pub fn address(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().unwrap().clone()
    }

    pub fn pid(&self) -> u32 {
        self.child.id().expect("running")
    }

    /// Sends SIGTERM.
    pub fn terminate(&self) {
        let status = std::process::Command::new("kill")
            .args(["-TERM", &self.pid().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }
}

pub type HttpSession = RunningService<RoleClient, ClientConfig>;

fn transport(url: &str, token: Option<&str>) -> StreamableHttpClientTransport<reqwest::Client> {
    // reqwest is built without a crypto provider of its own (as the server is).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut config = StreamableHttpClientTransportConfig::with_uri(url.to_owned());
    if let Some(token) = token {
        config = config.auth_header(token.to_owned());
    }
    StreamableHttpClientTransport::with_client(reqwest::Client::new(), config)
}

/// rmcp's client over Streamable HTTP with the `initialize` handshake (2025-11-25).
pub async fn connect(url: &str, token: &str) -> HttpSession {
    ClientConfig::default()
        .serve(transport(url, Some(token)))
        .await
        .expect("the server answers initialize")
}

/// rmcp's client over Streamable HTTP without a handshake: protocol 2026-07-28, each
/// request carrying its own protocol metadata (`server/discover` first).
pub async fn connect_stateless(url: &str, token: &str) -> HttpSession {
    let lifecycle = ClientLifecycleMode::Discover {
        preferred_versions: vec![ProtocolVersion::V_2026_07_28],
    };
    ClientConfig::default()
        .serve_with_lifecycle(transport(url, Some(token)), lifecycle)
        .await
        .expect("the server answers server/discover")
}

/// A raw HTTP/1.1 exchange: the status line's code, the headers (lower-case names) and the
/// body, from one request written whole.
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The JSON-RPC message of a JSON body or of an event stream's first `data:` line.
    pub fn message(&self) -> Value {
        let text = match self.body.lines().find_map(|l| l.strip_prefix("data:")) {
            Some(data) => data.trim(),
            None => self.body.trim(),
        };
        serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// POSTs a JSON-RPC message to `/mcp` with `headers` (name, value) added; the connection
/// is closed after the answer.
pub async fn post(address: &str, headers: &[(&str, &str)], message: &Value) -> Answer {
    let body = message.to_string();
    let mut request = format!(
        "POST /mcp HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    exchange(address, request.as_bytes()).await
}

/// Writes `request` whole and reads the answer until the server closes the connection.
pub async fn exchange(address: &str, request: &[u8]) -> Answer {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request).await.unwrap();
    let mut raw = Vec::new();
    tokio::time::timeout(Duration::from_secs(20), stream.read_to_end(&mut raw))
        .await
        .expect("an answer in time")
        .unwrap();
    parse_answer(&raw)
}

pub fn parse_answer(raw: &[u8]) -> Answer {
    let text = String::from_utf8_lossy(raw);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {text}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.contains("chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    Answer {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let Ok(size) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        if size == 0 || rest.len() < size {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

/// The `initialize` request a 2025-06-18 client sends.
pub fn initialize() -> Value {
    json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {},
        "clientInfo": {"name": "raw", "version": "0"}}})
}

/// rmcp's `get_run_status` call for `run_id`.
pub fn run_status_call(run_id: &str) -> rmcp::model::CallToolRequestParams {
    rmcp::model::CallToolRequestParams::new("get_run_status").with_arguments(
        json!({"workflow_run_id": run_id})
            .as_object()
            .unwrap()
            .clone(),
    )
}

/// A `tools/call` request, as a client that negotiated 2025-06-18 sends it.
pub fn tool_call(id: u64, name: &str, arguments: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call",
        "params": {"name": name, "arguments": arguments}})
}

/// A session left idle: `initialize` answered on a kept-alive connection, which is returned
/// open.
pub async fn open_idle_session(address: &str, token: &str) -> TcpStream {
    let body = initialize().to_string();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nhost: {address}\r\nauthorization: Bearer {token}\r\ncontent-type: application/json\r\naccept: application/json, text/event-stream\r\ncontent-length: {}\r\n\r\n{body}",
        body.len()
    );
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        let read = stream.read(&mut buf).await.unwrap();
        assert!(read > 0, "closed early: {}", String::from_utf8_lossy(&raw));
        raw.extend_from_slice(&buf[..read]);
        let text = String::from_utf8_lossy(&raw);
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let length = head.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("content-length:")
                    .map(|v| v.trim().parse::<usize>().unwrap())
            });
            if length.is_some_and(|n| body.len() >= n) {
                assert!(head.starts_with("HTTP/1.1 200"), "{head}");
                return stream;
            }
        }
    }
}
