"""Returns that move money and stock: OrderCloud's return calculation (no event, a middleware
answering `/calculateorderreturn`, ordercore's built-in calculator prorating tax, shipping and
order discounts), restock on completion, reason codes and conditions, and the payment status of
the common order view."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.api.return_fixtures import RETURNS, builtin_calculator, catalog, new_return, open_order, ship
from tests.helpers import ADMIN_CLIENT, error_code
from tests.integration.receivers import HASH_KEY, Receiver, RecordedRequest, Reply


def money(value: Any) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


async def _charge(world: World, order_id: str, **fields: str) -> dict[str, Any]:
    """Give a submitted order tax, shipping or an order-level discount (as a calculate would have)
    and recompute its Total the way ordercore does."""
    order = await cat.read(world.api, "order", order_id)
    order.update({k: Decimal(v) for k, v in fields.items()})
    d = lambda k: Decimal(str(order.get(k) or 0))  # noqa: E731
    order["Total"] = d("Subtotal") + d("TaxCost") + d("ShippingCost") - d("PromotionDiscount")
    await cat.replace(world.api, "order", order)
    return order


async def test_without_an_event_the_seller_sets_the_refund(world: World) -> None:
    api = world.api
    await catalog(world, calculator=False)
    lines = await open_order(world, "o1", {"plain": 2})
    await ship(world, "o1", lines["plain"], 2)
    buyers = await new_return(world, "o1", [(lines["plain"], 1)], ID="r1", RefundAmount=99)
    assert buyers["RefundAmount"] is None and buyers["ItemsToReturn"][0]["RefundAmount"] is None
    seller = await world.seller()
    await api.ok("POST", f"{RETURNS}/r1/submit", token=await world.token("alice"))
    refused = await api.post(f"{RETURNS}/r1/complete", token=seller)
    assert refused.status_code == 201  # nothing owed: completes without a payment
    set_by_seller = await new_return(world, "o1", [(lines["plain"], 1)], ID="r2", token=seller)
    assert set_by_seller["RefundAmount"] is None
    patched = await api.ok("PATCH", f"{RETURNS}/r2", {"RefundAmount": "10.5"}, token=seller)
    assert money(patched["RefundAmount"]) == Decimal("10.50")
    items = [{"LineItemID": lines["plain"], "Quantity": 1, "RefundAmount": 7}]
    per_item = await api.ok(
        "PATCH", f"{RETURNS}/r2", {"ItemsToReturn": items, "RefundAmount": None}, token=seller
    )
    assert money(per_item["ItemsToReturn"][0]["RefundAmount"]) == Decimal("7.00")
    assert money(per_item["RefundAmount"]) == Decimal("7.00")


async def test_builtin_calculator_prorates_tax_shipping_and_order_discount(world: World) -> None:
    await catalog(world)  # the built-in calculator, shipping refundable
    lines = await open_order(world, "o1", {"pb": 3, "plain": 2})  # 3 x 9.99 + 2 x 12.35 = 54.67
    order = await _charge(world, "o1", TaxCost="1.65", ShippingCost="9.99", PromotionDiscount="5.00")
    assert money(order["Total"]) == Decimal("61.31")
    await ship(world, "o1", lines["pb"], 3)
    await ship(world, "o1", lines["plain"], 2)
    refunds = []
    for n, (line, qty) in enumerate([("pb", 1), ("plain", 1), ("pb", 2), ("plain", 1)]):
        ret = await new_return(world, "o1", [(lines[line], qty)], ID=f"r{n}")
        refunds.append(money(ret["RefundAmount"]))
        assert ret["ItemsToReturn"][0]["RefundAmount"] == ret["RefundAmount"]
    # pb carries 29.97 / 54.67 of the extra 6.64 (tax + shipping - discount): 3.64, so 33.61 for
    # its 3 units (11.20, then 22.41 for two); plain 24.70 + 3.00 = 27.70 (13.85 each).
    assert refunds == [Decimal("11.20"), Decimal("13.85"), Decimal("22.41"), Decimal("13.85")]
    assert sum(refunds) == money(order["Total"])  # every unit back: exactly what was paid


async def test_builtin_calculator_can_keep_shipping(world: World) -> None:
    await catalog(world, calculator=False)
    await builtin_calculator(world, RefundShipping=False)
    lines = await open_order(world, "o1", {"plain": 2})
    order = await _charge(world, "o1", TaxCost="2.47", ShippingCost="5.00")
    await ship(world, "o1", lines["plain"], 2)
    ret = await new_return(world, "o1", [(lines["plain"], 2)], ID="r1")
    assert money(ret["RefundAmount"]) == money(order["Total"]) - Decimal("5.00") == Decimal("27.17")


def _middleware(seen: list[dict[str, Any]]) -> Any:
    def respond(request: RecordedRequest, index: int) -> Reply:
        body = request.json()
        seen.append({"path": request.path, "hash_ok": request.oc_hash_valid, "body": body})
        items = body["OrderReturn"]["ItemsToReturn"]
        calcs = [{"LineItemID": i["LineItemID"], "RefundAmount": 4.25 * i["Quantity"]} for i in items]
        return Reply(
            body=json.dumps(
                {"RefundAmount": 1.5 + sum(c["RefundAmount"] for c in calcs), "ItemsToReturnCalcs": calcs}
            ).encode()
        )

    return respond


async def test_middleware_answers_calculateorderreturn(world: World) -> None:
    api = world.api
    await catalog(world, calculator=False)
    seen: list[dict[str, Any]] = []
    with Receiver(_middleware(seen)) as rx:
        event = {
            "ID": "returns-mw", "Name": "Returns", "EventType": "OrderReturn",
            "CustomImplementationUrl": rx.url + "/api", "HashKey": HASH_KEY,
            "ElevatedRoles": ["OrderReader"], "ConfigData": {"Policy": "30d"},
        }  # fmt: skip
        await api.ok("PUT", "/integrationEvents/returns-mw", event)
        await api.ok("PATCH", f"/apiclients/{ADMIN_CLIENT}", {"OrderReturnIntegrationEventID": "returns-mw"})
        lines = await open_order(world, "o1", {"plain": 3})
        await ship(world, "o1", lines["plain"], 3)
        ret = await new_return(world, "o1", [(lines["plain"], 2)], ID="r1", Comments="box open")
        assert money(ret["ItemsToReturn"][0]["RefundAmount"]) == Decimal("8.50")
        assert money(ret["RefundAmount"]) == Decimal("10.00")
        [call] = seen
        assert call["path"] == "/api/calculateorderreturn" and call["hash_ok"] is True
        body = call["body"]
        assert set(body) >= {
            "OrderReturn",
            "OrderWorksheet",
            "OrderCloudAccessToken",
            "Environment",
            "ConfigData",
        }
        assert body["OrderReturn"]["ID"] == "r1" and body["OrderReturn"]["Comments"] == "box open"
        assert body["OrderWorksheet"]["Order"]["ID"] == "o1"
        assert [li["ID"] for li in body["OrderWorksheet"]["LineItems"]] == [lines["plain"]]
        assert body["ConfigData"] == {"Policy": "30d"}
        # An update asks again; an OrderAdmin's own amount wins over the middleware's.
        items = [{"LineItemID": lines["plain"], "Quantity": 3}]
        again = await api.ok(
            "PATCH", f"{RETURNS}/r1", {"ItemsToReturn": items}, token=await world.token("alice")
        )
        assert money(again["RefundAmount"]) == Decimal("14.25") and len(seen) == 2
        admin = await api.ok("PATCH", f"{RETURNS}/r1", {"RefundAmount": 3}, token=await world.seller())
        assert money(admin["RefundAmount"]) == Decimal("3.00")

    # The middleware gone: the write is refused with 502 and nothing changes.
    items = [{"LineItemID": lines["plain"], "Quantity": 1}]
    down = await api.patch(f"{RETURNS}/r1", {"ItemsToReturn": items}, token=await world.token("alice"))
    assert down.status_code == 502 and error_code(down) == "IntegrationEvent.ConnectionFailed"
    kept = await api.ok("GET", f"{RETURNS}/r1", token=await world.seller())
    assert kept["ItemsToReturn"][0]["Quantity"] == 3 and money(kept["RefundAmount"]) == Decimal("3.00")


async def test_completion_restocks_unless_damaged(world: World) -> None:
    api = world.api
    await catalog(world)
    inventory = {"Enabled": True, "QuantityAvailable": 10, "OrderCanExceed": False}
    await cat.product(api, "stocked", price="5.00", inventory=inventory)
    await cat.product(api, "located", price="4.00", inventory=inventory)
    warehouse = {
        "ID": "wh-b",
        "Street1": "2 Dock Rd",
        "City": "Springfield",
        "State": "IL",
        "Zip": "62701",
        "Country": "US",
    }
    await api.ok("POST", "/addresses", warehouse)
    shelf = {"ID": "shelf-b", "AddressID": "wh-b", "QuantityAvailable": 0}
    await api.ok("POST", "/products/located/inventoryrecords", shelf)
    lines = await open_order(world, "o1", {"stocked": 5, "located": 2})
    assert (await cat.read(api, "product", "stocked"))["Inventory"]["QuantityAvailable"] == 5
    await ship(world, "o1", lines["stocked"], 5)
    await ship(world, "o1", lines["located"], 2)
    seller = await world.seller()
    ret = await new_return(world, "o1", [(lines["stocked"], 3), (lines["located"], 2)], ID="r1")
    await api.ok("POST", f"{RETURNS}/r1/submit", token=await world.token("alice"))
    # The seller inspects the goods: the located ones go to shelf B.
    items = [dict(i) for i in ret["ItemsToReturn"]]
    items[1]["RestockInventoryRecordID"] = "shelf-b"
    items[0]["Condition"] = "Resellable"
    await api.ok("PATCH", f"{RETURNS}/r1", {"ItemsToReturn": items}, token=seller)
    done = await api.ok("POST", f"{RETURNS}/r1/complete", token=seller)
    assert done["Status"] == "Completed"
    assert (await cat.read(api, "product", "stocked"))["Inventory"]["QuantityAvailable"] == 8
    assert (await cat.read(api, "inventoryrecord", "shelf-b", "located"))["QuantityAvailable"] == 2
    assert (await cat.read(api, "product", "located"))["Inventory"]["QuantityAvailable"] == 8

    damaged = await new_return(world, "o1", [(lines["stocked"], 2)], ID="r2")
    items = [{**damaged["ItemsToReturn"][0], "Condition": "Damaged"}]
    await api.ok("PATCH", f"{RETURNS}/r2", {"ItemsToReturn": items}, token=await world.token("alice"))
    await api.ok("POST", f"{RETURNS}/r2/submit", token=await world.token("alice"))
    # Completed by the refund payment reaching the RefundAmount: still no restock when damaged.
    refund = {"Type": "PurchaseOrder", "Amount": -10, "OrderReturnID": "r2"}
    await api.ok("POST", "/orders/Incoming/o1/payments", refund, token=seller)
    assert (await api.ok("GET", f"{RETURNS}/r2", token=seller))["Status"] == "Completed"
    assert (await cat.read(api, "product", "stocked"))["Inventory"]["QuantityAvailable"] == 8
    bad = await api.post(
        RETURNS,
        {
            "OrderID": "o1",
            "ItemsToReturn": [{"LineItemID": lines["stocked"], "Quantity": 0, "Condition": "Meh"}],
        },
        token=seller,
    )
    assert bad.status_code == 400


async def test_reason_codes_and_conditions_filter_returns(world: World) -> None:
    api = world.api
    await catalog(world)
    seller = await world.seller()
    for code, name in (("too-big", "Too big"), ("broken", "Arrived broken")):
        await api.ok("POST", "/returnreasons", {"ID": code, "Name": name}, token=seller)
    await api.ok("PATCH", "/returnreasons/too-big", {"Description": "Size chart"}, token=seller)
    alice = await world.token("alice")
    listed = await api.ok("GET", "/returnreasons", token=alice)  # a storefront shows the list
    assert [r["ID"] for r in listed["Items"]] == ["broken", "too-big"]
    denied = await api.post(
        "/returnreasons", {"ID": "x", "Name": "x"}, token=await world.token("alice", "OrderAdmin")
    )
    assert denied.status_code == 403

    lines = await open_order(world, "o1", {"plain": 3, "pb": 2})
    await ship(world, "o1", lines["plain"], 3)
    await ship(world, "o1", lines["pb"], 2)
    body = {
        "OrderID": "o1", "ID": "r1",
        "ItemsToReturn": [
            {"LineItemID": lines["plain"], "Quantity": 1, "ReasonCode": "broken", "Condition": "Damaged",
             "Comments": "Cracked lid"},
            {"LineItemID": lines["pb"], "Quantity": 1, "ReasonCode": "too-big"},
        ],
    }  # fmt: skip
    r1 = await api.ok("POST", RETURNS, body, token=alice)
    assert [(i["ReasonCode"], i["Condition"], i["Comments"]) for i in r1["ItemsToReturn"]] == [
        ("broken", "Damaged", "Cracked lid"),
        ("too-big", None, None),
    ]
    await new_return(world, "o1", [(lines["plain"], 1)], ID="r2")
    unknown = await api.post(
        RETURNS,
        {
            "OrderID": "o1",
            "ItemsToReturn": [{"LineItemID": lines["plain"], "Quantity": 1, "ReasonCode": "nope"}],
        },
        token=alice,
    )
    assert unknown.status_code == 404 and error_code(unknown) == "NotFound"
    for params, expected in (
        ({"ReasonCode": "broken"}, ["r1"]),
        ({"ReasonCode": "too-big"}, ["r1"]),
        ({"Condition": "Damaged"}, ["r1"]),
        ({"ReasonCode": "broken", "Condition": "Resellable"}, []),
        ({"OrderID": "o1"}, ["r1", "r2"]),
    ):
        page = await api.ok("GET", RETURNS, params=params, token=alice)
        assert [r["ID"] for r in page["Items"]] == expected, params
    await api.ok("PATCH", "/returnreasons/broken", {"Active": False}, token=seller)
    retired = await api.post(
        RETURNS,
        {
            "OrderID": "o1",
            "ItemsToReturn": [{"LineItemID": lines["plain"], "Quantity": 1, "ReasonCode": "broken"}],
        },
        token=alice,
    )
    assert retired.status_code == 404


async def test_payment_status_after_a_partial_refund(world: World) -> None:
    api = world.api
    await catalog(world)
    await cat.product(api, "coat", price="12.99")
    lines = await open_order(world, "o1", {"coat": 10})
    seller = await world.seller()
    view = "/channels/orders/ordercloud/o1"
    assert (await api.ok("GET", view))["PaymentStatus"] == "NOT_PAID"
    await api.ok(
        "POST", "/orders/Incoming/o1/payments", {"Type": "PurchaseOrder", "Amount": "129.90"}, token=seller
    )
    assert (await api.ok("GET", view))["PaymentStatus"] == "PAID"
    await ship(world, "o1", lines["coat"], 10)
    await new_return(world, "o1", [(lines["coat"], 3)], ID="r1", token=seller, RefundAmount=40)
    await api.ok("POST", f"{RETURNS}/r1/submit", token=seller)
    await api.ok("POST", f"{RETURNS}/r1/complete", token=seller)
    after = await api.ok("GET", view)
    assert after["PaymentStatus"] == "PARTIALLY_REFUNDED" and after["FinancialStatus"] == "partially_refunded"
    assert after["Status"] != "returned"
    page = await api.ok("GET", "/channels/orders", params={"PaymentStatus": "PARTIALLY_REFUNDED"})
    assert [o["ExternalID"] for o in page["Items"]] == ["o1"]
    assert (await api.ok("GET", "/channels/orders", params={"PaymentStatus": "PAID"}))["Items"] == []
