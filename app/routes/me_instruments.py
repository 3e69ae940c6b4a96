"""`/me/creditcards`, `/me/spendingaccounts` and `/me/costcenters`: what a buyer user may pay with
or charge to.

A user's list holds the buyer's cards (accounts, cost centers) assigned to it, to one of its groups
or to the whole buyer. Cards it creates here are its own: stored as buyer cards marked with the
owner (`_OwnerUserID`) and assigned to that user alone; only the owner may change or delete them
(`Editable`); a card assigned by an admin answers `CreditCard.CannotEditPublic`.
"""

from __future__ import annotations

from typing import Any

from app.assignments import assignment_id as make_assignment_id
from app.assignments import parse_bool, upsert
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.incrementors import id_or_next
from app.listing import ListOptions, schema_of
from app.models.instruments import BuyerCreditCard
from app.resources import Doc, normalize, public, store
from app.routes.instruments import CREDIT_CARDS, SPECS
from app.routes.me_addresses import buyer_caller
from app.services.instruments import assigned
from app.wire import merge_patch
from domain.errors import Forbidden, NotFound

CARD_READ_ROLES = ("MeCreditCardAdmin", "Shopper")
CARD_WRITE_ROLES = ("MeCreditCardAdmin",)
SHOPPER_ROLES = ("Shopper",)
CARD_SPEC, ACCOUNT_SPEC, COST_CENTER_SPEC = SPECS
CARD_SCHEMA = schema_of(BuyerCreditCard)


async def _ids(ctx: Ctx, caller: Caller, kind: str) -> list[str]:
    field = {
        "creditcard": "CreditCardID",
        "spendingaccount": "SpendingAccountID",
        "costcenter": "CostCenterID",
    }
    rows = await assigned(ctx.docs, kind, caller.company_id, caller.user_id)
    return sorted({row[field[kind]] for row in rows})


def _card(doc: Doc, caller: Caller) -> Doc:
    return {**public(doc), "Editable": doc.get("_OwnerUserID") == caller.user_id}


async def _page(ctx: Ctx, caller: Caller, kind: str, opts: ListOptions, ids: list[str], spec: Any) -> Any:
    page = await ctx.docs.page(
        kind,
        opts,
        spec.schema if kind != "creditcard" else CARD_SCHEMA,
        conds=[ctx.docs.id_in(ids)],
        scope=caller.company_id,
        searchable=spec.searchable,
        sortable=spec.sortable,
    )
    if kind == "creditcard":
        page.items[:] = [_card(d, caller) for d in page.items]
    else:
        page.items[:] = [public(d) for d in page.items]
    return page.wire()


@endpoint("GET", "/me/creditcards")
async def list_cards(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, CARD_READ_ROLES)
    ids = await _ids(ctx, caller, "creditcard")
    opts = ctx.list_options()
    # Editable is computed per user, so it filters the ID set here.
    for value in opts.pop_filter("Editable"):
        wanted = parse_bool(value, "Editable")
        owned = {
            d["ID"]
            for d in await ctx.docs.all(
                "creditcard", *ctx.docs.eq(_OwnerUserID=caller.user_id), scope=caller.company_id
            )
        }
        ids = [i for i in ids if (i in owned) == wanted]
    return await _page(ctx, caller, "creditcard", opts, ids, CARD_SPEC)


async def _visible_card(ctx: Ctx, caller: Caller, card_id: str, *, lock: bool = False) -> Doc:
    found = None
    if card_id in await _ids(ctx, caller, "creditcard"):
        found = await ctx.docs.get("creditcard", card_id, caller.company_id, lock=lock)
    if found is None:
        raise NotFound("CreditCard", card_id)
    return found.doc


async def _own_card(ctx: Ctx, caller: Caller, card_id: str) -> Doc:
    doc = await _visible_card(ctx, caller, card_id, lock=True)
    if doc.get("_OwnerUserID") != caller.user_id:
        raise Forbidden(
            "Only cards created through /me/creditcards can be changed here",
            "CreditCard.CannotEditPublic",
            {"CreditCardID": card_id},
        )
    return doc


@endpoint("GET", "/me/creditcards/{creditcardID}")
async def get_card(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, CARD_READ_ROLES)
    return _card(await _visible_card(ctx, caller, ctx.param("creditcardID")), caller)


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
    link = {
        "ID": make_assignment_id(doc["ID"], caller.user_id, None),
        "CreditCardID": doc["ID"],
        "UserID": caller.user_id,
        "UserGroupID": None,
    }
    await upsert(ctx.docs, CREDIT_CARDS.assignment_kind, link, caller.company_id)
    return _card(doc, caller)


async def _update_card(ctx: Ctx, *, partial: bool) -> Any:
    caller = await buyer_caller(ctx, CARD_WRITE_ROLES)
    card_id = ctx.param("creditcardID")
    existing = await _own_card(ctx, caller, card_id)
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
    card_id = ctx.param("creditcardID")
    await _own_card(ctx, caller, card_id)
    docs = ctx.docs
    await docs.delete_where(
        CREDIT_CARDS.assignment_kind, *docs.eq(CreditCardID=card_id), scope=caller.company_id
    )
    await docs.delete("creditcard", card_id, caller.company_id)
    return NO_CONTENT, 204


@endpoint("GET", "/me/spendingAccounts")
async def list_accounts(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, SHOPPER_ROLES)
    ids = await _ids(ctx, caller, "spendingaccount")
    return await _page(ctx, caller, "spendingaccount", ctx.list_options(), ids, ACCOUNT_SPEC)


@endpoint("GET", "/me/spendingaccounts/{spendingAccountID}")
async def get_account(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, SHOPPER_ROLES)
    account_id = ctx.param("spendingAccountID")
    found = None
    if account_id in await _ids(ctx, caller, "spendingaccount"):
        found = await ctx.docs.get("spendingaccount", account_id, caller.company_id)
    if found is None:
        raise NotFound("SpendingAccount", account_id)
    return public(found.doc)


@endpoint("GET", "/me/costcenters")
async def list_cost_centers(ctx: Ctx) -> Any:
    caller = await buyer_caller(ctx, SHOPPER_ROLES)
    ids = await _ids(ctx, caller, "costcenter")
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
