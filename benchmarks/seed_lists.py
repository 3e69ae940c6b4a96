"""Seed a store with N orders and N products for the large-list benchmark
(`benchmarks/lists_at_scale.py`, docs/performance.md "Large lists").

The store is made through the API (buyer `b1`, its shopper, catalog `c1` with ViewAllProducts
assigned to `b1`, one template product); then the N orders and the N products with their catalog
assignments are copied from real documents and written with bulk inserts straight into the
`resources` table, `BATCH` rows a statement (through the API a million orders would take hours).

Orders: buyers b1..b20 to the marketplace, placed by each buyer's `shopper`, Status cycling
Open / Open / Completed / Canceled, DateSubmitted a minute apart. Products: `Product <n>`, every
fifth inactive, all in catalog c1.

Run alone: python -m benchmarks.seed_lists --backend postgres --rows 100000
"""

from __future__ import annotations

import argparse
import copy
import json
import time
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import insert, text

from app.store.repo import Docs
from app.store.tables import resources
from benchmarks.appenv import AppEnv
from domain.clock import iso, utcnow
from domain.orders import new_order_doc

BATCH = 5000
BUYERS = 20
STATUSES = ("Open", "Open", "Completed", "Canceled")


def order_docs(n: int, marketplace: str) -> Iterator[dict[str, Any]]:
    start = utcnow() - timedelta(minutes=n)
    template = new_order_doc(
        order_id="o",
        from_company_id="b1",
        to_company_id=marketplace,
        now=start,
        from_user={"ID": "shopper", "Username": "shopper"},
        currency="USD",
    )
    for i in range(n):
        when = start + timedelta(minutes=i)
        doc = copy.deepcopy(template)
        total = Decimal(20 + i % 180)
        doc.update(
            ID=f"o{i:07d}",
            FromCompanyID=f"b{1 + i % BUYERS}",
            Status=STATUSES[i % len(STATUSES)],
            IsSubmitted=True,
            DateCreated=iso(when - timedelta(seconds=30)),
            DateSubmitted=iso(when),
            LastUpdated=iso(when),
            LineItemCount=1 + i % 10,
            Subtotal=total,
            Total=total,
        )
        yield doc


