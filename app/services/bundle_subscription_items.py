"""A bundle on a subscription: `POST .../subscriptions/{subscriptionID}[/items]/bundles/{bundleID}`
adds one subscription item per product of the bundle, as buying the bundle adds lines (the same
plan: the products sent, then the required ones at their DefaultQuantity); `DELETE
.../{bundleItemID}` removes them together. The scheduler (`services.subscriptions`) orders each
group as one bundle purchase (`services.bundle_lines.add_bundle`). docs/subscriptions.md.

The items of one bundle share `BundleItemID` (the ID of the first, which the create answers) and
keep the bundle in the private `_BundleID`, as bundle lines do."""

from __future__ import annotations

from typing import Any

from app.models.subscriptions import SubscriptionItem
from app.resources import public
from app.services.bundle_lines import bundle_for, in_bundle, plan
from app.unit import Unit
from app.wire import check_id, new_id, to_doc, validate
from domain.clock import iso, utcnow
from domain.errors import Conflict, NotFound

Doc = dict[str, Any]
ITEM_KIND = "subscriptionitem"
# What a subscription item keeps of a bundle line the caller sent (SubscriptionItem's fields).
ITEM_FIELDS = ("ProductID", "Quantity", "Specs", "ShippingAddressID", "xp")


async def add_bundle(ctx: Unit, subscription_id: str, bundle_id: str, body: Doc) -> Doc:
    """Add the bundle's items to the subscription (its user must be able to buy the bundle now);
    answers the first item, whose ID is the group's BundleItemID."""
    docs = ctx.docs
    sub = (await docs.require("subscription", subscription_id, object_type="Subscription")).doc
    bundle, items = await bundle_for(ctx, sub["FromCompanyID"], sub["FromUserID"], bundle_id)
    wanted = plan(bundle, items, body)
    given = wanted[0][1].get("ID")
    item_id = check_id(given) if given not in (None, "") else new_id()
    now = iso(utcnow())
    answer: Doc | None = None
    for index, (assignment, line) in enumerate(wanted):
        doc: Doc = to_doc(validate({k: line.get(k) for k in ITEM_FIELDS}, SubscriptionItem))
        doc.update(
            ID=item_id if index == 0 else new_id(),
            DateAdded=now,
            BundleItemID=item_id,
            _BundleID=bundle["ID"],
            _BundleRequired=bool(assignment.get("Required")),
        )
        if await docs.exists(ITEM_KIND, doc["ID"], sub["ID"]):
            raise Conflict(
                f"SubscriptionItem already exists: {doc['ID']}",
                "IdExists",
                {"ObjectType": "SubscriptionItem", "ObjectID": doc["ID"]},
            )
        await docs.insert(ITEM_KIND, doc, sub["ID"])
        answer = answer or doc
    assert answer is not None  # plan() refuses an empty bundle purchase
    return public(answer)


async def remove_bundle(ctx: Unit, subscription_id: str, bundle_id: str, item_id: str) -> None:
    """Remove every item of one bundle on the subscription (404 SubscriptionItem when none)."""
    docs = ctx.docs
    found = [i for i in await docs.all(ITEM_KIND, scope=subscription_id) if in_bundle(i, bundle_id, item_id)]
    if not found:
        raise NotFound("SubscriptionItem", item_id)
    for item in found:
        await docs.delete(ITEM_KIND, item["ID"], subscription_id)


def groups(items: list[Doc]) -> tuple[list[Doc], dict[str, list[Doc]]]:
    """A subscription's items: the plain ones, and the bundle ones by BundleItemID (in order)."""
    plain: list[Doc] = []
    bundles: dict[str, list[Doc]] = {}
    for item in items:
        if item.get("BundleItemID") and item.get("_BundleID"):
            bundles.setdefault(item["BundleItemID"], []).append(item)
        else:
            plain.append(item)
    return plain, bundles


def bundle_body(items: list[Doc]) -> Doc:
    """The BundleItems body that buys one subscription bundle group again."""
    return {"LineItems": [{k: i[k] for k in ITEM_FIELDS if i.get(k) is not None} for i in items]}
