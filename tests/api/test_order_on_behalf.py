"""Who may create an order on behalf of a buyer user, and whose personal addresses, cards and
spending accounts may go on an order (issue #10 item 1, docs/security-orders.md)."""

from __future__ import annotations

from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.helpers import error_code

SELLER_LIST = "OrderAdmin OrderReader UnsubmittedOrderReader"


async def all_order_ids(world: World) -> list[str]:
    """Every order in the marketplace, read from the store (no visibility rule in the way)."""
    async with world.api.services.db.reader() as conn:
        from app.store.repo import Docs

        return sorted(o["ID"] for o in await Docs(conn).all("order", scope=""))


async def test_a_buyer_user_never_creates_an_order_on_behalf_of_anyone(world: World) -> None:
    api = world.api
    for scope in ("Shopper", "Shopper OrderAdmin", "FullAccess"):
        token = await world.token("alice", scope)
        for body in (
            {"ID": "stolen", "FromUserID": "bob"},
            {"ID": "stolen", "FromUserID": "bob", "FromCompanyID": "b2"},
            {"ID": "stolen", "FromUserID": "carol"},  # a colleague: not on behalf either
        ):
            refused = await api.post("/orders/Incoming", body, token=token)
            assert refused.status_code == 403, refused.text
            assert error_code(refused) == "Auth.InsufficientRoles"
    assert await all_order_ids(world) == []
    # Outgoing and All create the caller's own order; FromUserID cannot redirect it.
    token = await world.token("alice")
    for direction, order_id in (("Outgoing", "o-out"), ("All", "o-all")):
        own = await api.ok(
            "POST",
            f"/orders/{direction}",
            {"ID": order_id, "FromUserID": "bob", "FromCompanyID": "b2"},
            token=token,
        )
        assert (own["FromUserID"], own["FromCompanyID"], own["FromUser"]["ID"]) == ("alice", "b1", "alice")
    bob_orders = await api.ok(
        "GET", "/me/orders", params={"IsSubmitted": "false"}, token=await world.token("bob", "Shopper")
    )
    assert bob_orders["Items"] == []


async def test_seller_on_behalf_needs_order_admin_and_lands_on_its_incoming_side(world: World) -> None:
    api = world.api
    await cat.product(api, "p1", price="4")
    shopper_seller = await world.seller("Shopper")
    refused = await api.post("/orders/Incoming", {"ID": "ob", "FromUserID": "bob"}, token=shopper_seller)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"
    assert await all_order_ids(world) == []

    seller = await world.seller(SELLER_LIST)
    order = await api.ok("POST", "/orders/Incoming", {"ID": "ob", "FromUserID": "bob"}, token=seller)
    assert (order["FromCompanyID"], order["ToCompanyID"]) == ("b2", api.services.marketplace_id)
    await api.ok("POST", "/orders/Incoming/ob/lineitems", {"ProductID": "p1", "Quantity": 1}, token=seller)
    await api.ok("POST", "/orders/Incoming/ob/submit", token=seller)
    incoming = await api.ok("GET", "/orders/Incoming", token=seller)
    assert [o["ID"] for o in incoming["Items"]] == ["ob"]


