"""Subscriptions (OrderCloud's recurring orders): their storage rules, and the scheduler that
turns each due subscription into a submitted order (docs/subscriptions.md).

One run of one subscription is one transaction: the subscription row is locked (`FOR UPDATE
SKIP LOCKED` on PostgreSQL, so another worker passes it by), a run record keyed by subscription
and period is inserted (a unique key: the same period can never order twice), the order is
created with the subscription's items, priced by the price engine, and submitted through the
same service as `POST /orders/Outgoing/{id}/submit`; then NextOrderDate moves on. A worker
killed mid-run leaves nothing: the transaction never committed, and the next run places the
order. A refused submit (out of stock, an inactive product, a spending limit) rolls back and is
recorded, in a transaction of its own, on the subscription (`LastOrderRefusal`) and the run.

With a subscription integration (app.services.subscription_integration) the run acts through its
API client: the submit route's pre-hooks are asked before the transaction and its post-hooks
recorded inside it (the same code as for HTTP requests, app.webhooks.hooks); or, when the
integration has a Url, the order is committed unsubmitted and handed to the middleware, whose
answer is stored on the order (a failed call is the period's refusal).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select

from app.auth.tokens import Caller
from app.auth.users import FoundUser
from app.catalog.bundles import refuse_bundle_product
from app.resources import public
from app.services import bundle_lines, bundle_subscription_items, lineitems, orders, subscription_integration
from app.services.checkout import worksheet
from app.services.lineitems import order_lines
from app.services.promotion_amounts import order_rows
from app.store.repo import Docs, Stored, id_is
from app.store.tables import resources
from app.unit import Unit, WorkUnit
from app.wire import new_id
from domain.clock import iso, parse_iso, utcnow
from domain.errors import DomainError, NotFound, ValidationFailed
from domain.order_status import CHECKOUT_KEY
from domain.orders import Direction
from domain.subscriptions import is_due, next_order_date

if TYPE_CHECKING:
    from app.state import Services

log = logging.getLogger("ordercore.subscriptions")

KIND = "subscription"
ITEM_KIND = "subscriptionitem"
RUN_KIND = "subscriptionrun"
R = resources.c
# The roles a subscription's orders are placed with: what a shopper needs to build and submit one.
ORDER_ROLES = frozenset({"Shopper", "MeAdmin"})


# --------------------------------------------------------------------------- storage rules


async def stored_id(docs: Docs, subscription_id: str, *, user: Caller | None = None) -> str:
    """The stored spelling of a subscription's ID; with `user`, only that user's own (else 404)."""
    found = await docs.get(KIND, subscription_id)
    if found is None or (user is not None and not owns(found.doc, user)):
        raise NotFound("Subscription", subscription_id)
    return str(found.doc["ID"])


def owns(doc: dict[str, Any], user: Caller) -> bool:
    return doc.get("FromUserID") == user.user_id and doc.get("FromCompanyID") == user.company_id


def mine(docs: Docs, user: Caller) -> list[Any]:
    return docs.eq(FromUserID=user.user_id, FromCompanyID=user.company_id)


async def check(
    docs: Docs, doc: dict[str, Any], existing: dict[str, Any] | None, me: Caller | None
) -> dict[str, Any]:
    """A subscription as it is stored: its buyer user exists, dates are OrderCloud's."""
    if me is not None:
        doc["FromUserID"], doc["FromCompanyID"] = me.user_id, me.company_id
    elif existing is not None:
        # Who orders is fixed once the subscription exists (as an order's FromUser is).
        doc["FromUserID"], doc["FromCompanyID"] = existing["FromUserID"], existing["FromCompanyID"]
    else:
        user_id = doc.get("FromUserID")
        if not user_id:
            raise ValidationFailed(
                "A subscription orders for a buyer user: FromUserID is required",
                "Subscription.CreateRequiresFromUser",
                {"Field": "FromUserID"},
            )
        company = doc.get("FromCompanyID")
        found = (
            await docs.get("user", user_id, company)
            if company
            else await docs.find_any_scope("user", user_id)
        )
        if found is None:
            raise NotFound("User", user_id)
        doc["FromUserID"], doc["FromCompanyID"] = found.doc["ID"], found.scope
    for name in ("NextOrderDate", "EndDate"):
        if doc.get(name):
            doc[name] = iso(parse_iso(doc[name]))
    if existing is not None and existing.get("NextOrderDate") != doc.get("NextOrderDate"):
        doc["LastOrderRefusal"] = existing.get("LastOrderRefusal")
    return doc


