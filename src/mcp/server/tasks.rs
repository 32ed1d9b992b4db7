//! The Tasks extension (`io.modelcontextprotocol/tasks`, SEP-2663) on the wire: whether it
//! is advertised, and `tasks/get`, `tasks/cancel` and `tasks/update`. rmcp routes the
//! methods here only when this server advertises the extension and the client declared it;
//! the ids and the waits behind them are the catalogue's (`mcp/tasks.rs`, `tools/waiting.rs`).
//!
//! The extension has no `tasks/list` (a task id is a bearer of its own state) and no
//! blocking `tasks/result`: the final result comes inline in `tasks/get`. Its status
//! notifications (`notifications/tasks`, on `subscriptions/listen`) are not sent: a client
//! polls, at the `pollIntervalMs` each task suggests.

use jiff::Timestamp;
use rmcp::{
    ErrorData as McpError, RoleServer,
    model::{DetailedTask, GetTaskResult, JsonObject, TaskPayload, TaskStatus},
    service::RequestContext,
};

use super::{HatchetServer, tool_result};
use crate::mcp::{
    tasks::{TaskId, UnknownTask},
    tools::{Call, Polled, cancel_task, poll_task},
};

impl HatchetServer {
    /// Whether a registered tool may answer a task: only then is the extension advertised.
    pub(super) fn offers_tasks(&self) -> bool {
        self.registry
            .snapshot()
            .tools()
            .iter()
            .any(|tool| tool.deferrable)
    }

    /// `tasks/get`: polls the task's run once; at the end, the tool's own result.
    pub(super) async fn task_get(
        &self,
        text: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<GetTaskResult, McpError> {
        let id = self.open(text)?;
        let call = Call::from_request(self.ctx.clone(), context);
        let deadline = call.deadline.clone();
        let polled = deadline.clone().scope(poll_task(&call, text, &id)).await;
        let now = Timestamp::now();
        let (status, message, payload) = match polled {
            Polled::Working(message) => (TaskStatus::Working, message, TaskPayload::Working),
            Polled::Cancelled(message) => (TaskStatus::Cancelled, message, TaskPayload::Cancelled),
            Polled::Ended(result) => {
                let result = tool_result(self.shape(result, &deadline).await);
                let message = if result.is_error == Some(true) {
                    "The wait ended with an error; the result says which."
                } else {
                    "The wait is over; the result is the tool's answer."
                };
                let result = match serde_json::to_value(result) {
                    Ok(serde_json::Value::Object(result)) => result,
                    _ => JsonObject::new(),
                };
                (
                    TaskStatus::Completed,
                    message.to_owned(),
                    TaskPayload::Completed { result },
                )
            }
        };
        let task = id.task(text, status, &message, now);
        Ok(GetTaskResult::new(DetailedTask::new(task, payload)))
    }

    /// `tasks/cancel`: stops the wait; a run the task triggered is cancelled too when this
    /// server may. The acknowledgement is empty; the next `tasks/get` says what was done.
    pub(super) async fn task_cancel(
        &self,
        text: &str,
        context: &RequestContext<RoleServer>,
    ) -> Result<(), McpError> {
        let id = self.open(text)?;
        let call = Call::from_request(self.ctx.clone(), context);
        let deadline = call.deadline.clone();
        let said = deadline.scope(cancel_task(&call, text, &id)).await;
        tracing::info!(run = %id.run, "{said}");
        Ok(())
    }

    /// `tasks/update`: these tasks never ask for input, so there is nothing to take; an id
    /// this server did not issue is still refused.
    pub(super) fn task_update(&self, text: &str) -> Result<(), McpError> {
        self.open(text).map(drop)
    }

    /// The task `text` names; an id this server did not issue is an invalid-params error
    /// (as the extension asks), and nothing is read for it.
    fn open(&self, text: &str) -> Result<TaskId, McpError> {
        self.ctx
            .open_task(text)
            .map_err(|UnknownTask| McpError::invalid_params(UnknownTask.to_string(), None))
    }
}
