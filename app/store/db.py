"""Engine and transactions. SQLite runs in WAL mode with one writer at a time; PostgreSQL
through asyncpg. Both get the same JSON codec, so money stays Decimal end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from decimal import Decimal
from typing import Any

import msgspec
from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util import await_

from app.store import sqlite_driver
from app.store.health import HEALTH
from app.store.invalidation import HUBS, PENDING, Change, Changes
from app.store.readers import Readers

CONNECT_TIMEOUT_SECONDS = 5
# Connections per process and database (PostgreSQL's default max_connections is 100: mind
# `serve --workers N` and `ordercore worker` processes).
POOL_SIZE = 30
# Execution option of SQLite reader connections: `_on_begin` sends no BEGIN for them.
READ_ONLY = "ordercore_reader"
_json_encoder = msgspec.json.Encoder(decimal_format="number")
_json_decoder = msgspec.json.Decoder(float_hook=Decimal)


def _dumps(value: Any) -> str:
    return _json_encoder.encode(value).decode()


def _loads(value: str | bytes) -> Any:
    return _json_decoder.decode(value)


def normalize_url(url: str) -> str:
    """Accept the plain driver names people type and pick the async drivers we ship."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    if url.startswith(("postgresql://", "postgres://")):
        return "postgresql+asyncpg://" + url.split("://", 1)[1]
    return url


