"""The outbox worker: claims due deliveries, sends them signed, and records every attempt.

Delivery is at-least-once. A claim pushes the row's next attempt a lease into the future in its
own short transaction, then the request is sent with no transaction open, then the outcome is
recorded in another short transaction. A worker that dies between claim and record leaves the
row to be claimed again once the lease runs out; receivers deduplicate by `webhook-id`.

Scaling: on PostgreSQL any number of workers (in-process ones and `ordercore worker` processes)
can run against one database; claims use `FOR UPDATE SKIP LOCKED`, so each row goes to one
worker at a time. On SQLite run one: the in-process worker of the single server.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
from prometheus_client import Counter
from sqlalchemy.ext.asyncio import AsyncConnection

from app import metrics
from app.config import Settings
from app.notifications.delivery import deliver_notification
from app.notifications.messages import SENDER_KIND, secret_values
from app.observability import set_request_id
from app.services import activities
from app.state import Services
from app.store.health import log_failure
from app.store.repo import Docs
from app.webhooks import store as outbox_store
from app.webhooks.client import close_clients, webhook_client
from app.webhooks.hooks import custom_header
from app.webhooks.redact import scrub_text, with_user_token
from app.webhooks.store import DELIVERED, FAILED, PENDING, WEBHOOK, OutboxRow
from domain.clock import utcnow
from domain.retry import next_delay
from integrations.webhook_client import WebhookClient
from integrations.webhook_delivery import AttemptResult, send_webhook

log = logging.getLogger("ordercore.webhooks")

# A claimed row is left alone this long; it must outlast one attempt (the send timeout).
MIN_LEASE_SECONDS = 60.0
CLAIM_BATCH = 20
# Deliveries one worker keeps in flight: ordering-key chains, each sent one row after another.
CONCURRENCY = 64
# Rows of one ordering key claimed together and sent in order by one task (`claim_due` chain).
CHAIN = 16
# Error names for deliveries that cannot be attempted at all.
ERROR_WEBHOOK_DELETED = "WebhookDeleted"
ERROR_NO_URL = "NoUrl"

Client = httpx.AsyncClient | WebhookClient


def lease_for(settings: Settings) -> timedelta:
    return timedelta(seconds=max(MIN_LEASE_SECONDS, 3 * settings.webhook_timeout))


async def claim(services: Services, *, now: datetime, limit: int, chain: int = 1) -> list[OutboxRow]:
    settings = services.settings
    async with services.db.transaction() as conn:
        return await outbox_store.claim_due(
            conn,
            now=now,
            limit=limit,
            lease=lease_for(settings),
            chain=chain,
            step=timedelta(seconds=settings.webhook_timeout),
        )


def chains(rows: list[OutboxRow]) -> list[list[OutboxRow]]:
    """Claimed rows as the sequences to send: one per ordering key (in order), one per keyless row."""
    grouped: dict[str, list[OutboxRow]] = {}
    out: list[list[OutboxRow]] = []
    for row in rows:
        if row.ordering_key is None:
            out.append([row])
        elif row.ordering_key in grouped:
            grouped[row.ordering_key].append(row)
        else:
            grouped[row.ordering_key] = [row]
            out.append(grouped[row.ordering_key])
    return out


def target_key(row: OutboxRow) -> str:
    """What a row is sent to: its webhook, or (notifications) its message sender."""
    return row.webhook_id if row.kind == WEBHOOK else f"{SENDER_KIND}:{row.webhook_id}"


async def _webhooks(services: Services, rows: Iterable[OutboxRow]) -> dict[str, dict[str, object]]:
    """The webhooks and message senders the rows go to, by `target_key`."""
    claimed = list(rows)
    hooks = sorted({r.webhook_id for r in claimed if r.kind == WEBHOOK})
    senders = sorted({r.webhook_id for r in claimed if r.kind != WEBHOOK})
    found: dict[str, dict[str, object]] = {}
    async with services.db.reader() as conn:
        docs = Docs(conn)
        if hooks:
            found.update({str(d["ID"]): d for d in await docs.all("webhook", docs.field_in("ID", hooks))})
            # Business-event subscriptions' rows (`evs:<ID>`) deliver like webhooks (docs/events.md).
            found.update(await activities.delivery_targets(docs, set(hooks)))
        if senders:
            for d in await docs.all(SENDER_KIND, docs.field_in("ID", senders)):
                found[f"{SENDER_KIND}:{d['ID']}"] = d
    return found


@dataclass(frozen=True, slots=True)
class Outcome:
    row: OutboxRow
    result: AttemptResult
    at: datetime
    status: str
    next_attempt_at: datetime | None


# A delivery that just succeeded makes due its endpoint's deliveries waiting longer than this
# for a retry (`outbox_store.flush_waiting`); it exceeds the longest lease (the last row of a
# chain: lease + CHAIN * webhook_timeout) so claimed and in-flight rows are left alone.
FLUSH_MARGIN = timedelta(seconds=5)
# The background worker makes an endpoint's waiting deliveries due at most this often (seconds).
FLUSH_EVERY = 1.0
# Retry jitter: one generator per process (seeding one per attempt cost more than signing it).
_RNG = random.Random()


def flush_beyond(settings: Settings) -> timedelta:
    return lease_for(settings) + CHAIN * timedelta(seconds=settings.webhook_timeout) + FLUSH_MARGIN


class Recorder:
    """Writes attempt outcomes (and gives back unsent chain rows) with group commit: what arrives
    while a write is under way goes into the next transaction together, so many concurrent
    deliveries cost a few commits and statements rather than some of each per delivery."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._queue: list[tuple[Outcome | None, list[OutboxRow]]] = []
        # Done once the queued writes committed: one future for everything queued for the same
        # group commit (not one per delivery).
        self._next: asyncio.Future[None] | None = None
        self._flushing = False
        self._flusher: asyncio.Task[None] | None = None
        # Webhook ID -> monotonic time its waiting deliveries were last made due (`_write_all`).
        self._flushed: dict[str, float] = {}

    async def record(self, outcome: Outcome) -> None:
        await self.submit(outcome, [])

    async def release(self, rows: list[OutboxRow]) -> None:
        if rows:
            await self.submit(None, rows)

    def submit(self, outcome: Outcome | None, rows: list[OutboxRow]) -> asyncio.Future[None]:
        """Queue an outcome (and rows to give back) for the next group commit; the future is
        done once it committed (it is shared by everything in that commit). Writes commit in
        the order they were submitted."""
        self._queue.append((outcome, rows))
        if self._next is None:
            self._next = asyncio.get_running_loop().create_future()
        done = self._next
        if not self._flushing:
            self._flushing = True
            self._flusher = asyncio.create_task(self._flush())
        return done

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                done, self._next = self._next, None
                outcomes = [o for o, _ in batch if o is not None]
                released = [r for _, rows in batch for r in rows]
                try:
                    async with self.services.db.transaction() as conn:
                        await outbox_store.release(conn, released)
                        await _write_all(conn, outcomes, self.services.settings, self._flushed)
                except Exception as exc:
                    if done is not None and not done.done():
                        done.set_exception(exc)
                else:
                    if done is not None and not done.done():
                        done.set_result(None)
        finally:
            self._flushing = False


