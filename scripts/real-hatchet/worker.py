"""The worker and the seed of the real Hatchet that `scripts/real-hatchet.sh up` starts.

    worker.py work   serve the workflows below until stopped (the worker process)
    worker.py seed   leave the tenant holding the objects the end-to-end suite reads, and
                     write their ids to $REAL_HATCHET_DIR/seed.json

Both read the usual HATCHET_CLIENT_* variables (the script sets them). Workflows, all named
`e2e-*` so that nothing else on the tenant is mistaken for them:

- `e2e-greet`: a task whose input is a Pydantic model with a nested object (`address`) and
  an enum (`channel`), for typed `run_<workflow>` tools; it completes. It spends one unit of
  the rate limit `e2e-sms`. A cron and a scheduled run (a day ahead) trigger it too. (A
  scheduled run that has run is gone: the engine deletes it once it has started the run.)
- `e2e-charge`: logs two lines, then fails with "card declined: insufficient funds for
  order <id> (e2e-marker)" when `amount` is over 1000, else completes. One retry, so a
  failed run has two attempts. The seed leaves one COMPLETED (amount 500) and one FAILED
  (amount 5000) run of it: the same workflow, inputs that differ.
- `e2e-sleeper`: sleeps up to two hours: a RUNNING run (and the CANCELLED one, cancelled by
  the seed while it slept).
- `e2e-serial`: a concurrency limit of one run at a time (constant key): the seed triggers
  it twice, so one run is RUNNING and the other stays QUEUED behind it.
- `e2e-pipeline`: a DAG: extract -> (transform, audit) -> load. It completes.
- `e2e-on-signup`: triggered by the event `e2e:user-signup`; the seed pushes one, and one
  with the scope `e2e-scope`. A filter (scope `e2e-scope`, expression
  `input.plan == 'pro'`) is set on it.

Also a rate limit (`e2e-sms`, 100 a minute) and a GitHub webhook `e2e-github` with an HMAC
signing secret (which no answer of hatchet-mcp may show).
"""

from __future__ import annotations

import enum
import json
import os
import sys
import time
from datetime import datetime, timedelta, timezone

from pydantic import BaseModel

from hatchet_sdk.clients.rest.models.v1_webhook_hmac_algorithm import V1WebhookHMACAlgorithm
from hatchet_sdk.clients.rest.models.v1_webhook_hmac_auth import V1WebhookHMACAuth
from hatchet_sdk.clients.rest.models.v1_webhook_hmac_encoding import V1WebhookHMACEncoding
from hatchet_sdk.clients.rest.models.v1_webhook_source_name import V1WebhookSourceName
from hatchet_sdk import (
    ConcurrencyExpression,
    ConcurrencyLimitStrategy,
    Context,
    EmptyModel,
    Hatchet,
    RateLimit,
    RateLimitDuration,
)

hatchet = Hatchet()

LONG = timedelta(hours=2)
FAIL_MARKER = "e2e-marker"
RATE_LIMIT_KEY = "e2e-sms"
SIGNUP_EVENT = "e2e:user-signup"
FILTER_SCOPE = "e2e-scope"
WEBHOOK_NAME = "e2e-github"
# A signing secret the suite must never see in an answer.
WEBHOOK_SECRET = "e2e-webhook-signing-secret-4d1f7c"


class Channel(str, enum.Enum):
    EMAIL = "email"
    SMS = "sms"


class Address(BaseModel):
    city: str
    postcode: str


class GreetInput(BaseModel):
    """Who to greet, and how."""

    name: str
    channel: Channel
    address: Address


class ChargeInput(BaseModel):
    order_id: str
    amount: int


class SignupInput(BaseModel):
    email: str = ""
    plan: str = "free"


@hatchet.task(
    name="e2e-greet",
    description="Greets a customer by email or SMS.",
    input_validator=GreetInput,
    rate_limits=[RateLimit(static_key=RATE_LIMIT_KEY, units=1)],
)
def greet(input: GreetInput, ctx: Context) -> dict[str, str]:
    ctx.log(f"greeting {input.name} in {input.address.city} by {input.channel.value}")
    return {"message": f"hello {input.name}", "channel": input.channel.value}


