"""`/me/orderinvitations` (Me.*GroupOrderInvitation*) and `POST /grouporders/{invitationID}/token`
(GroupOrders.GetToken): OrderCloud's group orders, docs/group-orders.md."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.models.group_orders import GroupOrderInvitation
from app.resources import Doc, ResourceSpec, crud
from app.services import group_orders
from domain.clock import utcnow

ROLES = ("Shopper",)


async def _buyer_user(ctx: Ctx, caller: Caller) -> str:
    group_orders.require_buyer(caller)
    return ""


async def _mine(ctx: Ctx, caller: Caller, scope: str) -> list[Any]:
    return group_orders.mine(ctx.docs, caller)


async def _check(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await group_orders.check(ctx.docs, caller, doc, existing, utcnow())


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await group_orders.check_delete(ctx.docs, doc)


async def _present(ctx: Ctx, doc: Doc) -> Doc:
    return await group_orders.present(ctx.docs, doc)


SPEC = ResourceSpec(
    group_orders.KIND,
    group_orders.OBJECT,
    "/me/orderinvitations",
    "invitationID",
    GroupOrderInvitation,
    ROLES,
    ROLES,
    # The ID is the server's: whoever knows it may join the order, so it is never a chosen name.
    readonly=("ID", "OrderStatus"),
    searchable=("ID", "Name", "OrderID"),
    sortable=("ID", "Name", "OrderID", "ExpirationDate"),
    scope=_buyer_user,
    visible=_mine,
    on_write=_check,
    on_delete=_on_delete,
    present=_present,
    operations=("list", "create", "get", "patch", "delete"),
)


@endpoint("POST", "/grouporders/{invitationID}/token", status=200)
async def get_token(ctx: Ctx) -> Any:
    caller = await ctx.caller(*ROLES)
    return await group_orders.take_token(ctx, caller, ctx.param("invitationID"))


ROUTES = [*crud(SPEC), get_token]
