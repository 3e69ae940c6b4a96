from __future__ import annotations

import copy
import gc
from datetime import UTC, datetime
from typing import Any

import pytest
import transitions

from domain import order_status
from domain.clock import iso
from domain.errors import InvalidTransition
from domain.order_status import (
    AWAITING_APPROVAL,
    CANCELED,
    COMPLETED,
    DECLINED,
    EVENTS,
    OPEN,
    STATES,
    UNSUBMITTED,
    apply,
    can,
)

NOW = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=UTC)
STAMP = iso(NOW)
EARLIER = "2024-01-01T00:00:00.000+00:00"
DATE_FIELDS = ("DateSubmitted", "DateApproved", "DateDeclined", "DateCanceled", "DateCompleted")

# (state, event, flags) -> destination; any combination missing here must be refused.
ALLOWED: dict[tuple[str, str, bool], str] = {
    (UNSUBMITTED, "submit", False): OPEN,
    (UNSUBMITTED, "submit_for_approval", False): AWAITING_APPROVAL,
    (AWAITING_APPROVAL, "approve", False): OPEN,
    (AWAITING_APPROVAL, "decline", False): DECLINED,
    (OPEN, "complete", False): COMPLETED,
    (UNSUBMITTED, "cancel", False): CANCELED,
    (AWAITING_APPROVAL, "cancel", False): CANCELED,
    (DECLINED, "cancel", False): CANCELED,
}
CODES = {
    "submit": "Order.CannotSubmitBadStatus",
    "submit_for_approval": "Order.CannotSubmitBadStatus",
    "approve": "Order.MustBeAwaitingApproval",
    "decline": "Order.MustBeAwaitingApproval",
    "complete": "Order.CannotCompleteBadStatus",
    "cancel": "Order.CannotCancelInCurrentStatus",
}


def order(status: str, **extra: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "ID": "o1",
        "Status": status,
        "IsSubmitted": status in (OPEN, COMPLETED),
        "LastUpdated": EARLIER,
        "xp": {"nested": [1, 2]},
    }
    for f in DATE_FIELDS:
        doc[f] = None
    doc.update(extra)
    return doc


def test_states_and_events_are_the_ordercloud_ones() -> None:
    assert set(STATES) == {UNSUBMITTED, AWAITING_APPROVAL, DECLINED, OPEN, COMPLETED, CANCELED}
    assert set(EVENTS) == set(CODES)


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_event_pair_with_default_flags(state: str, event: str) -> None:
    doc = order(state)
    dest = ALLOWED.get((state, event, False))
    assert can(doc, event) is (dest is not None)
    if dest is None:
        before = copy.deepcopy(doc)
        with pytest.raises(InvalidTransition) as info:
            apply(doc, event, now=NOW)
        assert info.value.code == CODES[event]
        assert info.value.status == 400
        assert info.value.data == {"OrderID": "o1", "Status": state, "Event": event}
        assert doc == before
    else:
        apply(doc, event, now=NOW)
        assert doc["Status"] == dest
        assert doc["LastUpdated"] == STAMP


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("state", STATES)
def test_refusals_never_touch_the_dict_even_with_permissive_flags(state: str, event: str) -> None:
    doc = order(state)
    flags = {"allow_resubmit": True, "may_cancel_open": True}
    if can(doc, event, **flags):
        return
    before = copy.deepcopy(doc)
    with pytest.raises(InvalidTransition) as info:
        apply(doc, event, now=NOW, **flags)
    assert info.value.code == CODES[event]
    assert doc == before


def test_submit_stamps_date_submitted_and_is_submitted() -> None:
    doc = order(UNSUBMITTED)
    apply(doc, "submit", now=NOW)
    assert doc["Status"] == OPEN
    assert doc["IsSubmitted"] is True
    assert doc["DateSubmitted"] == STAMP
    assert all(doc[f] is None for f in DATE_FIELDS if f != "DateSubmitted")


def test_submit_for_approval_keeps_order_unsubmitted() -> None:
    doc = order(UNSUBMITTED)
    apply(doc, "submit_for_approval", now=NOW)
    assert doc["Status"] == AWAITING_APPROVAL
    assert doc["IsSubmitted"] is False
    assert doc["DateSubmitted"] is None
    assert doc["LastUpdated"] == STAMP


def test_approve_stamps_approved_and_first_submit() -> None:
    doc = order(AWAITING_APPROVAL)
    apply(doc, "approve", now=NOW)
    assert doc["Status"] == OPEN
    assert doc["IsSubmitted"] is True
    assert doc["DateApproved"] == STAMP
    assert doc["DateSubmitted"] == STAMP


