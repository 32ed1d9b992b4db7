//! A misbehaving HTTP server on loopback, for faults wiremock cannot produce: hanging,
//! dribbling, resetting, truncating, streaming a huge body. It counts connections and
//! notices when a client hangs up.

use std::{
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
    time::Duration,
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

#[derive(Debug, Clone)]
pub enum Misbehavior {
    /// Reads the request and never answers (until the client hangs up).
    Hang,
    /// Sends headers promising 1000 bytes, then one byte every 200 ms.
    Dribble,
    /// Reads the request, then resets the connection.
    Reset,
    /// Promises 100 bytes, sends 10, closes.
    Truncated,
    /// A 200 whose body is not JSON.
    NotJson,
    /// A 200 streaming this many bytes, chunked (no Content-Length to refuse it early).
    Huge(u64),
    /// A 401 whose body is this text.
    Status401(String),
}

pub struct RawServer {
    pub url: String,
    connections: Arc<AtomicUsize>,
    hung_up: Arc<AtomicUsize>,
}

impl RawServer {
    /// Misbehaves on the first `times` connections, then answers `{"ok":true}` (a JSON
    /// object every read tool accepts) so a test can show that the next call works.
    pub async fn start(misbehavior: Misbehavior, times: usize) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let connections = Arc::new(AtomicUsize::new(0));
        let hung_up = Arc::new(AtomicUsize::new(0));
        let (count, gone) = (connections.clone(), hung_up.clone());
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let n = count.fetch_add(1, Ordering::SeqCst);
                let behavior = (n < times).then(|| misbehavior.clone());
                let gone = gone.clone();
                tokio::spawn(async move { serve(socket, behavior, gone).await });
            }
        });
        Self {
            url,
            connections,
            hung_up,
        }
    }

    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// How many clients closed their connection while it was hanging.
    pub fn hung_up(&self) -> usize {
        self.hung_up.load(Ordering::SeqCst)
    }
}

async fn read_request(socket: &mut TcpStream) -> bool {
    let mut seen = Vec::new();
    let mut buffer = [0u8; 4096];
    while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
        match socket.read(&mut buffer).await {
            Ok(0) | Err(_) => return false,
            Ok(n) => seen.extend_from_slice(&buffer[..n]),
        }
    }
    true
}

async fn serve(mut socket: TcpStream, behavior: Option<Misbehavior>, hung_up: Arc<AtomicUsize>) {
    if !read_request(&mut socket).await {
        return;
    }
    let head = |status: &str, extra: &str| {
        format!("HTTP/1.1 {status}\r\nContent-Type: application/json\r\n{extra}\r\n")
    };
    match behavior {
        None => {
            let body = r#"{"ok":true}"#;
            let response = format!(
                "{}{body}",
                head("200 OK", &format!("Content-Length: {}\r\n", body.len()))
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
        Some(Misbehavior::Hang) => {
            let mut buffer = [0u8; 1024];
            // The client hanging up shows as end-of-stream (or a reset).
            loop {
                match socket.read(&mut buffer).await {
                    Ok(0) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
            hung_up.fetch_add(1, Ordering::SeqCst);
        }
        Some(Misbehavior::Dribble) => {
            let _ = socket
                .write_all(head("200 OK", "Content-Length: 1000\r\n").as_bytes())
                .await;
            for _ in 0..1000 {
                if socket.write_all(b" ").await.is_err() {
                    break;
                }
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
        Some(Misbehavior::Reset) => {
            // Zero linger makes the close a reset; with zero it never blocks.
            #[allow(deprecated)]
            let _ = socket.set_linger(Some(Duration::ZERO));
            drop(socket);
        }
        Some(Misbehavior::Truncated) => {
            let _ = socket
                .write_all(
                    format!("{}{{\"rows\": [", head("200 OK", "Content-Length: 100\r\n"))
                        .as_bytes(),
                )
                .await;
        }
        Some(Misbehavior::NotJson) => {
            let body = "<html>502 from a proxy</html>";
            let response = format!(
                "{}{body}",
                head("200 OK", &format!("Content-Length: {}\r\n", body.len()))
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
        Some(Misbehavior::Huge(total)) => {
            if socket
                .write_all(head("200 OK", "Transfer-Encoding: chunked\r\n").as_bytes())
                .await
                .is_err()
            {
                return;
            }
            let chunk = vec![b'x'; 64 * 1024];
            let mut sent = 0u64;
            while sent < total {
                let frame = format!("{:x}\r\n", chunk.len());
                if socket.write_all(frame.as_bytes()).await.is_err()
                    || socket.write_all(&chunk).await.is_err()
                    || socket.write_all(b"\r\n").await.is_err()
                {
                    return;
                }
                sent += chunk.len() as u64;
            }
            let _ = socket.write_all(b"0\r\n\r\n").await;
        }
        Some(Misbehavior::Status401(body)) => {
            let response = format!(
                "{}{body}",
                head(
                    "401 Unauthorized",
                    &format!("Content-Length: {}\r\n", body.len())
                )
            );
            let _ = socket.write_all(response.as_bytes()).await;
        }
    }
}
