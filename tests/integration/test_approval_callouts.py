"""The approval hooks of the checkout integration event against a real middleware on loopback:
`/ordersubmitforapproval` when approval rules send a submitted order to AwaitingApproval,
`/orderapproved` when the last approval opens it. Each is signed, carries the worksheet, has its
answer stored in the worksheet, and never undoes the status change when it fails."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import pytest

from app.state import Services
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.api.test_approvals import group, rule
from tests.helpers import Api
from tests.integration.checkout_support import (
    CONFIG,
    EVENT_ID,
    hook,
    make_event,
    make_shop,
    middleware,
    payload_of,
    reply,
)
from tests.integration.receivers import ReceiverPool, RecordedRequest, Reply, unused_port

APPROVAL_HOOKS = ("ordersubmitforapproval", "orderapproved")


def approval_middleware(request: RecordedRequest, index: int) -> Reply:
    """The checkout middleware, answering the approval hooks with xp naming the hook and order."""
    name = hook(request)
    if name in APPROVAL_HOOKS:
        order_id = payload_of(request)["OrderWorksheet"]["Order"]["ID"]
        return reply({"xp": {"Hook": name, "OrderID": order_id}})
    return middleware(request, index)


@pytest.fixture
async def shop(api: Api) -> World:
    """The checkout shop (p1 at 10.00) with inventory on p1 and rule `big` (Total > 100),
    approved by group `managers` (carol)."""
    world = await make_shop(api)
    p1 = await cat.read(api, "product", "p1")
    await cat.replace(api, "product", {**p1, "Inventory": cat.inventory(100)})
    await group(world, "managers", "carol")
    await rule(world, "big", "order.Total > 100", "managers")
    return world


async def stock_of(world: World) -> Any:
    return (await cat.read(world.api, "product", "p1"))["Inventory"]["QuantityAvailable"]


async def calculated_order(world: World, order_id: str, quantity: int) -> None:
    """alice's order of `quantity` x p1, calculated (the checkout event requires it to submit)."""
    token = await world.token("alice")
    await world.new_order("alice", body={"ID": order_id})
    await world.add_line(order_id, "p1", quantity)
    await world.api.ok("POST", f"/orders/Outgoing/{order_id}/calculate", token=token, status=200)


async def sheet_of(world: World, order_id: str) -> dict[str, Any]:
    token = await world.token("alice")
    sheet: dict[str, Any] = await world.api.ok("GET", f"/orders/Outgoing/{order_id}/worksheet", token=token)
    return sheet


def hooks_called(requests: list[RecordedRequest]) -> list[str]:
    return [hook(r) for r in requests]


async def test_both_hooks_are_signed_carry_the_worksheet_and_store_the_answer(
    shop: World, receivers: ReceiverPool
) -> None:
    api = shop.api
    rx = receivers.custom(approval_middleware)
    await make_event(api, rx.url + "/api/checkout")
    await calculated_order(shop, "big1", 20)

    pending = await shop.submit("big1")
    assert pending["Status"] == "AwaitingApproval"
    assert hooks_called(rx.requests) == ["ordercalculate", "ordersubmitforapproval"]
    request = rx.requests[-1]
    assert request.path == "/api/checkout/ordersubmitforapproval" and request.oc_hash_valid is True
    sent = payload_of(request)
    assert sent["Environment"] == "Production" and sent["ConfigData"] == CONFIG
    assert sent["OrderCloudAccessToken"]
    sent_sheet = sent["OrderWorksheet"]
    assert sent_sheet["Order"]["ID"] == "big1" and sent_sheet["Order"]["Status"] == "AwaitingApproval"
    assert [(li["ProductID"], li["Quantity"]) for li in sent_sheet["LineItems"]] == [("p1", 20)]
    assert sent_sheet["OrderCalculateResponse"]["Succeeded"] is True
    assert not any(k.startswith("_") for k in sent_sheet["Order"])

    sheet = await sheet_of(shop, "big1")
    assert sheet["OrderSubmitForApprovalResponse"] == {
        "HttpStatusCode": 200,
        "UnhandledErrorBody": None,
        "xp": {"Hook": "ordersubmitforapproval", "OrderID": "big1"},
        "Succeeded": True,
    }
    assert sheet["OrderApprovedResponse"] is None and sheet["OrderSubmitResponse"] is None

    opened = await api.ok("POST", "/orders/Outgoing/big1/approve", token=await shop.token("carol"))
    assert opened["Status"] == "Open"
    assert hooks_called(rx.requests) == ["ordercalculate", "ordersubmitforapproval", "orderapproved"]
    approved = rx.requests[-1]
    assert approved.path == "/api/checkout/orderapproved" and approved.oc_hash_valid is True
    approved_sheet = payload_of(approved)["OrderWorksheet"]
    assert approved_sheet["Order"]["Status"] == "Open" and approved_sheet["Order"]["DateApproved"]
    # The worksheet sent carries what the earlier hook stored.
    assert approved_sheet["OrderSubmitForApprovalResponse"]["Succeeded"] is True

    after = await sheet_of(shop, "big1")
    assert after["OrderApprovedResponse"] == {
        "HttpStatusCode": 200,
        "UnhandledErrorBody": None,
        "xp": {"Hook": "orderapproved", "OrderID": "big1"},
        "Succeeded": True,
    }
    assert after["OrderSubmitForApprovalResponse"] == sheet["OrderSubmitForApprovalResponse"]
    assert after["Order"]["Status"] == "Open"


