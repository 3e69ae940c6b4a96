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
from sqlalchemy.ext.asyncio import AsyncConnection

from app import metrics
from app.config import Settings
from app.observability import set_request_id
from app.state import Services
from app.store.health import log_failure
from app.store.repo import Docs
from app.webhooks import store as outbox_store
from app.webhooks.client import outbound_client
from app.webhooks.hooks import custom_header
from app.webhooks.redact import scrub_text, with_user_token
from app.webhooks.store import DELIVERED, FAILED, PENDING, OutboxRow
from domain.clock import utcnow
from domain.retry import next_delay
from integrations.webhook_delivery import AttemptResult, send_webhook

log = logging.getLogger("ordercore.webhooks")

# A claimed row is left alone this long; it must outlast one attempt (the send timeout).
MIN_LEASE_SECONDS = 60.0
CLAIM_BATCH = 20
CONCURRENCY = 20
# Error names for deliveries that cannot be attempted at all.
ERROR_WEBHOOK_DELETED = "WebhookDeleted"
ERROR_NO_URL = "NoUrl"


def lease_for(settings: Settings) -> timedelta:
    return timedelta(seconds=max(MIN_LEASE_SECONDS, 3 * settings.webhook_timeout))


async def claim(services: Services, *, now: datetime, limit: int) -> list[OutboxRow]:
    async with services.db.transaction() as conn:
        return await outbox_store.claim_due(conn, now=now, limit=limit, lease=lease_for(services.settings))


async def _webhooks(services: Services, ids: Iterable[str]) -> dict[str, dict[str, object]]:
    wanted = set(ids)
    async with services.db.reader() as conn:
        docs = Docs(conn)
        found = await docs.all("webhook", docs.field_in("ID", sorted(wanted)))
    return {str(d["ID"]): d for d in found}


@dataclass(frozen=True)
class Outcome:
    row: OutboxRow
    result: AttemptResult
    at: datetime
    status: str
    next_attempt_at: datetime | None


# A delivery that just succeeded makes due its endpoint's deliveries waiting longer than this
# for a retry (`outbox_store.flush_waiting`); it exceeds the lease so in-flight rows are left alone.
FLUSH_MARGIN = timedelta(seconds=5)


def flush_beyond(settings: Settings) -> timedelta:
    return lease_for(settings) + FLUSH_MARGIN


