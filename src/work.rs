//! Bounds on work, shared by every layer: the deadline of one call, and CPU work moved off
//! the runtime thread.
//!
//! The server runs on one thread (a current-thread runtime): anything that computes for
//! long there (parsing, inlining, comparing, shaping a large answer) stops every other call,
//! `ping` and `notifications/cancelled` included. Such work is bounded by size before it
//! starts, and what may still take more than a moment runs on tokio's blocking pool through
//! [`off_thread`], or [`Deadline::off_thread`] when a call's deadline covers it.
//!
//! A [`Deadline`] is `HATCHET_MCP_TIMEOUT_SECS` from the start of a call, moved later only
//! by a wait the call asked for ([`Deadline::allow_wait`]). The call runs with it as the
//! task's current deadline ([`Deadline::scope`]), so every HTTP request of the call is held
//! to it too ([`current`]).

use std::{
    future::Future,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use tokio::{sync::Notify, time::Instant};

/// Work on fewer bytes than this is cheaper done in place than handed to another thread.
pub const INLINE_BYTES: usize = 64 * 1024;

/// Whether `value` is small enough (about [`INLINE_BYTES`] as JSON, counted roughly and
/// only as far as needed) for work on it to be done in place: handing work to another
/// thread and back costs two thread wake-ups, more than shaping a small answer.
pub fn is_small_json(value: &serde_json::Value) -> bool {
    fn size(value: &serde_json::Value, budget: &mut usize) -> bool {
        use serde_json::Value;
        // Punctuation, a number or a literal: a few bytes each.
        let own = match value {
            Value::String(text) => text.len() + 2,
            _ => 8,
        };
        let Some(left) = budget.checked_sub(own) else {
            return false;
        };
        *budget = left;
        match value {
            Value::Array(items) => items.iter().all(|item| size(item, budget)),
            Value::Object(map) => map.iter().all(|(key, item)| {
                budget.checked_sub(key.len() + 3).is_some_and(|left| {
                    *budget = left;
                    size(item, budget)
                })
            }),
            _ => true,
        }
    }
    let mut budget = INLINE_BYTES;
    size(value, &mut budget)
}

/// Runs `work` on tokio's blocking pool, so the runtime thread goes on serving. A panic in
/// `work` is resumed here, as if it had happened in place.
pub async fn off_thread<T, F>(work: F) -> T
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    match tokio::task::spawn_blocking(work).await {
        Ok(done) => done,
        Err(error) if error.is_panic() => std::panic::resume_unwind(error.into_panic()),
        // The pool only drops work when the runtime shuts down, which ends this task too.
        Err(error) => panic!("blocking work was dropped: {error}"),
    }
}

/// The deadline of one call; shared, and moved later by the waits it allows.
#[derive(Debug)]
pub struct Deadline {
    /// `HATCHET_MCP_TIMEOUT_SECS`.
    length: Duration,
    at: Mutex<Instant>,
    moved: Notify,
}

/// A call's deadline passed before its work was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "The call did not finish within {}s (the call deadline, set by HATCHET_MCP_TIMEOUT_SECS) while {doing}; nothing more was done.",
    length.as_secs()
)]
pub struct Expired {
    pub length: Duration,
    /// What the call was doing: `shaping the answer`.
    pub doing: &'static str,
}

tokio::task_local! {
    static CURRENT: Arc<Deadline>;
}

/// The deadline of the call the current task runs, if it runs one (see [`Deadline::scope`]).
pub fn current() -> Option<Arc<Deadline>> {
    CURRENT.try_with(Arc::clone).ok()
}

impl Deadline {
    /// `length` from now.
    pub fn starting_now(length: Duration) -> Arc<Self> {
        Arc::new(Self {
            length,
            at: Mutex::new(Instant::now() + length),
            moved: Notify::new(),
        })
    }

    /// The call deadline's length, `HATCHET_MCP_TIMEOUT_SECS`.
    pub fn length(&self) -> Duration {
        self.length
    }

