"""The outbox worker: ordering per ordering key, leases after a crash, concurrent workers on
PostgreSQL, and a server killed between the write and the delivery."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.main import build_services
from app.state import Services
from app.webhooks import store as outbox_store
from app.webhooks.client import close_clients
from app.webhooks.hooks import ordering_key
from app.webhooks.worker import BackgroundWorker, claim, deliver_due
from domain.clock import utcnow
from tests.helpers import Api
from tests.integration.receivers import HASH_KEY, ReceiverPool, RecordedRequest, Reply, unused_port
from tests.integration.webhooks_support import deliveries, make_webhook

ROOT = Path(__file__).resolve().parents[2]


async def enqueue(
    services: Services, name: str, key: str | None, when: datetime, webhook_id: str = "wh1"
) -> None:
    async with services.db.transaction() as conn:
        await outbox_store.enqueue(
            conn,
            webhook_id=webhook_id,
            delivery_id=f"{name}-{uuid.uuid4()}",
            ordering_key=key,
            body=json.dumps({"Name": name}),
            now=when,
        )


def test_ordering_key_comes_from_the_order_id() -> None:
    assert ordering_key({"direction": "Incoming", "orderID": "o-1"}) == "o-1"
    assert ordering_key({"buyerID": "b1"}) is None


async def test_same_ordering_key_goes_out_in_creation_order(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    def responder(request: RecordedRequest, _index: int) -> Reply:
        name = request.json()["Name"]
        first_try = sum(1 for r in rx.requests if r.json()["Name"] == name) == 1
        if name == "A1" and first_try:
            return Reply(status=500)
        return Reply(status=410 if name == "D1" else 200)

    rx = receivers.custom(responder)
    await make_webhook(api, rx.url)
    t0 = utcnow()
    for i, (name, key) in enumerate(
        [("A1", "o1"), ("A2", "o1"), ("B1", None), ("A3", "o1"), ("C1", "o2"), ("D1", "o3"), ("D2", "o3")]
    ):
        await enqueue(services, name, key, t0 + timedelta(milliseconds=i))
    now = t0 + timedelta(seconds=1)

    def sent() -> list[str]:
        return [r.json()["Name"] for r in rx.requests]

    # Only the oldest pending delivery of each key is claimable.
    assert await deliver_due(services, now=now) == 4
    assert sorted(sent()) == ["A1", "B1", "C1", "D1"]
    # A1 waits for its retry and holds A2 and A3 back; D1 failed for good, which frees D2.
    assert await deliver_due(services, now=now) == 1 and sent()[-1] == "D2"
    assert await deliver_due(services, now=now) == 0
    for expected in ("A1", "A2", "A3"):
        now += timedelta(hours=1)
        assert await deliver_due(services, now=now) == 1 and sent()[-1] == expected
    assert [n for n in sent() if n.startswith("A")] == ["A1", "A1", "A2", "A3"]


async def test_one_key_goes_strictly_in_order_while_other_keys_go_in_parallel(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    lock = threading.Lock()
    inflight: Counter[str] = Counter()
    overlapped: list[str] = []
    arrived: list[tuple[str, float]] = []

    # Names stay short: the delivery ID is the name and a uuid, in 40 characters.
    def key_of(name: str) -> str:
        return "busy" if name.startswith("b") else name[:2]

    def slow(request: RecordedRequest, _index: int) -> Reply:
        name = request.json()["Name"]
        key = key_of(name)
        with lock:
            inflight[key] += 1
            if inflight[key] > 1:
                overlapped.append(name)
        # The busy order's receiver is slow; the others answer at once.
        time.sleep(0.01 if key == "busy" else 0)
        with lock:
            inflight[key] -= 1
            arrived.append((name, time.monotonic()))
        return Reply()

    rx = receivers.custom(slow)
    await make_webhook(api, rx.url)
    t0 = utcnow() - timedelta(seconds=1)
    busy = [f"b{i}" for i in range(40)]
    others = [f"k{k}{i}" for i in range(3) for k in range(4)]
    for i, name in enumerate(busy + others):
        await enqueue(services, name, key_of(name), t0 + timedelta(microseconds=i))
    worker = BackgroundWorker(services, concurrency=5, chain=8)
    await worker.start()
    try:
        deadline = time.monotonic() + 30
        while len(arrived) < len(busy) + len(others) and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
    finally:
        await worker.stop()
    names = [n for n, _ in arrived]
    assert sorted(names) == sorted(busy + others)  # each once
    # Strictly one after another, in creation order, for every key.
    assert overlapped == []
    assert [n for n in names if n.startswith("b")] == busy
    for k in range(4):
        assert [n for n in names if n.startswith(f"k{k}")] == [f"k{k}{i}" for i in range(3)]
    # The other keys did not wait for the busy one: all of them arrived while it was still going.
    busy_done = max(t for n, t in arrived if n.startswith("b"))
    assert max(t for n, t in arrived if not n.startswith("b")) < busy_done


async def test_a_crashed_claim_is_retried_after_the_lease(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    now = utcnow()
    # A worker claims the delivery and dies before sending it.
    assert len(await claim(services, now=now, limit=10)) == 1
    assert await deliver_due(services, now=now + timedelta(seconds=30)) == 0
    assert await deliver_due(services, now=now + timedelta(seconds=61)) == 1
    assert len(rx.requests) == 1
    assert (await deliveries(api))[0]["Status"] == "Delivered"


async def test_two_workers_never_deliver_one_row_twice(
    api: Api, services: Services, backend_name: str, receivers: ReceiverPool
) -> None:
    if backend_name != "postgres":
        pytest.skip("several workers are supported on PostgreSQL only")
    lock = threading.Lock()
    inflight: Counter[str] = Counter()
    overlapped: list[str] = []

    def counting(request: RecordedRequest, _index: int) -> Reply:
        msg_id = request.header("webhook-id") or ""
        with lock:
            inflight[msg_id] += 1
            if inflight[msg_id] > 1:
                overlapped.append(msg_id)
        time.sleep(0.01)
        with lock:
            inflight[msg_id] -= 1
        return Reply()

    rx = receivers.custom(counting)
    await make_webhook(api, rx.url)
    t0 = utcnow()
    total = 40
    for i in range(total):
        await enqueue(services, f"n{i}", None, t0)
    other = build_services(services.settings)

    async def drain(svc: Services) -> int:
        made = 0
        while n := await deliver_due(svc, limit=3):
            made += n
        return made

    try:
        made = await asyncio.gather(drain(services), drain(other))
    finally:
        await other.db.dispose()
        await close_clients(other)
    per_id = Counter(r.header("webhook-id") for r in rx.requests)
    assert len(per_id) == total and set(per_id.values()) == {1}
    assert overlapped == [] and sum(made) == total and min(made) > 0


def _serve(db: Path, port: int, log: Path, *, worker: bool) -> subprocess.Popen[bytes]:
    args = [
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--database-url",
        f"sqlite:///{db}",
        "--port",
        str(port),
    ]
    if not worker:
        args.append("--no-worker")
    env = {
        **os.environ,
        "ORDERCORE_WEBHOOK_POLL_INTERVAL": "0.1",
        "ORDERCORE_LOG_LEVEL": "warning",
        "ORDERCORE_OUTBOUND_ALLOW_PRIVATE": "true",  # the receiver listens on loopback
    }
    with log.open("ab") as out:
        return subprocess.Popen(args, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, env=env)


async def _wait_ready(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(300):
            assert proc.poll() is None, log.read_text()
            try:
                await client.get(base + "/oauth/certs/none")
                return
            except httpx.TransportError:
                await asyncio.sleep(0.05)
    raise AssertionError("server did not start: " + log.read_text())


def _credentials(log: Path) -> dict[str, Any]:
    text = log.read_text()
    start = text.index("{", text.index("shown once"))
    found: dict[str, Any] = json.JSONDecoder().raw_decode(text[start:])[0]
    return found


async def test_delivery_survives_a_killed_server(tmp_path: Path, receivers: ReceiverPool) -> None:
    rx = receivers.recording()
    db, log = tmp_path / "crash.db", tmp_path / "server.log"
    port = unused_port()
    base = f"http://127.0.0.1:{port}"
    proc = _serve(db, port, log, worker=False)
    try:
        await _wait_ready(base, proc, log)
        creds = _credentials(log)
        async with httpx.AsyncClient(base_url=base) as client:
            form = {
                "grant_type": "password",
                "username": creds["Username"],
                "password": creds["Password"],
                "client_id": creds["ClientID"],
            }
            token = (await client.post("/oauth/token", data=form)).json()["access_token"]
            auth = {"Authorization": f"Bearer {token}"}
            hook = {
                "ID": "wh1",
                "Name": "crash",
                "Url": rx.url,
                "HashKey": HASH_KEY,
                "ApiClientIDs": [creds["ClientID"]],
                "WebhookRoutes": [{"Route": "v1/buyers", "Verb": "POST"}],
            }
            assert (await client.post("/v1/webhooks", json=hook, headers=auth)).status_code == 201
            made = await client.post("/v1/buyers", json={"ID": "b1", "Name": "Buyer"}, headers=auth)
            assert made.status_code == 201
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    assert rx.requests == []

    proc = _serve(db, port, log, worker=True)
    try:
        await _wait_ready(base, proc, log)
        # Up to 30 s: on a loaded 2-core machine the restarted worker's first pass can be slow.
        for _ in range(600):
            if rx.requests:
                break
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # room for a duplicate to show up, if there were one
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=10)
    unique = {r.header("webhook-id") for r in rx.requests}
    assert len(unique) == 1 and len(rx.requests) == 1
    assert rx.requests[0].oc_hash_valid is True
    assert rx.requests[0].json()["Response"]["Body"]["ID"] == "b1"


async def _claim_and_record_statements(services: Services, keys: int, t0: datetime) -> tuple[int, int]:
    """(statements of one claim, of recording its outcomes as delivered) for `keys` chains of 3."""
    from sqlalchemy import event

    from app.webhooks.worker import Outcome, _write_all
    from integrations.webhook_delivery import AttemptResult

    for i in range(3 * keys):
        await enqueue(services, f"{i}", f"order-{keys}-{i % keys}", t0 + timedelta(microseconds=i))
    seen: list[str] = []

    def on_execute(_c: Any, _cur: Any, statement: str, *_rest: Any) -> None:
        seen.append(statement)

    engine = services.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        rows = await claim(services, now=t0 + timedelta(seconds=1), limit=keys, chain=3)
        claimed = len(seen)
        ok = AttemptResult(200, 1.0, None, None, "{}", True, False)
        at = t0 + timedelta(seconds=2)
        async with services.db.transaction() as conn:
            await _write_all(
                conn, [Outcome(r, ok, at, outbox_store.DELIVERED, None) for r in rows], services.settings
            )
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)
    assert len(rows) == 3 * keys
    return claimed, len(seen) - claimed


async def test_claims_and_outcomes_cost_the_same_statements_for_any_batch(
    api: Api, services: Services
) -> None:
    # The worker claims and records in batches: a batch of 30 chains must not cost more SQL
    # statements than one of 2 (no statement per row, on either database).
    await make_webhook(api, "http://127.0.0.1:9/hook")
    t0 = utcnow()
    small = await _claim_and_record_statements(services, 2, t0)
    large = await _claim_and_record_statements(services, 30, t0 + timedelta(seconds=10))
    assert large == small
