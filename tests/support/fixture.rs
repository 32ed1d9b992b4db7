//! A fake tenant to measure answers on: for every read tool, the answer Hatchet would give,
//! shaped like the objects of its OpenAPI spec, with the values a busy production tenant
//! has (Python tracebacks, nested additional metadata, workers with many actions, spans with
//! attributes). Lists hold [`ROWS`] rows. Deterministic: the same bytes on every run.
//!
//! Shared by the answer-size test (`tests/suite/answers.rs`) and the benchmark
//! (`benches/answers.rs`), so it depends on nothing in `tests/support` but `token`.

#![allow(dead_code)]

use super::token::TENANT;
use jiff::{SignedDuration, Timestamp};
use serde_json::{Map, Value, json};
use wiremock::{
    Mock, MockServer, ResponseTemplate,
    matchers::{method, path_regex},
};

/// Rows in every list.
pub const ROWS: usize = 50;
/// The id every single-object tool is asked about (the fake answers any id).
pub const ANY_ID: &str = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";

/// Where every list's window starts: 2026-05-19T06:00:00Z.
const EPOCH_SECONDS: i64 = 1_779_170_400;

const WORKFLOWS: [(&str, &str); 6] = [
    (
        "order-fulfilment",
        "Charges the card, reserves stock and books the courier for one order.",
    ),
    (
        "send-invoice-email",
        "Renders the invoice PDF and emails it to the customer.",
    ),
    (
        "sync-inventory",
        "Pulls stock levels from the warehouse API into the catalogue.",
    ),
    (
        "generate-monthly-report",
        "Aggregates last month's orders into the finance report.",
    ),
    (
        "resize-product-images",
        "Makes thumbnails and web sizes of uploaded product photos.",
    ),
    (
        "refund-payment",
        "Refunds a payment through Stripe and notifies the customer.",
    ),
];

const TASKS: [&str; 6] = [
    "charge-card",
    "render-pdf",
    "fetch-stock",
    "aggregate-orders",
    "make-thumbnails",
    "issue-refund",
];

/// Two failures, as they arrive from a Python worker: the whole traceback.
const TRACEBACKS: [&str; 2] = [
    r#"Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/hatchet_sdk/worker/runner/runner.py", line 415, in handle_start_step_run
    output = await self.async_wrapped_action_func(ctx, action, task, action.step_run_id)
  File "/app/.venv/lib/python3.12/site-packages/hatchet_sdk/worker/runner/runner.py", line 268, in async_wrapped_action_func
    return await action_func(ctx)
  File "/app/shop/workflows/orders.py", line 88, in charge_card
    intent = await stripe.PaymentIntent.create_async(amount=order.total_cents, currency="eur", customer=order.customer_id, payment_method=order.payment_method_id, confirm=True, idempotency_key=f"order-{order.id}")
  File "/app/.venv/lib/python3.12/site-packages/stripe/_payment_intent.py", line 2871, in create_async
    await cls._static_request_async("post", cls.class_url(), params=params)
  File "/app/.venv/lib/python3.12/site-packages/stripe/_api_requestor.py", line 478, in request_async
    resp = requestor._interpret_response(rbody, rcode, rheaders, api_mode)
  File "/app/.venv/lib/python3.12/site-packages/stripe/_api_requestor.py", line 811, in _interpret_response
    self.handle_error_response(rbody, rcode, resp.data, rheaders, api_mode)
stripe._error.CardError: Request req_8f3a2bQ91xLm: Your card was declined. (decline_code=insufficient_funds, payment_intent=pi_3PXk2aL9vQ0f1Zc71mN4pQ8e)"#,
    r#"Traceback (most recent call last):
  File "/app/.venv/lib/python3.12/site-packages/hatchet_sdk/worker/runner/runner.py", line 415, in handle_start_step_run
    output = await self.async_wrapped_action_func(ctx, action, task, action.step_run_id)
  File "/app/shop/workflows/inventory.py", line 41, in fetch_stock
    response = await client.get(f"{WAREHOUSE_URL}/v2/stock", params={"updated_since": since.isoformat(), "page_size": 500})
  File "/app/.venv/lib/python3.12/site-packages/httpx/_client.py", line 1814, in get
    return await self.request("GET", url, params=params, headers=headers, timeout=timeout)
  File "/app/.venv/lib/python3.12/site-packages/httpx/_transports/default.py", line 394, in handle_async_request
    raise mapped_exc(message) from exc
httpx.ReadTimeout: timed out after 30.0s reading https://warehouse.internal.example.com/v2/stock?updated_since=2026-05-19T05%3A00%3A00%2B00%3A00&page_size=500"#,
];