    pub fn at(&self) -> Instant {
        *self.at.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A wait of `wait` starts now: the deadline becomes its end plus one more length, for
    /// the requests that follow the wait. It never moves earlier.
    pub fn allow_wait(&self, wait: Duration) {
        let mut at = self.at.lock().unwrap_or_else(PoisonError::into_inner);
        *at = (*at).max(Instant::now() + wait + self.length);
        drop(at);
        self.moved.notify_waiters();
    }

    /// Completes when the deadline has passed (following it when it moves).
    pub async fn passed(&self) {
        loop {
            let moved = self.moved.notified();
            let at = self.at();
            tokio::select! {
                () = tokio::time::sleep_until(at) => {
                    if self.at() <= Instant::now() {
                        return;
                    }
                }
                () = moved => {}
            }
        }
    }

    /// Runs `future` with this as the current task's deadline ([`current`]).
    pub async fn scope<F: Future>(self: Arc<Self>, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }

    /// Runs `work` off the runtime thread ([`off_thread`]); gives up waiting for it when the
    /// deadline passes. The work itself must be bounded: a thread cannot be stopped, so it
    /// runs to its end and its result is dropped.
    pub async fn off_thread<T, F>(&self, doing: &'static str, work: F) -> Result<T, Expired>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        tokio::select! {
            done = off_thread(work) => Ok(done),
            () = self.passed() => Err(self.expired(doing)),
        }
    }

    /// The error for this deadline passing while `doing`.
    pub fn expired(&self, doing: &'static str) -> Expired {
        Expired {
            length: self.length,
            doing,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // On tokio's paused clock: the waits take no real time and are exact.
    #[tokio::test(start_paused = true)]
    async fn a_wait_moves_the_deadline_to_its_end_plus_one_length() {
        let length = Duration::from_millis(50);
        let deadline = Deadline::starting_now(length);
        let first = deadline.at();
        let passed = deadline.clone();
        let task = tokio::spawn(async move { passed.passed().await });
        let wait_starts = Instant::now();
        deadline.allow_wait(Duration::from_millis(250));
        let moved = deadline.at();
        assert!(moved >= wait_starts + Duration::from_millis(300) && moved > first);
        // A shorter wait never moves it earlier.
        deadline.allow_wait(Duration::ZERO);
        assert_eq!(deadline.at(), moved);
        tokio::time::sleep_until(first + length).await;
        assert!(!task.is_finished(), "the moved deadline is followed");
        task.await.unwrap();
        assert!(Instant::now() >= moved);
    }

    #[tokio::test]
    async fn work_past_the_deadline_is_given_up_and_the_task_knows_its_deadline() {
        let deadline = Deadline::starting_now(Duration::from_millis(50));
        let slow = deadline
            .off_thread("sorting", || {
                std::thread::sleep(Duration::from_millis(400));
                1
            })
            .await;
        let expired = slow.unwrap_err();
        assert_eq!(expired.doing, "sorting");
        assert!(expired.to_string().contains("HATCHET_MCP_TIMEOUT_SECS"));
        let quick = Deadline::starting_now(Duration::from_secs(5));
        assert_eq!(quick.off_thread("adding", || 2 + 2).await, Ok(4));
        assert!(current().is_none());
        let inside = quick
            .clone()
            .scope(async { current().map(|d| d.at()) })
            .await;
        assert_eq!(inside, Some(quick.at()));
    }

    #[test]
    fn small_json_is_told_from_large_without_walking_all_of_it() {
        assert!(is_small_json(
            &serde_json::json!({"status": "RUNNING", "rows": [1, 2, 3]})
        ));
        let large = serde_json::json!({"rows": vec!["x".repeat(1_000); 100]});
        assert!(!is_small_json(&large));
        let many = serde_json::json!(vec![1; 20_000]);
        assert!(!is_small_json(&many), "many short values add up");
    }

    #[tokio::test]
    #[should_panic(expected = "boom")]
    async fn a_panic_off_thread_is_resumed_in_place() {
        off_thread(|| panic!("boom")).await
    }
}
