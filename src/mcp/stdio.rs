//! What crosses stdio, in front of rmcp's line transport.
//!
//! rmcp drops, without a reply, a line over 16 MiB and any line that is not JSON (a lone
//! UTF-16 surrogate escape makes a line not JSON to serde), and answers a `tools/call`
//! whose params are malformed with -32601 (method not found). A client waiting on such a
//! request would wait forever, or be told the wrong thing. This front reads stdin itself:
//! - a line over [`MAX_LINE_BYTES`] is answered -32600 (with its id, when the start of the
//!   line names one) and goes no further;
//! - a lone surrogate escape is replaced by U+FFFD, so the request is served;
//! - a `tools/call` whose params are not `{name: string, arguments?: object}` is answered
//!   -32602 (invalid params);
//! - everything else is passed on untouched. Text that is not JSON at all is left to rmcp,
//!   which ignores it on purpose (a reply to garbage can start an error storm).
//!
//! It also writes stdout, one whole line at a time, and stops the server when stdout is
//! gone: nobody could read the answers to the calls it would otherwise go on making.
//!
//! That writer is the one exit: every line, whoever built it (results, `tools/list` with the
//! metadata of tools made at runtime, `initialize`, prompts, resources, notifications, rmcp's
//! own JSON-RPC errors, this front's replies), passes the redaction there
//! ([`Redactor::redact_json`]), and then, if it is an error, the bound on what an error may
//! echo ([`bound_error`]).

use std::{borrow::Cow, io, sync::Arc};

use rmcp::{RoleServer, ServiceExt, service::RunningService};
use serde_json::{Value, json};
use tokio::{
    io::{AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader},
    sync::mpsc,
};
use tokio_util::sync::CancellationToken;

use super::HatchetServer;
use crate::redact::Redactor;

/// The longest line read, as rmcp's own limit.
pub const MAX_LINE_BYTES: usize = 16 * 1024 * 1024;

/// How much of an oversized line is kept to find its id.
const ID_SCAN_BYTES: usize = 4096;

/// Serves MCP over the process's stdin and stdout until the client leaves.
pub async fn serve(server: HatchetServer) -> Result<(), String> {
    serve_on(server, tokio::io::stdin(), tokio::io::stdout()).await
}

/// Serves MCP over any byte streams (tests use pipes).
pub async fn serve_on<R, W>(server: HatchetServer, input: R, output: W) -> Result<(), String>
where
    R: AsyncRead + Unpin + Send + 'static,
    W: AsyncWrite + Unpin + Send + 'static,
{
    // The first line out (initialize's answer) passes the redaction: have it ready by then.
    let redactor = server.redactor();
    std::thread::spawn(move || redactor.prepare());
    let (to_rmcp, rmcp_in) = tokio::io::duplex(64 * 1024);
    let (rmcp_out, from_rmcp) = tokio::io::duplex(64 * 1024);
    let (replies, replies_rx) = mpsc::channel::<Vec<u8>>(16);
    let stdout_gone = CancellationToken::new();
    tokio::spawn(read_input(BufReader::new(input), to_rmcp, replies));
    tokio::spawn(write_output(
        BufReader::new(from_rmcp),
        replies_rx,
        Exit {
            output,
            redactor: server.redactor(),
        },
        stdout_gone.clone(),
    ));
    let running: RunningService<RoleServer, _> = tokio::select! {
        running = server.serve((rmcp_in, rmcp_out)) => {
            running.map_err(|e| format!("MCP handshake failed: {e}"))?
        }
        () = stdout_gone.cancelled() => return Ok(()),
    };
    let service_token = running.cancellation_token();
    tokio::spawn(async move {
        stdout_gone.cancelled().await;
        tracing::info!("stdout is closed: stopping, since no answer could be delivered");
        service_token.cancel();
    });
    running
        .waiting()
        .await
        .map(|_| ())
        .map_err(|e| format!("MCP session ended with an error: {e}"))
}

