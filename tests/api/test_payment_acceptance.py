"""Who accepts a payment (docs/payments.md): purchase orders and spending accounts are accepted
when created, so a Shopper's checkout submits; card payments wait for an OrderAdmin; only an
OrderAdmin sets Accepted to anything else."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.api.test_payment_instruments import account
from tests.helpers import error_code

PAYMENTS = "/orders/Outgoing/o1/payments"
ORDER_ADMIN = "Shopper OrderAdmin"


async def _order_with_line(world: World) -> None:
    await cat.product(world.api, "p1", price="10")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1")


@pytest.mark.parametrize(
    ("body", "accepted"),
    [
        ({"Type": "PurchaseOrder", "Amount": 10}, True),
        ({"Type": "SpendingAccount", "SpendingAccountID": "sa1"}, True),
        ({"Type": "CreditCard"}, False),
    ],
)
async def test_a_shoppers_payment_is_accepted_by_its_type(
    world: World, body: dict[str, Any], accepted: bool
) -> None:
    await account(world)
    await _order_with_line(world)
    shopper = await world.token("alice")
    payment = await world.api.ok("POST", PAYMENTS, body, token=shopper)
    assert payment["Accepted"] is accepted
    submit = await world.api.post("/orders/Outgoing/o1/submit", token=shopper)
    if accepted:
        assert submit.status_code == 201 and submit.json()["Status"] == "Open", submit.text
    else:
        assert error_code(submit) == "Order.CannotSubmitWithUnaccceptedPayments"


async def test_a_shopper_sends_the_default_but_cannot_choose_acceptance(world: World) -> None:
    await _order_with_line(world)
    shopper = await world.token("alice")
    # SDK code written for OrderCloud often sends Accepted: true with a purchase order.
    po = await world.api.ok("POST", PAYMENTS, {"Type": "PurchaseOrder", "Accepted": True}, token=shopper)
    assert po["Accepted"] is True
    for body in ({"Type": "CreditCard", "Accepted": True}, {"Type": "PurchaseOrder", "Accepted": False}):
        refused = await world.api.post(PAYMENTS, body, token=shopper)
        assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles", body
        assert refused.json()["Errors"][0]["Data"]["Property"] == "Accepted"
    assert (await world.api.ok("GET", PAYMENTS, token=shopper))["Meta"]["TotalCount"] == 1


async def test_an_order_admin_chooses_acceptance(world: World) -> None:
    await _order_with_line(world)
    buyer_admin = await world.token("alice", ORDER_ADMIN)
    card = await world.api.ok("POST", PAYMENTS, {"Type": "CreditCard", "Accepted": True}, token=buyer_admin)
    held = await world.api.ok(
        "POST", PAYMENTS, {"Type": "PurchaseOrder", "Accepted": False}, token=buyer_admin
    )
    assert card["Accepted"] is True and held["Accepted"] is False
    submit = await world.api.post("/orders/Outgoing/o1/submit", token=await world.token("alice"))
    assert error_code(submit) == "Order.CannotSubmitWithUnaccceptedPayments"
    assert submit.json()["Errors"][0]["Data"]["PaymentIDs"] == [held["ID"]]


async def test_the_seller_accepts_a_card_payment_then_the_shopper_submits(world: World) -> None:
    await _order_with_line(world)
    shopper = await world.token("alice")
    card = await world.api.ok("POST", PAYMENTS, {"Type": "CreditCard", "Amount": 10}, token=shopper)
    own = await world.api.patch(f"{PAYMENTS}/{card['ID']}", {"Accepted": True}, token=shopper)
    assert own.status_code == 403 and error_code(own) == "Auth.InsufficientRoles"
    # Unaccepted, the shopper still edits it.
    await world.api.ok("PATCH", f"{PAYMENTS}/{card['ID']}", {"Amount": 10, "xp": {"Ref": 1}}, token=shopper)
    seller = await world.seller()
    accepted = await world.api.ok(
        "PATCH", f"/orders/Incoming/o1/payments/{card['ID']}", {"Accepted": True}, token=seller
    )
    assert accepted["Accepted"] is True
    # Accepted, the card payment is out of the shopper's hands.
    frozen = await world.api.patch(f"{PAYMENTS}/{card['ID']}", {"Amount": 5}, token=shopper)
    assert frozen.status_code == 400 and error_code(frozen) == "Payment.CannotPatchAccepted"
    assert (await world.submit("o1"))["Status"] == "Open"


async def test_an_accepted_purchase_order_is_the_shoppers_until_submit(world: World) -> None:
    await _order_with_line(world)
    shopper = await world.token("alice")
    po = await world.api.ok("POST", PAYMENTS, {"Type": "PurchaseOrder"}, token=shopper)
    edited = await world.api.ok("PATCH", f"{PAYMENTS}/{po['ID']}", {"Description": "PO 7"}, token=shopper)
    assert edited["Description"] == "PO 7" and edited["Accepted"] is True
    await world.submit("o1")
    after = await world.api.patch(f"{PAYMENTS}/{po['ID']}", {"Description": "PO 8"}, token=shopper)
    assert after.status_code == 400 and error_code(after) == "Payment.CannotPatchAccepted"
    seller = await world.seller()
    fixed = await world.api.ok(
        "PATCH", f"/orders/Incoming/o1/payments/{po['ID']}", {"Description": "PO 8"}, token=seller
    )
    assert fixed["Description"] == "PO 8"


async def test_the_cart_checkout_submits_with_a_shoppers_purchase_order(world: World) -> None:
    await cat.product(world.api, "p1", price="10")
    shopper = await world.token("alice")
    await world.api.ok("POST", "/cart/lineitems", {"ProductID": "p1", "Quantity": 2}, token=shopper)
    payment = await world.api.ok(
        "POST", "/cart/payments", {"Type": "PurchaseOrder", "Amount": 20}, token=shopper
    )
    assert payment["Accepted"] is True
    submitted = await world.api.ok("POST", "/cart/submit", token=shopper)
    assert submitted["Status"] == "Open"
