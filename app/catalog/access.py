"""What a buyer user may buy, and at which price schedule.

Storage contract (kinds in the `resources` table, documents in OrderCloud wire shape):
- `product` (scope ""), `priceschedule` (scope ""; `IsOnSale` is stored null and computed when
  shown, see `app.catalog.schedules.present_schedule`).
- `variant` (scope = product ID), `inventoryrecord` (scope = product ID; variant-level records
  live there too, with the private field `_VariantID`).
- `spec` (scope ""; its `Options` list is kept in step with the `specoption` documents, scope =
  spec ID), `specproductassignment` {SpecID, ProductID, DefaultValue, DefaultOptionID}.
- `productassignment` (scope ""): {SellerID, ProductID, BuyerID, UserGroupID, PriceScheduleID}.
- `catalog` (scope ""), `catalogassignment` {CatalogID, BuyerID, ViewAllCategories,
  ViewAllProducts}, `productcatalogassignment` {CatalogID, ProductID}.
- `productsupplier` (scope = product ID, ID = supplier ID): {SupplierID, DefaultPriceScheduleID}.
Assignments carry a synthetic `ID` (`app.catalog.assignments.synthetic_id`) that is never shown.

Visibility (one rule, `app.catalog.visibility.product_visible`, documented in docs/catalog.md):
an active product that a product assignment gives the user's buyer (or one of the user's groups),
or that sits in an active catalog assigned to the buyer with ViewAllProducts. The price schedule
follows `domain.pricing.select_price_schedule_id`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, Select, String, bindparam, func, literal_column, select, union_all

from app.catalog.visibility import BuyerView, buyer_view, product_visible
from app.listing import JsonAccess
from app.store.prepared import Prepared
from app.store.repo import Docs
from app.store.tables import resources
from domain.pricing import ProductAssignment, select_price_schedule_id

__all__ = [
    "BuyerView",
    "Purchasable",
    "assignments_for",
    "buyer_view",
    "purchasable",
    "purchasables",
    "purchasables_and",
    "schedule_id_for",
    "schedules_by_id",
    "visible_product_ids",
]


@dataclass
class Purchasable:
    product: dict[str, Any]
    price_schedule: dict[str, Any] | None


async def assignments_for(docs: Docs, product_id: str, buyer_id: str) -> list[ProductAssignment]:
    rows = await docs.all("productassignment", *docs.eq(ProductID=product_id, BuyerID=buyer_id))
    return [ProductAssignment.from_doc(r) for r in rows]


def schedule_id_for(
    product: dict[str, Any], assignments: list[ProductAssignment], view: BuyerView
) -> str | None:
    return select_price_schedule_id(
        product["ID"], product.get("DefaultPriceScheduleID"), assignments, view.buyer_id, view.group_ids
    )


async def schedules_by_id(docs: Docs, schedule_ids: Iterable[str | None]) -> dict[str, dict[str, Any]]:
    """The price schedules named (None skipped), by ID, in one statement."""
    wanted = sorted({s for s in schedule_ids if s})
    if not wanted:
        return {}
    return {d["ID"]: d for d in await docs.all("priceschedule", resources.c.id.in_(wanted), scope="")}


def _plain_text(pg: bool, column: Any, field: str) -> ColumnElement[Any]:
    """A JSON field as text without `JsonAccess.text`'s collation, so comparing it with the `id`
    column keeps to that column's index (the schedule IDs the offered products name)."""
    if pg:
        return column.op("#>>", return_type=String())(literal_column("'{" + field + "}'"))
    return func.json_extract(column, literal_column("'$.\"" + field + "\"'"))


# Each part's rows come back in insertion order, the parts in this order.
_PRODUCT, _ASSIGNMENT, _SCHEDULE, _ALSO = 0, 1, 2, 3
# Up to this many product IDs, a statement names each (`:p0` ...: one statement per count) and
# runs prepared (app.store.prepared); more go in an expanding list, rendered per execution.
_PREPARED_IDS = 8


