"""`/me`: the signed-in user (buyer, supplier or admin) and `/me/usergroups`."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.auth.users import GROUP_KINDS, USER_KINDS
from app.http import Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import UserGroup
from app.resources import Doc, Listing, ResourceSpec, listing_page, normalize, public, store
from app.routes.orgs import SPECS
from app.services import me
from app.wire import merge_patch
from domain.errors import Forbidden

READ_ROLES = ("MeAdmin", "MeXpAdmin", "Shopper")
USER_SPECS = {s.kind: s for s in SPECS if s.kind in USER_KINDS.values()}
GROUP_SCHEMA = schema_of(UserGroup)
# MeUser fields a user cannot change about itself (besides the User resource's read-only ones,
# which include its company, roles and failed sign-ins); ignored, like OrderCloud's read-only
# fields. `Active`: a user must not reactivate itself (its company's admins decide that).
# Security profiles are assignments, not fields, so /me never reaches them.
ME_READONLY = ("ID", "Active", "Buyer", "Supplier", "Seller")
# Registering (`PUT /me/register`) creates the user, so it may say whether it starts active.
REGISTER_READONLY = tuple(f for f in ME_READONLY if f != "Active")


async def load_me(ctx: Ctx, caller: Caller, *, lock: bool = False) -> tuple[ResourceSpec, Doc]:
    """The caller's own user document (an anonymous shopper sees its template user)."""
    kind, doc = await me.my_user(ctx.docs, caller, lock=lock)
    return USER_SPECS[kind], doc


async def me_wire(ctx: Ctx, caller: Caller, doc: Doc) -> Doc:
    return await me.me_wire(ctx.docs, caller, doc, ctx.services.marketplace_id)


@endpoint("GET", "/me")
async def get_me(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ_ROLES)
    _, doc = await load_me(ctx, caller)
    return await me_wire(ctx, caller, doc)


async def _write_me(ctx: Ctx, *, partial: bool) -> Any:
    caller = await ctx.caller()
    body = await ctx.body_object()
    # MeXpAdmin lets a user change only its own xp.
    xp_only = partial and set(body) <= {"xp"} and caller.has("MeXpAdmin")
    if not xp_only:
        await ctx.caller("MeAdmin")
    if caller.anonymous:
        raise Forbidden("Anonymous users cannot change their profile", "Auth.InsufficientRoles")
    spec, existing = await load_me(ctx, caller, lock=True)
    changes = {k: v for k, v in body.items() if k not in ME_READONLY and k not in spec.readonly}
    data = merge_patch(public(existing), changes) if partial else changes
    data["ID"] = existing["ID"]
    data["Active"] = existing.get("Active")
    doc = normalize(spec, data, existing)
    await store(ctx, spec, caller, me.company_scope(caller), doc, existing, existing["ID"])
    return await me_wire(ctx, caller, doc)


@endpoint("PUT", "/me")
async def save_me(ctx: Ctx) -> Any:
    return await _write_me(ctx, partial=False)


@endpoint("PATCH", "/me")
async def patch_me(ctx: Ctx) -> Any:
    return await _write_me(ctx, partial=True)


@endpoint("GET", "/me/usergroups")
async def list_my_groups(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ_ROLES)
    _, user = await load_me(ctx, caller)
    conds = await me.group_conds(ctx.docs, caller, user["ID"])
    groups = Listing(GROUP_KINDS[caller.user_type], GROUP_SCHEMA, searchable=("ID", "Name"))
    return await listing_page(ctx, groups, ctx.list_options(), conds=conds, scope=me.company_scope(caller))


ROUTES = [get_me, save_me, patch_me, list_my_groups]
