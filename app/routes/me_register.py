"""Anonymous shoppers becoming real users: `PUT /me/register` (Me.Register) and
`PUT /me/orders?anonUserToken=` (Me.TransferAnonUserOrder); and `DELETE /me/tokens`."""

from __future__ import annotations

from typing import Any

from app.auth.grants import issue_for_user
from app.auth.revocation import revoke
from app.auth.tokens import Caller
from app.auth.users import USER_KINDS, FoundUser
from app.http import NO_CONTENT, Ctx, endpoint
from app.incrementors import id_or_next
from app.resources import normalize, store
from app.routes.me_user import REGISTER_READONLY
from app.routes.orgs import BUYER_USER_SPEC
from app.services import cart, me
from domain.errors import Forbidden, Unauthorized, ValidationFailed


async def _anonymous(ctx: Ctx, caller: Caller | None) -> Caller:
    """The anonymous shopper: the caller itself, or the one `anonUserToken` names."""
    if caller is not None and caller.anonymous:
        return caller
    raw = ctx.query("anonUserToken")
    if not raw:
        raise ValidationFailed(
            "anonUserToken is required", "Auth.MustPassAnonUserToken", {"Field": "anonUserToken"}
        )
    try:
        anon = await ctx.services.tokens.caller(raw)
    except Unauthorized:
        raise ValidationFailed(
            "anonUserToken is invalid or expired", "Auth.MustPassAnonUserToken", {"Field": "anonUserToken"}
        ) from None
    if not anon.anonymous:
        raise ValidationFailed(
            "anonUserToken is not an anonymous shopper's token", "User.IsNotTemp", {"Field": "anonUserToken"}
        )
    return anon


@endpoint("PUT", "/me/orders", status=204)
async def transfer_anon_user_order(ctx: Ctx) -> Any:
    caller = await ctx.caller("Shopper")
    if caller.anonymous or not caller.is_buyer:
        raise Forbidden("Sign in as a buyer user to take over an anonymous order", "Auth.InsufficientRoles")
    anon = await _anonymous(ctx, None)
    user = await me.signed_in_user(ctx.docs, caller)
    await cart.transfer_orders(ctx.docs, anon, user, caller.company_id)
    return NO_CONTENT, 204


@endpoint("PUT", "/me/register")
async def register(ctx: Ctx) -> Any:
    """The anonymous shopper becomes a user of its template user's buyer, keeps its unsubmitted
    orders, and gets a token (roles: those its anonymous token asked for that the new user has)."""
    caller = await ctx.optional_caller()
    if caller is not None and not caller.anonymous:
        raise ValidationFailed("Only an anonymous shopper can register", "User.IsNotTemp", None)
    anon = await _anonymous(ctx, caller)
    client = await me.api_client(ctx.docs, anon.client_id)
    body = await ctx.body_object()
    data = {k: v for k, v in body.items() if k not in REGISTER_READONLY and k not in BUYER_USER_SPEC.readonly}
    data["ID"] = await id_or_next(ctx.docs, body)
    doc = normalize(BUYER_USER_SPEC, data, None)
    await store(ctx, BUYER_USER_SPEC, anon, anon.company_id, doc, None, None)
    await cart.transfer_orders(ctx.docs, anon, doc, anon.company_id)
    scope = sorted(anon.roles | anon.custom_roles) or None
    issued = await issue_for_user(
        ctx.services, ctx.docs, client, FoundUser("buyer", anon.company_id, doc), scope
    )
    return {"access_token": issued["access_token"]}, 200


@endpoint("DELETE", "/me/tokens")
async def revoke_my_tokens(ctx: Ctx) -> Any:
    caller = await ctx.caller()
    kind = USER_KINDS.get(caller.user_type)
    if caller.anonymous or kind is None:
        raise Forbidden("Anonymous shoppers have no tokens to revoke", "Auth.InsufficientRoles")
    await revoke(ctx.docs, kind, caller.user_id, me.company_scope(caller))
    return NO_CONTENT, 204


ROUTES = [transfer_anon_user_order, register, revoke_my_tokens]
