"""`/orderreturns[/{returnID}[/submit|approve|decline|cancel|complete|approvals|eligibleapprovers|
items/{lineItemID}]]` and the seller approval rules `/approvalrules[/{approvalRuleID}]`."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import User
from app.models.returns import ApprovalInfo, OrderReturn, OrderReturnApproval, SellerApprovalRule
from app.resources import Listing, ResourceSpec, crud, listing_page, public
from app.services import return_approvals as approvals
from app.services import returns
from app.services.order_access import ORDER_ADMIN_ROLES, ORDER_READ_ROLES, ORDER_WRITE_ROLES
from app.wire import id_or
from domain.errors import ValidationFailed

RETURNS = Listing(
    returns.KIND,
    schema_of(OrderReturn),
    searchable=("ID", "OrderID"),
    sortable=(
        "DateSubmitted",
        "DateCreated",
        "ID",
        "OrderID",
        "DateApproved",
        "DateDeclined",
        "DateCanceled",
        "DateCompleted",
        "LastUpdated",
    ),
)
APPROVALS = Listing(
    approvals.APPROVAL_KIND,
    schema_of(OrderReturnApproval),
    searchable=("ApprovalRuleID", "ApprovingGroupID", "Comments"),
    sortable=("DateCreated", "ApprovalRuleID", "ApprovingGroupID", "Status", "DateCompleted"),
    default_sort=("DateCreated",),
)
USER_SCHEMA = schema_of(User)
APPROVER_SEARCH = ("ID", "Username", "LastName", "FirstName", "Email")
APPROVER_SORT = ("LastName", "FirstName", "Username", "ID", "Email", "DateCreated", "LastActive")


@endpoint("GET", "/orderreturns")
async def list_returns(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_READ_ROLES)
    opts = ctx.list_options(params=("approvable", *returns.ITEM_FILTERS))
    conds = returns.visible_conds(ctx, caller)
    conds += returns.item_conds(ctx, {k: opts.params[k] for k in returns.ITEM_FILTERS if opts.params.get(k)})
    approvable = (opts.params.get("approvable") or "").lower()
    if approvable not in ("", "true", "false"):
        raise ValidationFailed(
            "approvable must be true or false", "ValidationFailure", {"approvable": approvable}
        )
    if approvable == "true":
        conds.append(await approvals.approvable_cond(ctx, caller))
    return await listing_page(ctx, RETURNS, opts, conds=conds, scope="", show=returns.shown)


# Create, save and patch may ask the OrderReturn integration event's middleware first: they open
# their own transaction after it answered (app.services.returns.create/update).
@endpoint("POST", "/orderreturns", transactional=False)
async def create_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    return await returns.create(ctx, caller, await ctx.body_object())


@endpoint("GET", "/orderreturns/{returnID}")
async def get_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_READ_ROLES)
    _, stored = await returns.load(ctx, caller, ctx.param("returnID"))
    return returns.shown(stored.doc)


@endpoint("PUT", "/orderreturns/{returnID}", transactional=False)
async def save_return(ctx: Ctx) -> Any:
    """Save creates the return when it does not exist (OrderCloud's create-or-update)."""
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    body = await ctx.body_object()
    return_id = ctx.param("returnID")
    if not await returns.exists(ctx, return_id):
        return await returns.create(ctx, caller, {**body, "ID": id_or(body, return_id)}), 200
    return await returns.update(ctx, caller, return_id, body, full=True)


@endpoint("PATCH", "/orderreturns/{returnID}", transactional=False)
async def patch_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    return await returns.update(ctx, caller, ctx.param("returnID"), await ctx.body_object(), full=False)


@endpoint("DELETE", "/orderreturns/{returnID}")
async def delete_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    _, stored = await returns.load(ctx, caller, ctx.param("returnID"), write=True)
    await returns.delete(ctx, caller, stored)
    return NO_CONTENT, 204


@endpoint("DELETE", "/orderreturns/{returnID}/items/{lineItemID}")
async def delete_item(ctx: Ctx) -> Any:
    """Answers the changed return (200), as the SDK's DeleteItem expects."""
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    order, stored = await returns.load(ctx, caller, ctx.param("returnID"), write=True)
    return await returns.delete_item(ctx, caller, order, stored, ctx.param("lineItemID")), 200


@endpoint("POST", "/orderreturns/{returnID}/submit")
async def submit_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    order, stored = await returns.load(ctx, caller, ctx.param("returnID"), write=True)
    return await returns.submit(ctx, caller, order, stored)


async def _decide(ctx: Ctx, *, approve: bool) -> Any:
    caller = await ctx.caller(*ORDER_ADMIN_ROLES)
    info = ApprovalInfo() if await ctx.body() is None else await ctx.body_as(ApprovalInfo)
    order, stored = await returns.load(ctx, caller, ctx.param("returnID"), write=True)
    return await returns.decide(ctx, caller, order, stored, approve=approve, comments=info.comments)


@endpoint("POST", "/orderreturns/{returnID}/approve")
async def approve_return(ctx: Ctx) -> Any:
    return await _decide(ctx, approve=True)


@endpoint("POST", "/orderreturns/{returnID}/decline")
async def decline_return(ctx: Ctx) -> Any:
    return await _decide(ctx, approve=False)


@endpoint("POST", "/orderreturns/{returnID}/cancel")
async def cancel_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_WRITE_ROLES)
    _, stored = await returns.load(ctx, caller, ctx.param("returnID"), write=True)
    return await returns.cancel(ctx, caller, stored)