def _ids_in(count: int | None) -> ColumnElement[bool]:
    """`resources.id` is one of the caller's product IDs: `count` of them bound one by one, or
    (None) the expanding list `:product_ids`."""
    if count is None:
        return resources.c.id.in_(bindparam("product_ids", expanding=True))
    return resources.c.id.in_([bindparam(f"p{n}", type_=resources.c.id.type) for n in range(count)])


def _ids_params(ids: list[str]) -> tuple[int | None, dict[str, Any]]:
    """The ID count a statement is built for (None: the expanding list) and its parameters."""
    if 0 < len(ids) <= _PREPARED_IDS:
        return len(ids), {f"p{n}": product_id for n, product_id in enumerate(ids)}
    return None, {"product_ids": ids}


@lru_cache(maxsize=256)
def _purchasables_statement(
    pg: bool,
    buyer_id: str,
    groups: tuple[str, ...],
    active_only: bool,
    also_kind: str | None = None,
    count: int | None = None,
) -> Select[Any]:
    """The visible products of `:product_ids`, their assignments to the buyer and every price
    schedule either names, in ONE statement (three before: one per add-line each). Built once
    per buyer, group set and flag, as `product_visible` is: building and cache-keying it cost
    more than running it. Which schedule applies is still decided in Python
    (`schedule_id_for`); this reads the candidates. `also_kind`: the documents of that kind
    under the scope `:also_scope` too, for a caller that needs both (see `purchasables_and`).
    `count`: see `_ids_in`."""
    r = resources.c
    visible = product_visible(pg, BuyerView(buyer_id, list(groups)), active_only=active_only)
    wanted = _ids_in(count)
    offered = (
        select(r.pk, r.id, r.doc).where(r.kind == "product", r.scope == "", wanted, visible).cte("offered")
    )
    pa = resources.alias("pa_offered")
    pa_json = JsonAccess(pg, pa.c.doc)
    assigned = (
        select(pa.c.pk, pa.c.doc)
        .where(
            pa.c.kind == "productassignment",
            pa_json.text(["BuyerID"]) == buyer_id,
            pa_json.text(["ProductID"]).in_(select(offered.c.id)),
        )
        .cte("assigned")
    )
    ps = resources.alias("ps_offered")
    named = union_all(
        select(_plain_text(pg, offered.c.doc, "DefaultPriceScheduleID")),
        select(_plain_text(pg, assigned.c.doc, "PriceScheduleID")),
    )
    schedules = select(literal_column(str(_SCHEDULE)).label("part"), ps.c.pk, ps.c.doc).where(
        ps.c.kind == "priceschedule", ps.c.scope == "", ps.c.id.in_(named)
    )
    selects = [
        select(literal_column(str(_PRODUCT)).label("part"), offered.c.pk, offered.c.doc),
        select(literal_column(str(_ASSIGNMENT)).label("part"), assigned.c.pk, assigned.c.doc),
        schedules,
    ]
    if also_kind is not None:
        also = resources.alias("also")
        selects.append(
            select(literal_column(str(_ALSO)).label("part"), also.c.pk, also.c.doc).where(
                also.c.kind == also_kind, func.lower(also.c.scope) == bindparam("also_scope")
            )
        )
    parts = union_all(*selects).subquery("parts")
    return select(parts.c.part, parts.c.doc).order_by(parts.c.part, parts.c.pk)


@lru_cache(maxsize=256)
def _prepared(stmt: Select[Any]) -> Prepared:
    """A statement of this module (built once, cached above) run below SQLAlchemy's execution
    path (app.store.prepared): an add-line and a submit run one each, where SQLAlchemy's
    per-statement work cost more than the database's. The visibility condition's user-group
    lists are fixed when the statement is built: rendered once (`fixed_lists`)."""
    return Prepared(stmt, fixed_lists=True)


async def _rows(docs: Docs, stmt: Select[Any], count: int | None, params: dict[str, Any]) -> list[Any]:
    """The rows of `stmt` (built for `count` IDs, see `_ids_in`) as tuples."""
    if count is None:
        return [tuple(row) for row in await docs.conn.execute(stmt, params)]
    return list(await _prepared(stmt).rows(docs.conn, params))


