//! Bounds on what callers can make the server hold: requests served at once, per caller and
//! in total (answered 429 and 503 with `Retry-After` past them, rather than queued), and
//! the time a request's body may take to arrive. The body's size is rmcp's bound
//! ([`MAX_BODY_BYTES`](crate::config::team::MAX_BODY_BYTES)); the headers' time is hyper's.

use std::{
    pin::Pin,
    sync::Arc,
    task::{Context, Poll},
    time::Duration,
};

use hyper::{
    Response, StatusCode,
    body::{Body as HttpBody, Frame, Incoming, SizeHint},
    header::{self, HeaderValue},
};
use tokio::{
    sync::{OwnedSemaphorePermit, Semaphore},
    time::Sleep,
};

use super::{Body, callers::CallerEntry};

pub(super) struct Limits {
    total: Arc<Semaphore>,
    max: usize,
}

/// A request's places, held until its answer has been sent.
pub(super) struct Permits {
    _caller: OwnedSemaphorePermit,
    _total: OwnedSemaphorePermit,
}

impl Limits {
    pub(super) fn new(max: usize) -> Self {
        Self {
            total: Arc::new(Semaphore::new(max)),
            max,
        }
    }

    /// Requests being served now.
    pub(super) fn in_flight(&self) -> usize {
        self.max - self.total.available_permits()
    }

    /// A place for one more request of `caller`, or why not: the caller has
    /// `per_caller` requests in flight already, or the server is full.
    pub(super) fn admit(&self, caller: &CallerEntry) -> Result<Permits, Busy> {
        let caller = caller
            .calls
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy::Caller)?;
        let total = self
            .total
            .clone()
            .try_acquire_owned()
            .map_err(|_| Busy::Server)?;
        Ok(Permits {
            _caller: caller,
            _total: total,
        })
    }
}

/// A request over a bound: answered at once with when to retry, never queued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Busy {
    Caller,
    Server,
}

impl Busy {
    /// 429 for a caller over their bound, 503 for a full server; `Retry-After: 1` either way.
    pub(super) fn response(self) -> Response<Body> {
        let mut response = match self {
            Busy::Caller => super::text(
                StatusCode::TOO_MANY_REQUESTS,
                "Too Many Requests: this caller has as many requests in flight as the server allows (HATCHET_MCP_HTTP_MAX_CALLS_PER_CALLER); retry when one ends",
            ),
            Busy::Server => super::text(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service Unavailable: the server is serving as many requests as it allows (HATCHET_MCP_HTTP_MAX_CALLS); retry shortly",
            ),
        };
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        response
    }
}

/// A request body that fails once `within` has passed and it is not all in: a client that
/// sends its body a byte at a time holds a place for that long at most.
pub(super) fn deadlined(body: Incoming, within: Duration) -> Deadlined {
    Deadlined {
        body,
        deadline: Box::pin(tokio::time::sleep(within)),
    }
}

pub(super) struct Deadlined {
    body: Incoming,
    deadline: Pin<Box<Sleep>>,
}

/// The body did not arrive in time.
#[derive(Debug)]
pub(super) struct TooSlow;

impl std::fmt::Display for TooSlow {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the request body did not arrive in time")
    }
}

impl HttpBody for Deadlined {
    type Data = hyper::body::Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        if let Poll::Ready(frame) = Pin::new(&mut self.body).poll_frame(cx) {
            return Poll::Ready(frame.map(|f| f.map_err(Into::into)));
        }
        match self.deadline.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Some(Err(TooSlow.to_string().into()))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn is_end_stream(&self) -> bool {
        self.body.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.body.size_hint()
    }
}