async def forget(docs: Docs, subscription_id: str) -> None:
    """A deleted subscription's items go with it (its orders stay, naming it in SubscriptionID)."""
    await docs.delete_where(ITEM_KIND, scope=subscription_id)


async def check_item(docs: Docs, item: dict[str, Any]) -> dict[str, Any]:
    found = await docs.get("product", item["ProductID"])
    if found is None:
        raise NotFound("Product", item["ProductID"])
    message = "A bundle is subscribed to through BundleSubscriptionItems"
    refuse_bundle_product(found.doc, message, "LineItem.ProductIsBundle")
    item["DateAdded"] = item.get("DateAdded") or iso(utcnow())
    return item


# --------------------------------------------------------------------------- the scheduler


@dataclass(frozen=True)
class RunResult:
    subscription_id: str
    period: str
    order_id: str | None
    refusal: dict[str, Any] | None


async def due(services: Services, now: datetime, limit: int = 100) -> list[str]:
    """IDs of the active subscriptions whose NextOrderDate has come (ISO strings sort by instant)."""
    async with services.db.reader() as conn:
        docs = Docs(conn)
        rows = await docs.all(
            KIND,
            *docs.eq(Active=True),
            docs.json.text(["NextOrderDate"]) <= iso(now),
            scope="",
            limit=limit,
        )
    return [str(d["ID"]) for d in rows]


def due_for_reminder(doc: dict[str, Any], now: datetime, days: int) -> bool:
    """Whether a SubscriptionReminder is due: the subscription orders again within `days` days
    (and will: active, not past its EndDate), and was not reminded of that order date yet."""
    if not doc.get("Active") or not doc.get("NextOrderDate"):
        return False
    next_order = parse_iso(doc["NextOrderDate"])
    window = next_order - timedelta(days=days)
    if not window <= now < next_order or (doc.get("EndDate") and next_order > parse_iso(doc["EndDate"])):
        return False
    noted = doc.get("NotificationDate")
    return noted is None or parse_iso(noted) < window


def _due(doc: dict[str, Any], now: datetime) -> bool:
    end = parse_iso(doc["EndDate"]) if doc.get("EndDate") else None
    return is_due(parse_iso(doc["NextOrderDate"]), now, end, doc.get("Active") is True)


async def lock_skipping(docs: Docs, subscription_id: str) -> Stored | None:
    """The subscription locked for this transaction, or None when it is gone or (PostgreSQL)
    another worker holds it."""
    stmt = select(R.doc, R.version).where(R.kind == KIND, func.lower(R.scope) == "", id_is(subscription_id))
    if docs.pg:
        stmt = stmt.with_for_update(skip_locked=True)
    row = (await docs.conn.execute(stmt)).first()
    return Stored(row.doc, row.version) if row is not None else None


async def _claim(docs: Docs, subscription_id: str, now: datetime) -> Stored | None:
    """The subscription locked for this run, or None when another worker holds it or it is no
    longer due (that worker ordered it already)."""
    stored = await lock_skipping(docs, subscription_id)
    return stored if stored is not None and _due(stored.doc, now) else None


def _buyer(doc: dict[str, Any], user: dict[str, Any] | None) -> Caller:
    user_id = str(doc["FromUserID"])
    username = str((user or {}).get("Username") or user_id)
    return Caller(user_id, username, "buyer", str(doc["FromCompanyID"]), "", ORDER_ROLES)


