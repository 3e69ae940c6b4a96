"""`/me`: the signed-in user (buyer, supplier or admin) and `/me/usergroups`."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.auth.users import GROUP_KINDS, USER_KINDS, available_roles, group_ids
from app.http import Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import UserGroup
from app.resources import Doc, ResourceSpec, normalize, public, store
from app.routes.orgs import SPECS
from app.services.locales import locale_of
from app.wire import merge_patch
from domain.errors import Forbidden, NotFound

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


def company_scope(caller: Caller) -> str:
    return "" if caller.is_seller else caller.company_id


async def load_me(ctx: Ctx, caller: Caller, *, lock: bool = False) -> tuple[ResourceSpec, Doc]:
    """The caller's own user document (an anonymous shopper sees its template user)."""
    kind = USER_KINDS.get(caller.user_type)
    user_id = str(caller.claims.get("tmpl") or caller.user_id) if caller.anonymous else caller.user_id
    found = await ctx.docs.get(kind, user_id, company_scope(caller), lock=lock) if kind else None
    if kind is None or found is None:
        raise NotFound("User", user_id)
    return USER_SPECS[kind], found.doc


async def me_wire(ctx: Ctx, caller: Caller, doc: Doc) -> Doc:
    """A MeUser: the user, the company it belongs to, and the roles its security profiles give."""
    docs = ctx.docs
    roles, custom = await available_roles(docs, caller.user_type, caller.company_id, doc["ID"])
    buyer = supplier = seller = None
    if caller.is_buyer:
        found = await docs.get("buyer", caller.company_id)
        buyer = {
            "ID": caller.company_id,
            "DefaultCatalogID": found.doc.get("DefaultCatalogID") if found else None,
        }
    elif caller.is_supplier:
        supplier = {"ID": caller.company_id}
    else:
        seller = {"ID": ctx.services.marketplace_id}
    out = public(doc)
    out["AvailableRoles"] = sorted(roles) + sorted(custom)
    # A buyer user's locale: its group's, else its buyer's (docs/catalog-config.md, "Locales").
    out["Locale"] = await locale_of(docs, caller.company_id, doc["ID"]) if caller.is_buyer else None
    return {"Buyer": buyer, "Supplier": supplier, "Seller": seller, **out}


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
    await store(ctx, spec, caller, company_scope(caller), doc, existing, existing["ID"])
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
    _, me = await load_me(ctx, caller)
    docs = ctx.docs
    groups = await group_ids(docs, caller.user_type, caller.company_id, me["ID"])
    page = await docs.page(
        GROUP_KINDS[caller.user_type],
        ctx.list_options(),
        GROUP_SCHEMA,
        conds=[docs.id_in(groups)],
        scope=company_scope(caller),
        searchable=("ID", "Name"),
    )
    page.items[:] = [public(d) for d in page.items]
    return page.wire()


ROUTES = [get_me, save_me, patch_me, list_my_groups]
