"""Which products and catalogs a buyer user sees, as SQL conditions on the `resources` table, so
storefront lists filter, sort and page in the database and single reads use the same rule.

A buyer user sees an *active* product when either
- a product assignment names the user's buyer with no user group, or one of the user's groups; or
- the product is in an *active* catalog assigned to the buyer with `ViewAllProducts` true.

A bundle is listed as the product that stands for it (`IsBundle: true`, the bundle's ID; kept by
`app.catalog.bundles`), under the same rule with the bundle's own assignments (to the buyer or a
group, to a ViewAllProducts catalog), and only while the user sees every product in the bundle
(OrderCloud: a bundle whose products the user does not all see is not shown).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, any_, exists, func, literal, or_, select, union_all

from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.listing import JsonAccess
from app.store.repo import Docs
from app.store.tables import resources


@dataclass
class BuyerView:
    buyer_id: str
    group_ids: list[str]


async def buyer_view(docs: Docs, caller: Caller) -> BuyerView:
    return BuyerView(caller.company_id, await group_ids(docs, "buyer", caller.company_id, caller.user_id))


def active_catalog_ids(pg: bool) -> Select[Any]:
    cat = resources.alias("cat")
    return select(cat.c.id).where(
        cat.c.kind == "catalog", cat.c.scope == "", JsonAccess(pg, cat.c.doc).is_bool(["Active"], True)
    )


def assigned_catalog_ids(pg: bool, buyer_id: str, *, all_products_only: bool = False) -> Select[Any]:
    """IDs of the active catalogs assigned to the buyer (optionally only ViewAllProducts ones)."""
    ca = resources.alias("ca")
    j = JsonAccess(pg, ca.c.doc)
    conds = [ca.c.kind == "catalogassignment", j.text(["BuyerID"]) == buyer_id]
    if all_products_only:
        conds.append(j.is_bool(["ViewAllProducts"], True))
    conds.append(j.text(["CatalogID"]).in_(active_catalog_ids(pg)))
    return select(j.text(["CatalogID"])).where(*conds)


def _outer_id(pg: bool, outer: Any = resources) -> ColumnElement[Any]:
    """The listed product's ID as the assignment probes compare it. On SQLite `id || ''`: the
    bare column would lend its TEXT affinity to the comparison, and SQLite then will not use the
    (affinity-less) `json_extract` index on the assignment's ProductID."""
    return outer.c.id if pg else outer.c.id.concat("")


