"""Shipping rules over plain line-item and order dicts.

A ShipmentItem adds to its line's `QuantityShipped`; the sum may never exceed the line's `Quantity`
(`ShipmentItem.QuantityExceeded`). Bundle parent lines (`IsBundle`) are never shipped themselves
(`ShipmentItem.CannotBeBundle`) and are ignored when deciding whether an order has shipped in full.

The HTTP status of `Order.ConflictsWithOtherShipments` is not documented; like most OrderCloud
business-rule errors it is raised here as a 400 (`ValidationFailed`), not a 409.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.errors import ValidationFailed
from domain.order_status import Op, require

__all__ = [
    "add_shipped",
    "check_can_ship",
    "check_no_conflicts",
    "conflicts",
    "is_fully_shipped",
    "remove_shipped",
    "rolled_up_quantity",
    "unshipped_quantities",
]

Line = Mapping[str, Any]


def _shipped(line: Line) -> int:
    return int(line.get("QuantityShipped") or 0)


def _check_positive(line: Line, quantity: int) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise ValidationFailed(
            "QuantityShipped must be at least 1.",
            data={"LineItemID": line.get("ID"), "Requested": quantity},
        )


def add_shipped(line: Line, quantity: int) -> int:
    """The line's new `QuantityShipped` after shipping `quantity` more of it. Does not mutate `line`.

    quantity < 1 -> ValidationFailed (`ValidationFailure`); a bundle parent ->
    `ShipmentItem.CannotBeBundle`; over the ordered quantity -> `ShipmentItem.QuantityExceeded` with
    Data {LineItemID, Quantity, QuantityShipped, Requested}.
    """
    _check_positive(line, quantity)
    if line.get("IsBundle"):
        raise ValidationFailed(
            "A bundle line item cannot be shipped; ship its bundle items instead.",
            "ShipmentItem.CannotBeBundle",
            {"LineItemID": line.get("ID")},
        )
    ordered = int(line.get("Quantity") or 0)
    shipped = _shipped(line)
    if shipped + quantity > ordered:
        raise ValidationFailed(
            f"Cannot ship {quantity} of line item {line.get('ID')}: {shipped} of {ordered} already shipped.",
            "ShipmentItem.QuantityExceeded",
            {
                "LineItemID": line.get("ID"),
                "Quantity": ordered,
                "QuantityShipped": shipped,
                "Requested": quantity,
            },
        )
    return shipped + quantity


def remove_shipped(line: Line, quantity: int) -> int:
    """The line's new `QuantityShipped` after a shipment item of `quantity` is deleted or reduced.

    Going below zero means the caller's bookkeeping is out of step with the line, so it is refused
    rather than clamped.
    """
    _check_positive(line, quantity)
    shipped = _shipped(line)
    if quantity > shipped:
        raise ValidationFailed(
            f"Cannot un-ship {quantity} of line item {line.get('ID')}: only {shipped} shipped.",
            data={"LineItemID": line.get("ID"), "QuantityShipped": shipped, "Requested": quantity},
        )
    return shipped - quantity


def check_can_ship(order: Mapping[str, Any], lines: Sequence[Line]) -> None:
    """Preconditions of `POST /orders/{d}/{id}/ship`: the order is Open and has line items."""
    require(order, Op.SHIP)
    if not lines:
        raise ValidationFailed(
            "Cannot ship an order with no line items.",
            "Order.CannotShipWithNoLineItems",
            {"OrderID": order.get("ID")},
        )


def conflicts(lines: Iterable[Line]) -> list[str]:
    """IDs of lines already (partly) on another shipment; shipping the whole order must find none."""
    return [line["ID"] for line in lines if not line.get("IsBundle") and _shipped(line) > 0]


def check_no_conflicts(lines: Iterable[Line]) -> None:
    """Raise `Order.ConflictsWithOtherShipments` (Data: {LineItemIDs}) when `conflicts` finds any."""
    found = conflicts(lines)
    if found:
        raise ValidationFailed(
            "Some line items are already on another shipment.",
            "Order.ConflictsWithOtherShipments",
            {"LineItemIDs": found},
        )


def unshipped_quantities(lines: Iterable[Line]) -> dict[str, int]:
    """line ID -> quantity still to ship, for every shippable line with something left."""
    out: dict[str, int] = {}
    for line in lines:
        if line.get("IsBundle"):
            continue
        left = int(line.get("Quantity") or 0) - _shipped(line)
        if left > 0:
            out[line["ID"]] = left
    return out


def is_fully_shipped(lines: Iterable[Line]) -> bool:
    """Every non-bundle line has QuantityShipped >= Quantity.

    False when there is no shippable line at all: an empty order has not "shipped in full", and
    auto-completing it would be wrong.
    """
    any_line = False
    for line in lines:
        if line.get("IsBundle"):
            continue
        any_line = True
        if _shipped(line) < int(line.get("Quantity") or 0):
            return False
    return any_line


def rolled_up_quantity(incoming_line: Line, outgoing_lines_for_it: Iterable[Line]) -> int:
    """The incoming line's `QuantityShipped` derived from its outgoing copies' shipments.

    After split/forward the supplier ships the outgoing line, so the marketplace owner's incoming line
    reports the sum shipped on its outgoing copies, capped at the incoming quantity (a line can be
    forwarded to one supplier only, but the cap keeps a stray duplicate from over-reporting).
    """
    total = sum(_shipped(line) for line in outgoing_lines_for_it)
    return min(total, int(incoming_line.get("Quantity") or 0))
