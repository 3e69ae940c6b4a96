"""The built-in return calculator (`domain.returns.line_shares` + `item_refund`) and the payment
status (`domain.payments.payment_status`): pure functions, checked by example and by property."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.payments import PaymentStatus, from_financial, payment_status
from domain.returns import (
    Claim,
    OrderCharges,
    ReturnLine,
    item_refund,
    line_shares,
    refundable_pool,
    restock_quantities,
)

D = Decimal
CENT = D("0.01")


def test_example_from_the_issue() -> None:
    """Lines 29.97 and 24.70, tax 1.65, shipping 9.99, an order discount of 5.00 (Total 61.31)."""
    lines = [("a", D("29.97"), 3), ("b", D("24.70"), 2)]
    charges = OrderCharges(tax=D("1.65"), shipping=D("9.99"), order_discount=D("5.00"))
    shares = line_shares(lines, charges, refund_shipping=True, currency="USD")
    assert shares == {"a": D("33.61"), "b": D("27.70")}
    assert sum(shares.values()) == D("61.31")
    kept = line_shares(lines, charges, refund_shipping=False, currency="USD")
    assert sum(kept.values()) == D("51.32")
    line = ReturnLine("a", 3, 3, D("29.97"), True, shares["a"])
    first = item_refund(line, 1, Claim(), "USD")
    second = item_refund(line, 2, Claim(1, first), "USD")
    assert (first, second) == (D("11.20"), D("22.41"))


def test_zero_value_lines_share_by_quantity() -> None:
    shares = line_shares(
        [("a", D(0), 1), ("b", D(0), 3)],
        OrderCharges(shipping=D("4.00")),
        refund_shipping=True,
        currency=None,
    )
    assert shares == {"a": D("1.00"), "b": D("3.00")}


def test_a_zero_decimal_currency_rounds_to_units() -> None:
    shares = line_shares(
        [("a", D(100), 1), ("b", D(100), 1), ("c", D(100), 1)],
        OrderCharges(tax=D(10)),
        refund_shipping=True,
        currency="JPY",
    )
    assert shares == {"a": D(103), "b": D(104), "c": D(103)} and sum(shares.values()) == D(310)


money = st.decimals(min_value=D("0.00"), max_value=D("5000"), places=2)
line_st = st.tuples(money, st.integers(min_value=1, max_value=7))


@st.composite
def orders(draw: st.DrawFn) -> tuple[list[tuple[str, Decimal, int]], OrderCharges, bool]:
    raw = draw(st.lists(line_st, min_size=1, max_size=6))
    lines = [(f"l{i}", total, qty) for i, (total, qty) in enumerate(raw)]
    value = sum((t for _, t, _ in lines), D(0))
    discount = draw(st.decimals(min_value=D(0), max_value=value, places=2)) if value else D(0)
    charges = OrderCharges(tax=draw(money), shipping=draw(money), order_discount=discount, other=draw(money))
    return lines, charges, draw(st.booleans())


@settings(max_examples=300, deadline=None)
@given(orders(), st.randoms(use_true_random=False))
def test_refunds_never_exceed_what_was_paid_and_a_full_return_sums_exactly(
    order: tuple[list[tuple[str, Decimal, int]], OrderCharges, bool], rnd: object
) -> None:
    lines, charges, refund_shipping = order
    total = (
        sum((t for _, t, _ in lines), D(0))
        - charges.order_discount
        + charges.tax
        + charges.shipping
        + charges.other
    )
    pool = refundable_pool([t for _, t, _ in lines], charges, refund_shipping=refund_shipping)
    shares = line_shares(lines, charges, refund_shipping=refund_shipping, currency="USD")
    assert all(s >= 0 and s == s.quantize(CENT) for s in shares.values())
    assert sum(shares.values()) == pool <= total
    # Return every unit in random partial returns, interleaving the lines.
    units = [line_id for line_id, _, qty in lines for _ in range(qty)]
    rnd.shuffle(units)  # type: ignore[attr-defined]
    claims = {line_id: Claim() for line_id, _, _ in lines}
    by_id = {line_id: ReturnLine(line_id, qty, qty, t, True, shares[line_id]) for line_id, t, qty in lines}
    refunded = D(0)
    while units:
        take = rnd.randint(1, len(units))  # type: ignore[attr-defined]
        batch, units = units[:take], units[take:]
        for line_id in sorted(set(batch)):
            n = batch.count(line_id)
            refund = item_refund(by_id[line_id], n, claims[line_id], "USD")
            assert refund >= 0
            claims[line_id] = Claim(claims[line_id].quantity + n, claims[line_id].refund + refund)
            refunded += refund
            assert refunded <= total
    assert refunded == pool
    if refund_shipping:
        assert refunded == max(D(0), total)


def test_damaged_items_are_not_restocked() -> None:
    ret = {
        "ItemsToReturn": [
            {"LineItemID": "a", "Quantity": 2, "Condition": "Damaged"},
            {"LineItemID": "b", "Quantity": 1, "Condition": "Resellable", "RestockInventoryRecordID": "r"},
            {"LineItemID": "c", "Quantity": None},
            {"LineItemID": "d", "Quantity": 3},
        ]
    }
    assert restock_quantities(ret) == [("b", 1, "r"), ("d", 3, None)]


def _pay(amount: str | None, *, accepted: bool = True, refund_for: str | None = None) -> dict[str, object]:
    return {
        "Amount": None if amount is None else D(amount),
        "Accepted": accepted,
        "OrderReturnID": refund_for,
    }


@pytest.mark.parametrize(
    ("payments", "status"),
    [
        ([], PaymentStatus.NOT_PAID),
        ([_pay("129.90", accepted=False)], PaymentStatus.PENDING),
        ([_pay("50")], PaymentStatus.PARTIALLY_PAID),
        ([_pay("50"), _pay("79.90")], PaymentStatus.PAID),
        ([_pay(None)], PaymentStatus.PAID),  # no Amount: the whole order
        ([_pay("129.90"), _pay("-40", refund_for="r1")], PaymentStatus.PARTIALLY_REFUNDED),
        ([_pay("129.90"), _pay("-129.90", refund_for="r1")], PaymentStatus.FULLY_REFUNDED),
        # The issue's case: the card was never accepted, 40 went back: a partial refund.
        ([_pay("129.90", accepted=False), _pay("-40", refund_for="r1")], PaymentStatus.PARTIALLY_REFUNDED),
        ([_pay("129.90"), _pay("-40", accepted=False, refund_for="r1")], PaymentStatus.PAID),
    ],
)
def test_payment_status(payments: list[dict[str, object]], status: PaymentStatus) -> None:
    assert payment_status(D("129.90"), payments) == status


def test_an_order_of_nothing_is_paid_and_channels_map_onto_the_vocabulary() -> None:
    assert payment_status(D(0), []) == PaymentStatus.PAID
    assert from_financial("refunded") == PaymentStatus.FULLY_REFUNDED
    assert from_financial("authorized") == PaymentStatus.PENDING
    assert from_financial("voided") == PaymentStatus.NOT_PAID
