"""The order timeline and business-event subscriptions (ordercore extensions; docs/orders.md
"Timeline", docs/events.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec

from app.models.common import Str100, Str2000, Xp
from app.wire import ID_PATTERN, Wire

NoteText = Annotated[str, msgspec.Meta(min_length=1, max_length=2000)]
# Outbox rows name their subscription `evs:<ID>` in a 100-character column.
SubscriptionID = Annotated[str, msgspec.Meta(pattern=ID_PATTERN, max_length=90)]
Secret = Annotated[str, msgspec.Meta(min_length=16, max_length=200)]
EventType = Literal[
    "order.submitted",
    "order.approved",
    "order.declined",
    "order.canceled",
    "order.payment_status_changed",
    "order.fulfillment_status_changed",
    "shipment.created",
    "return.completed",
    "refund.created",
]


class OrderActivity(Wire, kw_only=True):
    """One entry of an order's timeline (read-only but for notes)."""

    id: str | None = None
    order_id: str | None = None
    type: str | None = None
    date: str | None = None
    actor_user_id: str | None = None
    actor_username: str | None = None
    actor_company_id: str | None = None
    actor_type: str | None = None
    text: str | None = None
    data: dict[str, Any] | None = None


class NewNote(Wire, kw_only=True):
    text: NoteText


class ArchiveBody(Wire, kw_only=True):
    archived: bool


class EventSubscription(Wire, kw_only=True):
    id: SubscriptionID | None = None
    name: Str100 | None = None
    url: Str2000
    # `whsec_<base64>` (Standard Webhooks); generated when omitted on create.
    secret: Secret | None = None
    event_types: Annotated[list[EventType], msgspec.Meta(min_length=1)]
    active: bool = True
    xp: Xp = None
