"""Expression indexes for declared xp paths (`/xpindices`, docs/facets.md "xp indices").

Each index is built from the very expressions `app.listing.JsonAccess` compiles for a list's
filter (`lower(text)`) and sort (`num`, then `lower(text)`), rendered by SQLAlchemy's DDL
compiler, so the planners match them by construction (migration 0005 explains why the text must
be identical). The path's segments are validated (`[A-Za-z0-9_-]`) before they get here and the
index's name is a hash of the path: no caller text is ever spliced into DDL unchecked. `kind`
leads every index, so one index per path serves every thing type that declares it."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

from sqlalchemy import Column, Index, MetaData, String, Table, func, text
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.schema import CreateIndex, DropIndex
from sqlalchemy.sql.elements import Grouping

from app.listing import JsonAccess
from app.store.tables import Doc, Key

_SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,200}$")
# The names `_name` gives.
_OWN = re.compile(r"^ix_xp_[fs]_[0-9a-f]{20}$")


def _table() -> Table:
    """A private stand-in for `resources` (same name and column types): indexes made on it are
    not added to the application's metadata."""
    return Table(
        "resources",
        MetaData(),
        Column("kind", String(40)),
        Column("scope", Key),
        Column("id", Key),
        Column("doc", Doc),
    )


def _name(path: Sequence[str], what: str) -> str:
    digest = hashlib.sha256(".".join(path).encode()).hexdigest()[:20]
    return f"ix_xp_{what}_{digest}"


def indexes(pg: bool, path: Sequence[str]) -> list[Index]:
    """The filter and sort indexes of `xp.<path>`."""
    if not path or not all(_SEGMENT.match(p) for p in path):
        raise ValueError(f"not an xp path: {path!r}")  # callers validate first; never reached
    table = _table()
    parts = ["xp", *path]
    access = JsonAccess(pg, table.c.doc)
    text = func.lower(access.text(parts))
    return [
        # The scope and the default order (ID) after the value: a list within one parent is a
        # longer match than the (kind, scope, id) key, and its page comes in order.
        Index(
            _name(path, "f"),
            table.c.kind,
            text,
            func.lower(table.c.scope),
            func.lower(table.c.id),
            table.c.id,
        ),
        # Parenthesised: PostgreSQL takes only a function call bare in an index's column list.
        Index(_name(path, "s"), table.c.kind, Grouping(access.num(parts)), text, table.c.id),
    ]


async def create(conn: AsyncConnection, path: Sequence[str]) -> None:
    pg = conn.dialect.name == "postgresql"
    for index in indexes(pg, path):
        await conn.execute(CreateIndex(index, if_not_exists=True))


async def drop(conn: AsyncConnection, path: Sequence[str]) -> None:
    pg = conn.dialect.name == "postgresql"
    for index in indexes(pg, path):
        await conn.execute(DropIndex(index, if_exists=True))


async def drop_all(conn: AsyncConnection) -> None:
    """Drop every xp index (a database reset to a snapshot, where no declaration survives)."""
    pg = conn.dialect.name == "postgresql"
    if pg:
        sql = "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()"
    else:
        sql = "SELECT name FROM sqlite_master WHERE type = 'index'"
    names = [r[0] for r in (await conn.execute(text(sql))).all() if _OWN.match(r[0])]
    for name in names:  # matched against _OWN: hex digests only, safe to quote
        await conn.execute(text(f'DROP INDEX IF EXISTS "{name}"'))