async def _write_all(
    conn: AsyncConnection,
    outcomes: list[Outcome],
    settings: Settings,
    flushed: dict[str, float] | None = None,
) -> None:
    """Record the outcomes; an endpoint that took a delivery gets its waiting ones sent now
    (after a receiver outage they would otherwise sit out their backoff, up to hours).

    With `flushed` (the background worker's `Recorder`), an endpoint's waiting deliveries are
    made due at most once per `FLUSH_EVERY` seconds while this worker saw none of its
    deliveries fail: a steady stream of successes to one endpoint then costs one such statement
    a second rather than one per group commit, and a failure seen here re-arms it at once."""
    await outbox_store.record_attempts(conn, [_attempt(o) for o in outcomes])
    _count(outcomes)
    if flushed is not None:
        for o in outcomes:
            if o.status != DELIVERED:
                flushed.pop(o.row.webhook_id, None)
    delivered = [o for o in outcomes if o.status == DELIVERED and o.row.kind == WEBHOOK]
    if delivered:
        now = max(o.at for o in delivered)
        ids = list({o.row.webhook_id for o in delivered})
        if flushed is not None:
            clock = time.monotonic()
            ids = [i for i in ids if clock - flushed.get(i, -FLUSH_EVERY) >= FLUSH_EVERY]
            if len(flushed) > 4096:
                flushed.clear()
            flushed.update(dict.fromkeys(ids, clock))
            if not ids:
                return
        moved = await outbox_store.flush_waiting(conn, ids, now=now, beyond=flush_beyond(settings))
        if moved:
            metrics.WEBHOOK_FLUSHES.inc(moved)
            log.info("webhook endpoint answering again: %d waiting deliveries made due", moved)


