"""A keyed table of what brings each product to buyers (issue #13, docs/performance.md "The
storefront's count off a keyed table"): one row per product assignment, product catalog
assignment, bundle assignment and bundle catalog assignment, with the keys as real columns and
the product's `Active` beside them, so the storefront's visibility is one index-only probe per
product instead of JSON reads of the product and of its assignments.

The documents stay the source of truth: the rows are kept by triggers on `resources`, in the
transaction of the write, so every path that writes documents (the API, renames, cascading
deletes, imports, bulk seeds) keeps them in step without knowing about them:
- an assignment row written or deleted: its row here replaced or deleted (keyed by its `pk`);
- a product written (`Active` or its ID changed) or deleted: `active` of the rows naming it.
`active` is the product's `Active` exactly as `JsonAccess.is_bool` reads it (a JSON `true`).
On PostgreSQL an assignment's trigger reads the product `FOR SHARE`, so a concurrent change of
the product waits for it (or it for the change) and `active` cannot miss the other's write.
(Migration 0009 replaces that row lock with an advisory lock per product ID: the row lock
deadlocked against a product's write, which locks the product from its first read.)

The upgrade fills the table from the existing documents (on PostgreSQL holding off writes to
`resources` until the triggers exist).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLE = "product_reach"
# kind -> (the field naming the product, the field naming the holder, the group field or None)
SOURCES = {
    "productcatalogassignment": ("ProductID", "CatalogID", None),
    "productassignment": ("ProductID", "BuyerID", "UserGroupID"),
    "bundlecatalogassignment": ("BundleID", "CatalogID", None),
    "bundleassignment": ("BundleID", "BuyerID", "UserGroupID"),
}
KINDS = ", ".join(f"'{k}'" for k in SOURCES)


def _case(pg: bool, row: str, which: int) -> str:
    """The field of the assignment `row` (NEW or a table alias) at position `which` of SOURCES,
    as text (NULL when absent or JSON null)."""
    arms = []
    for kind, fields in SOURCES.items():
        field = fields[which]
        if field is None:
            continue
        value = f"{row}.doc #>> '{{{field}}}'" if pg else f"json_extract({row}.doc, '$.\"{field}\"')"
        arms.append(f"WHEN '{kind}' THEN {value}")
    return f"CASE {row}.kind {' '.join(arms)} END"


def _active(pg: bool, product_id: str, *, lock: bool) -> str:
    """Whether the product `product_id` exists and is Active (a JSON true), as a boolean."""
    test = "p.doc -> 'Active' = 'true'::jsonb" if pg else "json_type(p.doc, '$.\"Active\"') = 'true'"
    found = (
        f"SELECT {test} FROM resources p WHERE p.kind = 'product' AND p.scope = '' AND p.id = {product_id}"
    )
    if lock:
        found += " FOR SHARE"
    return f"coalesce(({found}), {'false' if pg else '0'})"


def _row_of(pg: bool, row: str, *, lock: bool) -> str:
    """The select of the `product_reach` row for the assignment `row`."""
    product = _case(pg, row, 0)
    return (
        f"SELECT {row}.pk, {product}, {row}.kind, {_case(pg, row, 1)}, {_case(pg, row, 2)}, "
        f"{_active(pg, product, lock=lock)}"
    )


_COLUMNS = "(src, product_id, via, holder, grp, active)"
_PG_FUNCTION = f"""
CREATE FUNCTION ordercore_product_reach() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.kind IN ({KINDS}) THEN
        DELETE FROM {TABLE} WHERE src = OLD.pk;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind IN ({KINDS}) THEN
        INSERT INTO {TABLE} {_COLUMNS} {_row_of(True, "NEW", lock=True)};
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.kind = 'product' AND OLD.scope = '' THEN
        UPDATE {TABLE} SET active = false WHERE product_id = OLD.id AND active;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind = 'product' AND NEW.scope = '' THEN
        UPDATE {TABLE} SET active = (NEW.doc -> 'Active' = 'true'::jsonb) IS TRUE WHERE product_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$
