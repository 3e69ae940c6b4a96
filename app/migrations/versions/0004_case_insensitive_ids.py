"""IDs are case-insensitive (`Acme` and `acme` are one ID, as under OrderCloud's collation):
unique and lookup indexes on `lower(scope)`, `lower(id)`.

Also drops the stray `PaymentIds: null` that order returns carried next to `PaymentIDs` (a wire
name converter bug, fixed in `app/wire.py`).

Existing rows keep their spelling. Two rows that would now be one ID cannot be merged without
losing one of them, so the upgrade stops and names them; rename or delete one (through the API,
on the previous version) and run it again.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_DUPLICATES = sa.text(
    "SELECT kind, lower(scope) AS scope, lower(id) AS id, count(*) AS n FROM resources "
    "GROUP BY kind, lower(scope), lower(id) HAVING count(*) > 1 ORDER BY kind, 2, 3 LIMIT 20"
)


def upgrade() -> None:
    clashes = op.get_bind().execute(_DUPLICATES).all()
    if clashes:
        names = ", ".join(f"{r.kind} {r.scope + '/' if r.scope else ''}{r.id} (x{r.n})" for r in clashes)
        raise RuntimeError(
            "IDs are now case-insensitive and these differ only in case; rename or delete all but "
            f"one of each, then migrate again: {names}"
        )
    op.create_index(
        "uq_resources_kind_lscope_lid",
        "resources",
        ["kind", sa.text("lower(scope)"), sa.text("lower(id)")],
        unique=True,
    )
    op.create_index("ix_resources_kind_lid", "resources", ["kind", sa.text("lower(id)")])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        drop = "doc = doc - 'PaymentIds'"
        has = "doc -> 'PaymentIds' IS NOT NULL"
    else:
        drop = "doc = json_remove(doc, '$.PaymentIds')"
        has = "json_type(doc, '$.PaymentIds') IS NOT NULL"
    bind.execute(sa.text(f"UPDATE resources SET {drop} WHERE kind = 'orderreturn' AND {has}"))


def downgrade() -> None:
    op.drop_index("ix_resources_kind_lid", "resources")
    op.drop_index("uq_resources_kind_lscope_lid", "resources")
