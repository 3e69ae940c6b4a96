"""What may happen to an order in which status: the one place that says it.

Status *changes* (submit, approve, decline, complete, cancel) are the machine (first section
below). Everything else an order's status allows or refuses is the table after it; services ask
`allows(order, OP)` or `require(order, OP)` and never compare `Status` themselves.

============== ===================================== ===========================================
operation      allowed while Status is               refused with
============== ===================================== ===========================================
EDIT_LINES     Unsubmitted                           Order.CannotModifyBadStatus
EDIT_PROMOS    Unsubmitted                           Order.CannotApplyPromoBadStatus
REPRICE        Unsubmitted (a submitted order keeps  (never refused: pricing just stops)
               the amounts it was submitted with)
FORWARD        Open                                  Order.AllowedOnSubmittedOnly
SHIP           Open                                  Order.CannotShipBadStatus
RETURN         Open, Completed                       OrderReturn.CannotCreateBadOrderStatus
EDIT_PAYMENTS  anything but Canceled                 Payment.CannotEditCancelled
============== ===================================== ===========================================

Beside the table, a few facts other rules read: `is_submitted` (payments of an order past the
buyer: neither Unsubmitted nor a Declined order being edited again), `is_open`, `is_canceled`,
`is_awaiting_approval` (approving refuses through the machine's `approve` event, so its error is
the machine's own).

The order's private bookkeeping (what submit took from inventory and spending accounts, the
checkout worksheet's stored responses) is `Bookkeeping`: typed here, stored as the order
document's `_Reserved`, `_SpendingDebits` and `_Checkout` keys as before (`load`/`dump` are the
storage edge), so stored orders need no migration.

`OrderAggregate` is the order as the use cases that change its status or its money speak it:
status, the dates a status change stamps, the money fields and the bookkeeping are typed; every
other field rides along untouched in `fields`. Its guards are the table above (`require`,
`allows`) and the machine (`can`, `transition`); `refresh_totals` is the order's Total rule.
`OrderAggregate.load(doc)` / `.dump()` are the storage edge: a load and a dump give back the same
JSON document (same keys, same order), so nothing is migrated.

The machine.

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

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Final, cast

from transitions import EventData, Machine, MachineError

from domain.clock import iso
from domain.errors import DomainError, InvalidTransition, ValidationFailed
from domain.money import to_decimal, to_decimal_or_none
from domain.pricing import order_totals

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
        for name in fields:
            doc[name] = stamp_text
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


# --------------------------------------------------------------------------- what each status allows

Order = Mapping[str, Any]


class Op(Enum):
    EDIT_LINES = "edit_lines"
    EDIT_PROMOS = "edit_promotions"
    REPRICE = "reprice"
    FORWARD = "forward"
    SHIP = "ship"
    RETURN = "return"
    EDIT_PAYMENTS = "edit_payments"


@dataclass(frozen=True)
class Rule:
    statuses: frozenset[str]
    code: str
    message: str  # `{status}` is replaced by the order's status
    error: type[DomainError] = ValidationFailed
    with_status: bool = True  # the refusal's Data names the status, beside the OrderID


RULES: Final[dict[Op, Rule]] = {
    Op.EDIT_LINES: Rule(
        frozenset({UNSUBMITTED}),
        "Order.CannotModifyBadStatus",
        "Line items can only be changed while the order is Unsubmitted (it is {status})",
    ),
    Op.EDIT_PROMOS: Rule(
        frozenset({UNSUBMITTED}),
        "Order.CannotApplyPromoBadStatus",
        "Promotions can only be changed while the order is Unsubmitted (it is {status})",
    ),
    Op.REPRICE: Rule(frozenset({UNSUBMITTED}), "Order.CannotModifyBadStatus", "The order is {status}"),
    Op.FORWARD: Rule(
        frozenset({OPEN}),
        "Order.AllowedOnSubmittedOnly",
        "Only a submitted (Open) order can be split or forwarded",
    ),
    Op.SHIP: Rule(
        frozenset({OPEN}),
        "Order.CannotShipBadStatus",
        "Only an Open order can be shipped.",
        InvalidTransition,
    ),
    Op.RETURN: Rule(
        frozenset({OPEN, COMPLETED}),
        "OrderReturn.CannotCreateBadOrderStatus",
        "Cannot create an OrderReturn for an order with this status. Order status must be Open or Complete.",
    ),
    Op.EDIT_PAYMENTS: Rule(
        frozenset(STATES) - {CANCELED},
        "Payment.CannotEditCancelled",
        "Payments of a canceled order cannot be changed",
        with_status=False,
    ),
}


def status(order: Order) -> str | None:
    found = order.get("Status")
    return found if isinstance(found, str) else None


def allows(order: Order, op: Op) -> bool:
    return status(order) in RULES[op].statuses


def require(order: Order, op: Op) -> None:
    """Refuse `op` with OrderCloud's error unless the order's status allows it."""
    if not allows(order, op):
        raise _op_refusal(order.get("ID"), order.get("Status"), op)


def _op_refusal(order_id: Any, current: Any, op: Op) -> DomainError:
    rule = RULES[op]
    data: dict[str, Any] = {"OrderID": order_id}
    if rule.with_status:
        data["Status"] = current
    return rule.error(rule.message.format(status=current), rule.code, data)


def require_editable(order: Order) -> None:
    """Line items (and what the worksheet computes from them) change only while Unsubmitted."""
    require(order, Op.EDIT_LINES)


def is_unsubmitted(order: Order) -> bool:
    return status(order) == UNSUBMITTED


def is_open(order: Order) -> bool:
    return status(order) == OPEN


def is_canceled(order: Order) -> bool:
    return status(order) == CANCELED


def is_awaiting_approval(order: Order) -> bool:
    return status(order) == AWAITING_APPROVAL


def is_submitted(order: Order) -> bool:
    """Past the buyer, for its payments: a Declined order is being edited again, so it is not."""
    return status(order) not in (UNSUBMITTED, DECLINED)


# --------------------------------------------------------------------------- private bookkeeping

RESERVED_KEY: Final = "_Reserved"
DEBITS_KEY: Final = "_SpendingDebits"
CHECKOUT_KEY: Final = "_Checkout"


@dataclass(frozen=True)
class Reservation:
    """Stock submit took from one bucket: a product, a variant or an inventory record."""

    kind: str
    scope: str
    id: str
    quantity: int

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> Reservation:
        return cls(str(raw["Kind"]), str(raw["Scope"]), str(raw["ID"]), int(raw["Quantity"]))

    def dump(self) -> dict[str, Any]:
        return {"Kind": self.kind, "Scope": self.scope, "ID": self.id, "Quantity": self.quantity}


@dataclass(frozen=True)
class Debit:
    """What submit (or the last approval) took from one spending account."""

    spending_account_id: str
    amount: Decimal

    @classmethod
    def load(cls, raw: Mapping[str, Any]) -> Debit:
        return cls(str(raw["SpendingAccountID"]), to_decimal(raw["Amount"]))

    def dump(self) -> dict[str, Any]:
        return {"SpendingAccountID": self.spending_account_id, "Amount": self.amount}


@dataclass
class Bookkeeping:
    """The order's private keys, typed. `checkout` stays a mapping: it holds the middleware's
    responses in OrderCloud's worksheet shape, which `app.services.checkout` reads and writes."""

    reserved: list[Reservation] = field(default_factory=list)
    debits: list[Debit] = field(default_factory=list)
    checkout: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, order: Order) -> Bookkeeping:
        return cls(
            [Reservation.load(r) for r in order.get(RESERVED_KEY) or []],
            [Debit.load(d) for d in order.get(DEBITS_KEY) or []],
            dict(order.get(CHECKOUT_KEY) or {}),
        )

    def dump(self, order: MutableMapping[str, Any]) -> None:
        """Write the bookkeeping back into the order document (the stored JSON shape of old)."""
        order[RESERVED_KEY] = [r.dump() for r in self.reserved]
        order[DEBITS_KEY] = [d.dump() for d in self.debits]
        if self.checkout or CHECKOUT_KEY in order:
            order[CHECKOUT_KEY] = self.checkout

    def settled(self) -> Bookkeeping:
        """After what submit took went back (cancel): nothing reserved, nothing debited."""
        return Bookkeeping([], [], self.checkout)