async def _advance(
    docs: Docs, stored: Stored, *, order_id: str | None, refusal: dict[str, Any] | None
) -> str:
    doc = dict(stored.doc)
    period = doc["NextOrderDate"]
    doc["LastOrderDate"] = period
    doc["NextOrderDate"] = iso(next_order_date(parse_iso(period), int(doc["Frequency"]), doc["Interval"]))
    if order_id is not None:
        doc["LastOrderID"] = order_id
    doc["LastOrderRefusal"] = refusal
    await docs.replace(KIND, doc["ID"], doc, version=stored.version)
    return period


def _run_id(sub_id: str, period: str) -> str:
    return f"{sub_id}-{period[:19].replace(':', '').replace('-', '')}"


async def _record(
    docs: Docs, sub_id: str, period: str, order_id: str | None, refusal: dict[str, Any] | None
) -> None:
    run = {
        "ID": _run_id(sub_id, period),
        "SubscriptionID": sub_id,
        "Period": period,
        "OrderID": order_id,
        "Refusal": refusal,
    }
    await docs.insert(RUN_KIND, run, sub_id, uniq=f"{RUN_KIND}:{sub_id.lower()}:{period}", absent=True)


@dataclass
class _NoRequest:
    """What the webhook hooks read of a request a scheduled run does not have."""

    query_params: dict[str, str] = field(default_factory=dict)


@dataclass
class _Submitted:
    """The order's submit as the webhook hooks see a `POST /orders/Outgoing/{id}/submit`, without
    an HTTP request: the same matching (`app.webhooks.hooks`), pre-hooks asked before the run's
    transaction, post-hooks and the OrderSubmitted messages recorded inside it."""

    services: Services
    conn: Any
    params: dict[str, Any]
    caller: Caller
    route: str = "v1/orders/{direction}/{orderID}/submit"
    verb: str = "POST"
    raw_body: bytes = b""
    writable: bool = True
    request: Any = field(default_factory=_NoRequest)
    state: dict[str, Any] = field(default_factory=dict)

    async def body(self) -> Any:
        return None

    async def optional_caller(self) -> Caller | None:
        return self.caller


@dataclass
class _Plan:
    """What one run decided before its transaction: the order's ID, the integration (if any), the
    buyer as a caller of its API client, and the submit's hook context (pre-hooks already asked)."""

    order_id: str
    config: dict[str, Any] | None = None
    caller: Caller | None = None
    context: _Submitted | None = None

    @property
    def to_middleware(self) -> bool:
        return subscription_integration.calls_middleware(self.config)


async def _plan(services: Services, subscription_id: str, now: datetime) -> _Plan | None:
    """Read without locks; ask the submit route's pre-hooks here, outside the run's transaction
    (no lock held while a merchant's server answers). A veto raises: that period's refusal."""
    async with WorkUnit.reader(services) as unit:
        docs = unit.docs
        found = await docs.get(KIND, subscription_id)
        if found is None or not _due(found.doc, now):
            return None
        sub = found.doc
        plan = _Plan(order_id=new_id(), config=await subscription_integration.current(docs))
        if plan.config is None:
            return plan
        user = await docs.get("user", sub["FromUserID"], sub["FromCompanyID"])
        if user is None:
            raise NotFound("User", sub["FromUserID"])
        buyer = FoundUser("buyer", str(sub["FromCompanyID"]), user.doc)
        plan.caller = await subscription_integration.run_caller(
            services, docs, plan.config, buyer, ORDER_ROLES
        )
    if not plan.to_middleware:
        params = {"direction": "Outgoing", "orderID": plan.order_id}
        plan.context = _Submitted(services, None, params, plan.caller)
        before = getattr(services.hooks, "before_transaction", None)
        if before is not None:
            await before(plan.context)
    return plan


