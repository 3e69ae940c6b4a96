"""The hot `Docs` statements below SQLAlchemy (`app.store.prepared`) against the same prebuilt
statements executed through `AsyncConnection.execute` (how `Docs` ran them before), in one
process, rounds interleaved, medians.

    python -m benchmarks.store_ops                                   # SQLite file
    python -m benchmarks.store_ops --db postgresql://postgres@127.0.0.1:5432/test

Operations: a keyed read of a 10-line order's document on an autocommit reader (`Docs.get`), the
same read with a reader taken and given back per read (a GET's whole use of storage: checked out
of SQLAlchemy's pool and closed, against `Database.reader`, which keeps PostgreSQL readers), and
a document written back with its version check inside a write transaction (`Docs.replace`, 20
per transaction). Per operation: wall time and process CPU time (the SQLite driver thread
included; PostgreSQL's own processes not). One connection, one request at a time: what a single
request pays, not throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import secrets
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from decimal import Decimal
from pathlib import Path

from app.migrate import migrate
from app.store import repo
from app.store.db import Database, normalize_url
from app.store.repo import Docs, Stored
from benchmarks.load_checkout import pg_execute

Op = Callable[[Database, int], Awaitable[None]]
ORDER = {
    "ID": "o1",
    "Status": "Open",
    "Total": Decimal("123.45"),
    "xp": {"Note": "bench"},
    "Lines": [
        {"ID": f"l{n}", "ProductID": f"p{n}", "Quantity": n, "Price": Decimal("9.99")} for n in range(10)
    ],
}
KEY = {"kind": "order", "scope": "", "id": "o1"}
STATEMENT = ("through SQLAlchemy", "prepared")


async def read_sqlalchemy(db: Database, n: int) -> None:
    async with db.reader() as conn:
        for _ in range(n):
            row = (await conn.execute(repo._GET.stmt, KEY)).first()
            assert row is not None
            Stored(row.doc, row.version, row.scope)


async def read_prepared(db: Database, n: int) -> None:
    async with db.reader() as conn:
        docs = Docs(conn)
        for _ in range(n):
            assert await docs.get("order", "o1") is not None


async def checkout_read_sqlalchemy(db: Database, n: int) -> None:
    """A reader per read, checked out of SQLAlchemy's pool and closed (how `Database.reader`
    served every request before `app.store.readers`), the read itself prepared."""
    for _ in range(n):
        async with db._reader_engine.connect() as conn:
            assert await Docs(conn).get("order", "o1") is not None


async def checkout_read_kept(db: Database, n: int) -> None:
    """A reader per read through `Database.reader` (PostgreSQL: a kept reader)."""
    for _ in range(n):
        async with db.reader() as conn:
            assert await Docs(conn).get("order", "o1") is not None


async def replace_sqlalchemy(db: Database, n: int) -> None:
    for _ in range(n // 20):
        async with db.transaction() as conn:
            found = await Docs(conn).get("order", "o1")
            assert found is not None
            version = found.version
            for _ in range(20):
                params = {
                    "w_kind": "order",
                    "w_scope": "",
                    "w_id": "o1",
                    "b_doc": ORDER,
                    "w_version": version,
                }
                assert (await conn.execute(repo._REPLACE_VERSION.stmt, params)).rowcount == 1
                version += 1


async def replace_prepared(db: Database, n: int) -> None:
    for _ in range(n // 20):
        async with db.transaction() as conn:
            docs = Docs(conn)
            found = await docs.get("order", "o1")
            assert found is not None
            version = found.version
            for _ in range(20):
                await docs.replace("order", "o1", ORDER, version=version)
                version += 1


async def timed(op: Op, db: Database, n: int) -> tuple[float, float]:
    """(wall, CPU) microseconds per operation."""
    wall, cpu = time.perf_counter(), time.process_time()
    await op(db, n)
    return (time.perf_counter() - wall) / n * 1e6, (time.process_time() - cpu) / n * 1e6


async def measure(db: Database, rounds: int, n: int) -> None:
    async with db.transaction() as conn:
        await Docs(conn).insert("order", ORDER)
    # (before, after, their names in the report)
    pairs: dict[str, tuple[Op, Op, tuple[str, str]]] = {
        "keyed read": (read_sqlalchemy, read_prepared, STATEMENT),
        "reader+read": (checkout_read_sqlalchemy, checkout_read_kept, ("pool checkout", "Database.reader")),
        "replace": (replace_sqlalchemy, replace_prepared, STATEMENT),
    }
    for name, (before, after, (was, now)) in pairs.items():
        await timed(before, db, n)  # warm: connections, statement caches
        await timed(after, db, n)
        got: dict[str, list[tuple[float, float]]] = {"before": [], "after": []}
        for _ in range(rounds):
            got["before"].append(await timed(before, db, n))
            got["after"].append(await timed(after, db, n))
        wall = {k: statistics.median(w for w, _ in v) for k, v in got.items()}
        cpu = {k: statistics.median(c for _, c in v) for k, v in got.items()}
        print(
            f"  {name:<11} {was} {wall['before']:7.1f} us (CPU {cpu['before']:6.1f}), "
            f"{now} {wall['after']:7.1f} us (CPU {cpu['after']:6.1f}); "
            f"ratio {wall['after'] / wall['before']:.2f}x wall, {cpu['after'] / cpu['before']:.2f}x CPU"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", help="postgresql://... (default: a SQLite file)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--ops", type=int, default=2000, help="operations per round and side")
    args = parser.parse_args()
    schema = None
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'ops.db'}"
        if args.db:
            schema = f"bench_ops_{secrets.token_hex(4)}"
            asyncio.run(pg_execute(args.db, f"CREATE SCHEMA {schema}"))
        try:
            migrate(normalize_url(url), schema)
            where = "PostgreSQL" if args.db else "SQLite"
            print(f"Docs operations, {where}, {args.rounds} interleaved rounds of {args.ops}:")
            asyncio.run(_run(url, schema, args.rounds, args.ops))
        finally:
            if schema:
                asyncio.run(pg_execute(args.db, f"DROP SCHEMA {schema} CASCADE"))


async def _run(url: str, schema: str | None, rounds: int, n: int) -> None:
    db = Database(url, schema=schema, caches=False)
    try:
        await measure(db, rounds, n)
    finally:
        await db.dispose()


if __name__ == "__main__":
    main()
