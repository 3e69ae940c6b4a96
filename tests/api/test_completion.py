"""Automatic completion, the roll-up from suppliers' outgoing orders to the buyer's order, and
cancel across the chain."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.fulfilment_fixtures import (
    buyer_order,
    forward,
    lines_of,
    order_of,
    seller,
    setup_market,
    supplier_token,
)
from tests.api.order_fixtures import World
from tests.helpers import error_code

NOW = "2026-05-01T12:00:00.000+00:00"


@pytest.fixture
async def market(world: World) -> World:
    await setup_market(world)
    await buyer_order(world)
    return world


async def ship_items(
    world: World, token: str, shipment_id: str, items: list[tuple[str, str, int]], dated: bool = True
) -> dict[str, Any]:
    api = world.api
    if (await api.get(f"/shipments/{shipment_id}", token=token)).status_code == 404:
        body = {"ID": shipment_id, "DateShipped": NOW if dated else None}
        await api.ok("POST", "/shipments", body, token=token)
    for order_id, line_id, quantity in items:
        body = {"OrderID": order_id, "LineItemID": line_id, "QuantityShipped": quantity}
        await api.ok("POST", f"/shipments/{shipment_id}/items", body, token=token, status=200)
    result: dict[str, Any] = await api.ok("GET", f"/shipments/{shipment_id}", token=token)
    return result


async def test_completion_waits_for_date_shipped(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    await ship_items(
        world, token, "sh1", [("o1", "L-p1", 2), ("o1", "L-p2", 3), ("o1", "L-p3", 1)], dated=False
    )
    order = await order_of(world, "Incoming", "o1", token)
    assert order["Status"] == "Open" and order["DateCompleted"] is None
    done = await api.ok("PATCH", "/shipments/sh1", {"DateShipped": NOW}, token=token)
    assert done["DateShipped"] == NOW
    order = await order_of(world, "Incoming", "o1", token)
    assert order["Status"] == "Completed" and order["DateCompleted"]
    # Completion is final: taking an item back leaves the order Completed.
    await api.ok("DELETE", "/shipments/sh1/items/o1/L-p3", token=token)
    assert (await order_of(world, "Incoming", "o1", token))["Status"] == "Completed"


async def test_partial_shipments_complete_on_the_last_one(market: World) -> None:
    world = market
    token = await seller(world)
    await ship_items(world, token, "sh1", [("o1", "L-p1", 1), ("o1", "L-p2", 3), ("o1", "L-p3", 1)])
    assert (await order_of(world, "Incoming", "o1", token))["Status"] == "Open"
    await ship_items(world, token, "sh2", [("o1", "L-p1", 1)])
    assert (await order_of(world, "Incoming", "o1", token))["Status"] == "Completed"


async def test_supplier_shipments_roll_up_to_the_buyer(market: World) -> None:
    world, api = market, market.api
    await forward(world)
    token = await seller(world)
    sam = await supplier_token(world, "sam", "s1")
    sue = await supplier_token(world, "sue", "s2")
    alice = await world.token("alice")

    # s1 ships half, then the rest.
    await ship_items(world, sam, "sam-1", [("o1-s1", "L-p1", 1)])
    assert (await lines_of(world, "Incoming", "o1-s1", sam))["L-p1"]["QuantityShipped"] == 1
    assert (await lines_of(world, "Outgoing", "o1", alice))["L-p1"]["QuantityShipped"] == 1
    assert (await order_of(world, "Incoming", "o1-s1", sam))["Status"] == "Open"
    shipment = await ship_items(world, sam, "sam-2", [("o1-s1", "L-p1", 1)])
    assert shipment["OwnerID"] == "s1" and shipment["BuyerID"] == "b1"
    assert (await order_of(world, "Incoming", "o1-s1", sam))["Status"] == "Completed"
    assert (await lines_of(world, "Outgoing", "o1", alice))["L-p1"]["QuantityShipped"] == 2

    # The buyer sees the suppliers' shipments, with its own order ID on the items.
    mine = await api.ok("GET", "/me/shipments", token=alice)
    assert [s["ID"] for s in mine["Items"]] == ["sam-1", "sam-2"]
    items = await api.ok("GET", "/me/shipments/sam-1/items", token=alice)
    assert [(i["OrderID"], i["LineItemID"], i["QuantityShipped"]) for i in items["Items"]] == [
        ("o1", "L-p1", 1)
    ]
    listed = await api.ok("GET", "/orders/Outgoing/o1/shipments", token=alice)
    assert [s["ID"] for s in listed["Items"]] == ["sam-1", "sam-2"]
    # The supplier sees its items under its own order; sue sees none of them.
    sam_items = await api.ok("GET", "/shipments/sam-1/items", token=sam)
    assert sam_items["Items"][0]["OrderID"] == "o1-s1"
    assert (await api.get("/shipments/sam-1", token=sue)).status_code == 404

    assert (await order_of(world, "Outgoing", "o1", alice))["Status"] == "Open"
    await ship_items(world, sue, "sue-1", [("o1-s2", "L-p2", 3)])
    assert (await order_of(world, "Outgoing", "o1", alice))["Status"] == "Open"
    # The seller ships its own line; the buyer's order completes.
    order = await api.ok("POST", "/orders/Incoming/o1/ship", {"ID": "seller-1"}, token=token)
    assert order["Status"] == "Completed" and order["DateCompleted"]
    assert {k: v["QuantityShipped"] for k, v in (await lines_of(world, "Outgoing", "o1", alice)).items()} == {
        "L-p1": 2,
        "L-p2": 3,
        "L-p3": 1,
    }
    listed = await api.ok("GET", "/orders/Outgoing/o1/shipments", token=alice)
    assert [s["ID"] for s in listed["Items"]] == ["sam-1", "sam-2", "seller-1", "sue-1"]


async def test_undated_supplier_shipment_does_not_complete_the_buyer_order(market: World) -> None:
    world, api = market, market.api
    await forward(world)
    token = await seller(world)
    sam = await supplier_token(world, "sam", "s1")
    sue = await supplier_token(world, "sue", "s2")
    await api.ok("POST", "/orders/Incoming/o1/ship", {}, token=token)
    await ship_items(world, sue, "sue-1", [("o1-s2", "L-p2", 3)])
    await ship_items(world, sam, "sam-1", [("o1-s1", "L-p1", 2)], dated=False)
    assert (await order_of(world, "Incoming", "o1", token))["Status"] == "Open"
    await api.ok("PATCH", "/shipments/sam-1", {"DateShipped": NOW}, token=sam)
    assert (await order_of(world, "Incoming", "o1", token))["Status"] == "Completed"
    assert (await order_of(world, "Incoming", "o1-s1", sam))["Status"] == "Completed"


async def test_deleting_a_supplier_item_takes_back_the_buyer_quantity(market: World) -> None:
    world, api = market, market.api
    await forward(world)
    sam = await supplier_token(world, "sam", "s1")
    alice = await world.token("alice")
    await ship_items(world, sam, "sam-1", [("o1-s1", "L-p1", 1)], dated=False)
    assert (await lines_of(world, "Outgoing", "o1", alice))["L-p1"]["QuantityShipped"] == 1
    await api.ok("DELETE", "/shipments/sam-1/items/o1-s1/L-p1", token=sam)
    assert (await lines_of(world, "Outgoing", "o1", alice))["L-p1"]["QuantityShipped"] == 0
    assert (await api.ok("GET", "/me/shipments", token=alice))["Items"] == []


async def test_cancel_across_the_chain(market: World) -> None:
    world, api = market, market.api
    await forward(world)
    token = await seller(world)
    response = await api.post("/orders/Incoming/o1/cancel", token=token)
    assert response.status_code == 400 and error_code(response) == "Order.CannotCancelInCurrentStatus"
    assert response.json()["Errors"][0]["Data"]["OutgoingOrderIDs"] == ["o1-s1", "o1-s2"]
    assert (await order_of(world, "Incoming", "o1", token))["Status"] == "Open"

    # Canceling an outgoing order (by the seller, or by the supplier) gives its lines back.
    canceled = await api.ok("POST", "/orders/Outgoing/o1-s1/cancel", token=token)
    assert canceled["Status"] == "Canceled"
    lines = await lines_of(world, "Incoming", "o1", token)
    assert lines["L-p1"]["OutgoingOrderID"] is None and lines["L-p2"]["OutgoingOrderID"] == "o1-s2"
    sue = await supplier_token(world, "sue", "s2")
    await api.ok("POST", "/orders/Incoming/o1-s2/cancel", token=sue)
    assert (await lines_of(world, "Incoming", "o1", token))["L-p2"]["OutgoingOrderID"] is None

    # Forwarding again makes fresh orders; the canceled ones keep their IDs.
    again = await forward(world)
    assert [o["ID"] for o in again["OutgoingOrders"]] == ["o1-2-s1", "o1-2-s2"]
    await api.ok("POST", "/orders/Outgoing/o1-2-s1/cancel", token=token)
    await api.ok("POST", "/orders/Outgoing/o1-2-s2/cancel", token=token)
    done = await api.ok("POST", "/orders/Incoming/o1/cancel", token=token)
    assert done["Status"] == "Canceled"


async def test_cancel_of_split_incoming_order_cancels_unsubmitted_outgoing(market: World) -> None:
    world, api = market, market.api
    await forward(world, action="split")
    token = await seller(world)
    await api.ok("POST", "/orders/Incoming/o1/cancel", token=token)
    assert (await order_of(world, "Outgoing", "o1-s1", token))["Status"] == "Canceled"
    assert (await order_of(world, "Outgoing", "o1-s2", token))["Status"] == "Canceled"


async def test_buyer_still_cannot_cancel_open_order(market: World) -> None:
    world, api = market, market.api
    response = await api.post("/orders/Outgoing/o1/cancel", token=await world.token("alice", "OrderAdmin"))
    assert response.status_code == 400 and error_code(response) == "Order.CannotCancelInCurrentStatus"
