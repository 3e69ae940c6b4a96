"""User-group membership for buyer, supplier and admin (marketplace) user groups.

One membership is a `<company>usergroupassignment` document `{UserGroupID, UserID}` scoped to the
company (the buyer ID, the supplier ID, or "" for admin groups), the shape `app.auth.users` reads.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar.handlers import HTTPRouteHandler

from app.assignments import list_page
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import UserGroupAssignment
from app.routes.access import buyer_scope, seller_only, supplier_scope
from app.services import orgs
from app.wire import validate

SCHEMA = schema_of(UserGroupAssignment)


@dataclass(frozen=True)
class Membership:
    prefix: str  # path before `/usergroups`
    kind: str
    user_kind: str
    group_kind: str
    read_roles: tuple[str, ...]
    write_roles: tuple[str, ...]
    scope: Callable[[Ctx, Caller], Awaitable[str]]


def routes(m: Membership) -> list[HTTPRouteHandler]:
    base = f"{m.prefix}/usergroups"

    @endpoint("GET", f"{base}/assignments")
    async def list_members(ctx: Ctx) -> Any:
        scope = await m.scope(ctx, await ctx.caller(*m.read_roles))
        opts = ctx.list_options(params=("userGroupID", "userID"))
        return await list_page(
            ctx,
            m.kind,
            SCHEMA,
            opts,
            fields={"userGroupID": "UserGroupID", "userID": "UserID"},
            scope=scope,
        )

    @endpoint("POST", f"{base}/assignments", status=204)
    async def save_member(ctx: Ctx) -> Any:
        scope = await m.scope(ctx, await ctx.caller(*m.write_roles))
        body = validate(await ctx.body_object(), UserGroupAssignment)
        await orgs.add_member(
            ctx.docs, m.kind, m.group_kind, m.user_kind, scope, body.user_group_id, body.user_id
        )
        return NO_CONTENT, 204

    @endpoint("DELETE", f"{base}/{{userGroupID}}/assignments/{{userID}}")
    async def delete_member(ctx: Ctx) -> Any:
        scope = await m.scope(ctx, await ctx.caller(*m.write_roles))
        await orgs.remove_member(ctx.docs, m.kind, scope, ctx.param("userGroupID"), ctx.param("userID"))
        return NO_CONTENT, 204

    return [list_members, save_member, delete_member]


MEMBERSHIPS = (
    Membership(
        "/buyers/{buyerID}",
        "usergroupassignment",
        "user",
        "usergroup",
        ("UserGroupReader", "UserGroupAdmin"),
        ("UserGroupAdmin",),
        buyer_scope,
    ),
    Membership(
        "/suppliers/{supplierID}",
        "supplierusergroupassignment",
        "supplieruser",
        "supplierusergroup",
        ("SupplierUserGroupReader", "SupplierUserGroupAdmin"),
        ("SupplierUserGroupAdmin",),
        supplier_scope,
    ),
    Membership(
        "",
        "adminusergroupassignment",
        "adminuser",
        "adminusergroup",
        ("AdminUserGroupReader", "AdminUserGroupAdmin"),
        ("AdminUserGroupAdmin",),
        seller_only,
    ),
)

ROUTES = [h for m in MEMBERSHIPS for h in routes(m)]
