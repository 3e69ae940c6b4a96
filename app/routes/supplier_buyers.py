"""Which buyers may order from which supplier (`/suppliers/{id}/buyers`), and who sells to a buyer
(`/buyers/{id}/sellers`, `/me/sellers`): the marketplace always, and every active supplier that has
`AllBuyersCanOrder` or names the buyer."""

from __future__ import annotations

from fnmatch import fnmatchcase
from typing import Any

from sqlalchemy import or_

from app.assignments import assignment_id
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions, Page, Term, invalid_property, parse_terms
from app.routes.access import buyer_scope, supplier_scope
from app.store.tables import resources
from domain.errors import Forbidden, NotFound

KIND = "supplierbuyer"
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


async def sellers_of(ctx: Ctx, buyer_id: str) -> list[dict[str, Any]]:
    docs = ctx.docs
    named = [r["SupplierID"] for r in await docs.all(KIND, *docs.eq(BuyerID=buyer_id))]
    reach = [docs.eq(AllBuyersCanOrder=True)[0]]
    if named:
        reach.append(resources.c.id.in_(named))
    suppliers = await docs.all("supplier", or_(*reach), *docs.eq(Active=True), scope="")
    marketplace = {"ID": ctx.services.marketplace_id, "Name": ctx.services.settings.marketplace_name}
    return [marketplace, *({"ID": s["ID"], "Name": s.get("Name")} for s in suppliers)]


@endpoint("GET", "/suppliers/{supplierID}/buyers")
async def list_buyers(ctx: Ctx) -> Any:
    supplier_id = await supplier_scope(ctx, await ctx.caller("SupplierReader", "SupplierAdmin"))
    docs = ctx.docs
    supplier = await docs.require("supplier", supplier_id, object_type="Supplier")
    if supplier.doc.get("AllBuyersCanOrder"):
        buyers = await docs.all("buyer", scope="")
    else:
        named = [r["BuyerID"] for r in await docs.all(KIND, *docs.eq(SupplierID=supplier_id))]
        buyers = await docs.all("buyer", resources.c.id.in_(named), scope="") if named else []
    return small_page([{"ID": b["ID"], "Name": b.get("Name")} for b in buyers], ctx.list_options())


async def _writer(ctx: Ctx) -> tuple[str, str]:
    caller: Caller = await ctx.caller("SupplierAdmin")
    if not caller.is_seller:
        raise Forbidden(
            "Only the marketplace owner decides who buys from a supplier", "Auth.InsufficientRoles"
        )
    supplier_id = await supplier_scope(ctx, caller)
    buyer_id = ctx.param("buyerID")
    await ctx.docs.require("buyer", buyer_id, object_type="Buyer")
    return supplier_id, buyer_id


@endpoint("PUT", "/suppliers/{supplierID}/buyers/{buyerID}", status=204)
async def save_buyer(ctx: Ctx) -> Any:
    supplier_id, buyer_id = await _writer(ctx)
    key = assignment_id(supplier_id, buyer_id)
    if not await ctx.docs.exists(KIND, key):
        await ctx.docs.insert(KIND, {"ID": key, "SupplierID": supplier_id, "BuyerID": buyer_id})
    return NO_CONTENT, 204


@endpoint("DELETE", "/suppliers/{supplierID}/buyers/{buyerID}")
async def delete_buyer(ctx: Ctx) -> Any:
    supplier_id, buyer_id = await _writer(ctx)
    if not await ctx.docs.delete(KIND, assignment_id(supplier_id, buyer_id)):
        raise NotFound("SupplierBuyer", buyer_id)
    return NO_CONTENT, 204


@endpoint("GET", "/buyers/{buyerID}/sellers")
async def list_buyer_sellers(ctx: Ctx) -> Any:
    buyer_id = await buyer_scope(ctx, await ctx.caller("BuyerReader", "BuyerAdmin"))
    return small_page(await sellers_of(ctx, buyer_id), ctx.list_options())


@endpoint("GET", "/me/sellers")
async def list_my_sellers(ctx: Ctx) -> Any:
    caller = await ctx.caller("Shopper", "MeAdmin")
    if not caller.is_buyer:
        raise Forbidden("Only buyer users have sellers", "Auth.InsufficientRoles")
    return small_page(await sellers_of(ctx, caller.company_id), ctx.list_options())


ROUTES = [list_buyers, save_buyer, delete_buyer, list_buyer_sellers, list_my_sellers]
