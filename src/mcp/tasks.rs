//! Long waits as MCP tasks (the Tasks extension, `io.modelcontextprotocol/tasks`, SEP-2663):
//! what a task id is, and how a task looks at a moment.
//!
//! A task is a wait for one Hatchet run, so its state lives in Hatchet and the id carries
//! the rest: `hm1.<w|t>.<run>.<created>.<wait_s>.<tool>.<tag>`, where `w` is a wait for a
//! run that exists (`wait_for_run`) and `t` a wait after the tool triggered the run, and the
//! tag is HMAC-SHA256 over the tenant and every field, keyed by a secret derived from the
//! API token. So any process holding the same token (a restarted server, another replica)
//! answers `tasks/get` for it alike, and an id that was altered, made up or issued for
//! another tenant or token is refused before anything is read. Polling and cancelling are
//! in `tools/waiting.rs`, beside the wait they stand for.

use std::{
    collections::VecDeque,
    sync::{Mutex, PoisonError},
    time::Duration,
};

use jiff::Timestamp;
use ring::hmac;
use rmcp::model::{Task, TaskStatus};
use uuid::Uuid;

/// The version of the id's format, its first field.
const VERSION: &str = "hm1";
/// The longest tool name an id carries (longer ones are refused on the way in).
const MAX_TOOL_CHARS: usize = 128;
/// A task's answer stays readable this long after its wait ends (Hatchet keeps the run
/// longer; this is what `ttlMs` promises).
const KEPT_AFTER_WAIT: Duration = Duration::from_secs(3_600);
/// The suggested pause between two polls: half the task's age, within these bounds.
const SHORTEST_POLL: Duration = Duration::from_secs(1);
const LONGEST_POLL: Duration = Duration::from_secs(10);
/// The bytes of an id's tag: a whole HMAC-SHA256.
const TAG_BYTES: usize = 32;
/// Cancelled tasks remembered by this process (the oldest forgotten first).
const REMEMBERED_CANCELS: usize = 256;

/// What a task id stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskId {
    /// The Hatchet run waited for.
    pub run: Uuid,
    /// Whether the tool that made the task triggered the run (and may cancel it).
    pub started_run: bool,
    /// When the task was made, to the second.
    pub created: Timestamp,
    /// How long the wait lasts from `created`, as the tool's `timeout_s` said.
    pub wait: Duration,
    /// The tool called.
    pub tool: String,
}

/// An id this server did not issue for this tenant and token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "Unknown task: this server issued no task with this id for this tenant (it is malformed, altered, or from another API token); nothing was read."
)]
pub struct UnknownTask;

impl TaskId {
    /// A task for `run`, made now.
    pub fn new(run: Uuid, started_run: bool, wait: Duration, tool: &str) -> Self {
        let now = Timestamp::now();
        Self {
            run,
            started_run,
            created: Timestamp::from_second(now.as_second()).unwrap_or(now),
            wait,
            tool: tool.to_owned(),
        }
    }

    /// The id's text, tagged with `key` for `tenant`.
    pub fn issue(&self, key: &hmac::Key, tenant: Uuid) -> String {
        let body = self.body();
        let tag = hmac::sign(key, &message(tenant, &body));
        format!("{body}.{}", crate::text::hex(tag.as_ref()))
    }

    /// The task `text` names, if `key` tagged it for `tenant`.
    pub fn open(key: &hmac::Key, tenant: Uuid, text: &str) -> Result<Self, UnknownTask> {
        if text.len() > 2 * MAX_TOOL_CHARS + 128 {
            return Err(UnknownTask);
        }
        let (body, hex) = text.rsplit_once('.').ok_or(UnknownTask)?;
        let given = crate::text::from_hex(hex, TAG_BYTES).ok_or(UnknownTask)?;
        // In constant time: ring compares whole tags.
        hmac::verify(key, &message(tenant, body), &given).map_err(|_| UnknownTask)?;
        Self::parse(body).ok_or(UnknownTask)
    }

    fn body(&self) -> String {
        let kind = if self.started_run { "t" } else { "w" };
        format!(
            "{VERSION}.{kind}.{}.{}.{}.{}",
            self.run.simple(),
            self.created.as_second(),
            self.wait.as_secs(),
            self.tool
        )
    }

    fn parse(body: &str) -> Option<Self> {
        let mut fields = body.splitn(6, '.');
        let (version, kind, run, created, wait, tool) = (
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
            fields.next()?,
        );
        let started_run = match (version, kind) {
            (VERSION, "t") => true,
            (VERSION, "w") => false,
            _ => return None,
        };
        if tool.is_empty() || tool.chars().count() > MAX_TOOL_CHARS {
            return None;
        }
        Some(Self {
            run: Uuid::try_parse(run).ok()?,
            started_run,
            created: Timestamp::from_second(created.parse().ok()?).ok()?,
            wait: Duration::from_secs(wait.parse().ok()?),
            tool: tool.to_owned(),
        })
    }

    /// How long ago the task was made (zero if its clock is ahead of this one).
    pub fn age(&self, now: Timestamp) -> Duration {
        now.duration_since(self.created)
            .try_into()
            .unwrap_or_default()
    }

    /// Whether the wait is over at `now`.
    pub fn wait_over(&self, now: Timestamp) -> bool {
        self.age(now) >= self.wait
    }

