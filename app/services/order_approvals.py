"""Approve and decline an order awaiting approval (docs/approvals.md).

Approve marks the caller's pending approvals Approved, opens approvals for rules that the approval
unlocked (`order.approved('ruleID')` chains), and when nothing is pending any more moves the order
to Open through the order aggregate's `approve` transition, taking its inventory then (stock is not
held while an order awaits approval) and auto-forwarding its AutoForward lines as submit does.
Decline ends the round.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.auth.tokens import Caller
from app.auth.users import USER_KINDS
from app.models.approvals import OrderApprovalInfo
from app.services import approvals, checkout, forwarding, reservations
from app.services.lineitems import order_lines
from app.services.orders import write_order
from app.store.repo import Docs, Stored
from app.store.tables import resources
from app.unit import Unit
from domain.clock import iso, utcnow
from domain.errors import Forbidden, ValidationFailed
from domain.order_status import OrderAggregate, Reservation
from domain.orders import order_user


async def _eligible(ctx: Unit, caller: Caller, stored: Stored) -> list[dict[str, Any]]:
    """The caller's pending approvals; refuses in OrderCloud's order: status, then eligibility."""
    OrderAggregate.load(stored.doc).check("approve")  # Order.MustBeAwaitingApproval
    mine = await approvals.approvals_for(ctx.docs, caller, stored.doc)
    if not mine:
        raise Forbidden(
            "You are not in an approving group of this order's pending approvals",
            "Order.NotEligibleToApprove",
            {"OrderID": stored.doc["ID"]},
        )
    return mine


async def _approver(docs: Docs, caller: Caller) -> dict[str, Any]:
    kind = USER_KINDS.get(caller.user_type, "user")
    found = await docs.get(kind, caller.user_id, "" if caller.is_seller else caller.company_id)
    return order_user(
        found.doc if found else {"ID": caller.user_id, "Username": caller.username}, caller.company_id
    )


async def _decide(
    docs: Docs,
    caller: Caller,
    order_id: str,
    rows: list[dict[str, Any]],
    status: str,
    info: OrderApprovalInfo,
    now: datetime,
) -> None:
    approver = await _approver(docs, caller)
    for row in rows:
        decided = {
            **row,
            "Status": status,
            "Approver": approver,
            "Comments": info.comments,
            "DateCompleted": iso(now),
            "AllowResubmit": info.allow_resubmit
            if status == approvals.DECLINED
            else row.get("AllowResubmit"),
        }
        await docs.replace(approvals.APPROVAL_KIND, row["ID"], decided, order_id)


async def reserve_stock(docs: Docs, order: dict[str, Any], now: datetime) -> list[Reservation]:
    """Take the order's inventory as submit would have (same buckets, same lock order); refuses
    with Inventory.Insufficient when stock ran out while the order awaited approval."""
    lines = await order_lines(docs, order["ID"])
    product_ids = sorted({line["ProductID"] for line in lines})
    products = {
        s.doc["ID"]: s.doc
        for s in await docs.all_stored("product", resources.c.id.in_(product_ids), scope="", lock=True)
    }
    missing = [p for p in product_ids if p not in products]
    if missing:
        raise ValidationFailed(
            "Some products on this order no longer exist or are no longer available",
            "Order.ProductsNotFound",
            {"ProductIDs": missing},
        )
    return await reservations.take(docs, reservations.demand(lines, products), products, now, dry_run=False)


async def approve_order(ctx: Unit, caller: Caller, stored: Stored, info: OrderApprovalInfo) -> dict[str, Any]:
    docs = ctx.docs
    mine = await _eligible(ctx, caller, stored)
    doc, order = stored.doc, OrderAggregate.load(stored.doc)
    now = utcnow()
    await _decide(docs, caller, order.id, mine, approvals.APPROVED, info, now)
    _, recorded = await approvals.current_round(docs, order.id)
    plan = await approvals.plan(docs, doc, recorded)
    if plan.to_open:
        await approvals.open_approvals(docs, doc, plan.to_open, now, new_round=False)
    if plan.awaiting:
        return await write_order(docs, stored, order, now)
    # Every approval is in: the order passes to the seller now, as a submit without rules would.
    reserved = await reserve_stock(docs, doc, now)
    order.took(reserved, await reservations.debit(docs, doc, now, dry_run=False))
    order.transition("approve", now=now)
    result = await write_order(docs, stored, order, now, actor=caller)
    await forwarding.auto_forward(ctx, stored.doc, await order_lines(docs, order.id))
    event = await checkout.checkout_event(docs, caller)
    checkout.notify_after_commit(ctx, event, order.id, "orderapproved")
    return result


async def decline_order(ctx: Unit, caller: Caller, stored: Stored, info: OrderApprovalInfo) -> dict[str, Any]:
    """One decline ends the round: the caller's approvals become Declined, the round's other
    pending approvals are dropped (nobody needs to decide them any more)."""
    docs = ctx.docs
    mine = await _eligible(ctx, caller, stored)
    order = OrderAggregate.load(stored.doc)
    now = utcnow()
    await _decide(docs, caller, order.id, mine, approvals.DECLINED, info, now)
    _, recorded = await approvals.current_round(docs, order.id)
    for row in recorded:
        if row["Status"] == approvals.PENDING:
            await docs.delete(approvals.APPROVAL_KIND, row["ID"], order.id)
    order.transition("decline", now=now, allow_resubmit=info.allow_resubmit)
    return await write_order(docs, stored, order, now, actor=caller)
