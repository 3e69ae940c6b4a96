"""Which buyers may order from which supplier (`/suppliers/{id}/buyers`), and who sells to a buyer
(`/buyers/{id}/sellers`, `/me/sellers`): the marketplace always, and every active supplier that has
`AllBuyersCanOrder` or names the buyer."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions, Page, Term, invalid_property, parse_terms
from app.routes.access import buyer_scope, supplier_scope
from app.services import supplier_buyers
from domain.errors import Forbidden

FIELDS = ("ID", "Name")


def _matches(item: dict[str, Any], opts: ListOptions) -> bool:
    if opts.search:
        fields = opts.search_on or list(FIELDS)
        for name in fields:
            if name not in FIELDS:
                raise invalid_property(name)
        needle = opts.search.lower()
        if not any(needle in str(item.get(f) or "").lower() for f in fields):
            return False
    for key, raw in opts.filters:
        field = next((f for f in FIELDS if f.lower() == key.lower()), None)
        if field is None:
            raise invalid_property(key)
        value = str(item.get(field) or "").lower()
        if not any(_term_ok(value, t) for t in parse_terms(raw)):
            return False
    return True


def _term_ok(value: str, term: Term) -> bool:
    wanted = term.value.lower()
    if term.op == "null":
        hit = value == ""
    elif term.op in ("=", "like"):
        hit = fnmatchcase(value, wanted)
    else:
        hit = {">": value > wanted, "<": value < wanted, ">=": value >= wanted, "<=": value <= wanted}[
            term.op
        ]
    return hit != term.negate


def _sort_key(item: dict[str, Any], name: str) -> str:
    return str(item.get(name) or "").lower()


def small_page(items: list[dict[str, Any]], opts: ListOptions) -> dict[str, Any]:
    """List options over a short in-memory list of `{ID, Name}` (search, ID/Name filters with `*`
    and `!`, sortBy Name/ID with `!` for descending, paging)."""
    kept = [i for i in items if _matches(i, opts)]
    for key in reversed(opts.sort_by or ["ID"]):
        name = key.lstrip("!")
        if name not in FIELDS:
            raise invalid_property(name)
        kept.sort(key=lambda item: _sort_key(item, name), reverse=key.startswith("!"))
    start = (opts.page - 1) * opts.page_size
    return Page(kept[start : start + opts.page_size], opts.page, opts.page_size, len(kept)).wire()


async def _sellers_of(ctx: Ctx, buyer_id: str) -> list[dict[str, Any]]:
    marketplace = {"ID": ctx.services.marketplace_id, "Name": ctx.services.settings.marketplace_name}
    return await supplier_buyers.sellers_of(ctx.docs, buyer_id, marketplace)


@endpoint("GET", "/suppliers/{supplierID}/buyers")
async def list_buyers(ctx: Ctx) -> Any:
    supplier_id = await supplier_scope(ctx, await ctx.caller("SupplierReader", "SupplierAdmin"))
    return small_page(await supplier_buyers.buyers_of(ctx.docs, supplier_id), ctx.list_options())


async def _writer(ctx: Ctx) -> tuple[str, str]:
    caller: Caller = await ctx.caller("SupplierAdmin")
    if not caller.is_seller:
        raise Forbidden(
            "Only the marketplace owner decides who buys from a supplier", "Auth.InsufficientRoles"
        )
    return await supplier_scope(ctx, caller), ctx.param("buyerID")


@endpoint("PUT", "/suppliers/{supplierID}/buyers/{buyerID}", status=204)
async def save_buyer(ctx: Ctx) -> Any:
    supplier_id, buyer_id = await _writer(ctx)
    await supplier_buyers.link(ctx.docs, supplier_id, buyer_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/suppliers/{supplierID}/buyers/{buyerID}")
async def delete_buyer(ctx: Ctx) -> Any:
    supplier_id, buyer_id = await _writer(ctx)
    await supplier_buyers.unlink(ctx.docs, supplier_id, buyer_id)
    return NO_CONTENT, 204


@endpoint("GET", "/buyers/{buyerID}/sellers")
async def list_buyer_sellers(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller("BuyerReader", "BuyerAdmin"))
    return small_page(await _sellers_of(ctx, buyer_id), ctx.list_options())


@endpoint("GET", "/me/sellers")
async def list_my_sellers(ctx: Ctx) -> Any:
    caller = await ctx.caller("Shopper", "MeAdmin")
    if not caller.is_buyer:
        raise Forbidden("Only buyer users have sellers", "Auth.InsufficientRoles")
    return small_page(await _sellers_of(ctx, caller.company_id), ctx.list_options())


ROUTES = [list_buyers, save_buyer, delete_buyer, list_buyer_sellers, list_my_sellers]