def _attempt(o: Outcome) -> outbox_store.Attempt:
    # A receiver that echoes the request must not put the caller's token (or a notification's
    # verification code) into the log.
    secrets = [o.row.user_token] if o.row.kind == WEBHOOK else secret_values(o.row.user_token)
    return outbox_store.Attempt(
        o.row,
        attempted_at=o.at,
        status_code=o.result.status_code,
        duration_ms=o.result.duration_ms,
        error=scrub_text(o.result.error, *secrets),
        response_body=scrub_text(o.result.response_body, *secrets),
        new_status=o.status,
        next_attempt_at=o.next_attempt_at,
    )


def decide(row: OutboxRow, result: AttemptResult, at: datetime, rng: random.Random) -> Outcome:
    """Delivered on 2xx; retried later when the failure is retryable and the schedule allows
    (Retry-After can only lengthen the wait); Failed otherwise."""
    if result.succeeded:
        return Outcome(row, result, at, DELIVERED, None)
    if result.retryable:
        delay = next_delay(row.attempts + 1, retry_after=result.retry_after, rng=rng)
        if delay is not None:
            return Outcome(row, result, at, PENDING, at + timedelta(seconds=delay))
    return Outcome(row, result, at, FAILED, None)


# The counter's child per outcome label, looked up once (`labels()` hashes and locks on every call).
_COUNTERS: dict[str, Counter] = {}


def _count(outcomes: list[Outcome]) -> None:
    """The outcomes in the deliveries metric: one increment per label per batch (each takes
    the metric's lock), not one per delivery."""
    labels: dict[str, int] = {}
    for o in outcomes:
        label = "Retry" if o.status == PENDING else o.status
        labels[label] = labels.get(label, 0) + 1
    for label, n in labels.items():
        counter = _COUNTERS.get(label)
        if counter is None:
            counter = _COUNTERS[label] = metrics.WEBHOOK_DELIVERIES.labels(label)
        counter.inc(n)


async def attempt(
    services: Services,
    row: OutboxRow,
    webhook: dict[str, object] | None,
    *,
    client: Client,
    now: datetime | None = None,
    timeout: float | None = None,
    rng: random.Random | None = None,
    recorder: Recorder | None = None,
    written: list[asyncio.Future[None]] | None = None,
) -> Outcome:
    """One attempt at one claimed delivery, recorded (committed when this returns; with
    `written` and a `recorder`, queued for commit and its future added there instead). Signed
    with the webhook's current HashKey (rotating the key takes effect on the next retry) and
    the wall clock (the Standard Webhooks timestamp must be real even when tests move `now`)."""
    # Log lines and the outbound call carry the ID of the request that caused the delivery.
    set_request_id(row.request_id)
    url = str(webhook.get("Url") or "") if webhook else ""
    if row.kind != WEBHOOK:
        result = await deliver_notification(
            services.settings,
            row,
            webhook,
            client=client,
            timeout=services.settings.webhook_timeout if timeout is None else timeout,
        )
    elif webhook is None or not url:
        result = AttemptResult(
            status_code=None,
            duration_ms=0.0,
            error=ERROR_WEBHOOK_DELETED if webhook is None else ERROR_NO_URL,
            retry_after=None,
            response_body=None,
            succeeded=False,
            retryable=False,
        )
    else:
        result = await send_webhook(
            client,
            url=url,
            body=with_user_token(row.body, row.user_token),
            hash_key=str(webhook.get("HashKey") or ""),
            delivery_id=row.delivery_id,
            timestamp=int(time.time()),
            custom_auth_header=custom_header(webhook),
            timeout=services.settings.webhook_timeout if timeout is None else timeout,
            request_id=row.request_id,
        )
    outcome = decide(row, result, now or utcnow(), rng or _RNG)
    if recorder is not None and written is not None:
        written.append(recorder.submit(outcome, []))
    elif recorder is not None:
        await recorder.record(outcome)
    else:
        async with services.db.transaction() as conn:
            await _write_all(conn, [outcome], services.settings)
    return outcome


