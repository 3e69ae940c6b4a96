"""Categories in storage, and the SQL conditions category lists and product lists filter with.

Storage contract (kinds in the `resources` table, all scoped to the catalog ID, since category
IDs are unique within a catalog):
- `category`: the Category wire shape; `ChildCount` is stored null and counted when shown.
- `categoryassignment` {CategoryID, BuyerID, UserGroupID, Visible, ViewAllProducts}.
- `categoryproductassignment` {CategoryID, ProductID, ListOrder}.
The tree rules (depth, cycles, buyer visibility) are pure, in `domain.categories`; this module
loads a catalog's categories once and turns the resulting ID sets into one SQL condition.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, select, union_all

from app.catalog.visibility import BuyerView
from app.list_options import ListOptions
from app.listing import JsonAccess
from app.store.repo import Docs
from app.store.tables import resources
from domain.categories import Grant, Tree, nodes_from_docs, parse_depth, visible_categories

KIND = "category"
ASSIGN_KIND = "categoryassignment"
PRODUCT_KIND = "categoryproductassignment"
BUNDLE_KIND = "categorybundleassignment"  # app.catalog.bundles: a bundle in a category
KINDS = (KIND, ASSIGN_KIND, PRODUCT_KIND, BUNDLE_KIND)
R = resources.c
_OPERATORS = ("!", "<", ">", "*", "|")


async def tree(docs: Docs, catalog_id: str) -> Tree:
    return Tree(nodes_from_docs(await docs.all(KIND, scope=catalog_id)))


async def child_counts(docs: Docs, catalog_id: str, ids: Sequence[str]) -> dict[str, int]:
    """ChildCount (immediate children) of each category, in one statement."""
    if not ids:
        return {}
    parent = docs.json.text(["ParentID"])
    stmt = (
        select(parent.label("parent"), func.count().label("n"))
        .where(R.kind == KIND, R.scope == catalog_id, parent.in_(list(ids)))
        .group_by(parent)
    )
    return {row.parent: int(row.n) for row in await docs.conn.execute(stmt)}


async def with_child_counts(docs: Docs, catalog_id: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    counts = await child_counts(docs, catalog_id, [d["ID"] for d in items])
    return [{**d, "ChildCount": counts.get(d["ID"], 0)} for d in items]


def plain_parent(opts: ListOptions) -> str | None:
    """Take a plain `ParentID` filter (one exact ID) out of the list options: `depth` counts
    from it. A filter with operators (`!*`, wildcards, `|`) stays an ordinary filter."""
    values = opts.filter_values("ParentID")
    if len(values) != 1 or not values[0] or any(op in values[0] for op in _OPERATORS):
        return None
    opts.pop_filter("ParentID")
    return values[0]


def within_depth(t: Tree, root: str | None, depth: int | None) -> ColumnElement[bool] | None:
    """Condition on `category` rows for `depth` below `root`; None when it selects everything."""
    if root is None and depth is None:
        return None
    return R.id.in_(sorted(t.below(root, depth)))


async def catalog_grants(docs: Docs, catalog_id: str, view: BuyerView) -> tuple[bool, list[Grant]]:
    """The catalog assignment's ViewAllCategories and the user's category assignments."""
    link = await docs.all("catalogassignment", *docs.eq(CatalogID=catalog_id, BuyerID=view.buyer_id), limit=1)
    view_all = bool(link and link[0].get("ViewAllCategories"))
    rows = await docs.all(ASSIGN_KIND, *docs.eq(BuyerID=view.buyer_id), scope=catalog_id)
    grants = [
        Grant(r["CategoryID"], bool(r.get("UserGroupID")), r.get("Visible"))
        for r in rows
        if not r.get("UserGroupID") or r["UserGroupID"] in view.group_ids
    ]
    return view_all, grants


async def buyer_visible(docs: Docs, catalog_id: str, view: BuyerView, t: Tree | None = None) -> set[str]:
    """IDs of the categories of a catalog (already known visible to the buyer) the user sees."""
    t = t or await tree(docs, catalog_id)
    view_all, grants = await catalog_grants(docs, catalog_id, view)
    return visible_categories(t, grants, view_all=view_all)


def products_in_categories(pg: bool, catalog_id: str, category_ids: Sequence[str]) -> ColumnElement[bool]:
    """Condition on `product` rows: assigned to one of these categories of the catalog (a
    bundle's product: the bundle is, through its category bundle assignments)."""
    cp = resources.alias("cpa")
    j = JsonAccess(pg, cp.c.doc)
    placed = [
        select(j.text([field])).where(
            cp.c.kind == kind,
            cp.c.scope == catalog_id,
            j.text(["CategoryID"]).in_(sorted(category_ids)),
        )
        for kind, field in ((PRODUCT_KIND, "ProductID"), (BUNDLE_KIND, "BundleID"))
    ]
    return R.id.in_(union_all(*placed))


async def depth_conds(
    docs: Docs, catalog_id: str, opts: ListOptions, raw_depth: str | None, known: Tree | None = None
) -> list[ColumnElement[bool]]:
    """`depth` (default 1) counted from a plain `ParentID` filter, else from the catalog's top
    (`known`: the catalog's tree when the caller has it already)."""
    depth = parse_depth(raw_depth, 1)
    # An unknown ParentID is a filter that matches nothing (no 404, which would tell a shopper
    # whether a hidden category exists).
    root = plain_parent(opts)
    cond = within_depth(known or await tree(docs, catalog_id), root, depth)
    return [] if cond is None else [cond]
