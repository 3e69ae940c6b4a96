"""`/shipments[/{shipmentID}[/items[/{orderID}/{lineItemID}]|/shipfrom|/shipto]]`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import ListOptions, schema_of
from app.models.fulfilment import Shipment, ShipmentItem
from app.resources import Doc, ResourceSpec, crud, normalize, public, shown, store
from app.services import addresses, shipping
from app.services.shipping import SHIPMENT_READ_ROLES, SHIPMENT_WRITE_ROLES
from app.store.tables import resources
from app.wire import check_id, id_or, merge_patch
from domain.clock import utcnow
from domain.errors import NotFound

SHIPMENT_SEARCH = ("ID", "BuyerID", "Shipper", "DateShipped", "DateDelivered", "TrackingNumber")
SHIPMENT_SORT = ("DateShipped", "OwnerID", "ID", "BuyerID", "Shipper", "DateDelivered", "Cost")
ITEM_SCHEMA = schema_of(ShipmentItem)
ITEM_SORT = ("OrderID", "LineItemID")
R = resources.c


async def _visible(ctx: Ctx, caller: Caller, scope: str) -> list[Any]:
    return shipping.shipment_conds(ctx.docs, caller)


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await shipping.prepare_shipment(ctx, caller, doc, existing, await ctx.body_object())


async def _on_delete(ctx: Ctx, caller: Caller, existing: Doc, scope: str) -> None:
    """Deleting a shipment gives its items' quantities back to their lines."""
    shipping.check_may_write(caller, existing)
    await shipping.delete_items(ctx.docs, existing["ID"])


async def order_id_conds(ctx: Ctx, caller: Caller, scope: str, opts: ListOptions) -> list[Any]:
    """The `orderID` list parameter: shipments carrying lines of that order."""
    order_id = opts.params.get("orderID")
    return [R.id.in_(shipping.shipments_of([order_id]))] if order_id else []


SPEC = ResourceSpec(
    kind="shipment",
    object_type="Shipment",
    path="/shipments",
    id_param="shipmentID",
    struct=Shipment,
    read_roles=SHIPMENT_READ_ROLES,
    write_roles=SHIPMENT_WRITE_ROLES,
    readonly=("OwnerID", "FromAddress", "ToAddress"),
    searchable=SHIPMENT_SEARCH,
    sortable=SHIPMENT_SORT,
    visible=_visible,
    on_write=_on_write,
    on_delete=_on_delete,
    list_params=("orderID",),
    list_conds=order_id_conds,
    operations=("list", "create", "get", "delete"),
)


async def _write_and_complete(
    ctx: Ctx, caller: Caller, doc: Doc, existing: Doc, current_id: str
) -> dict[str, Any]:
    """Save a changed shipment; a DateShipped it just got may complete the orders it carries."""
    out = await store(ctx, SPEC, caller, "", doc, existing, current_id)
    if doc["ID"] != current_id:
        await ctx.conn.execute(
            update(resources).where(R.kind == "shipmentitem", R.scope == current_id).values(scope=doc["ID"])
        )
        await ctx.conn.execute(
            update(resources).where(R.kind == "shipmentorder", R.id == current_id).values(id=doc["ID"])
        )
    docs = ctx.docs
    await shipping.complete_if_shipped(docs, await shipping.linked_orders(docs, doc["ID"]), utcnow())
    return out


@endpoint("PUT", "/shipments/{shipmentID}")
async def save_shipment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    current_id = ctx.param("shipmentID")
    data = await ctx.body_object()
    data["ID"] = id_or(data, current_id)
    if not await ctx.docs.exists("shipment", current_id):
        check_id(current_id)
        return await store(ctx, SPEC, caller, "", normalize(SPEC, data, None), None, None)
    existing = (await shipping.load_shipment(ctx, caller, current_id, write=True)).doc
    return await _write_and_complete(ctx, caller, normalize(SPEC, data, existing), existing, current_id)


