"""The dashboard's figures, counted in SQL over what the signed-in user may list: incoming orders
as `GET /orders/Incoming` scopes them (same roles, same direction rule), and the webhook
delivery log as `GET /webhooks/{id}/deliveries` guards it (WebhookReader or WebhookAdmin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import func, select

from app.http import Ctx
from app.routes.access import seller_only
from app.services.order_access import ORDER_LIST_ROLES, direction_conds
from app.store.tables import resources
from app.webhooks import store as outbox_store
from domain.clock import utcnow
from domain.orders import Direction

R = resources.c
WEBHOOK_READ_ROLES = ("WebhookReader", "WebhookAdmin")


@dataclass
class OrderFigures:
    days: list[date]
    orders: dict[date, int]
    revenue: dict[date, Decimal]
    by_status: dict[str, int]
    currency_note: str = ""


@dataclass
class WebhookFigures:
    # {webhook ID: {status: count}}
    by_webhook: dict[str, dict[str, int]] = field(default_factory=dict)

    def total(self, status: str) -> int:
        return sum(c.get(status, 0) for c in self.by_webhook.values())

    @property
    def success_rate(self) -> float | None:
        done = self.total("Delivered") + self.total("Failed")
        return None if done == 0 else self.total("Delivered") / done


def _money(value: Any) -> Decimal:
    if value is None:
        return Decimal(0)
    try:
        # SQLite hands JSON numbers back as float; their shortest repr is the stored number.
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


async def order_figures(ctx: Ctx, days: int = 30) -> OrderFigures:
    """Submitted incoming orders and their totals per day for the last `days` days (UTC), and
    every incoming order by status."""
    caller = await ctx.caller(*ORDER_LIST_ROLES)
    docs = ctx.docs
    json = docs.json
    visible = [R.kind == "order", R.scope == "", *direction_conds(json, caller, Direction.INCOMING)]
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    submitted = json.text(["DateSubmitted"])
    rows = await ctx.conn.execute(
        select(submitted, json.text(["Total"])).where(*visible, submitted >= first.isoformat())
    )
    orders: dict[date, int] = {}
    revenue: dict[date, Decimal] = {}
    for when, total in rows:
        try:
            day = date.fromisoformat(str(when)[:10])
        except ValueError:
            continue
        orders[day] = orders.get(day, 0) + 1
        revenue[day] = revenue.get(day, Decimal(0)) + _money(total)
    status = json.text(["Status"])
    counted = await ctx.conn.execute(select(status, func.count()).where(*visible).group_by(status))
    by_status = {str(s): int(n) for s, n in counted if s is not None}
    span = [first + timedelta(days=i) for i in range(days)]
    return OrderFigures(span, orders, revenue, by_status)


async def webhook_figures(ctx: Ctx, days: int = 30) -> WebhookFigures | None:
    """Deliveries per webhook and status over the last `days` days; None when the user may not
    read the delivery log."""
    caller = await ctx.caller()
    if not caller.has(*WEBHOOK_READ_ROLES):
        return None
    await seller_only(ctx, caller)
    counts = await outbox_store.status_counts(ctx.conn, since=utcnow() - timedelta(days=days))
    figures = WebhookFigures()
    for (webhook, status), n in sorted(counts.items()):
        figures.by_webhook.setdefault(webhook, {})[status] = n
    return figures