/// Reads lines from the client, answers the ones rmcp would mishandle, passes the rest on.
async fn read_input<R: AsyncBufRead + Unpin>(
    mut input: R,
    mut to_rmcp: tokio::io::DuplexStream,
    replies: mpsc::Sender<Vec<u8>>,
) {
    loop {
        let line = match read_bounded_line(&mut input).await {
            Ok(Line::Eof) | Err(_) => return,
            Ok(Line::Oversized { start }) => {
                let id = scan_id(&start);
                let reply = error_reply(
                    id,
                    -32600,
                    &format!(
                        "Request too large: over the {} MiB one message may hold; nothing was done.",
                        MAX_LINE_BYTES / (1024 * 1024)
                    ),
                );
                if replies.send(reply).await.is_err() {
                    return;
                }
                continue;
            }
            Ok(Line::Complete(line)) => line,
        };
        let forward = match screen(&line) {
            Screened::Forward => line,
            Screened::Repaired(repaired) => repaired,
            Screened::Answer(reply) => {
                if replies.send(reply).await.is_err() {
                    return;
                }
                continue;
            }
        };
        if to_rmcp.write_all(&forward).await.is_err() {
            return;
        }
    }
}

enum Line {
    Complete(Vec<u8>),
    /// Over [`MAX_LINE_BYTES`]: dropped, but for its first bytes.
    Oversized {
        start: Vec<u8>,
    },
    Eof,
}

/// One `\n`-terminated line, never buffering more than [`MAX_LINE_BYTES`].
async fn read_bounded_line<R: AsyncBufRead + Unpin>(input: &mut R) -> io::Result<Line> {
    let mut line = Vec::new();
    let mut oversized = false;
    loop {
        let available = input.fill_buf().await?;
        if available.is_empty() {
            return Ok(if oversized {
                Line::Oversized { start: line }
            } else if line.is_empty() {
                Line::Eof
            } else {
                line.push(b'\n');
                Line::Complete(line)
            });
        }
        let newline = available.iter().position(|b| *b == b'\n');
        let take = newline.map_or(available.len(), |at| at + 1);
        if !oversized && line.len() + take > MAX_LINE_BYTES {
            oversized = true;
            line.truncate(ID_SCAN_BYTES);
        }
        if !oversized {
            line.extend_from_slice(&available[..take]);
        } else if line.len() < ID_SCAN_BYTES {
            let room = ID_SCAN_BYTES - line.len();
            line.extend_from_slice(&available[..take.min(room)]);
        }
        input.consume(take);
        if newline.is_some() {
            return Ok(if oversized {
                Line::Oversized { start: line }
            } else {
                Line::Complete(line)
            });
        }
    }
}

enum Screened {
    Forward,
    Repaired(Vec<u8>),
    Answer(Vec<u8>),
}

fn screen(line: &[u8]) -> Screened {
    let (message, repaired) = match serde_json::from_slice::<Value>(line) {
        Ok(message) => (message, None),
        // serde refuses a lone surrogate escape (its wording varies by position).
        Err(_) if has_surrogate_escape(line) => {
            let repaired = replace_lone_surrogates(line);
            match serde_json::from_slice::<Value>(&repaired) {
                Ok(message) => (message, Some(repaired)),
                Err(_) => return Screened::Forward,
            }
        }
        Err(_) => return Screened::Forward,
    };
    if let Some(reply) = invalid_tool_call(&message) {
        return Screened::Answer(reply);
    }
    match repaired {
        Some(repaired) => Screened::Repaired(repaired),
        None => Screened::Forward,
    }
}

/// The -32602 answer to a `tools/call` request whose params are malformed.
fn invalid_tool_call(message: &Value) -> Option<Vec<u8>> {
    if message.get("method").and_then(Value::as_str) != Some("tools/call") {
        return None;
    }
    let id = message.get("id")?.clone();
    let params = message.get("params");
    let name_ok = params
        .and_then(|p| p.get("name"))
        .is_some_and(Value::is_string);
    let arguments_ok = params
        .and_then(|p| p.get("arguments"))
        .is_none_or(|a| a.is_object() || a.is_null());
    if params.is_some_and(Value::is_object) && name_ok && arguments_ok {
        return None;
    }
    Some(error_reply(
        id,
        -32602,
        "Invalid params: tools/call takes {\"name\": string, \"arguments\": object (optional)}.",
    ))
}

fn error_reply(id: Value, code: i64, message: &str) -> Vec<u8> {
    let mut reply =
        json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}})
            .to_string()
            .into_bytes();
    reply.push(b'\n');
    reply
}