class Database:
    def __init__(
        self, url: str, *, echo: bool = False, schema: str | None = None, caches: bool = True
    ) -> None:
        self.url = normalize_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        kwargs: dict[str, Any] = {
            "json_serializer": _dumps,
            "json_deserializer": _loads,
            "echo": echo,
            # Statement parameters carry documents (addresses, password hashes): never in an
            # exception's text, so never in a log line, whatever fails.
            "hide_parameters": True,
        }
        if self.is_sqlite:
            path = make_url(self.url).database or ""
            if path and path != ":memory:" and not path.startswith("file::memory:"):
                # One hand-off to the driver thread per statement (app.store.sqlite_driver).
                kwargs["async_creator"] = sqlite_driver.connector(path)
                # As for PostgreSQL below: every connection kept (each is a thread), so
                # concurrent requests do not open and close one each.
                kwargs.update(pool_size=POOL_SIZE, max_overflow=0)
        else:
            # At most POOL_SIZE, all kept: connections above `pool_size` are closed when given
            # back, and at 32 concurrent requests a pool of 10 (+20 overflow) opened and closed a
            # connection (TLS attempt, startup, statement preparation) for most requests
            # (docs/performance.md, "GET one order"). The maximum is unchanged (was 10 + 20).
            # pool_timeout / connect timeout: while the server is unreachable a request waits at
            # most this long before it is answered 503 (app.errors), instead of asyncpg's 60 s.
            kwargs.update(pool_size=POOL_SIZE, max_overflow=0, pool_pre_ping=False, pool_timeout=10)
            # No JIT: list pages that stop after 20 rows carry the cost estimate of a walk of the
            # whole index, above `jit_above_cost`, and PostgreSQL then spends ~1 s compiling a
            # query that runs in under 1 ms (docs/performance.md, "Large lists").
            # Custom plans for every execution on readers: asyncpg prepares statements, and
            # after five runs PostgreSQL may switch to a generic plan that cannot see the kind or
            # the buyer and walks the wrong index (a storefront page went from 1 ms to seconds).
            # Writers plan as PostgreSQL chooses (`_plan_modes`).
            server_settings = {"jit": "off", "plan_cache_mode": READER_PLANS}
            if schema:
                # A PostgreSQL schema of its own (tests use one per run to stay isolated).
                server_settings["search_path"] = schema
            connect_args: dict[str, Any] = {
                "timeout": CONNECT_TIMEOUT_SECONDS,
                "server_settings": server_settings,
            }
            kwargs["connect_args"] = connect_args
        self.engine: AsyncEngine = create_async_engine(self.url, **kwargs)
        _watch_health(self.engine)
        if not self.is_sqlite:
            _plan_modes(self.engine)
        # Per-process caches of users, companies and webhook configuration (app.store.invalidation).
        self.changes = Changes(self.url, schema, postgres=not self.is_sqlite, enabled=caches)
        HUBS[self.engine.sync_engine] = self.changes
        # Readers check out of the same pool through a view of the engine that carries their
        # options: autocommit on PostgreSQL (set by the dialect inside the checkout itself),
        # the "send no BEGIN" flag on SQLite. Setting them per checkout with
        # `conn.execution_options(...)` cost one more greenlet round trip per request
        # (docs/performance.md, "GET one order, third pass").
        reader_options = {READ_ONLY: True} if self.is_sqlite else {"isolation_level": "AUTOCOMMIT"}
        self._reader_engine = self.engine.execution_options(**reader_options)
        HUBS[self._reader_engine.sync_engine] = self.changes
        # PostgreSQL readers stay checked out between requests, at most half the pool idle
        # (app.store.readers); SQLite's are a thread each, and its keyed reads need no checkout
        # of their own anyway.
        self._readers = None if self.is_sqlite else Readers(self._reader_engine, POOL_SIZE // 2)
        # SQLite has one writer; queueing writers here avoids spinning on SQLITE_BUSY in-process.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None
        if self.is_sqlite:
            _configure_sqlite(self.engine)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        """A read-write transaction: committed when the block ends, rolled back on error. The
        cache changes it noted are sent with it (PostgreSQL) and applied here once it committed."""
        pending: list[Change] = []
        acks = None
        if self._write_lock is None:
            if self._readers is not None:
                await self._readers.make_room()
            try:
                async with self.engine.begin() as conn:
                    conn.info[PENDING] = pending
                    try:
                        yield conn
                        if pending:
                            acks = await self.changes.send(conn, pending)
                    finally:
                        conn.info.pop(PENDING, None)
            except BaseException:
                self.changes.forget(acks)
                raise
            if pending:
                await self.changes.committed(pending, acks)
            return
        async with self._write_lock, self.engine.connect() as conn:
            await conn.execution_options(sqlite_immediate=True)
            conn.info[PENDING] = pending
            try:
                async with conn.begin():
                    yield conn
            finally:
                conn.info.pop(PENDING, None)
            if pending:
                await self.changes.committed(pending, None)

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        """A connection for reads, in autocommit: no BEGIN and ROLLBACK around them (two of a
        keyed GET's three round trips on PostgreSQL, a BEGIN through the driver thread on
        SQLite). Each statement then reads its own snapshot, which is what PostgreSQL's READ
        COMMITTED transactions gave already, so no read relied on more."""
        if self._readers is not None:
            async with self._readers.reader() as conn:
                yield conn
            return
        # On SQLite the driver is already in autocommit (`_on_connect`); only our BEGIN is skipped.
        async with self._reader_engine.connect() as conn:
            yield conn

    async def dispose(self) -> None:
        await self.changes.close()
        if self._readers is not None:
            await self._readers.close()
        await self.engine.dispose()


def _watch_health(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "after_cursor_execute")
    def _succeeded(*_args: Any) -> None:
        # A statement went through: if the database was marked unreachable, it is back.
        if not HEALTH.up:
            HEALTH.mark_up()


READER_PLANS = "force_custom_plan"
WRITER_PLANS = "auto"
_PLANS = "ordercore_plan_cache_mode"  # what the connection's session has now (its record's info)


def _plan_modes(engine: AsyncEngine) -> None:
    """Writers' transactions plan their prepared statements as PostgreSQL chooses (`auto`: a
    generic plan, made once per connection, when it costs no more than a custom one); readers
    keep a custom plan per execution (see `server_settings`). Checkout's statements are keyed
    reads and writes whose every custom plan is the same, yet planning them against the ~50
    indexes of `resources` cost PostgreSQL more CPU than running them: the add-line offer
    planned for 6.7 ms and ran in 1.5 ms, and per checkout PostgreSQL spent 38 ms of CPU with
    custom plans against 21 ms with `auto` (docs/performance.md, "Plans for writers").
    The session setting is changed only when a connection changes role, with the driver itself
    (no statement of ours, no round trip for the usual checkout); kept readers never do."""

    @event.listens_for(engine.sync_engine, "engine_connect")
    def _role(conn: Connection) -> None:
        reader = conn._execution_options.get("isolation_level") == "AUTOCOMMIT"
        wanted = READER_PLANS if reader else WRITER_PLANS
        fairy: Any = conn.connection
        if fairy.info.get(_PLANS, READER_PLANS) != wanted:
            try:
                await_(fairy.driver_connection.execute(f"SET plan_cache_mode = {wanted}"))
            except Exception as error:
                # Lost (or refused) at the switch: never hand this session out again. The
                # error is asyncpg's own, which app.store.health reads as unavailable: a 503.
                fairy.invalidate(error)
                raise
            # The reader's mode is the connection's default and leaves `info` empty: a reader
            # with anything in `info` is not kept (app.store.readers).
            if reader:
                fairy.info.pop(_PLANS)
            else:
                fairy.info[_PLANS] = wanted


def _configure_sqlite(engine: AsyncEngine) -> None:
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Take over transaction control from the driver so BEGIN IMMEDIATE can be issued.
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _on_begin(conn: Connection) -> None:
        # Writers lock the file up front: a deferred transaction upgraded later can deadlock.
        options = conn.get_execution_options()
        if options.get(READ_ONLY):
            return
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("sqlite_immediate") else "BEGIN")
