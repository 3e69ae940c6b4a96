"""Approve and decline an order awaiting approval (docs/approvals.md).

Approve marks the caller's pending approvals Approved, opens approvals for rules that the approval
unlocked (`order.approved('ruleID')` chains), and when nothing is pending any more moves the order
to Open through `domain.lifecycle.apply(order, "approve")`, taking its inventory then (stock is not
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
from domain.lifecycle import apply
from domain.order_status import Bookkeeping, Reservation, is_awaiting_approval
from domain.orders import order_user


async def _eligible(ctx: Unit, caller: Caller, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The caller's pending approvals; refuses in OrderCloud's order: status, then eligibility."""
    if not is_awaiting_approval(order):
        apply(dict(order), "approve", now=utcnow())  # raises Order.MustBeAwaitingApproval
    mine = await approvals.approvals_for(ctx.docs, caller, order)
    if not mine:
        raise Forbidden(
            "You are not in an approving group of this order's pending approvals",
            "Order.NotEligibleToApprove",
            {"OrderID": order["ID"]},
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
    order = dict(stored.doc)
    mine = await _eligible(ctx, caller, order)
    now = utcnow()
    await _decide(docs, caller, order["ID"], mine, approvals.APPROVED, info, now)
    _, recorded = await approvals.current_round(docs, order["ID"])
    plan = await approvals.plan(docs, order, recorded)
    if plan.to_open:
        await approvals.open_approvals(docs, order, plan.to_open, now, new_round=False)
    if plan.awaiting:
        return await write_order(docs, stored, order, now)
    # Every approval is in: the order passes to the seller now, as a submit without rules would.
    books = Bookkeeping.load(order)
    books.reserved = await reserve_stock(docs, order, now)
    books.debits = await reservations.debit(docs, order, now, dry_run=False)
    books.dump(order)
    apply(order, "approve", now=now)
    result = await write_order(docs, stored, order, now, actor=caller)
    await forwarding.auto_forward(ctx, order, await order_lines(docs, order["ID"]))
    event = await checkout.checkout_event(docs, caller)
    checkout.notify_after_commit(ctx, event, order["ID"], "orderapproved")
    return result


async def decline_order(ctx: Unit, caller: Caller, stored: Stored, info: OrderApprovalInfo) -> dict[str, Any]:
    """One decline ends the round: the caller's approvals become Declined, the round's other
    pending approvals are dropped (nobody needs to decide them any more)."""
    docs = ctx.docs
    order = dict(stored.doc)
    mine = await _eligible(ctx, caller, order)
    now = utcnow()
    await _decide(docs, caller, order["ID"], mine, approvals.DECLINED, info, now)
    _, recorded = await approvals.current_round(docs, order["ID"])
    for row in recorded:
        if row["Status"] == approvals.PENDING:
            await docs.delete(approvals.APPROVAL_KIND, row["ID"], order["ID"])
    apply(order, "decline", now=now, allow_resubmit=info.allow_resubmit)
    return await write_order(docs, stored, order, now, actor=caller)
