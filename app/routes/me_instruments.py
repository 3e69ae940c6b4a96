"""`/me/creditcards`, `/me/spendingaccounts` and `/me/costcenters`: what a buyer user may pay with
or charge to.

A user's list holds the buyer's cards (accounts, cost centers) assigned to it, to one of its groups
or to the whole buyer. Cards it creates here are its own: stored as buyer cards marked with the
owner (`_OwnerUserID`) and assigned to that user alone; only the owner may change or delete them
(`Editable`); a card assigned by an admin answers `CreditCard.CannotEditPublic`.
"""

from __future__ import annotations

from typing import Any

from app.assignments import parse_bool
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.incrementors import id_or_next
from app.listing import ListOptions, schema_of
from app.models.instruments import BuyerCreditCard
from app.resources import Doc, Listing, listing_page, normalize, public, store
from app.routes.instruments import SPECS
from app.routes.me_addresses import buyer_caller
from app.services import my_instruments
from app.wire import merge_patch
from domain.errors import Forbidden

CARD_READ_ROLES = ("MeCreditCardAdmin", "Shopper")
CARD_WRITE_ROLES = ("MeCreditCardAdmin",)
SHOPPER_ROLES = ("Shopper",)
CARD_SPEC, ACCOUNT_SPEC, COST_CENTER_SPEC = SPECS
CARD_SCHEMA = schema_of(BuyerCreditCard)


def _card(doc: Doc, caller: Caller) -> Doc:
    return {**public(doc), "Editable": doc.get("_OwnerUserID") == caller.user_id}


async def _page(ctx: Ctx, caller: Caller, kind: str, opts: ListOptions, ids: list[str], spec: Any) -> Any:
    schema = spec.schema if kind != "creditcard" else CARD_SCHEMA
    listing = Listing(kind, schema, searchable=spec.searchable, sortable=spec.sortable)
    show = (lambda d: _card(d, caller)) if kind == "creditcard" else public
    conds = my_instruments.among(ctx.docs, ids)
    return await listing_page(ctx, listing, opts, conds=conds, scope=caller.company_id, show=show)


@endpoint("GET", "/me/creditcards")
async def list_cards(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, CARD_READ_ROLES)
    ids = await my_instruments.ids(ctx.docs, caller, "creditcard")
    opts = ctx.list_options()
    # Editable is computed per user, so it filters the ID set here.
    for value in opts.pop_filter("Editable"):
        wanted = parse_bool(value, "Editable")
        owned = await my_instruments.owned_card_ids(ctx.docs, caller)
        ids = [i for i in ids if (i in owned) == wanted]
    return await _page(ctx, caller, "creditcard", opts, ids, CARD_SPEC)


@endpoint("GET", "/me/creditcards/{creditcardID}")
async def get_card(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, CARD_READ_ROLES)
    return _card(
        await my_instruments.visible(ctx.docs, caller, "creditcard", ctx.param("creditcardID")), caller
    )


@endpoint("POST", "/me/creditcards")
async def create_card(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, CARD_WRITE_ROLES)
    if caller.anonymous:
        raise Forbidden("Anonymous shoppers cannot save cards", "Auth.InsufficientRoles")
    data = {k: v for k, v in (await ctx.body_object()).items() if k != "Editable"}
    data["ID"] = await id_or_next(ctx.docs, data)
    doc = normalize(CARD_SPEC, data, None)
    doc["_OwnerUserID"] = caller.user_id
    await store(ctx, CARD_SPEC, caller, caller.company_id, doc, None, None)
    await my_instruments.link_card(ctx.docs, caller, doc["ID"])
    return _card(doc, caller)


async def _update_card(ctx: Ctx, *, partial: bool) -> Any:
    caller = await buyer_caller(ctx, CARD_WRITE_ROLES)
    card_id = ctx.param("creditcardID")
    existing = await my_instruments.own_card(ctx.docs, caller, card_id)
    # The ID is fixed here: the user's assignment names it.
    changes = {k: v for k, v in (await ctx.body_object()).items() if k not in ("ID", "Editable")}
    data = merge_patch(public(existing), changes) if partial else changes
    data["ID"] = card_id
    doc = normalize(CARD_SPEC, data, existing)
    await store(ctx, CARD_SPEC, caller, caller.company_id, doc, existing, card_id)
    return _card(doc, caller)


@endpoint("PUT", "/me/creditcards/{creditcardID}")
async def save_card(ctx: Ctx) -> Any:
    return await _update_card(ctx, partial=False)


@endpoint("PATCH", "/me/creditcards/{creditcardID}")
async def patch_card(ctx: Ctx) -> Any:
    return await _update_card(ctx, partial=True)


@endpoint("DELETE", "/me/creditcards/{creditcardID}")
async def delete_card(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, CARD_WRITE_ROLES)
    await my_instruments.delete_card(ctx.docs, caller, ctx.param("creditcardID"))
    return NO_CONTENT, 204


@endpoint("GET", "/me/spendingAccounts")
async def list_accounts(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, SHOPPER_ROLES)
    ids = await my_instruments.ids(ctx.docs, caller, "spendingaccount")
    return await _page(ctx, caller, "spendingaccount", ctx.list_options(), ids, ACCOUNT_SPEC)


@endpoint("GET", "/me/spendingaccounts/{spendingAccountID}")
async def get_account(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, SHOPPER_ROLES)
    return public(
        await my_instruments.visible(ctx.docs, caller, "spendingaccount", ctx.param("spendingAccountID"))
    )


@endpoint("GET", "/me/costcenters")
async def list_cost_centers(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, SHOPPER_ROLES)
    ids = await my_instruments.ids(ctx.docs, caller, "costcenter")
    return await _page(ctx, caller, "costcenter", ctx.list_options(), ids, COST_CENTER_SPEC)


ROUTES = [
    list_cards,
    create_card,
    get_card,
    save_card,
    patch_card,
    delete_card,
    list_accounts,
    get_account,
    list_cost_centers,
]
