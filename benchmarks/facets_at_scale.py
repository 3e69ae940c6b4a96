"""Facets at scale (issue #14): /me/products with N products in 1,000 categories and two product
facets, a page of 20 with a facet filter against the same page without filters (the issue's
bar: within 3x). Figures in docs/performance.md "Facets".

The store is `benchmarks/seed_lists.py`'s (N orders, N products in catalog c1, b1's shopper sees
the active 4 in 5), plus: every product's xp gets `Color` (one of 8, as text) and `Sizes` (an
array of 2 of 5 values); 1,000 categories in c1, product n in category n % 1000; facets `color`
(xp.Color) and `size` (xp.Sizes). Pages, each as b1's shopper, each with Meta.Facets counted:
- `plain`: GET /me/products
- `filtered`: GET /me/products?xp.Color=red (1 in 8 products)
- `filtered_array`: GET /me/products?xp.Sizes=M (an array element: 2 in 5)
- `category` / `category_filtered`: the same in one category (categoryID=cat0007, depth all)

Run: python -m benchmarks.facets_at_scale --backend postgres --sizes 100000
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

from sqlalchemy import insert, text

from app.store.repo import Docs
from app.store.tables import resources
from benchmarks.appenv import AppEnv
from benchmarks.lists_at_scale import _tokens, store_env
from benchmarks.seed_lists import seed

CATEGORIES = 1000
COLORS = ("red", "blue", "green", "black", "white", "yellow", "orange", "purple")
SIZES = ("XS", "S", "M", "L", "XL")
PAGES = {
    "plain": "/me/products",
    "filtered": "/me/products?xp.Color=red",
    "filtered_array": "/me/products?xp.Sizes=M",
    "category": "/me/products?catalogID=c1&categoryID=cat0007",
    "category_filtered": "/me/products?catalogID=c1&categoryID=cat0007&xp.Color=red",
}

# Product n (its ID is p<n, zero-padded), with m = n + n // 1000 (so that the values cycle within
# a category as well as along the list): Color COLORS[m % 8], Sizes [SIZES[m % 5], SIZES[(m + 2) % 5]].
_PG_XP = """
UPDATE resources SET doc = jsonb_set(doc, '{xp}', jsonb_build_object(
    'Color', (CAST(:colors AS jsonb)) ->> ((CAST(substr(id, 2) AS int) * 1001 / 1000) % 8),
    'Sizes', jsonb_build_array(
        (CAST(:sizes AS jsonb)) ->> ((CAST(substr(id, 2) AS int) * 1001 / 1000) % 5),
        (CAST(:sizes AS jsonb)) ->> (((CAST(substr(id, 2) AS int) * 1001 / 1000) + 2) % 5))))
WHERE kind = 'product' AND id LIKE 'p%'
"""
_SQLITE_XP = """
UPDATE resources SET doc = json_set(doc, '$.xp', json_object(
    'Color', json_extract(:colors, '$[' || ((CAST(substr(id, 2) AS int) * 1001 / 1000) % 8) || ']'),
    'Sizes', json_array(
        json_extract(:sizes, '$[' || ((CAST(substr(id, 2) AS int) * 1001 / 1000) % 5) || ']'),
        json_extract(:sizes, '$[' || (((CAST(substr(id, 2) AS int) * 1001 / 1000) + 2) % 5) || ']'))))
WHERE kind = 'product' AND id LIKE 'p%'
"""


async def seed_facets(env: AppEnv, rows: int) -> float:
    """xp values, categories, category assignments and the facets; seconds taken."""
    began = time.perf_counter()
    pg = env.services.db.engine.dialect.name == "postgresql"
    async with env.services.db.transaction() as conn:
        await conn.execute(
            text(_PG_XP if pg else _SQLITE_XP), {"colors": json.dumps(COLORS), "sizes": json.dumps(SIZES)}
        )
    assignment = {"CatalogID": "c1", "BuyerID": "b1", "ViewAllProducts": True, "ViewAllCategories": True}
    await env.call("POST", "/catalogs/assignments", assignment)
    for c in range(CATEGORIES):
        body = {"ID": f"cat{c:04d}", "Name": f"Category {c}", "Active": True}
        await env.call("POST", "/catalogs/c1/categories", body)
    await env.call(
        "POST",
        "/catalogs/c1/categories/productassignments",
        {"CategoryID": "cat0000", "ProductID": "template"},
    )
    async with env.services.db.transaction() as conn:
        template = (await Docs(conn).all("categoryproductassignment", scope="c1"))[0]
    batch: list[dict[str, Any]] = []
    for n in range(rows):
        product_id = f"p{n:07d}"
        doc = {**template, "CategoryID": f"cat{n % CATEGORIES:04d}", "ProductID": product_id}
        row_id = f"{doc['CategoryID']}:{product_id}"
        batch.append(
            {"kind": "categoryproductassignment", "scope": "c1", "id": row_id, "doc": doc, "version": 1}
        )
        if len(batch) == 5000 or n == rows - 1:
            async with env.services.db.transaction() as conn:
                await conn.execute(insert(resources), batch)
            batch.clear()
    await env.call(
        "POST", "/productfacets", {"ID": "color", "Name": "Color", "XpPath": "Color", "ListOrder": 0}
    )
    await env.call(
        "POST", "/productfacets", {"ID": "size", "Name": "Size", "XpPath": "Sizes", "ListOrder": 1}
    )
    if pg:
        # The xp UPDATE above left a dead row version of every product; autovacuum would clear
        # them in production, and until it does the storefront count reads them all (250 ms
        # instead of 50 at 100k, docs/performance.md). VACUUM runs outside a transaction.
        async with env.services.db.engine.connect() as conn:
            auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await auto.exec_driver_sql("VACUUM ANALYZE resources")
    return time.perf_counter() - began


async def measure(env: AppEnv, rounds: int) -> dict[str, float]:
    """Median milliseconds per page."""
    token = (await _tokens(env))["me_products"]
    out: dict[str, float] = {}
    for name, path in PAGES.items():
        for _ in range(3):
            response = await env.call("GET", path, token=token)
        times = []
        for _ in range(rounds):
            began = time.perf_counter()
            response = await env.call("GET", path, token=token)
            times.append((time.perf_counter() - began) * 1000)
        body = response.json()
        assert len(body["Items"]) == min(20, body["Meta"]["TotalCount"]) > 0, (name, response.text[:300])
        assert [f["Name"] for f in body["Meta"]["Facets"]] == ["Color", "Size"], body["Meta"]
        out[name] = statistics.median(times)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--sizes", default="100000")
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--reuse", default="", help="measure a seeded PostgreSQL schema (kept) again")
    parser.add_argument("--keep", action="store_true", help="print the PostgreSQL schema and keep it")
    args = parser.parse_args()
    for size in [int(s) for s in args.sizes.split(",")]:
        with store_env(args.backend, args.reuse, keep=args.keep) as env:
            took = {}
            if not args.reuse:
                took = env.run(seed(env, size))
                took["facets"] = env.run(seed_facets(env, size))
            print(
                f"{args.backend} {size:,} products: seeded in "
                + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()),
                flush=True,
            )
            result = env.run(measure(env, args.rounds))
            print("  p50 ms: " + ", ".join(f"{k} {v:.1f}" for k, v in result.items()), flush=True)
            print(
                f"  filtered / plain: {result['filtered'] / result['plain']:.2f}x, "
                f"filtered_array / plain: {result['filtered_array'] / result['plain']:.2f}x, "
                f"category_filtered / category: {result['category_filtered'] / result['category']:.2f}x",
                flush=True,
            )


if __name__ == "__main__":
    main()