async def test_supplier_acts_only_for_buyers_that_order_from_it_and_only_with_its_products(
    world: World,
) -> None:
    api = world.api
    await cat.product(api, "seller-made")
    await cat.product(api, "s1-made", supplier="s1")
    sam = await world.token("sam", "OrderAdmin")
    unrelated = await api.post("/orders/Incoming", {"ID": "so", "FromUserID": "bob"}, token=sam)
    assert unrelated.status_code == 404, unrelated.text
    shopper_only = await api.post(
        "/orders/Incoming", {"ID": "so", "FromUserID": "bob"}, token=await world.token("sam")
    )
    assert shopper_only.status_code == 403
    assert await all_order_ids(world) == []

    await api.ok("PUT", "/suppliers/s1/buyers/b2", status=204)
    order = await api.ok("POST", "/orders/Incoming", {"ID": "so", "FromUserID": "bob"}, token=sam)
    assert (order["FromCompanyID"], order["ToCompanyID"], order["FromUserID"]) == ("b2", "s1", "bob")
    foreign = await api.post(
        "/orders/Incoming/so/lineitems", {"ProductID": "seller-made", "Quantity": 1}, token=sam
    )
    assert foreign.status_code == 404
    await api.ok("POST", "/orders/Incoming/so/lineitems", {"ProductID": "s1-made", "Quantity": 1}, token=sam)
    # Still not for b1, which has no relationship with s1.
    assert (await api.post("/orders/Incoming", {"FromUserID": "alice"}, token=sam)).status_code == 404


async def test_a_buyer_orders_directly_only_from_suppliers_it_may_buy_from(world: World) -> None:
    api = world.api
    token = await world.token("alice")
    refused = await api.post("/orders/Outgoing", {"ID": "d1", "ToCompanyID": "s1"}, token=token)
    assert refused.status_code == 404
    await api.ok("PATCH", "/suppliers/s1", {"AllBuyersCanOrder": True})
    direct = await api.ok("POST", "/orders/Outgoing", {"ID": "d1", "ToCompanyID": "s1"}, token=token)
    assert direct["ToCompanyID"] == "s1"


async def carols_private_things(world: World) -> None:
    """carol (b1) saves a private address and card through /me; an account assigned to her alone."""
    api = world.api
    me = await world.token("carol", "Shopper MeAddressAdmin MeCreditCardAdmin")
    await api.ok(
        "POST", "/me/addresses", {"ID": "carol-home", **ADDRESS, "Street1": "9 Private Ln"}, token=me
    )
    await api.ok("POST", "/me/creditcards", {"ID": "carol-card", "Token": "tok"}, token=me)
    account = {"ID": "carol-sa", "Name": "Carol's", "Balance": 100, "AllowAsPaymentMethod": True}
    await api.ok("POST", "/buyers/b1/spendingaccounts", account)
    link = {"SpendingAccountID": "carol-sa", "UserID": "carol"}
    await api.ok("POST", "/buyers/b1/spendingaccounts/assignments", link, status=204)


