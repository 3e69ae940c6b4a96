"""`app.store.prepared`: the hot statements of `Docs` run below SQLAlchemy's execution path and
are indistinguishable from SQLAlchemy running them: the same statement text and driver
parameters seen by the engine's listeners, the same rows (money as Decimal), the same counts,
the same exceptions, the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import bindparam, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from app.state import Services
from app.store import repo
from app.store.db import Database
from app.store.health import is_unavailable
from app.store.prepared import Prepared
from app.store.repo import Docs, StaleWrite
from tests.conftest import PG_URL
from tests.integration.tcp_proxy import TcpProxy

DOC = {"ID": "o1", "Total": Decimal("12.30"), "Lines": [{"Price": Decimal("0.10")}], "Note": None}


@contextmanager
def sent(db: Database) -> Iterator[list[tuple[str, Any, bool, bool]]]:
    """(statement, parameters, executemany, below SQLAlchemy) of every statement the engine's
    listeners see; statements run below SQLAlchemy come without a cursor."""
    seen: list[tuple[str, Any, bool, bool]] = []

    def on_execute(_conn: Any, cursor: Any, statement: str, params: Any, _ctx: Any, many: bool) -> None:
        seen.append((statement, params, many, cursor is None))

    engine = db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", on_execute)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", on_execute)


async def through_both(
    db: Database, conn: AsyncConnection, prepared: Prepared, params: dict[str, Any], **ours_differ: Any
) -> tuple[Any, Any]:
    """`prepared` run by SQLAlchemy, then below it (with `ours_differ` in its parameters): (rows
    or count) of each; the engine's listeners saw the same statement and parameters for both.
    Writes answer their count (an INSERT's RETURNING of its new key is not read)."""
    ours_params = {**params, **ours_differ}
    reads = prepared.stmt.is_select  # type: ignore[attr-defined]
    with sent(db) as seen:
        result = await conn.execute(prepared.stmt, params)
        theirs: Any = [tuple(r) for r in result] if reads else result.rowcount
        if reads:
            ours: Any = await prepared.rows(conn, ours_params)
        else:
            ours = await prepared.rowcount(conn, ours_params)
    (sql_a, params_a, many_a, raw_a), (sql_b, params_b, many_b, raw_b) = seen
    if ours_differ:  # the values differ, not the form
        assert len(params_a) == len(params_b) and type(params_a) is type(params_b)
        params_a = params_b
    assert (sql_a, params_a, many_a, raw_a) == (sql_b, params_b, many_b, False) and raw_b
    return theirs, ours


async def test_each_statement_is_sent_and_answered_as_by_sqlalchemy(services: Services) -> None:
    db = services.db
    key = {"kind": "order", "scope": "", "id": "o1"}
    async with db.transaction() as conn:
        await Docs(conn).insert("order", DOC)
        await Docs(conn).insert("lineitem", {"ID": "l1", "Price": Decimal("1.5")}, "o1")
        for prepared in (repo._GET, repo._EXISTS):
            theirs, ours = await through_both(db, conn, prepared, key)
            assert ours == theirs and len(ours) == 1
        if not db.is_sqlite:
            assert await through_both(db, conn, repo._GET_LOCKED, key) == ([(DOC, 1, "")], [(DOC, 1, "")])
        lines = {"kind": "lineitem", "scope": "o1"}
        theirs, ours = await through_both(db, conn, repo._ALL_IN_SCOPE, lines)
        assert ours == theirs == [({"ID": "l1", "Price": Decimal("1.5")},)]
        written = {"w_kind": "order", "w_scope": "", "w_id": "o1", "b_doc": DOC}
        assert await through_both(db, conn, repo._REPLACE, written) == (1, 1)
        assert await through_both(
            db, conn, repo._REPLACE_VERSION, {**written, "w_version": 3}, w_version=4
        ) == (1, 1)
        assert await through_both(db, conn, repo._REPLACE_VERSION, {**written, "w_version": 3}) == (0, 0)
        new = {"b_kind": "order", "b_scope": "", "b_doc": DOC, "b_uniq": None}
        assert await through_both(db, conn, repo._INSERT, {**new, "b_id": "o2"}, b_id="o3") == (1, 1)
        got = await Docs(conn).get("order", "O1")
        assert got is not None and got.version == 5 and got.doc == DOC
        assert isinstance(got.doc["Total"], Decimal) and isinstance(got.doc["Lines"][0]["Price"], Decimal)


async def test_replace_many_sends_one_executemany(services: Services) -> None:
    db = services.db
    async with db.transaction() as conn:
        docs = Docs(conn)
        for n in range(3):
            await docs.insert("lineitem", {"ID": f"L{n}", "Quantity": n}, "o1")
        with sent(db) as seen:
            await docs.replace_many(
                "lineitem", [{"ID": f"l{n}", "Quantity": Decimal("2.5")} for n in range(3)], "O1"
            )
        ((_sql, params, many, raw),) = seen
        assert many and raw and len(params) == 3
        assert [d["Quantity"] for d in await docs.all("lineitem", scope="o1")] == [Decimal("2.5")] * 3
        with sent(db) as seen:
            children = await docs.all_kinds(("payment", "lineitem"), "O1")
        assert [raw for *_, raw in seen] == [True]
        assert children == {"payment": [], "lineitem": await docs.all("lineitem", scope="o1")}
        if db.is_sqlite:  # SQLite counts an executemany's rows: a missing ID is an error
            with pytest.raises(repo.NotFound):
                await docs.replace_many("lineitem", [{"ID": "nope"}], "o1")


async def test_reads_on_readers_and_writes_in_transactions_go_below_sqlalchemy(services: Services) -> None:
    db = services.db
    async with db.transaction() as conn:
        with sent(db) as seen:
            await Docs(conn).insert("order", DOC)
        assert [raw for *_, raw in seen] == [True, True]  # the existence probe and the insert
    async with db.reader() as conn:
        with sent(db) as seen:
            found = await Docs(conn).get("order", "o1")
        assert found is not None and found.doc == DOC and isinstance(found.doc["Total"], Decimal)
        assert [raw for *_, raw in seen] == [True]
        # The reader is still in autocommit: nothing left open on the driver.
        driver = (await conn.get_raw_connection()).driver_connection
        assert not (driver._conn.in_transaction if db.is_sqlite else driver.is_in_transaction())


async def test_errors_are_sqlalchemys_and_the_transaction_is_one(services: Services) -> None:
    db = services.db
    async with db.transaction() as conn:
        await Docs(conn).insert("order", DOC)
    # The unique violation of a concurrent insert arrives as SQLAlchemy's IntegrityError (409).
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await Docs(conn).insert("order", {**DOC, "ID": "o2"})
            await Docs(conn).insert("order", DOC, absent=True)
    # ... and what the transaction wrote before it is gone with it.
    async with db.reader() as conn:
        assert await Docs(conn).get("order", "o2") is None
    with pytest.raises(StaleWrite):
        async with db.transaction() as conn:
            await Docs(conn).replace("order", "o1", DOC, version=7)


async def test_a_lost_connection_is_unavailable_and_invalidated(
    services: Services, backend_name: str
) -> None:
    """The outage of tests/integration/test_db_outage.py, on a keyed read below SQLAlchemy: the
    error is the wrapped one app.errors answers 503 for, and the connection is not reused."""
    if backend_name != "postgres":
        pytest.skip("the outage is made with a TCP proxy in front of PostgreSQL")
    host, port = "127.0.0.1", 5432
    proxy = await TcpProxy.start(host, port)
    url = PG_URL.replace(f"{host}:{port}", f"{host}:{proxy.port}")
    db = Database(url, schema=services.settings.database_schema or None, caches=False)
    try:
        async with db.reader() as conn:
            assert await Docs(conn).get("order", "none") is None
            await proxy.cut()
            with pytest.raises(Exception) as caught:
                await Docs(conn).get("order", "none")
            assert is_unavailable(caught.value), repr(caught.value)
            assert conn.sync_connection is not None and conn.sync_connection.invalidated
        await proxy.restore()
        async with db.reader() as conn:
            assert await Docs(conn).get("order", "none") is None
    finally:
        await proxy.cut()
        await db.dispose()


async def test_all_kinds_of_no_kinds_is_empty(services: Services) -> None:
    """As before the statement was prebuilt: no kinds, no documents. Prebuilt for 0 kinds, the
    statement kept SQLAlchemy's placeholder for an empty IN (`__[POSTCOMPILE_kind_1]`) and the
    database refused it (no caller asks for no kinds today)."""
    async with services.db.transaction() as conn:
        await Docs(conn).insert("lineitem", {"ID": "l1"}, "o1")
        assert await Docs(conn).all_kinds((), "o1") == {}
        assert await Docs(conn).all_kinds(["lineitem"], "o1") == {"lineitem": [{"ID": "l1"}]}


async def test_an_in_list_the_statement_carries_is_rendered_once_as_sqlalchemy_renders_it(
    services: Services,
) -> None:
    """`fixed_lists`: an IN list whose values the statement itself carries (a buyer's user groups
    in the catalog's visibility condition) is rendered when the statement is compiled, into the
    same text and parameters SQLAlchemy renders at each execution (an empty list too), and it
    answers the same rows. A list the caller binds is still refused."""
    db = services.db
    async with db.transaction() as conn:
        for n in range(3):
            await Docs(conn).insert("lineitem", {"ID": f"l{n}"}, "o1")
        for ids in (["l0", "l2"], []):
            wanted = repo.R.id.in_(ids)
            stmt = select(repo.R.id).where(repo.R.kind == bindparam("kind"), wanted).order_by(repo.R.pk)
            theirs, ours = await through_both(
                db, conn, Prepared(stmt, fixed_lists=True), {"kind": "lineitem"}
            )
            assert ours == theirs == [(i,) for i in ids]
    by_caller = select(repo.R.doc).where(repo.R.id.in_(bindparam("ids", expanding=True)))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(ValueError, match="expanding"):
            Prepared(by_caller, fixed_lists=True).plan(dialect)


def test_a_named_expanding_parameter_with_a_default_is_refused_as_the_caller_may_bind_it() -> None:
    """`fixed_lists` renders only the lists a statement carries (`in_([...])`, whose anonymous
    parameter no caller can name). A named expanding parameter with a default value is one the
    caller binds: rendered once, the caller's list would be silently ignored (the default's rows
    answered), so it is refused like one without a default."""
    defaulted = select(repo.R.doc).where(repo.R.id.in_(bindparam("ids", ["l0"], expanding=True)))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(ValueError, match="expanding"):
            Prepared(defaulted, fixed_lists=True).plan(dialect)


def test_a_statement_sqlalchemy_renders_per_execution_is_refused() -> None:
    """An IN list is rendered by SQLAlchemy at each execution: compiled once, its placeholder
    would reach the database. Refused when compiled, before anything is sent."""
    stmt = Prepared(select(repo.R.doc).where(repo.R.kind.in_(["order", "lineitem"])))
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        with pytest.raises(ValueError, match="expanding"):
            stmt.plan(dialect)


async def test_insert_many_writes_rows_of_several_kinds_in_one_statement(services: Services) -> None:
    """`Docs.insert_many`: a change's new documents (an order and its timeline entry) are one
    executemany, answered as `insert` would store them; a taken ID is the same IntegrityError,
    and none of the rows stays."""
    db = services.db
    entry = {"ID": "a1", "Type": "OrderCreated", "Data": {"Total": Decimal("1.10")}}
    async with db.transaction() as conn:
        with sent(db) as seen:
            await Docs(conn).insert_many([("order", DOC, ""), ("orderactivity", entry, "o1")])
        assert [many for _sql, _params, many, _raw in seen] == [True]
        stored = await Docs(conn).get("order", "o1")
        assert stored is not None and (stored.doc, stored.version) == (DOC, 1)
        assert await Docs(conn).all("orderactivity", scope="o1") == [entry]
    with pytest.raises(IntegrityError):
        async with db.transaction() as conn:
            await Docs(conn).insert_many([("orderactivity", {"ID": "a2"}, "o1"), ("order", DOC, "")])
    async with db.transaction() as conn:
        assert await Docs(conn).all("orderactivity", scope="o1") == [entry]
