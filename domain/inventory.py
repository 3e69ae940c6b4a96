"""Inventory rules: availability checks and the QuantityAvailable arithmetic of submit and cancel.

Pure functions; the order service loads the state, calls these, and persists the returned
QuantityAvailable. Choices where the platform's behaviour is not documented:

- A state with tracking disabled never refuses and never changes QuantityAvailable.
- With OrderCanExceed, reserving past zero is allowed and QuantityAvailable goes negative, which
  records the backorder instead of silently losing it.
- A null QuantityAvailable counts as 0.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

from domain.errors import ValidationFailed


def _int(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValidationFailed(f"{name} must be an integer", data={name: repr(value)})
    try:
        return int(value)
    except ValueError:
        raise ValidationFailed(f"{name} must be an integer", data={name: value}) from None


@dataclass(frozen=True, slots=True)
class InventoryState:
    enabled: bool
    quantity_available: int
    order_can_exceed: bool

    @classmethod
    def from_doc(
        cls, doc: Mapping[str, Any] | None, *, defaults: InventoryState | None = None
    ) -> InventoryState:
        """Read a Product `Inventory`, a Variant `Inventory` or an InventoryRecord document.

        Variant inventories and inventory records carry no `Enabled` (and variants no
        `OrderCanExceed`); those come from `defaults` (pass the product's state), else tracking
        is taken as enabled because the record's existence means stock is counted. A null
        document means no inventory: `defaults` if given, else untracked.
        """
        if doc is None:
            return defaults if defaults is not None else cls(False, 0, False)
        enabled = doc.get("Enabled")
        if enabled is None:
            enabled = defaults.enabled if defaults is not None else True
        can_exceed = doc.get("OrderCanExceed")
        if can_exceed is None:
            can_exceed = defaults.order_can_exceed if defaults is not None else False
        return cls(
            enabled=bool(enabled),
            quantity_available=_int(doc.get("QuantityAvailable"), "QuantityAvailable"),
            order_can_exceed=bool(can_exceed),
        )


class InventoryKey(NamedTuple):
    product_id: str
    variant_id: str | None
    inventory_record_id: str | None


def _check_non_negative(quantity: int) -> None:
    if quantity < 0:
        raise ValidationFailed(
            "Quantity cannot be negative", "LineItem.QuantityMustBePositive", {"Quantity": quantity}
        )


def check_available(state: InventoryState, quantity: int, *, object_id: str | None) -> None:
    """Refuse with `Inventory.Insufficient` when tracked stock cannot cover `quantity`."""
    _check_non_negative(quantity)
    if not state.enabled or state.order_can_exceed:
        return
    if quantity > state.quantity_available:
        raise ValidationFailed(
            f"Insufficient inventory for {object_id}: {state.quantity_available} available, "
            f"{quantity} requested",
            "Inventory.Insufficient",
            {
                "ObjectID": object_id,
                "QuantityAvailable": state.quantity_available,
                "QuantityRequested": quantity,
            },
        )


def reserve(state: InventoryState, quantity: int, *, object_id: str | None = None) -> int:
    """New QuantityAvailable after taking `quantity` (checked first); unchanged when untracked."""
    check_available(state, quantity, object_id=object_id)
    if not state.enabled:
        return state.quantity_available
    return state.quantity_available - quantity


def release(state: InventoryState, quantity: int) -> int:
    """New QuantityAvailable after giving back `quantity` (e.g. on cancel); unchanged when untracked."""
    _check_non_negative(quantity)
    if not state.enabled:
        return state.quantity_available
    return state.quantity_available + quantity


def requested_by_product(
    lines: Iterable[tuple[str, str | None, str | None, int]],
) -> dict[InventoryKey, int]:
    """Sum quantities per (ProductID, VariantID, InventoryRecordID) so each stock bucket is
    checked once with the order's whole demand, not line by line."""
    out: dict[InventoryKey, int] = {}
    for product_id, variant_id, record_id, quantity in lines:
        key = InventoryKey(product_id, variant_id, record_id)
        out[key] = out.get(key, 0) + quantity
    return out
