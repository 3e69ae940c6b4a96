"""Approval rules: submit to AwaitingApproval, approve, decline, who may approve, and the lists."""

from __future__ import annotations

from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

RULES = "/buyers/b1/approvalrules"


async def stock_of(world: World, product_id: str) -> Any:
    return (await cat.read(world.api, "product", product_id))["Inventory"]["QuantityAvailable"]


async def group(world: World, group_id: str, *members: str) -> None:
    api = world.api
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": group_id, "Name": group_id})
    for user in members:
        await api.ok(
            "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": group_id, "UserID": user}, status=204
        )


async def rule(world: World, rule_id: str, expression: str, group_id: str) -> dict[str, Any]:
    body = {"ID": rule_id, "Name": rule_id, "ApprovingGroupID": group_id, "RuleExpression": expression}
    result: dict[str, Any] = await world.api.ok("POST", RULES, body)
    return result


async def setup(world: World, *, stock: int = 100) -> None:
    """Product p1 at 10.00 with stock; rule `big` (Total > 100) approved by group `managers`
    (carol); alice shops."""
    await cat.product(world.api, "p1", price="10.00", inventory=cat.inventory(stock))
    await group(world, "managers", "carol")
    await rule(world, "big", "order.Total > 100", "managers")


async def placed(world: World, order_id: str, quantity: int, user: str = "alice") -> dict[str, Any]:
    await world.new_order(user, body={"ID": order_id})
    await world.add_line(order_id, "p1", quantity, username=user)
    return await world.submit(order_id, user)


async def test_rule_routes_submit_and_approval_opens_the_order(world: World) -> None:
    api = world.api
    await setup(world)
    small = await placed(world, "small", 5)
    assert small["Status"] == "Open"
    assert await stock_of(world, "p1") == 95

    big = await placed(world, "big1", 20)
    assert big["Status"] == "AwaitingApproval"
    assert big["IsSubmitted"] is False and big["DateSubmitted"] is None
    assert await stock_of(world, "p1") == 95  # nothing reserved while awaiting approval
    alice = await world.token("alice")
    approvals = await api.ok("GET", "/orders/Outgoing/big1/approvals", token=alice)
    assert approvals["Meta"]["TotalCount"] == 1
    (pending,) = approvals["Items"]
    assert pending["ApprovalRuleID"] == "big" and pending["ApprovingGroupID"] == "managers"
    assert pending["Status"] == "Pending" and pending["Approver"] is None and pending["DateCreated"]
    assert "ID" not in pending and not any(k.startswith("_") for k in pending)

    # The approver (Shopper only) can read the order it is asked to approve, and finds it.
    carol = await world.token("carol")
    assert (await api.ok("GET", "/orders/Outgoing/big1", token=carol))["ID"] == "big1"
    mine = await api.ok("GET", "/me/orders/approvable", token=carol)
    assert [o["ID"] for o in mine["Items"]] == ["big1"]
    assert (await api.ok("GET", "/me/orders/approvable", token=alice))["Items"] == []
    approvers = await api.ok("GET", "/orders/Outgoing/big1/eligibleapprovers", token=alice)
    assert [u["ID"] for u in approvers["Items"]] == ["carol"]
    assert approvers["Items"][0]["Password"] is None

    # A list asking for AwaitingApproval brings it.
    reader = await world.token("b1admin", "OrderReader")
    listed = await api.ok("GET", "/orders/Outgoing", token=reader, params={"Status": "AwaitingApproval"})
    assert [o["ID"] for o in listed["Items"]] == ["big1"]

    refused = await api.post("/orders/Outgoing/big1/approve", {"Comments": "me?"}, token=alice)
    assert refused.status_code == 403 and error_code(refused) == "Order.NotEligibleToApprove"

    opened = await api.ok("POST", "/orders/Outgoing/big1/approve", {"Comments": "fine"}, token=carol)
    assert opened["Status"] == "Open" and opened["IsSubmitted"] is True
    assert opened["DateApproved"] and opened["DateSubmitted"]
    assert await stock_of(world, "p1") == 75
    (done,) = (await api.ok("GET", "/orders/Outgoing/big1/approvals", token=alice))["Items"]
    assert done["Status"] == "Approved" and done["Comments"] == "fine" and done["DateCompleted"]
    assert done["Approver"]["ID"] == "carol" and done["Approver"]["Password"] is None
    assert (await api.ok("GET", "/me/orders/approvable", token=carol))["Items"] == []

    again = await api.post("/orders/Outgoing/big1/approve", token=carol)
    assert again.status_code == 400 and error_code(again) == "Order.MustBeAwaitingApproval"
    # Canceling the opened order gives back what approval took.
    await api.ok("POST", "/orders/Incoming/big1/cancel", token=await world.seller())
    assert await stock_of(world, "p1") == 95


