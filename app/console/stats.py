"""The dashboard's figures, counted in SQL over what the signed-in user may list: incoming orders
as `GET /orders/Incoming` scopes them (same roles, same direction rule), and the webhook
delivery log as `GET /webhooks/{id}/deliveries` guards it (WebhookReader or WebhookAdmin)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Integer, cast, func, select

from app.auth.tokens import Caller
from app.http import Ctx
from app.routes.access import seller_only
from app.services.order_access import ORDER_LIST_ROLES, direction_conds
from app.store.tables import resources
from app.webhooks import store as outbox_store
from domain.clock import utcnow
from domain.order_status import STATES
from domain.orders import Direction

R = resources.c
WEBHOOK_READ_ROLES = ("WebhookReader", "WebhookAdmin")


@dataclass
class OrderFigures:
    days: list[date]
    orders: dict[date, int]
    revenue: dict[date, Decimal]
    by_status: dict[str, int]
    computed_at: datetime | None = None


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


# Submitted orders' statuses, lower-cased as the list indexes hold them (migration 0005): an IN
# over these lets the planner walk `ix_res_to_status_submitted` by status, then by date.
SUBMITTED_STATUSES = ("open", "awaitingapproval", "completed", "canceled", "declined")
# SQLite has no exact decimal: totals are summed there as integers of 1/10,000 (exact for
# amounts with up to four decimal places, every currency's minor unit).
SCALE = 10_000


# The dashboard's order figures are read at most this often per process and company: counting
# every incoming order is linear in the orders (docs/console.md, docs/performance.md).
FIGURES_TTL = 15.0
CACHE_KEY = "console.order_figures"


async def order_figures(ctx: Ctx, days: int = 30) -> OrderFigures:
    """Submitted incoming orders and their totals per day for the last `days` days (UTC), and
    every incoming order by status; both counted in SQL, at most every `FIGURES_TTL` seconds
    for one company (the caller's roles are checked on every call)."""
    caller = await ctx.caller(*ORDER_LIST_ROLES)
    cache: dict[tuple[str, int], tuple[float, OrderFigures]] = ctx.services.extras.setdefault(CACHE_KEY, {})
    key = (caller.company_id, days)
    hit = cache.get(key)
    now = time.monotonic()
    if hit is not None and hit[0] > now:
        return hit[1]
    figures = await _count_orders(ctx, caller, days)
    cache[key] = (now + FIGURES_TTL, figures)
    return figures


async def _count_orders(ctx: Ctx, caller: Caller, days: int) -> OrderFigures:
    docs = ctx.docs
    json = docs.json
    visible = [R.kind == "order", R.scope == "", *direction_conds(json, caller, Direction.INCOMING)]
    today = utcnow().date()
    first = today - timedelta(days=days - 1)
    submitted = json.text(["DateSubmitted"])
    status = func.lower(json.text(["Status"]))
    day = func.substr(submitted, 1, 10)
    total = json.num(["Total"])
    revenue_sum = func.sum(total) if docs.pg else func.sum(cast(func.round(total * SCALE), Integer))
    rows = await ctx.conn.execute(
        select(day, func.count(), revenue_sum)
        .where(*visible, status.in_(SUBMITTED_STATUSES), submitted >= first.isoformat())
        .group_by(day)
    )
    orders: dict[date, int] = {}
    revenue: dict[date, Decimal] = {}
    for when, n, amount in rows:
        try:
            key = date.fromisoformat(str(when))
        except ValueError:
            continue
        orders[key] = int(n)
        value = _money(amount)
        revenue[key] = value if docs.pg else value / SCALE
    counted = await ctx.conn.execute(select(status, func.count()).where(*visible).group_by(status))
    by_status = {_status_name(s): int(n) for s, n in counted if s is not None}
    span = [first + timedelta(days=i) for i in range(days)]
    return OrderFigures(span, orders, revenue, by_status, computed_at=utcnow())


def _status_name(lowered: str) -> str:
    return next((s for s in STATES if s.lower() == lowered), lowered)


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
