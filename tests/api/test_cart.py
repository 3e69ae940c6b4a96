"""The /cart endpoints: the user's current unsubmitted order without direction or ID."""

from __future__ import annotations

from decimal import Decimal

from app.routes.orders import ORDER_SCHEMA
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.helpers import error_code


async def test_no_cart_is_an_order_with_null_id(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    cart = await api.ok("GET", "/cart", token=token)
    assert cart["ID"] is None and set(ORDER_SCHEMA.fields) == set(cart)
    assert cart["FromUserID"] == "alice" and cart["Status"] == "Unsubmitted" and cart["LineItemCount"] == 0
    for path in ("/cart/lineitems", "/cart/payments"):
        assert (await api.ok("GET", path, token=token))["Items"] == []
    # A storefront reads the worksheet on its first page: the same empty cart, not a 404.
    sheet = await api.ok("GET", "/cart/worksheet", token=token)
    assert sheet["Order"] == cart and sheet["LineItems"] == [] and sheet["OrderCalculateResponse"] is None
    for method, path, body in (
        ("PATCH", "/cart/lineitems/x", {"Quantity": 2}),
        ("DELETE", "/cart/lineitems/x", None),
        ("GET", "/cart/lineitems/x", None),
        ("PATCH", "/cart/billto", {"City": "X"}),
        ("POST", "/cart/submit", None),
        ("POST", "/cart/validate", None),
        ("DELETE", "/cart", None),
    ):
        r = await api.call(method, path, body, token=token)
        assert r.status_code == 404 and error_code(r) == "NotFound", (method, path)
    seller = await api.get("/cart", token=await world.seller("Shopper OrderAdmin"))
    assert seller.status_code == 403


async def test_cart_flow_add_lines_addresses_pay_submit(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="5", inventory=cat.inventory(10))
    token = await world.token("alice")
    line = await api.ok("POST", "/cart/lineitems", {"ProductID": "p1", "Quantity": 2}, token=token)
    cart = await api.ok("GET", "/cart", token=token)
    assert cart["ID"] and cart["LineItemCount"] == 1 and Decimal(str(cart["Total"])) == 10
    same = await api.ok("POST", "/cart/lineitems", {"ProductID": "p1", "Quantity": 1}, token=token)
    assert (await api.ok("GET", "/cart", token=token))["ID"] == cart["ID"]
    patched = await api.ok("PATCH", f"/cart/lineitems/{line['ID']}", {"Quantity": 3}, token=token)
    assert patched["Quantity"] == 3
    await api.ok("DELETE", f"/cart/lineitems/{same['ID']}", token=token)
    assert (await api.ok("GET", f"/cart/lineitems/{line['ID']}", token=token))["Quantity"] == 3
    page = await api.ok("GET", "/cart/lineitems", token=token)
    assert [li["ID"] for li in page["Items"]] == [line["ID"]]
    put = await api.ok(
        "PUT", f"/cart/lineitems/{line['ID']}", {"ProductID": "p1", "Quantity": 4}, token=token
    )
    assert put["LineSubtotal"] == 20

    billed = await api.ok("PUT", "/cart/billto", ADDRESS, token=token)
    assert billed["BillingAddress"]["City"] == "Springfield"
    billed = await api.ok("PATCH", "/cart/billto", {"City": "Ogdenville"}, token=token)
    assert billed["BillingAddress"]["City"] == "Ogdenville"
    shipped = await api.ok("PUT", "/cart/shipto", {"ID": "addr1"}, token=token)
    assert shipped["ShippingAddressID"] == "addr1"
    refused = await api.patch("/cart/shipto", {"City": "X"}, token=token)
    assert error_code(refused) == "ShippingAddress.CannotPatchSetByID"
    named = await api.ok("PATCH", "/cart/fromuser", {"LastName": "Smith"}, token=token)
    assert named["FromUser"]["LastName"] == "Smith"
    patched_cart = await api.ok("PATCH", "/cart", {"Comments": "leave at door"}, token=token)
    assert patched_cart["Comments"] == "leave at door" and patched_cart["ID"] == cart["ID"]
    saved = await api.ok("PUT", "/cart", {"xp": {"Gift": True}}, token=token)
    assert saved["Comments"] is None and saved["xp"] == {"Gift": True}

    # A card payment waits for an OrderAdmin to accept it (a purchase order would not).
    pay = await api.ok("POST", "/cart/payments", {"Type": "CreditCard"}, token=token)
    assert (await api.ok("GET", "/cart/payments", token=token))["Meta"]["TotalCount"] == 1
    unaccepted = await api.post("/cart/validate", token=token)
    assert error_code(unaccepted) == "Order.CannotSubmitWithUnaccceptedPayments"
    admin = await world.token("alice", "Shopper OrderAdmin")
    await api.ok("PATCH", f"/cart/payments/{pay['ID']}", {"Accepted": True}, token=admin)
    assert (await api.ok("GET", f"/cart/payments/{pay['ID']}", token=token))["Accepted"] is True
    tx = await api.ok(
        "POST", f"/cart/payments/{pay['ID']}/transactions", {"ID": "t", "Type": "Auth"}, token=admin
    )
    assert len(tx["Transactions"]) == 1
    await api.ok("DELETE", f"/cart/payments/{pay['ID']}/transactions/t", token=admin)
    assert (await api.post("/cart/validate", token=token)).status_code == 204
    submitted = await api.ok("POST", "/cart/submit", token=token)
    assert submitted["ID"] == cart["ID"] and submitted["Status"] == "Open"
    assert (await cat.read(api, "product", "p1"))["Inventory"]["QuantityAvailable"] == 6
    # After submit there is no cart until the next line creates one.
    assert (await api.ok("GET", "/cart", token=token))["ID"] is None
    fresh = await api.ok("POST", "/cart/lineitems", {"ProductID": "p1"}, token=token)
    assert fresh["ID"] and (await api.ok("GET", "/cart", token=token))["ID"] not in (None, cart["ID"])


async def test_cart_is_latest_unsubmitted_order_or_the_chosen_one(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    await world.new_order(body={"ID": "first"})
    await world.new_order(body={"ID": "second"})
    await world.new_order("carol", body={"ID": "carols"})
    assert (await api.ok("GET", "/cart", token=token))["ID"] == "second"
    assert (await api.put("/cart/first", token=token)).status_code == 204
    assert (await api.ok("GET", "/cart", token=token))["ID"] == "first"
    not_mine = await api.put("/cart/carols", token=token)
    assert not_mine.status_code == 404
    assert (await api.put("/cart/nothing", token=token)).status_code == 404
    # The chosen cart stops being the cart once it is no longer Unsubmitted.
    await api.ok("POST", "/orders/Outgoing/first/cancel", token=token)
    assert (await api.ok("GET", "/cart", token=token))["ID"] == "second"
    await api.ok("DELETE", "/cart", token=token)
    assert (await api.get("/orders/Outgoing/second", token=token)).status_code == 404
    assert (await api.ok("GET", "/cart", token=token))["ID"] is None


async def test_put_cart_creates_one(world: World) -> None:
    token = await world.token("alice")
    created = await world.api.ok("PUT", "/cart", {"Comments": "new"}, token=token)
    assert created["ID"] and created["Comments"] == "new" and created["FromUserID"] == "alice"
    assert (await world.api.ok("GET", "/cart", token=token))["ID"] == created["ID"]
