"""Document repository over the `resources` table: the one way code reads and writes resources."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    bindparam,
    delete,
    false,
    func,
    insert,
    literal,
    literal_column,
    select,
    true,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.expression import Executable
from sqlalchemy.sql.visitors import InternalTraversal

from app.list_options import ListOptions, Page, Schema
from app.listing import Compiler, JsonAccess, either_branches
from app.store.invalidation import note
from app.store.prepared import Prepared
from app.store.tables import resources
from domain.errors import Conflict, NotFound

R = resources.c

# Lists count their matches exactly up to this many; beyond, Meta.TotalCount is an estimate
# (docs/performance.md "Counts"), so a count costs at most this many index entries whatever the
# size of the table. 1,000, not more: the count reads each match's document (visibility,
# `Active`, `Status`), and at 10,000 it was nearly the whole cost of a list page (35-350 ms
# against a page statement of 0.2-1.4 ms); 1,000 is still fifty pages of 20.
EXACT_COUNT_LIMIT = 1_000


# Built once: every keyed read and list compares them (see `app.listing._doc_expr`); `_ONE`
# is what a count or an estimate selects per match.
_ONE = select(literal(1)).select_from(resources)
_lower_id = func.lower(R.id)
_lower_scope = func.lower(R.scope)


def id_is(id: str) -> ColumnElement[bool]:
    """IDs compare without regard to case (`Acme` is `acme`), through the `lower(id)` index."""
    return _lower_id == id.lower()


def scope_is(scope: str) -> ColumnElement[bool]:
    return _lower_scope == scope.lower()


def locking_select(where: Sequence[ColumnElement[bool]], locked_if: ColumnElement[bool]) -> Select[Any]:
    """`Docs.all_stored_locking`'s statement (PostgreSQL): the rows of `where` (doc, version,
    scope; insertion order), those matching `locked_if` locked and read after their lock."""
    columns = (R.pk, R.doc, R.version, R.scope)
    locked = select(*columns).where(*where, locked_if).with_for_update().cte("locked")
    rest = select(*columns).where(*where, ~func.coalesce(locked_if, false()))
    both = union_all(select(*locked.c), rest).subquery()
    return select(both.c.doc, both.c.version, both.c.scope).order_by(both.c.pk)


class StaleWrite(Conflict):
    """Someone else changed the document between our read and our write."""

    status = 409
    default_code = "Conflict.StaleWrite"


@dataclass
class Stored:
    doc: dict[str, Any]
    version: int
    scope: str = ""


def _disjoint(
    where: list[ColumnElement[bool]], branches: list[ColumnElement[bool]]
) -> list[list[ColumnElement[bool]]]:
    """The conditions of `where` with its `either` term replaced by each branch in turn, every
    branch excluding the rows of the ones before it (so their union has each row once)."""
    rest = [c for c in where if either_branches(c) is None]
    return [
        [*rest, branch, *(~func.coalesce(b, False) for b in branches[:n])]
        for n, branch in enumerate(branches)
    ]


def _keyed(prefix: str = "") -> tuple[ColumnElement[bool], ...]:
    """One row by kind, scope and ID, bound as `<prefix>kind`, `<prefix>scope`, `<prefix>id`."""
    return (
        R.kind == bindparam(f"{prefix}kind"),
        func.lower(R.scope) == bindparam(f"{prefix}scope"),
        func.lower(R.id) == bindparam(f"{prefix}id"),
    )


# The hot statements, built once and compiled once per dialect (`app.store.prepared`): building
# and cache-keying a select costs more than running it, and SQLAlchemy's execution path costs
# more again (docs/performance.md, "GET one order", "Hot statements below SQLAlchemy"). Values
# are bound per execution; `scope` and `id` are passed lower-cased, as `scope_is`/`id_is` compare.
_GET_STMT = select(R.doc, R.version, R.scope).where(*_keyed())
_GET = Prepared(_GET_STMT, keyed=True)
_GET_LOCKED = Prepared(_GET_STMT.with_for_update())  # PostgreSQL only
# `Docs.exists` and `Docs.all(kind, scope=...)` without conditions (an order's lines, every
# add-line's ID check).
_EXISTS = Prepared(select(R.pk).where(*_keyed()), keyed=True)
# The hot writes: a new row, and a row written back (with or without a version check).
_INSERT_STMT = insert(resources).values(
    kind=bindparam("b_kind"),
    scope=bindparam("b_scope"),
    id=bindparam("b_id"),
    doc=bindparam("b_doc", type_=R.doc.type),
    version=1,
    uniq=bindparam("b_uniq"),
)
_INSERT = Prepared(_INSERT_STMT)
# New rows of any kinds in one statement (executemany: one round trip on asyncpg and SQLite).
_INSERT_MANY = Prepared(_INSERT_STMT, many=True)
_REPLACE_STMT = (
    update(resources)
    .where(*_keyed("w_"))
    .values(doc=bindparam("b_doc", type_=R.doc.type), version=R.version + 1)
)
_REPLACE = Prepared(_REPLACE_STMT)
_REPLACE_VERSION = Prepared(_REPLACE_STMT.where(R.version == bindparam("w_version")))
_ALL_IN_SCOPE = Prepared(
    select(R.doc).where(R.kind == bindparam("kind"), func.lower(R.scope) == bindparam("scope")).order_by(R.pk)
)
# Several documents of one kind and scope written back by their IDs (executemany).
_REPLACE_MANY = Prepared(
    update(resources)
    .where(
        R.kind == bindparam("w_kind"),
        func.lower(R.scope) == bindparam("w_scope"),
        func.lower(R.id) == func.lower(bindparam("b_id")),
    )
    .values(doc=bindparam("b_doc", type_=R.doc.type), version=R.version + 1),
    many=True,
)


@functools.cache
def _all_kinds(n: int) -> Prepared:
    """`Docs.all_kinds` for `n` kinds (bound as `k0` ... and `scope`): one statement per count."""
    kinds = [bindparam(f"k{i}", type_=R.kind.type) for i in range(n)]
    return Prepared(
        select(R.kind, R.doc)
        .where(R.kind.in_(kinds), func.lower(R.scope) == bindparam("scope"))
        .order_by(R.pk)
    )


class Docs:
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn
        self.pg = conn.dialect.name == "postgresql"
        self._json: JsonAccess | None = None

    @property
    def json(self) -> JsonAccess:
        """JSON path access for SQL conditions, built on first use (most writes never filter)."""
        if self._json is None:
            self._json = JsonAccess(self.pg)
        return self._json

    # ------------------------------------------------------------------ single documents

    async def get(self, kind: str, id: str, scope: str = "", *, lock: bool = False) -> Stored | None:
        stmt = _GET_LOCKED if lock and self.pg else _GET
        row = await stmt.first(self.conn, {"kind": kind, "scope": scope.lower(), "id": id.lower()})
        return Stored(row[0], row[1], row[2]) if row else None

    async def require(
        self, kind: str, id: str, scope: str = "", *, object_type: str, lock: bool = False
    ) -> Stored:
        found = await self.get(kind, id, scope, lock=lock)
        if found is None:
            raise NotFound(object_type, id)
        return found

    async def find_any_scope(self, kind: str, id: str) -> Stored | None:
        """A document by ID whatever its scope (IDs that are unique across the marketplace)."""
        row = (
            await self.conn.execute(
                select(R.doc, R.version, R.scope).where(R.kind == kind, id_is(id)).order_by(R.pk).limit(1)
            )
        ).first()
        return Stored(row.doc, row.version, row.scope) if row else None

    async def exists(self, kind: str, id: str, scope: str = "") -> bool:
        params = {"kind": kind, "scope": scope.lower(), "id": id.lower()}
        return await _EXISTS.first(self.conn, params) is not None

    async def insert(
        self,
        kind: str,
        doc: dict[str, Any],
        scope: str = "",
        *,
        uniq: str | None = None,
        object_type: str | None = None,
        key: str | None = None,
        absent: bool = False,
    ) -> dict[str, Any]:
        """`key`: the row's ID when it differs from the document's (several rows sharing one wire
        ID, such as a line-level promotion's row per line). `absent`: the caller has already seen,
        in this transaction, that no row has this ID (skips the existence read)."""
        row_id = key or doc["ID"]
        if not absent and await self.exists(kind, row_id, scope):
            raise Conflict(
                f"{object_type or kind} already exists: {doc['ID']}",
                "IdExists",
                {"ObjectType": object_type or kind, "ObjectID": doc["ID"]},
            )
        params = {"b_kind": kind, "b_scope": scope, "b_id": row_id, "b_doc": doc, "b_uniq": uniq}
        await _INSERT.rowcount(self.conn, params)
        note(self.conn, kind, scope, row_id)
        return doc

    async def insert_many(self, rows: Sequence[tuple[str, dict[str, Any], str]]) -> None:
        """`insert(kind, doc, scope, absent=True)` for each (kind, doc, scope), in one statement:
        rows a change writes together (a payment and its timeline entry). No existence reads:
        for IDs nobody else has (generated) or already looked up in this transaction."""
        if len(rows) == 1:
            kind, doc, scope = rows[0]
            await self.insert(kind, doc, scope, absent=True)
            return
        params = [
            {"b_kind": k, "b_scope": s, "b_id": d["ID"], "b_doc": d, "b_uniq": None} for k, d, s in rows
        ]
        await _INSERT_MANY.rowcount_many(self.conn, params)
        for kind, doc, scope in rows:
            note(self.conn, kind, scope, doc["ID"])

    async def replace(
        self,
        kind: str,
        id: str,
        doc: dict[str, Any],
        scope: str = "",
        *,
        version: int | None = None,
        new_id: str | None = None,
        uniq: str | bool | None = False,
    ) -> None:
        """Write a document back; with `version`, only if nobody wrote it since we read it."""
        if new_id is None and uniq is False:
            written = await self._replace_doc(kind, id, doc, scope, version)
        else:
            written = await self._replace_row(kind, id, doc, scope, version, new_id, uniq)
        note(self.conn, kind, scope, id)
        if new_id is not None:
            note(self.conn, kind, scope, new_id)
        if written == 0:
            if version is not None:
                raise StaleWrite(f"{kind} {id} was changed by another request; try again")
            raise NotFound(kind, id)

    async def _replace_doc(
        self, kind: str, id: str, doc: dict[str, Any], scope: str, version: int | None
    ) -> int:
        """The document alone, through a prebuilt statement (most writes): the rows written."""
        params: dict[str, Any] = {"w_kind": kind, "w_scope": scope.lower(), "w_id": id.lower(), "b_doc": doc}
        if version is None:
            return await _REPLACE.rowcount(self.conn, params)
        params["w_version"] = version
        return await _REPLACE_VERSION.rowcount(self.conn, params)

    async def _replace_row(
        self,
        kind: str,
        id: str,
        doc: dict[str, Any],
        scope: str,
        version: int | None,
        new_id: str | None,
        uniq: str | bool | None,
    ) -> int:
        """The document with a new ID or uniqueness key: the rows written."""
        conds = [R.kind == kind, scope_is(scope), id_is(id)]
        if version is not None:
            conds.append(R.version == version)
        values: dict[str, Any] = {"doc": doc, "version": R.version + 1}
        if new_id is not None:
            values["id"] = new_id
        if uniq is not False:
            values["uniq"] = uniq
        result = await self.conn.execute(update(resources).where(*conds).values(**values))
        return int(result.rowcount)

    async def replace_many(self, kind: str, docs: Sequence[dict[str, Any]], scope: str = "") -> None:
        """Write several documents of one kind and scope back in one statement (executemany), by
        their `ID`. For rows this transaction has read (and locked): no version check."""
        if not docs:
            return
        key = {"w_kind": kind, "w_scope": scope.lower()}
        written = await _REPLACE_MANY.rowcount_many(
            self.conn, [{**key, "b_id": d["ID"], "b_doc": d} for d in docs]
        )
        for d in docs:
            note(self.conn, kind, scope, str(d["ID"]))
        # asyncpg cannot count the rows of an executemany (None); SQLite can.
        if written is not None and written != len(docs):
            raise NotFound(kind, ", ".join(str(d["ID"]) for d in docs))

    async def next_number(self, kind: str, id: str, field: str) -> dict[str, Any] | None:
        """Add one to the integer `field` of a document in ONE statement (UPDATE ... RETURNING)
        and answer the document as written, or None when there is no such document. Concurrent
        callers queue on the row lock (PostgreSQL) or the database lock (SQLite): no two of them
        ever get the same number (incrementors, docs/catalog-config.md)."""
        if not field.isidentifier():
            raise ValueError(field)
        if self.pg:
            sql = f"jsonb_set(doc, '{{{field}}}', to_jsonb(COALESCE((doc->>'{field}')::bigint, 0) + 1))"
        else:
            sql = f"json_set(doc, '$.{field}', COALESCE(json_extract(doc, '$.{field}'), 0) + 1)"
        stmt = (
            update(resources)
            .where(R.kind == kind, scope_is(""), id_is(id))
            .values(doc=literal_column(sql, type_=R.doc.type), version=R.version + 1)
            .returning(R.doc)
        )
        row = (await self.conn.execute(stmt)).first()
        note(self.conn, kind, "", id)
        return dict(row.doc) if row else None

    async def move_scope(self, kind: str, old: str, new: str) -> None:
        """File every `kind` document scoped to `old` under `new` (a renamed parent), keeping
        each row as it is (its `uniq` key included)."""
        await self.conn.execute(
            update(resources).where(R.kind == kind, scope_is(old)).values(scope=new, version=R.version + 1)
        )
        note(self.conn, kind, old)

    async def delete(self, kind: str, id: str, scope: str = "") -> bool:
        result = await self.conn.execute(delete(resources).where(R.kind == kind, scope_is(scope), id_is(id)))
        note(self.conn, kind, scope, id)
        return bool(result.rowcount)

    async def delete_where(self, kind: str, *conds: ColumnElement[bool], scope: str | None = None) -> int:
        where = [R.kind == kind, *conds]
        if scope is not None:
            where.append(scope_is(scope))
        result = await self.conn.execute(delete(resources).where(*where))
        note(self.conn, kind, scope or "")
        return int(result.rowcount)

    async def by_uniq(self, uniq: str) -> tuple[str, Stored] | None:
        row = (
            await self.conn.execute(select(R.kind, R.doc, R.version, R.scope).where(R.uniq == uniq))
        ).first()
        return (row.kind, Stored(row.doc, row.version, row.scope)) if row else None

    # ------------------------------------------------------------------ queries

    def eq(self, **fields: Any) -> list[ColumnElement[bool]]:
        """Conditions `doc.Field == value` (None means absent or null)."""
        conds: list[ColumnElement[bool]] = []
        for name, value in fields.items():
            parts = name.split("__")
            if value is None:
                conds.append(self.json.is_null(parts))
            elif isinstance(value, bool):
                conds.append(self.json.is_bool(parts, value))
            else:
                conds.append(self.json.text(parts) == value)
        return conds

    def id_is(self, id: str) -> ColumnElement[bool]:
        return id_is(id)

    def id_in(self, ids: Iterable[str] | Select[Any]) -> ColumnElement[bool]:
        """The documents whose stored ID is one of `ids`: IDs read from other documents (or a
        subquery of them) are stored spellings, so no case folding as in `id_is`."""
        return R.id.in_(ids if isinstance(ids, Select) else list(ids))

    def field_in(self, name: str, values: Sequence[str]) -> ColumnElement[bool]:
        return self.json.text(name.split("__")).in_(list(values))

    async def all(
        self, kind: str, *conds: ColumnElement[bool], scope: str | None = None, limit: int | None = None
    ) -> list[dict[str, Any]]:
        """Every matching document in insertion order (for internal use, not caller lists)."""
        if not conds and scope is not None and limit is None:
            params = {"kind": kind, "scope": scope.lower()}
            return [row[0] for row in await _ALL_IN_SCOPE.rows(self.conn, params)]
        where = [R.kind == kind, *conds]
        if scope is not None:
            where.append(scope_is(scope))
        stmt = select(R.doc).where(*where).order_by(R.pk)
        if limit is not None:
            stmt = stmt.limit(limit)
        return [row.doc for row in await self.conn.execute(stmt)]

    async def all_kinds(self, kinds: Sequence[str], scope: str) -> dict[str, list[dict[str, Any]]]:
        """`all(kind, scope=scope)` for several kinds in one statement (the documents under one
        parent, such as an order's lines, payments and promotions), each in insertion order."""
        found: dict[str, list[dict[str, Any]]] = {kind: [] for kind in kinds}
        if not kinds:  # `IN ()` has no prebuilt form (`app.store.prepared` refuses it)
            return found
        params = {f"k{n}": kind for n, kind in enumerate(kinds)}
        params["scope"] = scope.lower()
        for kind, doc in await _all_kinds(len(kinds)).rows(self.conn, params):
            found[kind].append(doc)
        return found

    async def all_stored(
        self, kind: str, *conds: ColumnElement[bool], scope: str | None = None, lock: bool = False
    ) -> list[Stored]:
        where = [R.kind == kind, *conds]
        if scope is not None:
            where.append(scope_is(scope))
        stmt = select(R.doc, R.version, R.scope).where(*where).order_by(R.pk)
        if lock and self.pg:
            stmt = stmt.with_for_update()
        return [Stored(r.doc, r.version, r.scope) for r in await self.conn.execute(stmt)]

    async def all_stored_locking(
        self, kind: str, *conds: ColumnElement[bool], scope: str, locked_if: ColumnElement[bool]
    ) -> list[Stored]:
        """`all_stored(..., lock=True)` locking (PostgreSQL) only the rows that match `locked_if`,
        in one statement; the others are read as any read is, so writers that merely read them
        do not queue on them (every submit reads its products, few track stock). The locked rows
        are read after their lock is granted (their newest version). A row whose `locked_if`
        stopped matching while its lock was awaited is absent: callers missing a row read again
        with `all_stored(..., lock=True)`."""
        if not self.pg:
            return await self.all_stored(kind, *conds, scope=scope)
        stmt = locking_select([R.kind == kind, *conds, scope_is(scope)], locked_if)
        return [Stored(r.doc, r.version, r.scope) for r in await self.conn.execute(stmt)]

    async def count(self, kind: str, *conds: ColumnElement[bool], scope: str | None = None) -> int:
        where = [R.kind == kind, *conds]
        if scope is not None:
            where.append(scope_is(scope))
        return int(
            (await self.conn.execute(select(func.count()).select_from(resources).where(*where))).scalar_one()
        )

    async def page(
        self,
        kind: str,
        opts: ListOptions,
        schema: Schema,
        *,
        conds: Sequence[ColumnElement[bool]] = (),
        scope: str | None = None,
        searchable: Sequence[str] = ("ID",),
        sortable: Sequence[str] | None = None,
        default_sort: Sequence[str] = ("ID",),
    ) -> Page:
        """One page of a caller-facing list with OrderCloud list options, all in SQL."""
        compiler = Compiler(self.pg, schema)
        where = self.list_where(kind, opts, schema, conds=conds, scope=scope, searchable=searchable)
        cond = and_(*where)
        order = compiler.order_by(opts.sort_by, sortable, default_sort)
        offset = (opts.page - 1) * opts.page_size
        split = next((b for b in map(either_branches, conds) if b), None) if self.pg else None
        disjoint = None if split is None else _disjoint(where, split)
        # The bounded count rides in the page statement (one round trip, one planning, not two):
        # an uncorrelated scalar subquery, evaluated once by both databases. A short page does
        # not need it, but it is bounded (EXACT_COUNT_LIMIT + 1 index entries at most).
        counted = self._bounded_count(cond, disjoint).scalar_subquery().label("bounded_count")
        if split is None:
            stmt = select(R.doc, counted).where(cond).order_by(*order).limit(opts.page_size).offset(offset)
        else:
            stmt = self._union_page(where, split, order, schema, opts, sortable, default_sort, counted)
        rows = (await self.conn.execute(stmt)).all()
        items = [row.doc for row in rows]
        if items and len(items) < opts.page_size:
            return Page(items, opts.page, opts.page_size, offset + len(items))  # the last page
        if items:
            total = await self._beyond(int(rows[0].bounded_count), cond, offset + len(items))
        elif offset == 0:  # no match at all: the page and its count are one snapshot
            total = 0
        else:  # past the end: nothing seen here, and no more matches than the page skipped
            total = await self._total(cond, 0, disjoint, most=offset)
        return Page(items, opts.page, opts.page_size, total)

    def list_where(
        self,
        kind: str,
        opts: ListOptions,
        schema: Schema,
        *,
        conds: Sequence[ColumnElement[bool]] = (),
        scope: str | None = None,
        searchable: Sequence[str] = ("ID",),
        filters: Sequence[tuple[str, str]] | None = None,
    ) -> list[ColumnElement[bool]]:
        """What a list's documents must meet: `conds`, the scope, the caller's filters (`filters`
        in their place when given) and search."""
        compiler = Compiler(self.pg, schema)
        where: list[ColumnElement[bool]] = [R.kind == kind, *conds]
        if scope is not None:
            where.append(scope_is(scope))
        where.extend(compiler.filter(k, v) for k, v in (opts.filters if filters is None else filters))
        found = compiler.search(opts, searchable)
        if found is not None:
            where.append(found)
        return where

    async def value_counts(
        self,
        where: Sequence[ColumnElement[bool]],
        paths: Sequence[Sequence[str]],
        schema: Schema,
        flags: Sequence[tuple[str, str]] = (),
        skip: Sequence[frozenset[int]] = (),
    ) -> list[dict[str, int]]:
        """For each path, how many documents meeting `where` (and every filter of `flags` but
        those `skip[n]` names for path n) hold each value at it: a scalar, or any element of an
        array; a document counts once per value. Values that differ only in case are one value
        (a filter on either matches both), shown in its first spelling (binary order).

        One statement: the matching documents are read once (`where`, with each flag filter as a
        column), and every path is counted over them (on PostgreSQL the documents' values at the
        paths are all that is kept of them)."""
        compiler = Compiler(self.pg, schema)
        flag_cols = [
            func.coalesce(compiler.filter(k, v), false()).label(f"f{i}") for i, (k, v) in enumerate(flags)
        ]
        if self.pg:
            access = JsonAccess(True)
            kept: list[Any] = [
                R.doc.op("#>")(access.path_literal(p)).label(f"v{n}") for n, p in enumerate(paths)
            ]
        else:
            kept = [R.doc]  # SQLite: the paths are read from the document
        matched = select(R.pk, *kept, *flag_cols).where(*where).cte("matched")
        parts: list[Any] = []
        for n, path in enumerate(paths):
            if self.pg:
                rows, text, keep = JsonAccess(True, matched.c[f"v{n}"]).values([])
            else:
                rows, text, keep = JsonAccess(False, matched.c.doc).values(path)
            others = [matched.c[f"f{i}"] for i in range(len(flags)) if not (skip and i in skip[n])]
            parts.append(
                select(
                    literal_column(str(n)).label("path"),
                    func.min(text).label("value"),
                    func.count(func.distinct(matched.c.pk)).label("n"),
                )
                .select_from(matched.join(rows, true()))
                .where(keep, *others)
                .group_by(func.lower(text))
            )
        out: list[dict[str, int]] = [{} for _ in paths]
        stmt: Any = union_all(*parts) if len(parts) > 1 else parts[0]
        for row in await self.conn.execute(stmt):
            out[int(row.path)][str(row.value)] = int(row.n)
        return out

    def _union_page(
        self,
        where: list[ColumnElement[bool]],
        branches: list[ColumnElement[bool]],
        order: list[Any],
        schema: Schema,
        opts: ListOptions,
        sortable: Sequence[str] | None,
        default_sort: Sequence[str],
        counted: Any,
    ) -> Select[Any]:
        """A page under an `either(...)` condition (PostgreSQL): each branch, made disjoint from
        the ones before it, reads its first offset + pageSize rows in list order (an index walk
        that stops early); the page is cut from their merge. Same rows, same order as the OR.
        `counted`: the bounded count's column, carried on each row."""
        limit = opts.page * opts.page_size
        parts = [
            select(R.doc, R.id).where(*part).order_by(*order).limit(limit)
            for part in _disjoint(where, branches)
        ]
        merged = union_all(*parts).subquery("either")
        outer = Compiler(self.pg, schema, column=merged.c.doc, id_column=merged.c.id)
        return (
            select(merged.c.doc, counted)
            .order_by(*outer.order_by(opts.sort_by, sortable, default_sort))
            .limit(opts.page_size)
            .offset((opts.page - 1) * opts.page_size)
        )

    async def _total(
        self,
        cond: ColumnElement[bool],
        seen: int,
        disjoint: list[list[ColumnElement[bool]]] | None = None,
        *,
        most: int | None = None,
    ) -> int:
        """Meta.TotalCount: exact up to EXACT_COUNT_LIMIT matches; above it an estimate
        (docs/performance.md), so a count never reads more than that many index entries:
        PostgreSQL's planner estimate, never less than what is known to exist (the limit + 1, and
        every row up to this page), plus one when the page was full so a next page is offered.
        `disjoint`: the condition as disjoint branches (an `either` list): each is counted up to
        the limit on its own index, as the page reads them. `most`: what an empty page proves
        (no more matches than it skipped); the estimate never exceeds it, so a page past the end
        is never counted among the pages that exist."""
        total = int((await self.conn.execute(self._bounded_count(cond, disjoint))).scalar_one())
        return await self._beyond(total, cond, seen, most=most)

    def _bounded_count(
        self, cond: ColumnElement[bool], disjoint: list[list[ColumnElement[bool]]] | None
    ) -> Select[Any]:
        """`count(*)` of the matches, reading at most EXACT_COUNT_LIMIT + 1 of them (per branch
        of `disjoint`)."""
        one = _ONE
        if disjoint:
            parts = [one.where(*part).limit(EXACT_COUNT_LIMIT + 1) for part in disjoint]
            bounded = union_all(*parts).subquery()
        else:
            bounded = one.where(cond).limit(EXACT_COUNT_LIMIT + 1).subquery()
        return select(func.count()).select_from(bounded)

    async def _beyond(
        self, total: int, cond: ColumnElement[bool], seen: int, *, most: int | None = None
    ) -> int:
        """Meta.TotalCount from the bounded count `total` (as `_total` says)."""
        if total <= EXACT_COUNT_LIMIT:
            return total
        estimate = await self._planner_rows(cond)
        found = max(total, seen + 1, estimate)
        return found if most is None else max(total, min(found, most))

    async def _planner_rows(self, cond: ColumnElement[bool]) -> int:
        """The planner's row estimate of the documents meeting `cond` (PostgreSQL; 0 elsewhere:
        SQLite has none)."""
        if not self.pg:
            return 0
        stmt = _ONE.where(cond)
        plan = (await self.conn.execute(_Explain(stmt))).scalar_one()
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


class _Explain(Executable, ClauseElement):
    """`EXPLAIN (FORMAT JSON) <stmt>` with its values bound, executed like any statement so that
    SQLAlchemy compiles it once per shape (its compiled cache). Rendering the statement with
    literal values instead compiled it afresh on every request: 48 ms of a storefront request
    under load for the visibility condition (docs/performance.md, "List pages at 1,000,000 rows")."""

    _traverse_internals = [("stmt", InternalTraversal.dp_clauseelement)]
    inherit_cache = True

    def __init__(self, stmt: Select[Any]) -> None:
        self.stmt = stmt

    @property
    def _all_selected_columns(self) -> tuple[()]:
        # Asked by SQLAlchemy when it reuses the compiled form for another statement of the same
        # shape, to key result columns by this statement's column objects: the plan has none.
        return ()


@compiles(_Explain)
def _compile_explain(element: _Explain, compiler: SQLCompiler, **kw: Any) -> str:
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.stmt, **kw)
