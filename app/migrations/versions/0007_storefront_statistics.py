"""Statistics on what the storefront filters on (issue #13, docs/performance.md "The storefront
page at scale"): PostgreSQL keeps no statistics on a JSON expression unless told to, so it priced
`Active = true` at its default selectivity (0.5 % per predicate, two predicates), estimated a
couple of visible products out of 100,000, and chose to read and sort every product instead of
walking the Name index for a page of 20. Extended statistics on the expressions exactly as
`JsonAccess.is_bool` compiles them, together with `kind` (so "active among products" is
estimated, not "active among all documents" times "products"), give it the real fraction.

Nothing is stored or moved: statistics are gathered by ANALYZE (here once, then by autovacuum).
SQLite has no extended statistics; nothing to do there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STATISTICS = "st_res_kind_active"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"CREATE STATISTICS {STATISTICS} ON kind, (doc #>> '{{Active}}'), "
        "(jsonb_typeof(doc #> '{Active}')) FROM resources"
    )
    op.execute("ANALYZE resources")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP STATISTICS IF EXISTS {STATISTICS}")