async def _place(unit: WorkUnit, sub: dict[str, Any], period: str, plan: _Plan) -> str:
    """The subscription's order, created and filled as its buyer user would; submitted here, or
    (with the subscription integration's Url) left for the middleware to submit."""
    docs = unit.docs
    found = await docs.get("user", sub["FromUserID"], sub["FromCompanyID"])
    if found is None:
        raise NotFound("User", sub["FromUserID"])
    caller = plan.caller or _buyer(sub, found.doc)
    unit.who = caller
    items = await docs.all(ITEM_KIND, scope=sub["ID"])
    if not items:
        raise ValidationFailed(
            "A subscription must have at least one item to order",
            "Order.CannotSubmitWithNoLineItems",
            {"SubscriptionID": sub["ID"]},
        )
    body: dict[str, Any] = {
        "ID": plan.order_id,
        "ShippingAddressID": sub.get("ShippingAddressID"),
        "BillingAddressID": sub.get("BillingAddressID"),
        "xp": {"SubscriptionPeriod": period},
    }
    if sub.get("ToCompanyID"):
        body["ToCompanyID"] = sub["ToCompanyID"]
    order = await orders.create_order(
        unit, caller, Direction.OUTGOING, {k: v for k, v in body.items() if v is not None}
    )
    order_id = str(order["ID"])
    stored = await docs.require("order", order_id, object_type="Order")
    stored.doc["SubscriptionID"] = sub["ID"]
    plain, bundles = bundle_subscription_items.groups(items)
    for item in plain:
        line = {k: item.get(k) for k in bundle_subscription_items.ITEM_FIELDS}
        await lineitems.add_line(unit, caller, stored, {k: v for k, v in line.items() if v is not None})
        stored = await docs.require("order", order_id, object_type="Order")
    # A bundle's items are bought as the bundle again: its visibility and required products now.
    for group in bundles.values():
        body = bundle_subscription_items.bundle_body(group)
        await bundle_lines.add_bundle(unit, caller, stored, group[0]["_BundleID"], body)
        stored = await docs.require("order", order_id, object_type="Order")
    stored.doc["SubscriptionID"] = sub["ID"]
    if plan.to_middleware:
        await docs.replace("order", order_id, stored.doc, version=stored.version)
        return order_id
    submitted = await orders.submit_order(unit, stored)
    await _after_submit(unit, order_id, submitted, plan.context)
    return order_id


async def _after_submit(
    unit: WorkUnit, order_id: str, submitted: dict[str, Any], context: _Submitted | None
) -> None:
    """The submit's post-hooks and messages (in this transaction) and, once committed, the outbox
    worker woken."""
    assert unit.who is not None
    if context is None:
        context = _Submitted(unit.services, None, {"direction": "Outgoing", "orderID": order_id}, unit.who)
    context.conn = unit.conn
    hooks = unit.services.hooks
    await hooks.after(context, 201, submitted)
    after_commit = getattr(hooks, "after_commit", None)
    if after_commit is not None:

        async def wake() -> None:
            await after_commit(context)

        unit.after_commit(wake)


def _refusal(refused: DomainError) -> dict[str, Any]:
    return {"ErrorCode": refused.code, "Message": refused.message, "Data": refused.data}


async def run_one(services: Services, subscription_id: str, now: datetime) -> RunResult | None:
    """Order one due period of one subscription (None: not due, or another worker has it)."""
    try:
        plan = await _plan(services, subscription_id, now)
        if plan is None:
            return None
        async with WorkUnit.transaction(services) as unit:
            stored = await _claim(unit.docs, subscription_id, now)
            if stored is None:
                return None
            sub = stored.doc
            period = sub["NextOrderDate"]
            await _record(unit.docs, sub["ID"], period, None, None)
            order_id = await _place(unit, sub, period, plan)
            await _advance(unit.docs, stored, order_id=order_id, refusal=None)
    except DomainError as refused:
        return await _refused(services, subscription_id, now, _refusal(refused))
    if plan.to_middleware:
        return await _hand_over(services, plan, sub, period, order_id)
    return RunResult(sub["ID"], period, order_id, None)


