"""Domain events: small immutable records of what happened, written to the outbox by the app layer.

Each event has `order_id`, `occurred_at` (aware UTC datetime) and a class-level `name` used as the
outbox/webhook event type. Fields beyond those are plain data so events serialize without help.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

__all__ = [
    "DomainEvent",
    "LineItemShipped",
    "OrderApproved",
    "OrderCanceled",
    "OrderCompleted",
    "OrderDeclined",
    "OrderForwarded",
    "OrderSplit",
    "OrderSubmitted",
    "OrderSubmittedForApproval",
    "ShipmentCreated",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainEvent:
    name: ClassVar[str] = "DomainEvent"
    order_id: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSubmitted(DomainEvent):
    name: ClassVar[str] = "OrderSubmitted"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSubmittedForApproval(DomainEvent):
    name: ClassVar[str] = "OrderSubmittedForApproval"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderApproved(DomainEvent):
    name: ClassVar[str] = "OrderApproved"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderDeclined(DomainEvent):
    name: ClassVar[str] = "OrderDeclined"
    allow_resubmit: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCanceled(DomainEvent):
    name: ClassVar[str] = "OrderCanceled"


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderCompleted(DomainEvent):
    name: ClassVar[str] = "OrderCompleted"
    # True when completion came from every line shipping in full rather than an explicit complete.
    automatic: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderSplit(DomainEvent):
    name: ClassVar[str] = "OrderSplit"
    outgoing_order_ids: tuple[str, ...] = ()
    remaining_line_item_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class OrderForwarded(DomainEvent):
    name: ClassVar[str] = "OrderForwarded"
    outgoing_order_ids: tuple[str, ...] = ()
    remaining_line_item_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ShipmentCreated(DomainEvent):
    name: ClassVar[str] = "ShipmentCreated"
    shipment_id: str = ""
    line_item_ids: tuple[str, ...] = field(default=())


@dataclass(frozen=True, slots=True, kw_only=True)
class LineItemShipped(DomainEvent):
    name: ClassVar[str] = "LineItemShipped"
    line_item_id: str = ""
    shipment_id: str = ""
    quantity: int = 0
    quantity_shipped: int = 0