def _probe(pg: bool, *conds: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS, evaluated per listed row. On PostgreSQL `OFFSET 0` keeps it so: an EXISTS under
    OR is otherwise turned into a hashed subplan, which reads every matching assignment (all of a
    100k-product catalog's) before the first row of the page."""
    probe = select(literal(1)).where(*conds)
    return exists(probe.offset(0) if pg else probe)


def _in_groups(j: JsonAccess, groups: Sequence[str]) -> ColumnElement[bool]:
    return or_(j.is_null(["UserGroupID"]), j.text(["UserGroupID"]).in_(list(groups)))


def _assigned(
    pg: bool, buyer_id: str, groups: Sequence[str], outer: Any = resources, *, kind: str = "productassignment"
) -> ColumnElement[bool]:
    """EXISTS an assignment of this product (or bundle: `kind` bundleassignment) to the buyer (or
    one of the user's groups). Correlated on ProductID, through the (kind, ProductID, BuyerID)
    index (migration 0005): a page of 20 probes the index 20 times instead of reading every
    assignment of the buyer."""
    pa = resources.alias("pa" if kind == "productassignment" else "ba")
    j = JsonAccess(pg, pa.c.doc)
    field = "ProductID" if kind == "productassignment" else "BundleID"
    return _probe(
        pg,
        pa.c.kind == kind,
        j.text([field]) == _outer_id(pg, outer),
        j.text(["BuyerID"]) == buyer_id,
        _in_groups(j, groups),
    )


def _in_viewall_catalog(
    pg: bool, buyer_id: str, outer: Any = resources, *, kind: str = "productcatalogassignment"
) -> ColumnElement[bool]:
    """EXISTS an assignment of this product (or bundle) to an active ViewAllProducts catalog of
    the buyer, probed by ProductID like the above; the (few) catalog IDs are computed once per
    statement."""
    pc = resources.alias("pc" if kind == "productcatalogassignment" else "bc")
    j = JsonAccess(pg, pc.c.doc)
    field = "ProductID" if kind == "productcatalogassignment" else "BundleID"
    return _probe(
        pg,
        pc.c.kind == kind,
        j.text([field]) == _outer_id(pg, outer),
        _one_of_viewall_catalogs(pg, j.text(["CatalogID"]), buyer_id),
    )


def _one_of_viewall_catalogs(pg: bool, catalog_id: ColumnElement[Any], buyer_id: str) -> ColumnElement[bool]:
    """`catalog_id` names an active ViewAllProducts catalog of the buyer. On PostgreSQL
    `= ANY(ARRAY(subquery))`: an InitPlan, run once per statement, where `IN (subquery)` inside
    the per-product probe was planned as a semi-join re-run for every product (two more index
    scans each: about half the cost of counting 10,000 visible products). SQLite computes an
    uncorrelated IN list once per statement already."""
    ids = assigned_catalog_ids(pg, buyer_id, all_products_only=True)
    if pg:
        return catalog_id == any_(func.array(ids.scalar_subquery()))
    return catalog_id.in_(ids)


def _assigned_ids(
    pg: bool, kind: str, field: str, buyer_id: str, groups: Sequence[str], alias: str
) -> Select[Any]:
    """The IDs (`field`) that assignments of `kind` give the buyer (or one of the user's groups),
    as a set for the bulk forms (`_assigned` probes the same rows one product at a time)."""
    a = resources.alias(alias)
    j = JsonAccess(pg, a.c.doc)
    return select(j.text([field])).where(
        a.c.kind == kind, j.text(["BuyerID"]) == buyer_id, _in_groups(j, groups)
    )


def _viewall_ids(pg: bool, kind: str, field: str, buyer_id: str, alias: str) -> Select[Any]:
    """The IDs (`field`) that assignments of `kind` put in an active ViewAllProducts catalog of the
    buyer, as a set for the bulk forms (`_in_viewall_catalog` probes them one product at a time)."""
    a = resources.alias(alias)
    j = JsonAccess(pg, a.c.doc)
    return select(j.text([field])).where(
        a.c.kind == kind,
        j.text(["CatalogID"]).in_(assigned_catalog_ids(pg, buyer_id, all_products_only=True)),
    )


def _bundle_reached(
    pg: bool, buyer_id: str, groups: Sequence[str], *, bulk: bool = False
) -> ColumnElement[bool]:
    """On the product standing for a bundle: the bundle's own assignments bring it to the user,
    and the user sees every product in it. Evaluated only for `IsBundle` rows (the cheap test
    first), so an ordinary product pays one JSON test for it; `bulk` (a statement reading every
    visible product): the reached bundles as a set, computed once, so an ordinary product pays
    one hash probe instead."""
    component = resources.alias("bcp")
    jc = JsonAccess(pg, component.c.doc)
    bpa = resources.alias("bpa")
    jb = JsonAccess(pg, bpa.c.doc)
    component_seen = _probe(
        pg,
        component.c.kind == "product",
        component.c.scope == "",
        component.c.id == jb.text(["ProductID"]),
        jc.is_bool(["Active"], True),
        or_(_assigned(pg, buyer_id, groups, component), _in_viewall_catalog(pg, buyer_id, component)),
    )
    hidden_component = _probe(
        pg,
        bpa.c.kind == "bundleproductassignment",
        jb.text(["BundleID"]) == resources.c.id,
        ~component_seen,
    )
    if bulk:
        assigned = _assigned_ids(pg, "bundleassignment", "BundleID", buyer_id, groups, "bab")
        in_catalogs = _viewall_ids(pg, "bundlecatalogassignment", "BundleID", buyer_id, "bcb")
        reached = resources.c.id.in_(union_all(assigned, in_catalogs))
        return and_(reached, JsonAccess(pg).is_bool(["IsBundle"], True), ~hidden_component)
    return and_(
        JsonAccess(pg).is_bool(["IsBundle"], True),
        or_(
            _assigned(pg, buyer_id, groups, kind="bundleassignment"),
            _in_viewall_catalog(pg, buyer_id, kind="bundlecatalogassignment"),
        ),
        ~hidden_component,
    )


def product_visible(pg: bool, view: BuyerView, *, active_only: bool = True) -> ColumnElement[bool]:
    """Condition on a `product` row: this buyer user may see (and buy) it."""
    return _product_visible(pg, view.buyer_id, tuple(view.group_ids), active_only)


# SQL expressions are immutable, and building this one costs more than running it on a small
# catalog (about 0.7 ms: four subqueries of JSON paths), on every line added and every page; so
# it is built once per buyer, group set and flag.
@lru_cache(maxsize=256)
def _product_visible(
    pg: bool, buyer_id: str, groups: tuple[str, ...], active_only: bool
) -> ColumnElement[bool]:
    # Correlated EXISTS, not `id IN (subquery)`: under OR an IN becomes a hashed subplan that
    # reads every assignment of the buyer (100k rows for a 100k-product catalog) on every page.
    # The catalog probe first: in a large storefront most visible products come from a
    # ViewAllProducts catalog, and OR stops at the first probe that finds a row.
    reachable = or_(
        _in_viewall_catalog(pg, buyer_id),
        _assigned(pg, buyer_id, groups),
        _bundle_reached(pg, buyer_id, groups),
    )
    if not active_only:
        return reachable
    return and_(JsonAccess(pg).is_bool(["Active"], True), reachable)


def product_visible_in_bulk(pg: bool, view: BuyerView) -> ColumnElement[bool]:
    """`product_visible` for a statement that reads EVERY visible product (facet counts), not a
    page: the same rule as set membership (`ID IN (assigned products)`), which each database
    computes once per statement (PostgreSQL a hashed subplan, SQLite an ephemeral index) instead
    of probing the assignments once per product."""
    return _product_visible_in_bulk(pg, view.buyer_id, tuple(view.group_ids))


@lru_cache(maxsize=256)
def _product_visible_in_bulk(pg: bool, buyer_id: str, groups: tuple[str, ...]) -> ColumnElement[bool]:
    assigned = _assigned_ids(pg, "productassignment", "ProductID", buyer_id, groups, "pab")
    in_catalogs = _viewall_ids(pg, "productcatalogassignment", "ProductID", buyer_id, "pcb")
    return and_(
        JsonAccess(pg).is_bool(["Active"], True),
        or_(
            resources.c.id.in_(assigned),
            resources.c.id.in_(in_catalogs),
            _bundle_reached(pg, buyer_id, groups, bulk=True),
        ),
    )


def catalog_visible(pg: bool, view: BuyerView) -> ColumnElement[bool]:
    """Condition on a `catalog` row: active and assigned to the user's buyer."""
    return resources.c.id.in_(assigned_catalog_ids(pg, view.buyer_id))


def in_catalog(pg: bool, catalog_id: str) -> ColumnElement[bool]:
    """Condition on a `product` row: assigned to the catalog."""
    pc = resources.alias("pcf")
    j = JsonAccess(pg, pc.c.doc)
    return resources.c.id.in_(
        select(j.text(["ProductID"])).where(
            pc.c.kind == "productcatalogassignment", j.text(["CatalogID"]) == catalog_id
        )
    )
