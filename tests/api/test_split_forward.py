"""Split and forward: one outgoing order per supplier, who sees what, idempotence, refusals,
auto-forward on submit, and all-or-nothing writes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.services import forwarding
from app.store.repo import Docs
from tests.api import catalog_fixtures as cat
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


@pytest.fixture
async def market(world: World) -> World:
    await setup_market(world)
    return world


async def test_forward_makes_one_submitted_order_per_supplier(market: World) -> None:
    world, api = market, market.api
    await buyer_order(world)
    result = await forward(world)
    assert set(result) == {"OutgoingOrders", "RemainingLineItemIDs"}
    assert result["RemainingLineItemIDs"] == ["L-p3"]
    outgoing = {o["ToCompanyID"]: o for o in result["OutgoingOrders"]}
    assert sorted(outgoing) == ["s1", "s2"]
    s1 = outgoing["s1"]
    assert s1["ID"] == "o1-s1" and outgoing["s2"]["ID"] == "o1-s2"
    assert s1["FromCompanyID"] == api.services.marketplace_id
    assert s1["FromUserID"] == "seller" and s1["FromUser"]["ID"] == "seller"
    assert s1["Status"] == "Open" and s1["IsSubmitted"] is True and s1["DateSubmitted"]
    assert s1["LineItemCount"] == 1 and Decimal(str(s1["Subtotal"])) == Decimal("20")
    assert Decimal(str(s1["Total"])) == Decimal("20")
    assert Decimal(str(outgoing["s2"]["Subtotal"])) == Decimal("13.5")
    assert s1["ShippingAddressID"] == "addr1" and s1["BillingAddress"]["Street1"] == "1 Main St"
    assert all(not k.startswith("_") for k in s1)

    token = await seller(world)
    copies = await lines_of(world, "Outgoing", "o1-s1", token)
    copy = copies["L-p1"]
    assert copy["Quantity"] == 2 and Decimal(str(copy["UnitPrice"])) == Decimal("10")
    assert copy["ShippingAddress"]["Street1"] == "1 Main St" and copy["xp"] == {"Gift": True}
    assert copy["QuantityShipped"] == 0
    assert (copy["IncomingOrderID"], copy["OutgoingOrderID"]) == ("o1", "o1-s1")
    incoming = await lines_of(world, "Incoming", "o1", token)
    assert incoming["L-p1"]["OutgoingOrderID"] == "o1-s1" and incoming["L-p1"]["IncomingOrderID"] == "o1"
    assert incoming["L-p2"]["OutgoingOrderID"] == "o1-s2"
    assert incoming["L-p3"]["OutgoingOrderID"] is None

    # The buyer and the supplier do not see the links.
    buyer_lines = await lines_of(world, "Outgoing", "o1", await world.token("alice"))
    assert all(ln["OutgoingOrderID"] is None and ln["IncomingOrderID"] is None for ln in buyer_lines.values())
    sam = await supplier_token(world, "sam", "s1")
    supplier_lines = await lines_of(world, "Incoming", "o1-s1", sam)
    assert (
        supplier_lines["L-p1"]["IncomingOrderID"] is None
        and supplier_lines["L-p1"]["OutgoingOrderID"] is None
    )
    across = await api.ok("GET", "/lineitems/Outgoing", token=await world.token("alice", "OrderReader"))
    assert all(ln["OutgoingOrderID"] is None for ln in across["Items"])

    # The buyer's order is unchanged otherwise.
    buyer_view = await order_of(world, "Outgoing", "o1", await world.token("alice"))
    assert buyer_view["Status"] == "Open" and buyer_view["LineItemCount"] == 3


async def test_each_supplier_sees_only_its_order_as_incoming(market: World) -> None:
    world, api = market, market.api
    await buyer_order(world)
    await forward(world)
    sam = await supplier_token(world, "sam", "s1")
    sue = await supplier_token(world, "sue", "s2")
    assert [o["ID"] for o in (await api.ok("GET", "/orders/Incoming", token=sam))["Items"]] == ["o1-s1"]
    assert [o["ID"] for o in (await api.ok("GET", "/orders/Incoming", token=sue))["Items"]] == ["o1-s2"]
    assert (await api.ok("GET", "/orders/Outgoing", token=sam))["Items"] == []
    assert (await api.get("/orders/Incoming/o1-s2", token=sam)).status_code == 404
    assert (await api.get("/orders/Incoming/o1", token=sam)).status_code == 404
    token = await seller(world)
    outgoing = await api.ok("GET", "/orders/Outgoing", token=token)
    assert [o["ID"] for o in outgoing["Items"]] == ["o1-s1", "o1-s2"]
    incoming = await api.ok("GET", "/orders/Incoming", token=token)
    assert [o["ID"] for o in incoming["Items"]] == ["o1"]


async def test_split_does_not_submit_and_forward_later_submits(market: World) -> None:
    world, api = market, market.api
    await buyer_order(world)
    split = await forward(world, action="split")
    assert [(o["ID"], o["Status"], o["IsSubmitted"]) for o in split["OutgoingOrders"]] == [
        ("o1-s1", "Unsubmitted", False),
        ("o1-s2", "Unsubmitted", False),
    ]
    assert split["RemainingLineItemIDs"] == ["L-p3"]
    again = await forward(world, action="split")
    assert again == split
    forwarded = await forward(world)
    assert [(o["ID"], o["Status"]) for o in forwarded["OutgoingOrders"]] == [
        ("o1-s1", "Open"),
        ("o1-s2", "Open"),
    ]
    assert forwarded["RemainingLineItemIDs"] == ["L-p3"]
    # A second forward answers the same and creates nothing.
    assert await forward(world) == forwarded
    async with api.services.db.reader() as conn:
        docs = Docs(conn)
        assert await docs.count("order") == 3
        assert await docs.count("lineitem", scope="o1-s1") == 1


async def test_split_refusals(market: World) -> None:
    world, api = market, market.api
    await buyer_order(world)
    alice = await world.token("alice", "OrderAdmin")
    response = await api.post("/orders/Outgoing/o1/split", token=alice)
    assert response.status_code == 400 and error_code(response) == "Order.CannotSplitWrongUserType"
    sam = await supplier_token(world, "sam", "s1")
    response = await api.post("/orders/Incoming/o1/forward", token=sam)
    assert error_code(response) == "Order.CannotSplitWrongUserType"
    token = await seller(world)
    response = await api.post("/orders/Outgoing/o1/split", token=token)
    assert response.status_code == 400 and error_code(response) == "Order.CannotSplitOutgoing"
    reader = await world.seller("OrderReader")
    response = await api.post("/orders/Incoming/o1/forward", token=reader)
    assert response.status_code == 403 and error_code(response) == "Auth.InsufficientRoles"
    assert (await api.post("/orders/Incoming/nope/forward", token=token)).status_code == 404

    # Unsubmitted orders cannot be split.
    await world.new_order(body={"ID": "draft"})
    await world.add_line("draft", "p1", 1)
    response = await api.post("/orders/Incoming/draft/split", token=token)
    assert response.status_code == 400 and error_code(response) == "Order.AllowedOnSubmittedOnly"

    # An outgoing order (seen through All) is not split again.
    await forward(world)
    response = await api.post("/orders/All/o1-s1/forward", token=token)
    assert error_code(response) == "Order.CannotSplitOutgoing"
    # Through All, the incoming order itself works.
    assert (await api.post("/orders/All/o1/split", token=token)).status_code == 200


async def test_order_without_supplier_lines_splits_into_nothing(market: World) -> None:
    world = market
    await buyer_order(world, lines=(("p3", 2),))
    result = await forward(world)
    assert result == {"OutgoingOrders": [], "RemainingLineItemIDs": ["L-p3"]}


async def test_delete_rules_across_the_chain(market: World) -> None:
    world, api = market, market.api
    await buyer_order(world)
    await forward(world, action="split")
    token = await seller(world)
    response = await api.delete("/orders/Incoming/o1", token=token)
    assert response.status_code == 400 and error_code(response) == "Order.CannotDeleteForwardedOrder"
    # Deleting an unsubmitted outgoing order gives its lines back to the seller.
    await api.ok("DELETE", "/orders/Outgoing/o1-s1", token=token)
    incoming = await lines_of(world, "Incoming", "o1", token)
    assert incoming["L-p1"]["OutgoingOrderID"] is None and incoming["L-p2"]["OutgoingOrderID"] == "o1-s2"
    again = await forward(world)
    assert [o["ID"] for o in again["OutgoingOrders"]] == ["o1-s2", "o1-s1"]


async def _autoforward_products(world: World) -> None:
    await cat.product(world.api, "auto1", price="3.00", supplier="s1")
    product = await cat.read(world.api, "product", "auto1")
    await cat.replace(world.api, "product", {**product, "AutoForward": True})


async def test_auto_forward_on_submit(market: World) -> None:
    world = market
    await _autoforward_products(world)
    order = await buyer_order(world, lines=(("auto1", 2), ("p1", 1), ("p2", 1)))
    assert order["Status"] == "Open"
    token = await seller(world)
    outgoing = await order_of(world, "Outgoing", "o1-s1", token)
    assert outgoing["Status"] == "Open" and outgoing["ToCompanyID"] == "s1"
    # No AutoForwardingUserID: the bootstrap admin user forwards.
    assert outgoing["FromUserID"] == "admin"
    assert list(await lines_of(world, "Outgoing", "o1-s1", token)) == ["L-auto1"]
    assert (await world.api.get("/orders/Outgoing/o1-s2", token=token)).status_code == 404
    incoming = await lines_of(world, "Incoming", "o1", token)
    assert incoming["L-auto1"]["OutgoingOrderID"] == "o1-s1" and incoming["L-p1"]["OutgoingOrderID"] is None
    # A manual forward later adds the rest under fresh IDs.
    result = await forward(world)
    assert [o["ID"] for o in result["OutgoingOrders"]] == ["o1-s1", "o1-2-s1", "o1-s2"]


async def test_auto_forwarding_user_from_seller_and_required(market: World) -> None:
    world, api = market, market.api
    await _autoforward_products(world)
    seller_doc = await cat.read(api, "seller", api.services.marketplace_id)
    await cat.replace(api, "seller", {**seller_doc, "AutoForwardingUserID": "seller"})
    await buyer_order(world, lines=(("auto1", 1),))
    assert (await order_of(world, "Outgoing", "o1-s1"))["FromUserID"] == "seller"

    await cat.replace(api, "seller", {**seller_doc, "AutoForwardingUserID": "ghost"})
    await world.new_order(body={"ID": "o2"})
    await world.add_line("o2", "auto1", 1)
    response = await api.post("/orders/Outgoing/o2/submit", token=await world.token("alice"))
    assert response.status_code == 400 and error_code(response) == "Seller.AutoForwardingUserRequired"
    assert (await order_of(world, "Outgoing", "o2", await world.token("alice")))["Status"] == "Unsubmitted"


async def test_forward_is_all_or_nothing(market: World, monkeypatch: pytest.MonkeyPatch) -> None:
    world, api = market, market.api
    await buyer_order(world)
    token = await seller(world)
    before_lines = await lines_of(world, "Incoming", "o1", token)
    before_order = await order_of(world, "Incoming", "o1", token)
    real = forwarding.create_outgoing
    calls: list[str] = []

    async def failing(*args: Any, **kwargs: Any) -> dict[str, Any]:
        calls.append(args[4])
        if len(calls) == 2:
            raise RuntimeError("disk full while writing the second outgoing order")
        return await real(*args, **kwargs)

    monkeypatch.setattr(forwarding, "create_outgoing", failing)
    response = await api.post("/orders/Incoming/o1/forward", token=token)
    assert response.status_code == 500
    assert calls == ["o1-s1", "o1-s2"]
    async with api.services.db.reader() as conn:
        docs = Docs(conn)
        assert await docs.count("order") == 1
        assert await docs.count("lineitem", scope="o1-s1") == 0
    assert await lines_of(world, "Incoming", "o1", token) == before_lines
    assert await order_of(world, "Incoming", "o1", token) == before_order
    monkeypatch.undo()
    assert [o["ID"] for o in (await forward(world))["OutgoingOrders"]] == ["o1-s1", "o1-s2"]


async def test_renaming_either_side_keeps_the_links(market: World) -> None:
    world, api = market, market.api
    await buyer_order(world)
    await forward(world)
    token = await seller(world)
    # Headstart renames the outgoing orders it forwards.
    await api.ok("PATCH", "/orders/Outgoing/o1-s1", {"ID": "PO-s1"}, token=token)
    incoming = await lines_of(world, "Incoming", "o1", token)
    assert incoming["L-p1"]["OutgoingOrderID"] == "PO-s1"
    assert (await lines_of(world, "Outgoing", "PO-s1", token))["L-p1"]["OutgoingOrderID"] == "PO-s1"
    await api.ok("PATCH", "/orders/Incoming/o1", {"ID": "o9"}, token=token)
    assert (await lines_of(world, "Outgoing", "PO-s1", token))["L-p1"]["IncomingOrderID"] == "o9"
    assert (await lines_of(world, "Incoming", "o9", token))["L-p2"]["IncomingOrderID"] == "o9"
    # The roll-up still reaches the renamed buyer order.
    sam = await supplier_token(world, "sam", "s1")
    await api.ok("POST", "/orders/Incoming/PO-s1/ship", {}, token=sam)
    assert (await lines_of(world, "Outgoing", "o9", await world.token("alice")))["L-p1"][
        "QuantityShipped"
    ] == 2
    again = await forward(world, "o9")
    assert [o["ID"] for o in again["OutgoingOrders"]] == ["PO-s1", "o1-s2"]
