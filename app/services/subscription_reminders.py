"""`SubscriptionReminder` messages: `NotificationDays` (the subscription integration's) before a
subscription's NextOrderDate, its buyer user is told through the message senders (the
notifications outbox, like every message), once per order date; the subscription's read-only
`NotificationDate` is when. docs/subscriptions.md, "Reminders"."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.notifications.messages import Recipient, send
from app.resources import public
from app.services import subscription_integration
from app.services.subscriptions import ITEM_KIND, KIND, due_for_reminder, lock_skipping
from app.store.repo import Docs
from app.unit import WorkUnit
from app.webhooks.client import wake
from domain.clock import iso

if TYPE_CHECKING:
    from app.state import Services

MESSAGE_TYPE = "SubscriptionReminder"


def _days(config: dict[str, Any] | None) -> int:
    return int((config or {}).get("NotificationDays") or 0)


async def _candidates(docs: Docs, now: datetime, days: int, limit: int) -> list[str]:
    """Active subscriptions whose NextOrderDate falls in the next `days` days."""
    date = docs.json.text(["NextOrderDate"])
    rows = await docs.all(
        KIND,
        *docs.eq(Active=True),
        date > iso(now),
        date <= iso(now + timedelta(days=days)),
        scope="",
        limit=limit,
    )
    return [str(d["ID"]) for d in rows]


async def _event_body(docs: Docs, sub: dict[str, Any]) -> dict[str, Any]:
    """OrderCloud's MessageSenderSubscriptionReminderEventBody: the items, their products, the
    subscription, and the products that can no longer be ordered (gone or inactive)."""
    items = await docs.all(ITEM_KIND, scope=str(sub["ID"]))
    ids = sorted({str(i["ProductID"]) for i in items})
    products = await docs.all("product", docs.id_in(ids)) if ids else []
    orderable = {str(p["ID"]) for p in products if p.get("Active", True)}
    return {
        "LineItems": [public(i) for i in items],
        "Products": [public(p) for p in products],
        "Subscription": public(sub),
        "UnavailableProductIDs": [i for i in ids if i not in orderable],
    }


async def remind_one(services: Services, subscription_id: str, now: datetime, days: int) -> bool:
    async with WorkUnit.transaction(services) as unit:
        docs = unit.docs
        stored = await lock_skipping(docs, subscription_id)
        if stored is None or not due_for_reminder(stored.doc, now, days):
            return False
        sub = dict(stored.doc)
        user = await docs.get("user", str(sub["FromUserID"]), str(sub["FromCompanyID"]))
        if user is not None and user.doc.get("Active", True):
            to = Recipient("buyer", str(sub["FromCompanyID"]), user.doc)
            body = await _event_body(docs, sub)
            await send(docs.conn, MESSAGE_TYPE, to, body, ordering_key=str(sub["ID"]))
        # Noted even when nobody could be told: one reminder per order date, not one per pass.
        sub["NotificationDate"] = iso(now)
        await docs.replace(KIND, str(sub["ID"]), sub, version=stored.version)
    return True


async def remind_due(services: Services, now: datetime, limit: int = 100) -> int:
    """One pass: remind every subscription whose reminder is due; returns how many."""
    async with services.db.reader() as conn:
        docs = Docs(conn)
        days = _days(await subscription_integration.current(docs))
        if days <= 0:
            return 0
        candidates = await _candidates(docs, now, days, limit)
    sent = 0
    for subscription_id in candidates:
        sent += await remind_one(services, subscription_id, now, days)
    if sent:
        wake(services)
    return sent
