"""domain.events (what a decided change leaves and raises) and domain.payments.payment_status."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from domain import events as ev
from domain.payments import from_financial_status, payment_status


def order(status: str, **extra: object) -> dict[str, object]:
    return {"ID": "o1", "Status": status, "_Reserved": [], **extra}


@pytest.mark.parametrize(
    ("before", "after", "entry", "event"),
    [
        ("Unsubmitted", "Open", "Submitted", "order.submitted"),
        ("Unsubmitted", "AwaitingApproval", "ApprovalRequested", "order.submitted"),
        ("AwaitingApproval", "Open", "Approved", "order.approved"),
        ("AwaitingApproval", "Declined", "Declined", "order.declined"),
        ("AwaitingApproval", "Unsubmitted", "Declined", "order.declined"),
        ("Open", "Canceled", "Canceled", "order.canceled"),
        ("Unsubmitted", "Canceled", "Canceled", "order.canceled"),
        ("Open", "Completed", "Completed", None),
    ],
)
def test_order_transitions(before: str, after: str, entry: str, event: str | None) -> None:
    change = ev.order_transition(order(before), order(after))
    assert change is not None and change.activity == entry
    assert change.data == {"From": before, "To": after}
    assert [e.type for e in change.events] == ([event] if event else [])
    for e in change.events:
        assert e.key == "o1" and e.data["OrderID"] == "o1"
        assert "_Reserved" not in e.data["Order"]  # private fields never leave


def test_no_status_change_no_entry() -> None:
    assert ev.order_transition(order("Open"), order("Open")) is None


def test_status_changes_need_a_baseline_and_a_move() -> None:
    now = {"PaymentStatus": "PAID", "FulfillmentStatus": "unfulfilled"}
    assert ev.status_changes("o1", None, now, {"ID": "o1"}) == ()
    assert ev.status_changes("o1", dict(now), now, {"ID": "o1"}) == ()
    moved = ev.status_changes("o1", {**now, "PaymentStatus": "NOT_PAID"}, now, {"ID": "o1"})
    assert [(e.type, e.data["Previous"], e.data["Current"]) for e in moved] == [
        ("order.payment_status_changed", "NOT_PAID", "PAID")
    ]


def test_returns_refunds_shipments_and_the_envelope() -> None:
    ret = {"ID": "r1", "OrderID": "o1", "Status": "Unsubmitted"}
    opened = ev.return_transition(None, ret)
    assert opened is not None and opened.activity == "ReturnOpened" and opened.events == ()
    done = ev.return_transition({**ret, "Status": "Open"}, {**ret, "Status": "Completed"})
    assert done is not None and done.activity == "ReturnCompleted"
    assert [e.type for e in done.events] == ["return.completed"]
    refund = ev.payment_recorded("o1", {"ID": "p1", "Amount": Decimal("-5"), "OrderReturnID": "r1"})
    assert refund.activity == "Refunded" and [e.type for e in refund.events] == ["refund.created"]
    assert ev.payment_recorded("o1", {"ID": "p2", "Amount": Decimal("5")}).events == ()
    first = ev.shipped({"ID": "s1", "TrackingNumber": "T"}, "o1", True)
    assert [e.type for e in first.events] == ["shipment.created"]
    assert ev.shipped({"ID": "s1"}, "o2", False).events == ()
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    body = ev.envelope(first.events[0], at)
    assert body == {
        "type": "shipment.created",
        "timestamp": "2026-01-02T03:04:05.000+00:00",
        "data": body["data"],
    }


def pay(amount: str | None, *, accepted: bool = True, ret: str | None = None) -> dict[str, object]:
    return {"Amount": None if amount is None else Decimal(amount), "Accepted": accepted, "OrderReturnID": ret}


@pytest.mark.parametrize(
    ("payments", "status"),
    [
        ([], "NOT_PAID"),
        ([pay("50", accepted=False)], "PENDING"),
        ([pay("50")], "PARTIALLY_PAID"),
        ([pay("129.90")], "PAID"),
        ([pay(None)], "PAID"),
        ([pay("129.90"), pay("-40", ret="r1")], "PARTIALLY_REFUNDED"),
        ([pay("129.90"), pay("-129.90", ret="r1")], "FULLY_REFUNDED"),
        ([pay("129.90"), pay("-40", ret="r1", accepted=False)], "PAID"),
    ],
)
def test_payment_status(payments: list[dict[str, object]], status: str) -> None:
    assert payment_status(Decimal("129.90"), payments) == status


def test_payment_status_of_a_free_order_and_imported_statuses() -> None:
    assert payment_status(Decimal(0), []) == "PAID"
    assert from_financial_status("refunded") == "FULLY_REFUNDED"
    assert from_financial_status("PAID") == "PAID"
    assert from_financial_status(None) is None
