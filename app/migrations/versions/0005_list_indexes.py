"""Indexes shaped by the list queries (issue #13, docs/performance.md "Large lists"): expression
indexes over the document fields that Orders.List and /me/products filter and sort on, so a page
costs an index walk of page-size rows instead of a scan of every document of the kind.

The document stays the only source of truth (no copied columns to keep in step): each index is
on exactly the expression `app.listing.JsonAccess` compiles (`doc #>> '{F}' COLLATE "C"` on
PostgreSQL, `json_extract(doc, '$."F"')` on SQLite, under `lower()` where the list compares or
sorts case-insensitively), which is what lets the planners match them. Building the indexes reads
the existing rows, so no data has to move.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

# (name, columns): "t:F" the field as text, "l:F" lower-cased, "d:F" as text descending (newest
# first, absent last: `sortBy=!DateSubmitted` as lists compile it), anything else a column.
INDEXES: list[tuple[str, list[str]]] = [
    # Orders.List: Incoming (to), Outgoing (from), a shopper's own (user), All and seller-wide
    # (status); `Status=...&sortBy=!DateSubmitted` reads the first page straight off the index.
    ("ix_res_to_status_submitted", ["kind", "t:ToCompanyID", "l:Status", "d:DateSubmitted", "id"]),
    ("ix_res_from_status_submitted", ["kind", "t:FromCompanyID", "l:Status", "d:DateSubmitted", "id"]),
    ("ix_res_user_status_submitted", ["kind", "t:FromUserID", "l:Status", "d:DateSubmitted", "id"]),
    ("ix_res_status_submitted", ["kind", "l:Status", "d:DateSubmitted", "id"]),
    # Lists by company in their default order (ID).
    ("ix_res_to_lid", ["kind", "t:ToCompanyID", "lower(id)", "id"]),
    ("ix_res_from_lid", ["kind", "t:FromCompanyID", "lower(id)", "id"]),
    # Name order (the /me/products default, and any list sorted by Name).
    ("ix_res_lname", ["kind", "l:Name", "id"]),
    # Product visibility: assignments probed by product (with the buyer or catalog in the key, so
    # SQLite prefers them to the buyer or catalog alone: that would read every assignment of the
    # catalog for each product on the page), and by catalog and buyer.
    ("ix_res_product_buyer", ["kind", "t:ProductID", "t:BuyerID"]),
    ("ix_res_product_catalog", ["kind", "t:ProductID", "t:CatalogID"]),
    ("ix_res_catalogid", ["kind", "t:CatalogID"]),
    ("ix_res_buyerid", ["kind", "t:BuyerID"]),
]


def _expr(spec: str, pg: bool) -> str:
    if ":" not in spec:
        return spec
    how, name = spec.split(":", 1)
    text = f"((doc #>> '{{{name}}}') COLLATE \"C\")" if pg else f"json_extract(doc, '$.\"{name}\"')"
    if how == "l":
        return f"lower({text})"
    if how == "d":
        return f"{text} DESC NULLS LAST" if pg else f"{text} DESC"
    return text


def upgrade() -> None:
    bind = op.get_bind()
    pg = bind.dialect.name == "postgresql"
    for name, cols in INDEXES:
        op.execute(f"CREATE INDEX {name} ON resources ({', '.join(_expr(c, pg) for c in cols)})")
    if pg:
        # Fresh statistics, so the planner weighs the new indexes from the first query on. (Not
        # on SQLite: there stale statistics of a young database would outlive it, while without
        # any the planner assumes indexes are selective, which these are.)
        op.execute("ANALYZE resources")


def downgrade() -> None:
    for name, _ in reversed(INDEXES):
        op.drop_index(name, "resources")