def test_approve_keeps_an_existing_date_submitted() -> None:
    doc = order(AWAITING_APPROVAL, DateSubmitted=EARLIER)
    apply(doc, "approve", now=NOW)
    assert doc["DateSubmitted"] == EARLIER
    assert doc["DateApproved"] == STAMP


def test_decline_without_resubmit_goes_to_declined() -> None:
    doc = order(AWAITING_APPROVAL)
    apply(doc, "decline", now=NOW)
    assert doc["Status"] == DECLINED
    assert doc["DateDeclined"] == STAMP
    assert doc["IsSubmitted"] is False


def test_decline_with_resubmit_returns_to_unsubmitted_and_can_resubmit() -> None:
    doc = order(AWAITING_APPROVAL)
    assert can(doc, "decline", allow_resubmit=True)
    apply(doc, "decline", now=NOW, allow_resubmit=True)
    assert doc["Status"] == UNSUBMITTED
    assert doc["DateDeclined"] == STAMP
    apply(doc, "submit", now=NOW)
    assert doc["Status"] == OPEN


def test_complete_stamps_date_completed() -> None:
    doc = order(OPEN)
    apply(doc, "complete", now=NOW)
    assert doc["Status"] == COMPLETED
    assert doc["DateCompleted"] == STAMP


@pytest.mark.parametrize("state", [UNSUBMITTED, AWAITING_APPROVAL, DECLINED])
@pytest.mark.parametrize("may_cancel_open", [False, True])
def test_cancel_before_open_is_allowed_for_everyone(state: str, may_cancel_open: bool) -> None:
    doc = order(state)
    apply(doc, "cancel", now=NOW, may_cancel_open=may_cancel_open)
    assert doc["Status"] == CANCELED
    assert doc["DateCanceled"] == STAMP


def test_buyer_cannot_cancel_open_order() -> None:
    doc = order(OPEN)
    before = copy.deepcopy(doc)
    assert not can(doc, "cancel")
    with pytest.raises(InvalidTransition) as info:
        apply(doc, "cancel", now=NOW)
    assert info.value.code == "Order.CannotCancelInCurrentStatus"
    assert doc == before


def test_order_admin_can_cancel_open_order() -> None:
    doc = order(OPEN)
    assert can(doc, "cancel", may_cancel_open=True)
    apply(doc, "cancel", now=NOW, may_cancel_open=True)
    assert doc["Status"] == CANCELED
    assert doc["DateCanceled"] == STAMP


@pytest.mark.parametrize("state", [COMPLETED, CANCELED])
def test_nobody_cancels_completed_or_canceled(state: str) -> None:
    doc = order(state)
    with pytest.raises(InvalidTransition) as info:
        apply(doc, "cancel", now=NOW, may_cancel_open=True)
    assert info.value.code == "Order.CannotCancelInCurrentStatus"
    assert doc["Status"] == state


@pytest.mark.parametrize("status", [None, "Bogus", "open"])
def test_unknown_status_is_refused_with_the_event_code(status: Any) -> None:
    doc = order(UNSUBMITTED, Status=status)
    before = copy.deepcopy(doc)
    assert not can(doc, "submit")
    with pytest.raises(InvalidTransition) as info:
        apply(doc, "submit", now=NOW)
    assert info.value.code == "Order.CannotSubmitBadStatus"
    assert doc == before


def test_unknown_event_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        apply(order(UNSUBMITTED), "ship", now=NOW)
    with pytest.raises(ValueError):
        can(order(UNSUBMITTED), "reopen")


def test_full_happy_path() -> None:
    doc = order(UNSUBMITTED)
    apply(doc, "submit_for_approval", now=NOW)
    apply(doc, "approve", now=NOW)
    apply(doc, "complete", now=NOW)
    assert doc["Status"] == COMPLETED
    assert doc["DateSubmitted"] == doc["DateApproved"] == doc["DateCompleted"] == STAMP


def test_one_machine_serves_every_order_and_holds_no_models() -> None:
    created: list[object] = []
    original_init = transitions.Machine.__init__

    def spy(self: Any, *a: Any, **kw: Any) -> None:
        created.append(self)
        original_init(self, *a, **kw)

    transitions.Machine.__init__ = spy  # type: ignore[method-assign]
    try:
        for _ in range(50):
            doc = order(UNSUBMITTED)
            apply(doc, "submit", now=NOW)
            apply(doc, "complete", now=NOW)
    finally:
        transitions.Machine.__init__ = original_init  # type: ignore[method-assign]
    gc.collect()
    assert created == []
    assert order_status._MACHINE.models == []
    assert order_status._MACHINE.auto_transitions is False


def test_plain_mutable_mapping_works() -> None:
    from collections import UserDict

    doc = UserDict(order(UNSUBMITTED))
    apply(doc, "submit", now=NOW)
    assert doc["Status"] == OPEN
