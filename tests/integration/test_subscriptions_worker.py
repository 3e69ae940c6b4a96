"""`ordercore worker` orders due subscriptions on PostgreSQL: killed with SIGKILL mid-run and
restarted (twice over, side by side), every period still ends up with exactly one order."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from app.services import subscriptions
from app.state import Services
from app.store.repo import Docs
from domain.clock import iso, utcnow
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import make_world
from tests.helpers import Api

ROOT = Path(__file__).resolve().parents[2]
SUBS = 3
PERIODS = 25


def _worker(services: Services, log: Path) -> subprocess.Popen[bytes]:
    settings = services.settings
    env = {
        **os.environ,
        "ORDERCORE_DATABASE_URL": settings.database_url,
        "ORDERCORE_DATABASE_SCHEMA": settings.database_schema,
        "ORDERCORE_SUBSCRIPTION_POLL_INTERVAL": "0.05",
        "ORDERCORE_LOG_LEVEL": "warning",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
        )


async def _placed(services: Services) -> list[tuple[str, str]]:
    async with services.db.reader() as conn:
        orders = await Docs(conn).all("order")
    return [(o["SubscriptionID"], o["xp"]["SubscriptionPeriod"]) for o in orders if o.get("SubscriptionID")]


async def _all_caught_up(services: Services) -> bool:
    return not await subscriptions.due(services, utcnow())


async def test_a_killed_worker_neither_loses_nor_duplicates_an_order(
    api: Api, services: Services, backend_name: str, tmp_path: Path
) -> None:
    if backend_name != "postgres":
        pytest.skip("several worker processes share a PostgreSQL database only")
    await make_world(api)
    await cat.product(api, "p1", price="2")
    start = utcnow() - timedelta(weeks=PERIODS - 1, hours=1)
    for n in range(SUBS):
        body = {
            "ID": f"s{n}",
            "Frequency": 1,
            "Interval": "Weeks",
            "NextOrderDate": iso(start),
            "FromUserID": "alice",
        }
        await api.ok("POST", "/subscriptions", body)
        await api.ok("POST", f"/subscriptions/s{n}/items", {"ProductID": "p1", "Quantity": 1})
    log = tmp_path / "worker.log"
    first = _worker(services, log)
    try:
        for _ in range(1200):
            assert first.poll() is None, log.read_text()
            if len(await _placed(services)) >= 5:
                break
            await asyncio.sleep(0.025)
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    before = len(await _placed(services))
    assert 5 <= before < SUBS * PERIODS, "the worker was to be killed mid-run"
    # Restarted: two workers at once, on one database.
    workers = [_worker(services, log), _worker(services, log)]
    try:
        for _ in range(2400):
            assert all(w.poll() is None for w in workers), log.read_text()
            if await _all_caught_up(services):
                break
            await asyncio.sleep(0.05)
        else:
            raise AssertionError("the workers did not catch up: " + log.read_text())
    finally:
        for w in workers:
            w.send_signal(signal.SIGTERM)
        for w in workers:
            try:
                w.wait(20)
            except subprocess.TimeoutExpired:
                w.kill()
    placed = await _placed(services)
    per_period = Counter(placed)
    assert set(per_period.values()) == {1}, per_period.most_common(3)
    assert len(placed) == SUBS * PERIODS
    for n in range(SUBS):
        assert sum(1 for sub, _ in placed if sub == f"s{n}") == PERIODS
