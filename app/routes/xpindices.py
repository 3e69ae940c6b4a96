"""xp indices (`/xpindices`): declared xp paths get expression indexes, so lists filter and sort
on them through an index (app/services/xp_indices.py). Seller users only. docs/facets.md."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.facets import XpIndex
from app.resources import Listing, listing_page
from app.routes.access import seller_only
from app.services import xp_indices

ROLES = ("XpIndexAdmin",)
XP_INDICES = Listing(
    xp_indices.KIND,
    schema_of(XpIndex),
    searchable=("Key",),
    sortable=("ThingType", "Key"),
    default_sort=("ThingType", "Key"),
)


@endpoint("GET", "/xpindices")
async def list_indices(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*ROLES))
    return await listing_page(ctx, XP_INDICES, ctx.list_options(), scope="", show=xp_indices.shown)


@endpoint("PUT", "/xpindices")
async def put_index(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*ROLES))
    await xp_indices.put(ctx.docs, await ctx.body_object())
    return NO_CONTENT, 204


@endpoint("DELETE", "/xpindices/{thingType}/{key}")
async def delete_index(ctx: Ctx) -> Any:
    await seller_only(ctx, await ctx.caller(*ROLES))
    await xp_indices.delete(ctx.docs, ctx.param("thingType"), ctx.param("key"))
    return NO_CONTENT, 204


ROUTES = [list_indices, put_index, delete_index]