async def deliver_one(
    services: Services,
    row: OutboxRow,
    webhook: dict[str, object] | None,
    *,
    client: Client,
    now: datetime | None = None,
    timeout: float | None = None,
    rng: random.Random | None = None,
    recorder: Recorder | None = None,
) -> AttemptResult:
    """`attempt`, answering the attempt's result."""
    outcome = await attempt(
        services, row, webhook, client=client, now=now, timeout=timeout, rng=rng, recorder=recorder
    )
    return outcome.result


async def deliver_chain(
    services: Services,
    rows: list[OutboxRow],
    hooks: dict[str, dict[str, object]],
    *,
    client: Client,
    recorder: Recorder,
    now: datetime | None = None,
    timeout: float | None = None,
    rng: random.Random | None = None,
) -> int:
    """Send one ordering key's claimed rows strictly one after another, each only once the
    receiver accepted the one before it (2xx); the rest goes back unsent when one is not
    accepted (it is retried first) or when a row's lease would run out before its attempt ends.
    Returns attempts made once every outcome is committed.

    A row may go out before the one before it is committed: if that commit is lost (crash,
    database error), the earlier row keeps its lease and is sent again later, so a receiver
    sees it twice (same `webhook-id`), never a later row before an earlier one's first copy."""
    claimed = time.monotonic()
    step = services.settings.webhook_timeout if timeout is None else timeout
    lease = lease_for(services.settings).total_seconds()
    # Each outcome is queued for the group commit and the next row is sent as soon as the
    # receiver took this one, without waiting for the commit (it would add a commit's latency
    # to every step of the chain). The chain ends once all of it is committed.
    writes: list[asyncio.Future[None]] = []
    made = len(rows)
    try:
        for i, row in enumerate(rows):
            # Row i is leased for lease + i * webhook_timeout from the claim (`claim_due`); keep a
            # full attempt's margin so another worker never takes it while it is being sent.
            leased_until = lease + i * services.settings.webhook_timeout
            if i and time.monotonic() - claimed + step + 1.0 > leased_until:
                writes.append(recorder.submit(None, rows[i:]))
                made = i
                break
            outcome = await attempt(
                services,
                row,
                hooks.get(target_key(row)),
                client=client,
                now=now,
                timeout=timeout,
                rng=rng,
                recorder=recorder,
                written=writes,
            )
            if outcome.status != DELIVERED:
                if i + 1 < len(rows):
                    writes.append(recorder.submit(None, rows[i + 1 :]))
                made = i + 1
                break
    finally:
        # Wait for the writes even when cancelled, so a failure to record is reported; an
        # unrecorded row keeps its lease and is sent again once the lease runs out.
        if writes:
            # Rows recorded in the same group commit share one future: wait for each once.
            unique = list(dict.fromkeys(writes))
            failed = [r for r in await asyncio.gather(*unique, return_exceptions=True) if r is not None]
            if failed:
                raise failed[0]
    return made