@endpoint("PATCH", "/shipments/{shipmentID}")
async def patch_shipment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    current_id = ctx.param("shipmentID")
    existing = (await shipping.load_shipment(ctx, caller, current_id, write=True)).doc
    changes = {k: v for k, v in (await ctx.body_object()).items() if k not in SPEC.readonly}
    if "ID" in changes:
        check_id(changes["ID"])
    doc = normalize(SPEC, merge_patch(public(existing), changes), existing)
    return await _write_and_complete(ctx, caller, doc, existing, current_id)


@endpoint("GET", "/shipments/{shipmentID}/items")
async def list_items(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_READ_ROLES)
    return await item_page(ctx, caller)


async def item_page(ctx: Ctx, caller: Caller) -> dict[str, Any]:
    shipment = await shipping.load_shipment(ctx, caller, ctx.param("shipmentID"))
    page = await ctx.docs.page(
        "shipmentitem",
        ctx.list_options(),
        ITEM_SCHEMA,
        conds=shipping.item_conds(ctx.docs, caller),
        scope=shipment.doc["ID"],
        searchable=("OrderID", "LineItemID"),
        sortable=ITEM_SORT,
        default_sort=ITEM_SORT,
    )
    page.items[:] = [shipping.present_item(caller, d) for d in page.items]
    return page.wire()


@endpoint("POST", "/shipments/{shipmentID}/items", status=200)
async def save_item(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    shipment = await shipping.load_shipment(ctx, caller, ctx.param("shipmentID"), write=True)
    return await shipping.save_item(ctx, caller, shipment, await ctx.body_object(), utcnow()), 200


async def _item(ctx: Ctx, caller: Caller, *, write: bool) -> tuple[str, Doc]:
    shipment = await shipping.load_shipment(ctx, caller, ctx.param("shipmentID"), write=write)
    shipment_id = shipment.doc["ID"]
    key = shipping.item_key(ctx.param("orderID"), ctx.param("lineItemID"))
    docs = ctx.docs
    found = await docs.get("shipmentitem", key, shipment_id)
    conds = shipping.item_conds(docs, caller)
    if found is None or (
        conds and await docs.count("shipmentitem", R.id == key, *conds, scope=shipment_id) == 0
    ):
        raise NotFound("ShipmentItem", ctx.param("lineItemID"))
    return shipment_id, found.doc


@endpoint("GET", "/shipments/{shipmentID}/items/{orderID}/{lineItemID}")
async def get_item(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_READ_ROLES)
    _, item = await _item(ctx, caller, write=False)
    return shipping.present_item(caller, item)


@endpoint("DELETE", "/shipments/{shipmentID}/items/{orderID}/{lineItemID}")
async def delete_item(ctx: Ctx) -> Any:
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    shipment_id, item = await _item(ctx, caller, write=True)
    await shipping.delete_item(ctx.docs, shipment_id, item)
    await shipping.relink(ctx.docs, shipment_id)
    return NO_CONTENT, 204


async def _set_address(ctx: Ctx, prefix: str) -> dict[str, Any]:
    """A saved address (by `ID`) of the owner (From) or the buyer (To), or a one-time address."""
    caller = await ctx.caller(*SHIPMENT_WRITE_ROLES)
    stored = await shipping.load_shipment(ctx, caller, ctx.param("shipmentID"), write=True)
    doc = dict(stored.doc)
    company = doc.get("OwnerID") if prefix == "From" else doc.get("BuyerID")
    use = addresses.Use(caller, {"FromCompanyID": company or ""})
    address_id, snapshot = await addresses.resolve(ctx.docs, company or "", await ctx.body_object(), user=use)
    doc[f"{prefix}AddressID"], doc[f"{prefix}Address"] = address_id, snapshot
    await ctx.docs.replace("shipment", doc["ID"], doc, version=stored.version)
    return await shown(ctx, SPEC, doc)


@endpoint("PUT", "/shipments/{shipmentID}/shipfrom")
async def set_ship_from(ctx: Ctx) -> Any:
    return await _set_address(ctx, "From")


@endpoint("PUT", "/shipments/{shipmentID}/shipto")
async def set_ship_to(ctx: Ctx) -> Any:
    return await _set_address(ctx, "To")


ROUTES = [
    *crud(SPEC),
    save_shipment,
    patch_shipment,
    list_items,
    save_item,
    get_item,
    delete_item,
    set_ship_from,
    set_ship_to,
]
