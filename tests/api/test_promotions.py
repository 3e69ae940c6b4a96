"""Promotions: definitions and assignments, adding and removing them on orders and carts,
auto-apply, refresh, eligibility, line-level versus order-level amounts, CanCombine, redemption
limits, and totals to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import error_code

O1 = "/orders/Outgoing/o1"


def money(value: object) -> Decimal:
    return Decimal(str(value))


async def promo(world: World, promo_id: str, eligible: str, value: str, **extra: Any) -> dict[str, Any]:
    body = {
        "ID": promo_id,
        "Code": extra.pop("Code", promo_id.upper()),
        "EligibleExpression": eligible,
        "ValueExpression": value,
        "AllowAllBuyers": True,
        "CanCombine": True,
        **extra,
    }
    result: dict[str, Any] = await world.api.ok("POST", "/promotions", body)
    return result


async def shop(world: World, *lines: tuple[str, int]) -> None:
    """Products a (10.00), b (4.995 -> 5.00) and c (7.50); order o1 of alice with `lines`."""
    await cat.product(world.api, "a", price="10.00")
    await cat.product(world.api, "b", price="4.995")
    await cat.product(world.api, "c", price="7.50")
    await world.new_order(body={"ID": "o1"})
    for product_id, quantity in lines:
        await world.add_line("o1", product_id, quantity, ID=f"l-{product_id}")


async def order(world: World, username: str = "alice") -> dict[str, Any]:
    result: dict[str, Any] = await world.api.ok("GET", O1, token=await world.token(username))
    return result


async def test_promotion_crud_and_validation(world: World) -> None:
    api = world.api
    created = await promo(world, "ten", "order.Subtotal > 50", "10", Code="Save10")
    assert created["RedemptionCount"] == 0
    assert created["OwnerID"] == api.services.marketplace_id
    assert (created["Active"], created["AutoApply"], created["LineItemLevel"]) == (True, False, False)

    duplicate = await api.post(
        "/promotions", {"Code": "SAVE10", "EligibleExpression": "true", "ValueExpression": "1"}
    )
    assert duplicate.status_code == 400 and error_code(duplicate) == "Promotion.CodeInUse"
    for body, code in (
        ({"EligibleExpression": "order.Subtotal >", "ValueExpression": "1"}, "Expression.InvalidSyntax"),
        ({"EligibleExpression": "item.ProductID = 'a'", "ValueExpression": "1"}, "Expression.ItemNotAllowed"),
        ({"EligibleExpression": "true", "ValueExpression": None}, "Promotion.ValueExpressionCannotBeNull"),
        ({"EligibleExpression": "true", "ValueExpression": "1", "LineItemLevel": True}, "ValidationFailure"),
        (
            {"EligibleExpression": "true", "ValueExpression": "1", "ItemLimitPerOrder": 2},
            "Promotion.CannotSetItemLimitPerOrder",
        ),
        (
            {
                "EligibleExpression": "true",
                "ValueExpression": "1",
                "StartDate": "2030-01-02",
                "ExpirationDate": "2030-01-01",
            },
            "Promotion.ExpirationPrecedsStart",
        ),
    ):
        response = await api.post("/promotions", {"Code": "X1", **body})
        assert response.status_code == 400, response.text
        assert error_code(response) == code
    assert (await api.ok("GET", "/promotions"))["Meta"]["TotalCount"] == 1

    # RedemptionCount is read-only; the code may change to a free one.
    patched = await api.ok("PATCH", "/promotions/ten", {"RedemptionCount": 9, "Code": "TEN"})
    assert (patched["RedemptionCount"], patched["Code"]) == (0, "TEN")
    assert (
        await api.post(
            "/promotions", {"Code": "save10", "EligibleExpression": "true", "ValueExpression": "1"}
        )
    ).status_code == 201

    shopper = await world.token("alice", "Shopper PromotionReader")
    assert (await api.get("/promotions", token=shopper)).status_code == 403
    await api.ok("DELETE", "/promotions/ten")
    assert (await api.get("/promotions/ten")).status_code == 404


async def test_order_level_promotion_totals_to_the_cent(world: World) -> None:
    api = world.api
    await shop(world, ("a", 3), ("b", 3))  # 30.00 + 15.00 = 45.00
    await promo(world, "pct", "order.Subtotal > 40", "order.Subtotal * .15")  # 6.75
    token = await world.token("alice")

    added = await api.ok("POST", f"{O1}/promotions/pct", token=token)  # codes ignore case
    assert (added["ID"], added["Code"], money(added["Amount"]), added["LineItemID"]) == (
        "pct",
        "PCT",
        Decimal("6.75"),
        None,
    )
    assert added["AmountOverridden"] is False and added["DateApplied"]
    o = await order(world)
    assert (money(o["Subtotal"]), money(o["PromotionDiscount"]), money(o["Total"])) == (
        45,
        Decimal("6.75"),
        Decimal("38.25"),
    )
    # An order-level promotion leaves the lines' own discounts alone.
    lines = (await api.ok("GET", f"{O1}/lineitems", token=token))["Items"]
    assert all(
        money(x["PromotionDiscount"]) == 0 and money(x["LineTotal"]) == money(x["LineSubtotal"])
        for x in lines
    )

    again = await api.post(f"{O1}/promotions/PCT", token=token)
    assert again.status_code == 400 and error_code(again) == "Promotion.AlreadyAdded"
    missing = await api.post(f"{O1}/promotions/NOPE", token=token)
    assert missing.status_code == 404 and error_code(missing) == "NotFound"

    # Amounts follow the order: 5 more b (+25.00) -> 70.00 * .15 = 10.50.
    await api.ok("PATCH", f"{O1}/lineitems/l-b", {"Quantity": 8}, token=token)
    o = await order(world)
    assert (money(o["Subtotal"]), money(o["PromotionDiscount"]), money(o["Total"])) == (
        70,
        Decimal("10.50"),
        Decimal("59.50"),
    )
    listed = await api.ok("GET", f"{O1}/promotions", token=token)
    assert [(p["ID"], money(p["Amount"])) for p in listed["Items"]] == [("pct", Decimal("10.50"))]

    removed = await api.ok("DELETE", f"{O1}/promotions/pct", token=token, status=200)
    assert (money(removed["PromotionDiscount"]), money(removed["Total"])) == (0, 70)
    assert (await api.ok("GET", f"{O1}/promotions", token=token))["Items"] == []
    gone = await api.delete(f"{O1}/promotions/pct", token=token)
    assert gone.status_code == 404


async def test_discount_never_exceeds_the_subtotal(world: World) -> None:
    api = world.api
    await shop(world, ("c", 2))  # 15.00
    await promo(world, "huge", "true", "1000")
    await promo(world, "five", "true", "5")
    token = await world.token("alice")
    await api.ok("POST", f"{O1}/promotions/FIVE", token=token)
    huge = await api.ok("POST", f"{O1}/promotions/HUGE", token=token)
    assert money(huge["Amount"]) == Decimal("10.00")  # what the first promotion left
    o = await order(world)
    assert (money(o["PromotionDiscount"]), money(o["Total"])) == (15, 0)


async def test_not_eligible_then_refresh_and_submit(world: World) -> None:
    api = world.api
    await shop(world, ("a", 3))  # 30.00
    await promo(world, "big", "order.Subtotal >= 50", "5")
    token = await world.token("alice")
    refused = await api.post(f"{O1}/promotions/BIG", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Promotion.NotEligible"
    assert (await order(world))["PromotionDiscount"] == 0

    await api.ok("PATCH", f"{O1}/lineitems/l-a", {"Quantity": 5}, token=token)
    await api.ok("POST", f"{O1}/promotions/BIG", token=token)
    # Below the threshold again: the promotion stays until refresh, and submit refuses it.
    await api.ok("PATCH", f"{O1}/lineitems/l-a", {"Quantity": 2}, token=token)
    assert money((await order(world))["PromotionDiscount"]) == 5
    submit = await api.post(f"{O1}/submit", token=token)
    assert submit.status_code == 400 and error_code(submit) == "Promotion.NotEligible"
    assert (await order(world))["Status"] == "Unsubmitted"

    refreshed = await api.ok("POST", f"{O1}/refreshpromotions", token=token)
    assert refreshed["PromosAdded"] == []
    [gone] = refreshed["PromosRemoved"]
    assert (gone["ID"], gone["ErrorCode"], money(gone["Amount"])) == ("big", "Promotion.NotEligible", 5)
    o = await order(world)
    assert (money(o["PromotionDiscount"]), money(o["Total"])) == (0, 20)
    assert (await world.submit("o1"))["Status"] == "Open"


async def test_line_level_promotion(world: World) -> None:
    api = world.api
    await shop(world, ("a", 3), ("b", 2))  # a: 30.00, b: 10.00
    await promo(world, "lines", "item.ProductID = 'a'", "item.LineSubtotal * .2", LineItemLevel=True)
    token = await world.token("alice")
    added = await api.ok("POST", f"{O1}/promotions/LINES", token=token)
    assert (added["LineItemID"], money(added["Amount"])) == ("l-a", 6)
    a = await api.ok("GET", f"{O1}/lineitems/l-a", token=token)
    assert (money(a["PromotionDiscount"]), money(a["LineTotal"])) == (6, 24)
    b = await api.ok("GET", f"{O1}/lineitems/l-b", token=token)
    assert (money(b["PromotionDiscount"]), money(b["LineTotal"])) == (0, 10)

    # A second line of product a is discounted too; 0.2 * 10.00 = 2.00.
    await world.add_line("o1", "a", 1, ID="l-a2")
    rows = (await api.ok("GET", f"{O1}/promotions?sortBy=LineItemID", token=token))["Items"]
    assert [(r["ID"], r["LineItemID"], money(r["Amount"])) for r in rows] == [
        ("lines", "l-a", 6),
        ("lines", "l-a2", 2),
    ]
    o = await order(world)
    assert (money(o["Subtotal"]), money(o["PromotionDiscount"]), money(o["Total"])) == (50, 8, 42)

    # A line that is removed takes its discount with it.
    await api.ok("DELETE", f"{O1}/lineitems/l-a2", token=token)
    o = await order(world)
    assert (money(o["PromotionDiscount"]), money(o["Total"])) == (6, 34)


async def test_line_level_limits_and_per_unit_value(world: World) -> None:
    api = world.api
    await shop(world, ("a", 3), ("b", 4), ("c", 2))
    # 1.00 off per unit of a or b, for at most 5 units, most expensive lines first.
    await promo(
        world,
        "units",
        "item.ProductID = 'a' or item.ProductID = 'b'",
        "1",
        LineItemLevel=True,
        QuantityLimitPerOrder=5,
        ItemSortBy="!UnitPrice",
    )
    await api.ok("POST", f"{O1}/promotions/UNITS", token=await world.token("alice"))
    rows = (await api.ok("GET", f"{O1}/promotions?sortBy=LineItemID", token=await world.token("alice")))[
        "Items"
    ]
    assert [(r["LineItemID"], money(r["Amount"])) for r in rows] == [("l-a", 3), ("l-b", 2)]


async def test_can_combine(world: World) -> None:
    api = world.api
    await shop(world, ("a", 3))
    await promo(world, "solo", "true", "1", CanCombine=False)
    await promo(world, "one", "true", "1")
    await promo(world, "two", "true", "2")
    token = await world.token("alice")
    await api.ok("POST", f"{O1}/promotions/ONE", token=token)
    await api.ok("POST", f"{O1}/promotions/TWO", token=token)
    refused = await api.post(f"{O1}/promotions/SOLO", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Promotion.CannotCombine"
    assert money((await order(world))["PromotionDiscount"]) == 3


async def test_auto_apply_by_priority(world: World) -> None:
    api = world.api
    await shop(world, ("a", 3))  # 30.00
    await promo(world, "low", "true", "1", AutoApply=True, Priority=5, CanCombine=False)
    await promo(world, "high", "true", "2", AutoApply=True, Priority=1, CanCombine=False)
    await promo(world, "never", "order.Subtotal > 1000", "3", AutoApply=True)
    await promo(world, "manual", "true", "4")
    token = await world.token("alice")
    applied = await api.ok("POST", f"{O1}/applypromotions", token=token)
    assert (money(applied["PromotionDiscount"]), money(applied["Total"])) == (2, 28)
    listed = await api.ok("GET", f"{O1}/promotions", token=token)
    assert [p["ID"] for p in listed["Items"]] == ["high"]

    eligible = await api.ok("GET", f"{O1}/eligiblepromotions?sortBy=ID", token=token)
    assert [(p["ID"], money(p["Amount"])) for p in eligible["Items"]] == [
        ("high", 2),
        ("low", 1),
        ("manual", 4),
    ]

    # Refresh keeps `high` and finds nothing more to add (the others cannot combine with it).
    refreshed = await api.ok("POST", f"{O1}/refreshpromotions", token=token)
    assert refreshed == {"PromosAdded": [], "PromosRemoved": []}
    await api.ok("DELETE", f"{O1}/promotions/HIGH", token=token, status=200)
    refreshed = await api.ok("POST", f"{O1}/refreshpromotions", token=token)
    assert [(p["ID"], money(p["Amount"]), p["LineItemID"]) for p in refreshed["PromosAdded"]] == [
        ("high", 2, None)
    ]


async def test_dates_activity_and_bad_status(world: World) -> None:
    api = world.api
    await shop(world, ("a", 1))
    await promo(world, "old", "true", "1", ExpirationDate="2001-01-01T00:00:00Z")
    await promo(world, "future", "true", "1", StartDate="2999-01-01")
    await promo(world, "off", "true", "1", Active=False)
    await promo(world, "ok", "true", "1")
    token = await world.token("alice")
    for code, expected in (
        ("OLD", "Promotion.Expired"),
        ("FUTURE", "Promotion.NotYetValid"),
        ("OFF", "Promotion.NotActive"),
    ):
        response = await api.post(f"{O1}/promotions/{code}", token=token)
        assert response.status_code == 400 and error_code(response) == expected, code

    # Deactivating a promotion takes it off unsubmitted orders.
    await api.ok("POST", f"{O1}/promotions/OK", token=token)
    await api.ok("PATCH", "/promotions/ok", {"Active": False})
    assert (await api.ok("GET", f"{O1}/promotions", token=token))["Items"] == []
    assert (await order(world))["PromotionDiscount"] == 0

    await api.ok("PATCH", "/promotions/ok", {"Active": True})
    await api.ok("POST", f"{O1}/promotions/OK", token=token)
    await world.submit("o1")
    late = await api.post(f"{O1}/promotions/OLD", token=token)
    assert late.status_code == 400 and error_code(late) == "Order.CannotApplyPromoBadStatus"
    # A submitted order keeps its promotion even when it is later deactivated.
    await api.ok("PATCH", "/promotions/ok", {"Active": False})
    assert [p["ID"] for p in (await api.ok("GET", f"{O1}/promotions", token=token))["Items"]] == ["ok"]


async def test_redemption_limits_count_at_submit(world: World) -> None:
    api = world.api
    await shop(world, ("a", 1))
    await promo(world, "once", "true", "1", RedemptionLimitPerUser=1, RedemptionLimit=2)
    token = await world.token("alice")
    await api.ok("POST", f"{O1}/promotions/ONCE", token=token)
    await world.submit("o1")
    assert (await api.ok("GET", "/promotions/once"))["RedemptionCount"] == 1

    await world.new_order(body={"ID": "o2"})
    await world.add_line("o2", "a", 1)
    refused = await api.post("/orders/Outgoing/o2/promotions/ONCE", token=token)
    assert refused.status_code == 400 and error_code(refused) == "Promotion.ExceedsUsageLimit"
    # Another user of the same buyer may still use it once; then the overall limit is reached.
    carol = await world.token("carol")
    await world.new_order("carol", body={"ID": "o3"})
    await world.add_line("o3", "a", 1, username="carol")
    await api.ok("POST", "/orders/Outgoing/o3/promotions/ONCE", token=carol)
    await world.submit("o3", "carol")
    assert (await api.ok("GET", "/promotions/once"))["RedemptionCount"] == 2
    await world.new_order("bob", body={"ID": "o4"})
    await world.add_line("o4", "a", 1, username="bob")
    over = await api.post("/orders/Outgoing/o4/promotions/ONCE", token=await world.token("bob"))
    assert over.status_code == 400 and error_code(over) == "Promotion.ExceedsUsageLimit"


async def test_visibility_through_assignments(world: World) -> None:
    api = world.api
    await shop(world, ("a", 1))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "vip", "Name": "VIP"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "vip", "UserID": "alice"}, status=204
    )
    await promo(world, "vip", "true", "1", AllowAllBuyers=False)
    await promo(world, "b2only", "true", "1", AllowAllBuyers=False)
    await promo(world, "all", "true", "1")
    await api.ok(
        "POST",
        "/promotions/assignments",
        {"PromotionID": "vip", "BuyerID": "b1", "UserGroupID": "vip"},
        status=204,
    )
    await api.ok("POST", "/promotions/assignments", {"PromotionID": "b2only", "BuyerID": "b2"}, status=204)
    listed = await api.ok("GET", "/promotions/assignments?buyerID=b1")
    assert listed["Items"] == [{"PromotionID": "vip", "BuyerID": "b1", "UserGroupID": "vip"}]
    assert (await api.ok("GET", "/promotions/assignments?level=Company"))["Items"] == [
        {"PromotionID": "b2only", "BuyerID": "b2", "UserGroupID": None}
    ]
    missing = await api.post("/promotions/assignments", {"PromotionID": "nope", "BuyerID": "b1"})
    assert missing.status_code == 404

    def ids(page: dict[str, Any]) -> list[str]:
        return sorted(p["ID"] for p in page["Items"])

    alice, carol, bob = [await world.token(u) for u in ("alice", "carol", "bob")]
    assert ids(await api.ok("GET", "/me/promotions", token=alice)) == ["all", "vip"]
    assert ids(await api.ok("GET", "/me/promotions", token=carol)) == ["all"]
    assert ids(await api.ok("GET", "/me/promotions", token=bob)) == ["all", "b2only"]
    assert (await api.ok("GET", "/me/promotions/vip", token=alice))["Code"] == "VIP"
    assert (await api.get("/me/promotions/vip", token=carol)).status_code == 404

    # alice (in vip) may use it on her order; carol's order may not, not even when the seller adds it.
    await api.ok("POST", f"{O1}/promotions/VIP", token=alice)
    await world.new_order("carol", body={"ID": "oc"})
    seller = await world.seller("OrderAdmin")
    assert (await api.post("/orders/Incoming/oc/promotions/VIP", token=seller)).status_code == 404

    await api.ok("DELETE", "/promotions/vip/assignments?buyerID=b1&userGroupID=vip")
    assert ids(await api.ok("GET", "/me/promotions", token=alice)) == ["all"]
    assert (await api.delete("/promotions/vip/assignments?buyerID=b1&userGroupID=vip")).status_code == 404


async def test_cart_promotions(world: World) -> None:
    api = world.api
    await cat.product(api, "a", price="12.34")
    await promo(
        world, "cart5", "items.quantity(ProductID = 'a') >= 2", "items.quantity(ProductID = 'a') * 1.5"
    )
    token = await world.token("alice")
    assert (await api.ok("GET", "/cart/promotions", token=token))["Items"] == []
    await api.ok("POST", "/cart/lineitems", {"ProductID": "a", "Quantity": 3}, token=token)
    assert [p["ID"] for p in (await api.ok("GET", "/cart/eligiblepromotions", token=token))["Items"]] == [
        "cart5"
    ]
    added = await api.ok("POST", "/cart/promotions/cart5", token=token)
    assert money(added["Amount"]) == Decimal("4.50")
    cart = await api.ok("GET", "/cart", token=token)
    # 3 * 12.34 = 37.02; - 4.50 = 32.52
    assert (money(cart["Subtotal"]), money(cart["PromotionDiscount"]), money(cart["Total"])) == (
        Decimal("37.02"),
        Decimal("4.50"),
        Decimal("32.52"),
    )
    assert [p["Code"] for p in (await api.ok("GET", "/cart/promotions", token=token))["Items"]] == ["CART5"]
    refreshed = await api.ok("POST", "/cart/refreshpromotions", token=token)
    assert refreshed == {"PromosAdded": [], "PromosRemoved": []}
    after = await api.ok("DELETE", "/cart/promotions/CART5", token=token, status=200)
    assert money(after["Total"]) == Decimal("37.02")
    applied = await api.ok("POST", "/cart/applypromotions", token=token)
    assert applied["PromotionDiscount"] == 0  # not AutoApply
