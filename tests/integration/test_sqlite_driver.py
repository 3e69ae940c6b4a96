"""`app.store.sqlite_driver`: SQLite statements make one hand-off to the driver thread, and
answer what aiosqlite answered (rows, counts, new row IDs, errors)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app.store.db import Database
from app.store.sqlite_driver import OneHopConnection


async def test_statements_answer_as_through_aiosqlite(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'one-hop.db'}")
    try:
        async with db.transaction() as conn:
            raw = await conn.get_raw_connection()
            assert isinstance(raw.driver_connection, OneHopConnection)
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE)"))
            inserted = await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
            assert inserted.lastrowid == 1 and inserted.rowcount == 1
            many = await conn.execute(text("INSERT INTO t (name) VALUES (:n)"), [{"n": "b"}, {"n": "c"}])
            assert many.rowcount == 2
        async with db.reader() as conn:
            rows = (await conn.execute(text("SELECT id, name FROM t ORDER BY id"))).all()
            assert [tuple(r) for r in rows] == [(1, "a"), (2, "b"), (3, "c")]
            assert (await conn.execute(text("SELECT name FROM t WHERE id = 9"))).first() is None
            result = await conn.execute(text("SELECT name FROM t ORDER BY id"))
            assert result.fetchmany(2) == [("a",), ("b",)] and result.fetchall() == [("c",)]
        with pytest.raises(IntegrityError):
            async with db.transaction() as conn:
                await conn.execute(text("INSERT INTO t (name) VALUES ('z')"))
                await conn.execute(text("INSERT INTO t (name) VALUES ('a')"))
        async with db.reader() as conn:  # the failed transaction left nothing
            count = (await conn.execute(text("SELECT count(*) FROM t"))).scalar_one()
            assert count == 3
    finally:
        await db.dispose()
