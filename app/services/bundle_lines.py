"""Buying a bundle: `POST .../bundles/{bundleID}` adds one line per product of the bundle, each
through the ordinary add-line path (`services.lineitems.add_line`: the same visibility, pricing
from the product's own schedule, quantity and inventory rules as any line); `DELETE
.../bundles/{bundleID}/{bundleItemID}` removes them together. docs/catalog.md, "Bundles".

The lines of one purchase share `BundleItemID`: the ID of its first line (the line that stands
for the bundle, which the create answers with). Private keys on each line: `_BundleID` (the
bundle bought) and `_BundleRequired` (whether the bundle requires that product)."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.catalog.bundles import bundle_products, visible_bundle
from app.catalog.visibility import BuyerView
from app.resources import public
from app.services.lineitems import add_line, delete_line, order_lines
from app.store.repo import Stored
from app.unit import Unit
from app.wire import check_id, new_id
from domain.errors import NotFound, ValidationFailed
from domain.order_status import require_editable

Doc = dict[str, Any]


async def _bundle_for(ctx: Unit, order: Doc, bundle_id: str) -> tuple[Doc, list[Doc]]:
    """The bundle and its products, as the order's user may buy them (404 Bundle otherwise)."""
    return await bundle_for(ctx, order.get("FromCompanyID") or "", order.get("FromUserID"), bundle_id)


async def bundle_for(ctx: Unit, company: str, user_id: str | None, bundle_id: str) -> tuple[Doc, list[Doc]]:
    """The bundle and its products, as the company's user may buy them (404 Bundle otherwise).
    The seller's own orders (no buyer user) only need the bundle to exist and be active."""
    docs = ctx.docs
    if company == ctx.services.marketplace_id:
        found = await docs.get("bundle", bundle_id)
        if found is None or found.doc.get("Active") is not True:
            raise NotFound("Bundle", bundle_id)
        return found.doc, await bundle_products(docs, found.doc["ID"])
    groups = await group_ids(docs, "buyer", company, user_id) if user_id else []
    return await visible_bundle(docs, BuyerView(company, groups), bundle_id)


def _quantity(item: Doc, given: Any) -> Any:
    if given is not None:
        return given
    if item.get("DefaultQuantity") is None:
        raise ValidationFailed(
            "The bundle's product has no DefaultQuantity; send a Quantity",
            "Bundle.DefaultQuantityMissing",
            {"BundleID": item["BundleID"], "ProductID": item["ProductID"]},
        )
    return item["DefaultQuantity"]


def plan(bundle: Doc, items: list[Doc], body: Doc) -> list[tuple[Doc, Doc]]:
    """(product assignment, line body) for every line to add: each line the caller sent (its
    product must be in the bundle; Quantity defaults to the product's DefaultQuantity), then
    every required product the caller did not name, at its DefaultQuantity."""
    by_product = {str(i["ProductID"]).lower(): i for i in items}
    sent = body.get("LineItems") or []
    if not isinstance(sent, list) or not all(isinstance(s, dict) for s in sent):
        raise ValidationFailed(
            "LineItems must be a list of line items", "ValidationFailure", {"Field": "LineItems"}
        )
    wanted: list[tuple[Doc, Doc]] = []
    for line in sent:
        item = by_product.get(str(line.get("ProductID") or "").lower())
        if item is None:
            raise ValidationFailed(
                "The product is not assigned to the bundle",
                "Bundle.ProductNotAssigned",
                {"BundleID": bundle["ID"], "ProductID": line.get("ProductID")},
            )
        wanted.append(
            (
                item,
                {**line, "ProductID": item["ProductID"], "Quantity": _quantity(item, line.get("Quantity"))},
            )
        )
    named = {str(line["ProductID"]).lower() for _, line in wanted}
    for item in items:
        if item.get("Required") and str(item["ProductID"]).lower() not in named:
            if item.get("DefaultQuantity") is None:
                raise ValidationFailed(
                    "A required product of the bundle is missing",
                    "Bundle.RequiredBundleItemMissing",
                    {"BundleID": bundle["ID"], "ProductID": item["ProductID"]},
                )
            wanted.append((item, {"ProductID": item["ProductID"], "Quantity": item["DefaultQuantity"]}))
    if not wanted:
        raise ValidationFailed(
            "A bundle line item needs at least one of the bundle's products",
            "Bundle.ProductNotAssigned",
            {"BundleID": bundle["ID"]},
        )
    return wanted


async def add_bundle(ctx: Unit, caller: Caller, order_stored: Stored, bundle_id: str, body: Doc) -> Doc:
    """Add the bundle's lines to the order; answers the first (its ID is the BundleItemID)."""
    require_editable(order_stored.doc)
    bundle, items = await _bundle_for(ctx, order_stored.doc, bundle_id)
    wanted = plan(bundle, items, body)
    first = wanted[0][1]
    if first.get("ID") not in (None, ""):
        check_id(first["ID"])
    item_id = first.get("ID") or new_id()
    first["ID"] = item_id
    answer: Doc | None = None
    for item, line_body in wanted:
        link = {
            "BundleItemID": item_id,
            "_BundleID": bundle["ID"],
            "_BundleRequired": bool(item.get("Required")),
        }
        line = await add_line(ctx, caller, order_stored, line_body, bundle=link)
        answer = answer or line
    assert answer is not None
    return public(answer)


def in_bundle(row: Doc, bundle_id: str, item_id: str) -> bool:
    """Whether a line (or a subscription item) belongs to this purchase of this bundle."""
    same_bundle = str(row.get("_BundleID") or "").lower() == bundle_id.lower()
    return row.get("BundleItemID") == item_id and same_bundle


async def remove_bundle(ctx: Unit, order_stored: Stored, bundle_id: str, item_id: str) -> None:
    """Remove every line of one bundle purchase (404 LineItem when the order has none)."""
    require_editable(order_stored.doc)
    lines = [
        line
        for line in await order_lines(ctx.docs, order_stored.doc["ID"])
        if in_bundle(line, bundle_id, item_id)
    ]
    if not lines:
        raise NotFound("LineItem", item_id)
    for line in lines:
        await delete_line(ctx, order_stored, line["ID"], with_bundle=True)