/// A valid call of a tool, from its input schema: every required argument, with a value the
/// fixture answers (any id; a CEL expression).
pub fn arguments(schema: &Map<String, Value>) -> Map<String, Value> {
    let required = schema.get("required").and_then(Value::as_array);
    required
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(|name| {
            let property = schema.get("properties").and_then(|p| p.get(name));
            let is_array = property.and_then(|p| p.get("type")) == Some(&json!("array"));
            let value = match name {
                "expression" => json!("input.total_cents > 10000"),
                _ if is_array => json!([ANY_ID]),
                _ => json!(ANY_ID),
            };
            (name.to_owned(), value)
        })
        .collect()
}

/// A small deterministic generator: the fixture is the same on every run.
struct Seq(u64);

impl Seq {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next(), self.next());
        format!(
            "{:08x}-{:04x}-4{:03x}-{:x}{:03x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            8 + (b >> 62),
            (b >> 48) & 0xfff,
            b & 0xffff_ffff_ffff
        )
    }

    fn token(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
        (0..len)
            .map(|_| ALPHABET[self.below(ALPHABET.len() as u64) as usize] as char)
            .collect()
    }
}

/// A timestamp `seconds` after the window starts, with microseconds, as Postgres gives them.
fn at(seconds: i64, micros: i64) -> String {
    let t = Timestamp::from_second(EPOCH_SECONDS + seconds).unwrap()
        + SignedDuration::from_micros(micros);
    t.to_string()
}

fn meta(id: &str, created: &str, updated: &str) -> Value {
    json!({"id": id, "createdAt": created, "updatedAt": updated})
}

fn page() -> Value {
    json!({"current_page": 1, "next_page": 2, "num_pages": 4})
}

/// One answer of the fake.
pub struct Response {
    /// The read tool whose request it answers.
    pub tool: &'static str,
    pub method: &'static str,
    /// A regex of the request's path.
    pub path: String,
    pub body: Value,
}

/// The whole fake tenant: ids chosen once, so lists and objects agree.
pub struct Tenant {
    workflow_ids: Vec<String>,
    version_ids: Vec<String>,
    step_ids: Vec<String>,
    worker_ids: Vec<String>,
    run_ids: Vec<String>,
    seq: Seq,
}

/// The status of run `i`: a day of a healthy tenant with a bad hour (mostly completed, five
/// failed, some still running or queued, one cancelled).
fn run_status(i: usize) -> &'static str {
    match i {
        3 | 17 | 33 | 38 | 41 => "FAILED",
        8 | 29 | 44 => "RUNNING",
        12 | 46 => "QUEUED",
        21 => "CANCELLED",
        _ => "COMPLETED",
    }
}

/// Additional metadata as applications set it: ids for most runs, some nested, some none.
fn additional_metadata(seq: &mut Seq, i: usize) -> Value {
    match i % 5 {
        0..=2 => json!({
            "customer_id": format!("cus_{}", seq.token(10)),
            "order_id": format!("ord_{}", 100_000 + seq.below(900_000)),
        }),
        3 => json!({
            "source": {"kind": "webhook", "provider": "shopify", "topic": "orders/paid"},
            "order_id": format!("ord_{}", 100_000 + seq.below(900_000)),
        }),
        _ => json!({}),
    }
}

impl Default for Tenant {
    fn default() -> Self {
        Self::new()
    }
}

impl Tenant {
    pub fn new() -> Self {
        let mut seq = Seq(0x9E37_79B9_7F4A_7C15);
        let mut ids = |n: usize| (0..n).map(|_| seq.uuid()).collect::<Vec<_>>();
        let workflow_ids = ids(WORKFLOWS.len());
        let version_ids = ids(WORKFLOWS.len());
        let step_ids = ids(WORKFLOWS.len());
        let worker_ids = ids(ROWS);
        let run_ids = ids(ROWS);
        Self {
            workflow_ids,
            version_ids,
            step_ids,
            worker_ids,
            run_ids,
            seq,
        }
    }

    pub fn run_ids(&self) -> &[String] {
        &self.run_ids
    }

    pub fn workflow_ids(&self) -> &[String] {
        &self.workflow_ids
    }

