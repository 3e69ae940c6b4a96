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
A plain script, not a pytest benchmark: seeding a million rows takes minutes, so `--keep` keeps a
seeded store (a PostgreSQL schema, or a SQLite file) and `--reuse` measures it again.
`--limits 10000,1000` measures each page with those exact-count limits (`EXACT_COUNT_LIMIT`) taking
turns request by request; `--statements` prints each SQL statement of one warm request, timed.
`--reuse STORE --before TREE` measures a kept store with this tree's code and TREE's code taking
turns request by request (each in a process of its own, started from its tree), so that both
see the same load, and prints each page's ratio after / before.

Run: python -m benchmarks.lists_at_scale --backend postgres --sizes 100000,1000000
"""

from __future__ import annotations

import argparse
import asyncio
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event, text

from app.auth.revocation import identity_claims
from app.store import repo
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
    (dropped afterwards unless `keep`); `reuse`: a seeded store kept before, measured again (a
    PostgreSQL schema name, or the path of a SQLite file)."""
    if reuse.endswith(".db"):
        url = f"sqlite+aiosqlite:///{reuse}"
        with app_env(Path(reuse).parent, webhook_worker=False, database_url=url) as env:
            yield env
        return
    if backend == "sqlite" and keep:
        folder = tempfile.mkdtemp(prefix="ordercore-lists-")
        with app_env(Path(folder), webhook_worker=False) as env:
            yield env
        print(f"kept SQLite store {Path(folder) / 'bench.db'}")
        return
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


async def measure(env: AppEnv, rounds: int, limits: Sequence[int] = ()) -> dict[str, dict[str, float]]:
    """Median milliseconds per page, per exact-count limit (`limits`; the code's own
    `EXACT_COUNT_LIMIT` when empty), the limits taking turns request by request so that each is
    measured under the same load."""
    tokens = await _tokens(env)
    variants = [str(n) for n in limits] or [str(repo.EXACT_COUNT_LIMIT)]
    out: dict[str, dict[str, float]] = {v: {} for v in variants}
    for name, path in PAGES.items():
        times: dict[str, list[float]] = {v: [] for v in variants}
        for _ in range(3):  # warm-up: connections, statement caches, the OS page cache
            for variant in variants:
                with count_limit(int(variant)):
                    await env.call("GET", path, token=tokens[name])
        for _ in range(rounds):
            for variant in variants:
                with count_limit(int(variant)):
                    began = time.perf_counter()
                    response = await env.call("GET", path, token=tokens[name])
                    times[variant].append((time.perf_counter() - began) * 1000)
                assert len(response.json()["Items"]) == 20, (name, response.text[:300])
        for variant in variants:
            out[variant][name] = statistics.median(times[variant])
    return out


@contextmanager
def count_limit(limit: int) -> Iterator[None]:
    """`Docs.page` counting exactly up to `limit` matches for the duration."""
    saved = repo.EXACT_COUNT_LIMIT
    repo.EXACT_COUNT_LIMIT = limit
    try:
        yield
    finally:
        repo.EXACT_COUNT_LIMIT = saved


async def statement_split(env: AppEnv) -> dict[str, list[tuple[str, float]]]:
    """Per page, each SQL statement of one warm request and its milliseconds (from the driver
    call to its return), plus the whole request."""
    tokens = await _tokens(env)
    out: dict[str, list[tuple[str, float]]] = {}
    for name, path in PAGES.items():
        await env.call("GET", path, token=tokens[name])  # warm
        out[name] = await _timed(env, path, tokens[name])
    return out


