"""Approval rules (`/buyers/{buyerID}/approvalrules`) and an order's approvals:
`/orders/{direction}/{orderID}/approve|decline|approvals|eligibleapprovers`."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.listing import Page, schema_of
from app.models.approvals import ApprovalRule, OrderApproval, OrderApprovalInfo
from app.models.orgs import User
from app.order_paths import order_at_path
from app.resources import Doc, ResourceSpec, crud, public
from app.routes.access import buyer_scope
from app.services import approvals, order_approvals
from app.services.order_access import ORDER_READ_ROLES, ORDER_WRITE_ROLES
from app.wire import validate
from domain.errors import NotFound, ValidationFailed
from domain.lifecycle import AWAITING_APPROVAL

APPROVAL_SCHEMA = schema_of(OrderApproval)
USER_SCHEMA = schema_of(User)
APPROVAL_SORT = ("ApprovalRuleID", "ApprovingGroupID", "Status", "DateCreated", "DateCompleted")


async def _check_rule(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    """The approving group must be one of this buyer's groups; the expression must parse."""
    if not await ctx.docs.exists("usergroup", doc["ApprovingGroupID"], scope):
        raise NotFound("UserGroup", doc["ApprovingGroupID"])
    approvals.parse_rule(doc["RuleExpression"])
    return doc


async def _refuse_if_pending(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    waiting = await approvals.pending_for_rule(ctx.docs, scope, doc["ID"])
    if waiting:
        raise ValidationFailed(
            "An approval rule cannot be deleted while orders await approval under it",
            "ApprovalRule.CannotDeleteIfPending",
            {"ApprovalRuleID": doc["ID"], "OrderIDs": waiting},
        )


RULE_SPEC = ResourceSpec(
    approvals.RULE_KIND,
    "ApprovalRule",
    "/buyers/{buyerID}/approvalrules",
    "approvalRuleID",
    ApprovalRule,
    ("ApprovalRuleReader", "ApprovalRuleAdmin"),
    ("ApprovalRuleAdmin",),
    readonly=(),
    searchable=("ID", "Name", "Description"),
    sortable=("ID", "Name", "ApprovingGroupID"),
    scope=buyer_scope,
    on_write=_check_rule,
    on_delete=_refuse_if_pending,
)


@endpoint("POST", "/orders/{direction}/{orderID}/approve")
async def approve_order(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES, write=False, lock=True)
    info = validate(await ctx.body_object(required=False), OrderApprovalInfo)
    return await order_approvals.approve_order(ctx, caller, stored, info)


@endpoint("POST", "/orders/{direction}/{orderID}/decline")
async def decline_order(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES, write=False, lock=True)
    info = validate(await ctx.body_object(required=False), OrderApprovalInfo)
    return await order_approvals.decline_order(ctx, caller, stored, info)


@endpoint("GET", "/orders/{direction}/{orderID}/approvals")
async def list_approvals(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False, lock=False)
    page = await ctx.docs.page(
        approvals.APPROVAL_KIND,
        ctx.list_options(),
        APPROVAL_SCHEMA,
        scope=stored.doc["ID"],
        searchable=("ApprovalRuleID", "ApprovingGroupID", "Comments"),
        sortable=APPROVAL_SORT,
        default_sort=("DateCreated",),
    )
    page.items[:] = [approvals.shown(a) for a in page.items]
    return page.wire()


@endpoint("GET", "/orders/{direction}/{orderID}/eligibleapprovers")
async def list_eligible_approvers(ctx: Ctx) -> Any:
    """Users of the buyer in the approving groups of the current round's pending approvals."""
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False, lock=False)
    docs = ctx.docs
    opts = ctx.list_options()
    order = stored.doc
    _, recorded = await approvals.current_round(docs, order["ID"])
    groups = sorted({a["ApprovingGroupID"] for a in recorded if a["Status"] == approvals.PENDING})
    buyer_id = order.get("FromCompanyID") or ""
    members = (
        await docs.all("usergroupassignment", docs.field_in("UserGroupID", groups), scope=buyer_id)
        if groups and order.get("Status") == AWAITING_APPROVAL
        else []
    )
    if not members:
        return Page([], opts.page, opts.page_size, 0).wire()
    page = await docs.page(
        "user",
        opts,
        USER_SCHEMA,
        conds=[ctx.docs.id_in(sorted({m["UserID"] for m in members}))],
        scope=buyer_id,
        searchable=("ID", "Username", "LastName", "FirstName", "Email"),
    )
    page.items[:] = [{**public(u), "Password": None} for u in page.items]
    return page.wire()


ROUTES = [*crud(RULE_SPEC), approve_order, decline_order, list_approvals, list_eligible_approvers]
