"""Seller approval rules (`/approvalrules`, ApprovalType OrderReturn) and the approvals of returns.

- A rule belongs to `OwnerID` (the marketplace by default; a supplier's users own their supplier's
  rules) and names an `ApprovingGroupID`: an admin user group for the marketplace, a supplier user
  group for a supplier. At submit, every rule owned by the company receiving the order is evaluated
  with `Order` and `OrderReturn` in scope (`domain.expressions`); each match opens one approval (kind
  `orderreturnapproval`, scope = the return ID, ID = the rule ID) and the return goes to
  AwaitingApproval. A submitter who belongs to the approving group approves its own rule at once.
- Approve/decline: the caller must belong to the group of a Pending approval
  (`OrderReturn.NotEligibleToApproveOrDecline` otherwise). Approving settles the caller's pending
  approvals; when none is left the return is Open. One decline declines the return.
- Eligible approvers: the members of the groups of the return's Pending approvals.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.store.repo import Docs
from app.store.tables import resources
from app.unit import Unit
from app.wire import public
from domain.clock import iso
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.expressions import Context, Dialect, Expression, evaluate, parse

RULE_KIND = "sellerapprovalrule"
APPROVAL_KIND = "orderreturnapproval"
PENDING, APPROVED, DECLINED = "Pending", "Approved", "Declined"
# Return rules read the order and the return (`now(days)` for date-based return policies); there
# are no lines in scope, so `items.*` is refused when the rule is saved.
RULE_DIALECT = Dialect(("Order", "OrderReturn"))


def parse_rule(source: str) -> Expression:
    """The parsed RuleExpression; a rule the engine cannot evaluate is refused when it is saved
    (ValidationFailure on the RuleExpression field, with the engine's position)."""
    try:
        return parse(source, RULE_DIALECT)
    except ValidationFailed as exc:
        position = exc.data.get("Position") if isinstance(exc.data, dict) else None
        raise ValidationFailed(
            f"RuleExpression cannot be evaluated: {exc.message}",
            "ValidationFailure",
            {"Field": "RuleExpression", "Position": position},
        ) from None


def _groups(ctx: Unit, owner_id: str) -> tuple[str, str, str, str]:
    """(group kind, membership kind, user kind, scope) of the approving groups of `owner_id`."""
    if owner_id == ctx.services.marketplace_id:
        return "adminusergroup", "adminusergroupassignment", "adminuser", ""
    return "supplierusergroup", "supplierusergroupassignment", "supplieruser", owner_id


async def groups_of(ctx: Unit, caller: Caller) -> set[str]:
    """The approving groups `caller` belongs to."""
    if not (caller.is_seller or caller.is_supplier):
        return set()
    owner = ctx.services.marketplace_id if caller.is_seller else caller.company_id
    _, membership, _, scope = _groups(ctx, owner)
    rows = await ctx.docs.all(membership, *ctx.docs.eq(UserID=caller.user_id), scope=scope)
    return {r["UserGroupID"] for r in rows}


# --------------------------------------------------------------------------- rules


async def rule_scope(ctx: Unit, caller: Caller) -> str:
    if caller.is_buyer or caller.anonymous:
        raise Forbidden(
            "Seller approval rules are not available to buyer users", "Auth.InsufficientRoles", None
        )
    return ""


async def rule_visible(ctx: Unit, caller: Caller, scope: str) -> list[ColumnElement[bool]]:
    return [] if caller.is_seller else ctx.docs.eq(OwnerID=caller.company_id)


async def check_rule(
    ctx: Unit, caller: Caller, doc: dict[str, Any], existing: dict[str, Any] | None, scope: str
) -> dict[str, Any]:
    """OwnerID defaults to the caller's company (only the marketplace may name another); the
    expression must parse and the approving group must exist for the owner."""
    doc["OwnerID"] = doc.get("OwnerID") or (existing or {}).get("OwnerID") or caller.company_id
    if doc["OwnerID"] != caller.company_id and not caller.is_seller:
        raise Forbidden(
            "Only the marketplace owner may set another OwnerID", "ApprovalRule.CannotModify", None
        )
    if doc["OwnerID"] != ctx.services.marketplace_id and not await ctx.docs.exists(
        "supplier", doc["OwnerID"]
    ):
        raise NotFound("Supplier", doc["OwnerID"])
    parse_rule(doc["RuleExpression"])
    group_kind, _, _, group_scope = _groups(ctx, doc["OwnerID"])
    if not await ctx.docs.exists(group_kind, doc["ApprovingGroupID"], group_scope):
        raise NotFound("UserGroup", doc["ApprovingGroupID"])
    return doc


async def before_rule_delete(ctx: Unit, caller: Caller, doc: dict[str, Any], scope: str) -> None:
    pending = await ctx.docs.count(APPROVAL_KIND, *ctx.docs.eq(ApprovalRuleID=doc["ID"], Status=PENDING))
    if pending:
        raise ValidationFailed(
            "An approval rule with pending approvals cannot be deleted",
            "ApprovalRule.CannotDeleteIfPending",
            {"ApprovalRuleID": doc["ID"]},
        )


# --------------------------------------------------------------------------- approvals


async def _approver(ctx: Unit, caller: Caller) -> dict[str, Any] | None:
    kind = "adminuser" if caller.is_seller else "supplieruser"
    found = await ctx.docs.get(kind, caller.user_id, "" if caller.is_seller else caller.company_id)
    if found is None:
        return {"ID": caller.user_id, "Username": caller.username}
    return {k: v for k, v in public(found.doc).items() if k != "Password"}


async def open_for(
    ctx: Unit, caller: Caller, order: dict[str, Any], ret: dict[str, Any], now: datetime
) -> bool:
    """Open the approvals of the rules `ret` matches; True when any is left Pending."""
    docs = ctx.docs
    owner = order.get("ToCompanyID")
    context = Context({"Order": public(order), "OrderReturn": public(ret)}, now=now)
    rules = [
        r
        for r in await docs.all(RULE_KIND, *docs.eq(ApprovalType="OrderReturn"))
        if (r.get("OwnerID") or ctx.services.marketplace_id) == owner
    ]
    await docs.delete_where(APPROVAL_KIND, scope=ret["ID"])
    mine = await groups_of(ctx, caller)
    pending = False
    for rule in rules:
        if not evaluate(parse_rule(rule["RuleExpression"]), context):
            continue
        auto = rule["ApprovingGroupID"] in mine
        await docs.insert(
            APPROVAL_KIND,
            {
                "ID": rule["ID"],
                "OrderReturnID": ret["ID"],
                "ApprovalRuleID": rule["ID"],
                "ApprovingGroupID": rule["ApprovingGroupID"],
                "Status": APPROVED if auto else PENDING,
                "DateCreated": iso(now),
                "DateCompleted": iso(now) if auto else None,
                "Approver": await _approver(ctx, caller) if auto else None,
                "Comments": None,
            },
            ret["ID"],
        )
        pending |= not auto
    return pending


async def decide(
    ctx: Unit, caller: Caller, ret: dict[str, Any], *, approve: bool, comments: str | None, now: datetime
) -> bool:
    """Record the caller's decision on its pending approvals; True when the return is settled
    (declined, or approved with nothing left pending)."""
    docs = ctx.docs
    mine = await groups_of(ctx, caller)
    stored = await docs.all_stored(APPROVAL_KIND, scope=ret["ID"], lock=True)
    pending = [s for s in stored if s.doc.get("Status") == PENDING]
    eligible = [s for s in pending if s.doc.get("ApprovingGroupID") in mine]
    if not eligible:
        raise Forbidden(
            "You are not eligible to approve or decline this order return",
            "OrderReturn.NotEligibleToApproveOrDecline",
            {"OrderReturnID": ret["ID"]},
        )
    approver = await _approver(ctx, caller)
    for s in eligible:
        decided = {
            **s.doc,
            "Status": APPROVED if approve else DECLINED,
            "DateCompleted": iso(now),
            "Approver": approver,
            "Comments": comments,
        }
        await docs.replace(APPROVAL_KIND, s.doc["ID"], decided, ret["ID"], version=s.version)
    return not approve or len(eligible) == len(pending)


async def approvable_ids(ctx: Unit, caller: Caller) -> list[str]:
    """IDs of the returns with a Pending approval the caller may decide."""
    mine = await groups_of(ctx, caller)
    if not mine:
        return []
    docs = ctx.docs
    rows = await docs.all(
        APPROVAL_KIND, *docs.eq(Status=PENDING), docs.field_in("ApprovingGroupID", sorted(mine))
    )
    return sorted({r["OrderReturnID"] for r in rows})


async def eligible_approver_conds(
    ctx: Unit, order: dict[str, Any], ret: dict[str, Any]
) -> tuple[str, str, list[ColumnElement[bool]]]:
    """(user kind, scope, conditions) selecting the members of the pending approvals' groups."""
    docs = ctx.docs
    _, membership, user_kind, scope = _groups(ctx, order.get("ToCompanyID") or ctx.services.marketplace_id)
    groups = sorted(
        {
            a["ApprovingGroupID"]
            for a in await docs.all(APPROVAL_KIND, *docs.eq(Status=PENDING), scope=ret["ID"])
        }
    )
    members = (
        [m["UserID"] for m in await docs.all(membership, docs.field_in("UserGroupID", groups), scope=scope)]
        if groups
        else []
    )
    return user_kind, scope, [resources.c.id.in_(sorted(set(members)))]


def shown_approval(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in public(doc).items() if k != "ID"}


async def remove_all(docs: Docs, return_id: str) -> None:
    await docs.delete_where(APPROVAL_KIND, scope=return_id)


async def rename(docs: Docs, old_id: str, new_id: str) -> None:
    for doc in await docs.all(APPROVAL_KIND, scope=old_id):
        await docs.insert(APPROVAL_KIND, {**doc, "OrderReturnID": new_id}, new_id)
    await docs.delete_where(APPROVAL_KIND, scope=old_id)


async def approvable_cond(ctx: Unit, caller: Caller) -> ColumnElement[bool]:
    """The `approvable=true` list parameter: returns with a Pending approval the caller may decide."""
    return ctx.docs.id_in(await approvable_ids(ctx, caller))