async def test_decline_with_and_without_resubmit(world: World) -> None:
    api = world.api
    await setup(world)
    carol = await world.token("carol")
    await placed(world, "o1", 20)
    declined = await api.ok("POST", "/orders/Outgoing/o1/decline", {"Comments": "too much"}, token=carol)
    assert declined["Status"] == "Declined" and declined["DateDeclined"]
    (approval,) = (await api.ok("GET", "/orders/Outgoing/o1/approvals", token=carol))["Items"]
    assert approval["Status"] == "Declined" and approval["Comments"] == "too much"
    assert approval["AllowResubmit"] is False
    refused = await api.post("/orders/Outgoing/o1/decline", token=carol)
    assert error_code(refused) == "Order.MustBeAwaitingApproval"

    await placed(world, "o2", 20)
    back = await api.ok(
        "POST", "/orders/Outgoing/o2/decline", {"Comments": "fewer", "AllowResubmit": True}, token=carol
    )
    assert back["Status"] == "Unsubmitted" and back["DateDeclined"]
    # The user changes the order and resubmits: under the limit now, it opens.
    alice = await world.token("alice")
    (line,) = (await api.ok("GET", "/orders/Outgoing/o2/lineitems", token=alice))["Items"]
    await api.ok("PATCH", f"/orders/Outgoing/o2/lineitems/{line['ID']}", {"Quantity": 5}, token=alice)
    assert (await world.submit("o2"))["Status"] == "Open"
    history = (await api.ok("GET", "/orders/Outgoing/o2/approvals", token=alice))["Items"]
    assert [a["Status"] for a in history] == ["Declined"]
    assert history[0]["AllowResubmit"] is True
    assert await stock_of(world, "p1") == 95


async def test_two_rules_both_need_approval(world: World) -> None:
    api = world.api
    await setup(world)
    await group(world, "finance", "b1admin")
    await rule(world, "many", "items.quantity(ProductID = 'p1') >= 10", "finance")
    order = await placed(world, "o1", 20)
    assert order["Status"] == "AwaitingApproval"
    items = (await api.ok("GET", "/orders/Outgoing/o1/approvals", token=await world.token("alice")))["Items"]
    assert sorted(a["ApprovalRuleID"] for a in items) == ["big", "many"]
    after_one = await api.ok("POST", "/orders/Outgoing/o1/approve", token=await world.token("carol"))
    assert after_one["Status"] == "AwaitingApproval" and after_one["DateApproved"] is None
    assert await stock_of(world, "p1") == 100
    b1admin = await world.token("b1admin")
    assert [o["ID"] for o in (await api.ok("GET", "/me/orders/approvable", token=b1admin))["Items"]] == ["o1"]
    opened = await api.ok("POST", "/orders/Outgoing/o1/approve", token=b1admin)
    assert opened["Status"] == "Open" and await stock_of(world, "p1") == 80


async def test_chained_rule_waits_for_the_first_approval(world: World) -> None:
    api = world.api
    await setup(world)
    await group(world, "directors", "b1admin")
    await rule(world, "huge", "order.approved('big') and order.Total > 150", "directors")
    await placed(world, "o1", 20)
    alice = await world.token("alice")
    first = (await api.ok("GET", "/orders/Outgoing/o1/approvals", token=alice))["Items"]
    assert [a["ApprovalRuleID"] for a in first] == ["big"]
    still = await api.ok("POST", "/orders/Outgoing/o1/approve", token=await world.token("carol"))
    assert still["Status"] == "AwaitingApproval"
    pending = await api.ok("GET", "/orders/Outgoing/o1/approvals", token=alice, params={"Status": "Pending"})
    assert [a["ApprovalRuleID"] for a in pending["Items"]] == ["huge"]
    opened = await api.ok("POST", "/orders/Outgoing/o1/approve", token=await world.token("b1admin"))
    assert opened["Status"] == "Open"


async def test_submitter_in_the_approving_group_is_auto_approved(world: World) -> None:
    await setup(world)
    order = await placed(world, "o1", 20, user="carol")
    assert order["Status"] == "Open" and order["IsSubmitted"] is True
    assert await stock_of(world, "p1") == 80
    approvals = await world.api.ok("GET", "/orders/Outgoing/o1/approvals", token=await world.token("carol"))
    assert approvals["Items"] == []


async def test_seller_order_admin_may_approve(world: World) -> None:
    api = world.api
    await setup(world)
    await placed(world, "o1", 20)
    seller_reader = await world.seller("OrderReader Shopper")
    refused = await api.post("/orders/Incoming/o1/approve", token=seller_reader)
    assert refused.status_code == 403 and error_code(refused) == "Order.NotEligibleToApprove"
    opened = await api.ok("POST", "/orders/Incoming/o1/approve", token=await world.seller())
    assert opened["Status"] == "Open"