# --------------------------------------------------------------------------- the aggregate

# Document keys the aggregate types, by attribute. Money is Decimal (None where the document has
# null); the dates are the ISO strings the machine stamps.
_MONEY: Final = (
    ("subtotal", "Subtotal"),
    ("shipping_cost", "ShippingCost"),
    ("tax_cost", "TaxCost"),
    ("gratuity", "Gratuity"),
    ("fees", "Fees"),
    ("promotion_discount", "PromotionDiscount"),
    ("total", "Total"),
)
_DATES: Final = (
    ("date_submitted", "DateSubmitted"),
    ("date_approved", "DateApproved"),
    ("date_declined", "DateDeclined"),
    ("date_canceled", "DateCanceled"),
    ("date_completed", "DateCompleted"),
    ("last_updated", "LastUpdated"),
)
_TYPED_KEYS: Final = frozenset(
    {"ID", "Status", "IsSubmitted", "FromCompanyID", "ToCompanyID", "Currency", "LineItemCount"}
    | {key for _, key in _MONEY + _DATES}
)
_BOOK_KEYS: Final = (RESERVED_KEY, DEBITS_KEY, CHECKOUT_KEY)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


@dataclass
class OrderAggregate:
    """One order, typed where its status and money rules read it (see the module doc)."""

    id: str
    status: str
    is_submitted: bool
    from_company_id: str | None
    to_company_id: str | None
    currency: str | None
    line_item_count: int
    subtotal: Decimal | None
    shipping_cost: Decimal | None
    tax_cost: Decimal | None
    gratuity: Decimal | None
    fees: Decimal | None
    promotion_discount: Decimal | None
    total: Decimal | None
    date_submitted: str | None
    date_approved: str | None
    date_declined: str | None
    date_canceled: str | None
    date_completed: str | None
    last_updated: str | None
    books: Bookkeeping
    fields: dict[str, Any]  # every other key of the document (wire fields, other private keys)
    keys: tuple[str, ...] = ()  # the stored document's keys, in order (dump keeps them so)
    books_changed: bool = False  # dump then writes the bookkeeping even where it was absent

    # ------------------------------------------------------------------ the storage edge

    @classmethod
    def load(cls, doc: Mapping[str, Any]) -> OrderAggregate:
        def money(key: str) -> Decimal | None:
            return to_decimal_or_none(doc.get(key))

        def date(key: str) -> str | None:
            return _text(doc.get(key))

        return cls(
            id=str(doc.get("ID") or ""),
            status=str(doc.get("Status") or UNSUBMITTED),
            is_submitted=bool(doc.get("IsSubmitted")),
            from_company_id=_text(doc.get("FromCompanyID")),
            to_company_id=_text(doc.get("ToCompanyID")),
            currency=_text(doc.get("Currency")),
            line_item_count=int(doc.get("LineItemCount") or 0),
            subtotal=money("Subtotal"),
            shipping_cost=money("ShippingCost"),
            tax_cost=money("TaxCost"),
            gratuity=money("Gratuity"),
            fees=money("Fees"),
            promotion_discount=money("PromotionDiscount"),
            total=money("Total"),
            date_submitted=date("DateSubmitted"),
            date_approved=date("DateApproved"),
            date_declined=date("DateDeclined"),
            date_canceled=date("DateCanceled"),
            date_completed=date("DateCompleted"),
            last_updated=date("LastUpdated"),
            books=Bookkeeping.load(doc),
            fields={k: v for k, v in doc.items() if k not in _TYPED_KEYS and k not in _BOOK_KEYS},
            keys=tuple(doc),
        )

    def dump(self) -> dict[str, Any]:
        """The order document, as stored: the loaded keys in their order, then new ones. A typed
        field the document did not have is written only once it has a value."""
        typed: dict[str, Any] = {
            "ID": self.id,
            "Status": self.status,
            "IsSubmitted": self.is_submitted,
            "FromCompanyID": self.from_company_id,
            "ToCompanyID": self.to_company_id,
            "Currency": self.currency,
            "LineItemCount": self.line_item_count,
        }
        typed.update({key: getattr(self, attr) for attr, key in _MONEY + _DATES})
        loaded = set(self.keys)
        values = {k: v for k, v in typed.items() if k in loaded or v not in (None, False, 0)}
        books: dict[str, Any] = {}
        self.books.dump(books)
        values.update({k: v for k, v in books.items() if k in loaded or self.books_changed})
        values.update(self.fields)
        ordered = {k: values.pop(k) for k in self.keys if k in values}
        return {**ordered, **values}

    def public(self) -> dict[str, Any]:
        """What callers see: no server-private (`_`) key."""
        return {k: v for k, v in self.dump().items() if not k.startswith("_")}

    # ------------------------------------------------------------------ status

    def allows(self, op: Op) -> bool:
        return self.status in RULES[op].statuses

    def require(self, op: Op) -> None:
        if not self.allows(op):
            raise _op_refusal(self.id, self.status, op)

    def is_open(self) -> bool:
        return self.status == OPEN

    def _status_view(self) -> dict[str, Any]:
        view: dict[str, Any] = {"ID": self.id, "Status": self.status, "IsSubmitted": self.is_submitted}
        view.update({key: getattr(self, attr) for attr, key in _DATES})
        return view

    def can(self, event: str, *, allow_resubmit: bool = False, may_cancel_open: bool = False) -> bool:
        return can(self._status_view(), event, allow_resubmit=allow_resubmit, may_cancel_open=may_cancel_open)

    def check(self, event: str, *, allow_resubmit: bool = False, may_cancel_open: bool = False) -> None:
        """Refuse `event` with the machine's own error unless the status allows it; changes nothing."""
        if not self.can(event, allow_resubmit=allow_resubmit, may_cancel_open=may_cancel_open):
            raise refusal(self._status_view(), event)

    def transition(
        self, event: str, *, now: datetime, allow_resubmit: bool = False, may_cancel_open: bool = False
    ) -> None:
        """Fire `event` through the machine (above): the status and the dates it
        stamps change, or `InvalidTransition` is raised and nothing changed."""
        view = self._status_view()
        apply(view, event, now=now, allow_resubmit=allow_resubmit, may_cancel_open=may_cancel_open)
        self.status = str(view["Status"])
        self.is_submitted = bool(view["IsSubmitted"])
        for attr, key in _DATES:
            setattr(self, attr, view[key])

    # ------------------------------------------------------------------ money and bookkeeping

    def refresh_totals(
        self, line_subtotals: Iterable[Decimal] | None = None, *, line_count: int | None = None
    ) -> None:
        """Subtotal from the lines' LineSubtotal (when given; else the order's own), and Total
        from the parts: Subtotal + TaxCost + ShippingCost + Gratuity + Fees - PromotionDiscount."""
        if line_count is not None:
            self.line_item_count = line_count
        subtotals = list(line_subtotals) if line_subtotals is not None else [self.subtotal or Decimal(0)]
        totals = order_totals(
            subtotals,
            tax_cost=self.tax_cost,
            shipping_cost=self.shipping_cost,
            gratuity=self.gratuity,
            fees=self.fees,
            promotion_discount=self.promotion_discount,
            currency=self.currency,
        )
        self.subtotal, self.total = totals.subtotal, totals.total

    def took(self, reserved: list[Reservation], debits: list[Debit]) -> None:
        """What becoming Open took from inventory and spending accounts (submit, last approval)."""
        self.books.reserved, self.books.debits = reserved, debits
        self.books_changed = True

    def settle_books(self) -> None:
        """What it took went back (cancel) or was never its own (an order forwarded to a supplier)."""
        self.books = self.books.settled()
        self.books_changed = True
