"""PostgreSQL reader connections kept checked out between requests.

Taking a connection out of SQLAlchemy's pool and giving it back costs more CPU than the keyed
read a GET makes on it (docs/performance.md, "PostgreSQL keyed reads"): an `AsyncConnection`
and a `Connection` built per request, a greenlet round trip to check out and another to close
(in a task of its own), the joined event dispatch, the autocommit switch on checkout and its
reset on return. A reader in autocommit leaves nothing behind on its connection, so the same
`AsyncConnection` can serve the next reader: `Readers` keeps up to `most` of them idle and hands
them out again. SQLAlchemy's transaction of each block is still begun and ended per block (its
`begin` event, `in_transaction()`), as on a fresh checkout: in autocommit that is bookkeeping.

What stays exactly as before:
- they are the shared pool's connections (checked out through the reader engine view, so in
  autocommit): the maximum number of connections per process does not grow, nor does the
  number open at a given load. A writer that finds no connection free in the pool first closes
  an idle kept reader (`make_room`) and takes its connection, instead of opening another or
  waiting, and a reader is not kept while anyone waits for the pool (it goes back to the pool,
  to them), so nobody waits on the pool for a connection a kept reader holds idle. At most
  `most` are kept idle, so the rest of the pool is never held by them.
- anything unusual ends a kept reader the way `async with engine.connect()` ends one: a block
  that raised (a cancelled request included), an invalidated connection (a lost connection is
  503 once and never reused), a transaction SQLAlchemy considers failed, options or `info` set
  on it, or a pool invalidated since its connection was made (after a disconnect SQLAlchemy
  recycles every older connection: kept ones are checked against the same time).
- each statement on an autocommit connection is its own snapshot, as on a fresh checkout.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine


class Readers:
    def __init__(self, view: AsyncEngine, most: int) -> None:
        self._view = view  # the reader view of the engine: autocommit, the shared pool
        self._pool: Any = view.sync_engine.pool
        self._options = view.sync_engine._execution_options
        self._most = most
        self._idle: list[AsyncConnection] = []
        self._closed = False

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        conn = await self._take()
        keep = False
        try:
            yield conn
            keep = self._keepable(conn) and self._end(conn)
        finally:
            if keep:
                self._idle.append(conn)
            else:
                await conn.__aexit__(None, None, None)  # closed as `async with` closes it

    async def _take(self) -> AsyncConnection:
        while self._idle:
            conn = self._idle.pop()
            if self._fresh(conn):
                return conn
            await conn.close()
        return await self._view.connect().start()

    def _fresh(self, conn: AsyncConnection) -> bool:
        sync = conn.sync_connection
        fairy: Any = sync._dbapi_connection if sync is not None else None
        record = fairy._connection_record if fairy is not None else None
        return record is not None and self._pool._invalidate_time <= record.starttime

    def _keepable(self, conn: AsyncConnection) -> bool:
        sync = conn.sync_connection
        if self._closed or sync is None or len(self._idle) >= self._most:
            return False
        if sync.invalidated or sync._dbapi_connection is None or sync._nested_transaction is not None:
            return False
        transaction = sync._transaction
        if transaction is not None and not transaction.is_active:
            return False
        if sync._execution_options is not self._options or conn.info:
            return False
        # Not kept while anyone waits for the pool: closing it hands the connection to them.
        return not self._waited_for()

    def _waited_for(self) -> bool:
        """Whether a checkout is waiting for the pool (SQLAlchemy's `AsyncAdaptedQueue` holds an
        `asyncio.Queue`, whose waiting getters are futures not done yet)."""
        queue = getattr(self._pool._pool, "_queue", None)
        return any(not waiter.done() for waiter in getattr(queue, "_getters", ()))

    @staticmethod
    def _end(conn: AsyncConnection) -> bool:
        """End SQLAlchemy's transaction of the block, as closing the connection ends it, so the
        next block begins its own (its `begin` event included). In autocommit the driver has no
        transaction, so the rollback is bookkeeping: no round trip, nothing to await."""
        sync = conn.sync_connection
        assert sync is not None  # checked by _keepable
        if sync._transaction is None:
            return True
        adapter: Any = sync.connection.dbapi_connection
        if getattr(adapter, "_transaction", None) is not None:
            return False  # a driver transaction: close it the usual way
        sync.rollback()
        return True

    async def make_room(self) -> None:
        """Before a writer's checkout of the shared pool: when the pool has no connection free,
        close one idle kept reader, so that the checkout neither waits for a connection nobody
        uses (the pool exhausted) nor opens another while one sits idle here (kept readers would
        otherwise add up to `most` connections to what the concurrent requests need)."""
        if self._idle and self._pool.checkedin() == 0:
            await self._idle.pop().close()

    async def close(self) -> None:
        self._closed = True
        while self._idle:
            await self._idle.pop().close()
