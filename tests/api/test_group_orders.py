"""Group orders (docs/group-orders.md): a buyer user invites others of its company to fill its
unsubmitted order; they take a group token with the invitation and add and change their own
lines; only the owner submits; the token dies with the submit, the invitation's deletion or
expiry and the order's deletion, and never reaches anything else."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.group_orders import MAX_INVITATIONS_PER_ORDER
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import ADMIN_CLIENT, error_code

TOMORROW = (datetime.now(UTC) + timedelta(days=1)).isoformat()


async def _order_with_invitation(world: World, **body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """alice's order with one line of p1, and an invitation to it."""
    await cat.product(world.api, "p1", price="4.00")
    await cat.product(world.api, "p2", price="2.50")
    order = await world.new_order("alice", {"ID": "lunch"})
    await world.add_line("lunch", "p1", 1)
    invitation = await world.api.ok(
        "POST",
        "/me/orderinvitations",
        {"OrderID": "lunch", "ExpirationDate": TOMORROW, **body},
        token=await world.token("alice"),
    )
    return order, invitation


async def _group_token(world: World, invitation_id: str, token: str) -> str:
    answer = await world.api.ok("POST", f"/grouporders/{invitation_id}/token", token=token, status=200)
    assert answer["token_type"] == "bearer" and answer["expires_in"] > 0
    return str(answer["access_token"])


async def _anonymous(world: World) -> str:
    """An anonymous shopper of buyer b1 (carol is its template user), as the anonymous grant mints."""
    claims = {
        "usr": "anon-guest",
        "cid": ADMIN_CLIENT,
        "u": "guest",
        "usrtype": "buyer",
        "cmp": "b1",
        "role": ["Shopper"],
        "anon": True,
        "tmpl": "carol",
        "orderid": "guest-cart",
    }
    return await world.api.services.tokens.issue(claims, 3600)


def _line(product: str, quantity: int = 1) -> dict[str, Any]:
    return {"ProductID": product, "Quantity": quantity}


async def test_invitees_fill_the_order_and_the_owner_submits_it(world: World) -> None:
    _, invitation = await _order_with_invitation(world, Name="Friday lunch", ID="chosen")
    inv = invitation["ID"]
    assert inv != "chosen" and len(inv) >= 20, "the ID is the server's, never a guessable name"
    assert invitation["OrderID"] == "lunch" and invitation["OrderStatus"] == "Unsubmitted"
    assert invitation["Name"] == "Friday lunch" and invitation["ExpirationDate"].endswith("+00:00")
    # carol (same buyer, her own token) and an anonymous shopper of b1 take group tokens.
    carol = await _group_token(world, inv, await world.token("carol"))
    guest = await _group_token(world, inv, await _anonymous(world))
    lines = "/orders/Outgoing/lunch/lineitems"
    mine = await world.api.ok("POST", lines, _line("p2", 2), token=carol)
    assert mine["InvitationID"] == inv and mine["LineSubtotal"] == 5
    theirs = await world.api.ok("POST", lines, _line("p1", 3), token=guest)
    assert theirs["InvitationID"] == inv
    # The owner sees every line (hers without an invitation) and the order's total of all of them.
    owner = await world.token("alice")
    every = await world.api.ok("GET", lines, token=owner)
    assert sorted((li["ProductID"], li["Quantity"], li["InvitationID"]) for li in every["Items"]) == [
        ("p1", 1, None),
        ("p1", 3, inv),
        ("p2", 2, inv),
    ]
    filtered = await world.api.ok("GET", f"{lines}?InvitationID={inv}", token=owner)
    assert filtered["Meta"]["TotalCount"] == 2
    order = await world.api.ok("GET", "/orders/Outgoing/lunch", token=carol)
    assert order["Subtotal"] == 4 + 5 + 12 and order["LineItemCount"] == 3
    # A contributor lists only its invitation's lines and changes them.
    seen = await world.api.ok("GET", lines, token=carol)
    assert {li["InvitationID"] for li in seen["Items"]} == {inv} and seen["Meta"]["TotalCount"] == 2
    patched = await world.api.ok("PATCH", f"{lines}/{mine['ID']}", {"Quantity": 4}, token=carol)
    assert patched["Quantity"] == 4 and patched["InvitationID"] == inv
    # The owner's line is not the contributor's to read or change.
    alices = next(li for li in every["Items"] if li["InvitationID"] is None)
    assert (await world.api.get(f"{lines}/{alices['ID']}", token=carol)).status_code == 404
    refused = await world.api.patch(f"{lines}/{alices['ID']}", {"Quantity": 9}, token=carol)
    assert refused.status_code == 403 and error_code(refused) == "GroupOrder.CannotModify"
    refused = await world.api.delete(f"{lines}/{alices['ID']}", token=carol)
    assert refused.status_code == 403 and error_code(refused) == "GroupOrder.CannotModify"
    # Only the owner submits: not with the group token, not with carol's own token.
    refused = await world.api.post("/orders/Outgoing/lunch/submit", token=carol)
    assert refused.status_code == 403 and error_code(refused) == "GroupOrder.CannotModify"
    assert (
        await world.api.post("/orders/Outgoing/lunch/submit", token=await world.token("carol"))
    ).status_code == 404
    submitted = await world.submit("lunch")
    assert submitted["Status"] == "Open" and submitted["Subtotal"] == 4 + 10 + 12
    # Submitted: the group tokens are dead, no new one is granted, the invitation says so.
    dead = await world.api.get("/orders/Outgoing/lunch", token=carol)
    assert dead.status_code == 401 and error_code(dead) == "GroupOrder.CannotModifySubmittedOrder"
    dead = await world.api.post(lines, _line("p2"), token=guest)
    assert dead.status_code == 401
    again = await world.api.post(f"/grouporders/{inv}/token", token=await world.token("carol"))
    assert again.status_code == 400 and error_code(again) == "GroupOrder.CannotModifySubmittedOrder"
    shown = await world.api.ok("GET", f"/me/orderinvitations/{inv}", token=owner)
    assert shown["OrderStatus"] == "Open"