    /// The task at `now`: `status`, with `message` for its `statusMessage`.
    pub fn task(&self, text: &str, status: TaskStatus, message: &str, now: Timestamp) -> Task {
        let poll = (self.age(now) / 2).clamp(SHORTEST_POLL, LONGEST_POLL);
        let ttl = self.wait + KEPT_AFTER_WAIT;
        let mut task = Task::new(text, status, self.created.to_string(), now.to_string())
            .with_ttl_ms(ttl.as_millis() as u64)
            .with_status_message(message);
        if !status.is_terminal() {
            task = task.with_poll_interval_ms(poll.as_millis() as u64);
        }
        task
    }
}

/// The message a tag covers: the tenant and the id's body, each length-prefixed.
fn message(tenant: Uuid, body: &str) -> Vec<u8> {
    let mut message = Vec::with_capacity(body.len() + 32);
    for field in [tenant.as_bytes().as_slice(), body.as_bytes()] {
        message.extend_from_slice(&(field.len() as u64).to_be_bytes());
        message.extend_from_slice(field);
    }
    message
}

/// The tasks this process was asked to cancel, with what `tasks/get` then says of each.
/// Another process does not know them: there the task goes on reporting its run (the
/// extension lets a cancelled task end otherwise), which, for a run the task triggered and
/// cancelled, is `CANCELLED` too.
#[derive(Default)]
pub struct Cancels {
    remembered: Mutex<VecDeque<(String, String)>>,
}

impl Cancels {
    pub fn remember(&self, task: &str, message: String) {
        let mut remembered = self
            .remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if remembered.iter().any(|(id, _)| id == task) {
            return;
        }
        if remembered.len() == REMEMBERED_CANCELS {
            remembered.pop_front();
        }
        remembered.push_back((task.to_owned(), message));
    }

    /// What the cancel of `task` did, if this process cancelled it.
    pub fn of(&self, task: &str) -> Option<String> {
        let remembered = self
            .remembered
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        remembered
            .iter()
            .find(|(id, _)| id == task)
            .map(|(_, message)| message.clone())
    }
}

#[cfg(test)]
mod tests {
    use jiff::SignedDuration;

    use super::*;

    fn secs(n: i64) -> SignedDuration {
        SignedDuration::from_secs(n)
    }

    fn key(secret: &str) -> hmac::Key {
        hmac::Key::new(hmac::HMAC_SHA256, secret.as_bytes())
    }

    fn id() -> TaskId {
        TaskId {
            run: Uuid::from_u128(42),
            started_run: true,
            created: Timestamp::constant(1_767_225_600, 0),
            wait: Duration::from_secs(120),
            tool: "run_etl".into(),
        }
    }

    #[test]
    fn an_id_opens_only_with_its_key_and_tenant_and_unaltered() {
        let tenant = Uuid::from_u128(7);
        let text = id().issue(&key("k"), tenant);
        assert!(
            text.starts_with("hm1.t.0000000000000000000000000000002a.1767225600.120.run_etl."),
            "{text}"
        );
        assert_eq!(TaskId::open(&key("k"), tenant, &text), Ok(id()));
        assert_eq!(TaskId::open(&key("other"), tenant, &text), Err(UnknownTask));
        assert_eq!(
            TaskId::open(&key("k"), Uuid::from_u128(8), &text),
            Err(UnknownTask)
        );
        // A wait turned into a trigger (to cancel a run it did not start), a longer wait,
        // another tool: each breaks the tag.
        for (from, to) in [(".t.", ".w."), (".120.", ".600."), ("run_etl", "run_eta")] {
            let altered = text.replacen(from, to, 1);
            assert_eq!(
                TaskId::open(&key("k"), tenant, &altered),
                Err(UnknownTask),
                "{altered}"
            );
        }
        for junk in ["", "hm1", "x.y", &"a".repeat(10_000)] {
            assert_eq!(TaskId::open(&key("k"), tenant, junk), Err(UnknownTask));
        }
    }

    #[test]
    fn a_task_says_when_to_poll_next_and_how_long_it_is_kept() {
        let id = id();
        let now = id.created + secs(30);
        let task = id.task("t", TaskStatus::Working, "RUNNING after 30s", now);
        assert_eq!(task.poll_interval_ms, Some(10_000));
        assert_eq!(task.ttl_ms, Some(3_720_000));
        assert_eq!(task.created_at, "2026-01-01T00:00:00Z");
        assert_eq!(task.last_updated_at, "2026-01-01T00:00:30Z");
        assert!(!id.wait_over(now) && id.wait_over(id.created + secs(120)));
        let early = id.task("t", TaskStatus::Working, "", id.created);
        assert_eq!(early.poll_interval_ms, Some(1_000));
        let done = id.task("t", TaskStatus::Completed, "", now);
        assert_eq!(done.poll_interval_ms, None);
    }

    #[test]
    fn cancels_are_remembered_boundedly() {
        let cancels = Cancels::default();
        for n in 0..=REMEMBERED_CANCELS {
            cancels.remember(&n.to_string(), format!("cancelled {n}"));
        }
        assert_eq!(cancels.of("0"), None, "the oldest is forgotten");
        assert_eq!(cancels.of("1").as_deref(), Some("cancelled 1"));
    }
}