    /// Every response of the fake: the read tool that asks for it, its method and path
    /// (a regex), and the body.
    pub fn responses(&mut self) -> Vec<Response> {
        let t = TENANT;
        let id = "[0-9a-f-]{36}";
        let get = |tool, path: String, body| Response {
            tool,
            method: "GET",
            path,
            body,
        };
        let task_metrics = json!([
            {"status": "COMPLETED", "count": 1893},
            {"status": "FAILED", "count": 41},
            {"status": "RUNNING", "count": 12},
            {"status": "QUEUED", "count": 7},
            {"status": "CANCELLED", "count": 3}
        ]);
        vec![
            get(
                "list_workflows",
                format!("^/api/v1/tenants/{t}/workflows$"),
                self.workflows(),
            ),
            get(
                "get_workflow",
                format!("^/api/v1/workflows/{id}$"),
                self.workflow(0),
            ),
            get(
                "list_runs",
                format!("^/api/v1/stable/tenants/{t}/workflow-runs$"),
                self.runs(),
            ),
            get(
                "get_run",
                format!("^/api/v1/stable/workflow-runs/{id}$"),
                self.run_details(),
            ),
            get(
                "get_run_status",
                format!("^/api/v1/stable/workflow-runs/{id}/status$"),
                json!("FAILED"),
            ),
            get(
                "get_run_timings",
                format!("^/api/v1/stable/workflow-runs/{id}/task-timings$"),
                self.timings(),
            ),
            get(
                "get_task",
                format!("^/api/v1/stable/tasks/{id}$"),
                self.task(3, true),
            ),
            get(
                "get_task_logs",
                format!("^/api/v1/stable/tasks/{id}/logs$"),
                self.logs(),
            ),
            get(
                "list_task_events",
                format!("^/api/v1/stable/tasks/{id}/task-events$"),
                self.task_events(),
            ),
            get(
                "list_workers",
                format!("^/api/v1/tenants/{t}/worker$"),
                self.workers(),
            ),
            get(
                "get_worker",
                format!("^/api/v1/workers/{id}$"),
                self.worker(0, true),
            ),
            get(
                "list_events",
                format!("^/api/v1/stable/tenants/{t}/events$"),
                self.events(),
            ),
            get(
                "list_event_keys",
                format!("^/api/v1/stable/tenants/{t}/events/keys$"),
                self.event_keys(),
            ),
            get(
                "get_event",
                format!("^/api/v1/stable/tenants/{t}/events/{id}$"),
                self.event(0, true),
            ),
            get(
                "list_crons",
                format!("^/api/v1/tenants/{t}/workflows/crons$"),
                self.crons(),
            ),
            get(
                "get_cron",
                format!("^/api/v1/tenants/{t}/workflows/crons/{id}$"),
                self.cron(0),
            ),
            get(
                "list_scheduled",
                format!("^/api/v1/tenants/{t}/workflows/scheduled$"),
                self.scheduled(),
            ),
            get(
                "list_filters",
                format!("^/api/v1/stable/tenants/{t}/filters$"),
                self.filters(),
            ),
            get(
                "get_filter",
                format!("^/api/v1/stable/tenants/{t}/filters/{id}$"),
                self.filter(0),
            ),
            Response {
                tool: "cel_debug",
                method: "POST",
                path: format!("^/api/v1/stable/tenants/{t}/cel/debug$"),
                body: json!({"status": "SUCCESS", "output": true}),
            },
            get(
                "list_rate_limits",
                format!("^/api/v1/tenants/{t}/rate-limits$"),
                self.rate_limits(),
            ),
            get(
                "get_queue_metrics",
                format!("^/api/v1/tenants/{t}/step-run-queue-metrics$"),
                self.queue_metrics(),
            ),
            get(
                "get_task_metrics",
                format!("^/api/v1/stable/tenants/{t}/task-metrics$"),
                task_metrics,
            ),
            get(
                "get_trace",
                format!("^/api/v1/stable/tenants/{t}/traces$"),
                self.spans(),
            ),
            // Opt-in read tools whose answers are lists.
            get(
                "search_logs",
                format!("^/api/v1/stable/tenants/{t}/logs$"),
                self.tenant_logs(),
            ),
            get(
                "list_webhooks",
                format!("^/api/v1/stable/tenants/{t}/webhooks$"),
                self.webhooks(),
            ),
            get(
                "get_webhook",
                format!("^/api/v1/stable/tenants/{t}/webhooks/[^/]+$"),
                self.webhook(0),
            ),
        ]
    }

    /// The body the fake answers `tool`'s request with.
    pub fn body(tool: &str) -> Value {
        Self::new()
            .responses()
            .into_iter()
            .find(|r| r.tool == tool)
            .unwrap_or_else(|| panic!("the fixture has no answer for {tool}"))
            .body
    }

    /// A fake Hatchet on loopback that answers every read tool from this tenant.
    pub async fn serve() -> MockServer {
        let server = MockServer::start().await;
        Self::new().mount(&server).await;
        server
    }

    pub async fn mount(mut self, server: &MockServer) {
        for response in self.responses() {
            Mock::given(method(response.method))
                .and(path_regex(response.path))
                .respond_with(ResponseTemplate::new(200).set_body_json(response.body))
                .mount(server)
                .await;
        }
    }

    fn workflow(&mut self, w: usize) -> Value {
        let w = w % WORKFLOWS.len();
        let (name, description) = WORKFLOWS[w];
        let created = at(-86_400 * (40 + w as i64), 512_331);
        let updated = at(-86_400 * (3 + w as i64), 90_114);
        json!({
            "metadata": meta(&self.workflow_ids[w], &created, &updated),
            "name": name,
            "description": description,
            "isPaused": w == 4,
            "versions": [{
                "metadata": meta(&self.version_ids[w], &updated, &updated),
                "version": format!("v{}", 3 + w),
                "order": 3 + w,
                "workflowId": self.workflow_ids[w],
            }],
            "tenantId": TENANT,
        })
    }

