"""Product collections: a buyer user's saved lists under `/me/productcollections`, and the
seller's (or a buyer's ProductCollectionReader's) reads under `/buyers/{buyerID}/productcollections`.
The rules are in `app.services.product_collections`; docs/catalog.md, "Product collections"."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.catalog.access import buyer_view
from app.http import NO_CONTENT, Ctx, endpoint
from app.list_options import ListOptions
from app.models.catalog import ProductCollection
from app.resources import Doc, ResourceSpec, crud, load, normalize, store
from app.routes.access import buyer_scope
from app.services import collection_invitations as invitations
from app.services import product_collections as collections
from app.wire import id_or

SHOPPER = ("Shopper",)
READER = ("ProductCollectionReader",)
SORT = ("Name", "ID")


async def _my_buyer(ctx: Ctx, caller: Caller) -> str:
    return collections.require_buyer(caller)


async def _readable(ctx: Ctx, caller: Caller, scope: str) -> list[Any]:
    return await collections.readable(ctx.docs, caller)


async def _listed(ctx: Ctx, caller: Caller, scope: str, opts: ListOptions) -> list[Any]:
    return await collections.listed(ctx.docs, caller)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await collections.prepare(ctx.docs, caller, doc, existing)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await collections.forget(ctx.docs, caller, doc, scope)


MINE = ResourceSpec(
    collections.KIND,
    "ProductCollection",
    "/me/productcollections",
    "productCollectionID",
    ProductCollection,
    SHOPPER,
    SHOPPER,
    readonly=(),
    searchable=("ID", "Name"),
    sortable=SORT,
    default_sort=("Name",),
    scope=_my_buyer,
    visible=_readable,
    list_conds=_listed,
    on_write=_on_write,
    on_delete=_on_delete,
    operations=("list", "create", "get", "patch", "delete"),
)

BUYERS = ResourceSpec(
    collections.KIND,
    "ProductCollection",
    "/buyers/{buyerID}/productcollections",
    "productCollectionID",
    ProductCollection,
    READER,
    READER,
    readonly=(),
    searchable=("ID", "Name"),
    sortable=SORT,
    default_sort=("Name",),
    scope=buyer_scope,
    operations=("list", "get"),
)


@endpoint("PUT", "/me/productcollections/{productCollectionID}")
async def save_mine(ctx: Ctx) -> Any:
    """Replace one of the user's collections. As with `/me/addresses`, PUT does not create: an
    ID that is not one of the caller's collections answers 404 (create with POST)."""
    caller = await ctx.caller(*SHOPPER)
    scope = await _my_buyer(ctx, caller)
    existing = await load(ctx, MINE, caller, scope, ctx.param("productCollectionID"), lock=True)
    data = await ctx.body_object()
    data["ID"] = id_or(data, existing["ID"])
    doc = normalize(MINE, data, existing)
    return await store(ctx, MINE, caller, scope, doc, existing, existing["ID"])


@endpoint("GET", "/me/productcollections/{productCollectionID}/products")
async def list_my_entries(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHOPPER)
    buyer_id = collections.require_buyer(caller)
    view = await buyer_view(ctx.docs, caller)
    conds = await collections.entry_conds(ctx.docs, caller, buyer_id, ctx.param("productCollectionID"), view)
    return await collections.entry_page(ctx.docs, ctx.list_options(), buyer_id, conds, view)


@endpoint("POST", "/me/productcollections/{productCollectionID}/products")
async def save_entry(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHOPPER)
    collections.require_buyer(caller)
    view = await buyer_view(ctx.docs, caller)
    await collections.add_entry(
        ctx.docs, caller, view, ctx.param("productCollectionID"), await ctx.body_object()
    )
    return NO_CONTENT, 204


@endpoint("PUT", "/me/productcollections/{productCollectionID}/{productID}")
async def create_entry(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHOPPER)
    collections.require_buyer(caller)
    view = await buyer_view(ctx.docs, caller)
    body = {"ProductID": ctx.param("productID")}
    await collections.add_entry(ctx.docs, caller, view, ctx.param("productCollectionID"), body)
    return NO_CONTENT, 204


@endpoint("DELETE", "/me/productcollections/{productCollectionID}/{productID}")
async def delete_entry(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHOPPER)
    await collections.remove_entry(ctx.docs, caller, ctx.param("productCollectionID"), ctx.param("productID"))
    return NO_CONTENT, 204


# --------------------------------------------------------------------------- invitations
INVITES = "/me/productcollections/{productCollectionID}/invitations"


async def _invitee(ctx: Ctx) -> Caller:
    caller = await ctx.caller(*SHOPPER)
    collections.require_buyer(caller)
    return caller


@endpoint("GET", INVITES)
async def list_invitations(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    return await invitations.page(ctx.docs, caller, ctx.param("productCollectionID"), ctx.list_options())


@endpoint("POST", INVITES)
async def create_invitation(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    body = await ctx.body_object()
    return await invitations.create(ctx.docs, caller, ctx.param("productCollectionID"), body)


@endpoint("POST", INVITES + "/accept/{invitationID}")
async def accept_invitation(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    await invitations.accept(ctx.docs, caller, ctx.param("productCollectionID"), ctx.param("invitationID"))
    return NO_CONTENT, 204


@endpoint("POST", INVITES + "/decline/{invitationID}")
async def decline_invitation(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    await invitations.decline(ctx.docs, caller, ctx.param("productCollectionID"), ctx.param("invitationID"))
    return NO_CONTENT, 204


@endpoint("GET", INVITES + "/{invitationID}")
async def get_invitation(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    return await invitations.get(
        ctx.docs, caller, ctx.param("productCollectionID"), ctx.param("invitationID")
    )


@endpoint("PATCH", INVITES + "/{invitationID}")
async def patch_invitation(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    collection_id, invitation_id = ctx.param("productCollectionID"), ctx.param("invitationID")
    return await invitations.patch(ctx.docs, caller, collection_id, invitation_id, await ctx.body_object())


@endpoint("DELETE", INVITES + "/{invitationID}")
async def delete_invitation(ctx: Ctx) -> Any:
    caller = await _invitee(ctx)
    await invitations.delete(ctx.docs, caller, ctx.param("productCollectionID"), ctx.param("invitationID"))
    return NO_CONTENT, 204


@endpoint("GET", "/buyers/{buyerID}/productcollections/{productCollectionID}/products")
async def list_entries(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READER)
    buyer_id = await buyer_scope(ctx, caller)
    # A buyer's reader sees the entries it could see in its own storefront; the seller sees all.
    view = None if caller.is_seller else await buyer_view(ctx.docs, caller)
    collection_id = ctx.param("productCollectionID")
    conds = await collections.entry_conds(ctx.docs, caller, buyer_id, collection_id, view, reader=True)
    return await collections.entry_page(ctx.docs, ctx.list_options(), buyer_id, conds, view)


ROUTES = [
    list_invitations,
    create_invitation,
    accept_invitation,
    decline_invitation,
    get_invitation,
    patch_invitation,
    delete_invitation,
    save_mine,
    list_my_entries,
    save_entry,
    create_entry,
    delete_entry,
    list_entries,
    *crud(MINE),
    *crud(BUYERS),
]