@endpoint("POST", "/orderreturns/{returnID}/complete")
async def complete_return(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_ADMIN_ROLES)
    order, stored = await returns.load(ctx, caller, ctx.param("returnID"), write=True)
    return await returns.complete(ctx, caller, order, stored)


@endpoint("GET", "/orderreturns/{returnID}/approvals")
async def list_approvals(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_READ_ROLES)
    _, stored = await returns.load(ctx, caller, ctx.param("returnID"))
    opts = ctx.list_options()
    return await listing_page(ctx, APPROVALS, opts, scope=stored.doc["ID"], show=approvals.shown_approval)


@endpoint("GET", "/orderreturns/{returnID}/eligibleapprovers")
async def list_eligible_approvers(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ORDER_READ_ROLES)
    order, stored = await returns.load(ctx, caller, ctx.param("returnID"))
    kind, scope, conds = await approvals.eligible_approver_conds(ctx, order.doc, stored.doc)
    approvers = Listing(kind, USER_SCHEMA, searchable=APPROVER_SEARCH, sortable=APPROVER_SORT)
    return await listing_page(ctx, approvers, ctx.list_options(), conds=conds, scope=scope, show=_approver)


def _approver(user: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in public(user).items() if k != "Password"}


RULES = ResourceSpec(
    approvals.RULE_KIND,
    "SellerApprovalRule",
    "/approvalrules",
    "approvalRuleID",
    SellerApprovalRule,
    ("ApprovalRuleAdmin", "ApprovalRuleReader"),
    ("ApprovalRuleAdmin",),
    readonly=(),
    searchable=("ID", "Name", "Description", "RuleExpression"),
    sortable=("Name", "ID", "ApprovingGroupID", "RuleExpression"),
    scope=approvals.rule_scope,
    visible=approvals.rule_visible,
    on_write=approvals.check_rule,
    on_delete=approvals.before_rule_delete,
)

ROUTES = [
    list_returns,
    create_return,
    get_return,
    save_return,
    patch_return,
    delete_return,
    delete_item,
    submit_return,
    approve_return,
    decline_return,
    cancel_return,
    complete_return,
    list_approvals,
    list_eligible_approvers,
    *crud(RULES),
]
