"""aiosqlite with one hand-off to the driver thread per statement instead of four.

aiosqlite runs every call on the connection's thread: SQLAlchemy's adapter makes four of them
per statement (cursor, execute, fetchall, close), each a queue put, a thread wake-up and a
callback into the event loop, about 0.3 ms together on this machine whatever the statement
does (docs/performance.md). `OneHopConnection.cursor()` hands out a cursor whose `execute`
creates the sqlite3 cursor, runs the statement, fetches every row and closes the cursor in one
call on the same thread; the other calls answer from what it kept; a rollback or commit outside
a transaction (an autocommit reader given back) makes none. Same thread, same sqlite3
connection, same statements: only the number of hand-offs changes.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from functools import partial
from typing import Any

import aiosqlite

_Result = tuple[Any, int, int | None, list[Any]]


def _run(conn: sqlite3.Connection, sql: str, parameters: Any, many: bool) -> _Result:
    cursor = conn.cursor()
    try:
        if many:
            cursor.executemany(sql, parameters)
        elif parameters is None:
            cursor.execute(sql)
        else:
            cursor.execute(sql, parameters)
        rows = cursor.fetchall() if cursor.description else []
        return cursor.description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


class OneHopCursor:
    """The cursor SQLAlchemy's aiosqlite adapter sees: results are read whole at execute."""

    arraysize = 1

    def __init__(self, connection: OneHopConnection) -> None:
        self._connection = connection
        self.description: Any = None
        self.rowcount = -1
        self.lastrowid: int | None = None
        self._rows: list[Any] = []

    async def __aenter__(self) -> OneHopCursor:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        return None

    async def _call(self, sql: str, parameters: Any, many: bool) -> OneHopCursor:
        conn = self._connection._conn
        self.description, self.rowcount, self.lastrowid, self._rows = await self._connection._execute(
            _run, conn, sql, parameters, many
        )
        return self

    async def execute(self, sql: str, parameters: Any = None) -> OneHopCursor:
        return await self._call(sql, parameters, False)

    async def executemany(self, sql: str, parameters: Iterable[Any]) -> OneHopCursor:
        return await self._call(sql, parameters, True)

    async def fetchall(self) -> list[Any]:
        rows, self._rows = self._rows, []
        return rows

    async def fetchone(self) -> Any:
        return self._rows.pop(0) if self._rows else None

    async def fetchmany(self, size: int | None = None) -> Sequence[Any]:
        n = self.arraysize if size is None else size
        rows, self._rows = self._rows[:n], self._rows[n:]
        return rows

    async def close(self) -> None:
        return None


class OneHopConnection(aiosqlite.Connection):
    def cursor(self) -> OneHopCursor:  # type: ignore[override]
        return OneHopCursor(self)

    # SQLAlchemy ends every connection's use with a rollback (and a write with a commit). Outside
    # a transaction (readers are autocommit, app.store.db.Database.reader) sqlite3 does nothing
    # for either, so there is nothing to hand to the driver's thread. `in_transaction` is read
    # while no call is running on the connection (SQLAlchemy awaits each one).
    async def rollback(self) -> None:
        if self._conn.in_transaction:
            await super().rollback()

    async def commit(self) -> None:
        if self._conn.in_transaction:
            await super().commit()


async def run(connection: aiosqlite.Connection, sql: str, parameters: Any, many: bool = False) -> _Result:
    """One statement on the driver thread of `connection`, in one hand-off (`app.store.prepared`)."""
    return await connection._execute(_run, connection._conn, sql, parameters, many)


def run_here(connection: aiosqlite.Connection, sql: str, parameters: Any) -> _Result:
    """One statement on the calling thread (the event loop's): no hand-off at all. For keyed
    reads of autocommit readers only (`app.store.prepared.Prepared.keyed`): in WAL mode a reader
    never waits for a writer, and a read by a unique key takes microseconds, less than the
    hand-off. The driver thread is idle meanwhile: the connection's holder awaits each statement,
    so nothing else is queued on it (and sqlite3 serializes calls on one connection anyway)."""
    return _run(connection._conn, sql, parameters, False)


def connector(path: str) -> Any:
    """`async_creator` for SQLAlchemy: a connection to the SQLite file at `path`, opened as
    SQLAlchemy's aiosqlite dialect opens it (usable from the driver's thread only, which is the
    only one that touches it)."""

    async def create() -> OneHopConnection:
        connect = partial(sqlite3.connect, path, check_same_thread=False, uri=path.startswith("file:"))
        connection = OneHopConnection(connect, 64)
        connection._thread.daemon = True  # as SQLAlchemy's dialect does: never hold up exit
        await connection
        return connection

    return create
