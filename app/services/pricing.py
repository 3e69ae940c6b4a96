"""Pricing an order's lines with the engine (`domain.pricing`) and keeping the order's totals.

- The price schedule is the one that applies to the order's user (`app.catalog.access`): a
  user-group assignment, else a buyer assignment, else the product's default schedule. Orders
  placed by the seller itself (forwarded orders) use the product's default schedule.
- A product without a usable schedule prices at UnitPrice null, LineSubtotal 0 (documented).
- UseCumulativeQuantity: the break and the Min/Max/Restricted checks use the product's quantity
  summed over the order's lines, and every line of that product is repriced on each change.
- A line whose UnitPrice was overridden (OverrideUnitPrice role) keeps that price.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.auth.users import group_ids
from app.catalog.access import (
    BuyerView,
    purchasables,
    purchasables_and,
    schedules_by_id,
    visible_product_ids,
)
from app.store.repo import Docs
from app.store.tables import resources
from domain.money import round_money, to_decimal
from domain.order_status import OrderAggregate
from domain.pricing import (
    PriceSchedule,
    SpecMarkup,
    check_currency,
    check_quantity,
    line_total,
    price_line,
)

ZERO = Decimal(0)
PRICE_FIELDS = ("UnitPrice", "LineSubtotal", "LineTotal", "IsOnSale", "PriceScheduleID", "PriceOverridden")


@dataclass
class Offer:
    """A product as the order's user may buy it."""

    product: dict[str, Any]
    schedule: PriceSchedule | None


async def offers_for(
    docs: Docs, order: dict[str, Any], product_ids: Iterable[str], marketplace_id: str
) -> dict[str, Offer]:
    """The products and schedules for the order's user, in a fixed number of statements however
    many products; a product not visible to the user (missing, unassigned, or inactive) is absent."""
    offers, _ = await _offers(docs, order, product_ids, marketplace_id, None)
    return offers


async def offer_and_rows(
    docs: Docs, order: dict[str, Any], product_id: str, marketplace_id: str, kind: str
) -> tuple[Offer | None, list[dict[str, Any]]]:
    """`offer_for`, and the order's documents of `kind` (`Docs.all(kind, scope=order ID)`), read
    in the same statement for a buyer's order: an add-line needs the order's promotion rows."""
    offers, rows = await _offers(docs, order, [product_id], marketplace_id, kind)
    return offers.get(product_id), rows


async def _offers(
    docs: Docs,
    order: dict[str, Any],
    product_ids: Iterable[str],
    marketplace_id: str,
    also_kind: str | None,
) -> tuple[dict[str, Offer], list[dict[str, Any]]]:
    ids = sorted(set(product_ids))
    company = order.get("FromCompanyID") or ""
    found: dict[str, tuple[dict[str, Any], dict[str, Any] | None]] = {}
    rows: list[dict[str, Any]] = []
    if company != marketplace_id:
        user_id = order.get("FromUserID")
        groups = await group_ids(docs, "buyer", company, user_id) if user_id else []
        view = BuyerView(company, groups)
        if also_kind is None:
            items = await purchasables(docs, view, ids)
        else:
            items, rows = await purchasables_and(docs, view, ids, also_kind, order["ID"])
        for product_id, item in items.items():
            found[product_id] = (item.product, item.price_schedule)
    else:
        if also_kind is not None:
            rows = await docs.all(also_kind, scope=order["ID"])
        if ids:
            products = await docs.all("product", resources.c.id.in_(ids), scope="")
            schedules = await schedules_by_id(docs, (p.get("DefaultPriceScheduleID") for p in products))
            for product in products:
                schedule_id = product.get("DefaultPriceScheduleID")
                found[product["ID"]] = (product, schedules.get(schedule_id) if schedule_id else None)
    offers = {}
    for product_id, (product, schedule_doc) in found.items():
        if product.get("Active") is False:
            continue
        schedule = parsed_schedule(schedule_doc) if schedule_doc and schedule_doc.get("PriceBreaks") else None
        offers[product_id] = Offer(product, schedule)
    return offers, rows


# Parsed schedules by ID, each beside a snapshot of the document it was parsed from. Parsing
# (`PriceSchedule.from_doc`: breaks, checks, sorting) costs some fifty times a comparison of the
# stored document with the snapshot, and every priced line needs its schedule. The cache is
# checked against the document read in this request, so it can never answer for content it
# has not seen: no invalidation to get right across processes, nor trust in a row version (a
# schedule deleted and created again starts again at version 1). Documents that compare equal
# parse to the same schedule: equal money may differ only in its exponent, and every price
# the engine reports is rounded to the currency.
_PARSED: dict[str, tuple[dict[str, Any], PriceSchedule]] = {}
_PARSED_MAX = 2048


def parsed_schedule(doc: Mapping[str, Any]) -> PriceSchedule:
    """`PriceSchedule.from_doc(doc)`, parsed once for as long as the stored schedule is unchanged."""
    key = doc.get("ID")
    if type(key) is not str:
        return PriceSchedule.from_doc(doc)
    hit = _PARSED.get(key)
    if hit is not None and hit[0] == doc:
        return hit[1]
    schedule = PriceSchedule.from_doc(doc)
    if hit is None and len(_PARSED) >= _PARSED_MAX:
        _PARSED.pop(next(iter(_PARSED)), None)  # the oldest entry
    # A snapshot: the caller's document may be changed later (a response built from it).
    _PARSED[key] = (deepcopy(dict(doc)), schedule)
    return schedule