async def test_a_group_token_reaches_its_order_and_the_catalog_only(world: World) -> None:
    _, invitation = await _order_with_invitation(world)
    await world.new_order("carol", {"ID": "carols-own"})
    token = await _group_token(world, invitation["ID"], await world.token("carol"))
    assert (await world.api.get("/me/products", token=token)).status_code == 200
    assert (await world.api.get("/me", token=token)).status_code == 200
    # carol's own order is out of the group token's reach (her own token still reaches it).
    assert (await world.api.get("/orders/Outgoing/carols-own", token=token)).status_code == 404
    assert (
        await world.api.get("/orders/Outgoing/carols-own", token=await world.token("carol"))
    ).status_code == 200
    for verb, path, body in (
        ("GET", "/me/orders", None),
        ("GET", "/me/orderinvitations", None),
        ("PATCH", "/orders/Outgoing/lunch", {"Comments": "mine now"}),
        ("DELETE", "/orders/Outgoing/lunch", None),
        ("POST", "/orders/Outgoing", {}),
        ("POST", "/me/orderinvitations", {"OrderID": "lunch", "ExpirationDate": TOMORROW}),
        ("POST", f"/grouporders/{invitation['ID']}/token", None),
        ("PUT", "/orders/Outgoing/lunch/lineitems/x/shipto", {"Street1": "x"}),
    ):
        response = await world.api.call(verb, path, body, token=token)
        assert response.status_code == 403, f"{verb} {path}: {response.status_code}"
    assert (await world.api.ok("GET", "/orders/Outgoing/lunch", token=await world.token("alice")))[
        "Comments"
    ] is None


async def test_the_cart_of_a_group_token_is_its_group_order(world: World) -> None:
    _, invitation = await _order_with_invitation(world)
    await world.new_order("carol", {"ID": "carols-own"})
    token = await _group_token(world, invitation["ID"], await world.token("carol"))
    assert (await world.api.ok("GET", "/cart", token=token))["ID"] == "lunch"
    line = await world.api.ok("POST", "/cart/lineitems", _line("p2"), token=token)
    assert line["InvitationID"] == invitation["ID"]
    listed = await world.api.ok("GET", "/cart/lineitems", token=token)
    assert [li["ID"] for li in listed["Items"]] == [line["ID"]]
    patched = await world.api.ok("PATCH", f"/cart/lineitems/{line['ID']}", {"Quantity": 3}, token=token)
    assert patched["Quantity"] == 3
    owners = await world.api.ok("GET", "/orders/Outgoing/lunch/lineitems", token=await world.token("alice"))
    alices = next(li["ID"] for li in owners["Items"] if li["InvitationID"] is None)
    assert (await world.api.get(f"/cart/lineitems/{alices}", token=token)).status_code == 404
    assert (await world.api.delete(f"/cart/lineitems/{alices}", token=token)).status_code == 403
    for verb, path in (("POST", "/cart/submit"), ("DELETE", "/cart"), ("PATCH", "/cart")):
        assert (await world.api.call(verb, path, {}, token=token)).status_code == 403, path
    await world.api.ok("DELETE", f"/cart/lineitems/{line['ID']}", token=token)
    # carol's own cart was never touched.
    own = await world.api.ok("GET", "/orders/Outgoing/carols-own/lineitems", token=await world.token("carol"))
    assert own["Meta"]["TotalCount"] == 0