async def _timed(env: AppEnv, path: str, token: str) -> list[tuple[str, float]]:
    engine = env.services.db.engine.sync_engine
    seen: list[tuple[str, float]] = []
    started: list[float] = []

    def before(*_: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append((" ".join(statement.split())[:90], (time.perf_counter() - started.pop()) * 1000))

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        began = time.perf_counter()
        await env.call("GET", path, token=token)
        seen.append(("whole request", (time.perf_counter() - began) * 1000))
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
    return seen


def worker(store: str) -> None:
    """`--worker`: serve requests for `compare` on a kept store: reads a page name a line,
    answers the milliseconds of that request through the whole app (started from whichever tree
    PYTHONPATH names)."""
    backend = "sqlite" if store.endswith(".db") else "postgres"
    with store_env(backend, store) as env:
        tokens = env.run(_tokens(env))
        print("ready", flush=True)
        for line in sys.stdin:
            name = line.strip()
            began = time.perf_counter()
            response = env.run(env.call("GET", PAGES[name], token=tokens[name]))
            elapsed = (time.perf_counter() - began) * 1000
            assert len(response.json()["Items"]) == 20, (name, response.text[:300])
            print(f"{elapsed:.3f}", flush=True)


def compare(store: str, before: Path, rounds: int) -> None:
    """This tree's code and `before`'s on the same store, request by request (the side that goes
    first alternates each round); prints p50 ms per page and side, and the ratio."""
    sides = {"before": before.resolve(), "after": Path(__file__).resolve().parent.parent}
    procs: dict[str, subprocess.Popen[str]] = {}
    try:
        for side, tree in sides.items():  # one after the other: each migrates the store if need be
            proc = procs[side] = subprocess.Popen(
                [sys.executable, str(Path(__file__).resolve()), "--worker", "--reuse", store],
                cwd=tree,
                env={**os.environ, "PYTHONPATH": str(tree)},
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert proc.stdout is not None
            while (line := proc.stdout.readline()) and line.strip() != "ready":
                print(f"  ({side}) {line.rstrip()}", file=sys.stderr)
            assert line, f"the {side} worker ended before it was ready"

        def call(side: str, name: str) -> float:
            proc = procs[side]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(name + "\n")
            proc.stdin.flush()
            return float(proc.stdout.readline())

        for name in PAGES:
            times: dict[str, list[float]] = {side: [] for side in sides}
            for _ in range(3):  # warm-up
                for side in sides:
                    call(side, name)
            for n in range(rounds):
                for side in list(sides)[:: 1 if n % 2 == 0 else -1]:
                    times[side].append(call(side, name))
            p50 = {side: statistics.median(t) for side, t in times.items()}
            print(
                f"  {name}: before {p50['before']:.1f} ms, after {p50['after']:.1f} ms, "
                f"after / before {p50['after'] / p50['before']:.2f}x",
                flush=True,
            )
    finally:
        for proc in procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--reuse", default="", help="measure a kept store again: a PostgreSQL schema or a SQLite .db file"
    )
    parser.add_argument("--keep", action="store_true", help="keep the store and print its schema or file")
    parser.add_argument(
        "--limits",
        default="",
        help="exact-count limits to compare, taking turns request by request (e.g. 10000,1000)",
    )
    parser.add_argument("--statements", action="store_true", help="print each statement of one warm request")
    parser.add_argument(
        "--before", default="", help="with --reuse: another tree whose code takes turns with this one's"
    )
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.reuse)
        return
    if args.before:
        if not args.reuse:
            parser.error("--before measures a kept store: give --reuse")
        print(f"kept store {args.reuse}: {args.rounds} rounds, the two trees taking turns", flush=True)
        compare(args.reuse, Path(args.before), args.rounds)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    limits = [int(n) for n in args.limits.split(",") if n]
    results: dict[int, dict[str, dict[str, float]]] = {}
    for size in sizes:
        with store_env(args.backend, args.reuse, keep=args.keep) as env:
            if args.reuse:
                print(f"kept store {args.reuse}", flush=True)
            else:
                took = env.run(seed(env, size))
                print(
                    f"{args.backend} {size:,} rows: seeded in "
                    + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()),
                    flush=True,
                )
            results[size] = env.run(measure(env, args.rounds, limits))
            for variant, medians in results[size].items():
                print(
                    f"  p50 ms (exact up to {int(variant):,}): "
                    + ", ".join(f"{k} {v:.1f}" for k, v in medians.items()),
                    flush=True,
                )
            if len(results[size]) > 1:
                base, *others = results[size].items()
                for variant, medians in others:
                    print(
                        f"  ratio {int(variant):,} / {int(base[0]):,}: "
                        + ", ".join(f"{k} {medians[k] / base[1][k]:.2f}x" for k in PAGES)
                    )
            if args.statements:
                for variant in results[size]:
                    with count_limit(int(variant)):
                        split = env.run(statement_split(env))
                    print(f"  one warm request, exact up to {int(variant):,}:")
                    for page, rows in split.items():
                        print(f"  {page}:")
                        for statement, ms in rows:
                            print(f"    {ms:7.2f} ms  {statement}")
    if len(sizes) > 1:
        first, last = results[sizes[0]], results[sizes[-1]]
        for variant in first:
            print(
                f"growth {sizes[0]:,} -> {sizes[-1]:,} (exact up to {int(variant):,}): "
                + ", ".join(f"{k} {last[variant][k] / first[variant][k]:.2f}x" for k in PAGES)
            )


if __name__ == "__main__":
    main()
