"""What may happen to an order in which status: the one place that says it.

Status *changes* (submit, approve, decline, complete, cancel) are the machine in
`domain.lifecycle`. Everything else an order's status allows or refuses is the table below;
services ask `allows(order, OP)` or `require(order, OP)` and never compare `Status` themselves.

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
the lifecycle's own).

The order's private bookkeeping (what submit took from inventory and spending accounts, the
checkout worksheet's stored responses) is `Bookkeeping`: typed here, stored as the order
document's `_Reserved`, `_SpendingDebits` and `_Checkout` keys as before (`load`/`dump` are the
storage edge), so stored orders need no migration.
"""

from __future__ import annotations

from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any, Final

from domain.errors import DomainError, InvalidTransition, ValidationFailed
from domain.lifecycle import AWAITING_APPROVAL, CANCELED, COMPLETED, DECLINED, OPEN, STATES, UNSUBMITTED
from domain.money import to_decimal

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
    if allows(order, op):
        return
    rule = RULES[op]
    data: dict[str, Any] = {"OrderID": order.get("ID")}
    if rule.with_status:
        data["Status"] = order.get("Status")
    raise rule.error(rule.message.format(status=order.get("Status")), rule.code, data)


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