async def test_expiry_ends_tokens_and_refuses_new_ones(world: World) -> None:
    await _order_with_invitation(world)
    owner = await world.token("alice")
    past = await world.api.post(
        "/me/orderinvitations", {"OrderID": "lunch", "ExpirationDate": "2020-01-01T00:00:00Z"}, token=owner
    )
    assert past.status_code == 400 and error_code(past) == "GroupOrderInvitation.InvalidExpiration"
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    invitation = await world.api.ok(
        "POST", "/me/orderinvitations", {"OrderID": "lunch", "ExpirationDate": soon}, token=owner
    )
    token = await _group_token(world, invitation["ID"], await world.token("carol"))
    assert (await world.api.get("/orders/Outgoing/lunch", token=token)).status_code == 200
    await asyncio.sleep(2.2)
    # The token was issued to live no longer than the invitation.
    assert (await world.api.get("/orders/Outgoing/lunch", token=token)).status_code == 401
    refused = await world.api.post(f"/grouporders/{invitation['ID']}/token", token=await world.token("carol"))
    assert refused.status_code == 400 and error_code(refused) == "GroupOrderInvitation.InvitationExpired"
    # The owner moves the deadline: the invitation grants tokens again.
    path = f"/me/orderinvitations/{invitation['ID']}"
    await world.api.ok("PATCH", path, {"ExpirationDate": TOMORROW}, token=owner)
    token = await _group_token(world, invitation["ID"], await world.token("carol"))
    # Brought forward, the deadline ends the tokens already granted for a later one.
    soon = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
    await world.api.ok("PATCH", path, {"ExpirationDate": soon}, token=owner)
    await asyncio.sleep(1.2)
    dead = await world.api.get("/orders/Outgoing/lunch", token=token)
    assert dead.status_code == 401 and error_code(dead) == "GroupOrderInvitation.InvitationExpired"


async def test_an_order_has_a_bounded_number_of_invitations(world: World) -> None:
    await _order_with_invitation(world)
    owner = await world.token("alice")
    body = {"OrderID": "lunch", "ExpirationDate": TOMORROW}
    for _ in range(MAX_INVITATIONS_PER_ORDER - 1):
        await world.api.ok("POST", "/me/orderinvitations", body, token=owner)
    refused = await world.api.post("/me/orderinvitations", body, token=owner)
    assert refused.status_code == 400
    assert error_code(refused) == "GroupOrderInvitation.InvitationQuantityExceeded"
    page = await world.api.ok("GET", "/me/orderinvitations?pageSize=100", token=owner)
    assert page["Meta"]["TotalCount"] == MAX_INVITATIONS_PER_ORDER


async def test_other_companies_and_other_users_are_refused(world: World) -> None:
    _, invitation = await _order_with_invitation(world)
    inv = invitation["ID"]
    bob = await world.token("bob")  # buyer b2
    refused = await world.api.post(f"/grouporders/{inv}/token", token=bob)
    missing = await world.api.post("/grouporders/nope/token", token=bob)
    assert (
        (refused.status_code, error_code(refused))
        == (missing.status_code, error_code(missing))
        == (404, "NotFound")
    )
    assert (await world.api.get(f"/me/orderinvitations/{inv}", token=bob)).status_code == 404
    seller = await world.api.post(
        f"/grouporders/{inv}/token", token=await world.token("seller", "FullAccess")
    )
    assert seller.status_code == 403
    # Only the order's creator invites to it, and sees and changes its invitations.
    carol = await world.token("carol")
    body = {"OrderID": "lunch", "ExpirationDate": TOMORROW}
    assert (await world.api.post("/me/orderinvitations", body, token=carol)).status_code == 404
    assert (await world.api.post("/me/orderinvitations", body, token=bob)).status_code == 404
    assert (await world.api.ok("GET", "/me/orderinvitations", token=carol))["Meta"]["TotalCount"] == 0
    assert (
        await world.api.patch(f"/me/orderinvitations/{inv}", {"Name": "x"}, token=carol)
    ).status_code == 404
    assert (await world.api.delete(f"/me/orderinvitations/{inv}", token=carol)).status_code == 404
    # A b2 user holding a group token of b1 cannot exist; a b1 group token never reaches b2's orders.
    await world.new_order("bob", {"ID": "bobs"})
    token = await _group_token(world, inv, carol)
    assert (await world.api.get("/orders/Outgoing/bobs", token=token)).status_code == 404


