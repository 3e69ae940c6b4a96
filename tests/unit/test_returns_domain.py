"""The order-return status machine and refund arithmetic."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import returns
from domain.clock import iso
from domain.errors import InvalidTransition, NotFound, ValidationFailed
from domain.order_status import AWAITING_APPROVAL, CANCELED, COMPLETED, DECLINED, OPEN, STATES, UNSUBMITTED
from domain.returns import Claim, ReturnLine, claims_of, eligible_quantity, item_refund, price_items

NOW = datetime(2024, 5, 6, 7, 8, 9, tzinfo=UTC)
STAMP = iso(NOW)

ALLOWED: dict[tuple[str, str, bool], str] = {
    (UNSUBMITTED, "submit", False): OPEN,
    (UNSUBMITTED, "submit_for_approval", False): AWAITING_APPROVAL,
    (AWAITING_APPROVAL, "approve", False): OPEN,
    (AWAITING_APPROVAL, "decline", False): DECLINED,
    (OPEN, "complete", False): COMPLETED,
    (AWAITING_APPROVAL, "cancel", False): CANCELED,
    (DECLINED, "cancel", False): CANCELED,
    (OPEN, "cancel", False): CANCELED,
    (COMPLETED, "cancel", True): CANCELED,
}
STAMPED = {
    "submit": {"DateSubmitted"},
    "submit_for_approval": set(),
    "approve": {"DateApproved", "DateSubmitted"},
    "decline": {"DateDeclined"},
    "complete": {"DateCompleted"},
    "cancel": {"DateCanceled"},
}
DATES = ("DateSubmitted", "DateApproved", "DateDeclined", "DateCanceled", "DateCompleted")


def _doc(status: str) -> dict[str, Any]:
    return {"ID": "r1", "Status": status, "LastUpdated": None, **dict.fromkeys(DATES)}


@pytest.mark.parametrize(
    ("status", "event", "flag"), list(itertools.product(STATES, returns.EVENTS, (False, True)))
)
def test_every_status_and_event(status: str, event: str, flag: bool) -> None:
    doc = _doc(status)
    dest = ALLOWED.get((status, event, flag)) or ALLOWED.get((status, event, False))
    assert returns.can(doc, event, may_cancel_completed=flag) is (dest is not None)
    if dest is None:
        before = dict(doc)
        with pytest.raises(InvalidTransition):
            returns.apply(doc, event, now=NOW, may_cancel_completed=flag)
        assert doc == before
        return
    returns.apply(doc, event, now=NOW, may_cancel_completed=flag)
    assert doc["Status"] == dest and doc["LastUpdated"] == STAMP
    assert {f for f in DATES if doc[f]} == STAMPED[event]


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (UNSUBMITTED, "OrderReturn.CannotCancelUnsubmitted"),
        (COMPLETED, "OrderReturn.NotAuthorizedToDelete"),
        (CANCELED, "OrderReturn.CannotCancelBadStatus"),
    ],
)
def test_cancel_refusal_codes(status: str, code: str) -> None:
    with pytest.raises(InvalidTransition) as info:
        returns.apply(_doc(status), "cancel", now=NOW)
    assert info.value.code == code


def test_other_refusal_codes() -> None:
    for status, event, code in (
        (OPEN, "submit", "OrderReturn.CannotSubmitBadStatus"),
        (OPEN, "approve", "OrderReturn.NotEligibleToApproveOrDecline"),
        (UNSUBMITTED, "decline", "OrderReturn.NotEligibleToApproveOrDecline"),
        (AWAITING_APPROVAL, "complete", "OrderReturn.CannotCompleteBadStatus"),
    ):
        with pytest.raises(InvalidTransition) as info:
            returns.apply(_doc(status), event, now=NOW)
        assert info.value.code == code


LINE = ReturnLine("l1", quantity=3, quantity_shipped=2, line_total=Decimal("20.00"), returnable=True)


def test_eligible_quantity_is_shipped_on_open_orders_and_ordered_on_completed_ones() -> None:
    assert eligible_quantity(LINE, OPEN, Claim()) == 2
    assert eligible_quantity(LINE, COMPLETED, Claim()) == 3
    assert eligible_quantity(LINE, COMPLETED, Claim(quantity=2)) == 1
    assert eligible_quantity(LINE, OPEN, Claim(quantity=3)) == 0


def test_refunds_of_one_unit_at_a_time_add_up_to_the_line_total() -> None:
    claim = Claim()
    paid = []
    for _ in range(3):
        refund = item_refund(LINE, 1, claim, "USD")
        paid.append(refund)
        claim = Claim(claim.quantity + 1, claim.refund + refund)
    assert paid == [Decimal("6.67"), Decimal("6.66"), Decimal("6.67")]
    assert item_refund(LINE, 2, Claim(), "JPY") == Decimal("13")


def test_price_items_refusals_and_overrides() -> None:
    lines = {"l1": LINE, "l2": ReturnLine("l2", 1, 1, Decimal("5.00"), returnable=False)}

    def price(
        items: list[dict[str, Any]], admin: bool = False, overrides: dict[str, Any] | None = None
    ) -> tuple[list[dict[str, Any]], Decimal]:
        return price_items(
            items, lines, {}, order_status=OPEN, currency="USD", any_product=admin, overrides=overrides
        )

    items, total = price([{"LineItemID": "l1", "Quantity": 1, "RefundAmount": 99, "Comments": "x"}])
    assert items[0]["RefundAmount"] == Decimal("6.67") and total == Decimal("6.67")  # the 99 is ignored
    assert items[0]["Comments"] == "x" and items[0]["Quantity"] == 1
    items, total = price([{"LineItemID": "l1", "Quantity": 1}], overrides={"l1": "7.5"})
    assert total == Decimal("7.50")
    _, total = price([{"LineItemID": "l2", "Quantity": 1}], admin=True)
    assert total == Decimal("5.00")
    for items_in, admin, overrides, code in (
        ([{"LineItemID": "l2", "Quantity": 1}], False, None, "OrderReturn.ProductNotEligibleToReturn"),
        ([{"LineItemID": "l1", "Quantity": 3}], True, None, "OrderReturn.ItemQuantityExceeded"),
        (
            [{"LineItemID": "l1"}, {"LineItemID": "l1"}],
            True,
            None,
            "OrderReturn.CannotCreateDuplicateItemToReturn",
        ),
        ([{"LineItemID": "l1"}], True, {"l1": -1}, "OrderReturn.RefundAmountMustNotBeNegative"),
    ):
        with pytest.raises(ValidationFailed) as info:
            price(items_in, admin, overrides)
        assert info.value.code == code
    with pytest.raises(NotFound):
        price([{"LineItemID": "nope"}])


def test_claims_ignore_dead_returns_and_the_return_itself() -> None:
    others = [
        {
            "ID": "a",
            "Status": OPEN,
            "ItemsToReturn": [{"LineItemID": "l1", "Quantity": 1, "RefundAmount": 6}],
        },
        {"ID": "b", "Status": CANCELED, "ItemsToReturn": [{"LineItemID": "l1", "Quantity": 1}]},
        {"ID": "c", "Status": DECLINED, "ItemsToReturn": [{"LineItemID": "l1", "Quantity": 1}]},
        {"ID": "d", "Status": UNSUBMITTED, "ItemsToReturn": [{"LineItemID": "l1", "Quantity": 1}]},
    ]
    assert claims_of(others, excluding="d") == {"l1": Claim(1, Decimal(6))}
    assert claims_of(others, excluding=None)["l1"].quantity == 2


@given(
    line_total=st.decimals(min_value=0, max_value=100000, places=2),
    quantity=st.integers(min_value=1, max_value=40),
    data=st.data(),
)
def test_partial_refunds_never_exceed_the_line_total(line_total: Decimal, quantity: int, data: Any) -> None:
    """Returns of random sizes, some later canceled: the live refunds never exceed LineTotal, and
    once every unit is back in live returns exactly the LineTotal is refunded."""
    line = ReturnLine("l1", quantity, quantity, line_total, returnable=True)
    live: list[dict[str, Any]] = []
    while True:
        claim = claims_of(live, excluding=None).get("l1", Claim())
        left = eligible_quantity(line, OPEN, claim)
        if left == 0:
            break
        returned = data.draw(st.integers(min_value=1, max_value=left))
        items, total = price_items(
            [{"LineItemID": "l1", "Quantity": returned}], {"l1": line}, {"l1": claim},
            order_status=OPEN, currency="USD",
        )  # fmt: skip
        live.append({"ID": str(len(live)), "Status": OPEN, "ItemsToReturn": items})
        if live and data.draw(st.booleans()) and data.draw(st.booleans()):
            live[data.draw(st.integers(0, len(live) - 1))]["Status"] = CANCELED
        refunded = claims_of(live, excluding=None).get("l1", Claim()).refund
        assert Decimal(0) <= total and refunded <= line_total
    assert claims_of(live, excluding=None)["l1"].refund == line_total
