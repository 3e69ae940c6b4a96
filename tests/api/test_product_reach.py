"""The keyed table the storefront's visibility reads (`product_reach`, migration 0008) stays in
step with the documents it is derived from, whatever writes them: its rows are exactly what the
assignment documents and the products' Active say, after each write through the API (creates,
Active changes, renames, deletes and the deletes they cascade to), on both databases; and the
migration fills it from documents written before it."""

from __future__ import annotations

import asyncio
import json
import secrets
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from sqlalchemy import create_engine, select, text

from app.migrate import alembic_config
from app.store.db import Database
from app.store.repo import Docs
from app.store.tables import product_reach, resources
from tests.api import catalog_fixtures as cat
from tests.api.storefront_setup import add_buyer, add_shopper, enable_storefront
from tests.conftest import PG_URL
from tests.helpers import Api

# kind -> (the field naming the product, the holder's field, the group's field)
SOURCES = {
    "productcatalogassignment": ("ProductID", "CatalogID", None),
    "productassignment": ("ProductID", "BuyerID", "UserGroupID"),
    "bundlecatalogassignment": ("BundleID", "CatalogID", None),
    "bundleassignment": ("BundleID", "BuyerID", "UserGroupID"),
}
Row = tuple[int, Any, str, Any, Any, bool]


def expected_rows(stored: list[tuple[int, str, str, str, dict[str, Any]]]) -> set[Row]:
    """What the table must hold, computed from the documents (pk, kind, scope, id, doc)."""
    active = {
        id: doc.get("Active") is True
        for _, kind, scope, id, doc in stored
        if kind == "product" and scope == ""
    }
    rows = set()
    for pk, kind, _, _, doc in stored:
        if kind in SOURCES:
            product, holder, group = SOURCES[kind]
            pid = doc.get(product)
            rows.add(
                (pk, pid, kind, doc.get(holder), doc.get(group) if group else None, active.get(pid, False))
            )
    return rows


async def assert_in_step(api: Api) -> None:
    async with api.services.db.transaction() as conn:
        r = resources.c
        stored = [
            (row.pk, row.kind, row.scope, row.id, row.doc)
            for row in await conn.execute(
                select(r.pk, r.kind, r.scope, r.id, r.doc).where(r.kind.in_([*SOURCES, "product"]))
            )
        ]
        kept = {tuple(row) for row in await conn.execute(select(*product_reach.c))}
    assert {
        (pk, pid, via, holder, grp, bool(active)) for pk, pid, via, holder, grp, active in kept
    } == expected_rows(stored)


async def product_ids(api: Api, token: str) -> list[str]:
    return [p["ID"] for p in (await api.ok("GET", "/me/products", token=token))["Items"]]


async def test_the_reach_rows_follow_every_write(api: Api) -> None:
    await enable_storefront(api)
    await add_buyer(api, "sb")
    token = await add_shopper(api, "sb", "shopper1", groups=("g1",))
    await api.ok("POST", "/catalogs", {"ID": "c1", "Name": "C1", "Active": True})
    await api.ok(
        "POST",
        "/catalogs/assignments",
        {"CatalogID": "c1", "BuyerID": "sb", "ViewAllProducts": True},
        status=204,
    )
    for pid in ("p1", "p2", "p3", "p4"):
        await cat.product(api, pid, buyers=())
    await api.ok("POST", "/catalogs/productassignments", {"CatalogID": "c1", "ProductID": "p1"}, status=204)
    await api.ok("POST", "/products/assignments", {"ProductID": "p2", "BuyerID": "sb"}, status=204)
    await api.ok(
        "POST", "/products/assignments", {"ProductID": "p3", "BuyerID": "sb", "UserGroupID": "g1"}, status=204
    )
    await assert_in_step(api)
    assert await product_ids(api, token) == ["p1", "p2", "p3"]

    await api.ok("PATCH", "/products/p1", {"Active": False})
    await assert_in_step(api)
    assert await product_ids(api, token) == ["p2", "p3"]
    await api.ok("PATCH", "/products/p1", {"Active": True, "ID": "p1b"})  # a rename, made active again
    await assert_in_step(api)
    assert await product_ids(api, token) == ["p1b", "p2", "p3"]
    await api.ok("PUT", "/products/p2", {**(await api.ok("GET", "/products/p2")), "Active": False})
    await assert_in_step(api)
    assert await product_ids(api, token) == ["p1b", "p3"]

    await api.ok("DELETE", "/products/p3/assignments/sb", params={"userGroupID": "g1"}, status=204)
    await assert_in_step(api)
    await api.ok("DELETE", "/products/p1b", status=204)  # takes its catalog assignment with it
    await assert_in_step(api)
    await api.ok("POST", "/catalogs/productassignments", {"CatalogID": "c1", "ProductID": "p4"}, status=204)
    assert await product_ids(api, token) == ["p4"]
    await api.ok("DELETE", "/catalogs/c1", status=204)
    await assert_in_step(api)
    assert await product_ids(api, token) == []