async def test_a_colleagues_private_address_never_goes_on_my_order(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await carols_private_things(world)
    await world.new_order(body={"ID": "o1"})
    line = await world.add_line("o1", "p1")
    alice = await world.token("alice")
    base = "/orders/Outgoing/o1"
    for field in ("ShippingAddressID", "BillingAddressID"):
        refused = await api.patch(base, {field: "carol-home"}, token=alice)
        assert refused.status_code == 404, refused.text
    for path in (f"{base}/billto", f"{base}/shipto", f"{base}/lineitems/{line['ID']}/shipto"):
        # An ID that is not usable is not a saved address: the bare body is an incomplete one-time one.
        refused = await api.put(path, {"ID": "carol-home"}, token=alice)
        assert refused.status_code == 400, refused.text
    add = await api.post(
        f"{base}/lineitems",
        {"ProductID": "p1", "Quantity": 1, "ShippingAddressID": "carol-home"},
        token=alice,
    )
    assert add.status_code == 404
    cart = await api.put("/cart/shipto", {"ID": "carol-home"}, token=alice)
    assert cart.status_code == 400
    order = await api.ok("GET", base, token=alice)
    lines = await api.ok("GET", f"{base}/lineitems", token=alice)
    assert "9 Private Ln" not in str(order) + str(lines)
    # Her own order takes it; so does the seller's OrderAdmin acting for her.
    carol = await world.token("carol")
    await world.new_order("carol", {"ID": "oc"})
    mine = await api.ok("PATCH", "/orders/Outgoing/oc", {"BillingAddressID": "carol-home"}, token=carol)
    assert mine["BillingAddress"]["Street1"] == "9 Private Ln"
    seller = await world.seller("OrderAdmin")
    await api.ok("PATCH", "/orders/Incoming/oc", {"BillingAddressID": None}, token=seller)
    by_seller = await api.ok("PUT", "/orders/Incoming/oc/shipto", {"ID": "carol-home"}, token=seller)
    assert by_seller["ShippingAddressID"] == "carol-home"
    # Not the buyer's OrderAdmin, who may edit her order but not spend her private things.
    b1admin = await world.token("b1admin", "OrderAdmin")
    refused = await api.patch("/orders/Outgoing/oc", {"BillingAddressID": "carol-home"}, token=b1admin)
    assert refused.status_code == 404
    # ...though a line she sent to her address stays editable for the admin, address kept.
    line = await world.add_line("oc", "p1", username="carol", ShippingAddressID="carol-home")
    patched = await api.ok(
        "PATCH", f"/orders/Outgoing/oc/lineitems/{line['ID']}", {"Quantity": 2}, token=b1admin
    )
    assert patched["ShippingAddressID"] == "carol-home" and patched["Quantity"] == 2


async def test_private_card_and_spending_account_pay_only_for_their_user(world: World) -> None:
    api = world.api
    await carols_private_things(world)
    await world.new_order("carol", {"ID": "oc"})
    card = {"Type": "CreditCard", "CreditCardID": "carol-card", "Accepted": True}
    account = {"Type": "SpendingAccount", "SpendingAccountID": "carol-sa", "Amount": 5, "Accepted": True}
    b1admin = await world.token("b1admin", "Shopper OrderAdmin")
    base = "/orders/Outgoing/oc/payments"
    by_card = await api.post(base, card, token=b1admin)
    assert by_card.status_code == 404, by_card.text
    by_account = await api.post(base, account, token=b1admin)
    assert by_account.status_code == 400 and error_code(by_account) == "Payment.InvalidSpendingAccountID"
    assert (await api.ok("GET", base, token=b1admin))["Items"] == []
    seller = await world.seller("OrderAdmin")
    await api.ok("POST", "/orders/Incoming/oc/payments", {**card, "ID": "seller-card"}, token=seller)
    carol = await world.token("carol")
    await api.ok("POST", base, {**account, "ID": "own-account"}, token=carol)


async def other_users_order_writes(world: World) -> list[tuple[str, str, Any]]:
    await cat.product(world.api, "p1")
    await world.new_order("bob", {"ID": "ob"})
    line = await world.add_line("ob", "p1", username="bob")
    base = "/orders/{d}/ob"
    return [
        ("PATCH", base, {"Comments": "mine now"}),
        ("PUT", f"{base}/billto", ADDRESS),
        ("POST", f"{base}/lineitems", {"ProductID": "p1", "Quantity": 1}),
        ("PATCH", f"{base}/lineitems/{line['ID']}", {"Quantity": 5}),
        ("POST", f"{base}/payments", {"Type": "PurchaseOrder"}),
        ("POST", f"{base}/promotions/ANY", None),
        ("POST", f"{base}/applypromotions", None),
        ("POST", f"{base}/submit", None),
    ]


async def test_another_companys_order_is_out_of_reach_in_every_direction(world: World) -> None:
    api = world.api
    writes = await other_users_order_writes(world)
    for username, scope in (
        ("alice", "Shopper"),
        ("alice", "Shopper OrderAdmin"),
        ("sam", "OrderAdmin Shopper"),
    ):
        token = await world.token(username, scope)
        for direction in ("Outgoing", "Incoming", "All"):
            for method, path, body in writes:
                answer = await api.call(method, path.format(d=direction), body, token=token)
                assert answer.status_code == 404, (username, method, path, direction, answer.text)
    order = await api.ok("GET", "/orders/Outgoing/ob", token=await world.token("bob"))
    assert (order["Comments"], order["LineItemCount"], order["Status"]) == (None, 1, "Unsubmitted")