async def offered_ids(
    docs: Docs, order: dict[str, Any], products: Mapping[str, dict[str, Any]], marketplace_id: str
) -> set[str]:
    """Which of `products` (already read) the order's user may buy: the IDs `offers_for` would
    answer, without reading the products again nor their schedules (submit only checks)."""
    active = [product_id for product_id, p in products.items() if p.get("Active") is not False]
    company = order.get("FromCompanyID") or ""
    if company == marketplace_id:
        return set(active)
    user_id = order.get("FromUserID")
    groups = await group_ids(docs, "buyer", company, user_id) if user_id else []
    return await visible_product_ids(docs, BuyerView(company, groups), active)


async def offer_for(docs: Docs, order: dict[str, Any], product_id: str, marketplace_id: str) -> Offer | None:
    """`offers_for` one product; None when it is not visible to the order's user."""
    return (await offers_for(docs, order, [product_id], marketplace_id)).get(product_id)


def _markups(line: dict[str, Any]) -> list[SpecMarkup]:
    return [SpecMarkup.from_doc(s) for s in line.get("Specs") or () if s.get("PriceMarkupType")]


def price_product_lines(
    lines: list[dict[str, Any]],
    changed: dict[str, Any] | None,
    product_id: str,
    schedule: PriceSchedule | None,
    now: datetime,
    currency: str | None,
) -> list[dict[str, Any]]:
    """Price `changed` (already in `lines`) and, for cumulative schedules, reprice the order's
    other lines of the product. Quantity rules are checked for `changed` (or the product's sum).
    Returns the lines whose price fields changed."""
    cumulative: int | None = None
    same: list[dict[str, Any]] = []
    if schedule is not None and schedule.use_cumulative_quantity:
        same = [line for line in lines if line["ProductID"] == product_id]
        cumulative = sum(int(line["Quantity"]) for line in same)
    if schedule is not None and changed is not None:
        check_currency(schedule, currency)
        check_quantity(schedule, int(changed["Quantity"]), cumulative_quantity=cumulative)
    if cumulative is None:
        # Only the changed line's price depends on the change.
        if changed is None:
            return []
        _price(changed, schedule, None, now, currency)
        return [changed]
    touched = []
    for line in same:
        if line is changed:
            _price(line, schedule, cumulative, now, currency)
            touched.append(line)
            continue
        before = tuple(line.get(f) for f in PRICE_FIELDS)
        _price(line, schedule, cumulative, now, currency)
        if tuple(line.get(f) for f in PRICE_FIELDS) != before:
            touched.append(line)
    return touched


def _price(
    line: dict[str, Any],
    schedule: PriceSchedule | None,
    cumulative: int | None,
    now: datetime,
    currency: str | None,
) -> None:
    quantity = int(line["Quantity"])
    override = (
        to_decimal(line["UnitPrice"])
        if line.get("PriceOverridden") and line.get("UnitPrice") is not None
        else None
    )
    if schedule is not None:
        priced = price_line(
            schedule,
            quantity,
            cumulative_quantity=cumulative,
            markups=_markups(line),
            now=now,
            override_unit_price=override,
            in_bundle=bool(line.get("BundleItemID")),
        )
        unit: Decimal | None = priced.unit_price
        subtotal = priced.line_subtotal
        line["IsOnSale"] = priced.is_on_sale
        line["PriceScheduleID"] = priced.price_schedule_id
    else:
        unit = round_money(override, currency) if override is not None else None
        subtotal = unit * quantity if unit is not None else round_money(ZERO, currency)
        line["IsOnSale"] = False
        line["PriceScheduleID"] = None
    line["UnitPrice"] = unit
    line["LineSubtotal"] = subtotal
    line["PriceOverridden"] = override is not None
    discount = line.get("PromotionDiscount")
    line["LineTotal"] = line_total(subtotal, to_decimal(discount) if discount is not None else None)


def override_unit_price(line: dict[str, Any], unit_price: Decimal, currency: str | None) -> None:
    """Set a unit price decided outside the catalog (the checkout integration's
    LineItemOverride): it sticks through later changes like an OverrideUnitPrice write."""
    unit = round_money(unit_price, currency)
    subtotal = unit * int(line["Quantity"])
    line["UnitPrice"] = unit
    line["LineSubtotal"] = subtotal
    line["PriceOverridden"] = True
    discount = line.get("PromotionDiscount")
    line["LineTotal"] = line_total(subtotal, to_decimal(discount) if discount is not None else None)


def refresh_totals(order: dict[str, Any], lines: list[dict[str, Any]] | None = None) -> None:
    """Subtotal and LineItemCount from `lines` (when given), and Total from the order's parts,
    for the paths that still hold the order as a document (line edits, promotions, create): the
    rule is the aggregate's (`OrderAggregate.refresh_totals`)."""
    aggregate = OrderAggregate.load(order)
    if lines is None:
        aggregate.refresh_totals()
    else:
        aggregate.refresh_totals([to_decimal(line["LineSubtotal"]) for line in lines], line_count=len(lines))
        order["LineItemCount"] = aggregate.line_item_count
    order["Subtotal"] = aggregate.subtotal
    order["Total"] = aggregate.total