INSERT = text("INSERT INTO resources (kind, scope, id, doc, version) VALUES (:kind, '', :id, :doc, 1)")


def test_the_migration_fills_the_table_from_existing_documents(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0007")
    engine = create_engine(url)
    docs = [
        ("product", "p1", {"ID": "p1", "Active": True}),
        ("product", "p2", {"ID": "p2", "Active": False}),
        ("productcatalogassignment", "c1:p1", {"CatalogID": "c1", "ProductID": "p1"}),
        ("productassignment", "p2:b1:", {"ProductID": "p2", "BuyerID": "b1", "UserGroupID": None}),
        ("productassignment", "p1:b1:g", {"ProductID": "p1", "BuyerID": "b1", "UserGroupID": "g"}),
        ("bundleassignment", "k:b1:", {"BundleID": "k", "BuyerID": "b1"}),
    ]
    with engine.begin() as conn:
        for kind, id, doc in docs:
            conn.execute(INSERT, {"kind": kind, "id": id, "doc": json.dumps(doc)})
    command.upgrade(cfg, "head")
    with engine.begin() as conn:
        rows = {tuple(r)[1:] for r in conn.execute(text("SELECT * FROM product_reach"))}
    engine.dispose()
    assert rows == {
        ("p1", "productcatalogassignment", "c1", None, 1),
        ("p2", "productassignment", "b1", None, 0),
        ("p1", "productassignment", "b1", "g", 1),
        ("k", "bundleassignment", "b1", None, 0),  # no product k (yet): not active
    }


async def _one_assignment(api: Api) -> dict[str, Any]:
    await add_buyer(api, "sb")
    await cat.product(api, "p1", buyers=())
    await api.ok("POST", "/products/assignments", {"ProductID": "p1", "BuyerID": "sb"}, status=204)
    async with api.services.db.transaction() as conn:
        (assignment,) = await Docs(conn).all("productassignment", scope=None)
    return assignment


async def test_an_assignment_rewritten_while_its_product_is_being_changed_does_not_deadlock(api: Api) -> None:
    """PostgreSQL: an admin re-saving a product's assignment while another changes the product.
    The product's write locks it from its first read (FOR UPDATE), then its trigger rewrites the
    reach rows; the assignment's write replaces its reach row, then reads the product. Neither may
    wait on the other while holding what the other needs (a deadlock: one request fails)."""
    if api.services.db.is_sqlite:
        pytest.skip("SQLite writers take the database lock first: they cannot interleave")
    assignment = await _one_assignment(api)

    async def resave_assignment() -> None:
        async with api.services.db.transaction() as conn:
            await Docs(conn).replace(
                "productassignment", assignment["ID"], {**assignment, "PriceScheduleID": None}
            )

    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        product = await docs.get("product", "p1", lock=True)  # as a PATCH reads it
        assert product is not None
        other = asyncio.create_task(resave_assignment())
        await asyncio.sleep(0.3)  # the assignment's write gets as far as it can
        await docs.replace("product", "p1", {**product.doc, "Active": False})
    await asyncio.wait_for(other, 10)
    await assert_in_step(api)


async def test_an_assignment_written_during_an_active_change_gets_the_products_final_active(api: Api) -> None:
    """PostgreSQL: the product's Active changed while a new assignment naming it is written and
    not yet committed (the product's write cannot see its reach row); the reach row still ends
    with the product's Active."""
    if api.services.db.is_sqlite:
        pytest.skip("SQLite writers take the database lock first: they cannot interleave")
    assignment = await _one_assignment(api)

    async def deactivate() -> None:
        async with api.services.db.transaction() as conn:
            docs = Docs(conn)
            product = await docs.get("product", "p1", lock=True)
            assert product is not None
            await docs.replace("product", "p1", {**product.doc, "Active": False})

    added = {**assignment, "ID": "p1-sb-g1", "UserGroupID": "g1"}
    async with api.services.db.transaction() as conn:
        await Docs(conn).insert("productassignment", added)  # reads the product while it is Active
        other = asyncio.create_task(deactivate())
        await asyncio.sleep(0.3)  # the product's write gets as far as it can
    await asyncio.wait_for(other, 10)
    await assert_in_step(api)


async def test_the_migration_on_postgres_keeps_what_is_written_while_it_runs() -> None:
    """PostgreSQL, a store in use while it migrates (another process of the previous version
    still writing): an assignment committed while the migration runs is in the table too, either
    read by the fill or kept by the trigger, never between the two."""
    schema = "t_" + secrets.token_hex(6)
    admin = Database(PG_URL)
    async with admin.transaction() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    cfg = alembic_config(PG_URL, schema)
    writer = Database(PG_URL, schema=schema)
    try:
        await asyncio.to_thread(command.upgrade, cfg, "0007")
        async with writer.transaction() as conn:
            docs = Docs(conn)
            await docs.insert("product", {"ID": "p1", "Active": True})
            await docs.insert(
                "productcatalogassignment", {"ID": "c1-p1", "CatalogID": "c1", "ProductID": "p1"}
            )
            migration = asyncio.create_task(asyncio.to_thread(command.upgrade, cfg, "head"))
            await asyncio.sleep(1.0)  # the migration gets as far as it can
        await asyncio.wait_for(migration, 60)
        async with writer.transaction() as conn:
            rows = [
                tuple(row)
                for row in await conn.execute(select(product_reach.c.product_id, product_reach.c.active))
            ]
        assert rows == [("p1", True)]
    finally:
        await writer.dispose()
        async with admin.transaction() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        await admin.dispose()


async def test_a_catalog_of_many_products_is_written_in_one_transaction(
    services: Any, backend_name: str
) -> None:
    """An import or seed writes tens of thousands of products and their assignments at once:
    keeping the table in step must not take a lock per product (PostgreSQL's shared lock table,
    ~8,000 entries here, ran out: "out of shared memory"), and the rows are all there afterwards."""
    if backend_name != "postgres":
        pytest.skip("SQLite takes no locks per row (one writer at a time)")
    many = 40_000
    products = text(
        "INSERT INTO resources (kind, scope, id, doc, version) SELECT 'product', '', 'bulk' || i, "
        "jsonb_build_object('ID', 'bulk' || i, 'Active', i % 2 = 0), 1 FROM generate_series(1, :n) AS i"
    )
    assignments = text(
        "INSERT INTO resources (kind, scope, id, doc, version) SELECT 'productcatalogassignment', '', "
        "'bulkcat:bulk' || i, jsonb_build_object('CatalogID', 'bulkcat', 'ProductID', 'bulk' || i), 1 "
        "FROM generate_series(1, :n) AS i"
    )
    every_active = text(
        "UPDATE resources SET doc = jsonb_set(doc, '{Active}', 'true') "
        "WHERE kind = 'product' AND id LIKE 'bulk%'"
    )

    async def actives() -> list[bool]:
        async with services.db.reader() as conn:
            ours = product_reach.c.holder == "bulkcat"
            found = await conn.execute(select(product_reach.c.active).where(ours))
            return [bool(active) for (active,) in found]

    async with services.db.transaction() as conn:
        await conn.execute(products, {"n": many})
        await conn.execute(assignments, {"n": many})
    found = await actives()
    assert len(found) == many and sum(found) == many // 2
    async with services.db.transaction() as conn:  # every product's Active changes at once
        await conn.execute(every_active)
    assert await actives() == [True] * many
