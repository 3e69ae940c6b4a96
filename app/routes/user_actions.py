"""Actions on users beyond CRUD: move a buyer user to another buyer, mint an impersonation token
for a buyer user, revoke a user's tokens, unlock an account."""

from __future__ import annotations

from typing import Any

from app.auth import grants
from app.auth.revocation import revoke
from app.auth.tokens import Caller
from app.auth.users import FoundUser
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.instruments import ImpersonateTokenRequest
from app.resources import ResourceSpec, load, public
from app.routes.access import buyer_scope
from app.routes.orgs import SPECS
from app.services import orgs
from app.wire import validate
from domain.errors import Forbidden

USER_SPECS = {s.kind: s for s in SPECS if s.kind in ("user", "supplieruser", "adminuser")}
BUYER_USERS = USER_SPECS["user"]


async def _user(ctx: Ctx, spec: ResourceSpec, *, write: bool = True) -> tuple[Caller, str, dict[str, Any]]:
    caller = await ctx.caller(*(spec.write_roles if write else spec.read_roles))
    scope = await spec.scope(ctx, caller)
    return caller, scope, await load(ctx, spec, caller, scope, ctx.param("userID"), lock=write)


@endpoint("POST", "/buyers/{buyerID}/users/{userID}/moveto/{newBuyerID}")
async def move_user(ctx: Ctx) -> Any:
    """Users.Move. `orders`: None (default) refuses while the user has unsubmitted orders;
    Unsubmitted moves those with the user; All moves every order the user placed."""
    caller, old_buyer, user = await _user(ctx, BUYER_USERS)
    if not caller.is_seller:
        raise Forbidden("Only the marketplace owner moves users between buyers", "Auth.InsufficientRoles")
    moved = await orgs.move_buyer_user(
        ctx.docs, user, old_buyer, ctx.param("newBuyerID"), ctx.query("orders")
    )
    return public(moved)


@endpoint("POST", "/buyers/{buyerID}/users/{userID}/accesstoken")
async def impersonation_token(ctx: Ctx) -> Any:
    """Users.GetAccessToken: a token acting as the user, with the requested roles it has; the
    `imp` claim names the impersonating user."""
    caller = await ctx.caller("BuyerImpersonation")
    buyer_id = await buyer_scope(ctx, caller)
    user = await load(ctx, BUYER_USERS, caller, buyer_id, ctx.param("userID"))
    request = validate(await ctx.body_object(), ImpersonateTokenRequest)
    scope = [*request.roles, *(request.custom_roles or [])]
    found = FoundUser("buyer", buyer_id, user)
    body = await grants.impersonation_token(
        ctx.services, ctx.docs, found, request.client_id, scope, caller.user_id
    )
    return body, 200


def _revoke_route(spec: ResourceSpec, path: str) -> Any:
    @endpoint("DELETE", path)
    async def revoke_tokens(ctx: Ctx) -> Any:
        _, scope, user = await _user(ctx, spec)
        await revoke(ctx.docs, spec.kind, user["ID"], scope)
        return NO_CONTENT, 204

    return revoke_tokens


def _unlock_route(spec: ResourceSpec, path: str) -> Any:
    @endpoint("POST", path, status=204)
    async def unlock(ctx: Ctx) -> Any:
        _, scope, user = await _user(ctx, spec)
        await orgs.unlock(ctx.docs, spec.kind, user, scope)
        return NO_CONTENT, 204

    return unlock


PATHS = {
    "user": "/buyers/{buyerID}/users/{userID}",
    "supplieruser": "/suppliers/{supplierID}/users/{userID}",
    "adminuser": "/adminusers/{userID}",
}

ROUTES = [
    move_user,
    impersonation_token,
    *(_revoke_route(USER_SPECS[kind], f"{path}/tokens") for kind, path in PATHS.items()),
    *(_unlock_route(USER_SPECS[kind], f"{path}/unlock") for kind, path in PATHS.items()),
]
