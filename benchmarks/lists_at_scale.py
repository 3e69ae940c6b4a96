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
`--reuse STORE --before TREE` measures another tree's code on the same kept store in the same rounds:
that tree's copy of this script runs in a process of its own (`--serve-turns`) and the two take
turns request by request, so both see the same load; it prints each side's p50 and CPU per request
and their ratios (the other tree needs this script: copy it there).

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


async def measure(
    env: AppEnv, rounds: int, limits: Sequence[int] = (), cpu: dict[str, dict[str, float]] | None = None
) -> dict[str, dict[str, float]]:
    """Median milliseconds per page, per exact-count limit (`limits`; the code's own
    `EXACT_COUNT_LIMIT` when empty), the limits taking turns request by request so that each is
    measured under the same load. `cpu`, when given, gets the median CPU milliseconds of this
    process per request (the app, the in-process client and SQLite's driver thread; not the
    PostgreSQL server's): less disturbed than wall time by other processes on the machine."""
    tokens = await _tokens(env)
    variants = [str(n) for n in limits] or [str(repo.EXACT_COUNT_LIMIT)]
    out: dict[str, dict[str, float]] = {v: {} for v in variants}
    for name, path in PAGES.items():
        times: dict[str, list[float]] = {v: [] for v in variants}
        cpus: dict[str, list[float]] = {v: [] for v in variants}
        for _ in range(3):  # warm-up: connections, statement caches, the OS page cache
            for variant in variants:
                with count_limit(int(variant)):
                    await env.call("GET", path, token=tokens[name])
        for _ in range(rounds):
            for variant in variants:
                with count_limit(int(variant)):
                    began, began_cpu = time.perf_counter(), time.process_time()
                    response = await env.call("GET", path, token=tokens[name])
                    times[variant].append((time.perf_counter() - began) * 1000)
                    cpus[variant].append((time.process_time() - began_cpu) * 1000)
                assert len(response.json()["Items"]) == 20, (name, response.text[:300])
        for variant in variants:
            out[variant][name] = statistics.median(times[variant])
            if cpu is not None:
                cpu.setdefault(variant, {})[name] = statistics.median(cpus[variant])
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


def _timed_call(env: AppEnv, name: str, token: str) -> tuple[float, float]:
    """One request of page `name`: (wall ms, this process's CPU ms)."""
    began, began_cpu = time.perf_counter(), time.process_time()
    response = env.run(env.call("GET", PAGES[name], token=token))
    wall, cpu = (time.perf_counter() - began) * 1000, (time.process_time() - began_cpu) * 1000
    assert len(response.json()["Items"]) == 20, (name, response.text[:300])
    return wall, cpu


def serve_turns(env: AppEnv) -> None:
    """`--serve-turns`: one request per page name read from stdin, answering "wall cpu" (ms)."""
    tokens = env.run(_tokens(env))
    print("ready", flush=True)
    for line in sys.stdin:
        wall, cpu = _timed_call(env, line.strip(), tokens[line.strip()])
        print(f"{wall} {cpu}", flush=True)


def compare(env: AppEnv, store: str, before: str, rounds: int) -> None:
    """This tree's code and `before`'s on the same store, taking turns request by request."""
    other = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.lists_at_scale", "--reuse", store, "--serve-turns"],
        cwd=before,
        env={**os.environ, "PYTHONPATH": before},
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert other.stdin is not None and other.stdout is not None
    while (line := other.stdout.readline().strip()) != "ready":
        if not line and other.poll() is not None:
            raise SystemExit(f"the --before process ended ({other.returncode}) before its first request")
    tokens = env.run(_tokens(env))

    def theirs(name: str) -> tuple[float, float]:
        assert other.stdin is not None and other.stdout is not None
        other.stdin.write(name + "\n")
        other.stdin.flush()
        answer = other.stdout.readline().split()
        if not answer:
            raise SystemExit(f"the --before process ended ({other.wait()})")
        wall, cpu = answer
        return float(wall), float(cpu)

    try:
        for name in PAGES:
            for _ in range(3):  # warm-up
                _timed_call(env, name, tokens[name])
                theirs(name)
            mine: list[tuple[float, float]] = []
            base: list[tuple[float, float]] = []
            for n in range(rounds):  # who goes first alternates
                if n % 2:
                    base.append(theirs(name))
                    mine.append(_timed_call(env, name, tokens[name]))
                else:
                    mine.append(_timed_call(env, name, tokens[name]))
                    base.append(theirs(name))
            (wall, cpu), (bwall, bcpu) = (
                [statistics.median(x[i] for x in side) for i in (0, 1)] for side in (mine, base)
            )
            print(
                f"  {name}: p50 {wall:.1f} ms (before {bwall:.1f}: {wall / bwall:.2f}x), "
                f"CPU {cpu:.2f} ms (before {bcpu:.2f}: {cpu / bcpu:.2f}x)",
                flush=True,
            )
    finally:
        other.stdin.close()
        other.wait()


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
        "--before", default="", help="another tree measured in the same rounds (with --reuse)"
    )
    parser.add_argument("--serve-turns", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_turns or args.before:
        with store_env(args.backend, args.reuse) as env:
            if args.serve_turns:
                serve_turns(env)
            else:
                print(f"kept store {args.reuse}, this tree against {args.before}", flush=True)
                compare(env, args.reuse, args.before, args.rounds)
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
            cpu: dict[str, dict[str, float]] = {}
            results[size] = env.run(measure(env, args.rounds, limits, cpu))
            for variant, medians in results[size].items():
                print(
                    f"  p50 ms (exact up to {int(variant):,}): "
                    + ", ".join(f"{k} {v:.1f}" for k, v in medians.items()),
                    flush=True,
                )
                print(
                    "  this process's CPU ms per request, median: "
                    + ", ".join(f"{k} {v:.2f}" for k, v in cpu[variant].items()),
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
