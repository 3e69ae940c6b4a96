"""Checkout integration events against a real middleware on loopback: ship estimates, ship-method
selection, calculate, submit, the worksheet, invalidation, and every way a middleware can fail."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from decimal import Decimal
from typing import Any

import jwt
import pytest
from jwt.algorithms import RSAAlgorithm

from app.state import Services
from tests.api.order_fixtures import World
from tests.helpers import ADMIN_CLIENT, Api, error_code
from tests.integration.checkout_support import (
    CONFIG,
    SELECTIONS,
    fill_cart,
    make_event,
    make_shop,
    middleware,
    only,
    payload_of,
    reply,
)
from tests.integration.receivers import ReceiverPool, Reply, unused_port


@pytest.fixture
async def shop(api: Api) -> World:
    return await make_shop(api)


def money(value: Any) -> Decimal:
    return Decimal(str(value))


async def test_cart_checkout_flow_to_the_cent(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    rx = receivers.custom(middleware)
    await make_event(
        api, rx.url + "/api/checkout/", CustomAuthHeaderName="X-Api-Key", CustomAuthHeaderValue="k1"
    )
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    assert money(cart["Subtotal"]) == Decimal("45.00")

    sheet = await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    estimates = sheet["ShipEstimateResponse"]["ShipEstimates"]
    assert [(e["ID"], [i["LineItemID"] for i in e["ShipEstimateItems"]]) for e in estimates] == [
        ("est-east", ["l1"]),
        ("est-west", ["l2"]),
    ]
    assert [money(m["Cost"]) for m in estimates[0]["ShipMethods"]] == [Decimal(8), Decimal(15)]
    assert sheet["ShipEstimateResponse"]["Succeeded"] is True
    assert sheet["ShipEstimateResponse"]["HttpStatusCode"] == 200
    assert sheet["ShipEstimateResponse"]["xp"] == {"Carrier": "ACME"}
    assert sheet["OrderCalculateResponse"] is None and sheet["Order"]["ID"] == cart["ID"]

    selected = await api.ok("POST", "/cart/shipmethods", SELECTIONS, token=token, status=200)
    chosen = {e["ID"]: e["SelectedShipMethodID"] for e in selected["ShipEstimateResponse"]["ShipEstimates"]}
    assert chosen == {"est-east": "GROUND", "est-west": "EXPRESS"}
    assert money(selected["Order"]["ShippingCost"]) == Decimal("23.00")  # 8.00 + 15.00

    calculated = await api.ok("POST", "/cart/calculate", token=token, status=200)
    order = calculated["Order"]
    lines = {li["ID"]: li for li in calculated["LineItems"]}
    assert money(lines["l2"]["UnitPrice"]) == Decimal("6.00") and lines["l2"]["PriceOverridden"] is True
    assert money(lines["l2"]["LineSubtotal"]) == Decimal("12.00")
    assert money(lines["l1"]["UnitPrice"]) == Decimal("10.00") and lines["l1"]["PriceOverridden"] is False
    assert money(order["Subtotal"]) == Decimal("42.00")
    assert money(order["TaxCost"]) == Decimal("3.47")  # 8.25 % of 42.00 = 3.465
    assert money(order["ShippingCost"]) == Decimal("23.00")
    assert money(order["Fees"]) == Decimal("2.00")
    assert money(order["Total"]) == Decimal("70.47")
    calc = calculated["OrderCalculateResponse"]
    assert calc["Succeeded"] is True and money(calc["TaxTotal"]) == Decimal("3.47")
    assert calc["LineItemOverrides"][0]["LineItemID"] == "l2" and calc["xp"] == {"TaxRate": "8.25%"}
    assert calculated["ShipEstimateResponse"]["ShipEstimates"][0]["SelectedShipMethodID"] == "GROUND"

    submitted = await api.ok("POST", "/cart/submit", token=token)
    assert submitted["Status"] == "Open" and money(submitted["Total"]) == Decimal("70.47")
    after = await api.ok("GET", f"/orders/Outgoing/{cart['ID']}/worksheet", token=token)
    assert after["OrderSubmitResponse"] == {
        "HttpStatusCode": 200,
        "UnhandledErrorBody": None,
        "xp": {"ExternalOrderID": "ERP-" + cart["ID"]},
        "Succeeded": True,
    }
    assert after["OrderCalculateResponse"]["Succeeded"] is True and after["Order"]["Status"] == "Open"

    hooks = [r.path for r in rx.requests]
    assert hooks == [
        "/api/checkout/shippingrates",
        "/api/checkout/ordercalculate",
        "/api/checkout/ordersubmit",
    ]
    for request in rx.requests:
        assert request.oc_hash_valid is True
        assert request.header("X-Api-Key") == "k1"
        sent = payload_of(request)
        assert sent["Environment"] == "Production" and sent["ConfigData"] == CONFIG
        assert sent["OrderWorksheet"]["Order"]["ID"] == cart["ID"]
    # The calculate call saw the selected shipping; the submit call the submitted order.
    seen = payload_of(rx.requests[1])["OrderWorksheet"]
    assert money(seen["Order"]["ShippingCost"]) == Decimal("23.00")
    assert payload_of(rx.requests[2])["OrderWorksheet"]["Order"]["Status"] == "Open"


async def test_middleware_token_verifies_and_calls_back(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    rx = receivers.custom(middleware)
    await make_event(api, rx.url)
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    await api.ok("POST", "/cart/calculate", token=token, status=200)
    raw = payload_of(rx.requests[0])["OrderCloudAccessToken"]
    kid = jwt.get_unverified_header(raw)["kid"]
    jwk = (await api.client.get(f"/oauth/certs/{kid}")).json()
    claims = jwt.decode(raw, RSAAlgorithm.from_jwk(jwk), algorithms=["RS256"], audience="http://testserver")  # type: ignore[arg-type]
    assert claims["usrtype"] == "admin" and claims["cid"] == ADMIN_CLIENT
    assert claims["role"] == ["OrderReader"] and claims["cmp"] == api.services.marketplace_id
    fetched = await api.ok("GET", f"/orders/Incoming/{cart['ID']}", token=raw)
    assert fetched["ID"] == cart["ID"] and money(fetched["TaxCost"]) == Decimal("3.47")
    denied = await api.patch(f"/orders/Incoming/{cart['ID']}", {"Comments": "x"}, token=raw)
    assert denied.status_code == 403  # only the event's ElevatedRoles


async def test_changes_invalidate_the_calculation_and_block_submit(
    shop: World, receivers: ReceiverPool
) -> None:
    api = shop.api
    rx = receivers.custom(middleware)
    await make_event(api, rx.url)
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    refused = await api.post("/cart/submit", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Order.CannotSubmitUncalculatedOrder"
    validated = await api.post("/cart/validate", token=token)
    assert error_code(validated) == "Order.CannotSubmitUncalculatedOrder"

    await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    await api.ok("POST", "/cart/shipmethods", SELECTIONS, token=token, status=200)
    await api.ok("POST", "/cart/calculate", token=token, status=200)
    await api.ok("POST", "/cart/validate", token=token, status=204)

    changes: list[tuple[str, str, dict[str, Any]]] = [
        ("PATCH", "/cart/lineitems/l1", {"Quantity": 4}),
        ("PATCH", "/cart/lineitems/l1", {"CostCenter": "CC-9"}),
        ("PATCH", "/cart/lineitems/l2", {"xp": {"Gift": True}}),
        ("PATCH", "/cart", {"xp": {"PO": "123"}}),
        ("PUT", "/cart/shipto", {"ID": "addr1"}),
        (
            "POST",
            "/cart/lineitems",
            {"ID": "l3", "ProductID": "p1", "Quantity": 1, "ShipFromAddressID": "east"},
        ),
        ("DELETE", "/cart/lineitems/l3", {}),
    ]
    for method, path, body in changes:
        await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
        await api.ok("POST", "/cart/shipmethods", SELECTIONS, token=token, status=200)
        await api.ok("POST", "/cart/calculate", token=token, status=200)
        await api.ok(method, path, body or None, token=token)
        sheet = await api.ok("GET", "/cart/worksheet", token=token)
        assert sheet["ShipEstimateResponse"] is None and sheet["OrderCalculateResponse"] is None, path
        stale = await api.post("/cart/submit", token=token)
        assert error_code(stale) == "Order.CannotSubmitUncalculatedOrder", path
        lost = await api.post("/cart/shipmethods", SELECTIONS, token=token)
        assert error_code(lost) == "IntegrationEvent.MustCalculateShipping", path

    # Tax and shipping cost overrides invalidate too (seller with the override roles).
    seller = await shop.seller("OrderAdmin OverrideTax OverrideShipping")
    await api.ok("POST", "/cart/calculate", token=token, status=200)
    await api.ok("PATCH", f"/orders/Incoming/{cart['ID']}", {"TaxCost": 1}, token=seller)
    assert error_code(await api.post("/cart/submit", token=token)) == "Order.CannotSubmitUncalculatedOrder"
    # Comments are not part of the calculation.
    await api.ok("POST", "/cart/calculate", token=token, status=200)
    await api.ok("PATCH", "/cart", {"Comments": "ring twice"}, token=token)
    assert (await api.ok("POST", "/cart/submit", token=token))["Status"] == "Open"


async def test_selecting_methods_again_clears_the_calculation(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    await make_event(api, receivers.custom(middleware).url)
    token = await shop.token("alice")
    await fill_cart(shop, token)
    await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    await api.ok("POST", "/cart/shipmethods", SELECTIONS, token=token, status=200)
    await api.ok("POST", "/cart/calculate", token=token, status=200)
    cheaper = {"ShipMethodSelections": [{"ShipEstimateID": "est-west", "ShipMethodID": "GROUND"}]}
    sheet = await api.ok("POST", "/cart/shipmethods", cheaper, token=token, status=200)
    assert money(sheet["Order"]["ShippingCost"]) == Decimal("15.00")  # 8.00 + 7.00
    assert sheet["OrderCalculateResponse"] is None
    assert error_code(await api.post("/cart/submit", token=token)) == "Order.CannotSubmitUncalculatedOrder"


async def test_ship_method_selection_refusals(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    empty = {"ShipEstimates": []}
    rx = receivers.custom(only(lambda _r, _i: reply(empty), "shippingrates"))
    await make_event(api, rx.url)
    token = await shop.token("alice")
    await fill_cart(shop, token)
    never = await api.post("/cart/shipmethods", SELECTIONS, token=token)
    assert never.status_code == 400 and error_code(never) == "IntegrationEvent.MustCalculateShipping"
    await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    none = await api.post("/cart/shipmethods", SELECTIONS, token=token)
    assert none.status_code == 400 and error_code(none) == "IntegrationEvent.MustHaveShipEstimates"

    rx.responder = middleware
    await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    for body in (
        {"ShipMethodSelections": [{"ShipEstimateID": "nope", "ShipMethodID": "GROUND"}]},
        {"ShipMethodSelections": [{"ShipEstimateID": "est-east", "ShipMethodID": "TELEPORT"}]},
        {"ShipMethodSelections": [{"ShipEstimateID": "est-east"}]},
    ):
        bad = await api.post("/cart/shipmethods", body, token=token)
        assert bad.status_code == 400 and error_code(bad) == "ValidationFailure", body
    sheet = await api.ok("GET", "/cart/worksheet", token=token)
    assert all(e["SelectedShipMethodID"] is None for e in sheet["ShipEstimateResponse"]["ShipEstimates"])


async def test_without_a_checkout_event(shop: World) -> None:
    api = shop.api
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    for path in ("/cart/calculate", "/cart/estimateshipping", f"/orders/Outgoing/{cart['ID']}/calculate"):
        refused = await api.post(path, token=token)
        assert refused.status_code == 400, path
        assert error_code(refused) == "IntegrationEvent.ApiClientNotConfiguredForOrderCalculate"
    sheet = await api.ok("GET", "/cart/worksheet", token=token)
    assert sheet["ShipEstimateResponse"] is None and sheet["OrderSubmitResponse"] is None
    assert (await api.ok("POST", "/cart/submit", token=token))["Status"] == "Open"


async def test_order_routes_for_the_seller(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    await make_event(api, receivers.custom(middleware).url)
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    seller = await shop.seller("OrderAdmin")
    base = f"/orders/Incoming/{cart['ID']}"
    await api.ok("POST", base + "/estimateshipping", token=seller, status=200)
    await api.ok("POST", base + "/shipmethods", SELECTIONS, token=seller, status=200)
    sheet = await api.ok("POST", base + "/calculate", token=seller, status=200)
    assert money(sheet["Order"]["Total"]) == Decimal("70.47")
    assert (await api.ok("GET", base + "/worksheet", token=seller))["Order"]["ID"] == cart["ID"]
    reader = await shop.seller("OrderReader")
    assert (await api.post(base + "/calculate", token=reader)).status_code == 403
    stranger = await shop.token("bob")
    assert (await api.get(f"/orders/Outgoing/{cart['ID']}/worksheet", token=stranger)).status_code == 404


def _failing(kind: str, receivers: ReceiverPool) -> str:
    if kind == "refused":
        return f"http://127.0.0.1:{unused_port()}"
    ghost = [{"LineItemID": "ghost", "Quantity": 1}]
    replies: dict[str, tuple[Reply, Reply]] = {  # (ordercalculate, shippingrates)
        "timeout": (Reply(delay=5.0), Reply(delay=5.0)),
        "status500": (Reply(status=500, body=b'{"error":"tax service down"}'),) * 2,
        "garbage": (Reply(body=b"<html>oops</html>", headers={"Content-Type": "text/html"}),) * 2,
        "wrongtypes": (
            reply({"TaxTotal": "lots", "LineItemOverrides": "none"}),
            reply({"ShipEstimates": [{"ShipMethods": [{"ID": "G", "Cost": [5]}]}]}),
        ),
        "unknownline": (
            reply({"TaxTotal": 1, "LineItemOverrides": [{"LineItemID": "ghost", "UnitPrice": 1}]}),
            reply({"ShipEstimates": [{"ShipEstimateItems": ghost, "ShipMethods": []}]}),
        ),
        "negative": (
            reply({"TaxTotal": -5}),
            reply({"ShipEstimates": [{"ShipMethods": [{"ID": "G", "Cost": -5}]}]}),
        ),
    }
    calc, ship = replies[kind]
    return receivers.custom(lambda r, _i: ship if r.path.endswith("/shippingrates") else calc).url


@pytest.mark.parametrize(
    ("kind", "code", "status"),
    [
        ("timeout", "IntegrationEvent.Timeout", None),
        ("refused", "IntegrationEvent.ConnectionFailed", None),
        ("status500", "IntegrationEvent.BadResponse", 500),
        ("garbage", "IntegrationEvent.BadResponse", 200),
        ("wrongtypes", "IntegrationEvent.BadResponse", 200),
        ("unknownline", "IntegrationEvent.BadResponse", 200),
        ("negative", "IntegrationEvent.BadResponse", 200),
    ],
)
async def test_failed_calculate_is_502_and_changes_nothing(
    shop: World, services: Services, receivers: ReceiverPool, kind: str, code: str, status: int | None
) -> None:
    services.settings = replace(services.settings, integration_read_timeout=0.5)
    api = shop.api
    url = _failing(kind, receivers)
    await make_event(api, url)
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    before_order = await api.ok("GET", f"/orders/Outgoing/{cart['ID']}", token=token)
    before_sheet = await api.ok("GET", "/cart/worksheet", token=token)
    for path in ("/cart/calculate", "/cart/estimateshipping"):
        failed = await api.post(path, token=token)
        assert failed.status_code == 502 and error_code(failed) == code, (path, failed.text)
        # The buyer learns the kind of failure and the upstream status, never the merchant's URL
        # nor what its middleware answered (docs/security-orders.md, "Outbound URLs").
        assert failed.json()["Errors"][0]["Data"] == {"StatusCode": status}
        assert url.split("//")[1] not in failed.text and "tax service down" not in failed.text
    assert await api.ok("GET", f"/orders/Outgoing/{cart['ID']}", token=token) == before_order
    assert await api.ok("GET", "/cart/worksheet", token=token) == before_sheet


async def test_failed_submit_callout_is_recorded_and_the_order_stays_submitted(
    shop: World, receivers: ReceiverPool
) -> None:
    api = shop.api
    down = Reply(status=503, body=b"maintenance")
    rx = receivers.custom(only(lambda _r, _i: down, "ordersubmit"))
    await make_event(api, rx.url)
    token = await shop.token("alice")
    cart = await fill_cart(shop, token)
    await api.ok("POST", "/cart/calculate", token=token, status=200)
    submitted = await api.ok("POST", "/cart/submit", token=token)
    assert submitted["Status"] == "Open" and submitted["ID"] == cart["ID"]
    sheet = await api.ok("GET", f"/orders/Outgoing/{cart['ID']}/worksheet", token=token)
    assert sheet["OrderSubmitResponse"] == {
        "HttpStatusCode": 503,
        "UnhandledErrorBody": "maintenance",
        "xp": None,
        "Succeeded": False,
    }
    assert sheet["Order"]["Status"] == "Open"


async def test_order_changed_during_the_callout_is_409(shop: World, receivers: ReceiverPool) -> None:
    """No lock is held while the middleware thinks: a change made meanwhile goes through, and
    the callout's answer is then refused rather than applied over it."""
    api = shop.api
    token = await shop.token("alice")
    loop = asyncio.get_running_loop()

    def change_meanwhile(request: Any, index: int) -> Reply:
        patched = asyncio.run_coroutine_threadsafe(
            api.call("PATCH", "/cart/lineitems/l1", {"Quantity": 5}, token=token), loop
        ).result(timeout=10)
        assert patched.status_code == 200, patched.text
        return middleware(request, index)

    await make_event(api, receivers.custom(change_meanwhile).url)
    await fill_cart(shop, token)
    conflict = await api.post("/cart/calculate", token=token)
    assert conflict.status_code == 409 and error_code(conflict) == "Conflict.StaleWrite"
    sheet = await api.ok("GET", "/cart/worksheet", token=token)
    assert sheet["OrderCalculateResponse"] is None and money(sheet["Order"]["TaxCost"]) == 0
    assert {li["ID"]: li["Quantity"] for li in sheet["LineItems"]}["l1"] == 5


