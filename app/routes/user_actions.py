"""Actions on users beyond CRUD: move a buyer user to another buyer, mint an impersonation token
for a buyer user, revoke a user's tokens, unlock an account."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.grants import client_allows, issue_for_user
from app.auth.lockout import unlocked
from app.auth.revocation import bumped, revoke
from app.auth.tokens import Caller
from app.auth.users import FoundUser
from app.http import NO_CONTENT, Ctx, endpoint
from app.models.instruments import ImpersonateTokenRequest
from app.resources import ResourceSpec, load, public
from app.routes.access import buyer_scope
from app.routes.orgs import SPECS, user_uniq
from app.wire import validate
from domain.errors import Forbidden, NotFound, ValidationFailed
from domain.orders import UNSUBMITTED_STATUSES, order_user

USER_SPECS = {s.kind: s for s in SPECS if s.kind in ("user", "supplieruser", "adminuser")}
BUYER_USERS = USER_SPECS["user"]
MOVE_OPTIONS = ("None", "Unsubmitted", "All")


async def _user(ctx: Ctx, spec: ResourceSpec, *, write: bool = True) -> tuple[Caller, str, dict[str, Any]]:
    caller = await ctx.caller(*(spec.write_roles if write else spec.read_roles))
    scope = await spec.scope(ctx, caller)
    return caller, scope, await load(ctx, spec, caller, scope, ctx.param("userID"), lock=write)


async def _context_user_of(ctx: Ctx, username: str) -> bool:
    return bool(await ctx.docs.all("apiclient", *ctx.docs.eq(DefaultContextUserName=username), limit=1))


@endpoint("POST", "/buyers/{buyerID}/users/{userID}/moveto/{newBuyerID}")
async def move_user(ctx: Ctx) -> Any:
    """Users.Move. `orders`: None (default) refuses while the user has unsubmitted orders;
    Unsubmitted moves those with the user; All moves every order the user placed."""
    caller, old_buyer, user = await _user(ctx, BUYER_USERS)
    if not caller.is_seller:
        raise Forbidden("Only the marketplace owner moves users between buyers", "Auth.InsufficientRoles")
    new_buyer = ctx.param("newBuyerID")
    docs = ctx.docs
    await docs.require("buyer", new_buyer, object_type="Buyer")
    option = next((o for o in MOVE_OPTIONS if o.lower() == (ctx.query("orders") or "None").lower()), None)
    if option is None:
        raise ValidationFailed(
            "orders must be None, Unsubmitted or All", "ValidationFailure", {"Field": "orders"}
        )
    if new_buyer == old_buyer:
        return public(user)
    if await _context_user_of(ctx, user["Username"]):
        raise ValidationFailed(
            "The default context user of an API client cannot be moved",
            "User.CannotMoveDefaultContextUser",
            {"UserID": user["ID"]},
        )
    if await docs.exists("user", user["ID"], new_buyer):
        raise ValidationFailed(
            f"Buyer {new_buyer} already has a user with ID {user['ID']}",
            "IdExists",
            {"ObjectType": "User", "ObjectID": user["ID"]},
        )
    mine = docs.eq(FromUserID=user["ID"], FromCompanyID=old_buyer)
    open_ones: list[ColumnElement[bool]] = [*mine, docs.field_in("Status", sorted(UNSUBMITTED_STATUSES))]
    if option == "None" and await docs.count("order", *open_ones, scope=""):
        raise ValidationFailed(
            "The user has unsubmitted orders; move them with orders=Unsubmitted or orders=All",
            "User.CannotMoveeWithOpenOrder",
            {"UserID": user["ID"]},
        )
    # What tied the user to its old buyer (groups, assignments, private addresses and cards) stays.
    if BUYER_USERS.on_delete is not None:
        await BUYER_USERS.on_delete(ctx, caller, user, old_buyer)
    await docs.delete("user", user["ID"], old_buyer)
    # Tokens name the old buyer; they end with the move, and stay dead if the user moves back.
    moved = bumped({**user, "CompanyID": new_buyer})
    await docs.insert("user", moved, new_buyer, uniq=user_uniq(moved), object_type="User")
    if option != "None":
        conds = open_ones if option == "Unsubmitted" else mine
        for stored in await docs.all_stored("order", *conds, scope="", lock=True):
            order = {
                **stored.doc,
                "FromCompanyID": new_buyer,
                "FromUser": order_user(moved, new_buyer),
            }
            await docs.replace("order", order["ID"], order, version=stored.version)
    await docs.delete("cartpointer", user["ID"], old_buyer)
    return public(moved)


@endpoint("POST", "/buyers/{buyerID}/users/{userID}/accesstoken")
async def impersonation_token(ctx: Ctx) -> Any:
    """Users.GetAccessToken: a token acting as the user, with the requested roles it has; the
    `imp` claim names the impersonating user."""
    caller = await ctx.caller("BuyerImpersonation")
    buyer_id = await buyer_scope(ctx, caller)
    docs = ctx.docs
    user = await load(ctx, BUYER_USERS, caller, buyer_id, ctx.param("userID"))
    request = validate(await ctx.body_object(), ImpersonateTokenRequest)
    client = await docs.get("apiclient", request.client_id)
    if client is None:
        raise NotFound("ApiClient", request.client_id)
    found = FoundUser("buyer", buyer_id, user)
    if not client.doc.get("Active", True) or not await client_allows(docs, client.doc, found):
        raise ValidationFailed(
            "The API client is inactive or not assigned to the user's buyer",
            "Impersonation.BadApiClient",
            {"ClientID": request.client_id},
        )
    if not user.get("Active"):
        raise ValidationFailed("User account is not active", "Auth.UserNotActive", {"UserID": user["ID"]})
    scope = [*request.roles, *(request.custom_roles or [])]
    body = await issue_for_user(
        ctx.services, docs, client.doc, found, scope, extra_claims={"imp": caller.user_id}
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
        await ctx.docs.replace(spec.kind, user["ID"], unlocked(user), scope)
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
