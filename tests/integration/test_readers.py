"""`app.store.readers`: PostgreSQL readers stay checked out between requests, and nothing else
can tell: each block begins its own SQLAlchemy transaction, a block that failed or a connection
that was invalidated is not kept, and writers never wait on the pool for a reader kept idle."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlalchemy import event, text

from app.state import Services
from app.store import db as db_module
from app.store.db import Database
from app.store.repo import Docs
from tests.conftest import PG_URL

POOL = 4  # a small pool: the tests share the PostgreSQL server with other suites


@pytest.fixture
async def db(
    services: Services, backend_name: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Database]:
    if backend_name != "postgres":
        pytest.skip("SQLite readers are not kept (a thread each; their keyed reads need no checkout)")
    monkeypatch.setattr(db_module, "POOL_SIZE", POOL)
    own = Database(PG_URL, schema=services.settings.database_schema or None, caches=False)
    try:
        yield own
    finally:
        await own.dispose()


async def driver_of(db: Database) -> Any:
    async with db.reader() as conn:
        return (await conn.get_raw_connection()).driver_connection


async def test_a_reader_is_kept_and_each_block_begins_its_own_transaction(db: Database) -> None:
    begins: list[object] = []

    def on_begin(conn: Any) -> None:
        begins.append(conn)

    event.listen(db.engine.sync_engine, "begin", on_begin)
    try:
        seen = []
        for _ in range(3):
            async with db.reader() as conn:
                assert await Docs(conn).get("order", "none") is None
                seen.append(conn)
                raw = (await conn.get_raw_connection()).driver_connection
                assert conn.in_transaction() and not raw.is_in_transaction()  # autocommit
            assert not conn.in_transaction()  # ended as closing it would end it
    finally:
        event.remove(db.engine.sync_engine, "begin", on_begin)
    assert seen[0] is seen[1] is seen[2]
    assert len(begins) == 3


async def test_a_block_that_failed_gives_its_connection_back_to_the_pool(db: Database) -> None:
    async with db.reader() as first:
        await first.execute(text("SELECT 1"))
    with pytest.raises(ZeroDivisionError):
        async with db.reader() as conn:
            assert conn is first
            1 / 0  # noqa: B018
    assert first.closed
    async with db.reader() as conn:
        assert conn is not first
        assert (await conn.execute(text("SELECT 1"))).scalar() == 1


async def test_a_reader_given_options_is_not_kept(db: Database) -> None:
    async with db.reader() as first:
        await first.execution_options(postgresql_readonly=True)
    async with db.reader() as second:
        assert second is not first
        assert second.sync_connection is not None
        assert "postgresql_readonly" not in second.sync_connection.get_execution_options()


async def test_a_failed_statement_leaves_a_reader_that_still_reads(db: Database) -> None:
    """In autocommit a failed statement leaves no transaction to roll back: the next block reads."""
    async with db.reader() as conn:
        with pytest.raises(Exception, match="division by zero"):
            await conn.execute(text("SELECT 1 / 0"))
    async with db.reader() as conn:
        assert (await conn.execute(text("SELECT 1"))).scalar() == 1


async def hold(db: Database, n: int, *, write: bool) -> tuple[list[asyncio.Task[None]], asyncio.Event]:
    """`n` readers or write transactions open at once, each having run a statement; they end
    when the returned event is set."""
    release, opened = asyncio.Event(), asyncio.Event()
    count = 0

    async def one() -> None:
        nonlocal count
        async with db.transaction() if write else db.reader() as conn:
            await conn.execute(text("SELECT 1"))
            count += 1
            if count == n:
                opened.set()
            await release.wait()

    tasks = [asyncio.create_task(one()) for _ in range(n)]
    async with asyncio.timeout(10):
        await opened.wait()
    return tasks, release


async def a_write(db: Database) -> None:
    async with asyncio.timeout(3):  # the pool's own timeout is 10 s
        async with db.transaction() as conn:
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1


async def test_a_writer_does_not_wait_for_readers_kept_idle(db: Database) -> None:
    """Readers kept idle hold pool connections: a writer that finds the pool exhausted closes one
    instead of waiting for the pool timeout (10 s, then 503)."""
    readers, release = await hold(db, POOL, write=False)
    release.set()
    await asyncio.gather(*readers)
    kept = len(db._readers._idle) if db._readers is not None else 0
    assert kept == POOL // 2
    writers, release = await hold(db, POOL - kept, write=True)  # the rest of the pool
    try:
        await a_write(db)
    finally:
        release.set()
        await asyncio.gather(*writers)


async def test_kept_readers_add_no_connections_for_writers(db: Database) -> None:
    """A writer that finds no connection free in the pool takes an idle kept reader's instead of
    opening another: reads, then as many writes, use as many connections as before readers were
    kept (the count PostgreSQL's `max_connections` is shared out by; the whole suite runs against
    one server)."""
    opened: list[object] = []

    def on_connect(*_args: Any) -> None:
        opened.append(None)

    event.listen(db.engine.sync_engine.pool, "connect", on_connect)
    try:
        readers, release = await hold(db, POOL // 2, write=False)
        release.set()
        await asyncio.gather(*readers)
        assert db._readers is not None and len(db._readers._idle) == POOL // 2
        writers, release = await hold(db, POOL // 2, write=True)
        release.set()
        await asyncio.gather(*writers)
        async with db.reader() as conn:  # a reader after them still reads
            assert (await conn.execute(text("SELECT 1"))).scalar() == 1
    finally:
        event.remove(db.engine.sync_engine.pool, "connect", on_connect)
    assert len(opened) == POOL // 2


async def test_a_reader_is_not_kept_while_a_writer_waits_for_the_pool(db: Database) -> None:
    readers, end_readers = await hold(db, POOL // 2, write=False)
    writers, end_writers = await hold(db, POOL - POOL // 2, write=True)
    try:
        waiting = asyncio.create_task(a_write(db))
        await asyncio.sleep(0.1)  # the writer waits for the pool
        end_readers.set()  # kept, they would hold the pool until the writers end
        await asyncio.gather(*readers)
        await waiting
    finally:
        end_readers.set()
        end_writers.set()
        await asyncio.gather(*writers)


async def plan_mode(conn: Any) -> str:
    return str((await conn.execute(text("SHOW plan_cache_mode"))).scalar_one())


async def test_writers_plan_as_postgresql_chooses_and_readers_plan_each_execution(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writers' prepared statements may take PostgreSQL's generic plan (planning checkout's
    statements cost more than running them); readers keep a custom plan per execution, whichever
    role the pooled connection served before, and a reader whose connection was a writer's is
    still kept."""
    monkeypatch.setattr(db._readers, "_most", 0)  # no reader kept: each block checks out anew
    async with db.transaction() as conn:
        assert await plan_mode(conn) == "auto"
        writer = (await conn.get_raw_connection()).driver_connection
    async with db.reader() as conn:
        assert (await conn.get_raw_connection()).driver_connection is writer  # the same session
        assert await plan_mode(conn) == "force_custom_plan"
        assert not conn.info  # nothing that would keep it from being kept
    async with db.transaction() as conn:
        assert await plan_mode(conn) == "auto"
    monkeypatch.setattr(db._readers, "_most", POOL // 2)
    async with db.reader() as first:
        assert await plan_mode(first) == "force_custom_plan"
    async with db.reader() as again:
        assert again is first  # kept
