"""The hot statements of `app.store.repo.Docs`, executed below SQLAlchemy's execution path.

A keyed read through `AsyncConnection.execute` spends most of its time in SQLAlchemy, not in
the database: a greenlet per call, the execution context, cache-key lookup of the compiled
statement, the DBAPI adapter's cursor and the result object (docs/performance.md, "Hot
statements below SQLAlchemy"). A `Prepared` statement is compiled once per dialect (SQL text,
parameter order, the type processors SQLAlchemy would apply) and runs directly on the driver
connection underneath the caller's `AsyncConnection`: the same connection, the same
transaction. asyncpg prepares it once per connection (its statement cache); SQLite runs it in
one hand-off to the driver thread (`app.store.sqlite_driver`), or, for a keyed read on an
autocommit reader, on the event loop's own thread.

What SQLAlchemy does around a statement still happens, so nothing can tell the difference:
- the engine's `before_cursor_execute` / `after_cursor_execute` listeners run with the same
  statement text and driver parameters (the statement counts of the tests, the health watch of
  `app.store.db`); they get `cursor=None` and `context=None`;
- a transaction SQLAlchemy has not begun yet is begun as its first statement would begin it
  (the `begin` event; on asyncpg the driver transaction is started lazily, as SQLAlchemy's
  adapter starts it);
- a driver error goes through the adapter's translation and `Connection._handle_dbapi_exception`,
  so it arrives as the same `IntegrityError` / `DBAPIError`, and a lost connection is invalidated;
- whenever that cannot be done exactly (SQLAlchemy would refuse the statement, the SQLite
  connection is not in a transaction that SQLAlchemy began, `echo` is on), the statement runs
  through `AsyncConnection.execute` as before.

This leans on SQLAlchemy internals (`Connection._transaction`, `_autobegin`,
`_handle_dbapi_exception`, the asyncpg adapter's `_transaction` / `_start_transaction`): they
are pinned by `tests/integration/test_prepared.py`, which compares every statement's text,
parameters, results and errors with SQLAlchemy's own on both databases.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NoReturn

from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.pool import PoolProxiedConnection
from sqlalchemy.sql import Insert, Select, Update
from sqlalchemy.util import greenlet_spawn

from app.store import sqlite_driver
from app.store.db import READ_ONLY

Row = Sequence[Any]
Params = Mapping[str, Any]
_Processor = Callable[[Any], Any]
Statement = Select[Any] | Insert | Update


@dataclass(frozen=True)
class _Plan:
    """One statement compiled for one dialect: what SQLAlchemy would send, and how."""

    sql: str
    names: tuple[str, ...]  # the bound parameters in positional order
    fixed: dict[str, Any]  # values the statement carries itself (`version + 1`)
    binds: dict[str, _Processor]  # SQLAlchemy's bind processors (the document -> JSON text)
    results: tuple[_Processor | None, ...] | None  # per result column; None: rows as they come
    sequence: Callable[[Any], Any]  # the dialect's parameter sequence type (tuple, list)
    given: frozenset[str]  # the parameters the caller gives (None in `fixed`: no value of its own)
    _template: list[Any] = field(init=False, repr=False)
    _slots: tuple[tuple[int, str, _Processor | None], ...] = field(init=False, repr=False)
    _own: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        # The statement's own values processed once (a visibility condition carries dozens), and
        # the positions the caller's values go to: `args` fills only those.
        template: list[Any] = []
        slots: list[tuple[int, str, _Processor | None]] = []
        binds = self.binds
        for position, name in enumerate(self.names):
            processor = binds.get(name)
            if name in self.given:
                slots.append((position, name, processor))
                template.append(None)
            else:
                value = self.fixed[name]
                template.append(value if processor is None else processor(value))
        object.__setattr__(self, "_template", template)
        object.__setattr__(self, "_slots", tuple(slots))
        object.__setattr__(self, "_own", frozenset(self.names) - self.given)

    def args(self, params: Params) -> Any:
        if not self._own.isdisjoint(params):  # the caller overrides a value of the statement's
            return self._args_by_name(params)
        values = list(self._template)
        for position, name, processor in self._slots:
            value = params.get(name)
            values[position] = value if processor is None else processor(value)
        return self.sequence(values)

    def _args_by_name(self, params: Params) -> Any:
        fixed, binds = self.fixed, self.binds
        values = []
        for name in self.names:
            value = params[name] if name in params else fixed[name]
            processor = binds.get(name)
            values.append(value if processor is None else processor(value))
        return self.sequence(values)

    def rows(self, rows: Sequence[Row]) -> list[Row]:
        if self.results is None:
            return list(rows)
        processors = self.results
        return [tuple(v if p is None else p(v) for p, v in zip(processors, row, strict=True)) for row in rows]


def _compile(stmt: Statement, dialect: Dialect, many: bool, fixed_lists: bool) -> _Plan:
    compiled: Any = stmt.compile(dialect=dialect, for_executemany=many)
    late = compiled.post_compile_params | compiled.literal_execute_params
    sql, names = compiled.string, tuple(compiled.positiontup or ())
    fixed = dict(compiled.construct_params(_check=False))
    processors = compiled._bind_processors
    if late:
        # SQLAlchemy renders these per execution (an IN list, an empty IN); compiled once, the
        # statement would carry its `__[POSTCOMPILE_...]` placeholder to the database. Lists whose
        # values the statement itself carries can be rendered once, now (`fixed_lists`); a list
        # the caller binds cannot. Only `in_([...])`'s anonymous (unique) parameters are carried
        # lists: a named one, even with a default value, is the caller's to bind, and rendered
        # once its caller's value would be silently ignored.
        if not fixed_lists or any(bind.required or not bind.unique for bind in late):
            raise ValueError(f"Prepared statements take no expanding parameters: {compiled.string}")
        expanded = compiled.construct_expanded_state({name: fixed[name] for name in names if name in fixed})
        sql, names = expanded.statement, tuple(expanded.positiontup or ())
        fixed, processors = dict(expanded.parameters), expanded.processors
    results = tuple(column[3]._cached_result_processor(dialect, None) for column in compiled._result_columns)
    return _Plan(
        sql=sql,
        names=names,
        fixed=fixed,
        binds={k: v for k, v in processors.items() if k in names},
        results=results if any(p is not None for p in results) else None,
        sequence=dialect.execute_sequence_format,
        given=frozenset(name for name in names if fixed.get(name) is None),
    )


class _ErrorContext:
    """What `Connection._handle_dbapi_exception` reads of an execution context: with it, a
    driver error is wrapped (or not) exactly as for a statement SQLAlchemy executed."""

    def __init__(self, executemany: bool) -> None:
        self.executemany = executemany

    def handle_dbapi_exception(self, _error: BaseException) -> None:
        return None


class Prepared:
    """A statement built once, compiled once per dialect, run on the caller's driver connection.

    `keyed`: the statement reads at most one row through a unique index, so on an SQLite
    autocommit reader it runs on the event loop's thread (microseconds: cheaper than the
    hand-off to the driver thread). Never a scan or a count: those could hold the loop.

    `fixed_lists`: the IN lists the statement carries with their values (a buyer's user groups
    in a visibility condition) are rendered once, when it is compiled, as SQLAlchemy would render
    them at every execution; an expanding parameter the caller binds is refused all the same."""

    def __init__(
        self, stmt: Statement, *, keyed: bool = False, many: bool = False, fixed_lists: bool = False
    ) -> None:
        self.stmt = stmt
        self.keyed = keyed
        self.many = many
        self.fixed_lists = fixed_lists
        self._plans: weakref.WeakKeyDictionary[Dialect, _Plan] = weakref.WeakKeyDictionary()

    def plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect)
        if plan is None:
            plan = self._plans[dialect] = _compile(self.stmt, dialect, self.many, self.fixed_lists)
        return plan

    async def rows(self, conn: AsyncConnection, params: Params) -> list[Row]:
        """Every row the statement answers (processed as SQLAlchemy would: JSON decoded)."""
        sync = _ready(conn)
        if sync is None:
            return [tuple(row) for row in await conn.execute(self.stmt, dict(params))]
        plan = self.plan(sync.dialect)
        rows, _count = await _run(sync, plan, plan.args(params), fetch=True, here=self.keyed)
        return plan.rows(rows)

    async def first(self, conn: AsyncConnection, params: Params) -> Row | None:
        rows = await self.rows(conn, params)
        return rows[0] if rows else None

    async def rowcount(self, conn: AsyncConnection, params: Params) -> int:
        """The rows an INSERT / UPDATE wrote."""
        sync = _ready(conn)
        if sync is None:
            return int((await conn.execute(self.stmt, dict(params))).rowcount)
        plan = self.plan(sync.dialect)
        _rows, count = await _run(sync, plan, plan.args(params), fetch=False, here=False)
        return count

    async def rowcount_many(self, conn: AsyncConnection, params: Sequence[Params]) -> int | None:
        """Executemany: the rows written in all, or None where the driver cannot count them
        (asyncpg, as SQLAlchemy's `supports_sane_multi_rowcount`)."""
        sync = _ready(conn)
        if sync is None:
            result = await conn.execute(self.stmt, [dict(p) for p in params])
            return int(result.rowcount) if result.supports_sane_multi_rowcount() else None
        plan = self.plan(sync.dialect)
        _rows, count = await _run(sync, plan, [plan.args(p) for p in params], fetch=False, many=True)
        return count if sync.dialect.supports_sane_multi_rowcount else None


def _ready(conn: AsyncConnection) -> Connection | None:
    """The caller's SQLAlchemy connection when a statement can run below it exactly as through
    it, its transaction begun as SQLAlchemy would begin it; None to go through SQLAlchemy."""
    sync = conn.sync_connection
    if sync is None or sync._dbapi_connection is None or sync._echo:
        return None
    transaction = sync._transaction
    if transaction is None:
        # SQLAlchemy would begin one here (its `begin` event, which the statement counts of the
        # tests see). On asyncpg that is bookkeeping alone (the driver's BEGIN is sent lazily, by
        # `_start` below); on SQLite `_on_begin` sends a BEGIN through the driver, except for
        # autocommit readers, so only those are taken here.
        if not (sync.dialect.name == "postgresql" or sync._execution_options.get(READ_ONLY)):
            return None
        sync._autobegin()
    elif not transaction.is_active or (
        sync._nested_transaction is not None and not sync._nested_transaction.is_active
    ):
        return None  # SQLAlchemy raises PendingRollbackError: let it
    return sync


async def _run(
    sync: Connection, plan: _Plan, args: Any, *, fetch: bool, here: bool = False, many: bool = False
) -> tuple[Sequence[Row], int]:
    """Run `plan` on the driver connection of `sync` between the engine's cursor listeners."""
    sql = plan.sql
    events = sync._has_events or sync.engine._has_events
    if events:
        for listener in sync.dispatch.before_cursor_execute:
            sql, args = listener(sync, None, sql, args, None, many)
    fairy = sync._dbapi_connection
    assert fairy is not None  # checked by _ready; nothing awaited since
    try:
        if sync.dialect.name == "postgresql":
            found = await _asyncpg(fairy, sql, args, fetch=fetch, many=many)
        else:
            found = await _sqlite(fairy, sql, args, many=many, here=here and _reader(sync))
    except BaseException as error:
        await _raise_as_sqlalchemy(sync, error, sql, args, many)
    if events:
        sync.dispatch.after_cursor_execute(sync, None, sql, args, None, many)
    return found


def _reader(sync: Connection) -> bool:
    return bool(sync._execution_options.get(READ_ONLY))


async def _asyncpg(
    fairy: PoolProxiedConnection, sql: str, args: Any, *, fetch: bool, many: bool
) -> tuple[Sequence[Row], int]:
    adapter: Any = fairy.dbapi_connection
    driver: Any = fairy.driver_connection
    async with adapter._execute_mutex:  # as SQLAlchemy's adapter: one statement at a time
        if adapter._transaction is None and not adapter.autocommit:
            await adapter._start_transaction()  # raises SQLAlchemy's adapted errors itself
        try:
            if many:
                await driver.executemany(sql, args)
                return [], -1
            if fetch:
                rows = await driver.fetch(sql, *args)
                return rows, len(rows)
            status = await driver.execute(sql, *args)
        except Exception as error:
            adapter._handle_exception(error)  # asyncpg's error -> the adapter's DBAPI error
    # "UPDATE 1", "INSERT 0 1": the count is the last word, as the adapter reads it.
    return [], int(status.rsplit(" ", 1)[-1])


async def _sqlite(
    fairy: PoolProxiedConnection, sql: str, args: Any, *, many: bool, here: bool
) -> tuple[Sequence[Row], int]:
    driver: Any = fairy.driver_connection
    try:
        if here and isinstance(driver, sqlite_driver.OneHopConnection):
            # Only on our own driver (file databases), whose sqlite3 connection may be used from any thread.
            _description, rowcount, _rowid, rows = sqlite_driver.run_here(driver, sql, args)
        else:
            _description, rowcount, _rowid, rows = await sqlite_driver.run(driver, sql, args, many)
    except Exception as error:
        adapter: Any = fairy.dbapi_connection
        adapter._handle_exception(error)  # "no active connection" -> OperationalError, as SQLAlchemy
    return rows, rowcount


async def _raise_as_sqlalchemy(
    sync: Connection, error: BaseException, sql: str, args: Any, many: bool
) -> NoReturn:
    """Raise `error` as SQLAlchemy raises a driver error of a statement it executed: wrapped
    (IntegrityError, DBAPIError ...), the connection invalidated when it is lost. In a greenlet,
    as SQLAlchemy's own handling runs (invalidating closes the driver connection through it)."""

    def handle() -> None:
        try:
            raise error
        except BaseException as raised:
            sync._handle_dbapi_exception(raised, sql, args, None, _ErrorContext(many))  # type: ignore[arg-type]

    await greenlet_spawn(handle)
    raise AssertionError("unreachable: _handle_dbapi_exception always raises")