async def _refused(
    services: Services, subscription_id: str, now: datetime, refusal: dict[str, Any]
) -> RunResult | None:
    """The period counts, refused: nothing of its order is kept (docs/subscriptions.md)."""
    async with WorkUnit.transaction(services) as unit:
        stored = await _claim(unit.docs, subscription_id, now)
        if stored is None:
            return None
        period = await _advance(unit.docs, stored, order_id=None, refusal=refusal)
        await _record(unit.docs, stored.doc["ID"], period, None, refusal)
    log.info("subscription %s: order for %s refused: %s", subscription_id, period, refusal["ErrorCode"])
    return RunResult(stored.doc["ID"], period, None, refusal)


async def _hand_over(
    services: Services, plan: _Plan, sub: dict[str, Any], period: str, order_id: str
) -> RunResult:
    """OrderCloud's subscription integration: the committed, unsubmitted order's worksheet goes
    to the middleware, which submits it with the buyer's token. Its answer is stored in the
    worksheet (`SubscriptionIntegrationResponse`); a failed call is the period's refusal, and the
    order, if still unsubmitted, is deleted (nothing of a refused period's order is kept)."""
    assert plan.config is not None and plan.caller is not None
    async with WorkUnit.reader(services) as unit:
        docs = unit.docs
        found = await docs.get("order", order_id)
        lines = await order_lines(docs, order_id)
        promos = await order_rows(docs, order_id)
        advanced = await docs.get(KIND, sub["ID"])
    sheet = worksheet(found.doc if found else {"ID": order_id}, lines, promos)
    sheet["Subscription"] = public(advanced.doc if advanced else sub)
    result = await subscription_integration.call(services, plan.config, sheet, plan.caller.token)
    refusal = None if result.ok else subscription_integration.refusal_of(result)
    async with WorkUnit.transaction(services, plan.caller) as unit:
        docs = unit.docs
        kept = await _store_response(unit, order_id, subscription_integration.response_of(result), refusal)
        if refusal is not None:
            await _note_refusal(docs, sub, period, refusal, kept)
    if refusal is not None:
        log.info("subscription %s: the integration refused %s: %s", sub["ID"], period, refusal["ErrorCode"])
    return RunResult(sub["ID"], period, order_id if kept else None, refusal)


async def _store_response(
    unit: WorkUnit, order_id: str, response: dict[str, Any], refusal: dict[str, Any] | None
) -> bool:
    """The middleware's answer on the order; a refused order still unsubmitted is deleted.
    Returns whether the order stays."""
    docs = unit.docs
    found = await docs.get("order", order_id, lock=True)
    if found is None:
        return False
    if refusal is not None and not found.doc.get("IsSubmitted"):
        await orders.delete_order(unit, found)
        return False
    order = dict(found.doc)
    order[CHECKOUT_KEY] = {**(order.get(CHECKOUT_KEY) or {}), "SubscriptionIntegrationResponse": response}
    await docs.replace("order", order_id, order, version=found.version)
    return True


async def _note_refusal(
    docs: Docs, sub: dict[str, Any], period: str, refusal: dict[str, Any], kept: bool
) -> None:
    found = await docs.get(KIND, sub["ID"], lock=True)
    if found is not None:
        doc = dict(found.doc)
        doc["LastOrderRefusal"] = refusal
        if not kept:
            doc["LastOrderID"] = sub.get("LastOrderID")
        await docs.replace(KIND, sub["ID"], doc, version=found.version)
    run = await docs.get(RUN_KIND, _run_id(sub["ID"], period), sub["ID"])
    if run is not None:
        await docs.replace(RUN_KIND, run.doc["ID"], {**run.doc, "Refusal": refusal}, sub["ID"])


async def run_due(services: Services, now: datetime, limit: int = 100) -> list[RunResult]:
    """One pass: every subscription due at `now` orders its next period (one period per
    subscription per pass; a subscription behind by several periods catches up one per pass)."""
    results: list[RunResult] = []
    for subscription_id in await due(services, now, limit):
        result = await run_one(services, subscription_id, now)
        if result is not None:
            results.append(result)
    return results


async def runs(unit: Unit, subscription_id: str) -> list[dict[str, Any]]:
    return await unit.docs.all(RUN_KIND, scope=subscription_id)
