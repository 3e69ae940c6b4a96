"""domain/order_status.py: what each status allows, OrderCloud's refusals, and the typed
bookkeeping round-tripping the stored JSON unchanged."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain.clock import iso
from domain.errors import InvalidTransition, ValidationFailed
from domain.order_status import (
    RULES,
    STATES,
    Bookkeeping,
    Debit,
    Op,
    OrderAggregate,
    Reservation,
    allows,
    is_submitted,
    require,
    require_editable,
)
from domain.orders import new_order_doc

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


# --------------------------------------------------------------------------- the aggregate


def _stored_order(**extra: Any) -> dict[str, Any]:
    order = new_order_doc(
        order_id="o1",
        from_company_id="b1",
        to_company_id="ordercore",
        now=datetime(2024, 3, 1, 12, 0, tzinfo=UTC),
        from_user={"ID": "alice"},
        currency="USD",
    )
    order.update(ShippingCost=Decimal("5.00"), xp={"Note": "keep"}, _ShippingAddress=None, **extra)
    return order


def test_an_order_loaded_and_dumped_is_the_same_document_key_for_key() -> None:
    stored = _stored_order(
        _Reserved=[{"Kind": "product", "Scope": "", "ID": "p1", "Quantity": 2}],
        _SpendingDebits=[],
        _PromosRedeemed=True,
    )
    dumped = OrderAggregate.load(stored).dump()
    assert dumped == stored
    assert list(dumped) == list(stored)  # the stored JSON keeps its key order too


def test_the_aggregate_types_status_money_and_bookkeeping() -> None:
    order = OrderAggregate.load(
        _stored_order(_Reserved=[{"Kind": "product", "Scope": "", "ID": "p1", "Quantity": 2}])
    )
    assert (order.id, order.status, order.is_submitted) == ("o1", "Unsubmitted", False)
    assert (order.shipping_cost, order.tax_cost, order.total) == (Decimal("5.00"), Decimal(0), Decimal(0))
    assert order.books.reserved == [Reservation("product", "", "p1", 2)]
    assert "Status" not in order.fields and "_Reserved" not in order.fields
    assert order.fields["xp"] == {"Note": "keep"}


def test_a_transition_stamps_its_dates_and_a_refused_one_changes_nothing() -> None:
    order = OrderAggregate.load(_stored_order())
    now = datetime(2024, 3, 2, 8, 30, tzinfo=UTC)
    order.transition("submit", now=now)
    doc = order.dump()
    assert (doc["Status"], doc["IsSubmitted"]) == ("Open", True)
    assert doc["DateSubmitted"] == doc["LastUpdated"] == iso(now)
    before = order.dump()
    with pytest.raises(InvalidTransition) as refused:
        order.transition("approve", now=now)
    assert refused.value.code == "Order.MustBeAwaitingApproval"
    assert refused.value.data == {"OrderID": "o1", "Status": "Open", "Event": "approve"}
    assert order.dump() == before


def test_check_refuses_with_the_machines_error_and_guards_read_the_status_table() -> None:
    order = OrderAggregate.load(_stored_order(Status="Completed"))
    with pytest.raises(InvalidTransition) as refused:
        order.check("cancel", may_cancel_open=True)
    assert refused.value.code == "Order.CannotCancelInCurrentStatus"
    assert not order.can("cancel")
    assert order.allows(Op.RETURN) and not order.allows(Op.SHIP)
    with pytest.raises(InvalidTransition) as ship:
        order.require(Op.SHIP)
    assert ship.value.data == {"OrderID": "o1", "Status": "Completed"}


def test_totals_are_refreshed_from_the_parts() -> None:
    order = OrderAggregate.load(_stored_order(Gratuity=Decimal("1.50"), PromotionDiscount=Decimal("2")))
    order.refresh_totals([Decimal("10.00"), Decimal("4.255")], line_count=2)
    assert (order.line_item_count, order.subtotal, order.total) == (2, Decimal("14.26"), Decimal("18.76"))
    order.refresh_totals()  # no lines: the order's own Subtotal stands
    assert order.total == Decimal("18.76")


def test_bookkeeping_is_written_only_once_it_changed_or_where_it_was() -> None:
    untouched = OrderAggregate.load(_stored_order()).dump()
    assert "_Reserved" not in untouched and "_SpendingDebits" not in untouched
    order = OrderAggregate.load(_stored_order())
    order.took([Reservation("product", "", "p1", 2)], [Debit("sa1", Decimal("3"))])
    doc = order.dump()
    assert doc["_Reserved"] == [{"Kind": "product", "Scope": "", "ID": "p1", "Quantity": 2}]
    assert doc["_SpendingDebits"] == [{"SpendingAccountID": "sa1", "Amount": Decimal("3")}]
    again = OrderAggregate.load(doc)
    again.settle_books()
    assert (again.dump()["_Reserved"], again.dump()["_SpendingDebits"]) == ([], [])
    assert "_Reserved" not in again.public()
