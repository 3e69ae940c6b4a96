"""`product_reach`'s PostgreSQL trigger (migration 0008) without row locks on products: an
assignment's write no longer reads its product `FOR SHARE`.

That lock made an assignment's write wait for a product its request did not otherwise touch,
while holding the assignment's row and its reach row; a product's write locks the product from
its first read (`FOR UPDATE`, for the whole request) and its trigger then rewrites the reach rows
naming it, the assignment's among them. A product PATCH, PUT or DELETE and a re-saved (or
cascade-deleted) assignment of that product deadlocked: PostgreSQL failed one of the two requests.

What the lock guarded stays guarded, by a transaction-level advisory lock per product ID (a class
of its own, `_LOCK_CLASS`, and one of `_BUCKETS` keys taken from `hashtext` of the ID; two
products on one key only wait for each other while one of them changes). The keys are few so that
a write of many products in one transaction (an import, a cascade, a seed) holds at most
`_BUCKETS` locks: one lock per product exhausted PostgreSQL's shared lock table ("out of shared
memory", `max_locks_per_transaction`) at tens of thousands of products. An assignment's write
takes its key shared before it reads the product's `Active`, and a product's write whose ID or
`Active` changes takes it exclusive before it rewrites the reach rows. Whichever comes second
waits for the other to commit and then reads (each statement of the function takes a fresh
snapshot), so `active` cannot miss a concurrent change, and no request waits on a row lock it did
not wait on before this table existed.

SQLite: unchanged (one writer at a time).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01
"""

from __future__ import annotations

import importlib

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_0008 = importlib.import_module("app.migrations.versions.0008_product_reach")
TABLE = _0008.TABLE
KINDS = _0008.KINDS
# The advisory lock class of `product_reach` (any constant no other lock of the database uses).
_LOCK_CLASS = 80_008
_BUCKETS = 256  # a power of two: the key is the hash's low bits

_FUNCTION = f"""
CREATE OR REPLACE FUNCTION ordercore_product_reach() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    product text;
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.kind IN ({KINDS}) THEN
        DELETE FROM {TABLE} WHERE src = OLD.pk;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind IN ({KINDS}) THEN
        product := {_0008._case(True, "NEW", 0)};
        IF product IS NOT NULL THEN
            PERFORM pg_advisory_xact_lock_shared({_LOCK_CLASS}, hashtext(product) & {_BUCKETS - 1});
        END IF;
        INSERT INTO {TABLE} {_0008._COLUMNS} {_0008._row_of(True, "NEW", lock=False)};
    END IF;
    IF TG_OP <> 'INSERT' AND OLD.kind = 'product' AND OLD.scope = '' THEN
        PERFORM pg_advisory_xact_lock({_LOCK_CLASS}, hashtext(OLD.id) & {_BUCKETS - 1});
        UPDATE {TABLE} SET active = false WHERE product_id = OLD.id AND active;
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.kind = 'product' AND NEW.scope = '' THEN
        PERFORM pg_advisory_xact_lock({_LOCK_CLASS}, hashtext(NEW.id) & {_BUCKETS - 1});
        UPDATE {TABLE} SET active = (NEW.doc -> 'Active' = 'true'::jsonb) IS TRUE WHERE product_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_FUNCTION)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(_0008._PG_FUNCTION.replace("CREATE FUNCTION", "CREATE OR REPLACE FUNCTION", 1))