async def test_a_seller_api_client_is_needed_for_the_token(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    rx = receivers.custom(middleware)
    await make_event(api, rx.url)
    token = await shop.token("alice")
    await fill_cart(shop, token)
    await api.ok("PATCH", f"/apiclients/{ADMIN_CLIENT}", {"AllowSeller": False})
    refused = await api.post("/cart/calculate", token=token)
    assert (
        refused.status_code == 400 and error_code(refused) == "IntegrationEvent.AllowSellerApiClientRequired"
    )
    assert rx.requests == []


async def test_calculate_can_remove_lines_and_set_shipping(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    answer = {
        "ShippingTotal": "9.99",
        "TaxTotal": 0,
        "LineItemOverrides": [{"LineItemID": "l1", "Remove": True}],
    }
    await make_event(api, receivers.custom(only(lambda _r, _i: reply(answer), "ordercalculate")).url)
    token = await shop.token("alice")
    await fill_cart(shop, token)
    sheet = await api.ok("POST", "/cart/calculate", token=token, status=200)
    assert [li["ID"] for li in sheet["LineItems"]] == ["l2"]
    order = sheet["Order"]
    assert order["LineItemCount"] == 1 and money(order["Subtotal"]) == Decimal("15.00")
    assert money(order["ShippingCost"]) == Decimal("9.99") and money(order["Total"]) == Decimal("24.99")
    assert (await api.get("/cart/lineitems/l1", token=token)).status_code == 404
    assert (await api.ok("POST", "/cart/submit", token=token))["Status"] == "Open"


async def test_new_estimates_replace_the_selection(shop: World, receivers: ReceiverPool) -> None:
    api = shop.api
    rx = receivers.custom(middleware)
    await make_event(api, rx.url)
    token = await shop.token("alice")
    await fill_cart(shop, token)
    await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    await api.ok("POST", "/cart/shipmethods", SELECTIONS, token=token, status=200)
    again = await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    assert money(again["Order"]["ShippingCost"]) == 0
    assert [e["SelectedShipMethodID"] for e in again["ShipEstimateResponse"]["ShipEstimates"]] == [None, None]

    preselected = {
        "ShipEstimates": [
            {
                "ShipMethods": [{"ID": "A", "Cost": "4.25"}, {"ID": "B", "Cost": 9}],
                "SelectedShipMethodID": "A",
            }
        ]
    }
    rx.responder = only(lambda _r, _i: reply(preselected), "shippingrates")
    sheet = await api.ok("POST", "/cart/estimateshipping", token=token, status=200)
    (estimate,) = sheet["ShipEstimateResponse"]["ShipEstimates"]
    assert estimate["ID"] and estimate["SelectedShipMethodID"] == "A"  # an ID is given when missing
    assert money(sheet["Order"]["ShippingCost"]) == Decimal("4.25")
    assert money(sheet["Order"]["Total"]) == Decimal("49.25")
    switched = {"ShipMethodSelections": [{"ShipEstimateID": estimate["ID"], "ShipMethodID": "B"}]}
    assert (
        money(
            (await api.ok("POST", "/cart/shipmethods", switched, token=token, status=200))["Order"][
                "ShippingCost"
            ]
        )
        == 9
    )