class Recorder:
    """Writes attempt outcomes with group commit: outcomes that arrive while a write is under way
    go into the next transaction together, so many concurrent deliveries cost a few commits
    rather than one each (SQLite has a single writer)."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self._queue: list[tuple[Outcome, asyncio.Future[None]]] = []
        self._flushing = False
        self._flusher: asyncio.Task[None] | None = None

    async def record(self, outcome: Outcome) -> None:
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.append((outcome, done))
        if not self._flushing:
            self._flushing = True
            self._flusher = asyncio.create_task(self._flush())
        await done

    async def _flush(self) -> None:
        try:
            while self._queue:
                batch, self._queue = self._queue, []
                try:
                    async with self.services.db.transaction() as conn:
                        await _write_all(conn, [o for o, _ in batch], self.services.settings)
                except Exception as exc:
                    for _, done in batch:
                        done.set_exception(exc)
                else:
                    for _, done in batch:
                        done.set_result(None)
        finally:
            self._flushing = False


async def _write_all(conn: AsyncConnection, outcomes: list[Outcome], settings: Settings) -> None:
    """Record the outcomes; an endpoint that took a delivery gets its waiting ones sent now
    (after a receiver outage they would otherwise sit out their backoff, up to hours)."""
    for outcome in outcomes:
        await _write(conn, outcome)
    delivered = [o for o in outcomes if o.status == DELIVERED]
    if delivered:
        now = max(o.at for o in delivered)
        ids = [o.row.webhook_id for o in delivered]
        moved = await outbox_store.flush_waiting(conn, ids, now=now, beyond=flush_beyond(settings))
        if moved:
            metrics.WEBHOOK_FLUSHES.inc(moved)
            log.info("webhook endpoint answering again: %d waiting deliveries made due", moved)


async def _write(conn: AsyncConnection, o: Outcome) -> None:
    # A receiver that echoes the request must not put the caller's token into the log.
    await outbox_store.record_attempt(
        conn,
        o.row,
        attempted_at=o.at,
        status_code=o.result.status_code,
        duration_ms=o.result.duration_ms,
        error=scrub_text(o.result.error, o.row.user_token),
        response_body=scrub_text(o.result.response_body, o.row.user_token),
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


def _count(outcome: Outcome) -> None:
    label = "Retry" if outcome.status == PENDING else outcome.status
    metrics.WEBHOOK_DELIVERIES.labels(label).inc()


async def deliver_one(
    services: Services,
    row: OutboxRow,
    webhook: dict[str, object] | None,
    *,
    client: httpx.AsyncClient,
    now: datetime | None = None,
    timeout: float | None = None,
    rng: random.Random | None = None,
    recorder: Recorder | None = None,
) -> AttemptResult:
    """One attempt at one claimed delivery, recorded. Signed with the webhook's current HashKey
    (rotating the key takes effect on the next retry) and the wall clock (the Standard Webhooks
    timestamp must be real even when tests move `now`)."""
    # Log lines and the outbound call carry the ID of the request that caused the delivery.
    set_request_id(row.request_id)
    url = str(webhook.get("Url") or "") if webhook else ""
    if webhook is None or not url:
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
    outcome = decide(row, result, now or utcnow(), rng or random.Random())
    _count(outcome)
    if recorder is not None:
        await recorder.record(outcome)
    else:
        async with services.db.transaction() as conn:
            await _write_all(conn, [outcome], services.settings)
    return result


async def deliver_due(
    services: Services,
    *,
    now: datetime | None = None,
    limit: int = CLAIM_BATCH,
    timeout: float | None = None,
    rng: random.Random | None = None,
    client: httpx.AsyncClient | None = None,
) -> int:
    """One pass: claim what is due at `now` (default: the clock), deliver it concurrently and
    wait for the outcomes. Returns the number of attempts made. Claimed rows never share an
    ordering key (only the oldest pending row of a key is claimable), so concurrency keeps order."""
    when = now or utcnow()
    rows = await claim(services, now=when, limit=limit)
    if not rows:
        return 0
    hooks = await _webhooks(services, (r.webhook_id for r in rows))
    http = client or outbound_client(services)
    recorder = Recorder(services)
    await asyncio.gather(
        *(
            deliver_one(
                services,
                r,
                hooks.get(r.webhook_id),
                client=http,
                now=now,
                timeout=timeout,
                rng=rng,
                recorder=recorder,
            )
            for r in rows
        )
    )
    return len(rows)


class BackgroundWorker:
    """Polls the outbox every `settings.webhook_poll_interval` seconds (sooner when woken after
    a commit that wrote deliveries) and keeps up to `concurrency` deliveries in flight, so one
    slow receiver does not hold the others up."""

    def __init__(self, services: Services, *, concurrency: int = CONCURRENCY) -> None:
        self.services = services
        self.concurrency = concurrency
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._inflight: set[asyncio.Task[None]] = set()
        self._recorder = Recorder(services)

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
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
        rows = await claim(self.services, now=utcnow(), limit=limit)
        if not rows:
            return 0
        hooks = await _webhooks(self.services, (r.webhook_id for r in rows))
        client = outbound_client(self.services)
        for row in rows:
            task = asyncio.create_task(self._deliver(row, hooks.get(row.webhook_id), client))
            self._inflight.add(task)
            task.add_done_callback(self._done)
        return len(rows)

    async def _deliver(
        self, row: OutboxRow, webhook: dict[str, object] | None, client: httpx.AsyncClient
    ) -> None:
        try:
            await deliver_one(self.services, row, webhook, client=client, recorder=self._recorder)
        except Exception as exc:  # recording failed: the lease runs out and the row is tried again
            log_failure(log, f"webhook worker: delivery {row.delivery_id} failed to record", exc)

    def _done(self, task: asyncio.Task[None]) -> None:
        self._inflight.discard(task)
        # A finished delivery may unblock the next one with the same ordering key.
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
        client = services.extras.pop("http_client", None)
        if client is not None:
            await client.aclose()
        await services.db.dispose()