async def test_no_approval_hook_without_approval(shop: World, receivers: ReceiverPool) -> None:
    rx = receivers.custom(approval_middleware)
    await make_event(shop.api, rx.url)
    await calculated_order(shop, "small", 5)
    assert (await shop.submit("small"))["Status"] == "Open"
    assert hooks_called(rx.requests) == ["ordercalculate", "ordersubmit"]
    sheet = await sheet_of(shop, "small")
    assert sheet["OrderSubmitForApprovalResponse"] is None and sheet["OrderApprovedResponse"] is None


async def test_orderapproved_waits_for_the_last_approval_and_decline_calls_nothing(
    shop: World, receivers: ReceiverPool
) -> None:
    api = shop.api
    rx = receivers.custom(approval_middleware)
    await make_event(api, rx.url)
    await group(shop, "finance", "b1admin")
    await rule(shop, "many", "items.quantity(ProductID = 'p1') >= 10", "finance")
    await calculated_order(shop, "o1", 20)
    await shop.submit("o1")
    first = await api.ok("POST", "/orders/Outgoing/o1/approve", token=await shop.token("carol"))
    assert first["Status"] == "AwaitingApproval"
    assert hooks_called(rx.requests) == ["ordercalculate", "ordersubmitforapproval"]
    assert (await sheet_of(shop, "o1"))["OrderApprovedResponse"] is None
    last = await api.ok("POST", "/orders/Outgoing/o1/approve", token=await shop.token("b1admin"))
    assert last["Status"] == "Open"
    assert hooks_called(rx.requests)[-1] == "orderapproved"

    await calculated_order(shop, "o2", 20)
    await shop.submit("o2")
    calls = len(rx.requests)
    declined = await api.ok("POST", "/orders/Outgoing/o2/decline", token=await shop.token("carol"))
    assert declined["Status"] == "Declined" and len(rx.requests) == calls
    assert (await sheet_of(shop, "o2"))["OrderApprovedResponse"] is None


FAILURES: dict[str, tuple[Reply | None, int | None, str | None]] = {
    # kind: (the hooks' reply (None: nothing listens), HttpStatusCode, UnhandledErrorBody)
    "status500": (Reply(status=500, body=b'{"error":"erp down"}'), 500, '{"error":"erp down"}'),
    "garbage": (
        Reply(body=b"<html>oops</html>", headers={"Content-Type": "text/html"}),
        200,
        "<html>oops</html>",
    ),
    "timeout": (Reply(delay=5.0), None, None),
    "refused": (None, None, None),
}


@pytest.mark.parametrize("kind", list(FAILURES))
async def test_a_failing_hook_is_recorded_and_never_undoes_the_status_change(
    shop: World, services: Services, receivers: ReceiverPool, kind: str
) -> None:
    services.settings = replace(services.settings, integration_read_timeout=0.5)
    api = shop.api
    failure, status, body = FAILURES[kind]

    def respond(request: RecordedRequest, index: int) -> Reply:
        if hook(request) in APPROVAL_HOOKS and failure is not None:
            return failure
        return approval_middleware(request, index)

    rx = receivers.custom(respond)
    await make_event(api, rx.url)
    await calculated_order(shop, "big1", 20)
    if failure is None:  # the calculation went through; then the middleware goes away
        down = f"http://127.0.0.1:{unused_port()}"
        await api.ok("PATCH", f"/integrationEvents/{EVENT_ID}", {"CustomImplementationUrl": down})

    pending = await shop.submit("big1")
    assert pending["Status"] == "AwaitingApproval"
    sheet = await sheet_of(shop, "big1")
    assert sheet["Order"]["Status"] == "AwaitingApproval"
    recorded = sheet["OrderSubmitForApprovalResponse"]
    assert recorded["Succeeded"] is False and recorded["HttpStatusCode"] == status and recorded["xp"] is None
    if body is not None:
        assert recorded["UnhandledErrorBody"] == body
    else:  # no HTTP answer: the error message says what happened
        assert recorded["UnhandledErrorBody"]

    opened = await api.ok("POST", "/orders/Outgoing/big1/approve", token=await shop.token("carol"))
    assert opened["Status"] == "Open" and opened["IsSubmitted"] is True
    assert await stock_of(shop) == 80  # approval took the inventory and it stays taken
    after = await sheet_of(shop, "big1")
    assert after["Order"]["Status"] == "Open"
    approved = after["OrderApprovedResponse"]
    assert approved["Succeeded"] is False and approved["HttpStatusCode"] == status
    assert after["OrderSubmitForApprovalResponse"] == recorded
    if failure is not None:
        assert hooks_called(rx.requests) == ["ordercalculate", *APPROVAL_HOOKS]
    assert Decimal(str(after["Order"]["Total"])) > 100
