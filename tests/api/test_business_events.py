"""Business events (docs/events.md): the `/eventsubscriptions` resource, and which events each
change writes to the outbox, in the change's own transaction. Delivery over HTTP, signed, is in
tests/integration/test_business_events.py."""

from __future__ import annotations

import base64
import json
from typing import Any

from app.webhooks import store as outbox_store
from domain.events import EVENT_TYPES
from tests.api import test_approvals as appr
from tests.api.order_fixtures import World
from tests.api.return_fixtures import RETURNS, catalog
from tests.api.test_channels import shopify_order
from tests.helpers import error_code

SUBS = "/eventsubscriptions"
URL = "https://middleware.example.com/events"


async def subscribe(
    world: World, sub_id: str, types: list[str] | None = None, **extra: Any
) -> dict[str, Any]:
    body = {"ID": sub_id, "Url": URL, "EventTypes": types or list(EVENT_TYPES), **extra}
    result: dict[str, Any] = await world.api.ok("POST", SUBS, body)
    return result


async def sent(world: World, sub_id: str) -> list[dict[str, Any]]:
    """The envelopes written for a subscription, oldest first."""
    async with world.api.services.db.reader() as conn:
        rows, _ = await outbox_store.page(conn, f"evs:{sub_id}", page=1, page_size=100, status=None)
    return [json.loads(r.body) for r in reversed(rows)]


def kinds(envelopes: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in envelopes]


async def test_subscription_crud_secret_and_validation(world: World) -> None:
    api = world.api
    created = await subscribe(world, "evs1", ["order.submitted", "order.submitted", "refund.created"])
    assert created["EventTypes"] == ["order.submitted", "refund.created"]  # duplicates dropped
    assert created["Active"] is True and created["Url"] == URL
    secret = created["Secret"]
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    webhook_reader = await world.token("seller", "WebhookReader")
    shown = await api.ok("GET", f"{SUBS}/evs1", token=webhook_reader)
    assert shown["Secret"] is None and shown["EventTypes"] == created["EventTypes"]
    listed = await api.ok("GET", SUBS, token=webhook_reader)
    assert [s["ID"] for s in listed["Items"]] == ["evs1"] and listed["Items"][0]["Secret"] is None
    # A save that leaves the secret out keeps it; a patch changes what it names.
    saved = await api.ok("PUT", f"{SUBS}/evs1", {"Url": URL, "EventTypes": ["order.canceled"]})
    assert saved["Secret"] == secret and saved["EventTypes"] == ["order.canceled"]
    patched = await api.ok("PATCH", f"{SUBS}/evs1", {"Active": False, "Secret": "my-own-secret-0123"})
    assert patched["Active"] is False and patched["Secret"] == "my-own-secret-0123"

    for bad in (
        {"Url": "file:///etc/passwd", "EventTypes": ["order.submitted"]},
        {"Url": URL, "EventTypes": []},
        {"Url": URL, "EventTypes": ["order.shipped"]},
        {"Url": URL},
        {"EventTypes": ["order.submitted"]},
        {"Url": URL, "EventTypes": ["order.submitted"], "Secret": "whsec_***not base64***"},
        {"Url": URL, "EventTypes": ["order.submitted"], "Secret": "short"},
        {"Url": URL, "EventTypes": ["order.submitted"], "ID": "x" * 91},
    ):
        response = await api.post(SUBS, bad)
        assert response.status_code == 400, bad
        assert response.json()["Errors"][0]["ErrorCode"] in ("ValidationFailure", "InvalidProperty"), bad
    # Seller webhook administrators only.
    buyer_admin = await world.token("b1admin", "WebhookAdmin")
    assert (await api.get(SUBS, token=buyer_admin)).status_code == 403
    assert (
        await api.post(SUBS, {"Url": URL, "EventTypes": ["order.submitted"]}, token=webhook_reader)
    ).status_code == 403
    await api.ok("DELETE", f"{SUBS}/evs1")
    assert (await api.get(f"{SUBS}/evs1")).status_code == 404


