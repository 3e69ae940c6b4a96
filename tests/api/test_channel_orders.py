"""Imported orders made real (docs/channels.md): SKU map, channel settings, `asOrder`, then the
order is forwarded, shipped and returned like a native one and read back in the common shape."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from integrations.channels.signatures import sign
from tests.api import catalog_fixtures as cat
from tests.api.fulfilment_fixtures import SELLER_ROLES, setup_market, supplier_token
from tests.api.order_fixtures import World
from tests.api.return_fixtures import new_return
from tests.api.test_channels import SAMPLES, sample, shopify_order, woo_order
from tests.helpers import error_code
from tests.unit.test_channel_signatures import _keys, wix_jwt

NOW = "2024-03-08T10:00:00.000+00:00"


def money(value: Any) -> Decimal:
    return Decimal(str(value))


def unshipped_shopify(**changes: Any) -> dict[str, Any]:
    order = shopify_order(fulfillment_status=None, **changes)
    for line in order["line_items"]:
        line.update(fulfillment_status=None, fulfillable_quantity=line["quantity"])
    return order


async def configure(world: World, seller: str) -> None:
    """Stock-tracked p1 (s1's) and p3 (the seller's); both channels import into buyer b1."""
    await setup_market(world)
    for product_id in ("p1", "p3"):
        product = await cat.read(world.api, "product", product_id)
        inventory = {"Enabled": True, "QuantityAvailable": 10, "OrderCanExceed": False}
        await cat.replace(world.api, "product", {**product, "Inventory": inventory, "Returnable": True})
    api = world.api
    for channel in ("shopify", "woocommerce"):
        saved = await api.ok(
            "PUT",
            f"/channels/{channel}/settings",
            {"BuyerID": "b1", "WebhookSecret": "s3cret-key"},
            token=seller,
        )
        assert saved == {"Channel": channel, "AsOrder": False, "BuyerID": "b1", "WebhookSecretSet": True}
    # Bulk upload (array), then one more by PUT.
    uploaded = await api.ok(
        "POST",
        "/channels/shopify/skumap",
        [{"SKU": "IPOD2008GREEN", "ProductID": "p1"}, {"SKU": "IPOD2008RED", "ProductID": "p3"}],
        token=seller,
        status=201,
    )
    assert [m["SKU"] for m in uploaded] == ["IPOD2008GREEN", "IPOD2008RED"]
    await api.ok("PUT", "/channels/woocommerce/skumap/WOO-SINGLE-1", {"ProductID": "p1"}, token=seller)
    await api.ok("PUT", "/channels/woocommerce/skumap/SYI-BLK-M", {"ProductID": "p3"}, token=seller)


async def available(world: World, product_id: str) -> int:
    product = await cat.read(world.api, "product", product_id)
    return int(product["Inventory"]["QuantityAvailable"])


async def test_skumap_crud_and_settings_validation(world: World) -> None:
    api = world.api
    seller = await world.seller("OrderAdmin OrderReader")
    await setup_market(world)
    await api.ok(
        "POST", "/channels/shopify/skumap", {"SKU": "A-1", "ProductID": "p1"}, token=seller, status=201
    )
    assert (await api.ok("GET", "/channels/shopify/skumap/A-1", token=seller))["ProductID"] == "p1"
    page = await api.ok("GET", "/channels/shopify/skumap?search=A-1", token=seller)
    assert [m["SKU"] for m in page["Items"]] == ["A-1"]
    assert (
        await api.post("/channels/shopify/skumap", {"SKU": "B", "ProductID": "nope"}, token=seller)
    ).status_code == 404
    bad = await api.post("/channels/shopify/skumap", {"SKU": "", "ProductID": "p1"}, token=seller)
    assert bad.status_code == 400
    await api.ok("DELETE", "/channels/shopify/skumap/A-1", token=seller, status=204)
    assert (await api.get("/channels/shopify/skumap/A-1", token=seller)).status_code == 404
    assert (await api.put("/channels/shopify/settings", {"BuyerID": "zz"}, token=seller)).status_code == 404
    assert (await api.put("/channels/shopify/settings", {"Bogus": 1}, token=seller)).status_code == 400
    assert (await api.get("/channels/ordercloud/settings", token=seller)).status_code == 400


async def test_imported_orders_are_fulfilled_and_returned_like_native_ones(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, seller)

    # Shopify: paid, nothing shipped. Bob is not a b1 user yet: created there.
    created = await api.ok("POST", "/channels/shopify/orders?asOrder=true", unshipped_shopify(), token=seller)
    assert created["ID"] == "shopify-450789469" and created["Channel"] == "shopify"
    assert created["FulfillmentStatus"] == "unfulfilled" and created["FinancialStatus"] == "paid"
    order = await api.ok("GET", "/orders/Incoming/shopify-450789469", token=seller)
    assert order["Status"] == "Open" and order["FromCompanyID"] == "b1"
    assert order["FromUser"]["Email"] == "bob.norman@mail.example.com"
    assert money(order["Total"]) == Decimal("633.94")
    assert await available(world, "p1") == 8 and await available(world, "p3") == 9  # reserved like a submit
    payments = (await api.ok("GET", "/orders/Incoming/shopify-450789469/payments", token=seller))["Items"]
    assert [(p["Accepted"], money(p["Amount"])) for p in payments] == [(True, Decimal("633.94"))]

    # WooCommerce: processing (paid); John is created in b1 too.
    woo = await api.ok("POST", "/channels/woocommerce/orders?asOrder=true", woo_order(), token=seller)
    assert woo["ID"] == "woocommerce-727" and woo["FulfillmentStatus"] == "unfulfilled"
    assert await available(world, "p1") == 6 and await available(world, "p3") == 8

    # One row per order in the common list (the OrderCloud order is not listed a second time).
    listed = await api.ok("GET", "/channels/orders", token=seller)
    assert sorted(o["ID"] for o in listed["Items"]) == ["shopify-450789469", "woocommerce-727"]

    # Forward: s1's line goes to s1; the seller ships its own line.
    await api.ok("POST", "/orders/Incoming/shopify-450789469/forward", token=seller, status=200)
    await api.ok("POST", "/shipments", {"ID": "sh1", "DateShipped": None}, token=seller)
    item = {"OrderID": "shopify-450789469", "LineItemID": "518995019", "QuantityShipped": 1}
    await api.ok("POST", "/shipments/sh1/items", item, token=seller, status=200)
    step = await api.ok("GET", "/channels/orders/shopify/450789469", token=seller)
    assert step["FulfillmentStatus"] == "partially_fulfilled" and step["Status"] == "partially_fulfilled"
    await api.ok("PATCH", "/shipments/sh1", {"DateShipped": NOW}, token=seller)
    sam = await supplier_token(world, "sam", "s1")
    await api.ok("POST", "/shipments", {"ID": "sh2", "DateShipped": NOW}, token=sam)
    item = {"OrderID": "shopify-450789469-s1", "LineItemID": "466157049", "QuantityShipped": 2}
    await api.ok("POST", "/shipments/sh2/items", item, token=sam, status=200)
    step = await api.ok("GET", "/channels/orders/shopify/450789469", token=seller)
    assert step["FulfillmentStatus"] == "fulfilled" and step["FinancialStatus"] == "paid"
    assert (await api.ok("GET", "/orders/Incoming/shopify-450789469", token=seller))["Status"] == "Completed"

    # Return part of it: one of the two green iPods, refunded.
    await new_return(world, "shopify-450789469", [("466157049", 1)], ID="r1", token=seller)
    # Without a return integration event the seller sets the amount, as in OrderCloud.
    ret = await api.ok("PATCH", "/orderreturns/r1", {"RefundAmount": 10}, token=seller)
    await api.ok("POST", "/orderreturns/r1/submit", token=seller)
    await api.ok("POST", "/orderreturns/r1/complete", token=seller)
    assert money(ret["RefundAmount"]) == Decimal("10")
    step = await api.ok("GET", "/channels/orders/shopify/450789469", token=seller)
    assert step["FinancialStatus"] == "partially_refunded" and step["FulfillmentStatus"] == "fulfilled"

    # Idempotent: the same Shopify order again (an update) changes the order, never duplicates it.
    again = await api.post("/channels/shopify/orders", unshipped_shopify(note="gift"), token=seller)
    assert again.status_code == 200
    listed = await api.ok("GET", "/channels/orders", token=seller)
    assert len(listed["Items"]) == 2

    # WooCommerce cancels its order: stock comes back, the order is Canceled.
    cancelled = woo_order(status="cancelled", date_modified_gmt="2030-01-01T00:00:00")
    after = await api.ok("POST", "/channels/woocommerce/orders", cancelled, token=seller, status=200)
    assert after["Status"] == "canceled"
    assert (await api.ok("GET", "/orders/Incoming/woocommerce-727", token=seller))["Status"] == "Canceled"
    # p1 also has back the green iPod returned above (a completed return restocks).
    assert await available(world, "p1") == 9 and await available(world, "p3") == 9


async def test_refusals_write_nothing(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await setup_market(world)
    # No buyer company configured.
    refused = await api.post("/channels/shopify/orders?asOrder=true", unshipped_shopify(), token=seller)
    assert refused.status_code == 400 and error_code(refused) == "Channels.BuyerNotConfigured"
    await api.ok("PUT", "/channels/shopify/settings", {"BuyerID": "b1", "AsOrder": True}, token=seller)
    # The per-channel setting asks for orders; the second line has no SKU mapping.
    await api.ok("PUT", "/channels/shopify/skumap/IPOD2008GREEN", {"ProductID": "p1"}, token=seller)
    refused = await api.post("/channels/shopify/orders", unshipped_shopify(), token=seller)
    assert refused.status_code == 400 and error_code(refused) == "Channels.UnmappedLine"
    assert refused.json()["Errors"][0]["Data"]["LineID"] == "518995019"
    assert (await api.get("/channels/orders/shopify/450789469", token=seller)).status_code == 404
    assert (await api.get("/orders/Incoming/shopify-450789469", token=seller)).status_code == 404
    # A user of another company with the same email is never used: a b1 user is created.
    await api.ok("PUT", "/channels/shopify/skumap/IPOD2008RED", {"ProductID": "p3"}, token=seller)
    body = unshipped_shopify(email="bob@example.com")  # b2's bob
    body["customer"]["email"] = "bob@example.com"
    refused = await api.post("/channels/shopify/orders", body, token=seller)
    # bob's username is "bob", so the email is free as a username: the user is made in b1.
    assert refused.status_code == 201, refused.text
    order = await api.ok("GET", "/orders/Incoming/shopify-450789469", token=seller)
    assert order["FromCompanyID"] == "b1" and order["FromUser"]["ID"] != "bob"


async def test_platform_webhooks_are_verified_by_signature(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, seller)
    await api.ok("PUT", "/channels/shopify/settings", {"BuyerID": "b1", "AsOrder": True}, token=seller)
    raw = json.dumps(unshipped_shopify()).encode()

    async def deliver(channel: str, body: bytes, headers: dict[str, str]) -> Any:
        headers = {"Content-Type": "application/json", **headers}
        return await api.client.request(
            "POST", f"/v1/channels/{channel}/webhook", content=body, headers=headers
        )

    good = sign("s3cret-key", raw)
    for headers in ({}, {"X-Shopify-Hmac-Sha256": sign("wrong-key", raw)}, {"X-WC-Webhook-Signature": good}):
        refused = await deliver("shopify", raw, headers)
        assert refused.status_code == 401 and error_code(refused) == "Channels.InvalidSignature"
    assert (await api.get("/channels/orders/shopify/450789469", token=seller)).status_code == 404
    # The secret was kept by the settings PUT above (absent = unchanged); a signed delivery imports.
    made = await deliver("shopify", raw, {"X-Shopify-Hmac-Sha256": good})
    assert made.status_code == 201, made.text
    assert (await api.ok("GET", "/orders/Incoming/shopify-450789469", token=seller))["Status"] == "Open"
    assert (await deliver("shopify", raw, {"X-Shopify-Hmac-Sha256": good})).status_code == 200
    # WooCommerce: its ping is acknowledged; its order deliveries are signed the same way.
    ping = b"webhook_id=12"
    pong = await deliver("woocommerce", ping, {"X-WC-Webhook-Signature": sign("s3cret-key", ping)})
    assert pong.status_code == 200 and pong.json()["Ignored"] is True
    woo = json.dumps(woo_order()).encode()
    made = await deliver("woocommerce", woo, {"X-WC-Webhook-Signature": sign("s3cret-key", woo)})
    assert made.status_code == 201 and made.json()["ID"] == "woocommerce-727"
    # Not an OrderCloud order: the woocommerce channel's AsOrder setting is off.
    assert (await api.get("/orders/Incoming/woocommerce-727", token=seller)).status_code == 404


async def test_wix_order_by_signed_webhook_is_fulfilled_and_returned(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, seller)
    private, public = _keys()
    await api.ok(
        "PUT",
        "/channels/wix/settings",
        {"BuyerID": "b1", "AsOrder": True, "WebhookSecret": public},
        token=seller,
    )
    await api.ok(
        "POST",
        "/channels/wix/skumap",
        [{"SKU": "SHIRT-LIN-M", "ProductID": "p3"}, {"SKU": "TOTE-CANVAS", "ProductID": "p3"}],
        token=seller,
    )
    wix_sample = json.loads((SAMPLES / "wix_order.json").read_text())
    event = {"id": "evt-1", "slug": "created", "createdEvent": {"entity": wix_sample}}

    async def deliver(body: bytes) -> Any:
        return await api.client.request("POST", "/v1/channels/wix/webhook", content=body)

    forged = await deliver(wix_jwt(_keys()[0], event))
    assert forged.status_code == 401 and error_code(forged) == "Channels.InvalidSignature"
    made = await deliver(wix_jwt(private, event))
    assert made.status_code == 201, made.text
    order_id = "wix-a1b2c3d4-5e6f-4a1b-9c2d-3e4f5a6b7c8d"
    assert made.json()["ID"] == order_id and made.json()["FinancialStatus"] == "paid"
    assert await available(world, "p3") == 7  # 2 shirts + 1 tote from p3's 10
    order = await api.ok("GET", f"/orders/Incoming/{order_id}", token=seller)
    assert order["Status"] == "Open" and order["FromUser"]["Email"] == "jane.doe@example.com"

    await api.ok("POST", "/shipments", {"ID": "wsh", "DateShipped": NOW}, token=seller)
    for line_id, quantity in (
        ("00000000-0000-0000-0000-000000000001", 2),
        ("00000000-0000-0000-0000-000000000002", 1),
    ):
        item = {"OrderID": order_id, "LineItemID": line_id, "QuantityShipped": quantity}
        await api.ok("POST", "/shipments/wsh/items", item, token=seller, status=200)
    step = await api.ok("GET", "/channels/orders/wix/a1b2c3d4-5e6f-4a1b-9c2d-3e4f5a6b7c8d", token=seller)
    assert (step["FulfillmentStatus"], step["FinancialStatus"]) == ("fulfilled", "paid")
    await new_return(world, order_id, [("00000000-0000-0000-0000-000000000002", 1)], ID="wr1", token=seller)
    # Without a return integration event the seller sets the amount, as in OrderCloud.
    await api.ok("PATCH", "/orderreturns/wr1", {"RefundAmount": 5}, token=seller)
    await api.ok("POST", "/orderreturns/wr1/submit", token=seller)
    await api.ok("POST", "/orderreturns/wr1/complete", token=seller)
    step = await api.ok("GET", "/channels/orders/wix/a1b2c3d4-5e6f-4a1b-9c2d-3e4f5a6b7c8d", token=seller)
    assert (step["FulfillmentStatus"], step["FinancialStatus"]) == ("fulfilled", "partially_refunded")
    # Wix cancels nothing here; an updated event with the same order changes no count.
    updated = {"id": "evt-2", "slug": "updated", "updatedEvent": {"currentEntity": wix_sample}}
    assert (await deliver(wix_jwt(private, updated))).status_code == 200
    assert len((await api.ok("GET", "/channels/orders?Channel=wix", token=seller))["Items"]) == 1


@dataclass(frozen=True)
class Channel:
    """One order of a channel: its line A (2 units, mapped to s1's p1, so forwarded to s1) and
    line B (1 unit, mapped to the seller's own p3)."""

    name: str
    external_id: str
    body: Callable[[], dict[str, Any]]
    skus: tuple[str, str]
    lines: tuple[str, str]


CHANNELS = [
    Channel(
        "shopify",
        "450789469",
        unshipped_shopify,
        ("IPOD2008GREEN", "IPOD2008RED"),
        ("466157049", "518995019"),
    ),
    Channel("woocommerce", "727", woo_order, ("WOO-SINGLE-1", "SYI-BLK-M"), ("315", "316")),
    Channel(
        "wix",
        "a1b2c3d4-5e6f-4a1b-9c2d-3e4f5a6b7c8d",
        lambda: sample("wix_order.json"),
        ("SHIRT-LIN-M", "TOTE-CANVAS"),
        ("00000000-0000-0000-0000-000000000001", "00000000-0000-0000-0000-000000000002"),
    ),
    Channel(
        "bigcommerce", "118", lambda: sample("bigcommerce_order.json"), ("TOWEL-BEIGE", "OTS"), ("95", "96")
    ),
]


@pytest.mark.parametrize("channel", CHANNELS, ids=[c.name for c in CHANNELS])
async def test_each_channel_order_is_forwarded_shipped_and_returned(world: World, channel: Channel) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, seller)
    name = channel.name
    await api.ok("PUT", f"/channels/{name}/settings", {"BuyerID": "b1"}, token=seller)
    mappings = [{"SKU": channel.skus[0], "ProductID": "p1"}, {"SKU": channel.skus[1], "ProductID": "p3"}]
    await api.ok("POST", f"/channels/{name}/skumap", mappings, token=seller, status=201)
    order_id = f"{name}-{channel.external_id}"
    line_a, line_b = channel.lines

    async def common() -> tuple[str, str, str, list[str]]:
        row = await api.ok("GET", f"/channels/orders/{name}/{channel.external_id}", token=seller)
        return row["Status"], row["FulfillmentStatus"], row["PaymentStatus"], row["TrackingNumbers"]

    made = await api.ok(
        "POST", f"/channels/{name}/orders?asOrder=true", channel.body(), token=seller, status=201
    )
    assert made["ID"] == order_id
    assert await common() == ("open", "unfulfilled", "PAID", [])
    assert await available(world, "p1") == 8 and await available(world, "p3") == 9

    # Forward: line A goes to s1 on its own order; the seller keeps line B.
    await api.ok("POST", f"/orders/Incoming/{order_id}/forward", token=seller, status=200)
    # Partial: the seller ships line B.
    await api.ok(
        "POST", "/shipments", {"ID": "ship-b", "DateShipped": NOW, "TrackingNumber": "TRK-B"}, token=seller
    )
    item = {"OrderID": order_id, "LineItemID": line_b, "QuantityShipped": 1}
    await api.ok("POST", "/shipments/ship-b/items", item, token=seller, status=200)
    assert await common() == ("partially_fulfilled", "partially_fulfilled", "PAID", ["TRK-B"])
    # Full: s1 ships line A from the forwarded order; the order completes.
    sam = await supplier_token(world, "sam", "s1")
    later = "2024-03-09T10:00:00.000+00:00"
    await api.ok(
        "POST", "/shipments", {"ID": "ship-a", "DateShipped": later, "TrackingNumber": "TRK-A"}, token=sam
    )
    item = {"OrderID": f"{order_id}-s1", "LineItemID": line_a, "QuantityShipped": 2}
    await api.ok("POST", "/shipments/ship-a/items", item, token=sam, status=200)
    assert await common() == ("fulfilled", "fulfilled", "PAID", ["TRK-B", "TRK-A"])
    assert (await api.ok("GET", f"/orders/Incoming/{order_id}", token=seller))["Status"] == "Completed"
    # A tracking number corrected on its shipment follows.
    await api.ok("PATCH", "/shipments/ship-b", {"TrackingNumber": "TRK-B2"}, token=seller)
    assert (await common())[3] == ["TRK-B2", "TRK-A"]

    # Return one of line A's two units, refunded: partly refunded, still fulfilled.
    await new_return(world, order_id, [(line_a, 1)], ID=f"r-{name}", token=seller)
    # Without a return integration event the seller sets the amount, as in OrderCloud.
    await api.ok("PATCH", f"/orderreturns/r-{name}", {"RefundAmount": 5}, token=seller)
    await api.ok("POST", f"/orderreturns/r-{name}/submit", token=seller)
    await api.ok("POST", f"/orderreturns/r-{name}/complete", token=seller)
    assert await common() == ("fulfilled", "fulfilled", "PARTIALLY_REFUNDED", ["TRK-B2", "TRK-A"])
    row = await api.ok("GET", f"/channels/orders/{name}/{channel.external_id}", token=seller)
    assert row["FinancialStatus"] == "partially_refunded" and row["Channel"] == name
    assert await available(world, "p1") == 9  # the returned unit is back in stock


async def test_bulk_import_answers_per_order(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, seller)
    good = woo_order(728)
    bad = woo_order(729)
    bad["line_items"][0]["total"] = "abc"
    unmapped = woo_order(730)
    unmapped["line_items"][0]["sku"] = "NOT-MAPPED"
    unmapped["line_items"][0]["product_id"] = 999
    unmapped["line_items"][0]["variation_id"] = 0
    ndjson = "\n".join(json.dumps(o) for o in (good, bad, unmapped, good)).encode()
    headers = {"Authorization": f"Bearer {seller}", "Content-Type": "application/x-ndjson"}
    response = await api.client.request(
        "POST", "/v1/channels/woocommerce/orders/bulk?asOrder=true", content=ndjson, headers=headers
    )
    assert response.status_code == 200, response.text
    results = response.json()["Results"]
    assert [(r["Index"], r["Status"], r["ID"]) for r in results] == [
        (0, 201, "woocommerce-728"),
        (1, 400, None),
        (2, 400, None),
        (3, 200, "woocommerce-728"),
    ]
    assert results[1]["Errors"][0]["Data"]["Field"] == "line_items[0].total"
    assert results[2]["Errors"][0]["ErrorCode"] == "Channels.UnmappedLine"
    # The refused ones left nothing; the good one is an order, once.
    listed = await api.ok("GET", "/channels/orders?Channel=woocommerce", token=seller)
    assert [o["ID"] for o in listed["Items"]] == ["woocommerce-728"]
    assert (await api.ok("GET", "/orders/Incoming/woocommerce-728", token=seller))["Status"] == "Open"
    assert await available(world, "p1") == 8  # reserved once, not twice
    # A JSON array works the same; a line that is not JSON refuses the request.
    array = await api.ok(
        "POST", "/channels/woocommerce/orders/bulk", [woo_order(731)], token=seller, status=200
    )
    assert array["Results"][0]["Status"] == 201
    broken = await api.client.request(
        "POST", "/v1/channels/woocommerce/orders/bulk", content=b'{"id": 1}\n{oops', headers=headers
    )
    assert broken.status_code == 400 and error_code(broken) == "Channels.InvalidBulk"
    assert broken.json()["Errors"][0]["Data"] == {"Line": 2}


async def test_common_shape_fields_and_filters(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, seller)
    await api.ok("POST", "/channels/woocommerce/orders?asOrder=true", woo_order(), token=seller)
    await api.ok("POST", "/channels/shopify/orders", unshipped_shopify(), token=seller)
    bc = json.loads((SAMPLES / "bigcommerce_order.json").read_text())
    await api.ok("POST", "/channels/bigcommerce/orders", bc, token=seller)
    woo = await api.ok("GET", "/channels/orders/woocommerce/727", token=seller)
    # An order made real keeps the channel's number, shipping method and gateway in its projection.
    assert (woo["OrderNumber"], woo["ShippingMethod"], woo["PaymentGateway"], woo["RemoteDeleted"]) == (
        "727",
        "Flat Rate",
        "bacs",
        False,
    )
    assert woo["LineItems"][1]["VariantID"] is None  # the OrderCloud line: no variant

    async def ids(query: str) -> list[str]:
        page = await api.ok("GET", f"/channels/orders?{query}", token=seller)
        return sorted(o["ID"] for o in page["Items"])

    assert await ids("OrderNumber=1001") == ["shopify-450789469"]
    assert await ids("TransactionID=ch_3OqA1b2C3d4E5f6G") == ["bigcommerce-118"]
    assert await ids("PaymentGateway=Credit Card") == ["bigcommerce-118"]
    assert await ids("ShippingMethod=Flat*") == ["bigcommerce-118", "woocommerce-727"]
    assert await ids("RemoteDeleted=false&Channel=shopify") == ["shopify-450789469"]
    assert await ids("search=1001") == ["shopify-450789469"]
    assert (await api.ok("GET", "/channels/orders?sortBy=OrderNumber", token=seller))["Items"]

    # Line filters: orders with at least one matching line (each filter may match another line).
    assert await ids("LineItems.SKU=IPOD2008GREEN") == ["shopify-450789469"]
    assert await ids("LineItems.SKU=ipod*") == ["shopify-450789469"]  # any case, wildcard
    assert await ids("LineItems.SKU=IPOD2008GREEN|OTS") == ["bigcommerce-118", "shopify-450789469"]
    # The order made real lists its OrderCloud lines: SKU map product IDs.
    assert await ids("LineItems.ProductID=p3") == ["woocommerce-727"]
    assert await ids("LineItems.VariantID=39072856") == ["shopify-450789469"]
    assert await ids("LineItems.SKU=TOWEL-BEIGE&LineItems.Quantity=1") == ["bigcommerce-118"]
    assert await ids("LineItems.SKU=TOWEL-BEIGE&LineItems.Quantity=>2") == []
    assert await ids("LineItems.SKU=!TOWEL-BEIGE&Channel=bigcommerce") == ["bigcommerce-118"]  # OTS
    bad = await api.get("/channels/orders?LineItems.Bogus=1", token=seller)
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidProperty"
    bad = await api.get("/channels/orders?LineItems.Quantity=many", token=seller)
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidType"
    by_payment = await api.ok("GET", "/channels/orders?sortBy=PaymentStatus", token=seller)
    assert len(by_payment["Items"]) == 3