    fn workflows(&mut self) -> Value {
        // A tenant with this many workflows names them by team and purpose.
        let rows: Vec<Value> = (0..ROWS)
            .map(|i| {
                let mut row = self.workflow(i);
                if i >= WORKFLOWS.len() {
                    let id = self.seq.uuid();
                    row["metadata"]["id"] = json!(id);
                    row["name"] = json!(format!(
                        "{}-{}",
                        WORKFLOWS[i % 6].0,
                        [
                            "eu", "us", "apac", "backfill", "v2", "canary", "nightly", "manual"
                        ][i / 6 - 1]
                    ));
                }
                // A listed workflow carries no versions (get_workflow has them).
                row.as_object_mut().unwrap().remove("versions");
                row
            })
            .collect();
        json!({"rows": rows, "pagination": page()})
    }

    /// Run `i` of the window: a workflow run row as `GET .../workflow-runs` lists it.
    fn run_row(&mut self, i: usize, with_payloads: bool) -> Value {
        let w = (i * 7 + i / 3) % WORKFLOWS.len();
        let status = run_status(i);
        let started_s = 60 * i as i64 * 17 + self.seq.below(50) as i64;
        let created = at(started_s - 2, self.seq.below(1_000_000) as i64);
        let duration_ms = 180 + self.seq.below(9_000) as i64;
        let started = at(started_s, self.seq.below(1_000_000) as i64);
        let finished = at(started_s, duration_ms * 1000);
        let retries = if status == "FAILED" {
            3
        } else {
            (i % 11 == 5) as i64
        };
        let dag = w.is_multiple_of(2);
        let mut row = json!({
            "metadata": meta(&self.run_ids[i], &created, &created),
            "actionId": if dag { Value::Null } else { json!(format!("{}:{}", WORKFLOWS[w].0, TASKS[w])) },
            "retryCount": retries,
            "attempt": retries + 1,
            "additionalMetadata": additional_metadata(&mut self.seq, i),
            "createdAt": created,
            "displayName": format!("{}-{}", WORKFLOWS[w].0, EPOCH_SECONDS + started_s),
            "errorMessage": if status == "FAILED" { TRACEBACKS[usize::from(w == 2)] } else { "" },
            "input": {},
            "output": {},
            "numSpawnedChildren": 0,
            "status": status,
            "isDurable": false,
            "stepId": if dag { Value::Null } else { json!(self.step_ids[w]) },
            "taskExternalId": self.run_ids[i],
            "taskId": 4_812_000 + i,
            "taskInsertedAt": created,
            "tenantId": TENANT,
            "type": if dag { "DAG" } else { "TASK" },
            "workflowId": self.workflow_ids[w],
            "workflowName": WORKFLOWS[w].0,
            "workflowRunExternalId": self.run_ids[i],
            "workflowVersionId": self.version_ids[w],
        });
        if status != "QUEUED" {
            row["startedAt"] = json!(started);
        }
        if matches!(status, "COMPLETED" | "FAILED" | "CANCELLED") {
            row["finishedAt"] = json!(finished);
            row["duration"] = json!(duration_ms);
        }
        if with_payloads {
            row["input"] = json!({
                "order_id": format!("ord_{}", 100_000 + self.seq.below(900_000)),
                "customer_id": format!("cus_{}", self.seq.token(10)),
                "lines": [{"sku": "TS-BLK-M", "qty": 2, "unit_cents": 1999}, {"sku": "MUG-WHT", "qty": 1, "unit_cents": 1299}],
                "currency": "eur",
            });
            if status == "COMPLETED" {
                row["output"] = json!({"charge_id": format!("ch_{}", self.seq.token(24)), "receipt_url": format!("https://pay.stripe.com/receipts/{}", self.seq.token(40))});
            }
        }
        row
    }

