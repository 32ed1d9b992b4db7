//! The built binary driven by hand over raw pipes: every byte it writes to stdout is kept,
//! so a test can check that nothing but JSON-RPC ever appears there, and that no secret does.

use std::collections::HashMap;

use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader, Lines},
    process::{Child, ChildStdin, ChildStdout},
};

pub struct RawRpc {
    child: Child,
    stdin: ChildStdin,
    lines: Lines<BufReader<ChildStdout>>,
    /// Everything read from stdout so far.
    pub stdout: String,
    /// Responses that arrived before they were asked for (calls run concurrently).
    early: HashMap<u64, Value>,
    /// Drains stderr as it comes, so a chatty server never blocks on a full pipe.
    stderr: tokio::task::JoinHandle<String>,
}

impl RawRpc {
    pub fn spawn(env: &[(&str, &str)]) -> Self {
        let mut child = super::process::server_command(env).spawn().unwrap();
        let stdin = child.stdin.take().unwrap();
        let lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut pipe = child.stderr.take().unwrap();
        let stderr = tokio::spawn(async move {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text).await;
            String::from_utf8_lossy(&text).into_owned()
        });
        Self {
            child,
            stdin,
            lines,
            stdout: String::new(),
            early: HashMap::new(),
            stderr,
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id().unwrap()
    }

    pub async fn send(&mut self, message: &Value) {
        self.send_raw(format!("{message}\n").as_bytes()).await;
    }

    pub async fn send_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).await.unwrap();
        self.stdin.flush().await.unwrap();
    }

    /// Reads stdout until the response with `id`; every line must be a JSON-RPC message.
    /// Responses to other requests are kept for later.
    pub async fn response(&mut self, id: u64) -> Value {
        if let Some(early) = self.early.remove(&id) {
            return early;
        }
        loop {
            let line = self
                .lines
                .next_line()
                .await
                .unwrap()
                .expect("the server closed stdout");
            self.stdout.push_str(&line);
            self.stdout.push('\n');
            let message: Value = serde_json::from_str(&line)
                .unwrap_or_else(|e| panic!("stdout line is not JSON ({e}): {line}"));
            assert_eq!(
                message["jsonrpc"], "2.0",
                "stdout line is not JSON-RPC: {line}"
            );
            match message["id"].as_u64() {
                Some(other) if other == id => return message,
                Some(other) => {
                    self.early.insert(other, message);
                }
                None => {}
            }
        }
    }

    pub async fn request(&mut self, id: u64, method: &str, params: Value) -> Value {
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}))
            .await;
        self.response(id).await
    }

    /// The MCP handshake, as a client on protocol 2025-06-18.
    pub async fn initialize(&mut self) -> Value {
        let params = json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "0"}});
        let answer = self.request(0, "initialize", params).await;
        self.send(&json!({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            .await;
        answer
    }

    /// Closes stdin, waits for the process, and returns (all stdout, all stderr).
    pub async fn finish(mut self) -> (String, String) {
        drop(self.stdin);
        while let Ok(Some(line)) = self.lines.next_line().await {
            self.stdout.push_str(&line);
            self.stdout.push('\n');
        }
        let _ = self.child.wait().await;
        let stderr = self.stderr.await.unwrap_or_default();
        (self.stdout, stderr)
    }
}

/// Peak resident memory of a process, in KiB (VmHWM from /proc).
pub fn peak_rss_kib(pid: u32) -> u64 {
    super::process::status_kib(pid, "VmHWM")
}