async def test_other_buyer_cannot_reach_the_order(world: World) -> None:
    await setup(world)
    await placed(world, "o1", 20)
    response = await world.api.post("/orders/Outgoing/o1/approve", token=await world.token("bob"))
    assert response.status_code == 404


async def test_rule_validation_and_crud(world: World) -> None:
    api = world.api
    await group(world, "managers", "carol")
    for expression, code in (
        ("order.Total >", "Expression.InvalidSyntax"),
        ("order.Total # 3", "Expression.InvalidToken"),
        ("items.sum(Quantity) > 1", "Expression.InvalidFunction"),
        ("item.ProductID = 'x'", "Expression.ItemNotAllowed"),
    ):
        body = {"ID": "r1", "ApprovingGroupID": "managers", "RuleExpression": expression}
        response = await api.post(RULES, body)
        assert response.status_code == 400, response.text
        assert error_code(response) == code
        assert "Position" in response.json()["Errors"][0]["Data"]
    missing = await api.post(RULES, {"ID": "r1", "ApprovingGroupID": "nobody", "RuleExpression": "true"})
    assert missing.status_code == 404
    no_expression = await api.post(RULES, {"ID": "r1", "ApprovingGroupID": "managers"})
    assert no_expression.status_code == 400
    assert (await api.get(f"{RULES}/r1")).status_code == 404

    created = await rule(world, "r1", "order.xp.CostCenter = 'X'", "managers")
    assert created == {
        "ID": "r1",
        "Name": "r1",
        "Description": None,
        "ApprovingGroupID": "managers",
        "RuleExpression": "order.xp.CostCenter = 'X'",
        "xp": None,
    }
    patched = await api.ok("PATCH", f"{RULES}/r1", {"RuleExpression": "order.Total > 5"})
    assert patched["RuleExpression"] == "order.Total > 5"
    bad_patch = await api.patch(f"{RULES}/r1", {"RuleExpression": "order.Total >>"})
    assert bad_patch.status_code == 400
    assert (await api.ok("GET", f"{RULES}/r1"))["RuleExpression"] == "order.Total > 5"
    assert (await api.ok("GET", RULES))["Meta"]["TotalCount"] == 1

    # Buyer users with the role manage their own buyer's rules only.
    b1 = await world.token("b1admin", "ApprovalRuleReader")
    assert (await api.ok("GET", RULES, token=b1))["Items"][0]["ID"] == "r1"
    assert (
        await api.post(RULES, {"ApprovingGroupID": "managers", "RuleExpression": "true"}, token=b1)
    ).status_code == 403
    bob = await world.token("bob", "ApprovalRuleAdmin")
    assert (await api.get(RULES, token=bob)).status_code == 404

    in_use = await api.delete("/buyers/b1/usergroups/managers")
    assert error_code(in_use) == "UserGroup.CannotDeleteApprovingGroup"


async def test_rule_with_pending_approvals_cannot_be_deleted(world: World) -> None:
    api = world.api
    await setup(world)
    await placed(world, "o1", 20)
    refused = await api.delete(f"{RULES}/big")
    assert refused.status_code == 400 and error_code(refused) == "ApprovalRule.CannotDeleteIfPending"
    await api.ok("POST", "/orders/Outgoing/o1/cancel", token=await world.token("alice"))
    await api.ok("DELETE", f"{RULES}/big")
    await api.ok("DELETE", "/buyers/b1/usergroups/managers")


async def test_approval_refused_when_stock_ran_out(world: World) -> None:
    api = world.api
    await setup(world, stock=25)
    await placed(world, "o1", 20)
    assert (await placed(world, "o2", 10))["Status"] == "Open"
    carol = await world.token("carol")
    refused = await api.post("/orders/Outgoing/o1/approve", token=carol)
    assert refused.status_code == 400 and error_code(refused) == "Inventory.Insufficient"
    order = await api.ok("GET", "/orders/Outgoing/o1", token=carol)
    assert order["Status"] == "AwaitingApproval"
    (approval,) = (await api.ok("GET", "/orders/Outgoing/o1/approvals", token=carol))["Items"]
    assert approval["Status"] == "Pending"


async def test_auto_forward_waits_for_approval(world: World) -> None:
    api = world.api
    await setup(world)
    await cat.product(api, "auto1", price="50.00", supplier="s1")
    product = await cat.read(api, "product", "auto1")
    await cat.replace(api, "product", {**product, "AutoForward": True})
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "auto1", 3)
    assert (await world.submit("o1"))["Status"] == "AwaitingApproval"
    seller = await world.seller()
    assert (await api.get("/orders/Outgoing/o1-s1", token=seller)).status_code == 404
    await api.ok("POST", "/orders/Outgoing/o1/approve", token=await world.token("carol"))
    outgoing = await api.ok("GET", "/orders/Outgoing/o1-s1", token=seller)
    assert outgoing["Status"] == "Open" and outgoing["ToCompanyID"] == "s1"
