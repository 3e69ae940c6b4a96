from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import ValidationFailed
from domain.money import minor_units
from domain.pricing import (
    PriceBreak,
    PriceSchedule,
    ProductAssignment,
    SpecMarkup,
    check_quantity,
    cumulative_quantities,
    is_product_visible,
    line_total,
    order_totals,
    price_line,
    select_break,
    select_price_schedule_id,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
D = Decimal


def schedule_doc(**overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "ID": "ps1",
        "Name": "Schedule",
        "PriceBreaks": [
            {"Quantity": 1, "Price": 10, "SalePrice": None},
            {"Quantity": 10, "Price": "9.50", "SalePrice": "8"},
            {"Quantity": 50, "Price": Decimal("8.25"), "SalePrice": None},
        ],
        "MinQuantity": 1,
        "MaxQuantity": None,
        "RestrictedQuantity": False,
        "UseCumulativeQuantity": False,
        "SaleStart": None,
        "SaleEnd": None,
        "Currency": "USD",
        "ApplyTax": True,
        "ApplyShipping": False,
    }
    doc.update(overrides)
    return doc


def sched(**overrides: Any) -> PriceSchedule:
    return PriceSchedule.from_doc(schedule_doc(**overrides))


def simple(price: str | int = 50, currency: str | None = "USD", **overrides: Any) -> PriceSchedule:
    return sched(PriceBreaks=[{"Quantity": 1, "Price": price}], Currency=currency, **overrides)


# --------------------------------------------------------------------------- from_doc


def test_from_doc_reads_pascal_case_and_sorts_breaks() -> None:
    s = sched(
        PriceBreaks=[
            {"Quantity": 50, "Price": "8"},
            {"Quantity": "1", "Price": 10},
            {"Quantity": 10, "Price": 9},
        ],
        SaleStart="2026-01-01T00:00:00+00:00",
        SaleEnd=datetime(2026, 12, 31, tzinfo=UTC),
        MaxQuantity="500",
    )
    assert s.id == "ps1"
    assert [b.quantity for b in s.price_breaks] == [1, 10, 50]
    assert s.price_breaks[0] == PriceBreak(quantity=1, price=D(10))
    assert all(type(b.price) is Decimal for b in s.price_breaks)
    assert s.sale_start == datetime(2026, 1, 1, tzinfo=UTC)
    assert s.sale_end == datetime(2026, 12, 31, tzinfo=UTC)
    assert s.max_quantity == 500
    assert s.currency == "USD"
    assert s.apply_tax is True and s.apply_shipping is False


def test_from_doc_naive_and_z_dates_are_utc() -> None:
    s = sched(SaleStart="2026-01-01T00:00:00Z", SaleEnd="2026-02-01T00:00:00")
    assert s.sale_start == datetime(2026, 1, 1, tzinfo=UTC)
    assert s.sale_end == datetime(2026, 2, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"PriceBreaks": []}, "PriceSchedule.NoPriceBreaks"),
        (
            {"PriceBreaks": [{"Quantity": 1, "Price": 1}, {"Quantity": 1, "Price": 2}]},
            "PriceSchedule.DuplicatePriceBreaks",
        ),
        ({"MinQuantity": 5, "MaxQuantity": 2}, "PriceSchedule.MinGreaterThanMax"),
        (
            {"SaleStart": "2026-02-01T00:00:00Z", "SaleEnd": "2026-01-01T00:00:00Z"},
            "PriceSchedule.InvalidSaleStartOrSaleEnd",
        ),
        ({"SaleStart": "not a date"}, "ValidationFailure"),
        ({"PriceBreaks": [{"Quantity": 1, "Price": "abc"}]}, "ValidationFailure"),
        ({"PriceBreaks": [{"Quantity": 1.5, "Price": 1}]}, "ValidationFailure"),
        ({"PriceBreaks": [{"Quantity": 1}]}, "ValidationFailure"),
    ],
)
def test_from_doc_refuses_bad_schedules(overrides: dict[str, Any], code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        sched(**overrides)
    assert exc.value.code == code


def test_spec_markup_from_doc() -> None:
    assert SpecMarkup.from_doc(
        {"SpecID": "s", "PriceMarkupType": "Percentage", "PriceMarkup": "12.5"}
    ) == SpecMarkup("Percentage", D("12.5"))
    assert SpecMarkup.from_doc({"PriceMarkupType": None, "PriceMarkup": None}) == SpecMarkup("NoMarkup", D(0))
    # from_doc sets the fields itself (the hot path): as the constructor does.
    parsed = SpecMarkup.from_doc({"PriceMarkupType": "Percentage", "PriceMarkup": "12.5"})
    assert parsed.fraction == D("0.125")
    assert SpecMarkup("Percentage", D("12.5")).fraction == D("0.125")
    with pytest.raises(ValidationFailed):
        SpecMarkup.from_doc({"PriceMarkupType": "Bogus", "PriceMarkup": 1})


def test_product_assignment_from_doc() -> None:
    a = ProductAssignment.from_doc(
        {"ProductID": "p", "BuyerID": "b", "UserGroupID": None, "PriceScheduleID": "ps"}
    )
    assert a == ProductAssignment("p", "b", None, "ps")


# --------------------------------------------------------------------------- schedule selection


def test_schedule_precedence_group_then_buyer_then_default() -> None:
    group = ProductAssignment("p", "b", "g1", "ps-group")
    buyer = ProductAssignment("p", "b", None, "ps-buyer")
    assert select_price_schedule_id("p", "ps-default", [buyer, group], "b", ["g1"]) == "ps-group"
    assert select_price_schedule_id("p", "ps-default", [buyer, group], "b", ["other"]) == "ps-buyer"
    assert select_price_schedule_id("p", "ps-default", [group], "b", []) == "ps-default"
    assert select_price_schedule_id("p", None, [], "b", []) is None


def test_schedule_ignores_other_products_buyers_and_unpriced_assignments() -> None:
    assignments = [
        ProductAssignment("other", "b", None, "ps-x"),
        ProductAssignment("p", "other-buyer", None, "ps-y"),
        ProductAssignment("p", "b", "g1", None),  # visibility-only group assignment
        ProductAssignment("p", "b", None, "ps-buyer"),
    ]
    assert select_price_schedule_id("p", "ps-default", assignments, "b", ["g1"]) == "ps-buyer"


def test_schedule_several_groups_pick_lowest_id_whatever_the_order() -> None:
    a = [ProductAssignment("p", "b", "g2", "ps-z"), ProductAssignment("p", "b", "g1", "ps-a")]
    assert select_price_schedule_id("p", None, a, "b", ["g1", "g2"]) == "ps-a"
    assert select_price_schedule_id("p", None, list(reversed(a)), "b", {"g2", "g1"}) == "ps-a"
    assert select_price_schedule_id("p", None, a, "b", ["g2"]) == "ps-z"


def test_is_product_visible() -> None:
    a = [ProductAssignment("p", "b", "g1", None), ProductAssignment("q", "b", None, None)]
    assert is_product_visible("p", a, "b", ["g1"])
    assert not is_product_visible("p", a, "b", ["g2"])
    assert is_product_visible("q", a, "b", [])
    assert not is_product_visible("q", a, "other", [])
    assert not is_product_visible("r", a, "b", ["g1"])


# --------------------------------------------------------------------------- breaks and quantity


@pytest.mark.parametrize(("qty", "break_qty"), [(1, 1), (9, 1), (10, 10), (49, 10), (50, 50), (10_000, 50)])
def test_select_break_largest_quantity_not_above(qty: int, break_qty: int) -> None:
    assert select_break(sched(), qty).quantity == break_qty


def test_select_break_falls_back_to_smallest_break() -> None:
    s = sched(PriceBreaks=[{"Quantity": 10, "Price": 5}, {"Quantity": 5, "Price": 6}], MinQuantity=None)
    assert select_break(s, 2).quantity == 5


def test_check_quantity_passes_within_limits() -> None:
    check_quantity(sched(MinQuantity=2, MaxQuantity=5), 2)
    check_quantity(sched(MinQuantity=2, MaxQuantity=5), 5)
    check_quantity(sched(RestrictedQuantity=True), 10)


@pytest.mark.parametrize(
    ("overrides", "qty", "code", "limit"),
    [
        ({"MinQuantity": 3}, 2, "PriceSchedule.CannotBeLessThanMin", {"MinQuantity": 3}),
        ({"MaxQuantity": 5}, 6, "PriceSchedule.CannotExceedMax", {"MaxQuantity": 5}),
        (
            {"RestrictedQuantity": True},
            11,
            "PriceSchedule.QuantityNotAllowed",
            {"AllowedQuantities": [1, 10, 50]},
        ),
    ],
)
def test_check_quantity_errors(overrides: dict[str, Any], qty: int, code: str, limit: dict[str, Any]) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_quantity(sched(**overrides), qty)
    assert exc.value.code == code
    assert exc.value.status == 400
    assert exc.value.data["Quantity"] == qty
    assert limit.items() <= exc.value.data.items()


@pytest.mark.parametrize("qty", [0, -3])
def test_check_quantity_must_be_positive(qty: int) -> None:
    with pytest.raises(ValidationFailed) as exc:
        check_quantity(sched(MinQuantity=None), qty)
    assert exc.value.code == "LineItem.QuantityMustBePositive"
    assert exc.value.data == {"Quantity": qty}


def test_check_quantity_cumulative_uses_summed_quantity_and_cumulative_codes() -> None:
    s = sched(UseCumulativeQuantity=True, MinQuantity=5, MaxQuantity=20)
    check_quantity(s, 2, cumulative_quantity=6)  # line alone is under Min, product total is not
    with pytest.raises(ValidationFailed) as exc:
        check_quantity(s, 2, cumulative_quantity=21)
    assert exc.value.code == "PriceSchedule.CumulativeCannotExceedMax"
    assert exc.value.data["Quantity"] == 21
    with pytest.raises(ValidationFailed) as exc:
        check_quantity(s, 2, cumulative_quantity=4)
    assert exc.value.code == "PriceSchedule.CumulativeCannotBeLessThanMin"
    # Without UseCumulativeQuantity the summed quantity is ignored.
    with pytest.raises(ValidationFailed) as exc:
        check_quantity(sched(MinQuantity=5), 2, cumulative_quantity=6)
    assert exc.value.code == "PriceSchedule.CannotBeLessThanMin"


# --------------------------------------------------------------------------- price_line


def test_price_line_uses_break_price_and_rounds_to_currency() -> None:
    lp = price_line(sched(), 12, now=NOW)
    assert lp.unit_price == D("9.50")
    assert lp.line_subtotal == D("114.00")
    assert str(lp.line_subtotal) == "114.00"
    assert lp.is_on_sale is False
    assert lp.price_schedule_id == "ps1"
    assert lp.price_overridden is False


@pytest.mark.parametrize(
    ("markup_type", "expected_subtotal", "expected_unit"),
    [
        ("AmountTotal", "510", "51"),
        ("Percentage", "550", "55"),
        ("AmountPerQuantity", "600", "60"),
        ("NoMarkup", "500", "50"),
    ],
)
def test_markup_worked_example(markup_type: Any, expected_subtotal: str, expected_unit: str) -> None:
    lp = price_line(simple(50), 10, markups=[SpecMarkup(markup_type, D(10))], now=NOW)
    assert lp.line_subtotal == D(expected_subtotal)
    assert lp.unit_price == D(expected_unit)


def test_amount_total_unit_price_is_subtotal_over_quantity_rounded() -> None:
    lp = price_line(simple(50), 7, markups=[SpecMarkup("AmountTotal", D(10))], now=NOW)
    assert lp.line_subtotal == D("360.00")
    assert lp.unit_price == D("51.43")  # 360/7 = 51.428...


def test_percentages_apply_to_base_and_are_summed_not_compounded() -> None:
    markups = [
        SpecMarkup("Percentage", D(10)),
        SpecMarkup("Percentage", D(10)),
        SpecMarkup("AmountPerQuantity", D(5)),
    ]
    lp = price_line(simple(100), 2, markups=markups, now=NOW)
    assert lp.unit_price == D("125.00")  # 100 + 10 + 10 + 5, not 100*1.1*1.1 + 5
    assert lp.line_subtotal == D("250.00")


def test_all_markup_kinds_combined() -> None:
    markups = [
        SpecMarkup("AmountPerQuantity", D(2)),
        SpecMarkup("Percentage", D(50)),
        SpecMarkup("AmountTotal", D(3)),
    ]
    lp = price_line(simple(10), 4, markups=markups, now=NOW)
    assert lp.line_subtotal == D("71.00")  # (10 + 2 + 5) * 4 + 3
    assert lp.unit_price == D("17.75")


def test_percentage_markup_rounds_half_up() -> None:
    lp = price_line(simple("0.05"), 3, markups=[SpecMarkup("Percentage", D(10))], now=NOW)
    assert lp.unit_price == D("0.06")  # 0.055 -> 0.06
    assert lp.line_subtotal == D("0.18")


def test_override_unit_price_replaces_computed_price() -> None:
    lp = price_line(
        simple(50), 3, markups=[SpecMarkup("AmountTotal", D(10))], now=NOW, override_unit_price=D("7.125")
    )
    assert lp.unit_price == D("7.13")
    assert lp.line_subtotal == D("21.39")
    assert lp.price_overridden is True


@pytest.mark.parametrize("qty", [0, -1])
def test_price_line_refuses_non_positive_quantity(qty: int) -> None:
    with pytest.raises(ValidationFailed) as exc:
        price_line(simple(50), qty, now=NOW)
    assert exc.value.code == "LineItem.QuantityMustBePositive"


def test_price_line_jpy_and_kwd_exponents() -> None:
    assert str(price_line(simple("100.5", "JPY"), 3, now=NOW).line_subtotal) == "303"
    assert str(price_line(simple("1.2345", "KWD"), 2, now=NOW).unit_price) == "1.235"


# --------------------------------------------------------------------------- sale window

START = datetime(2026, 6, 1, tzinfo=UTC)
END = datetime(2026, 6, 30, tzinfo=UTC)
SECOND = timedelta(seconds=1)


@pytest.mark.parametrize(
    ("start", "end", "now", "on_sale"),
    [
        (START, END, START, True),  # start inclusive
        (START, END, END, True),  # end inclusive
        (START, END, START - SECOND, False),
        (START, END, END + SECOND, False),
        (START, None, START + timedelta(days=900), True),  # open end
        (START, None, START - SECOND, False),
        (None, END, END - timedelta(days=900), True),  # open start
        (None, END, END + SECOND, False),
        (None, None, START, False),  # no window, no sale
    ],
)
def test_sale_window_edges(
    start: datetime | None, end: datetime | None, now: datetime, on_sale: bool
) -> None:
    s = sched(SaleStart=start, SaleEnd=end)
    lp = price_line(s, 10, now=now)
    assert lp.is_on_sale is on_sale
    assert lp.unit_price == (D("8.00") if on_sale else D("9.50"))
    assert s.is_sale_active(now) is on_sale


def test_sale_needs_a_sale_price_on_the_chosen_break() -> None:
    s = sched(SaleStart=START, SaleEnd=END)
    lp = price_line(s, 1, now=START)  # break 1 has no SalePrice
    assert lp.is_on_sale is False
    assert lp.unit_price == D("10.00")


def test_naive_now_is_taken_as_utc() -> None:
    s = sched(SaleStart=START, SaleEnd=END)
    assert price_line(s, 10, now=datetime(2026, 6, 15)).is_on_sale is True


# --------------------------------------------------------------------------- cumulative quantity


def test_cumulative_quantities_sum_by_product() -> None:
    assert cumulative_quantities([("p1", 4), ("p2", 1), ("p1", 7)]) == {"p1": 11, "p2": 1}
    assert cumulative_quantities([]) == {}


def test_cumulative_quantity_picks_break_when_schedule_uses_it() -> None:
    s = sched(UseCumulativeQuantity=True)
    totals = cumulative_quantities([("p1", 4), ("p1", 7)])
    lp = price_line(s, 4, cumulative_quantity=totals["p1"], now=NOW)
    assert lp.unit_price == D("9.50")  # break 10 via 11 in total, though the line has 4
    assert lp.line_subtotal == D("38.00")


def test_cumulative_quantity_ignored_when_schedule_does_not_use_it() -> None:
    lp = price_line(sched(), 4, cumulative_quantity=11, now=NOW)
    assert lp.unit_price == D("10.00")


# --------------------------------------------------------------------------- totals


def test_line_total() -> None:
    assert line_total(D("100.00"), D("15.50")) == D("84.50")
    assert line_total(D("100.00"), None) == D("100.00")


def test_order_totals_formula() -> None:
    totals = order_totals(
        [D("10.00"), D("20.50")],
        tax_cost=D("2.45"),
        shipping_cost=D("5"),
        gratuity=D("1"),
        fees=D("0.05"),
        promotion_discount=D("3"),
        currency="USD",
    )
    assert totals.subtotal == D("30.50")
    assert totals.total == D("36.00")
    assert str(totals.total) == "36.00"


def test_order_totals_none_counts_as_zero() -> None:
    totals = order_totals(
        [D("10.00")],
        tax_cost=None,
        shipping_cost=None,
        gratuity=None,
        fees=None,
        promotion_discount=None,
        currency="JPY",
    )
    assert totals == (D("10"), D("10"))
    assert order_totals([], currency="USD").total == D("0.00")


# --------------------------------------------------------------------------- properties

money = st.decimals(min_value=0, max_value=100_000, places=2, allow_nan=False, allow_infinity=False)
opt_money = st.none() | money
currencies = st.sampled_from(["USD", "EUR", "JPY", "KWD", None])


@given(st.lists(money, max_size=30), opt_money, opt_money, opt_money, opt_money, opt_money)
def test_order_total_equals_sum_of_parts(
    subs: list[Decimal],
    tax: Decimal | None,
    ship: Decimal | None,
    grat: Decimal | None,
    fees: Decimal | None,
    promo: Decimal | None,
) -> None:
    totals = order_totals(
        subs,
        tax_cost=tax,
        shipping_cost=ship,
        gratuity=grat,
        fees=fees,
        promotion_discount=promo,
        currency="USD",
    )
    expected = sum(subs, D(0)) + (tax or 0) + (ship or 0) + (grat or 0) + (fees or 0) - (promo or 0)
    assert totals.subtotal == sum(subs, D(0))
    assert totals.total == expected
    assert totals.total.as_tuple().exponent == -2


break_lists = st.lists(
    st.tuples(st.integers(1, 1000), money), min_size=1, max_size=6, unique_by=lambda t: t[0]
)


def _schedule_from(breaks: list[tuple[int, Decimal]], currency: str | None = "USD") -> PriceSchedule:
    return PriceSchedule.from_doc(
        {
            "ID": "x",
            "Currency": currency,
            "MinQuantity": None,
            "PriceBreaks": [{"Quantity": q, "Price": p} for q, p in breaks],
        }
    )


@given(break_lists, st.integers(1, 2000), st.integers(1, 2000))
def test_larger_quantity_never_picks_smaller_break(breaks: list[tuple[int, Decimal]], a: int, b: int) -> None:
    s = _schedule_from(breaks)
    lo, hi = sorted((a, b))
    assert select_break(s, lo).quantity <= select_break(s, hi).quantity
    chosen = select_break(s, hi)
    qualifying = [q for q, _ in breaks if q <= hi]
    assert chosen.quantity == (max(qualifying) if qualifying else min(q for q, _ in breaks))


@given(
    break_lists,
    st.integers(1, 500),
    currencies,
    st.lists(
        st.builds(
            SpecMarkup,
            st.sampled_from(["NoMarkup", "AmountPerQuantity", "AmountTotal", "Percentage"]),
            st.decimals(min_value=0, max_value=100, places=3, allow_nan=False, allow_infinity=False),
        ),
        max_size=3,
    ),
)
def test_line_prices_are_exact_decimals_in_currency_units(
    breaks: list[tuple[int, Decimal]], qty: int, currency: str | None, markups: list[SpecMarkup]
) -> None:
    s = _schedule_from(breaks, currency)
    lp = price_line(s, qty, markups=markups, now=NOW)
    exponent = -minor_units(currency)
    for value in (lp.unit_price, lp.line_subtotal):
        assert type(value) is Decimal
        assert value.as_tuple().exponent == exponent
    if not any(m.markup_type == "AmountTotal" and m.amount for m in markups):
        assert lp.line_subtotal == lp.unit_price * qty


def test_a_line_bought_in_a_bundle_takes_the_bundle_price_before_a_sale() -> None:
    breaks = [
        {"Quantity": 1, "Price": 10, "SalePrice": 7, "BundlePrice": "8.50"},
        {"Quantity": 5, "Price": 9},
    ]
    schedule = PriceSchedule.from_doc(schedule_doc(PriceBreaks=breaks, SaleStart="2026-01-01T00:00:00Z"))
    bundled = price_line(schedule, 2, now=NOW, in_bundle=True)
    assert (bundled.unit_price, bundled.line_subtotal, bundled.is_on_sale) == (D("8.50"), D("17.00"), False)
    alone = price_line(schedule, 2, now=NOW)
    assert (alone.unit_price, alone.is_on_sale) == (D("7.00"), True)
    # A break without a BundlePrice prices a bundle's line as any other.
    assert price_line(schedule, 5, now=NOW, in_bundle=True).unit_price == D("9.00")
