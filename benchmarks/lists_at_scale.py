"""Large lists: p50 latency of Orders.List and /me/products pages at 100,000 and 1,000,000 rows
(issue #13; figures in docs/performance.md "Large lists").

Each size gets a fresh store seeded by `benchmarks/seed_lists.py` (N orders and N products), then
every page below is requested `--rounds` times through the whole app (ASGI, token, transaction,
encoding; httpx in-process) after a warm-up, and the median is reported, with the growth ratio
between the first and the last size:
- `incoming`: GET /v1/orders/Incoming?Status=Open&sortBy=!DateSubmitted as the seller (admin);
- `outgoing`: GET /v1/orders/Outgoing?Status=Open&sortBy=!DateSubmitted as a b1 user with
  OrderReader (b1 placed 1/20 of the orders);
- `all`: GET /v1/orders/All?Status=Open&sortBy=!DateSubmitted as the seller;
- `me_products`: GET /v1/me/products (a page of 20, default sort Name) as b1's shopper, who sees
  the catalog's active products (4 in 5).
A plain script, not a pytest benchmark: seeding a million rows takes minutes.

Run: python -m benchmarks.lists_at_scale --backend postgres --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from app.auth.revocation import identity_claims
from app.store.db import Database
from app.store.repo import Docs
from benchmarks.appenv import AppEnv, app_env
from benchmarks.seed_lists import seed

PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
PAGES = {
    "incoming": "/orders/Incoming?Status=Open&sortBy=!DateSubmitted",
    "outgoing": "/orders/Outgoing?Status=Open&sortBy=!DateSubmitted",
    "all": "/orders/All?Status=Open&sortBy=!DateSubmitted",
    "me_products": "/me/products",
}


async def _pg(sql: str) -> None:
    db = Database(PG_URL)
    async with db.transaction() as conn:
        await conn.execute(text(sql))
    await db.dispose()


@contextmanager
def store_env(backend: str, reuse: str = "", *, keep: bool = False) -> Iterator[AppEnv]:
    """A fresh store: a SQLite file in a temporary folder, or a PostgreSQL schema of its own
    (dropped afterwards); `reuse`: a seeded PostgreSQL schema, kept."""
    with tempfile.TemporaryDirectory(prefix="ordercore-lists-") as folder:
        if reuse:
            with app_env(
                Path(folder), webhook_worker=False, database_url=PG_URL, database_schema=reuse
            ) as env:
                yield env
            return
        if backend == "sqlite":
            with app_env(Path(folder), webhook_worker=False) as env:
                yield env
            return
        schema = "bench_" + secrets.token_hex(4)
        asyncio.run(_pg(f'CREATE SCHEMA "{schema}"'))
        try:
            with app_env(
                Path(folder), webhook_worker=False, database_url=PG_URL, database_schema=schema
            ) as env:
                yield env
        finally:
            if keep:
                print(f"kept schema {schema}")
            else:
                asyncio.run(_pg(f'DROP SCHEMA "{schema}" CASCADE'))


async def _tokens(env: AppEnv) -> dict[str, str]:
    async with env.services.db.transaction() as conn:
        docs = Docs(conn)
        user = (await docs.require("user", "shopper", "b1", object_type="User")).doc
        company = (await docs.require("buyer", "b1", object_type="Buyer")).doc
    buyer = {
        "usrtype": "buyer",
        "cmp": "b1",
        "usr": "shopper",
        "u": "shopper",
        **identity_claims(user, company),
    }
    return {
        "incoming": env.token,
        "all": env.token,
        "outgoing": await env.mint({**buyer, "role": ["Shopper", "OrderReader"]}),
        "me_products": await env.mint({**buyer, "role": ["Shopper"]}),
    }


async def measure(env: AppEnv, rounds: int) -> dict[str, float]:
    """Median milliseconds per page."""
    tokens = await _tokens(env)
    out: dict[str, float] = {}
    for name, path in PAGES.items():
        for _ in range(3):  # warm-up: connections, statement caches, the OS page cache
            await env.call("GET", path, token=tokens[name])
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            response = await env.call("GET", path, token=tokens[name])
            times.append((time.perf_counter() - began) * 1000)
        assert len(response.json()["Items"]) == 20, (name, response.text[:300])
        out[name] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--reuse", default="", help="measure a seeded PostgreSQL schema (kept) again")
    parser.add_argument("--keep", action="store_true", help="print the PostgreSQL schema and keep it")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, float]] = {}
    for size in sizes:
        with store_env(args.backend, args.reuse, keep=args.keep) as env:
            took = {} if args.reuse else env.run(seed(env, size))
            print(
                f"{args.backend} {size:,} rows: seeded in "
                + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()),
                flush=True,
            )
            results[size] = env.run(measure(env, args.rounds))
            print("  p50 ms: " + ", ".join(f"{k} {v:.1f}" for k, v in results[size].items()), flush=True)
    if len(sizes) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        print(
            f"growth {sizes[0]:,} -> {sizes[-1]:,}: "
            + ", ".join(f"{k} {last[k] / first[k]:.2f}x" for k in PAGES)
        )


if __name__ == "__main__":
    main()
