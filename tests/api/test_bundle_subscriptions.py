"""Bundle subscription items (docs/subscriptions.md, "Bundles"): a bundle added to a subscription
is one item per product, removed together, and the scheduler orders it as the bundle again; a
renamed bundle's lines and items stay removable under the new ID."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from app.services import subscriptions
from tests.api.order_fixtures import World
from tests.api.test_bundles import kit, money
from tests.helpers import error_code

SUB = {
    "ID": "monthly",
    "Frequency": 1,
    "Interval": "Months",
    "NextOrderDate": "2030-01-31T09:00:00Z",
    "FromUserID": "alice",
    "Active": True,
}


async def _items(world: World, path: str = "/subscriptions/monthly/items", **kw: Any) -> list[dict[str, Any]]:
    return list((await world.api.ok("GET", path, **kw))["Items"])


async def test_the_seller_adds_a_bundle_to_a_subscription_and_removes_it(world: World) -> None:
    api = world.api
    await kit(world)
    await api.ok("POST", "/subscriptions", SUB)
    first = await api.ok(
        "POST", "/subscriptions/monthly/bundles/kit", {"LineItems": [{"ProductID": "p2", "Quantity": 1}]}
    )
    # The product sent, then the required p1 at its DefaultQuantity.
    assert first["ProductID"] == "p2" and first["BundleItemID"] == first["ID"]
    assert not any(k.startswith("_") for k in first)
    items = await _items(world)
    assert sorted((i["ProductID"], i["Quantity"], i["BundleItemID"]) for i in items) == [
        ("p1", 2, first["ID"]),
        ("p2", 1, first["ID"]),
    ]
    # BundleItemID is read-only: an edit keeps the item in its bundle.
    p1 = next(i for i in items if i["ProductID"] == "p1")
    edited = await api.ok("PATCH", f"/subscriptions/monthly/items/{p1['ID']}", {"BundleItemID": None})
    assert edited["BundleItemID"] == first["ID"]
    # Refusals change nothing.
    bad = await api.post("/subscriptions/monthly/bundles/kit", {"LineItems": [{"ProductID": "p9"}]})
    assert bad.status_code == 400 and error_code(bad) == "Bundle.ProductNotAssigned"
    assert (await api.post("/subscriptions/monthly/bundles/nope", {})).status_code == 404
    assert (await api.post("/subscriptions/nope/bundles/kit", {})).status_code == 404
    alone = await api.post("/subscriptions/monthly/items", {"ProductID": "kit", "Quantity": 1})
    assert alone.status_code == 400 and error_code(alone) == "LineItem.ProductIsBundle"
    assert len(await _items(world)) == 2
    assert (await api.delete(f"/subscriptions/monthly/bundles/other/{first['ID']}")).status_code == 404
    await api.ok("DELETE", f"/subscriptions/monthly/bundles/KIT/{first['ID']}", status=204)
    assert await _items(world) == []
    assert (await api.delete(f"/subscriptions/monthly/bundles/kit/{first['ID']}")).status_code == 404


async def test_a_buyer_user_adds_a_bundle_to_their_own_subscription_only(world: World) -> None:
    api = world.api
    await kit(world)
    alice = await world.token("alice", "MeSubscriptionAdmin")
    bob = await world.token("bob", "MeSubscriptionAdmin")
    body = {k: v for k, v in SUB.items() if k != "FromUserID"}
    await api.ok("POST", "/me/subscriptions", body, token=alice)
    path = "/me/subscriptions/monthly/items/bundles/kit"
    assert (await api.post(path, {}, token=bob)).status_code == 404
    first = await api.ok("POST", path, {"LineItems": []}, token=alice)
    assert first["ProductID"] == "p1" and first["Quantity"] == 2
    mine = await _items(world, "/me/subscriptions/monthly/items", token=alice)
    assert [i["ID"] for i in mine] == [first["ID"]]
    assert (await api.delete(f"{path}/{first['ID']}", token=bob)).status_code == 404
    await api.ok("DELETE", f"{path}/{first['ID']}", token=alice, status=204)
    assert await _items(world, "/me/subscriptions/monthly/items", token=alice) == []


async def test_a_bundle_the_user_cannot_see_is_not_added_to_their_subscription(world: World) -> None:
    api = world.api
    await kit(world, buyers=("b2",))  # assigned to another buyer only
    await api.ok("POST", "/subscriptions", SUB)
    refused = await api.post("/subscriptions/monthly/bundles/kit", {})
    assert refused.status_code == 404 and error_code(refused) == "NotFound"
    assert await _items(world) == []


async def test_the_scheduler_orders_a_subscription_bundle_as_bundle_lines(world: World) -> None:
    api = world.api
    await kit(world)
    await api.ok("POST", "/subscriptions", SUB)
    await api.ok("POST", "/subscriptions/monthly/items", {"ID": "plain", "ProductID": "p2", "Quantity": 5})
    await api.ok(
        "POST", "/subscriptions/monthly/bundles/kit", {"LineItems": [{"ProductID": "p2", "Quantity": 1}]}
    )
    [result] = await subscriptions.run_due(api.services, datetime(2030, 1, 31, 9, 0, tzinfo=UTC))
    assert result.order_id and result.refusal is None
    seller = await world.seller()
    lines = (await api.ok("GET", f"/orders/Incoming/{result.order_id}/lineitems", token=seller))["Items"]
    bundled = [line for line in lines if line["BundleItemID"]]
    alone = [line for line in lines if not line["BundleItemID"]]
    assert [(line["ProductID"], line["Quantity"]) for line in alone] == [("p2", 5)]
    assert sorted((line["ProductID"], line["Quantity"]) for line in bundled) == [("p1", 2), ("p2", 1)]
    # The order's lines of the bundle are one purchase, named by its first line.
    assert {line["BundleItemID"] for line in bundled} <= {line["ID"] for line in bundled}
    assert len({line["BundleItemID"] for line in bundled}) == 1
    order = await api.ok("GET", f"/orders/Incoming/{result.order_id}", token=seller)
    assert money(order["Subtotal"]) == 5 * 3 + 2 * 5 + 1 * 3


async def test_a_renamed_bundles_lines_and_subscription_items_are_removed_under_the_new_id(
    world: World,
) -> None:
    api = world.api
    token = await kit(world)
    shopper = await world.token("alice")
    bought = await api.ok("POST", "/cart/bundles/kit", {"LineItems": []}, token=shopper)
    await api.ok("POST", "/subscriptions", SUB)
    item = await api.ok("POST", "/subscriptions/monthly/bundles/kit", {})
    await api.ok("PATCH", "/bundles/kit", {"ID": "kit2"}, token=token)
    assert (await api.delete(f"/cart/bundles/kit/{bought['ID']}", token=shopper)).status_code == 404
    await api.ok("DELETE", f"/cart/bundles/kit2/{bought['ID']}", token=shopper, status=204)
    assert (await api.ok("GET", "/cart/lineitems", token=shopper))["Items"] == []
    await api.ok("DELETE", f"/subscriptions/monthly/bundles/kit2/{item['ID']}", status=204)
    assert await _items(world) == []
