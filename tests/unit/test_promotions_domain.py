"""Promotion amounts: value expressions, line selection, limits, caps, overrides and rounding."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import promotions as rules
from domain.errors import ValidationFailed

NOW = datetime(2024, 6, 30, tzinfo=UTC)
LINES = [
    {"ID": "l1", "ProductID": "a", "Quantity": 3, "UnitPrice": Decimal("10.00"),
     "LineSubtotal": Decimal("30.00"), "DateAdded": "2024-01-02T00:00:00.000+00:00"},
    {"ID": "l2", "ProductID": "b", "Quantity": 4, "UnitPrice": Decimal("2.50"),
     "LineSubtotal": Decimal("10.00"), "DateAdded": "2024-01-01T00:00:00.000+00:00"},
    {"ID": "l3", "ProductID": "a", "Quantity": 1, "UnitPrice": Decimal("10.00"),
     "LineSubtotal": Decimal("10.00"), "DateAdded": "2024-01-03T00:00:00.000+00:00"},
]  # fmt: skip
ORDER = {"ID": "o1", "Subtotal": Decimal("50.00"), "ShippingCost": Decimal("7.99"), "xp": {"Tier": "gold"}}


def promo(promo_id: str, eligible: str, value: str | None, **extra: Any) -> dict[str, Any]:
    return {
        "ID": promo_id,
        "Code": promo_id,
        "EligibleExpression": eligible,
        "ValueExpression": value,
        **extra,
    }


def amounts(
    *promos: dict[str, Any], overrides: dict[str, dict[str | None, Decimal]] | None = None
) -> list[tuple[str, str | None, Decimal]]:
    applied = [rules.Applied(p, (overrides or {}).get(p["ID"], {})) for p in promos]
    found = rules.discounts(applied, ORDER, LINES, currency="USD", now=NOW)
    return [(d.promotion_id, d.line_item_id, d.amount) for d in found]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("order.Subtotal * .1", Decimal("5.00")),
        ("10", Decimal("10.00")),
        ("order.ShippingCost", Decimal("7.99")),  # free shipping
        ("items.quantity(ProductID = 'a') * 1.5", Decimal("6.00")),
        ("items.total(ProductID = 'a') / items.quantity(ProductID = 'a')", Decimal("10.00")),  # BOGO
        ("min(order.Subtotal * .5, 20)", Decimal("20.00")),
        ("max(1, 2, 3)", Decimal("3.00")),
        ("order.Subtotal * .0333", Decimal("1.67")),  # 1.665 rounds half up
        ("order.xp.Missing", Decimal("0.00")),  # null is no discount
        ("-5", Decimal("0.00")),  # never negative
        ("'ten'", Decimal("0.00")),
        ("500", Decimal("50.00")),  # never more than the subtotal
    ],
)
def test_order_level_values(value: str, expected: Decimal) -> None:
    assert amounts(promo("p", "true", value)) == [("p", None, expected)]


def test_line_level_value_per_selected_line() -> None:
    p = promo("l", "item.ProductID = 'a'", "item.LineSubtotal * .2", LineItemLevel=True)
    assert amounts(p) == [("l", "l1", Decimal("6.00")), ("l", "l3", Decimal("2.00"))]
    # Lines are selected with `items` and `order` in scope too.
    other = promo(
        "m", "item.ProductID = 'b' and items.any(ProductID = 'a')", "item.UnitPrice", LineItemLevel=True
    )
    assert amounts(other) == [("m", "l2", Decimal("2.50"))]


def test_item_limit_takes_lines_in_item_sort_order() -> None:
    by_date = promo("l", "true", "1", LineItemLevel=True, ItemLimitPerOrder=2)
    assert [line for _, line, _ in amounts(by_date)] == ["l2", "l1"]  # DateAdded ascending
    by_total = promo("l", "true", "1", LineItemLevel=True, ItemLimitPerOrder=1, ItemSortBy="!LineSubtotal")
    assert [line for _, line, _ in amounts(by_total)] == ["l1"]


def test_item_sort_by_text_ignores_case() -> None:
    lines = [{"ID": i, "xp": {"Size": size}} for i, size in (("1", "XL"), ("2", "m"), ("3", "L"), ("4", "s"))]
    ordered = rules._ordered(lines, "xp.Size")
    assert [line["xp"]["Size"] for line in ordered] == ["L", "m", "s", "XL"]
    assert [line["xp"]["Size"] for line in rules._ordered(lines, "!xp.Size")] == ["XL", "s", "m", "L"]


def test_quantity_limit_discounts_each_unit_up_to_the_limit() -> None:
    p = promo("q", "item.ProductID = 'a'", "item.UnitPrice * .5", LineItemLevel=True, QuantityLimitPerOrder=3)
    # l1 (3 units) uses the whole limit; l3 gets nothing and is not listed.
    assert amounts(p) == [("q", "l1", Decimal("15.00"))]


def test_caps_apply_in_order_across_promotions() -> None:
    line = promo("line", "item.ID = 'l2'", "8", LineItemLevel=True)
    second = promo("line2", "item.ID = 'l2'", "8", LineItemLevel=True)
    order_level = promo("all", "true", "1000")
    # l2 is 10.00: 8 then what is left (2); the order-level promotion gets the rest of 50.00.
    assert amounts(line, second, order_level) == [
        ("line", "l2", Decimal("8.00")),
        ("line2", "l2", Decimal("2.00")),
        ("all", None, Decimal("40.00")),
    ]
    assert rules.line_discounts(rules.discounts(
        [rules.Applied(line), rules.Applied(second)], ORDER, LINES, currency="USD", now=NOW
    )) == {"l2": Decimal("10.00")}  # fmt: skip


def test_overrides_replace_the_computed_amount_within_the_caps() -> None:
    p = promo("p", "true", "10")
    assert amounts(p, overrides={"p": {None: Decimal("3.333")}}) == [("p", None, Decimal("3.33"))]
    line = promo("l", "item.ProductID = 'a'", "1", LineItemLevel=True)
    found = amounts(line, overrides={"l": {"l3": Decimal("99")}})
    assert found == [("l", "l1", Decimal("1.00")), ("l", "l3", Decimal("10.00"))]


def test_eligibility() -> None:
    assert rules.is_eligible(
        promo("p", "order.xp.Tier = 'gold' and order.Subtotal > 49", "1"), ORDER, LINES, NOW
    )
    assert not rules.is_eligible(promo("p", "items.all(ProductID = 'a')", "1"), ORDER, LINES, NOW)
    assert not rules.is_eligible(
        promo("l", "item.ProductID = 'z'", "1", LineItemLevel=True), ORDER, LINES, NOW
    )
    assert rules.is_eligible(promo("d", "now() > now(-1)", "1"), ORDER, LINES, NOW)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"LineItemLevel": True}, "ValidationFailure"),  # a line-level promotion must read `item`
        ({"ValueExpression": None}, "Promotion.ValueExpressionCannotBeNull"),
        ({"UseIntegration": True}, "Promotion.UseIntegrationMustBeFalse"),
        ({"ItemLimitPerOrder": 1}, "Promotion.CannotSetItemLimitPerOrder"),
        ({"QuantityLimitPerOrder": 1}, "Promotion.CannotSetQuantityLimitPerOrder"),
        (
            {"LineItemLevel": True, "EligibleExpression": "item.ID = 'x'", "ItemSortBy": "ID"},
            "Promotion.CannotSetItemSortBy",
        ),
        (
            {
                "LineItemLevel": True,
                "EligibleExpression": "item.ID = 'x'",
                "ItemLimitPerOrder": 1,
                "QuantityLimitPerOrder": 1,
            },
            "Promotion.CannotSetQuantityAndItemLimitPerOrder",
        ),
        ({"StartDate": "2024-02-01", "ExpirationDate": "2024-01-01"}, "Promotion.ExpirationPrecedsStart"),
        ({"EligibleExpression": "item.ID = 'x'"}, "Expression.ItemNotAllowed"),
        ({"ValueExpression": "order.Subtotal *"}, "Expression.InvalidSyntax"),
    ],
)
def test_definitions_that_could_never_apply_are_refused(fields: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        rules.check_definition({**promo("p", "true", "1"), **fields})
    assert caught.value.code == code


def test_usability_and_limits() -> None:
    assert rules.usability_error(promo("p", "true", "1", Active=False), NOW).code == "Promotion.NotActive"  # type: ignore[union-attr]
    late = promo("p", "true", "1", ExpirationDate="2024-06-29T23:59:59Z")
    assert rules.usability_error(late, NOW).code == "Promotion.Expired"  # type: ignore[union-attr]
    early = promo("p", "true", "1", StartDate="2024-07-01")
    assert rules.usability_error(early, NOW).code == "Promotion.NotYetValid"  # type: ignore[union-attr]
    assert rules.usability_error(promo("p", "true", "1", StartDate="2024-06-30"), NOW) is None
    limited = promo("p", "true", "1", RedemptionLimit=2, RedemptionLimitPerUser=1)
    assert rules.limit_error(limited, 1, 0) is None
    assert rules.limit_error(limited, 2, 0) is not None
    assert rules.limit_error(limited, 0, 1) is not None


def test_combining() -> None:
    a, b = promo("a", "true", "1", CanCombine=True), promo("b", "true", "1", CanCombine=True)
    solo = promo("s", "true", "1", CanCombine=False)
    assert rules.combine_error(a, []) is None and rules.combine_error(solo, []) is None
    assert rules.combine_error(b, [a]) is None
    assert rules.combine_error(solo, [a]) is not None
    assert rules.combine_error(a, [solo]) is not None


@given(
    values=st.lists(st.decimals(min_value=-100, max_value=1000, places=3), min_size=1, max_size=5),
    line_level=st.lists(st.booleans(), min_size=5, max_size=5),
)
def test_discounts_never_exceed_subtotals(values: list[Decimal], line_level: list[bool]) -> None:
    promos = [
        promo(
            f"p{i}", "item.ProductID = 'a'" if line_level[i] else "true", str(v), LineItemLevel=line_level[i]
        )
        for i, v in enumerate(values)
    ]
    found = rules.discounts([rules.Applied(p) for p in promos], ORDER, LINES, currency="USD", now=NOW)
    assert all(d.amount >= 0 and d.amount == d.amount.quantize(Decimal("0.01")) for d in found)
    assert sum(d.amount for d in found) <= ORDER["Subtotal"]
    subtotals = {line["ID"]: line["LineSubtotal"] for line in LINES}
    for line_id, discount in rules.line_discounts(found).items():
        assert discount <= subtotals[line_id]
