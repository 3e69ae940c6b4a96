"""Split/forward planning: group an incoming order's lines by supplier, pure and allocation-light.

`split` and `forward` create one outgoing order per distinct `Product.DefaultSupplierID`, with
`FromCompanyID` = marketplace owner and `ToCompanyID` = the supplier; lines with no supplier stay on
the incoming order and are reported as `RemainingLineItemIDs`. This module only decides the grouping,
the outgoing IDs and the outgoing line documents; the service persists them (and, for forward,
submits the outgoing orders through `domain.order_status`).

Outgoing order IDs follow Headstart's `{incomingID}-{supplierID}` convention, since the platform's own
format is unconfirmed. OrderCloud IDs are capped at 100 characters of `A-Za-z0-9-_`, so when that
would be longer the incoming part is truncated and a 10-hex-digit hash of the full pair is put after
it: `{incoming[:n]}-{hash}-{supplierID}`. The hash keeps two long incoming IDs that share a prefix
apart, is stable across runs (sha256, not Python's salted `hash`), and uses only hex digits, so the
result stays a valid ID that still ends in `-{supplierID}`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

__all__ = [
    "MAX_ID_LENGTH",
    "SplitPlan",
    "default_supplier_of",
    "outgoing_line",
    "outgoing_order_id",
    "split_lines",
]

MAX_ID_LENGTH: Final = 100
_HASH_LEN: Final = 10

Line = Mapping[str, Any]


@dataclass(slots=True)
class SplitPlan:
    """`groups`: supplier ID -> that supplier's lines, suppliers in first-seen order, lines in input
    order. `remaining_line_ids`: lines with no supplier, in input order."""

    incoming_order_id: str
    groups: dict[str, list[Line]] = field(default_factory=dict)
    remaining_line_ids: list[str] = field(default_factory=list)

    @property
    def outgoing_order_ids(self) -> dict[str, str]:
        """supplier ID -> outgoing order ID, in the same order as `groups`."""
        return {s: outgoing_order_id(self.incoming_order_id, s) for s in self.groups}


def default_supplier_of(line: Line) -> str | None:
    """`line.Product.DefaultSupplierID`, the field OrderCloud splits on; None (or "") means no supplier."""
    product = line.get("Product")
    return product.get("DefaultSupplierID") if product else None


def split_lines(
    incoming_order_id: str,
    lines: Sequence[Line],
    *,
    supplier_of: Callable[[Line], str | None] | None = None,
) -> SplitPlan:
    """Group `lines` by supplier. The lines themselves are not copied: see `outgoing_line`."""
    get_supplier = supplier_of or default_supplier_of
    groups: dict[str, list[Line]] = {}
    remaining: list[str] = []
    for line in lines:
        supplier = get_supplier(line)
        if not supplier:
            remaining.append(line["ID"])
            continue
        bucket = groups.get(supplier)
        if bucket is None:
            groups[supplier] = [line]
        else:
            bucket.append(line)
    return SplitPlan(incoming_order_id, groups, remaining)


def outgoing_order_id(incoming_id: str, supplier_id: str) -> str:
    """`{incoming_id}-{supplier_id}`, shortened with a stable hash when over 100 characters."""
    full = f"{incoming_id}-{supplier_id}"
    if len(full) <= MAX_ID_LENGTH:
        return full
    # NUL cannot occur in an ID, so distinct (incoming, supplier) pairs never hash the same input.
    digest = hashlib.sha256(f"{incoming_id}\0{supplier_id}".encode()).hexdigest()[:_HASH_LEN]
    keep = MAX_ID_LENGTH - len(supplier_id) - _HASH_LEN - 2
    if keep >= 1:
        return f"{incoming_id[:keep]}-{digest}-{supplier_id}"
    # A supplier ID near 100 chars leaves no room for the suffix; uniqueness still comes from the hash.
    return f"{full[: MAX_ID_LENGTH - _HASH_LEN - 1]}-{digest}"


def _clone_dict(value: dict[str, Any]) -> dict[str, Any]:
    # JSON-shaped data only (dict/list/scalars); far cheaper than copy.deepcopy, and enough to make
    # sure the outgoing line never aliases the incoming line's xp, specs or addresses. A line is
    # mostly scalars: copy the dict in C, then replace only the containers (no call per scalar;
    # half the cost of a call per value on the forward's hot path, benchmarks/bench_service_pricing.py).
    # Exact type checks: documents come from JSON (plain dicts and lists).
    out = value.copy()
    for k, v in out.items():
        kind = type(v)
        if kind is dict:
            out[k] = _clone_dict(v)
        elif kind is list:
            out[k] = _clone_list(v)
    return out


def _clone_list(value: list[Any]) -> list[Any]:
    return [_clone_dict(v) if type(v) is dict else _clone_list(v) if type(v) is list else v for v in value]


def outgoing_line(
    line: Line,
    outgoing_order_id: str,
    *,
    incoming_order_id: str | None = None,
) -> dict[str, Any]:
    """The outgoing order's copy of an incoming line.

    Every field is carried over (ID, product, quantity, unit price and line totals, specs, ship-to
    and ship-from addresses, xp, ...) as an independent copy; `QuantityShipped` restarts at 0 because
    the supplier ships the outgoing line. `OutgoingOrderID` is set, and `IncomingOrderID` when given
    (otherwise the line's own value is kept). Set the incoming line's `OutgoingOrderID` separately.
    """
    out = _clone_dict(line if isinstance(line, dict) else dict(line))
    out["QuantityShipped"] = 0
    out["OutgoingOrderID"] = outgoing_order_id
    if incoming_order_id is not None:
        out["IncomingOrderID"] = incoming_order_id
    return out