    fn runs(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS)
            .map(|i| {
                // A real engine lists runs without `isDurable` (a task has it).
                let mut row = self.run_row(i, false);
                row.as_object_mut().unwrap().remove("isDurable");
                row
            })
            .collect();
        json!({"rows": rows, "pagination": page()})
    }

    /// Task `i` as `GET /tasks/{id}` answers it: payloads, workflow config, parent.
    fn task(&mut self, i: usize, whole: bool) -> Value {
        let mut task = self.run_row(i, true);
        task["type"] = json!("TASK");
        task["actionId"] = json!(format!("order-fulfilment:{}", TASKS[i % 6]));
        task["stepId"] = json!(self.step_ids[i % 6]);
        task["displayName"] = json!(TASKS[i % 6]);
        // A real engine names a task's workflow by id only.
        task.as_object_mut().unwrap().remove("workflowName");
        if whole {
            task["workflowConfig"] = json!({
                "name": "order-fulfilment",
                "version": "v3",
                "event_triggers": ["order:paid"],
                "cron_triggers": [],
                "concurrency": {"expression": "input.customer_id", "max_runs": 1, "limit_strategy": "GROUP_ROUND_ROBIN"},
                "default_priority": 1,
            });
        }
        task
    }

    fn run_details(&mut self) -> Value {
        let run_id = self.run_ids[3].clone();
        let mut run = self.run_row(3, true);
        for field in [
            "actionId",
            "retryCount",
            "attempt",
            "taskExternalId",
            "taskId",
            "taskInsertedAt",
            "type",
            "workflowRunExternalId",
            "stepId",
            "numSpawnedChildren",
            "isDurable",
            "workflowName",
        ] {
            run.as_object_mut().unwrap().remove(field);
        }
        let tasks: Vec<Value> = (0..4)
            .map(|k| {
                let mut task = self.task(3 + k * 25 % ROWS, false);
                task["workflowRunExternalId"] = json!(run_id);
                task
            })
            .collect();
        let events: Vec<Value> = (0..12).map(|k| self.task_event(k, true)).collect();
        let shape: Vec<Value> = tasks
            .iter()
            .enumerate()
            .map(|(k, task)| {
                json!({
                    "taskExternalId": task["taskExternalId"],
                    "stepId": self.step_ids[k],
                    "childrenStepIds": if k + 1 < tasks.len() { json!([self.step_ids[k + 1]]) } else { json!([]) },
                    "taskName": TASKS[k],
                })
            })
            .collect();
        json!({"run": run, "tasks": tasks, "taskEvents": events, "shape": shape, "workflowConfig": {"name": "order-fulfilment", "version": "v3"}})
    }

    fn timings(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS)
            .map(|i| {
                let id = self.seq.uuid();
                let queued = at(i as i64 * 3, 120_000);
                json!({
                    "metadata": meta(&id, &queued, &queued),
                    "depth": i / 10,
                    "status": if i == 3 { "FAILED" } else { "COMPLETED" },
                    "taskDisplayName": TASKS[i % 6],
                    "taskExternalId": id,
                    "taskId": 4_900_000 + i,
                    "taskInsertedAt": queued,
                    "tenantId": TENANT,
                    "queuedAt": queued,
                    "startedAt": at(i as i64 * 3, 340_000),
                    "finishedAt": at(i as i64 * 3 + 2, 870_000),
                    "workflowRunId": self.run_ids[3],
                    "retryCount": 0,
                    "attempt": 1,
                })
            })
            .collect();
        // A real engine pages no timings: its pagination is empty.
        json!({"rows": rows, "pagination": {}})
    }

    fn log_line(&mut self, k: usize) -> Value {
        let (level, message) = match k % 10 {
            0 => ("INFO", format!("charging order ord_{} for customer cus_{}", 100_000 + self.seq.below(900_000), self.seq.token(10))),
            1 => ("DEBUG", format!("POST https://api.stripe.com/v1/payment_intents idempotency_key=order-{} amount=5297 currency=eur", self.seq.below(1_000_000))),
            2 => ("INFO", "stripe answered 402 in 412ms".to_owned()),
            3 => ("WARN", format!("card declined (insufficient_funds), attempt {} of 4; retrying in {}s", k % 4 + 1, 2 << (k % 4))),
            4 => ("DEBUG", "reserved stock: TS-BLK-M x2 (warehouse ams-1), MUG-WHT x1 (warehouse ams-1)".to_owned()),
            5 => ("INFO", "courier booking skipped: payment not confirmed".to_owned()),
            6 => ("DEBUG", format!("released reservation res_{} after failed charge", self.seq.token(12))),
            7 => ("ERROR", "stripe._error.CardError: Your card was declined. (decline_code=insufficient_funds)".to_owned()),
            8 => ("INFO", "emitted event order:payment_failed".to_owned()),
            _ => ("DEBUG", format!("span flushed: trace_id={}", self.seq.token(32).to_lowercase())),
        };
        json!({
            "createdAt": at(300 + k as i64 * 2, 100_003 * (k as i64 % 9)),
            "message": message,
            "metadata": if k.is_multiple_of(3) { json!({"logger": "shop.workflows.orders", "lineno": 80 + k % 20}) } else { json!({}) },
            "taskExternalId": self.run_ids[3],
            "taskDisplayName": "charge-card",
            "retryCount": k / 13,
            "attempt": k / 13 + 1,
            "level": level,
        })
    }

    fn logs(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|k| self.log_line(k)).collect();
        json!({"rows": rows, "pagination": {}})
    }

    fn task_event(&mut self, k: usize, in_run: bool) -> Value {
        const CYCLE: [&str; 6] = [
            "QUEUED",
            "ASSIGNED",
            "SENT_TO_WORKER",
            "ACKNOWLEDGED",
            "STARTED",
            "FAILED",
        ];
        let event_type = match k {
            _ if k + 1 == ROWS => "FAILED",
            _ if k % 6 == 5 => "RETRYING",
            _ => CYCLE[k % 6],
        };
        let failed = matches!(event_type, "FAILED" | "RETRYING");
        let mut event = json!({
            "id": 91_000_000 + k,
            "taskId": self.run_ids[3],
            "timestamp": at(300 + k as i64 * 4, 20_011 * (k as i64 % 40)),
            "eventType": event_type,
            "message": match event_type {
                "QUEUED" => "",
                "ASSIGNED" => "Assigned to worker",
                "SENT_TO_WORKER" => "Sent to worker",
                "ACKNOWLEDGED" => "Worker acknowledged",
                "STARTED" => "",
                _ => "Task failed",
            },
            "errorMessage": if failed { TRACEBACKS[0] } else { "" },
            "retryCount": k / 6,
            "attempt": k / 6 + 1,
        });
        if !k.is_multiple_of(6) {
            event["workerId"] = json!(self.worker_ids[k / 6 % 3]);
        }
        if in_run {
            event["taskDisplayName"] = json!("charge-card");
        }
        event
    }

    fn task_events(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|k| self.task_event(k, false)).collect();
        json!({"rows": rows, "pagination": {}})
    }

    /// Worker `i`: as the list shows it, or whole (slots, recent runs) as `GET /workers/{id}`.
    fn worker(&mut self, i: usize, whole: bool) -> Value {
        let host = format!(
            "shop-worker-{}-{}",
            ["7d9f8c6b5", "5c8d7b9f4", "6b7c9d8f5"][i % 3],
            self.seq.token(5).to_lowercase()
        );
        let started = at(-3_600 * (1 + i as i64 % 20), 442_901);
        let status = match i % 10 {
            7 => "INACTIVE",
            9 => "PAUSED",
            _ => "ACTIVE",
        };
        let actions: Vec<String> = WORKFLOWS
            .iter()
            .zip(TASKS)
            .flat_map(|((w, _), t)| [format!("{w}:{t}"), format!("{w}:on-failure")])
            .collect();
        let mut worker = json!({
            "metadata": meta(&self.worker_ids[i], &started, &at(600 + i as i64, 1)),
            "name": host,
            "type": "SELFHOSTED",
            "lastHeartbeatAt": at(if status == "INACTIVE" { -1_800 } else { 600 + i as i64 % 5 }, 77_123),
            "actions": actions,
            "status": status,
            "slotConfig": {"default": {"available": 8 - (i % 9) as i64, "limit": 8}},
            "dispatcherId": "a3f0c6d2-1b4e-4c8a-9f7e-2d5b8c1e6a40",
            "labels": [
                {"metadata": meta(&format!("0c1d2e3f-4a5b-4c6d-8e7f-{:012x}", i * 2), &started, &started), "key": "region", "value": "eu-west-1"},
                {"metadata": meta(&format!("0c1d2e3f-4a5b-4c6d-8e7f-{:012x}", i * 2 + 1), &started, &started), "key": "gpu", "value": "false"},
            ],
            "runtimeInfo": {"sdkVersion": "1.37.5", "language": "PYTHON", "languageVersion": "3.12.11", "os": "linux", "runtimeExtra": "uvicorn 0.30.1; pid 7"},
        });
        if whole {
            worker["registeredWorkflows"] = json!(
                WORKFLOWS
                    .iter()
                    .zip(&self.workflow_ids)
                    .map(|((name, _), id)| json!({"id": id, "name": name}))
                    .collect::<Vec<_>>()
            );
            worker["recentStepRuns"] = json!((0..5).map(|k| json!({"metadata": meta(&self.run_ids[10 + k], &at(500, 2), &at(560, 3)), "actionId": actions[k * 2], "status": "SUCCEEDED", "startedAt": at(501, 4), "finishedAt": at(559, 5), "workflowRunId": self.run_ids[10 + k]})).collect::<Vec<_>>());
        }
        worker
    }

    fn workers(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|i| self.worker(i, false)).collect();
        json!({"rows": rows, "pagination": page()})
    }

    fn event(&mut self, i: usize, whole: bool) -> Value {
        let seen = at(45 * i as i64, 381_004);
        let key = [
            "order:paid",
            "order:refunded",
            "inventory:updated",
            "image:uploaded",
            "invoice:requested",
        ][i % 5];
        let triggered = 1 + i % 3;
        let running = usize::from(i.is_multiple_of(7));
        let failed = usize::from(i % 9 == 4);
        let mut event = json!({
            "metadata": meta(&self.seq.uuid(), &seen, &seen),
            "key": key,
            "tenantId": TENANT,
            "workflowRunSummary": {"running": running, "queued": 0, "succeeded": triggered - running - failed, "failed": failed, "cancelled": 0},
            "additionalMetadata": additional_metadata(&mut self.seq, i),
            "payload": {},
            "seenAt": seen,
            "triggeredRuns": (0..triggered).map(|k| json!({"workflowRunId": self.run_ids[(i + k * 17) % ROWS]})).collect::<Vec<_>>(),
        });
        if i % 4 == 1 {
            event["scope"] = json!(format!("tenant-shop-{}", ["eu", "us"][i % 2]));
        }
        if whole {
            event["payload"] = json!({"order_id": "ord_104432", "total_cents": 5297, "currency": "eur", "customer": {"id": "cus_R2x9LqW3hT", "email_domain": "example.com", "segment": "returning"}});
        }
        event
    }

    fn events(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|i| self.event(i, false)).collect();
        json!({"rows": rows, "pagination": page()})
    }

    fn event_keys(&mut self) -> Value {
        let keys: Vec<String> = (0..ROWS)
            .map(|i| {
                format!(
                    "{}:{}",
                    ["order", "inventory", "image", "invoice", "customer"][i % 5],
                    [
                        "paid",
                        "refunded",
                        "updated",
                        "uploaded",
                        "requested",
                        "created",
                        "deleted",
                        "failed",
                        "retried",
                        "exported"
                    ][i / 5]
                )
            })
            .collect();
        json!({"rows": keys})
    }

    fn cron(&mut self, i: usize) -> Value {
        let w = i % WORKFLOWS.len();
        let created = at(-86_400 * 12 + i as i64 * 3_600, 204_511);
        json!({
            "metadata": meta(&self.seq.uuid(), &created, &created),
            "tenantId": TENANT,
            "workflowVersionId": self.version_ids[w],
            "workflowId": self.workflow_ids[w],
            "workflowName": WORKFLOWS[w].0,
            "cron": (["*/15 * * * *", "0 3 * * *", "0 * * * *", "30 6 1 * *", "0 */6 * * *"][i % 5]),
            "name": format!("{}-{}", WORKFLOWS[w].0, ["every-15m", "nightly", "hourly", "monthly", "quarter-day"][i % 5]),
            "input": {"batch_size": 500, "dry_run": false, "regions": ["eu-west-1", "us-east-1"]},
            "additionalMetadata": if i.is_multiple_of(2) { json!({"owner": "team-fulfilment"}) } else { json!({}) },
            "enabled": i % 8 != 7,
            "method": if i.is_multiple_of(3) { "API" } else { "DEFAULT" },
            "priority": 1 + (i % 3),
        })
    }

    fn crons(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|i| self.cron(i)).collect();
        json!({"rows": rows, "pagination": page()})
    }

    fn scheduled(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS)
            .map(|i| {
                let w = (i * 5) % WORKFLOWS.len();
                let created = at(-3_600 + i as i64 * 60, 33_019);
                let mut row = json!({
                    "metadata": meta(&self.seq.uuid(), &created, &created),
                    "tenantId": TENANT,
                    "workflowVersionId": self.version_ids[w],
                    "workflowId": self.workflow_ids[w],
                    "workflowName": WORKFLOWS[w].0,
                    "triggerAt": at(i as i64 * 900, 0),
                    "input": {"order_id": format!("ord_{}", 100_000 + self.seq.below(900_000)), "reminder": "second", "channel": "email"},
                    "additionalMetadata": additional_metadata(&mut self.seq, i),
                    "method": "API",
                    "priority": 1,
                });
                // A real engine deletes a schedule once it has started its run: every row
                // it lists is still to come, with the run's fields unset.
                row["workflowRunCreatedAt"] = json!("0001-01-01T00:00:00Z");
                row["workflowRunName"] = json!("");
                row
            })
            .collect();
        json!({"rows": rows, "pagination": page()})
    }

    fn filter(&mut self, i: usize) -> Value {
        let w = i % WORKFLOWS.len();
        let created = at(-86_400 * 5 + i as i64 * 600, 8_812);
        json!({
            "metadata": meta(&self.seq.uuid(), &created, &created),
            "tenantId": TENANT,
            "workflowId": self.workflow_ids[w],
            "scope": format!("tenant-shop-{}", ["eu", "us", "apac"][i % 3]),
            "expression": (["input.total_cents > 10000 && additional_metadata.source == 'shopify'", "input.customer.segment == 'returning'", "payload.regions.exists(r, r == input.region)"][i % 3]),
            "payload": if i.is_multiple_of(2) { json!({"regions": ["eu-west-1", "eu-central-1"], "threshold_cents": 10000}) } else { json!({}) },
            "isDeclarative": i.is_multiple_of(4),
        })
    }

    fn filters(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|i| self.filter(i)).collect();
        json!({"rows": rows, "pagination": page()})
    }

    fn rate_limits(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS)
            .map(|i| {
                let key = match i % 4 {
                    0 => format!("stripe-api-{}", ["eu", "us"][i % 2]),
                    1 => format!("per-customer:cus_{}", self.seq.token(10)),
                    2 => "warehouse-api".to_owned(),
                    _ => format!("email-provider:{}", ["transactional", "marketing"][i % 2]),
                };
                json!({
                    "key": key,
                    "tenantId": TENANT,
                    "limitValue": ([100, 10, 50, 1000][i % 4]),
                    "value": ([37, 2, 50, 412][i % 4]),
                    "window": (["1s", "1m", "1m", "1h"][i % 4]),
                    "lastRefill": at(600 - i as i64, 515_000),
                })
            })
            .collect();
        json!({"rows": rows, "pagination": page()})
    }

    /// Log lines of the whole tenant, newest first: several tasks' lines interleaved.
    fn tenant_logs(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS)
            .map(|k| {
                let mut line = self.log_line(k);
                line["taskExternalId"] = json!(self.run_ids[(k * 7) % ROWS]);
                line["taskDisplayName"] = json!(TASKS[k % TASKS.len()]);
                line
            })
            .collect();
        json!({"rows": rows, "pagination": page()})
    }

    fn webhook(&mut self, i: usize) -> Value {
        const SOURCES: [(&str, &str, &str); 5] = [
            ("STRIPE", "'stripe:' + input.type", "HMAC"),
            ("GITHUB", "'github:' + headers['x-github-event']", "HMAC"),
            ("SLACK", "'slack:' + input.event.type", "HMAC"),
            (
                "LINEAR",
                "'linear:' + input.type + ':' + input.action",
                "HMAC",
            ),
            (
                "GENERIC",
                "'shopify:' + headers['x-shopify-topic']",
                "BASIC",
            ),
        ];
        let (source, key, auth) = SOURCES[i % SOURCES.len()];
        let created = at(-86_400 * (60 - i as i64), 41_200);
        json!({
            "metadata": meta(&self.seq.uuid(), &created, &created),
            "tenantId": TENANT,
            "name": format!("{}-{}", source.to_lowercase(), self.seq.token(6).to_lowercase()),
            "sourceName": source,
            "eventKeyExpression": key,
            "scopeExpression": if i.is_multiple_of(3) { json!("input.data.object.customer") } else { Value::Null },
            "staticPayload": if i.is_multiple_of(4) { json!({"environment": "production", "team": "payments"}) } else { Value::Null },
            "authType": auth,
            "returnEventAsResponsePayload": i.is_multiple_of(5),
        })
    }

    fn webhooks(&mut self) -> Value {
        let rows: Vec<Value> = (0..ROWS).map(|i| self.webhook(i)).collect();
        // A real engine lists webhooks without pagination.
        json!({"rows": rows})
    }

    fn queue_metrics(&mut self) -> Value {
        let queues: serde_json::Map<String, Value> = WORKFLOWS
            .iter()
            .zip(TASKS)
            .map(|((w, _), t)| (format!("{w}:{t}"), json!(self.seq.below(40))))
            .collect();
        json!({"queues": queues})
    }

    fn spans(&mut self) -> Value {
        let trace_id = format!("{:016x}{:016x}", self.seq.next(), self.seq.next());
        let span_ids: Vec<String> = (0..ROWS)
            .map(|_| format!("{:016x}", self.seq.next()))
            .collect();
        let rows: Vec<Value> = (0..ROWS)
            .map(|k| {
                let name = ["hatchet.run_task", "stripe.PaymentIntent.create", "POST https://api.stripe.com/v1/payment_intents", "db.query SELECT orders", "httpx GET warehouse /v2/stock"][k % 5];
                let mut span = json!({
                    "traceId": trace_id,
                    "spanId": span_ids[k],
                    "spanName": name,
                    "spanKind": (["SERVER", "INTERNAL", "CLIENT", "CLIENT", "CLIENT"][k % 5]),
                    "serviceName": "shop-worker",
                    "statusCode": if k % 17 == 3 { "ERROR" } else { "UNSET" },
                    "durationNs": 1_000_000 * (5 + (k as i64 * 37) % 900) + 123_456,
                    "createdAt": at(300 + k as i64, 10_001 * k as i64),
                    "resourceAttributes": {"service.name": "shop-worker", "service.version": "2026.05.18-1", "telemetry.sdk.language": "python", "telemetry.sdk.name": "opentelemetry", "telemetry.sdk.version": "1.27.0", "host.name": "shop-worker-7d9f8c6b5-x2kqp", "k8s.namespace.name": "shop"},
                    "spanAttributes": {"hatchet.tenant_id": TENANT, "hatchet.workflow_run_id": self.run_ids[3], "hatchet.step_run_id": self.run_ids[3], "hatchet.worker_id": self.worker_ids[0], "code.function": "charge_card", "code.lineno": 88},
                    "scopeName": "hatchet_sdk.opentelemetry",
                    "scopeVersion": "1.37.5",
                    "retryCount": k / 17,
                });
                if k > 0 {
                    span["parentSpanId"] = json!(span_ids[(k - 1) / 5 * 5]);
                }
                if k % 17 == 3 {
                    span["statusMessage"] = json!("CardError: Your card was declined. (decline_code=insufficient_funds)");
                }
                span
            })
            .collect();
        json!({"rows": rows, "retryCounts": [0, 1, 2], "pagination": page()})
    }
}
