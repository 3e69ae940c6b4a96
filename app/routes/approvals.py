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
from app.resources import Doc, Listing, ResourceSpec, crud, listing_page, public
from app.routes.access import buyer_scope
from app.services import approvals, order_approvals
from app.services.order_access import ORDER_READ_ROLES, ORDER_WRITE_ROLES
from app.wire import validate

APPROVALS = Listing(
    approvals.APPROVAL_KIND,
    schema_of(OrderApproval),
    searchable=("ApprovalRuleID", "ApprovingGroupID", "Comments"),
    sortable=("ApprovalRuleID", "ApprovingGroupID", "Status", "DateCreated", "DateCompleted"),
    default_sort=("DateCreated",),
)
APPROVERS = Listing("user", schema_of(User), searchable=("ID", "Username", "LastName", "FirstName", "Email"))


async def _check_rule(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    """The approving group must be one of this buyer's groups; the expression must parse."""
    return await approvals.check_rule(ctx.docs, scope, doc)


async def _refuse_if_pending(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await approvals.refuse_if_pending(ctx.docs, scope, doc["ID"])


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
    return await listing_page(
        ctx, APPROVALS, ctx.list_options(), scope=stored.doc["ID"], show=approvals.shown
    )


@endpoint("GET", "/orders/{direction}/{orderID}/eligibleapprovers")
async def list_eligible_approvers(ctx: Ctx) -> Any:
    """Users of the buyer in the approving groups of the current round's pending approvals."""
    _, stored = await order_at_path(ctx, ORDER_READ_ROLES, write=False, lock=False)
    opts = ctx.list_options()
    conds = await approvals.eligible_approver_conds(ctx.docs, stored.doc)
    if conds is None:
        return Page([], opts.page, opts.page_size, 0).wire()
    scope = stored.doc.get("FromCompanyID") or ""
    return await listing_page(ctx, APPROVERS, opts, conds=conds, scope=scope, show=_approver)


def _approver(user: Doc) -> Doc:
    return {**public(user), "Password": None}


ROUTES = [*crud(RULE_SPEC), approve_order, decline_order, list_approvals, list_eligible_approvers]