def product_rows(n: int, template: dict[str, Any], pca: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    for i in range(n):
        product = copy.deepcopy(template)
        product.update(ID=f"p{i:07d}", Name=f"Product {i:07d}", Active=i % 5 != 0)
        assignment = {**pca, "ProductID": product["ID"]}
        yield [
            {"kind": "product", "scope": "", "id": product["ID"], "doc": product},
            {"kind": "productcatalogassignment", "scope": "", "id": f"c1:{product['ID']}", "doc": assignment},
        ]


async def _bulk(env: AppEnv, rows: Iterator[dict[str, Any]]) -> None:
    batch: list[dict[str, Any]] = []

    async def flush() -> None:
        async with env.services.db.transaction() as conn:
            await conn.execute(insert(resources), batch)
        batch.clear()

    for row in rows:
        batch.append({"version": 1, "uniq": None, **row})
        if len(batch) >= BATCH:
            await flush()
    if batch:
        await flush()


async def make_store(env: AppEnv) -> None:
    """Everything the lists need that goes through the API: buyers, the shopper, the catalog."""
    for b in range(1, BUYERS + 1):
        await env.call("POST", "/buyers", {"ID": f"b{b}", "Name": f"Buyer {b}"})
    user = {
        "ID": "shopper",
        "Username": "shopper",
        "FirstName": "S",
        "LastName": "U",
        "Email": "shopper@example.com",
        "Active": True,
    }
    await env.call("POST", "/buyers/b1/users", user)
    await env.call("POST", "/catalogs", {"ID": "c1", "Name": "Catalog", "Active": True})
    await env.call(
        "POST", "/catalogs/assignments", {"CatalogID": "c1", "BuyerID": "b1", "ViewAllProducts": True}
    )
    await env.call(
        "POST",
        "/priceschedules",
        {"ID": "ps", "Name": "Price", "PriceBreaks": [{"Quantity": 1, "Price": 10}]},
    )
    await env.call(
        "POST",
        "/products",
        {"ID": "template", "Name": "Template", "Active": True, "DefaultPriceScheduleID": "ps"},
    )
    await env.call("POST", "/catalogs/productassignments", {"CatalogID": "c1", "ProductID": "template"})


_PG_ORDERS = """
INSERT INTO resources (kind, scope, id, doc, version)
SELECT 'order', '', 'o' || lpad(i::text, 7, '0'), CAST(:template AS jsonb) || jsonb_build_object(
    'ID', 'o' || lpad(i::text, 7, '0'),
    'FromCompanyID', 'b' || (1 + i % :buyers),
    'Status', (ARRAY['Open', 'Open', 'Completed', 'Canceled'])[1 + i % 4],
    'DateSubmitted', to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"'),
    'DateCreated', to_char(t - interval '30 seconds', 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"'),
    'LastUpdated', to_char(t, 'YYYY-MM-DD"T"HH24:MI:SS.MS"+00:00"'),
    'LineItemCount', 1 + i % 10, 'Subtotal', 20 + i % 180, 'Total', 20 + i % 180), 1
FROM generate_series(:lo, :hi - 1) AS i,
     LATERAL (SELECT TIMESTAMP '2020-01-01' + i * interval '1 minute' AS t) AS at
"""
_PG_PRODUCTS = """
INSERT INTO resources (kind, scope, id, doc, version)
SELECT 'product', '', 'p' || lpad(i::text, 7, '0'), CAST(:template AS jsonb) || jsonb_build_object(
    'ID', 'p' || lpad(i::text, 7, '0'), 'Name', 'Product ' || lpad(i::text, 7, '0'),
    'Active', i % 5 <> 0), 1
FROM generate_series(:lo, :hi - 1) AS i
"""
_PG_ASSIGNMENTS = """
INSERT INTO resources (kind, scope, id, doc, version)
SELECT 'productcatalogassignment', '', 'c1:p' || lpad(i::text, 7, '0'),
    CAST(:template AS jsonb) || jsonb_build_object('ProductID', 'p' || lpad(i::text, 7, '0')), 1
FROM generate_series(:lo, :hi - 1) AS i
"""
PG_CHUNK = 100_000


async def _pg_bulk(env: AppEnv, sql: str, rows: int, **params: Any) -> None:
    """The same rows generated in the database (PostgreSQL): no round trip per row, a chunk per
    transaction."""
    for lo in range(0, rows, PG_CHUNK):
        async with env.services.db.transaction() as conn:
            await conn.execute(text(sql), {"lo": lo, "hi": min(rows, lo + PG_CHUNK), **params})


async def _seed_pg(env: AppEnv, rows: int, product: dict[str, Any], pca: dict[str, Any]) -> dict[str, float]:
    order = next(order_docs(1, env.services.marketplace_id))
    order.update(IsSubmitted=True)
    took: dict[str, float] = {}
    began = time.perf_counter()
    await _pg_bulk(env, _PG_ORDERS, rows, template=json.dumps(order, default=float), buyers=BUYERS)
    took["orders"] = time.perf_counter() - began
    began = time.perf_counter()
    await _pg_bulk(env, _PG_PRODUCTS, rows, template=json.dumps(product))
    await _pg_bulk(env, _PG_ASSIGNMENTS, rows, template=json.dumps(pca))
    took["products"] = time.perf_counter() - began
    return took


async def seed(env: AppEnv, rows: int) -> dict[str, float]:
    """The store plus `rows` orders and `rows` products; returns seconds per part."""
    await make_store(env)
    async with env.services.db.transaction() as conn:
        docs = Docs(conn)
        template = (await docs.require("product", "template", object_type="Product")).doc
        pca = (await docs.all("productcatalogassignment"))[0]
    postgres = env.services.db.engine.dialect.name == "postgresql"
    # PostgreSQL: the rows are generated in the database (generate_series, a chunk a statement);
    # SQLite: executemany batches of BATCH rows.
    took = await (_seed_pg if postgres else _seed_rows)(env, rows, template, pca)
    began = time.perf_counter()
    if postgres:
        # Statistics for the planner, as autovacuum gathers them in production. (Not on SQLite,
        # where nothing gathers them: its per-kind averages would mislead the planner there.)
        async with env.services.db.transaction() as conn:
            await conn.exec_driver_sql("ANALYZE")
    took["analyze"] = time.perf_counter() - began
    return took


async def _seed_rows(
    env: AppEnv, rows: int, template: dict[str, Any], pca: dict[str, Any]
) -> dict[str, float]:
    marketplace = env.services.marketplace_id
    took: dict[str, float] = {}
    began = time.perf_counter()
    orders = ({"kind": "order", "scope": "", "id": d["ID"], "doc": d} for d in order_docs(rows, marketplace))
    await _bulk(env, orders)
    took["orders"] = time.perf_counter() - began
    began = time.perf_counter()
    await _bulk(env, (row for pair in product_rows(rows, template, pca) for row in pair))
    took["products"] = time.perf_counter() - began
    return took


def main() -> None:
    from benchmarks.lists_at_scale import store_env

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with store_env(args.backend) as env:
        print(env.run(seed(env, args.rows)))


if __name__ == "__main__":
    main()
