"""Payments name instruments the order's user may use; spending accounts pay at submit and are
paid back when an Open order is canceled."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

CARDS = "/buyers/b1/creditcards"
ACCOUNTS = "/buyers/b1/spendingaccounts"
PAYMENTS = "/orders/Outgoing/o1/payments"


async def balance(world: World, account_id: str = "sa1") -> Decimal:
    return Decimal(str((await world.api.ok("GET", f"{ACCOUNTS}/{account_id}"))["Balance"]))


async def account(world: World, account_id: str = "sa1", user: str | None = "alice", **extra: Any) -> None:
    body = {"ID": account_id, "Name": account_id, "Balance": "50.00", "AllowAsPaymentMethod": True, **extra}
    await world.api.ok("POST", ACCOUNTS, body)
    if user:
        link = {"SpendingAccountID": account_id, "UserID": user}
        await world.api.ok("POST", f"{ACCOUNTS}/assignments", link, status=204)


async def order(world: World, quantity: int, order_id: str = "o1") -> None:
    await cat.product(world.api, "plain", price="12.35")
    await world.new_order(body={"ID": order_id})
    await world.add_line(order_id, "plain", quantity)


async def pay(world: World, body: dict[str, Any], order_id: str = "o1", user: str = "alice") -> Any:
    token = await world.token(user)
    return await world.api.post(f"/orders/Outgoing/{order_id}/payments", body, token=token)


async def test_credit_card_payment_needs_a_card_the_user_may_use(world: World) -> None:
    api = world.api
    for card_id in ("carols", "everyone"):
        await api.ok("POST", CARDS, {"ID": card_id, "Token": "t", "PartialAccountNumber": "4242"})
    await api.ok("POST", f"{CARDS}/assignments", {"CreditCardID": "carols", "UserID": "carol"}, status=204)
    await api.ok("POST", f"{CARDS}/assignments", {"CreditCardID": "everyone"}, status=204)
    await world.new_order(body={"ID": "o1"})

    someone_elses = await pay(world, {"Type": "CreditCard", "CreditCardID": "carols"})
    assert someone_elses.status_code == 404 and error_code(someone_elses) == "NotFound"
    unknown = await pay(world, {"Type": "CreditCard", "CreditCardID": "nope"})
    assert unknown.status_code == 404
    assert (await api.ok("GET", PAYMENTS, token=await world.token("alice")))["Items"] == []

    ok = await pay(world, {"Type": "CreditCard", "CreditCardID": "everyone"})
    assert ok.status_code == 201 and ok.json()["CreditCardID"] == "everyone"
    own_token = await world.token("alice", "Shopper MeCreditCardAdmin")
    await api.ok("POST", "/me/creditcards", {"ID": "alices", "Token": "t2"}, token=own_token)
    assert (await pay(world, {"Type": "CreditCard", "CreditCardID": "alices"})).status_code == 201
    # Carol cannot pay her order with Alice's own card.
    await world.new_order("carol", {"ID": "o2"})
    theirs = await pay(world, {"Type": "CreditCard", "CreditCardID": "alices"}, "o2", "carol")
    assert theirs.status_code == 404
    assert (
        await pay(world, {"Type": "CreditCard", "CreditCardID": "carols"}, "o2", "carol")
    ).status_code == 201


async def test_spending_account_pays_at_submit_and_is_paid_back_on_cancel(world: World) -> None:
    api = world.api
    await account(world)
    await order(world, 2)  # 24.70
    assert (await pay(world, {"Type": "SpendingAccount", "SpendingAccountID": "sa1"})).status_code == 201
    assert await balance(world) == Decimal("50.00")
    await world.submit("o1")
    assert await balance(world) == Decimal("25.30")
    await api.ok("POST", "/orders/Incoming/o1/cancel", token=await world.seller())
    assert await balance(world) == Decimal("50.00")


async def test_spending_account_shortfall_refuses_submit_and_changes_nothing(world: World) -> None:
    api = world.api
    await account(world)
    await order(world, 5)  # 61.75 > 50.00
    stated = await pay(world, {"Type": "SpendingAccount", "SpendingAccountID": "sa1", "Amount": "61.75"})
    assert stated.status_code == 400 and error_code(stated) == "Payment.ExceedsBalance"
    assert (
        await pay(world, {"ID": "p", "Type": "SpendingAccount", "SpendingAccountID": "sa1"})
    ).status_code == 201
    token = await world.token("alice")
    validated = await api.post("/orders/Outgoing/o1/validate", token=token)
    assert validated.status_code == 400 and error_code(validated) == "Payment.ExceedsBalance"
    refused = await api.post("/orders/Outgoing/o1/submit", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Payment.ExceedsBalance"
    assert (await api.ok("GET", "/orders/Outgoing/o1", token=token))["Status"] == "Unsubmitted"
    assert await balance(world) == Decimal("50.00")

    # A stated amount is what the account pays; a PurchaseOrder covers the rest (null Amount).
    await api.ok("DELETE", f"{PAYMENTS}/p", token=token)
    await pay(world, {"Type": "SpendingAccount", "SpendingAccountID": "sa1", "Amount": "40"})
    await pay(world, {"Type": "PurchaseOrder"})
    await world.submit("o1")
    assert await balance(world) == Decimal("10.00")


async def test_allow_exceed_lets_the_balance_go_negative(world: World) -> None:
    api = world.api
    await account(world, user=None)
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "alice"}, status=204
    )
    link = {"SpendingAccountID": "sa1", "UserGroupID": "g1", "AllowExceed": True}
    await api.ok("POST", f"{ACCOUNTS}/assignments", link, status=204)
    await order(world, 5)
    await pay(world, {"Type": "SpendingAccount", "SpendingAccountID": "sa1"})
    await world.submit("o1")
    assert await balance(world) == Decimal("-11.75")


async def test_spending_account_refusals(world: World) -> None:
    await account(world, "unassigned", user=None)
    await account(world, "no-pay", AllowAsPaymentMethod=False)
    await account(world, "ended", EndDate="2020-01-01T00:00:00Z")
    await account(world, "later", StartDate="2999-01-01T00:00:00Z")
    await world.new_order(body={"ID": "o1"})
    for account_id, code in (
        ("unassigned", "Payment.InvalidSpendingAccountID"),
        ("no-pay", "Payment.InvalidSpendingAccountID"),
        ("missing", "Payment.InvalidSpendingAccountID"),
        ("ended", "Payment.CannotUseExpiredSpendingAccount"),
        ("later", "Payment.CannotUseExpiredSpendingAccount"),
    ):
        refused = await pay(world, {"Type": "SpendingAccount", "SpendingAccountID": account_id})
        assert refused.status_code == 400 and error_code(refused) == code, account_id


async def test_order_awaiting_approval_pays_when_approved(world: World) -> None:
    api = world.api
    await account(world, Balance="500")
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "managers", "Name": "Managers"})
    member = {"UserGroupID": "managers", "UserID": "carol"}
    await api.ok("POST", "/buyers/b1/usergroups/assignments", member, status=204)
    rule = {"ID": "big", "Name": "big", "ApprovingGroupID": "managers", "RuleExpression": "order.Total > 100"}
    await api.ok("POST", "/buyers/b1/approvalrules", rule)
    await order(world, 10)  # 123.50
    await pay(world, {"Type": "SpendingAccount", "SpendingAccountID": "sa1"})
    assert (await world.submit("o1"))["Status"] == "AwaitingApproval"
    assert await balance(world) == Decimal("500")
    opened = await api.ok("POST", "/orders/Outgoing/o1/approve", token=await world.token("carol"))
    assert opened["Status"] == "Open"
    assert await balance(world) == Decimal("376.50")
