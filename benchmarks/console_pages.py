"""The seller console's pages with 10,000 orders: server time per page (issue #18; figures in
docs/performance.md "Console" and docs/console.md).

A fresh store is seeded by `benchmarks/seed_lists.py` (N orders, all submitted within the last
N minutes, so every one of them falls in the dashboard's 30-day window, and N products), plus a
webhook with `--deliveries` delivery-log rows (a quarter Failed). The bootstrap admin signs in
through /console/login (CSRF and all), then each page is requested `--rounds` times through the
whole app in process (ASGI, session cookie, the API operations the page runs, Jinja rendering)
after a warm-up; the median and the 95th percentile are reported. Target: under 100 ms.

A plain script, not a timed test: python -m benchmarks.console_pages --backend sqlite --rows 10000
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import insert

from app.store.tables import outbox
from benchmarks.appenv import PASSWORD, AppEnv
from benchmarks.lists_at_scale import store_env
from benchmarks.seed_lists import seed
from domain.clock import utcnow

PAGES = {
    "dashboard": "/console",
    "orders": "/console/orders",
    "orders_filtered": "/console/orders?direction=Incoming&Status=Open&search=o00050",
    "order_detail": "/console/orders/Incoming/o0005000",
    "webhooks": "/console/webhooks",
    "webhooks_failed": "/console/webhooks?status=Failed",
    "catalog": "/console/catalog",
}
# The same run's API baseline: the cheapest authenticated request, and the orders page's one call.
API_PAGES = {
    "api_me": "/v1/me",
    "api_orders": "/v1/orders/Incoming?pageSize=20&Status=Open&sortBy=!DateSubmitted",
}


async def seed_deliveries(env: AppEnv, count: int) -> None:
    await env.call(
        "POST",
        "/webhooks",
        {
            "ID": "bench-hook",
            "Name": "Bench",
            "Url": "https://example.com/hook",
            "HashKey": "bench",
            "ApiClientIDs": ["ordercore-admin"],
            "WebhookRoutes": [{"Route": "v1/orders/{direction}/{orderID}/forward", "Verb": "POST"}],
        },
    )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for i in range(count):
        when = now - timedelta(minutes=count - i)
        rows.append(
            {
                "webhook_id": "bench-hook",
                "delivery_id": str(uuid.uuid4()),
                "ordering_key": f"o{i % 10000:07d}",
                "status": "Failed" if i % 4 == 0 else "Delivered",
                "attempts": 1,
                "next_attempt_at": when,
                "created_at": when,
                "body": '{"Route":"v1/orders/{direction}/{orderID}/forward","Verb":"POST"}',
                "last_error": "HTTP 400" if i % 4 == 0 else None,
            }
        )
    async with env.services.db.transaction() as conn:
        await conn.execute(insert(outbox), rows)


async def sign_in(env: AppEnv) -> None:
    page = await env.client.get("/console/login")
    found = re.search(r'name="_csrf" value="([^"]+)"', page.text)
    assert found
    form = {"_csrf": found.group(1), "username": "admin", "password": PASSWORD}
    answer = await env.client.post("/console/login", data=form)
    assert answer.status_code == 303, answer.text[:300]


async def measure(env: AppEnv, rounds: int) -> dict[str, tuple[float, float, float]]:
    """Per page: wall-clock p50 and p95, and the p50 of the CPU time the process spent on it
    (every thread, the SQLite driver's included): on a machine shared with other work the CPU
    time is the steadier figure of what the page costs the server."""
    await sign_in(env)
    out: dict[str, tuple[float, float, float]] = {}
    bearer = {"Authorization": f"Bearer {env.token}"}
    for name, path in {**PAGES, **API_PAGES}.items():
        headers = bearer if name in API_PAGES else {}
        for _ in range(3):
            await env.client.get(path, headers=headers)
        times = []
        cpu = []
        for _ in range(rounds):
            began, began_cpu = time.perf_counter(), time.process_time()
            response = await env.client.get(path, headers=headers)
            times.append((time.perf_counter() - began) * 1000)
            cpu.append((time.process_time() - began_cpu) * 1000)
            assert response.status_code == 200, (name, response.status_code, response.text[:300])
        times.sort()
        out[name] = (
            statistics.median(times),
            times[max(0, round(len(times) * 0.95) - 1)],
            statistics.median(cpu),
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--deliveries", type=int, default=2_000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with store_env(args.backend) as env:
        env.run(seed(env, args.rows))
        env.run(seed_deliveries(env, args.deliveries))
        results = env.run(measure(env, args.rounds))
    print(f"{args.backend}, {args.rows:,} orders, {args.deliveries:,} deliveries: ms wall p50 / p95, CPU p50")
    for name, (p50, p95, cpu) in results.items():
        print(f"  {name:16} {p50:6.1f} / {p95:6.1f}  cpu {cpu:6.1f}  {({**PAGES, **API_PAGES})[name]}")


if __name__ == "__main__":
    main()
