"""`/me/addresses`: a buyer user's address book.

A user sees the addresses of its buyer that are assigned to it, to one of its groups, or to the
whole buyer, with `Shipping`/`Billing` as the union of those assignments. Addresses it creates
here are private: stored as buyer addresses marked with the owner (`_OwnerUserID`) and assigned
to that user alone; only the owner may change or delete them (`Editable`).
"""

from __future__ import annotations

from typing import Any

from app.assignments import parse_bool
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.incrementors import id_or_next
from app.listing import schema_of
from app.models.orgs import BuyerAddress
from app.resources import Doc, Listing, listing_page, normalize, public
from app.routes.orgs import ADDRESS_SEARCH, SPECS
from app.services import my_addresses
from app.wire import merge_patch, validate
from domain.errors import Forbidden, ValidationFailed

READ_ROLES = ("MeAddressAdmin", "Shopper")
WRITE_ROLES = ("MeAddressAdmin",)
ADDRESS_SPEC = next(s for s in SPECS if s.kind == "address")
ADDRESSES = Listing("address", schema_of(BuyerAddress), searchable=ADDRESS_SEARCH)
FLAGS = ("Shipping", "Billing", "Editable")

Flags = my_addresses.Flags


async def buyer_caller(ctx: Ctx, roles: tuple[str, ...]) -> Caller:
    caller = await ctx.caller(*roles)
    if not caller.is_buyer:
        raise Forbidden("Only buyer users have an address book", "Auth.InsufficientRoles")
    return caller


def buyer_address(doc: Doc, flags: Flags, caller: Caller) -> Doc:
    shipping, billing = flags.get(doc["ID"], (False, False))
    editable = doc.get("_OwnerUserID") == caller.user_id
    return {"ID": doc["ID"], "Shipping": shipping, "Billing": billing, "Editable": editable, **public(doc)}


def _flag_filter(ids: list[str], values: list[str], name: str, test: Any) -> list[str]:
    for value in values:
        wanted = parse_bool(value, name)
        ids = [i for i in ids if test(i) == wanted]
    return ids


@endpoint("GET", "/me/addresses")
async def list_addresses(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, READ_ROLES)
    flags = await my_addresses.flags(ctx.docs, caller)
    opts = ctx.list_options()
    ids = list(flags)
    # Shipping, Billing and Editable are computed per user, so they filter the ID set here.
    ids = _flag_filter(ids, opts.pop_filter("Shipping"), "Shipping", lambda i: flags[i][0])
    ids = _flag_filter(ids, opts.pop_filter("Billing"), "Billing", lambda i: flags[i][1])
    editable_filter = opts.pop_filter("Editable")
    if editable_filter:
        owned = await my_addresses.owned_ids(ctx.docs, caller)
        ids = _flag_filter(ids, editable_filter, "Editable", lambda i: i in owned)
    conds = my_addresses.among(ctx.docs, ids)

    def show(doc: Doc) -> Doc:
        return buyer_address(doc, flags, caller)

    return await listing_page(ctx, ADDRESSES, opts, conds=conds, scope=caller.company_id, show=show)


def _wanted_flags(body: Doc, current: tuple[bool, bool]) -> tuple[bool, bool]:
    shipping = body.get("Shipping")
    billing = body.get("Billing")
    wanted = (
        current[0] if shipping is None else bool(shipping),
        current[1] if billing is None else bool(billing),
    )
    if not any(wanted):
        raise ValidationFailed(
            "An address must be for shipping, billing or both",
            "BuyerAddress.MustBeBillingOrShipping",
            {"Field": "Shipping"},
        )
    return wanted


async def _store(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, wanted: tuple[bool, bool]) -> Doc:
    return buyer_address(doc, await my_addresses.save(ctx.docs, caller, doc, existing, wanted), caller)


@endpoint("POST", "/me/addresses")
async def create_address(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, WRITE_ROLES)
    data = await ctx.body_object()
    data["ID"] = await id_or_next(ctx.docs, data)
    validate(data, BuyerAddress)
    flags = _wanted_flags(data, (True, True))
    doc = normalize(ADDRESS_SPEC, data, None)
    return await _store(ctx, caller, doc, None, flags)


async def _update(ctx: Ctx, *, partial: bool) -> Any:
    caller = await buyer_caller(ctx, WRITE_ROLES)
    address_id = ctx.param("addressID")
    existing, flags = await my_addresses.own(ctx.docs, caller, address_id)
    body = await ctx.body_object()
    validate({**public(existing), **body} if partial else body, BuyerAddress)
    wanted = _wanted_flags(body, flags.get(address_id, (True, True)))
    changes = {k: v for k, v in body.items() if k not in FLAGS and k != "ID"}
    data = merge_patch(public(existing), changes) if partial else changes
    data["ID"] = address_id
    doc = normalize(ADDRESS_SPEC, data, existing)
    return await _store(ctx, caller, doc, existing, wanted)


@endpoint("GET", "/me/addresses/{addressID}")
async def get_address(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, READ_ROLES)
    doc, flags = await my_addresses.visible(ctx.docs, caller, ctx.param("addressID"))
    return buyer_address(doc, flags, caller)


@endpoint("PUT", "/me/addresses/{addressID}")
async def save_address(ctx: Ctx) -> Any:
    return await _update(ctx, partial=False)


@endpoint("PATCH", "/me/addresses/{addressID}")
async def patch_address(ctx: Ctx) -> Any:
    return await _update(ctx, partial=True)


@endpoint("DELETE", "/me/addresses/{addressID}")
async def delete_address(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, WRITE_ROLES)
    await my_addresses.delete(ctx.docs, caller, ctx.param("addressID"))
    return NO_CONTENT, 204


ROUTES = [list_addresses, create_address, get_address, save_address, patch_address, delete_address]
