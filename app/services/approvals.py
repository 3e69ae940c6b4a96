"""Which approvals an order needs, and who may approve it.

Storage: rules are `approvalrule` documents (scope = buyer ID); an order's approvals are
`orderapproval` documents (scope = order ID) with a synthetic `ID` (`r<round>-<ruleID>`) and the
private `_Round` and `_BuyerID`. Each submit for approval opens a new round; earlier rounds stay as
history (ListApprovals shows them) but only the current round counts. Rules are in
docs/approvals.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.auth.users import group_ids
from app.services.lineitems import order_lines
from app.store.invalidation import cached_config
from app.store.repo import Docs
from app.wire import public
from domain.clock import iso
from domain.errors import NotFound, ValidationFailed
from domain.expressions import Context, Dialect, Expression, evaluate, parse
from domain.order_status import is_awaiting_approval

RULE_KIND = "approvalrule"
APPROVAL_KIND = "orderapproval"
PENDING, APPROVED, DECLINED = "Pending", "Approved", "Declined"
# RuleExpression reads the order and its lines; rules chain with order.approved('ruleID').
RULE_DIALECT = Dialect(("order", "items"), approvals=True)


def parse_rule(source: str) -> Expression:
    """The parsed RuleExpression; refuses with `Expression.*` (ValidationFailed)."""
    return parse(source, RULE_DIALECT)


@dataclass
class Plan:
    """The outcome of evaluating a buyer's rules against an order."""

    to_open: list[dict[str, Any]] = field(default_factory=list)  # rules needing a new Pending approval
    awaiting: bool = False  # the order must (still) await approval


def submitter_of(order: dict[str, Any]) -> tuple[str, str]:
    """(buyer ID, user ID) whose group membership auto-approves rules: the user the order is
    from, also when the seller submits on that user's behalf."""
    return order.get("FromCompanyID") or "", order.get("FromUserID") or ""


async def current_round(docs: Docs, order_id: str) -> tuple[int, list[dict[str, Any]]]:
    """The latest round number (0: none yet) and its approvals."""
    rows = await docs.all(APPROVAL_KIND, scope=order_id)
    latest = max((int(r.get("_Round") or 0) for r in rows), default=0)
    return latest, [r for r in rows if int(r.get("_Round") or 0) == latest and latest]


async def buyer_rules(docs: Docs, buyer_id: str) -> list[dict[str, Any]]:
    """The buyer's approval rules, from the per-process configuration cache (app.store.invalidation:
    dropped on any approval rule write, in every process): submit asks on every order."""

    async def read(conn: AsyncConnection) -> list[dict[str, Any]]:
        return await Docs(conn).all(RULE_KIND, scope=buyer_id)

    rules: list[dict[str, Any]] = await cached_config(docs.conn, ("approvalrules", buyer_id.lower()), read)
    return list(rules)


async def plan(docs: Docs, order: dict[str, Any], recorded: list[dict[str, Any]] | None = None) -> Plan:
    """Evaluate the order's buyer's rules. `recorded`: the approvals of the current round (none at
    submit). Rules whose approving group holds the submitter count as approved without a record
    (auto-approval); they can unlock rules chained with `order.approved('ruleID')`, so evaluation
    repeats until nothing changes."""
    recorded = recorded or []
    buyer_id, user_id = submitter_of(order)
    rules = await buyer_rules(docs, buyer_id) if buyer_id else []
    if not rules:
        return Plan(awaiting=any(a["Status"] == PENDING for a in recorded))
    lines = await order_lines(docs, order["ID"])
    groups = set(await group_ids(docs, "buyer", buyer_id, user_id)) if user_id else set()
    seen = {a["ApprovalRuleID"] for a in recorded}
    approved = {a["ApprovalRuleID"] for a in recorded if a["Status"] == APPROVED}
    view = public(order)
    parsed = [(rule, parse_rule(rule["RuleExpression"])) for rule in sorted(rules, key=lambda r: r["ID"])]
    to_open: list[dict[str, Any]] = []
    changed = True
    while changed:
        changed = False
        for rule, expression in parsed:
            if rule["ID"] in seen:
                continue
            if evaluate(expression, Context({"order": view, "items": lines}, frozenset(approved))):
                seen.add(rule["ID"])
                if rule["ApprovingGroupID"] in groups:
                    approved.add(rule["ID"])
                    changed = True
                else:
                    to_open.append(rule)
    awaiting = bool(to_open) or any(a["Status"] == PENDING for a in recorded)
    return Plan(to_open, awaiting)


async def open_approvals(
    docs: Docs, order: dict[str, Any], rules: list[dict[str, Any]], now: datetime, *, new_round: bool
) -> None:
    """Pending approvals for `rules`, in a new round at submit or the current one after an approval
    unlocked chained rules."""
    latest, _ = await current_round(docs, order["ID"])
    round_no = latest + 1 if new_round or not latest else latest
    for rule in rules:
        await docs.insert(
            APPROVAL_KIND,
            {
                "ID": f"r{round_no}-{rule['ID']}",
                "AllowResubmit": False,
                "ApprovalRuleID": rule["ID"],
                "ApprovingGroupID": rule["ApprovingGroupID"],
                "Status": PENDING,
                "DateCreated": iso(now),
                "DateCompleted": None,
                "Approver": None,
                "Comments": None,
                "_Round": round_no,
                "_BuyerID": order.get("FromCompanyID"),
            },
            order["ID"],
            object_type="OrderApproval",
        )