/// The request id named near the start of a line (`"id": 7` or `"id": "a"`), else null.
fn scan_id(start: &[u8]) -> Value {
    let text = String::from_utf8_lossy(start);
    let Some(at) = text.find("\"id\"") else {
        return Value::Null;
    };
    let rest = text[at + 4..].trim_start();
    let Some(rest) = rest.strip_prefix(':') else {
        return Value::Null;
    };
    let mut stream = serde_json::Deserializer::from_str(rest.trim_start()).into_iter::<Value>();
    match stream.next() {
        Some(Ok(id @ (Value::Number(_) | Value::String(_)))) => id,
        _ => Value::Null,
    }
}

fn has_surrogate_escape(line: &[u8]) -> bool {
    line.windows(4).any(|w| {
        w[0] == b'\\'
            && w[1] == b'u'
            && w[2].eq_ignore_ascii_case(&b'd')
            && matches!(w[3].to_ascii_lowercase(), b'8'..=b'9' | b'a'..=b'f')
    })
}

/// `\uD800`–`\uDFFF` escapes that do not form a pair become `\uFFFD`.
fn replace_lone_surrogates(line: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(line);
    let bytes = text.as_bytes();
    let escape_at = |at: usize| -> Option<u16> {
        let hex = bytes.get(at..at + 6)?;
        if &hex[..2] != b"\\u" {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(&hex[2..]).ok()?, 16).ok()
    };
    let mut out = Vec::with_capacity(bytes.len());
    let mut at = 0;
    let mut backslashes = 0;
    while at < bytes.len() {
        let unit = (backslashes % 2 == 0).then(|| escape_at(at)).flatten();
        match unit {
            // A high surrogate followed by a low one is a valid pair: kept as it is.
            Some(0xD800..=0xDBFF)
                if escape_at(at + 6).is_some_and(|low| (0xDC00..=0xDFFF).contains(&low)) =>
            {
                out.extend_from_slice(&bytes[at..at + 12]);
                at += 12;
                backslashes = 0;
            }
            Some(0xD800..=0xDFFF) => {
                out.extend_from_slice(b"\\uFFFD");
                at += 6;
                backslashes = 0;
            }
            _ => {
                backslashes = if bytes[at] == b'\\' {
                    backslashes + 1
                } else {
                    0
                };
                out.push(bytes[at]);
                at += 1;
            }
        }
    }
    out
}

/// Copies rmcp's answers and this front's own replies to the client, a whole line at a
/// time. Cancels `stdout_gone` when the client can no longer be written to.
async fn write_output<W: AsyncWrite + Unpin>(
    mut from_rmcp: BufReader<tokio::io::DuplexStream>,
    mut replies: mpsc::Receiver<Vec<u8>>,
    mut exit: Exit<W>,
    stdout_gone: CancellationToken,
) {
    let mut line = Vec::new();
    loop {
        let written = tokio::select! {
            read = from_rmcp.read_until(b'\n', &mut line) => match read {
                Ok(0) | Err(_) => break,
                Ok(_) => exit.write_line(&line).await,
            },
            Some(reply) = replies.recv() => exit.write_line(&reply).await,
        };
        line.clear();
        if written.is_err() {
            stdout_gone.cancel();
            return;
        }
    }
    let _ = exit.output.flush().await;
}

/// Where lines leave the process: redacted, errors bounded, then written whole.
struct Exit<W> {
    output: W,
    redactor: Arc<Redactor>,
}

impl<W: AsyncWrite + Unpin> Exit<W> {
    async fn write_line(&mut self, line: &[u8]) -> io::Result<()> {
        let text = String::from_utf8_lossy(line);
        let message = outgoing(&self.redactor, &text);
        self.output.write_all(message.as_bytes()).await?;
        self.output.flush().await
    }
}

/// One JSON-RPC message on its way to the client, over any transport: redacted, then an
/// error's message and data bounded ([`MAX_ERROR_MESSAGE_CHARS`]). What stdio writes, and
/// what team mode's HTTP responses carry.
pub fn outgoing(redactor: &Redactor, message: &str) -> String {
    let redacted = redactor.redact_json(message);
    bound_error(&redacted).into_owned()
}