"""
# Only writes that can change a row here call the function (the WHEN is evaluated without it):
# an assignment, or a product whose ID or Active changes.
_PRODUCT_CHANGED = (
    "(OLD.kind = 'product' AND (OLD.id IS DISTINCT FROM NEW.id OR OLD.scope IS DISTINCT FROM NEW.scope "
    "OR (OLD.doc -> 'Active') IS DISTINCT FROM (NEW.doc -> 'Active')))"
)
_PG_TRIGGERS = {
    "tr_resources_reach_insert": (
        f"AFTER INSERT ON resources FOR EACH ROW WHEN (NEW.kind IN ({KINDS}, 'product'))"
    ),
    "tr_resources_reach_update": (
        f"AFTER UPDATE ON resources FOR EACH ROW WHEN (OLD.kind IN ({KINDS}) OR NEW.kind IN ({KINDS}) "
        f"OR {_PRODUCT_CHANGED})"
    ),
    "tr_resources_reach_delete": (
        f"AFTER DELETE ON resources FOR EACH ROW WHEN (OLD.kind IN ({KINDS}, 'product'))"
    ),
}

_SQLITE_ACTIVE_OF_NEW = "coalesce(json_type(NEW.doc, '$.\"Active\"') = 'true', 0)"
_SQLITE_TRIGGERS = {
    "tr_resources_reach_insert": (
        f"AFTER INSERT ON resources WHEN NEW.kind IN ({KINDS}) BEGIN "
        f"INSERT INTO {TABLE} {_COLUMNS} {_row_of(False, 'NEW', lock=False)}; END"
    ),
    "tr_resources_reach_update": (
        f"AFTER UPDATE ON resources WHEN NEW.kind IN ({KINDS}) OR OLD.kind IN ({KINDS}) BEGIN "
        f"DELETE FROM {TABLE} WHERE src = OLD.pk; "
        f"INSERT INTO {TABLE} {_COLUMNS} {_row_of(False, 'NEW', lock=False)} WHERE NEW.kind IN ({KINDS}); END"
    ),
    "tr_resources_reach_delete": (
        f"AFTER DELETE ON resources WHEN OLD.kind IN ({KINDS}) BEGIN "
        f"DELETE FROM {TABLE} WHERE src = OLD.pk; END"
    ),
    "tr_resources_reach_product_insert": (
        "AFTER INSERT ON resources WHEN NEW.kind = 'product' AND NEW.scope = '' BEGIN "
        f"UPDATE {TABLE} SET active = {_SQLITE_ACTIVE_OF_NEW} WHERE product_id = NEW.id; END"
    ),
    "tr_resources_reach_product_update": (
        "AFTER UPDATE ON resources WHEN OLD.kind = 'product' AND (OLD.id IS NOT NEW.id "
        "OR OLD.scope IS NOT NEW.scope "
        "OR json_extract(OLD.doc, '$.\"Active\"') IS NOT json_extract(NEW.doc, '$.\"Active\"') "
        "OR json_type(OLD.doc, '$.\"Active\"') IS NOT json_type(NEW.doc, '$.\"Active\"')) BEGIN "
        f"UPDATE {TABLE} SET active = 0 WHERE product_id = OLD.id AND OLD.scope = ''; "
        f"UPDATE {TABLE} SET active = {_SQLITE_ACTIVE_OF_NEW} "
        "WHERE product_id = NEW.id AND NEW.scope = ''; END"
    ),
    "tr_resources_reach_product_delete": (
        "AFTER DELETE ON resources WHEN OLD.kind = 'product' AND OLD.scope = '' BEGIN "
        f"UPDATE {TABLE} SET active = 0 WHERE product_id = OLD.id; END"
    ),
}


def upgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    if pg:
        # Writes of a process still running wait until the triggers exist (the lock CREATE
        # TRIGGER takes, taken before the fill): one committed between the fill's snapshot and
        # the triggers would have no row here. Reads go on. (SQLite: the fill's write holds the
        # database's one write lock to the end.)
        op.execute("LOCK TABLE resources IN SHARE ROW EXCLUSIVE MODE")
    key = 'TEXT COLLATE "C"' if pg else "TEXT"
    op.execute(
        f"CREATE TABLE {TABLE} (src {'BIGINT' if pg else 'INTEGER'} PRIMARY KEY, product_id {key}, "
        f"via VARCHAR(40) NOT NULL, holder {key}, grp {key}, active BOOLEAN NOT NULL)"
    )
    op.execute(
        f"INSERT INTO {TABLE} {_COLUMNS} {_row_of(pg, 'a', lock=False)} "
        f"FROM resources a WHERE a.kind IN ({KINDS})"
    )
    # The storefront probes by product: every column it reads is in the index (index-only).
    op.execute(f"CREATE INDEX ix_reach_product ON {TABLE} (product_id, active, via, holder, grp)")
    if pg:
        op.execute(_PG_FUNCTION)
        for name, when in _PG_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {when} EXECUTE FUNCTION ordercore_product_reach()")
        op.execute(f"ANALYZE {TABLE}")
    else:
        for name, body in _SQLITE_TRIGGERS.items():
            op.execute(f"CREATE TRIGGER {name} {body}")


def downgrade() -> None:
    pg = op.get_bind().dialect.name == "postgresql"
    for name in _PG_TRIGGERS if pg else _SQLITE_TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {name}" + (" ON resources" if pg else ""))
    if pg:
        op.execute("DROP FUNCTION IF EXISTS ordercore_product_reach()")
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")