async def _purchasable_rows(
    docs: Docs,
    view: BuyerView,
    ids: list[str],
    active_only: bool,
    also_kind: str | None,
    params: dict[str, Any],
) -> list[Any]:
    """The rows of `_purchasables_statement` for `ids` (part, doc)."""
    count, id_params = _ids_params(ids)
    stmt = _purchasables_statement(
        docs.pg, view.buyer_id, tuple(view.group_ids), active_only, also_kind, count
    )
    return await _rows(docs, stmt, count, {**params, **id_params})


async def purchasables(
    docs: Docs, view: BuyerView, product_ids: Iterable[str], *, active_only: bool = True
) -> dict[str, Purchasable]:
    """`purchasable` for several products at once, in one statement whatever their number (the
    visible products, their assignments to the buyer, the schedules these name). Products the
    user may not see are absent from the result."""
    ids = sorted(set(product_ids))
    if not ids:
        return {}
    found, _ = _read_purchasables(view, await _purchasable_rows(docs, view, ids, active_only, None, {}))
    return found


async def purchasables_and(
    docs: Docs, view: BuyerView, product_ids: Iterable[str], kind: str, scope: str
) -> tuple[dict[str, Purchasable], list[dict[str, Any]]]:
    """`purchasables` (active products) and, in the same statement, every document of `kind`
    under `scope` in insertion order (`Docs.all(kind, scope=scope)`): an add-line needs the
    order's promotion rows as well, and a round trip costs more than the rows."""
    ids = sorted(set(product_ids))
    rows = await _purchasable_rows(docs, view, ids, True, kind, {"also_scope": scope.lower()})
    return _read_purchasables(view, rows)


def _read_purchasables(
    view: BuyerView, rows: Iterable[Any]
) -> tuple[dict[str, Purchasable], list[dict[str, Any]]]:
    """The purchasables in the rows of `_purchasables_statement`, and the rows of its `also` part."""
    products: list[dict[str, Any]] = []
    by_product: dict[str, list[ProductAssignment]] = {}
    schedules: dict[str, dict[str, Any]] = {}
    also: list[dict[str, Any]] = []
    for part, doc in rows:
        if part == _PRODUCT:
            products.append(doc)
        elif part == _ASSIGNMENT:
            by_product.setdefault(doc["ProductID"], []).append(ProductAssignment.from_doc(doc))
        elif part == _SCHEDULE:
            schedules[doc["ID"]] = doc
        else:
            also.append(doc)
    found = {}
    for product in products:
        schedule_id = schedule_id_for(product, by_product.get(product["ID"], []), view)
        found[product["ID"]] = Purchasable(product, schedules.get(schedule_id) if schedule_id else None)
    return found, also


@lru_cache(maxsize=256)
def _visible_ids_statement(
    pg: bool, buyer_id: str, groups: tuple[str, ...], count: int | None
) -> Select[Any]:
    """`visible_product_ids`'s select, built once per buyer, group set and ID count (as above)."""
    r = resources.c
    visible = product_visible(pg, BuyerView(buyer_id, list(groups)))
    return select(r.id).where(r.kind == "product", r.scope == "", _ids_in(count), visible)


async def visible_product_ids(docs: Docs, view: BuyerView, product_ids: Iterable[str]) -> set[str]:
    """Which of these (active) products the buyer user may see and buy, in one statement."""
    ids = sorted(set(product_ids))
    if not ids:
        return set()
    count, params = _ids_params(ids)
    stmt = _visible_ids_statement(docs.pg, view.buyer_id, tuple(view.group_ids), count)
    return {row[0] for row in await _rows(docs, stmt, count, params)}


async def purchasable(
    docs: Docs, view: BuyerView, product_id: str, *, active_only: bool = True
) -> Purchasable | None:
    """The product and its price schedule for this buyer user, or None when the user may not see
    it. Inactive products count as not visible unless `active_only=False` (for callers that want
    to tell "inactive" apart, e.g. `Order.CannotSubmitWithInactiveProduct`)."""
    return (await purchasables(docs, view, [product_id], active_only=active_only)).get(product_id)