async def test_an_orders_life_raises_its_events_in_order(world: World) -> None:
    api = world.api
    await catalog(world)
    await subscribe(world, "all")
    await subscribe(world, "cancels", ["order.canceled"])
    await subscribe(world, "off", Active=False)
    alice = await world.token("alice")
    seller = await world.token("seller", "OrderAdmin OrderReader ShipmentAdmin")
    await world.new_order(body={"ID": "o1", "ShippingAddressID": "addr1"})
    await world.add_line("o1", "plain", 2, ID="l1")
    await world.submit("o1")
    await api.ok("POST", "/orders/Incoming/o1/payments", {"Type": "PurchaseOrder"}, token=seller)
    await api.ok("POST", "/orders/Incoming/o1/ship", {}, token=seller, status=201)
    ret = {"OrderID": "o1", "ItemsToReturn": [{"LineItemID": "l1", "Quantity": 1}], "ID": "r1"}
    await api.ok("POST", RETURNS, ret, token=alice)
    await api.ok("POST", f"{RETURNS}/r1/submit", token=alice)
    await api.ok("POST", f"{RETURNS}/r1/complete", token=seller)
    await world.new_order(body={"ID": "c1"})
    await world.add_line("c1", "plain", 1)
    await world.submit("c1")
    await api.ok("POST", "/orders/Incoming/c1/cancel", token=seller)

    envelopes = await sent(world, "all")
    assert kinds(envelopes) == [
        "order.submitted",
        "order.payment_status_changed",
        "shipment.created",
        "order.fulfillment_status_changed",
        "refund.created",
        "order.payment_status_changed",
        "return.completed",
        "order.submitted",
        "order.canceled",
    ]
    submitted, paid, shipment, fulfilled, refund, refunded, returned = envelopes[:7]
    assert set(submitted) == {"type", "timestamp", "data"} and submitted["timestamp"].endswith("+00:00")
    assert submitted["data"]["OrderID"] == "o1" and submitted["data"]["Order"]["Status"] == "Open"
    assert not any(k.startswith("_") for k in submitted["data"]["Order"])
    assert (paid["data"]["Previous"], paid["data"]["Current"]) == ("NOT_PAID", "PAID")
    assert shipment["data"]["Shipment"]["ID"] and shipment["data"]["OrderID"] == "o1"
    assert (fulfilled["data"]["Previous"], fulfilled["data"]["Current"]) == ("unfulfilled", "fulfilled")
    assert refund["data"]["OrderReturnID"] == "r1" and refund["data"]["Payment"]["Amount"] == -12.35
    assert (refunded["data"]["Previous"], refunded["data"]["Current"]) == ("PAID", "PARTIALLY_REFUNDED")
    assert returned["data"]["OrderReturn"]["Status"] == "Completed"
    assert kinds(await sent(world, "cancels")) == ["order.canceled"]
    assert await sent(world, "off") == []

    # Every row is keyed by its order, so one order's events go out in the order raised.
    async with api.services.db.reader() as conn:
        rows, _ = await outbox_store.page(conn, "evs:all", page=1, page_size=100, status=None)
    assert {r.ordering_key for r in rows} == {"o1", "c1"}


async def test_approval_and_decline_events(world: World) -> None:
    api = world.api
    await appr.setup(world)
    await subscribe(world, "all")
    carol = await world.token("carol")
    await appr.placed(world, "big1", 20)
    await api.ok("POST", "/orders/Outgoing/big1/approve", {"Comments": "fine"}, token=carol)
    await appr.placed(world, "big2", 20)
    await api.ok("POST", "/orders/Outgoing/big2/decline", {"Comments": "no"}, token=carol)
    envelopes = await sent(world, "all")
    assert [(e["type"], e["data"]["OrderID"]) for e in envelopes] == [
        ("order.submitted", "big1"),
        ("order.approved", "big1"),
        ("order.submitted", "big2"),
        ("order.declined", "big2"),
    ]
    assert envelopes[0]["data"]["Order"]["Status"] == "AwaitingApproval"
    entries = await api.ok("GET", "/orders/Outgoing/big1/activities", token=await world.token("alice"))
    approved = [e for e in entries["Items"] if e["Type"] in ("ApprovalRequested", "Approved")]
    assert [(e["Type"], e["ActorUserID"]) for e in approved] == [
        ("ApprovalRequested", "alice"),
        ("Approved", "carol"),
    ]


async def test_a_refused_change_raises_nothing(world: World) -> None:
    api = world.api
    await catalog(world)
    await subscribe(world, "all")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "plain", 1)
    await world.submit("o1")
    refused = await api.post("/orders/Outgoing/o1/cancel", token=await world.token("alice"))
    assert refused.status_code == 400 and error_code(refused) == "Order.CannotCancelInCurrentStatus"
    assert kinds(await sent(world, "all")) == ["order.submitted"]


async def test_imported_orders_raise_status_events(world: World) -> None:
    """An order re-imported from a channel with a new financial or fulfillment status raises the
    same events as a native order (the first import only sets the baseline)."""
    api = world.api
    seller = await world.seller("OrderAdmin")
    await subscribe(world, "all")
    await api.ok("POST", "/channels/shopify/orders", shopify_order(), token=seller)
    assert await sent(world, "all") == []
    refunded = shopify_order(financial_status="refunded", updated_at="2024-03-08T08:00:00-05:00")
    await api.ok("POST", "/channels/shopify/orders", refunded, token=seller, status=200)
    [changed] = await sent(world, "all")
    assert changed["type"] == "order.payment_status_changed"
    assert (changed["data"]["Previous"], changed["data"]["Current"]) == ("PAID", "FULLY_REFUNDED")
    assert changed["data"]["OrderID"] == "shopify-450789469"