@hatchet.task(name="e2e-charge", input_validator=ChargeInput, retries=1)
def charge(input: ChargeInput, ctx: Context) -> dict[str, object]:
    ctx.log(f"charging order {input.order_id} for {input.amount} cents")
    ctx.log("contacting the payment gateway")
    if input.amount > 1000:
        raise RuntimeError(
            f"card declined: insufficient funds for order {input.order_id} ({FAIL_MARKER})"
        )
    return {"charged": input.amount, "order_id": input.order_id}


def sleep_until_cancelled(ctx: Context, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if ctx.exit_flag:
            return
        time.sleep(0.5)


@hatchet.task(name="e2e-sleeper", execution_timeout=LONG)
def sleeper(input: EmptyModel, ctx: Context) -> dict[str, str]:
    ctx.log("going to sleep")
    sleep_until_cancelled(ctx, LONG.total_seconds() - 60)
    return {"slept": "yes"}


@hatchet.task(
    name="e2e-serial",
    execution_timeout=LONG,
    concurrency=ConcurrencyExpression(
        expression="'all'",
        max_runs=1,
        limit_strategy=ConcurrencyLimitStrategy.GROUP_ROUND_ROBIN,
    ),
)
def serial(input: EmptyModel, ctx: Context) -> dict[str, str]:
    ctx.log("holding the only concurrency slot")
    sleep_until_cancelled(ctx, LONG.total_seconds() - 60)
    return {"done": "yes"}


pipeline = hatchet.workflow(name="e2e-pipeline", description="Extract, transform, load.")


@pipeline.task()
def extract(input: EmptyModel, ctx: Context) -> dict[str, int]:
    ctx.log("extracted 3 rows")
    return {"rows": 3}


@pipeline.task(parents=[extract])
def transform(input: EmptyModel, ctx: Context) -> dict[str, int]:
    rows = ctx.task_output(extract)["rows"]
    return {"rows": rows * 2}


@pipeline.task(parents=[extract])
def audit(input: EmptyModel, ctx: Context) -> dict[str, bool]:
    return {"audited": True}


@pipeline.task(parents=[transform, audit])
def load(input: EmptyModel, ctx: Context) -> dict[str, int]:
    return {"loaded": ctx.task_output(transform)["rows"]}


@hatchet.task(name="e2e-on-signup", input_validator=SignupInput, on_events=[SIGNUP_EVENT])
def on_signup(input: SignupInput, ctx: Context) -> dict[str, str]:
    ctx.log(f"welcoming {input.email} on plan {input.plan}")
    return {"welcomed": input.email}


WORKFLOWS = [greet, charge, sleeper, serial, pipeline, on_signup]


def work() -> None:
    worker = hatchet.worker("e2e-worker", slots=20, workflows=WORKFLOWS)
    worker.start()


def status_of(run_id: str) -> str:
    return str(hatchet.runs.get_status(run_id).value)


def wait_for(run_id: str, wanted: set[str], seconds: float = 120) -> str:
    deadline = time.monotonic() + seconds
    status = ""
    while time.monotonic() < deadline:
        status = status_of(run_id)
        if status in wanted:
            return status
        time.sleep(0.5)
    raise SystemExit(f"seed: run {run_id} is {status}, not {sorted(wanted)}, after {seconds}s")


def registered() -> None:
    """Waits until the worker has registered every workflow and is active."""
    names = {"e2e-greet", "e2e-charge", "e2e-sleeper", "e2e-serial", "e2e-pipeline", "e2e-on-signup"}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        listed = {w.name for w in hatchet.workflows.list(limit=200).rows or []}
        workers = hatchet.workers.list().rows or []
        if names <= listed and any(w.status == "ACTIVE" for w in workers):
            return
        time.sleep(1)
    raise SystemExit("seed: the worker did not register its workflows within 120 s")


def start(runnable, input=None) -> str:  # noqa: ANN001
    """Triggers a run without waiting for it; its id."""
    ref = runnable.run(input, wait_for_result=False) if input is not None else runnable.run(wait_for_result=False)
    return ref.workflow_run_id


def seed(out: str) -> None:
    registered()
    hatchet.rate_limits.put(RATE_LIMIT_KEY, 100, RateLimitDuration.MINUTE)
    greet_input = GreetInput(
        name="Ada", channel=Channel.EMAIL, address=Address(city="London", postcode="N1 9GU")
    )
    greeted = start(greet, greet_input)
    charged = start(charge, ChargeInput(order_id="ord-500", amount=500))
    declined = start(charge, ChargeInput(order_id="ord-5000", amount=5000))
    piped = start(pipeline)
    running = start(sleeper)
    to_cancel = start(sleeper)
    serial_running = start(serial)
    wait_for(serial_running, {"RUNNING"})
    serial_queued = start(serial)
    event = hatchet.event.push(SIGNUP_EVENT, {"email": "ada@example.com", "plan": "pro"})
    # A scoped event too: the filter of e2e-on-signup lets it through (plan pro).
    hatchet.event.push(SIGNUP_EVENT, {"email": "lin@example.com", "plan": "pro"}, scope=FILTER_SCOPE)

    wait_for(greeted, {"COMPLETED"})
    wait_for(charged, {"COMPLETED"})
    wait_for(declined, {"FAILED"})
    wait_for(piped, {"COMPLETED"})
    wait_for(running, {"RUNNING"})
    wait_for(to_cancel, {"RUNNING"})
    hatchet.runs.cancel(to_cancel)
    wait_for(to_cancel, {"CANCELLED"})

    workflows = {w.name: w.metadata.id for w in hatchet.workflows.list(limit=200).rows or []}
    cron = hatchet.cron.create(
        workflow_name="e2e-greet",
        cron_name="e2e-nightly",
        expression="0 3 * * *",
        input=greet_input.model_dump(mode="json"),
        additional_metadata={"source": "e2e-seed"},
    )
    scheduled = hatchet.scheduled.create(
        workflow_name="e2e-greet",
        trigger_at=datetime.now(timezone.utc) + timedelta(days=1),
        input=greet_input.model_dump(mode="json"),
        additional_metadata={"source": "e2e-seed"},
    )
    filter_ = hatchet.filters.create(
        workflow_id=workflows["e2e-on-signup"],
        expression="input.plan == 'pro'",
        scope=FILTER_SCOPE,
        payload={"team": "growth"},
    )
    hatchet.webhooks.create(
        source_name=V1WebhookSourceName.GITHUB,
        name=WEBHOOK_NAME,
        event_key_expression="'e2e:github:' + input.action",
        scope_expression="input.repository.name",
        static_payload={"team": "platform"},
        auth=V1WebhookHMACAuth(
            algorithm=V1WebhookHMACAlgorithm.SHA256,
            encoding=V1WebhookHMACEncoding.HEX,
            signature_header_name="X-Hub-Signature-256",
            signing_secret=WEBHOOK_SECRET,
        ),
    )
    # The event's own run: the event lists the runs it triggered once the engine has
    # written them.
    signup_run = ""
    deadline = time.monotonic() + 60
    while not signup_run and time.monotonic() < deadline:
        runs = hatchet.runs.list(workflow_ids=[workflows["e2e-on-signup"]], since=datetime.now(timezone.utc) - timedelta(hours=1))
        rows = runs.rows or []
        if rows:
            signup_run = rows[0].metadata.id
        else:
            time.sleep(1)
    if not signup_run:
        raise SystemExit("seed: the pushed event triggered no run of e2e-on-signup within 60 s")
    wait_for(signup_run, {"COMPLETED"})
    wait_for(serial_queued, {"QUEUED"}, 5)

    ids = {
        "workflows": workflows,
        "runs": {
            "completed": greeted,
            "charge_completed": charged,
            "failed": declined,
            "dag": piped,
            "running": running,
            "cancelled": to_cancel,
            "serial_running": serial_running,
            "queued": serial_queued,
            "event_triggered": signup_run,
        },
        "event_id": event.event_id,
        "event_key": SIGNUP_EVENT,
        "cron_id": cron.metadata.id,
        "scheduled_id": scheduled.metadata.id,
        "filter_id": filter_.metadata.id,
        "filter_scope": FILTER_SCOPE,
        "rate_limit_key": RATE_LIMIT_KEY,
        "fail_marker": FAIL_MARKER,
        "webhook_name": WEBHOOK_NAME,
        "webhook_secret": WEBHOOK_SECRET,
    }
    with open(out + ".tmp", "w") as f:
        json.dump(ids, f, indent=2)
    os.replace(out + ".tmp", out)


if __name__ == "__main__":
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode == "work":
        work()
    elif mode == "seed":
        seed(os.path.join(os.environ["REAL_HATCHET_DIR"], "seed.json"))
    else:
        raise SystemExit("usage: worker.py work|seed")
