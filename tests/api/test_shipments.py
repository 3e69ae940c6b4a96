"""Shipments: CRUD and list options, items and the quantities they move, addresses, shipping a
whole order, who may read and write which shipment, and /me/shipments."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.store.repo import Docs
from tests.api.fulfilment_fixtures import (
    ADDRESS,
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


@pytest.fixture
async def market(world: World) -> World:
    await setup_market(world)
    await buyer_order(world)
    return world


async def test_shipment_crud_and_owner(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    created = await api.ok(
        "POST",
        "/shipments",
        {
            "ID": "sh1",
            "Shipper": "UPS",
            "TrackingNumber": "1Z",
            "Cost": 12.5,
            "OwnerID": "s1",
            "xp": {"a": 1},
        },
        token=token,
    )
    # The marketplace owner may name the owning supplier on create.
    assert created["OwnerID"] == "s1" and created["Shipper"] == "UPS" and created["Cost"] == 12.5
    assert created["DateShipped"] is None and created["FromAddress"] is None and created["xp"] == {"a": 1}
    assert set(created) == {
        "ID", "BuyerID", "Shipper", "DateShipped", "DateDelivered", "TrackingNumber", "Cost", "OwnerID",
        "xp", "Account", "FromAddressID", "ToAddressID", "FromAddress", "ToAddress",
    }  # fmt: skip
    sam = await supplier_token(world, "sam", "s1")
    own = await api.ok("POST", "/shipments", {"ID": "sh2", "OwnerID": "s2"}, token=sam)
    assert own["OwnerID"] == "s1"  # a supplier cannot choose another owner
    duplicate = await api.post("/shipments", {"ID": "sh2"}, token=token)
    assert duplicate.status_code == 409 and error_code(duplicate) == "IdExists"

    patched = await api.ok(
        "PATCH", "/shipments/sh1", {"DateDelivered": "2026-01-02", "OwnerID": "x"}, token=token
    )
    assert patched["DateDelivered"] == "2026-01-02T00:00:00.000+00:00" and patched["OwnerID"] == "s1"
    saved = await api.ok("PUT", "/shipments/sh1", {"Shipper": "FedEx"}, token=token)
    assert saved["Shipper"] == "FedEx" and saved["TrackingNumber"] is None and saved["OwnerID"] == "s1"
    bad = await api.patch("/shipments/sh1", {"DateShipped": "yesterday"}, token=token)
    assert bad.status_code == 400 and error_code(bad) == "ValidationFailure"
    upserted = await api.ok("PUT", "/shipments/sh3", {"Shipper": "DHL"}, token=token)
    assert upserted["ID"] == "sh3" and upserted["OwnerID"] == api.services.marketplace_id

    page = await api.ok("GET", "/shipments", token=token, params={"sortBy": "!ID", "Shipper": "FedEx|DHL"})
    assert [s["ID"] for s in page["Items"]] == ["sh3", "sh1"]
    search = await api.ok("GET", "/shipments", token=token, params={"search": "FedEx", "searchOn": "Shipper"})
    assert [s["ID"] for s in search["Items"]] == ["sh1"]
    # sam sees what s1 owns only.
    assert [s["ID"] for s in (await api.ok("GET", "/shipments", token=sam))["Items"]] == ["sh1", "sh2"]
    sue = await supplier_token(world, "sue", "s2")
    assert (await api.ok("GET", "/shipments", token=sue))["Items"] == []
    assert (await api.get("/shipments/sh1", token=sue)).status_code == 404
    # sam may change s1's shipments, not the seller's.
    assert (await api.patch("/shipments/sh1", {"Account": "acc"}, token=sam)).status_code == 200
    assert (await api.patch("/shipments/sh3", {"Account": "acc"}, token=sam)).status_code == 404

    await api.ok("DELETE", "/shipments/sh3", token=token)
    assert (await api.get("/shipments/sh3", token=token)).status_code == 404


async def test_shipment_roles(market: World) -> None:
    world, api = market, market.api
    reader = await world.seller("ShipmentReader")
    response = await api.post("/shipments", {"ID": "x"}, token=reader)
    assert response.status_code == 403 and error_code(response) == "Auth.InsufficientRoles"
    assert (await api.get("/shipments", token=reader)).status_code == 200
    order_reader = await world.seller("OrderReader")
    assert (await api.get("/shipments", token=order_reader)).status_code == 200
    shopper = await world.token("alice")
    assert (await api.get("/shipments", token=shopper)).status_code == 403
    buyer_admin = await world.token("alice", "ShipmentAdmin")
    response = await api.post("/shipments", {"ID": "x"}, token=buyer_admin)
    assert response.status_code == 403


async def test_items_move_quantity_shipped(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    await api.ok("POST", "/shipments", {"ID": "sh1"}, token=token)
    item = await api.ok(
        "POST",
        "/shipments/sh1/items",
        {"OrderID": "o1", "LineItemID": "L-p3", "QuantityShipped": 1},
        token=token,
        status=200,
    )
    assert item["OrderID"] == "o1" and item["LineItemID"] == "L-p3" and item["QuantityShipped"] == 1
    assert Decimal(str(item["UnitPrice"])) == Decimal("7") and item["Product"]["ID"] == "p3"
    assert item["xp"] == {"Gift": True} and "ID" not in item
    lines = await lines_of(world, "Incoming", "o1", token)
    assert lines["L-p3"]["QuantityShipped"] == 1
    # The shipment took the order's buyer.
    assert (await api.ok("GET", "/shipments/sh1", token=token))["BuyerID"] == "b1"

    exceeded = await api.post(
        "/shipments/sh1/items", {"OrderID": "o1", "LineItemID": "L-p3", "QuantityShipped": 2}, token=token
    )
    assert exceeded.status_code == 400 and error_code(exceeded) == "ShipmentItem.QuantityExceeded"

    await api.ok("POST", "/shipments", {"ID": "sh2"}, token=token)
    await api.ok(
        "POST", "/shipments/sh2/items", {"OrderID": "o1", "LineItemID": "L-p1", "QuantityShipped": 1},
        token=token, status=200,
    )  # fmt: skip
    # Saving the same item again replaces its quantity.
    await api.ok(
        "POST", "/shipments/sh2/items", {"OrderID": "o1", "LineItemID": "L-p1", "QuantityShipped": 2},
        token=token, status=200,
    )  # fmt: skip
    assert (await lines_of(world, "Incoming", "o1", token))["L-p1"]["QuantityShipped"] == 2
    listed = await api.ok("GET", "/shipments/sh2/items", token=token)
    assert [(i["LineItemID"], i["QuantityShipped"]) for i in listed["Items"]] == [("L-p1", 2)]
    got = await api.ok("GET", "/shipments/sh2/items/o1/L-p1", token=token)
    assert got["QuantityShipped"] == 2
    assert (await api.get("/shipments/sh2/items/o1/L-p3", token=token)).status_code == 404

    by_order = await api.ok("GET", "/shipments", token=token, params={"orderID": "o1"})
    assert [s["ID"] for s in by_order["Items"]] == ["sh1", "sh2"]

    # Deleting an item, or a whole shipment, gives the quantity back.
    await api.ok("DELETE", "/shipments/sh2/items/o1/L-p1", token=token)
    assert (await lines_of(world, "Incoming", "o1", token))["L-p1"]["QuantityShipped"] == 0
    assert [
        s["ID"] for s in (await api.ok("GET", "/shipments", token=token, params={"orderID": "o1"}))["Items"]
    ] == ["sh1"]
    await api.ok("DELETE", "/shipments/sh1", token=token)
    assert (await lines_of(world, "Incoming", "o1", token))["L-p3"]["QuantityShipped"] == 0
    async with api.services.db.reader() as conn:
        assert await Docs(conn).count("shipmentitem") == 0


async def test_item_refusals(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    await api.ok("POST", "/shipments", {"ID": "sh1"}, token=token)

    async def save(body: dict[str, object], tok: str = token) -> tuple[int, str]:
        response = await api.post("/shipments/sh1/items", body, token=tok)
        return response.status_code, error_code(response) if response.status_code >= 400 else ""

    assert await save({"OrderID": "o1", "LineItemID": "L-p1"}) == (400, "ValidationFailure")
    assert await save({"OrderID": "o1", "LineItemID": "L-p1", "QuantityShipped": 0}) == (
        400,
        "ValidationFailure",
    )
    assert await save({"OrderID": "nope", "LineItemID": "L-p1", "QuantityShipped": 1}) == (404, "NotFound")
    assert await save({"OrderID": "o1", "LineItemID": "nope", "QuantityShipped": 1}) == (404, "NotFound")
    await world.new_order(body={"ID": "draft"})
    await world.add_line("draft", "p1", 1, ID="Ld")
    assert await save({"OrderID": "draft", "LineItemID": "Ld", "QuantityShipped": 1}) == (
        400,
        "Order.CannotShipBadStatus",
    )
    # A supplier ships only the orders it receives, on its own shipments.
    await forward(world)
    sam = await supplier_token(world, "sam", "s1")
    response = await api.post(
        "/shipments/sh1/items", {"OrderID": "o1-s1", "LineItemID": "L-p1", "QuantityShipped": 1}, token=sam
    )
    assert response.status_code == 404  # sh1 is the seller's
    await api.ok("POST", "/shipments", {"ID": "sam1"}, token=sam)
    response = await api.post(
        "/shipments/sam1/items", {"OrderID": "o1-s2", "LineItemID": "L-p2", "QuantityShipped": 1}, token=sam
    )
    assert response.status_code == 404
    response = await api.post(
        "/shipments/sam1/items", {"OrderID": "o1", "LineItemID": "L-p1", "QuantityShipped": 1}, token=sam
    )
    assert response.status_code == 404
    # The seller does not ship a forwarded line on the buyer's order: the supplier ships it.
    assert await save({"OrderID": "o1", "LineItemID": "L-p1", "QuantityShipped": 1}) == (
        400,
        "ValidationFailure",
    )


async def test_ship_from_and_to_addresses(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    await api.ok("POST", "/shipments", {"ID": "sh1", "BuyerID": "b1"}, token=token)
    one_time = await api.ok(
        "PUT", "/shipments/sh1/shipfrom", {**ADDRESS, "Street1": "9 Dock Rd"}, token=token
    )
    assert one_time["FromAddressID"] is None and one_time["FromAddress"]["Street1"] == "9 Dock Rd"
    by_id = await api.ok("PUT", "/shipments/sh1/shipto", {"ID": "addr2"}, token=token)
    assert by_id["ToAddressID"] == "addr2" and by_id["ToAddress"]["Street1"] == "2 Side St"
    patched = await api.ok("PATCH", "/shipments/sh1", {"ToAddressID": "addr1"}, token=token)
    assert patched["ToAddress"]["Street1"] == "1 Main St" and patched["FromAddress"]["Street1"] == "9 Dock Rd"
    missing = await api.patch("/shipments/sh1", {"ToAddressID": "nope"}, token=token)
    assert missing.status_code == 404
    bad = await api.put("/shipments/sh1/shipto", {"City": "X"}, token=token)
    assert bad.status_code == 400


async def test_ship_whole_order(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    response = await api.post("/orders/Incoming/o1/ship", {}, token=token)
    assert response.status_code == 201, response.text
    order = response.json()
    assert order["ID"] == "o1" and order["Status"] == "Completed" and order["DateCompleted"]
    lines = await lines_of(world, "Incoming", "o1", token)
    assert {k: v["QuantityShipped"] for k, v in lines.items()} == {"L-p1": 2, "L-p2": 3, "L-p3": 1}
    shipments = await api.ok("GET", "/orders/Incoming/o1/shipments", token=token)
    assert len(shipments["Items"]) == 1
    shipment = shipments["Items"][0]
    assert shipment["DateShipped"] and shipment["BuyerID"] == "b1"
    assert shipment["OwnerID"] == api.services.marketplace_id
    items = await api.ok("GET", f"/shipments/{shipment['ID']}/items", token=token)
    assert len(items["Items"]) == 3
    again = await api.post("/orders/Incoming/o1/ship", {}, token=token)
    assert again.status_code == 400 and error_code(again) == "Order.CannotShipBadStatus"


async def test_ship_refusals(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    await world.new_order(body={"ID": "draft"})
    response = await api.post("/orders/Incoming/draft/ship", {}, token=token)
    assert response.status_code == 400 and error_code(response) == "Order.CannotShipBadStatus"

    await api.ok("POST", "/shipments", {"ID": "part"}, token=token)
    await api.ok(
        "POST", "/shipments/part/items", {"OrderID": "o1", "LineItemID": "L-p2", "QuantityShipped": 1},
        token=token, status=200,
    )  # fmt: skip
    response = await api.post("/orders/Incoming/o1/ship", {"ID": "whole"}, token=token)
    assert response.status_code == 400 and error_code(response) == "Order.ConflictsWithOtherShipments"
    assert response.json()["Errors"][0]["Data"] == {"LineItemIDs": ["L-p2"]}
    assert (await api.get("/shipments/whole", token=token)).status_code == 404

    # An Open order without lines (only reachable by editing storage).
    async with api.services.db.transaction() as conn:
        await Docs(conn).delete_where("lineitem", scope="o1")
    response = await api.post("/orders/Incoming/o1/ship", {}, token=token)
    assert response.status_code == 400 and error_code(response) == "Order.CannotShipWithNoLineItems"

    shopper = await world.token("alice", "OrderAdmin")
    response = await api.post("/orders/Outgoing/o1/ship", {}, token=shopper)
    assert response.status_code == 403
    no_role = await world.seller("OrderReader")
    assert (await api.post("/orders/Incoming/o1/ship", {}, token=no_role)).status_code == 403


async def test_ship_with_body_and_by_shipment_admin(market: World) -> None:
    world, api = market, market.api
    token = await world.seller("ShipmentAdmin OrderReader")
    order = await api.ok(
        "POST",
        "/orders/Incoming/o1/ship",
        {"ID": "sh9", "Shipper": "UPS", "DateShipped": "2026-03-01T10:00:00Z", "TrackingNumber": "T1"},
        token=token,
    )
    assert order["Status"] == "Completed"
    shipment = await api.ok("GET", "/shipments/sh9", token=token)
    assert shipment["DateShipped"] == "2026-03-01T10:00:00.000+00:00" and shipment["TrackingNumber"] == "T1"


async def test_me_shipments_for_buyer_users(market: World) -> None:
    world, api = market, market.api
    token = await seller(world)
    await api.ok("POST", "/orders/Incoming/o1/ship", {"ID": "sh1"}, token=token)
    await world.new_order("bob", body={"ID": "ob"})
    await world.add_line("ob", "p3", 1, username="bob")
    await world.submit("ob", username="bob")
    await api.ok("POST", "/orders/Incoming/ob/ship", {"ID": "shb"}, token=token)

    alice = await world.token("alice")
    mine = await api.ok("GET", "/me/shipments", token=alice)
    assert [s["ID"] for s in mine["Items"]] == ["sh1"]
    assert (await api.ok("GET", "/me/shipments", token=alice, params={"orderID": "o1"}))["Items"][0][
        "ID"
    ] == "sh1"
    assert (await api.ok("GET", "/me/shipments", token=alice, params={"orderID": "ob"}))["Items"] == []
    assert (await api.ok("GET", "/me/shipments/sh1", token=alice))["BuyerID"] == "b1"
    assert (await api.get("/me/shipments/shb", token=alice)).status_code == 404
    items = await api.ok("GET", "/me/shipments/sh1/items", token=alice)
    assert sorted(i["LineItemID"] for i in items["Items"]) == ["L-p1", "L-p2", "L-p3"]
    assert (await api.get("/me/shipments/shb/items", token=alice)).status_code == 404
    # carol (same buyer, Shopper only) does not see alice's order's shipments.
    carol = await world.token("carol")
    assert (await api.ok("GET", "/me/shipments", token=carol))["Items"] == []
    # An OrderReader of the buyer sees every order's shipments of its company.
    manager = await world.token("carol", "Shopper OrderReader")
    assert [s["ID"] for s in (await api.ok("GET", "/me/shipments", token=manager))["Items"]] == ["sh1"]
    # The buyer's order shipments, from the order.
    listed = await api.ok("GET", "/orders/Outgoing/o1/shipments", token=alice)
    assert [s["ID"] for s in listed["Items"]] == ["sh1"]
    assert (await order_of(world, "Outgoing", "o1", alice))["Status"] == "Completed"
