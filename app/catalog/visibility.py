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

from sqlalchemy import ColumnElement, Select, and_, any_, exists, func, literal, or_, select, true, union_all

from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.listing import JsonAccess
from app.store.repo import Docs
from app.store.tables import product_reach, resources


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


def _probe(pg: bool, *conds: ColumnElement[bool], per_row: bool = True) -> ColumnElement[bool]:
    """EXISTS. `per_row` (a probe under OR or NOT): on PostgreSQL `OFFSET 0` keeps it evaluated
    per listed row: an EXISTS under OR is otherwise turned into a hashed subplan, which reads
    every matching assignment (all of a 100k-product catalog's) before the first row of the
    page. Without it (the one probe AND-ed to a list's condition) PostgreSQL may make it a
    semi-join, and chooses by the statement: a page walks the Name index probing per row; a
    count merges the products' and the reach rows' ID orders (no probe per product)."""
    probe = select(literal(1)).where(*conds)
    return exists(probe.offset(0) if pg and per_row else probe)


def _in_groups(j: JsonAccess, groups: Sequence[str]) -> ColumnElement[bool]:
    return or_(j.is_null(["UserGroupID"]), j.text(["UserGroupID"]).in_(list(groups)))


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
    as a set for the bulk forms (`_reached` probes the same assignments one product at a time)."""
    a = resources.alias(alias)
    j = JsonAccess(pg, a.c.doc)
    return select(j.text([field])).where(
        a.c.kind == kind, j.text(["BuyerID"]) == buyer_id, _in_groups(j, groups)
    )


def _viewall_ids(pg: bool, kind: str, field: str, buyer_id: str, alias: str) -> Select[Any]:
    """The IDs (`field`) that assignments of `kind` put in an active ViewAllProducts catalog of the
    buyer, as a set for the bulk forms (`_reached` probes them one product at a time)."""
    a = resources.alias(alias)
    j = JsonAccess(pg, a.c.doc)
    return select(j.text([field])).where(
        a.c.kind == kind,
        j.text(["CatalogID"]).in_(assigned_catalog_ids(pg, buyer_id, all_products_only=True)),
    )


def _brought(
    pg: bool, reach: Any, buyer_id: str, groups: Sequence[str], catalog_kind: str, assignment_kind: str
) -> ColumnElement[bool]:
    """On a `product_reach` row: it is an assignment of `catalog_kind` to an active
    ViewAllProducts catalog of the buyer, or of `assignment_kind` to the buyer (or one of the
    user's groups)."""
    return or_(
        and_(reach.c.via == catalog_kind, _one_of_viewall_catalogs(pg, reach.c.holder, buyer_id)),
        and_(
            reach.c.via == assignment_kind,
            reach.c.holder == buyer_id,
            or_(reach.c.grp.is_(None), reach.c.grp.in_(list(groups))),
        ),
    )


def _reached(
    pg: bool,
    buyer_id: str,
    groups: Sequence[str],
    product_id: ColumnElement[Any],
    *,
    active_only: bool,
    bundles: bool,
    alias: str = "reach",
    per_row: bool = True,
) -> ColumnElement[bool]:
    """EXISTS a `product_reach` row (migration 0008: the product's and bundle's assignments as
    keyed columns, with the product's Active) that brings the product `product_id` to the user:
    one probe of `ix_reach_product`, whose columns are all the probe reads (index-only).
    `active_only`: the product is Active (the row's copy of it); `bundles`: a bundle's own
    assignments count too, for the product standing for a complete bundle; `per_row`: see
    `_probe`."""
    reach = product_reach.alias(alias)
    conds: list[ColumnElement[bool]] = [reach.c.product_id == product_id]
    if active_only:
        conds.append(reach.c.active == true())
    brought = _brought(pg, reach, buyer_id, groups, "productcatalogassignment", "productassignment")
    if bundles:
        by_bundle = _brought(pg, reach, buyer_id, groups, "bundlecatalogassignment", "bundleassignment")
        # Only a bundle's rows pay for these probes; they read the bundle's product by its key, not
        # the listed document, so counting visible products reads no document.
        stand_in = resources.alias("bundle_product")
        is_bundle = _probe(
            pg,
            stand_in.c.kind == "product",
            stand_in.c.scope == "",
            stand_in.c.id == reach.c.product_id,
            JsonAccess(pg, stand_in.c.doc).is_bool(["IsBundle"], True),
        )
        brought = or_(
            brought, and_(by_bundle, _bundle_complete(pg, buyer_id, groups, reach.c.product_id, is_bundle))
        )
    return _probe(pg, *conds, brought, per_row=per_row)


def _bundle_complete(
    pg: bool,
    buyer_id: str,
    groups: Sequence[str],
    bundle_id: ColumnElement[Any],
    is_bundle: ColumnElement[bool],
) -> ColumnElement[bool]:
    """On the product standing for a bundle (`bundle_id`): it is one (`is_bundle`: its
    `IsBundle`), and the user sees every product in it (an Active product brought by its own
    assignments)."""
    bpa = resources.alias("bpa")
    jb = JsonAccess(pg, bpa.c.doc)
    component_seen = _reached(
        pg, buyer_id, groups, jb.text(["ProductID"]), active_only=True, bundles=False, alias="creach"
    )
    hidden_component = _probe(
        pg,
        bpa.c.kind == "bundleproductassignment",
        jb.text(["BundleID"]) == bundle_id,
        ~component_seen,
    )
    return and_(is_bundle, ~hidden_component)


def _bundle_reached_in_bulk(pg: bool, buyer_id: str, groups: Sequence[str]) -> ColumnElement[bool]:
    """On the product standing for a bundle, for a statement reading every visible product
    (facet counts): the reached bundles as a set, computed once, so an ordinary product pays one
    hash probe; then the bundle test of `_bundle_complete`."""
    assigned = _assigned_ids(pg, "bundleassignment", "BundleID", buyer_id, groups, "bab")
    in_catalogs = _viewall_ids(pg, "bundlecatalogassignment", "BundleID", buyer_id, "bcb")
    reached = resources.c.id.in_(union_all(assigned, in_catalogs))
    is_bundle = JsonAccess(pg).is_bool(["IsBundle"], True)
    return and_(reached, _bundle_complete(pg, buyer_id, groups, resources.c.id, is_bundle))


def product_visible(pg: bool, view: BuyerView, *, active_only: bool = True) -> ColumnElement[bool]:
    """Condition on a `product` row: this buyer user may see (and buy) it."""
    return _product_visible(pg, view.buyer_id, tuple(view.group_ids), active_only)


# SQL expressions are immutable, and building this one costs more than running it on a small
# catalog (about 0.7 ms: several subqueries), on every line added and every page; so it is built
# once per buyer, group set and flag.
@lru_cache(maxsize=256)
def _product_visible(
    pg: bool, buyer_id: str, groups: tuple[str, ...], active_only: bool
) -> ColumnElement[bool]:
    # One EXISTS on `product_reach` (not several under OR, each probed per row): the product's
    # own Active is the reach row's copy, so a count of visible products reads no document, and
    # PostgreSQL may plan the EXISTS as a semi-join (see `_probe`).
    return _reached(
        pg, buyer_id, groups, resources.c.id, active_only=active_only, bundles=True, per_row=False
    )


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
            _bundle_reached_in_bulk(pg, buyer_id, groups),
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
