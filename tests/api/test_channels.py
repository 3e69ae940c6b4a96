"""`/v1/channels` (an ordercore extension, docs/channels.md): external orders imported
idempotently, native orders projected as they change, one list across channels."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.store.repo import Docs
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

SAMPLES = Path(__file__).parent.parent / "unit" / "channel_samples"


def sample(name: str) -> dict[str, Any]:
    # Sent as JSON text, the way a channel's webhook delivers it.
    data: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return data


def shopify_order(order_id: int = 450789469, **changes: Any) -> dict[str, Any]:
    order = sample("shopify_order.json")
    order["id"] = order_id
    order.update(changes)
    return order


def woo_order(order_id: int = 727, **changes: Any) -> dict[str, Any]:
    order = sample("woocommerce_order.json")
    order["id"] = order_id
    order.update(changes)
    return order


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def stored_count(world: World, kind: str) -> int:
    async with world.api.services.db.reader() as conn:
        return await Docs(conn).count(kind)


async def test_import_is_idempotent_by_channel_and_external_id(world: World) -> None:
    api = world.api
    seller = await world.seller("OrderAdmin")
    created = await api.ok("POST", "/channels/shopify/orders", shopify_order(), token=seller)
    assert created["ID"] == "shopify-450789469" and created["Status"] == "partially_fulfilled"
    assert money(created["Total"]) == Decimal("633.94")
    fetched = await api.ok("GET", "/channels/orders/shopify/450789469", token=seller)
    assert fetched == created

    # The shop finished shipping: the same order comes again, later, and updates in place.
    shipped = shopify_order(fulfillment_status="fulfilled", updated_at="2024-03-07T08:00:00-05:00")
    shipped["line_items"][1].update(fulfillable_quantity=0, fulfillment_status="fulfilled")
    again = await api.ok("POST", "/channels/shopify/orders", shipped, token=seller, status=200)
    assert (again["Status"], again["FulfillmentStatus"]) == ("fulfilled", "fulfilled")
    assert [li["QuantityShipped"] for li in again["LineItems"]] == [2, 1]
    page = await api.ok("GET", "/channels/orders", token=seller)
    assert page["Meta"]["TotalCount"] == 1 and page["Items"][0]["Status"] == "fulfilled"
    assert await stored_count(world, "channelorder") == 1

    # A late webhook carrying the older state does not roll the order back.
    stale = await api.ok("POST", "/channels/shopify/orders", shopify_order(), token=seller, status=200)
    assert stale["Status"] == "fulfilled"
    # The same external ID in another channel is another order.
    await api.ok("POST", "/channels/WooCommerce/orders", woo_order(450789469), token=seller)
    assert (await api.ok("GET", "/channels/orders", token=seller))["Meta"]["TotalCount"] == 2


async def test_woocommerce_import_and_cancelation(world: World) -> None:
    api = world.api
    seller = await world.seller("OrderAdmin")
    created = await api.ok("POST", "/channels/woocommerce/orders", woo_order(), token=seller)
    assert (created["Status"], created["FinancialStatus"]) == ("open", "paid")
    assert [money(created[k]) for k in ("Subtotal", "Discount", "Shipping", "Tax", "Total")] == [
        Decimal("54.00"),
        Decimal("5.00"),
        Decimal("10.00"),
        Decimal("3.06"),
        Decimal("62.06"),
    ]
    canceled = woo_order(status="cancelled", date_modified_gmt="2024-03-06T09:00:00")
    updated = await api.ok("POST", "/channels/woocommerce/orders", canceled, token=seller, status=200)
    assert (updated["Status"], updated["FinancialStatus"]) == ("canceled", "voided")
    got = await api.ok("GET", "/channels/orders/woocommerce/727", token=seller)
    assert got["Status"] == "canceled" and got["DateUpdated"] == "2024-03-06T09:00:00.000+00:00"


async def submit_cart(world: World, username: str, quantity: int, *, pay: bool = True) -> dict[str, Any]:
    api = world.api
    token = await world.token(username)
    await api.ok("POST", "/cart/lineitems", {"ProductID": "widget", "Quantity": quantity}, token=token)
    if pay:
        await api.ok("POST", "/cart/payments", {"Type": "PurchaseOrder", "Accepted": True}, token=token)
    order: dict[str, Any] = await api.ok("POST", "/cart/submit", token=token)
    return order


async def test_native_orders_follow_their_status_and_totals(world: World) -> None:
    api = world.api
    await cat.product(api, "widget", price="12.50")
    seller = await world.seller()
    # A cart is not an order yet.
    buyer = await world.token("alice")
    await api.ok("POST", "/cart/lineitems", {"ProductID": "widget", "Quantity": 1}, token=buyer)
    assert (await api.ok("GET", "/channels/orders", token=seller))["Meta"]["TotalCount"] == 0
    await api.ok("DELETE", "/cart", token=buyer)

    order = await submit_cart(world, "alice", 4)
    override = await world.seller("OrderAdmin OverrideShipping OverrideTax")
    await api.ok(
        "PATCH",
        f"/orders/Incoming/{order['ID']}",
        {"ShippingCost": "7.25", "TaxCost": "4.10"},
        token=override,
    )
    page = await api.ok("GET", "/channels/orders", params={"Channel": "ordercloud"}, token=seller)
    [native] = page["Items"]
    assert (native["ID"], native["ExternalID"], native["Status"]) == (
        f"ordercloud-{order['ID']}",
        order["ID"],
        "open",
    )
    assert native["FinancialStatus"] == "paid"
    assert [money(native[k]) for k in ("Subtotal", "Shipping", "Tax", "Total")] == [
        Decimal("50.00"),
        Decimal("7.25"),
        Decimal("4.10"),
        Decimal("61.35"),
    ]
    assert native["Customer"]["ID"] == "alice" and native["Customer"]["Email"] == "alice@example.com"
    [line] = native["LineItems"]
    assert (line["ProductID"], line["Quantity"], money(line["UnitPrice"]), money(line["Total"])) == (
        "widget",
        4,
        Decimal("12.50"),
        Decimal("50.00"),
    )

    # Shipping part of it shows; shipping the rest completes the order, and the projection with it.
    lines = await api.ok("GET", f"/orders/Incoming/{order['ID']}/lineitems", token=seller)
    line_id = lines["Items"][0]["ID"]
    shipper = await world.seller("OrderAdmin ShipmentAdmin")
    await api.ok("POST", "/shipments", {"ID": "s1", "BuyerID": "b1", "DateShipped": None}, token=shipper)
    item = {"OrderID": order["ID"], "LineItemID": line_id, "QuantityShipped": 1}
    await api.ok("POST", "/shipments/s1/items", item, token=shipper, status=200)
    got = await api.ok("GET", f"/channels/orders/ordercloud/{order['ID']}", token=seller)
    assert (got["Status"], got["FulfillmentStatus"]) == ("partially_fulfilled", "partially_fulfilled")
    await api.ok("POST", f"/orders/Incoming/{order['ID']}/complete", token=seller)
    got = await api.ok("GET", f"/channels/orders/ordercloud/{order['ID']}", token=seller)
    assert (got["Status"], got["FulfillmentStatus"]) == ("fulfilled", "fulfilled")

    # A renamed order is found under its new ID only.
    await api.ok("PATCH", f"/orders/Incoming/{order['ID']}", {"ID": "renamed"}, token=seller)
    assert (await api.get(f"/channels/orders/ordercloud/{order['ID']}", token=seller)).status_code == 404
    assert (await api.ok("GET", "/channels/orders/ordercloud/renamed", token=seller))["Status"] == "fulfilled"

    # Paid after submit: the payment shows in FinancialStatus.
    other = await submit_cart(world, "bob", 2, pay=False)
    unpaid = await api.ok("GET", f"/channels/orders/ordercloud/{other['ID']}", token=seller)
    assert (unpaid["Status"], unpaid["FinancialStatus"]) == ("open", "pending")
    part = {"Type": "PurchaseOrder", "Amount": "10.00", "Accepted": True}
    await api.ok("POST", f"/orders/Incoming/{other['ID']}/payments", part, token=seller)
    paid = await api.ok("GET", f"/channels/orders/ordercloud/{other['ID']}", token=seller)
    assert paid["FinancialStatus"] == "partially_paid"

    await api.ok("POST", f"/orders/Incoming/{other['ID']}/cancel", token=seller)
    canceled = await api.ok("GET", f"/channels/orders/ordercloud/{other['ID']}", token=seller)
    assert canceled["Status"] == "canceled" and money(canceled["Total"]) == Decimal("25.00")
    assert (await api.ok("GET", "/channels/orders", token=seller))["Meta"]["TotalCount"] == 2


async def test_one_list_across_channels_filters_pages_and_sorts(world: World) -> None:
    api = world.api
    await cat.product(api, "widget", price="20.00")
    seller = await world.seller()
    admin = await world.seller("OrderAdmin")
    native = await submit_cart(world, "alice", 6)  # Total 120.00
    await api.ok("POST", "/channels/shopify/orders", shopify_order(1), token=admin)  # 633.94
    cheap = shopify_order(2, financial_status="pending", fulfillment_status=None, total_price="15.00")
    await api.ok("POST", "/channels/shopify/orders", cheap, token=admin)
    await api.ok("POST", "/channels/woocommerce/orders", woo_order(3), token=admin)  # 62.06
    await api.ok("POST", "/channels/woocommerce/orders", woo_order(4, status="completed"), token=admin)

    async def ids(**params: Any) -> list[str]:
        page = await api.ok("GET", "/channels/orders", params=params, token=seller)
        return [o["ID"] for o in page["Items"]]

    assert sorted(await ids(Channel="shopify")) == ["shopify-1", "shopify-2"]
    assert sorted(await ids(Status="open")) == [f"ordercloud-{native['ID']}", "woocommerce-3"]
    assert await ids(Total=">100", sortBy="!Total") == ["shopify-1", f"ordercloud-{native['ID']}"]
    assert await ids(Channel="woocommerce|shopify", Status="!fulfilled", sortBy="Total") == [
        "shopify-2",
        "woocommerce-3",
        "shopify-1",
    ]
    assert await ids(**{"Customer.Email": "john.doe@example.com", "sortBy": "ExternalID"}) == [
        "woocommerce-3",
        "woocommerce-4",
    ]
    page = await api.ok(
        "GET", "/channels/orders", params={"sortBy": "Total", "page": 2, "pageSize": 2}, token=seller
    )
    assert [o["ID"] for o in page["Items"]] == ["woocommerce-4", f"ordercloud-{native['ID']}"]
    assert page["Meta"] == {
        "Page": 2,
        "PageSize": 2,
        "TotalCount": 5,
        "TotalPages": 3,
        "ItemRange": [3, 4],
        "NextPageKey": None,
    }
    # Newest first by default: the Woo samples were created before the Shopify ones and the
    # native order (created now) is the newest.
    assert (await ids())[0] == f"ordercloud-{native['ID']}"
    # Search: ID, ExternalID, customer email and last name, the shop's order name or number.
    assert await ids(search="norman") == ["shopify-1", "shopify-2"]
    bad = await api.get("/channels/orders", params={"Colour": "red"}, token=seller)
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidProperty"


async def test_bad_payloads_store_nothing(world: World) -> None:
    api = world.api
    seller = await world.seller("OrderAdmin")
    broken = shopify_order()
    broken["line_items"][1]["price"] = "1,99"
    response = await api.post("/channels/shopify/orders", broken, token=seller)
    assert response.status_code == 400 and error_code(response) == "Channels.InvalidPayload"
    assert response.json()["Errors"][0]["Data"] == {"Channel": "shopify", "Field": "line_items[1].price"}
    not_object = await api.post("/channels/woocommerce/orders", [woo_order()], token=seller)
    assert not_object.status_code == 400
    unknown = await api.post("/channels/etsy/orders", woo_order(), token=seller)
    assert unknown.status_code == 400 and error_code(unknown) == "Channels.UnknownChannel"
    native = await api.post("/channels/ordercloud/orders", woo_order(), token=seller)
    assert native.status_code == 400 and error_code(native) == "Channels.NotImportable"
    as_order = await api.post(
        "/channels/woocommerce/orders", woo_order(), token=seller, params={"asOrder": "true"}
    )
    assert as_order.status_code == 400 and error_code(as_order) == "Channels.BuyerNotConfigured"
    for kind in ("channelorder", "unifiedorder"):
        assert await stored_count(world, kind) == 0
    missing = await api.get("/channels/orders/shopify/450789469", token=seller)
    assert missing.status_code == 404


async def test_only_the_seller_reads_and_only_order_admins_import(world: World) -> None:
    api = world.api
    reader = await world.seller("OrderReader")
    refused = await api.post("/channels/shopify/orders", shopify_order(), token=reader)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"
    assert (await api.ok("GET", "/channels/orders", token=reader))["Items"] == []
    buyer_admin = await world.token("b1admin", "OrderAdmin OrderReader")
    assert (await api.get("/channels/orders", token=buyer_admin)).status_code == 403
    assert (await api.post("/channels/shopify/orders", shopify_order(), token=buyer_admin)).status_code == 403
    assert await stored_count(world, "unifiedorder") == 0
