"""The order status machine.

States are OrderCloud's `Order.Status` values: Unsubmitted, AwaitingApproval, Declined, Open,
Completed, Canceled. Events and the error code raised (as `InvalidTransition`) when the order's
current status does not allow them:

==================== ================================================ ===============================
event                allowed                                          refused with
==================== ================================================ ===============================
submit               Unsubmitted -> Open                              Order.CannotSubmitBadStatus
submit_for_approval  Unsubmitted -> AwaitingApproval                  Order.CannotSubmitBadStatus
approve              AwaitingApproval -> Open                         Order.MustBeAwaitingApproval
decline              AwaitingApproval -> Declined                     Order.MustBeAwaitingApproval
                     AwaitingApproval -> Unsubmitted (allow_resubmit)
complete             Open -> Completed                                Order.CannotCompleteBadStatus
cancel               Unsubmitted, AwaitingApproval, Declined -> Canc. Order.CannotCancelInCurrentStatus
                     Open -> Canceled (only with may_cancel_open)
==================== ================================================ ===============================

Cancel rule. OrderCloud's own message for `Order.CannotCancelInCurrentStatus` reads "Cannot cancel
an order with the status of Open or Completed", while its release notes speak of seller-canceled
orders. We reconcile the two (reference section 4, marked [I]) as: Completed and Canceled orders can
never be canceled; an Open order can be canceled only by a caller the app layer vouches for with
`may_cancel_open=True` (a seller/OrderAdmin user); a buyer without OrderAdmin may cancel only before
the order is Open. Every refusal uses `Order.CannotCancelInCurrentStatus`.

Dates stamped on success (all ISO strings from `domain.clock.iso`, plus `LastUpdated` always):

- submit: `DateSubmitted`, `IsSubmitted=True`.
- submit_for_approval: nothing but `LastUpdated`. `DateSubmitted` stays null and `IsSubmitted` false,
  because OrderCloud documents `DateSubmitted` as "null until the order passes from the buyer to the
  marketplace owner, including when Status is PendingApproval", and its lists treat AwaitingApproval
  as not submitted (`IsSubmitted=false` returns it).
- approve: `DateApproved`, `IsSubmitted=True`, and `DateSubmitted` when still null (that is the
  moment the order passes to the seller).
- decline: `DateDeclined`, also when `allow_resubmit` sends the order back to Unsubmitted, so the
  decline stays visible on the resubmittable order.
- complete: `DateCompleted`. cancel: `DateCanceled`.

One module-level `Machine` serves every order: building one costs ~0.5 ms and a Machine keeps
references to its models, so per-order machines would be both slow and a leak. Orders are wrapped
in a throwaway `StatusRef` whose `state` reads and writes `doc["Status"]`, and events are fired with
`Event.trigger(ref, ...)` so nothing is ever bound onto the model or registered with the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from datetime import datetime
from typing import Any, Final, cast

from transitions import EventData, Machine, MachineError

from domain.clock import iso
from domain.errors import InvalidTransition

__all__ = [
    "AWAITING_APPROVAL",
    "CANCELED",
    "COMPLETED",
    "DECLINED",
    "EVENTS",
    "OPEN",
    "STATES",
    "UNSUBMITTED",
    "apply",
    "can",
    "refusal",
    "refusal_code",
]

UNSUBMITTED: Final = "Unsubmitted"
AWAITING_APPROVAL: Final = "AwaitingApproval"
DECLINED: Final = "Declined"
OPEN: Final = "Open"
COMPLETED: Final = "Completed"
CANCELED: Final = "Canceled"
STATES: Final[tuple[str, ...]] = (UNSUBMITTED, AWAITING_APPROVAL, DECLINED, OPEN, COMPLETED, CANCELED)

_REFUSAL: Final[dict[str, tuple[str, str]]] = {
    "submit": ("Order.CannotSubmitBadStatus", "Only an Unsubmitted order can be submitted."),
    "submit_for_approval": ("Order.CannotSubmitBadStatus", "Only an Unsubmitted order can be submitted."),
    "approve": ("Order.MustBeAwaitingApproval", "Order must be awaiting approval."),
    "decline": ("Order.MustBeAwaitingApproval", "Order must be awaiting approval."),
    "complete": ("Order.CannotCompleteBadStatus", "Only an Open order can be completed."),
    "cancel": (
        "Order.CannotCancelInCurrentStatus",
        "Cannot cancel an order with the status of Open or Completed",
    ),
}
EVENTS: Final[tuple[str, ...]] = tuple(_REFUSAL)


class StatusRef:
    """The model `transitions` sees: a view of one document's `Status`, created per call and then
    dropped (shared by the order and the order-return machines)."""

    __slots__ = ("doc",)

    def __init__(self, doc: MutableMapping[str, Any]) -> None:
        self.doc = doc

    @property
    def state(self) -> Any:
        return self.doc.get("Status")

    @state.setter
    def state(self, value: str) -> None:
        self.doc["Status"] = value


def _kw(event: EventData, name: str) -> Any:
    return event.kwargs.get(name, False)


def _allow_resubmit(event: EventData) -> bool:
    return bool(_kw(event, "allow_resubmit"))


def _may_cancel_open(event: EventData) -> bool:
    return bool(_kw(event, "may_cancel_open"))


def _stamper(*fields: str, submitted: bool = False, keep_first_submit: bool = False) -> Callable[..., None]:
    """An `after` callback that writes `now` into `fields` (and IsSubmitted/DateSubmitted when asked)."""

    def stamp(event: EventData) -> None:
        doc = cast(StatusRef, event.model).doc
        stamp_text = event.kwargs["_stamp"]
        for field in fields:
            doc[field] = stamp_text
        if submitted:
            doc["IsSubmitted"] = True
        if keep_first_submit and not doc.get("DateSubmitted"):
            doc["DateSubmitted"] = stamp_text
        doc["LastUpdated"] = stamp_text

    return stamp


_TRANSITIONS: Final[list[dict[str, Any]]] = [
    {
        "trigger": "submit",
        "source": UNSUBMITTED,
        "dest": OPEN,
        "after": _stamper("DateSubmitted", submitted=True),
    },
    {"trigger": "submit_for_approval", "source": UNSUBMITTED, "dest": AWAITING_APPROVAL, "after": _stamper()},
    {
        "trigger": "approve",
        "source": AWAITING_APPROVAL,
        "dest": OPEN,
        "after": _stamper("DateApproved", submitted=True, keep_first_submit=True),
    },
    # Order matters: transitions tries them in turn and the first whose conditions hold wins.
    {
        "trigger": "decline",
        "source": AWAITING_APPROVAL,
        "dest": UNSUBMITTED,
        "conditions": _allow_resubmit,
        "after": _stamper("DateDeclined"),
    },
    {
        "trigger": "decline",
        "source": AWAITING_APPROVAL,
        "dest": DECLINED,
        "unless": _allow_resubmit,
        "after": _stamper("DateDeclined"),
    },
    {"trigger": "complete", "source": OPEN, "dest": COMPLETED, "after": _stamper("DateCompleted")},
    {
        "trigger": "cancel",
        "source": [UNSUBMITTED, AWAITING_APPROVAL, DECLINED],
        "dest": CANCELED,
        "after": _stamper("DateCanceled"),
    },
    {
        "trigger": "cancel",
        "source": OPEN,
        "dest": CANCELED,
        "conditions": _may_cancel_open,
        "after": _stamper("DateCanceled"),
    },
]

_MACHINE: Final = Machine(
    model=None,
    states=list(STATES),
    transitions=_TRANSITIONS,
    initial=UNSUBMITTED,
    auto_transitions=False,
    send_event=True,
    model_attribute="state",
)


def refusal_code(event: str) -> str:
    """The OrderCloud ErrorCode `apply` raises when `event` is not allowed."""
    try:
        return _REFUSAL[event][0]
    except KeyError:
        raise ValueError(f"unknown order event: {event!r}") from None


def can(
    order: MutableMapping[str, Any],
    event: str,
    *,
    allow_resubmit: bool = False,
    may_cancel_open: bool = False,
) -> bool:
    """Whether `apply(order, event, ...)` with the same flags would succeed. Never mutates `order`."""
    refusal_code(event)
    if order.get("Status") not in STATES:
        return False
    # _can_trigger is what transitions' own `may_<event>` helpers call; using it directly avoids
    # binding helpers onto a per-call model.
    return bool(
        _MACHINE._can_trigger(
            StatusRef(order), event, allow_resubmit=allow_resubmit, may_cancel_open=may_cancel_open
        )
    )


def apply(
    order: MutableMapping[str, Any],
    event: str,
    *,
    now: datetime,
    allow_resubmit: bool = False,
    may_cancel_open: bool = False,
) -> None:
    """Fire `event` on `order` in place: change `Status` and stamp the dates listed in the module doc.

    Raises `InvalidTransition` (code per event, `Data` = {"OrderID", "Status", "Event"}) and leaves
    `order` untouched when the current status does not allow the event. An unknown event name is a
    programming error and raises ValueError.
    """
    refusal_code(event)  # an unknown event is a ValueError, whatever the status
    status = order.get("Status")
    if status in STATES:
        try:
            done = _MACHINE.events[event].trigger(
                StatusRef(order),
                _stamp=iso(now),
                allow_resubmit=allow_resubmit,
                may_cancel_open=may_cancel_open,
            )
        except MachineError:
            # Raised before any callback runs, so the dict has not been touched.
            done = False
        if done:
            return
    raise refusal(order, event)


def refusal(order: Mapping[str, Any], event: str) -> InvalidTransition:
    """The error `apply` raises when the order's status does not allow `event`."""
    message, code = _REFUSAL[event][1], refusal_code(event)
    return InvalidTransition(
        message, code, {"OrderID": order.get("ID"), "Status": order.get("Status"), "Event": event}
    )
