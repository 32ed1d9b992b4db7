//! Logs: to stderr, without colour, each line passed through the token redaction before it
//! is written (stdout is the protocol channel and is never touched).
//!
//! Logging starts before the configuration is read (so a bad configuration can be
//! reported), and the redaction is armed as soon as the token is known.

use std::{
    io::{self, Write},
    sync::{
        Arc, Mutex, OnceLock, PoisonError,
        atomic::{AtomicU64, Ordering},
    },
};

use tracing_subscriber::fmt::MakeWriter;

use crate::redact::Redactor;

static REDACTOR: OnceLock<Arc<Redactor>> = OnceLock::new();

/// In team mode, the redactions of the callers' tokens the process holds (see
/// [`redact_also`]), each under the id its guard removes it by.
static CALLERS: Mutex<Vec<(u64, Arc<Redactor>)>> = Mutex::new(Vec::new());

/// Installs the stderr logger with `filter` (see [`crate::config::log_filter`]).
pub fn init(filter: tracing_subscriber::EnvFilter) {
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(RedactingStderr)
        .with_ansi(false)
        .init();
}

/// From now on every log line has this redaction applied. The first call wins: one
/// process serves one token.
pub fn redact_with(redactor: Arc<Redactor>) {
    let _ = REDACTOR.set(redactor);
}

/// In team mode, also removes a caller's token from every log line while the returned
/// guard lives (the process holds the caller's client as long).
pub fn redact_also(redactor: Arc<Redactor>) -> CallerRedaction {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    callers().push((id, redactor));
    CallerRedaction(id)
}

/// Keeps a caller's token redacted in the logs until dropped.
pub struct CallerRedaction(u64);

impl Drop for CallerRedaction {
    fn drop(&mut self) {
        callers().retain(|(id, _)| *id != self.0);
    }
}

fn callers() -> std::sync::MutexGuard<'static, Vec<(u64, Arc<Redactor>)>> {
    CALLERS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Hands out writers that buffer one event and write it redacted, in one piece.
#[derive(Clone, Copy)]
pub struct RedactingStderr;

impl<'a> MakeWriter<'a> for RedactingStderr {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> Self::Writer {
        EventWriter(Vec::new())
    }
}

/// One log event's bytes, redacted and written to stderr when dropped.
pub struct EventWriter(Vec<u8>);

impl Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for EventWriter {
    fn drop(&mut self) {
        if self.0.is_empty() {
            return;
        }
        let mut line = String::from_utf8_lossy(&self.0).into_owned();
        if let Some(redactor) = REDACTOR.get() {
            line = redactor.redact(&line).into_owned();
        }
        for (_, redactor) in callers().iter() {
            line = redactor.redact(&line).into_owned();
        }
        // A log line that cannot be written has nowhere else to go.
        let _ = io::stderr().lock().write_all(line.as_bytes());
    }
}
