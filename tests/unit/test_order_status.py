"""domain/order_status.py: what each status allows, OrderCloud's refusals, and the typed
bookkeeping round-tripping the stored JSON unchanged."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from domain.errors import InvalidTransition, ValidationFailed
from domain.lifecycle import STATES
from domain.order_status import (
    RULES,
    Bookkeeping,
    Debit,
    Op,
    Reservation,
    allows,
    is_submitted,
    require,
    require_editable,
)

ALLOWED = {
    Op.EDIT_LINES: {"Unsubmitted"},
    Op.EDIT_PROMOS: {"Unsubmitted"},
    Op.REPRICE: {"Unsubmitted"},
    Op.FORWARD: {"Open"},
    Op.SHIP: {"Open"},
    Op.RETURN: {"Open", "Completed"},
    Op.EDIT_PAYMENTS: {"Unsubmitted", "AwaitingApproval", "Declined", "Open", "Completed"},
}


@pytest.mark.parametrize("op", list(Op))
@pytest.mark.parametrize("status", STATES)
def test_each_operation_is_allowed_in_exactly_its_statuses(op: Op, status: str) -> None:
    order = {"ID": "o1", "Status": status}
    assert allows(order, op) is (status in ALLOWED[op])
    if status in ALLOWED[op]:
        require(order, op)
    else:
        with pytest.raises((ValidationFailed, InvalidTransition)) as refused:
            require(order, op)
        assert refused.value.code == RULES[op].code


def test_refusals_carry_the_order_and_its_status() -> None:
    with pytest.raises(ValidationFailed) as refused:
        require_editable({"ID": "o1", "Status": "Open"})
    assert refused.value.code == "Order.CannotModifyBadStatus"
    assert (
        refused.value.message == "Line items can only be changed while the order is Unsubmitted (it is Open)"
    )
    assert refused.value.data == {"OrderID": "o1", "Status": "Open"}
    with pytest.raises(InvalidTransition) as ship:
        require({"ID": "o1", "Status": "Completed"}, Op.SHIP)
    assert ship.value.code == "Order.CannotShipBadStatus"
    with pytest.raises(ValidationFailed) as pay:
        require({"ID": "o1", "Status": "Canceled"}, Op.EDIT_PAYMENTS)
    assert pay.value.data == {"OrderID": "o1"}  # OrderCloud names only the order here


def test_an_order_without_a_known_status_allows_nothing() -> None:
    assert not any(allows({"ID": "o1"}, op) for op in Op)
    assert not any(allows({"ID": "o1", "Status": "open"}, op) for op in Op)


def test_a_declined_order_is_being_edited_again_not_submitted() -> None:
    assert [s for s in STATES if is_submitted({"Status": s})] == [
        "AwaitingApproval",
        "Open",
        "Completed",
        "Canceled",
    ]


def test_bookkeeping_round_trips_the_stored_json() -> None:
    stored: dict[str, Any] = {
        "ID": "o1",
        "_Reserved": [{"Kind": "product", "Scope": "", "ID": "p1", "Quantity": 3}],
        "_SpendingDebits": [{"SpendingAccountID": "sa1", "Amount": Decimal("12.50")}],
        "_Checkout": {"Fingerprint": "abc", "ShipEstimateResponse": None},
    }
    books = Bookkeeping.load(stored)
    assert books.reserved == [Reservation("product", "", "p1", 3)]
    assert books.debits == [Debit("sa1", Decimal("12.50"))]
    again = {"ID": "o1"}
    books.dump(again)
    assert again == stored
    books.settled().dump(again)
    assert (
        again["_Reserved"] == []
        and again["_SpendingDebits"] == []
        and again["_Checkout"] == stored["_Checkout"]
    )


def test_an_order_without_bookkeeping_loads_empty_and_gains_no_checkout_key() -> None:
    order: dict[str, Any] = {"ID": "o1"}
    books = Bookkeeping.load(order)
    assert books == Bookkeeping()
    books.dump(order)
    assert order == {"ID": "o1", "_Reserved": [], "_SpendingDebits": []}