async def deliver_due(
    services: Services,
    *,
    now: datetime | None = None,
    limit: int = CLAIM_BATCH,
    timeout: float | None = None,
    rng: random.Random | None = None,
    client: Client | None = None,
    chain: int = 1,
) -> int:
    """One pass: claim what is due at `now` (default: the clock), deliver it concurrently and
    wait for the outcomes. Returns the number of attempts made. Claimed rows that share an
    ordering key (`chain` > 1) go out one after another; different keys in parallel."""
    when = now or utcnow()
    rows = await claim(services, now=when, limit=limit, chain=min(chain, CHAIN))
    if not rows:
        return 0
    hooks = await _webhooks(services, rows)
    http = client or webhook_client(services)
    recorder = Recorder(services)
    made = await asyncio.gather(
        *(
            deliver_chain(
                services, c, hooks, client=http, recorder=recorder, now=now, timeout=timeout, rng=rng
            )
            for c in chains(rows)
        )
    )
    return sum(made)


class BackgroundWorker:
    """Polls the outbox every `settings.webhook_poll_interval` seconds (sooner when woken after
    a commit that wrote deliveries) and keeps up to `concurrency` ordering-key chains in flight
    (each sent in order by one task), so one slow receiver does not hold the others up. One
    long-lived `WebhookClient` per worker, its pool sized for the concurrency."""

    def __init__(self, services: Services, *, concurrency: int = CONCURRENCY, chain: int = CHAIN) -> None:
        self.services = services
        self.concurrency = concurrency
        # Never longer than CHAIN: `flush_beyond` leaves alone only leases that short.
        self.chain = min(chain, CHAIN)
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._recorder = Recorder(services)
        self._client: WebhookClient | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._client = WebhookClient(
            concurrency=self.concurrency,
            allow_private=self.services.settings.outbound_allow_private,
            connect_timeout=self.services.settings.integration_connect_timeout,
        )
        self._task = asyncio.create_task(self._loop(), name="webhook-worker")

    async def stop(self, grace: float = 5.0) -> None:
        """Stop claiming; give in-flight attempts `grace` seconds, then cancel them (their rows
        stay leased and are retried later)."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
        if self._inflight:
            _, pending = await asyncio.wait(self._inflight, timeout=grace)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    async def _loop(self) -> None:
        interval = self.services.settings.webhook_poll_interval
        while not self._stopping:
            self._wake.clear()
            free = self.concurrency - len(self._inflight)
            claimed = 0
            if free > 0:
                try:
                    claimed = await self._claim_and_start(free)
                except Exception as exc:  # the database may be briefly unavailable; try again later
                    log_failure(log, "webhook worker: claiming failed", exc)
            if claimed and claimed == free:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), interval)

    async def _claim_and_start(self, limit: int) -> int:
        """Claim up to `limit` chains; answers how many started."""
        rows = await claim(self.services, now=utcnow(), limit=limit, chain=self.chain)
        if not rows:
            return 0
        hooks = await _webhooks(self.services, rows)
        assert self._client is not None, "start() first"
        started = chains(rows)
        for run in started:
            task = asyncio.create_task(self._deliver(run, hooks, self._client))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(started)

    async def _deliver(
        self, rows: list[OutboxRow], hooks: dict[str, dict[str, object]], client: Client
    ) -> None:
        try:
            await deliver_chain(self.services, rows, hooks, client=client, recorder=self._recorder)
        except Exception as exc:  # recording failed: the lease runs out and the rows are tried again
            log_failure(log, f"webhook worker: delivery {rows[0].delivery_id} failed to record", exc)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        # A finished chain may unblock the next rows of its ordering key.
        self._wake.set()


async def run_worker_forever(services: Services) -> None:
    """`ordercore worker`: deliver until SIGINT or SIGTERM. The caller builds `services` (the CLI,
    from `app.main.build_services`), so the worker never imports the app that starts it."""
    worker = BackgroundWorker(services)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    await worker.start()
    log.info("webhook worker started")
    try:
        await stop.wait()
    finally:
        await worker.stop()
        await close_clients(services)
        await services.db.dispose()