def shown(approval: dict[str, Any]) -> dict[str, Any]:
    """An approval as callers see it: no synthetic ID, no private keys."""
    return {k: v for k, v in public(approval).items() if k != "ID"}


# --------------------------------------------------------------------------- who may approve


async def caller_groups(docs: Docs, caller: Caller, order: dict[str, Any]) -> set[str]:
    """The caller's user groups when it belongs to the order's buyer, else none."""
    if not caller.is_buyer or caller.company_id != order.get("FromCompanyID"):
        return set()
    return set(await group_ids(docs, "buyer", caller.company_id, caller.user_id))


def seller_may_approve(caller: Caller, order: dict[str, Any]) -> bool:
    """[choice] The receiving seller's OrderAdmin users may approve or decline on any pending
    approval's behalf (an escalation path when no group member is available)."""
    return caller.is_seller and caller.has("OrderAdmin") and order.get("ToCompanyID") == caller.company_id


async def approvals_for(docs: Docs, caller: Caller, order: dict[str, Any]) -> list[dict[str, Any]]:
    """The pending approvals of the current round that this caller may decide."""
    _, recorded = await current_round(docs, order["ID"])
    pending = [a for a in recorded if a["Status"] == PENDING]
    if seller_may_approve(caller, order):
        return pending
    groups = await caller_groups(docs, caller, order)
    return [a for a in pending if a["ApprovingGroupID"] in groups]


async def may_read_as_approver(docs: Docs, caller: Caller, order: dict[str, Any]) -> bool:
    """Members of a group asked to approve an order may read it (and its lines and payments),
    even with only the Shopper role, which otherwise reaches only one's own orders."""
    groups = await caller_groups(docs, caller, order)
    if not groups:
        return False
    rows = await docs.all(APPROVAL_KIND, docs.field_in("ApprovingGroupID", sorted(groups)), scope=order["ID"])
    return bool(rows)


async def approvable_order_ids(docs: Docs, caller: Caller) -> list[str]:
    """IDs of orders with a Pending approval for one of the caller's groups (buyer users only)."""
    if not caller.is_buyer:
        return []
    groups = await group_ids(docs, "buyer", caller.company_id, caller.user_id)
    if not groups:
        return []
    rows = await docs.all_stored(
        APPROVAL_KIND,
        *docs.eq(Status=PENDING, _BuyerID=caller.company_id),
        docs.field_in("ApprovingGroupID", groups),
    )
    return sorted({r.scope for r in rows})


async def pending_for_rule(docs: Docs, buyer_id: str, rule_id: str) -> list[str]:
    """Orders still awaiting approval under this rule."""
    rows = await docs.all_stored(
        APPROVAL_KIND, *docs.eq(Status=PENDING, ApprovalRuleID=rule_id, _BuyerID=buyer_id)
    )
    waiting = []
    for row in rows:
        found = await docs.get("order", row.scope)
        if found is not None and is_awaiting_approval(found.doc):
            waiting.append(row.scope)
    return sorted(set(waiting))


async def rules_using_group(docs: Docs, buyer_id: str, group_id: str) -> list[str]:
    return [r["ID"] for r in await docs.all(RULE_KIND, *docs.eq(ApprovingGroupID=group_id), scope=buyer_id)]


# --------------------------------------------------------------------------- what the routes ask


async def check_rule(docs: Docs, buyer_id: str, rule: dict[str, Any]) -> dict[str, Any]:
    """The approving group must be one of this buyer's groups; the expression must parse."""
    if not await docs.exists("usergroup", rule["ApprovingGroupID"], buyer_id):
        raise NotFound("UserGroup", rule["ApprovingGroupID"])
    parse_rule(rule["RuleExpression"])
    return rule


async def refuse_if_pending(docs: Docs, buyer_id: str, rule_id: str) -> None:
    """A rule stays while orders await approval under it."""
    waiting = await pending_for_rule(docs, buyer_id, rule_id)
    if waiting:
        raise ValidationFailed(
            "An approval rule cannot be deleted while orders await approval under it",
            "ApprovalRule.CannotDeleteIfPending",
            {"ApprovalRuleID": rule_id, "OrderIDs": waiting},
        )


async def eligible_approver_conds(docs: Docs, order: dict[str, Any]) -> list[ColumnElement[bool]] | None:
    """The users (scope: the order's buyer) in the approving groups of the current round's pending
    approvals; None when there are none (the order awaits no approval, or no group has members)."""
    _, recorded = await current_round(docs, order["ID"])
    groups = sorted({a["ApprovingGroupID"] for a in recorded if a["Status"] == PENDING})
    buyer_id = order.get("FromCompanyID") or ""
    members = (
        await docs.all("usergroupassignment", docs.field_in("UserGroupID", groups), scope=buyer_id)
        if groups and is_awaiting_approval(order)
        else []
    )
    if not members:
        return None
    return [docs.id_in(sorted({m["UserID"] for m in members}))]
