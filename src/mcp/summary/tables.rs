//! Each list tool's summary row: which of the API's fields it keeps, under which short key,
//! and how (the machinery is in [`super`]). docs/tools.md's "Summary rows" are generated
//! from these tables.

use super::{Field, How, Legend, Summary, When};

const fn f(key: &'static str, from: &'static str) -> Field {
    Field::new(key, from)
}

const WORKFLOW_IDS: Legend = Legend {
    key: "workflowIds",
    name: "workflowName",
    id: "workflowId",
};

pub const WORKFLOWS: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("name", "name"),
        f("description", "description").how(How::Cut),
        f("paused", "isPaused").how(How::Only(true)),
    ],
    legend: None,
    whole: "get_workflow",
    payloads: false,
};

/// A run's or task's row (`V1TaskSummary`), as `list_runs` and `list_dag_tasks` give it.
const RUN_FIELDS: &[Field] = &[
    f("id", "metadata.id"),
    f("run", "workflowRunExternalId").when(When::Beyond("metadata.id")),
    f("workflow", "workflowName"),
    f("name", "displayName").when(When::Beyond("workflowName")),
    f("status", "status"),
    f("created", "createdAt")
        .how(How::Second)
        .when(When::Absent("startedAt")),
    f("started", "startedAt").how(How::Second),
    f("duration", "duration"),
    f("retries", "retryCount").how(How::Positive),
    f("error", "errorMessage").how(How::Cut),
    f("meta", "additionalMetadata"),
];

pub const RUNS: Summary = Summary {
    fields: RUN_FIELDS,
    legend: Some(WORKFLOW_IDS),
    whole: "get_run or get_task",
    payloads: true,
};

/// `list_dag_tasks`: the tasks of every DAG run asked for, one row each (see [`dag_tasks`]).
pub const DAG_TASKS: Summary = Summary {
    fields: RUN_FIELDS,
    legend: Some(WORKFLOW_IDS),
    whole: "get_task",
    payloads: false,
};

pub const TASK_EVENTS: Summary = Summary {
    fields: &[
        f("at", "timestamp").how(How::Second),
        f("type", "eventType"),
        f("message", "message").how(How::Cut),
        f("error", "errorMessage").how(How::Cut),
        f("worker", "workerId"),
        f("retries", "retryCount").how(How::Positive),
    ],
    legend: None,
    whole: "detail=\"full\"",
    payloads: false,
};

pub const LOGS: Summary = Summary {
    fields: &[
        f("at", "createdAt").how(How::Second),
        f("level", "level"),
        f("message", "message"),
        f("retries", "retryCount").how(How::Positive),
    ],
    legend: None,
    whole: "detail=\"full\"",
    payloads: false,
};

pub const LOG_SEARCH: Summary = Summary {
    fields: &[
        f("at", "createdAt").how(How::Second),
        f("level", "level"),
        f("task", "taskExternalId"),
        f("name", "taskDisplayName"),
        f("message", "message").how(How::Cut),
        f("retries", "retryCount").how(How::Positive),
    ],
    legend: None,
    whole: "get_task_logs",
    payloads: false,
};

pub const WORKERS: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("name", "name"),
        f("status", "status"),
        f("heartbeat", "lastHeartbeatAt").how(How::Second),
        f("slots", "slotConfig"),
        f("actions", "actions").how(How::Count),
    ],
    legend: None,
    whole: "get_worker",
    payloads: false,
};

pub const EVENTS: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("key", "key"),
        f("at", "seenAt").how(How::Second),
        f("runs", "workflowRunSummary").how(How::NonZero),
        f("runIds", "triggeredRuns").how(How::Each("workflowRunId")),
        f("meta", "additionalMetadata"),
    ],
    legend: None,
    whole: "get_event",
    payloads: true,
};

pub const CRONS: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("name", "name"),
        f("cron", "cron"),
        f("workflow", "workflowName"),
        f("enabled", "enabled").how(How::Only(false)),
        f("meta", "additionalMetadata"),
    ],
    legend: Some(WORKFLOW_IDS),
    whole: "get_cron",
    payloads: false,
};

pub const SCHEDULED: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("workflow", "workflowName"),
        f("at", "triggerAt").how(How::Second),
        f("status", "workflowRunStatus"),
        f("run", "workflowRunId"),
        f("meta", "additionalMetadata"),
    ],
    legend: Some(WORKFLOW_IDS),
    whole: "detail=\"full\"",
    payloads: false,
};

pub const FILTERS: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("workflowId", "workflowId"),
        f("scope", "scope"),
        f("expression", "expression").how(How::Cut),
    ],
    legend: None,
    whole: "get_filter",
    payloads: false,
};

pub const RATE_LIMITS: Summary = Summary {
    fields: &[
        f("key", "key"),
        f("value", "value"),
        f("limit", "limitValue"),
        f("window", "window"),
    ],
    legend: None,
    whole: "detail=\"full\"",
    payloads: false,
};

pub const WEBHOOKS: Summary = Summary {
    fields: &[
        f("name", "name"),
        f("source", "sourceName"),
        f("eventKey", "eventKeyExpression").how(How::Cut),
        f("scope", "scopeExpression").how(How::Cut),
        f("auth", "authType"),
    ],
    legend: None,
    whole: "get_webhook",
    payloads: false,
};

pub const TIMINGS: Summary = Summary {
    fields: &[
        f("id", "metadata.id"),
        f("name", "taskDisplayName"),
        f("status", "status"),
        f("depth", "depth").how(How::Positive),
        f("parent", "parentTaskExternalId"),
        f("queued", "queuedAt").how(How::Second),
        f("started", "startedAt").how(How::Second),
        f("finished", "finishedAt").how(How::Second),
        f("retries", "retryCount").how(How::Positive),
    ],
    legend: None,
    whole: "detail=\"full\"",
    payloads: false,
};

pub const TRACE: Summary = Summary {
    fields: &[
        f("span", "spanId"),
        f("parent", "parentSpanId"),
        f("name", "spanName"),
        f("kind", "spanKind"),
        f("status", "statusCode").when(When::Not("UNSET")),
        f("message", "statusMessage").how(How::Cut),
        f("at", "createdAt").how(How::Second),
        f("durationNs", "durationNs"),
        f("retries", "retryCount").how(How::Positive),
    ],
    legend: None,
    whole: "detail=\"full\"",
    payloads: false,
};
