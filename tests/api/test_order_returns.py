"""Order returns: partial returns and refunds, status changes, refund payments, visibility."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api.order_fixtures import World
from tests.api.return_fixtures import RETURNS, catalog, new_return, open_order, ship
from tests.helpers import error_code


def money(value: Any) -> Decimal:
    """JSON numbers arrive as floats in tests; compare amounts as the decimals they print as."""
    return Decimal(str(value)).quantize(Decimal("0.01"))


async def _refunds(world: World, order_id: str) -> list[dict[str, Any]]:
    params = {"OrderReturnID": "*"}
    page = await world.api.ok(
        "GET", f"/orders/Incoming/{order_id}/payments", params=params, token=await world.seller()
    )
    assert all(p["OrderReturnID"] for p in page["Items"])
    return list(page["Items"])


async def test_partial_returns_refund_to_the_cent_and_stop_at_what_shipped(world: World) -> None:
    api = world.api
    await catalog(world)
    lines = await open_order(world, "o1", {"pb": 6, "plain": 2})
    order = await api.ok("GET", "/orders/Outgoing/o1", token=await world.token("alice"))
    assert money(order["Total"]) == Decimal("75.64")  # 6 x 8.49 (price break) + 2 x 12.35
    await ship(world, "o1", lines["pb"], 4)
    await ship(world, "o1", lines["plain"], 2)
    alice = await world.token("alice")
    seller = await world.seller()

    first = await new_return(
        world,
        "o1",
        [(lines["pb"], 2), (lines["plain"], 1)],
        ID="r1",
        Comments="Too many",
        RefundAmount=1000,  # a Shopper cannot set the refund: ignored
    )
    assert first["Status"] == "Unsubmitted" and first["DateCreated"] and first["PaymentIDs"] == []
    assert [money(i["RefundAmount"]) for i in first["ItemsToReturn"]] == [Decimal("16.98"), Decimal("12.35")]
    assert money(first["RefundAmount"]) == Decimal("29.33")
    submitted = await api.ok("POST", f"{RETURNS}/r1/submit", token=alice)
    assert submitted["Status"] == "Open" and submitted["DateSubmitted"]
    completed = await api.ok("POST", f"{RETURNS}/r1/complete", token=seller)
    assert completed["Status"] == "Completed" and completed["DateCompleted"]
    [refund] = await _refunds(world, "o1")
    assert completed["PaymentIDs"] == [refund["ID"]]
    assert money(refund["Amount"]) == Decimal("-29.33")
    assert refund["OrderReturnID"] == "r1" and refund["Accepted"] is True
    after = await api.ok("GET", "/orders/Outgoing/o1", token=alice)
    assert after["Total"] == order["Total"] and after["Status"] == "Open"  # the order is not re-priced

    second = await new_return(world, "o1", [(lines["pb"], 2), (lines["plain"], 1)], ID="r2")
    assert money(second["RefundAmount"]) == Decimal("29.33")
    for quantity in (1, 3):
        refused = await api.post(
            RETURNS,
            {"OrderID": "o1", "ItemsToReturn": [{"LineItemID": lines["pb"], "Quantity": quantity}]},
            token=alice,
        )
        assert refused.status_code == 400 and error_code(refused) == "OrderReturn.ItemQuantityExceeded"
    await ship(world, "o1", lines["pb"], 6)
    third = await new_return(world, "o1", [(lines["pb"], 2)], ID="r3")
    assert money(third["RefundAmount"]) == Decimal("16.98")
    total = sum(money(r["RefundAmount"]) for r in (first, second, third))
    assert total == money(order["Total"])  # every unit back: exactly what was paid

    page = await api.ok("GET", RETURNS, params={"OrderID": "o1", "sortBy": "ID"}, token=alice)
    assert [r["ID"] for r in page["Items"]] == ["r1", "r2", "r3"]
    search = await api.ok("GET", RETURNS, params={"search": "r2"}, token=alice)
    assert [r["ID"] for r in search["Items"]] == ["r2"]


async def test_returns_need_an_open_or_completed_order_and_returnable_products(world: World) -> None:
    api = world.api
    await catalog(world)
    alice = await world.token("alice")
    await world.new_order(body={"ID": "cart"})
    await world.add_line("cart", "plain")
    refused = await api.post(RETURNS, {"OrderID": "cart"}, token=alice)
    assert refused.status_code == 400 and error_code(refused) == "OrderReturn.CannotCreateBadOrderStatus"
    missing = await api.post(RETURNS, {"ItemsToReturn": []}, token=alice)
    assert missing.status_code == 400

    lines = await open_order(world, "o1", {"final": 1, "plain": 1})
    await ship(world, "o1", lines["final"], 1)
    body = {"OrderID": "o1", "ItemsToReturn": [{"LineItemID": lines["final"], "Quantity": 1}]}
    refused = await api.post(RETURNS, body, token=alice)
    assert refused.status_code == 400 and error_code(refused) == "OrderReturn.ProductNotEligibleToReturn"
    # An OrderAdmin may take back what the product says is not returnable.
    allowed = await api.ok("POST", RETURNS, body, token=await world.seller())
    assert money(allowed["RefundAmount"]) == Decimal("5.00")

    unknown = await api.post(
        RETURNS, {"OrderID": "o1", "ItemsToReturn": [{"LineItemID": "nope", "Quantity": 1}]}, token=alice
    )
    assert unknown.status_code == 404
    twice = {"LineItemID": lines["plain"], "Quantity": 0}
    duplicate = await api.post(RETURNS, {"OrderID": "o1", "ItemsToReturn": [twice, twice]}, token=alice)
    assert error_code(duplicate) == "OrderReturn.CannotCreateDuplicateItemToReturn"
    negative = await api.post(
        RETURNS,
        {"OrderID": "o1", "ItemsToReturn": [{"LineItemID": lines["plain"], "Quantity": -1}]},
        token=alice,
    )
    assert negative.status_code == 400
    # A refund without goods coming back: no items, an amount only an OrderAdmin may set.
    goodwill = await api.ok(
        "POST", RETURNS, {"OrderID": "o1", "RefundAmount": "3.5"}, token=await world.seller()
    )
    assert money(goodwill["RefundAmount"]) == Decimal("3.50") and goodwill["ItemsToReturn"] == []
    below_zero = await api.post(RETURNS, {"OrderID": "o1", "RefundAmount": -1}, token=await world.seller())
    assert error_code(below_zero) == "OrderReturn.RefundAmountMustNotBeNegative"


async def test_every_status_change_and_refusal(world: World) -> None:
    api = world.api
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 4})
    await ship(world, "o1", lines["plain"], 4)
    alice = await world.token("alice")
    seller = await world.seller()
    item = [(lines["plain"], 1)]

    async def refused(path: str, token: str, code: str, status: int = 400) -> None:
        response = await api.post(f"{RETURNS}/{path}", token=token)
        assert response.status_code == status and error_code(response) == code, response.text

    await new_return(world, "o1", item, ID="draft")
    await refused("draft/cancel", alice, "OrderReturn.CannotCancelUnsubmitted")
    await refused("draft/complete", seller, "OrderReturn.CannotCompleteBadStatus")
    await refused("draft/approve", seller, "OrderReturn.NotEligibleToApproveOrDecline")
    await api.ok("DELETE", f"{RETURNS}/draft", token=alice)
    assert (await api.get(f"{RETURNS}/draft", token=alice)).status_code == 404

    await new_return(world, "o1", item, ID="r1")
    await api.ok("POST", f"{RETURNS}/r1/submit", token=alice)
    await refused("r1/submit", alice, "OrderReturn.CannotSubmitBadStatus")
    await refused("r1/decline", seller, "OrderReturn.NotEligibleToApproveOrDecline")
    assert (await api.post(f"{RETURNS}/r1/complete", token=alice)).status_code == 403
    edit = await api.patch(
        f"{RETURNS}/r1", {"ItemsToReturn": [{"LineItemID": lines["plain"], "Quantity": 2}]}, token=alice
    )
    assert edit.status_code == 400 and error_code(edit) == "OrderReturn.CannotModifyBadStatus"
    noted = await api.ok("PATCH", f"{RETURNS}/r1", {"Comments": "Box damaged", "xp": {"Rma": 7}}, token=alice)
    assert noted["Comments"] == "Box damaged" and noted["xp"] == {"Rma": 7}
    deleting = await api.delete(f"{RETURNS}/r1", token=alice)
    assert deleting.status_code == 403 and error_code(deleting) == "OrderReturn.NotAuthorizedToDelete"
    canceled = await api.ok("POST", f"{RETURNS}/r1/cancel", token=alice)
    assert canceled["Status"] == "Canceled" and canceled["DateCanceled"]
    await refused("r1/cancel", alice, "OrderReturn.CannotCancelBadStatus")
    await refused("r1/complete", seller, "OrderReturn.CannotCompleteBadStatus")

    # The canceled return claims nothing: all four units may come back.
    await new_return(world, "o1", [(lines["plain"], 4)], ID="r2")
    await api.ok("POST", f"{RETURNS}/r2/submit", token=alice)
    settled = await api.ok("PATCH", f"{RETURNS}/r2", {"RefundAmount": "40"}, token=seller)
    assert money(settled["RefundAmount"]) == Decimal("40.00")  # the seller's override (4 x 12.35 = 49.40)
    await api.ok("POST", f"{RETURNS}/r2/complete", token=seller)
    await refused("r2/cancel", alice, "OrderReturn.NotAuthorizedToDelete", 400)
    closed = await api.patch(f"{RETURNS}/r2", {"RefundAmount": "45"}, token=seller)
    assert error_code(closed) == "OrderReturn.CannotModifyBadStatus"
    undone = await api.ok("POST", f"{RETURNS}/r2/cancel", token=seller)
    assert undone["Status"] == "Canceled" and undone["DateCompleted"]
    # The refund paid stays on the order as the record of money that went back.
    assert [money(p["Amount"]) for p in await _refunds(world, "o1")] == [Decimal("-40.00")]


async def test_refund_payments_complete_the_return(world: World) -> None:
    api = world.api
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 3})
    await ship(world, "o1", lines["plain"], 3)
    alice = await world.token("alice")
    seller = await world.seller()
    await api.ok("POST", "/buyers/b1/creditcards", {"ID": "card1", "Token": "tok"})
    await api.ok("POST", "/buyers/b1/creditcards/assignments", {"CreditCardID": "card1"}, status=204)
    await world.api.ok(
        "POST",
        "/orders/Outgoing/o1/payments",
        {"ID": "cc", "Type": "CreditCard", "CreditCardID": "card1"},
        token=alice,
    )
    ret = await new_return(world, "o1", [(lines["plain"], 2)], ID="r1")
    assert money(ret["RefundAmount"]) == Decimal("24.70")
    base = "/orders/All/o1/payments"

    async def pay(amount: object, token: str = seller, return_id: str = "r1") -> Any:
        return await api.post(
            base,
            {"Type": "CreditCard", "CreditCardID": "card1", "Amount": amount, "OrderReturnID": return_id},
            token=token,
        )

    early = await pay(-5)
    assert early.status_code == 400 and error_code(early) == "OrderReturn.CannotCreatePaymentBadStatus"
    await api.ok("POST", f"{RETURNS}/r1/submit", token=alice)
    assert (await pay(-5, alice)).status_code == 403
    positive = await pay(5)
    assert error_code(positive) == "OrderReturn.PaymentValueMustBeNegative"
    assert (await pay(-5, return_id="nope")).status_code == 404
    first = (await pay("-10.00")).json()
    assert money(first["Amount"]) == Decimal("-10.00")
    too_much = await pay("-14.71")
    assert error_code(too_much) == "OrderReturn.TotalRefundsExceedRefundAmount"
    fixed = await api.patch(f"{base}/{first['ID']}", {"Amount": -3}, token=seller)
    assert error_code(fixed) == "Payment.CannotPatchProperty"
    ret = await api.ok("GET", f"{RETURNS}/r1", token=alice)
    assert ret["Status"] == "Open" and ret["PaymentIDs"] == [first["ID"]]
    lowered = await api.patch(f"{RETURNS}/r1", {"RefundAmount": 9}, token=seller)
    assert error_code(lowered) == "OrderReturn.TotalRefundsExceedRefundAmount"

    rest = (await pay("-14.70")).json()
    ret = await api.ok("GET", f"{RETURNS}/r1", token=alice)
    assert ret["Status"] == "Completed" and ret["PaymentIDs"] == [first["ID"], rest["ID"]]
    gone = await api.delete(f"{base}/{rest['ID']}", token=seller)
    assert error_code(gone) == "OrderReturn.CannotCreatePaymentBadStatus"

    # Complete records only what is still owed, the way the order was paid.
    await new_return(world, "o1", [], ID="r2", token=seller, RefundAmount=5)
    await api.ok("POST", f"{RETURNS}/r2/submit", token=seller)
    part = (await pay(-2, return_id="r2")).json()
    done = await api.ok("POST", f"{RETURNS}/r2/complete", token=seller)
    rest2 = [p for p in await _refunds(world, "o1") if p["OrderReturnID"] == "r2" and p["ID"] != part["ID"]]
    assert [(money(p["Amount"]), p["Type"], p["CreditCardID"]) for p in rest2] == [
        (Decimal("-3.00"), "CreditCard", "card1")
    ]
    assert done["PaymentIDs"] == [part["ID"], rest2[0]["ID"]]


async def test_visibility_follows_the_order(world: World) -> None:
    api = world.api
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 1})
    await ship(world, "o1", lines["plain"], 1)
    await new_return(world, "o1", [(lines["plain"], 1)], ID="r1")
    for username, scope in (
        ("bob", "Shopper"),
        ("carol", "Shopper"),
        ("sam", "OrderAdmin"),
        ("bob", "OrderAdmin"),
    ):
        token = await world.token(username, scope)
        assert (await api.get(f"{RETURNS}/r1", token=token)).status_code == 404
        assert (await api.ok("GET", RETURNS, token=token))["Items"] == []
        assert (await api.patch(f"{RETURNS}/r1", {"Comments": "x"}, token=token)).status_code == 404
        made = await api.post(RETURNS, {"OrderID": "o1"}, token=token)
        assert made.status_code == 404
    for username, scope in (("b1admin", "OrderReader"), ("seller", "OrderReader"), ("alice", "Shopper")):
        token = await world.token(username, scope)
        assert [r["ID"] for r in (await api.ok("GET", RETURNS, token=token))["Items"]] == ["r1"]
    reader = await api.patch(
        f"{RETURNS}/r1", {"Comments": "x"}, token=await world.token("b1admin", "OrderReader")
    )
    assert reader.status_code == 403
    assert (await api.get(RETURNS, token=await world.token("alice", "MeAdmin"))).status_code == 403


async def test_seller_approval_rules_route_big_refunds_for_approval(world: World) -> None:
    api = world.api
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 4})
    await ship(world, "o1", lines["plain"], 4)
    alice = await world.token("alice")
    approver = await world.seller("OrderAdmin ApprovalRuleAdmin")
    await api.ok("POST", "/usergroups", {"ID": "returns-desk", "Name": "Returns desk"})
    await api.ok(
        "POST", "/usergroups/assignments", {"UserGroupID": "returns-desk", "UserID": "seller"}, status=204
    )
    rule = {
        "ID": "big",
        "ApprovalType": "OrderReturn",
        "ApprovingGroupID": "returns-desk",
        "RuleExpression": "OrderReturn.RefundAmount > 20 and Order.Total >= 49.40",
    }
    created = await api.ok("POST", "/approvalrules", rule, token=approver)
    assert created["OwnerID"] == api.services.marketplace_id
    bad = await api.post(
        "/approvalrules", {**rule, "ID": "bad", "RuleExpression": "items.any(ID = 'x')"}, token=approver
    )
    assert bad.status_code == 400
    no_group = await api.post(
        "/approvalrules", {**rule, "ID": "x", "ApprovingGroupID": "nope"}, token=approver
    )
    assert no_group.status_code == 404
    assert (
        await api.get("/approvalrules", token=await world.token("alice", "ApprovalRuleAdmin"))
    ).status_code == 403

    small = await new_return(world, "o1", [(lines["plain"], 1)], ID="small")
    assert (await api.ok("POST", f"{RETURNS}/small/submit", token=alice))["Status"] == "Open"
    assert money(small["RefundAmount"]) == Decimal("12.35")

    await new_return(world, "o1", [(lines["plain"], 2)], ID="big1")
    waiting = await api.ok("POST", f"{RETURNS}/big1/submit", token=alice)
    assert waiting["Status"] == "AwaitingApproval" and waiting["DateSubmitted"] is None
    [approval] = (await api.ok("GET", f"{RETURNS}/big1/approvals", token=alice))["Items"]
    assert approval["Status"] == "Pending" and approval["ApprovalRuleID"] == "big"
    assert approval["ApprovingGroupID"] == "returns-desk" and approval["OrderReturnID"] == "big1"
    approvers = await api.ok("GET", f"{RETURNS}/big1/eligibleapprovers", token=approver)
    assert [u["ID"] for u in approvers["Items"]] == ["seller"]
    mine = await api.ok("GET", RETURNS, params={"approvable": "true"}, token=approver)
    assert [r["ID"] for r in mine["Items"]] == ["big1"]
    assert (await api.ok("GET", f"{RETURNS}/small/eligibleapprovers", token=approver))["Items"] == []
    deleting = await api.delete("/approvalrules/big", token=approver)
    assert error_code(deleting) == "ApprovalRule.CannotDeleteIfPending"

    approved = await api.ok("POST", f"{RETURNS}/big1/approve", {"Comments": "Fine"}, token=approver)
    assert approved["Status"] == "Open" and approved["DateApproved"] and approved["DateSubmitted"]
    [approval] = (await api.ok("GET", f"{RETURNS}/big1/approvals", token=approver))["Items"]
    assert approval["Status"] == "Approved" and approval["Comments"] == "Fine"
    assert approval["Approver"]["ID"] == "seller" and approval["DateCompleted"]

    # Declining is final and gives the claimed unit back.
    await api.ok("DELETE", f"{RETURNS}/small", token=approver)
    await new_return(world, "o1", [(lines["plain"], 2)], ID="big2")
    await api.ok("POST", f"{RETURNS}/big2/submit", token=alice)
    outsider = await api.post(
        f"{RETURNS}/big2/decline", {"Comments": "no"}, token=await world.token("b1admin", "OrderAdmin")
    )
    assert outsider.status_code == 403 and error_code(outsider) == "OrderReturn.NotEligibleToApproveOrDecline"
    declined = await api.ok("POST", f"{RETURNS}/big2/decline", {"Comments": "Worn"}, token=approver)
    assert declined["Status"] == "Declined" and declined["DateDeclined"]
    again = await new_return(world, "o1", [(lines["plain"], 2)], ID="big3")
    assert money(again["RefundAmount"]) == Decimal("24.70")


async def test_delete_item_and_save(world: World) -> None:
    api = world.api
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 2, "pb": 1})
    await ship(world, "o1", lines["plain"], 2)
    await ship(world, "o1", lines["pb"], 1)
    alice = await world.token("alice")
    ret = await new_return(world, "o1", [(lines["plain"], 1), (lines["pb"], 1)], ID="r1")
    assert money(ret["RefundAmount"]) == Decimal("22.34")
    after = await api.ok("DELETE", f"{RETURNS}/r1/items/{lines['pb']}", token=alice, status=200)
    assert [i["LineItemID"] for i in after["ItemsToReturn"]] == [lines["plain"]]
    assert money(after["RefundAmount"]) == Decimal("12.35")
    assert (await api.delete(f"{RETURNS}/r1/items/{lines['pb']}", token=alice)).status_code == 404

    saved = await api.ok(
        "PUT",
        f"{RETURNS}/r1",
        {**after, "ItemsToReturn": [{"LineItemID": lines["plain"], "Quantity": 2}]},
        token=alice,
    )
    assert money(saved["RefundAmount"]) == Decimal("24.70") and saved["Comments"] is None
    created = await api.ok("PUT", f"{RETURNS}/r9", {"OrderID": "o1"}, token=alice)
    assert created["ID"] == "r9" and money(created["RefundAmount"]) == Decimal("0.00")
    # SDK Save of a fetched return by an OrderAdmin echoes the amounts: no override is made.
    seller = await world.seller()
    echoed = await api.ok("PUT", f"{RETURNS}/r1", saved, token=seller)
    assert money(echoed["RefundAmount"]) == Decimal("24.70")
    shrunk = await api.ok(
        "PATCH",
        f"{RETURNS}/r1",
        {"ItemsToReturn": [{"LineItemID": lines["plain"], "Quantity": 1}]},
        token=seller,
    )
    assert money(shrunk["RefundAmount"]) == Decimal("12.35")
    moved = await api.ok("PATCH", f"{RETURNS}/r1", {"ID": "r1b"}, token=alice)
    assert moved["ID"] == "r1b" and (await api.get(f"{RETURNS}/r1", token=alice)).status_code == 404
    other_order = await api.patch(f"{RETURNS}/r1b", {"OrderID": "o2"}, token=alice)
    assert other_order.status_code == 400