async def test_deleting_the_invitation_or_the_order_ends_the_tokens(world: World) -> None:
    _, invitation = await _order_with_invitation(world)
    inv = invitation["ID"]
    owner = await world.token("alice")
    token = await _group_token(world, inv, await world.token("carol"))
    line = await world.api.ok("POST", "/orders/Outgoing/lunch/lineitems", _line("p2"), token=token)
    refused = await world.api.delete(f"/me/orderinvitations/{inv}", token=owner)
    assert refused.status_code == 400 and error_code(refused) == "GroupOrder.CannotDeleteWithLineItems"
    await world.api.ok("DELETE", f"/orders/Outgoing/lunch/lineitems/{line['ID']}", token=token)
    await world.api.ok("DELETE", f"/me/orderinvitations/{inv}", token=owner)
    dead = await world.api.get("/orders/Outgoing/lunch", token=token)
    assert dead.status_code == 401 and error_code(dead) == "Auth.TokenRevoked"
    # A second invitation dies with the order.
    second = await world.api.ok(
        "POST", "/me/orderinvitations", {"OrderID": "lunch", "ExpirationDate": TOMORROW}, token=owner
    )
    token = await _group_token(world, second["ID"], await world.token("carol"))
    await world.api.ok("DELETE", "/orders/Outgoing/lunch", token=owner)
    assert (await world.api.get(f"/me/orderinvitations/{second['ID']}", token=owner)).status_code == 404
    assert (await world.api.get("/me/products", token=token)).status_code == 401


async def test_a_renamed_order_keeps_its_invitations_and_ends_their_tokens(world: World) -> None:
    _, invitation = await _order_with_invitation(world)
    owner = await world.token("alice")
    old = await _group_token(world, invitation["ID"], await world.token("carol"))
    await world.api.ok("PATCH", "/orders/Outgoing/lunch", {"ID": "brunch"}, token=owner)
    moved = await world.api.ok("GET", f"/me/orderinvitations/{invitation['ID']}", token=owner)
    assert moved["OrderID"] == "brunch" and moved["OrderStatus"] == "Unsubmitted"
    dead = await world.api.get("/orders/Outgoing/brunch", token=old)
    assert dead.status_code == 401 and error_code(dead) == "Auth.TokenRevoked"
    new = await _group_token(world, invitation["ID"], await world.token("carol"))
    line = await world.api.ok("POST", "/orders/Outgoing/brunch/lineitems", _line("p2"), token=new)
    assert line["InvitationID"] == invitation["ID"]


async def test_invitation_input_is_checked(world: World) -> None:
    _, invitation = await _order_with_invitation(world)
    owner = await world.token("alice")
    for body in (
        {"ExpirationDate": TOMORROW},
        {"OrderID": "lunch"},
        {"OrderID": "lunch", "ExpirationDate": "tomorrow"},
        {"OrderID": "lunch", "ExpirationDate": TOMORROW, "Name": "x" * 101},
    ):
        assert (await world.api.post("/me/orderinvitations", body, token=owner)).status_code == 400, body
    moved = await world.api.patch(
        f"/me/orderinvitations/{invitation['ID']}", {"OrderID": "other"}, token=owner
    )
    assert moved.status_code == 400 and error_code(moved) == "GroupOrder.CannotModify"
    renamed = await world.api.ok(
        "PATCH", f"/me/orderinvitations/{invitation['ID']}", {"Name": "Lunch", "xp": {"Room": 4}}, token=owner
    )
    assert renamed["Name"] == "Lunch" and renamed["xp"] == {"Room": 4} and renamed["OrderID"] == "lunch"
    await world.submit("lunch")
    closed = await world.api.post(
        "/me/orderinvitations", {"OrderID": "lunch", "ExpirationDate": TOMORROW}, token=owner
    )
    assert closed.status_code == 400 and error_code(closed) == "GroupOrder.CannotModifySubmittedOrder"