/// The most characters of a JSON-RPC error's `message` written, and the most bytes of its
/// `data`: this server's own messages are far shorter, and each of them cuts what it echoes
/// to [`crate::text::preview`]; this catches what others build (rmcp echoes an unknown
/// method's name whole).
pub const MAX_ERROR_MESSAGE_CHARS: usize = 1_000;
const MAX_ERROR_DATA_BYTES: usize = 1_000;

/// `line` (one JSON-RPC message and its newline), with an error's message cut to
/// [`MAX_ERROR_MESSAGE_CHARS`] and an oversized `data` left out. Runs after redaction, so
/// the cut cannot expose a piece of the token. Anything else is returned as it is, without
/// parsing: only a line that holds an error object and is long enough to need a cut is.
fn bound_error(line: &str) -> Cow<'_, str> {
    if line.len() <= MAX_ERROR_MESSAGE_CHARS || !line.contains("\"error\":{") {
        return Cow::Borrowed(line);
    }
    let Ok(mut message) = serde_json::from_str::<Value>(line) else {
        return Cow::Borrowed(line);
    };
    let Some(error) = message.get_mut("error").and_then(Value::as_object_mut) else {
        return Cow::Borrowed(line);
    };
    if let Some(Value::String(text)) = error.get_mut("message") {
        *text = crate::text::cut(text, MAX_ERROR_MESSAGE_CHARS);
    }
    if error
        .get("data")
        .is_some_and(|data| data.to_string().len() > MAX_ERROR_DATA_BYTES)
    {
        error.remove("data");
    }
    let mut bounded = message.to_string();
    bounded.push('\n');
    Cow::Owned(bounded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_id_at_the_start_of_a_line() {
        assert_eq!(
            scan_id(br#"{"jsonrpc":"2.0","id": 7,"method":"x","#),
            json!(7)
        );
        assert_eq!(scan_id(br#"{"id":"abc","#), json!("abc"));
        assert_eq!(scan_id(br#"{"method":"x","params":{"#), Value::Null);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters_and_pairs_stay() {
        let line = br#"{"a":"x\ud800y","b":"\ud83d\ude00","c":"\\ud800","d":"\udc00"}"#;
        let repaired = replace_lone_surrogates(line);
        let value: Value = serde_json::from_slice(&repaired).unwrap();
        assert_eq!(value["a"], "x\u{FFFD}y");
        assert_eq!(value["b"], "\u{1F600}");
        assert_eq!(value["c"], "\\ud800");
        assert_eq!(value["d"], "\u{FFFD}");
    }

    #[test]
    fn an_error_is_bounded_and_anything_else_left_as_it_is() {
        let long = "m".repeat(100_000);
        let error = format!(
            "{}\n",
            json!({"jsonrpc": "2.0", "id": 4, "error": {"code": -32601, "message": long, "data": {"method": long}}})
        );
        let bounded: Value = serde_json::from_str(&bound_error(&error)).unwrap();
        assert_eq!(bounded["id"], 4);
        assert_eq!(bounded["error"]["code"], -32601);
        assert_eq!(
            bounded["error"]["message"]
                .as_str()
                .unwrap()
                .chars()
                .count(),
            MAX_ERROR_MESSAGE_CHARS + 1
        );
        assert!(bounded["error"].get("data").is_none());
        let result = format!(
            "{}\n",
            json!({"jsonrpc": "2.0", "id": 5, "result": {"content": [{"type": "text", "text": format!("\"error\":{{{long}")}]}})
        );
        assert!(matches!(bound_error(&result), Cow::Borrowed(_)));
        let small = "{\"jsonrpc\":\"2.0\",\"id\":1,\"error\":{\"code\":1,\"message\":\"m\"}}\n";
        assert!(matches!(bound_error(small), Cow::Borrowed(_)));
    }

    #[test]
    fn malformed_tool_calls_are_invalid_params() {
        for params in [
            json!(null),
            json!([]),
            json!({}),
            json!({"name": 5}),
            json!({"name": "x", "arguments": []}),
        ] {
            let message =
                json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": params});
            let reply: Value =
                serde_json::from_slice(&invalid_tool_call(&message).unwrap()).unwrap();
            assert_eq!(reply["error"]["code"], -32602, "{params}");
            assert_eq!(reply["id"], 3);
        }
        let good =
            json!({"jsonrpc": "2.0", "id": 3, "method": "tools/call", "params": {"name": "x"}});
        assert!(invalid_tool_call(&good).is_none());
    }
}
