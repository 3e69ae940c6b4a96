"""API clients and which buyers and suppliers may sign in through them."""

from __future__ import annotations

from typing import Any

from app.assignments import assignment_id, list_page, optional_id, upsert
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import ApiClient, ApiClientAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.wire import validate
from domain.errors import NotFound, ValidationFailed

READ_ROLES = ("ApiClientReader", "ApiClientAdmin")
WRITE_ROLES = ("ApiClientAdmin",)
KIND = "apiclient"
ASSIGNMENT_KIND = "apiclientassignment"
EVENT_FIELDS = ("OrderCheckoutIntegrationEvent", "OrderReturnIntegrationEvent", "AddToCartIntegrationEvent")


async def _present(ctx: Ctx, doc: Doc) -> Doc:
    """Counts and linked names are computed on every read so they never go stale."""
    docs = ctx.docs
    doc["AssignedBuyerCount"] = await docs.count(
        ASSIGNMENT_KIND, *docs.eq(ApiClientID=doc["ID"], SupplierID=None)
    )
    doc["AssignedSupplierCount"] = await docs.count(
        ASSIGNMENT_KIND, *docs.eq(ApiClientID=doc["ID"], BuyerID=None)
    )
    for field in EVENT_FIELDS:
        event_id = doc.get(f"{field}ID")
        event = await docs.get("integrationevent", event_id) if event_id else None
        doc[f"{field}Name"] = event.doc.get("Name") if event else None
    return doc


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    """The marketplace must keep one active client its admin users can sign in with, and a client
    an impersonation config names stays until the config goes."""
    if await ctx.docs.count("impersonationconfig", *ctx.docs.eq(ClientID=doc["ID"])):
        raise ValidationFailed(
            "An impersonation config uses this API client; delete the config first",
            "ApiClient.UsedByImpersonationConfig",
            {"ApiClientID": doc["ID"]},
        )
    if doc.get("AllowSeller") and doc.get("Active"):
        others = await ctx.docs.count(KIND, *ctx.docs.eq(AllowSeller=True, Active=True))
        if others <= 1:
            raise ValidationFailed(
                "Cannot delete the last active API client that allows seller users to sign in",
                "ApiClient.CannotDeleteLastFullAccess",
                {"ApiClientID": doc["ID"]},
            )
    await ctx.docs.delete_where(ASSIGNMENT_KIND, *ctx.docs.eq(ApiClientID=doc["ID"]))
    await ctx.docs.delete_where("apiclientsecret", scope=doc["ID"])


SPEC = ResourceSpec(
    KIND,
    "ApiClient",
    "/apiclients",
    "apiClientID",
    ApiClient,
    READ_ROLES,
    WRITE_ROLES,
    readonly=(
        "AssignedBuyerCount",
        "AssignedSupplierCount",
        "OrderCheckoutIntegrationEventName",
        "OrderReturnIntegrationEventName",
        "AddToCartIntegrationEventName",
    ),
    searchable=("ID", "AppName"),
    default_sort=("AppName",),
    scope=seller_only,
    on_delete=_on_delete,
    present=_present,
    secret_fields=("ClientSecret",),
)
ASSIGNMENT_SCHEMA = schema_of(ApiClientAssignment)


@endpoint("GET", "/apiclients/assignments")
async def list_assignments(ctx: Ctx) -> Any:
    caller = await ctx.caller(*READ_ROLES)
    await seller_only(ctx, caller)
    opts = ctx.list_options(params=("apiClientID", "buyerID", "supplierID"))
    return await list_page(
        ctx,
        ASSIGNMENT_KIND,
        ASSIGNMENT_SCHEMA,
        opts,
        fields={"apiClientID": "ApiClientID", "buyerID": "BuyerID", "supplierID": "SupplierID"},
    )


@endpoint("POST", "/apiclients/assignments", status=204)
async def save_assignment(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    await seller_only(ctx, caller)
    body = validate(await ctx.body_object(), ApiClientAssignment)
    buyer_id = optional_id(body.buyer_id, "BuyerID")
    supplier_id = optional_id(body.supplier_id, "SupplierID")
    if bool(buyer_id) == bool(supplier_id):
        raise ValidationFailed(
            "Provide either BuyerID or SupplierID", "ValidationFailure", {"Field": "BuyerID"}
        )
    docs = ctx.docs
    await docs.require(KIND, body.api_client_id, object_type="ApiClient")
    if buyer_id:
        await docs.require("buyer", buyer_id, object_type="Buyer")
    if supplier_id:
        await docs.require("supplier", supplier_id, object_type="Supplier")
    doc = {
        "ID": assignment_id(body.api_client_id, buyer_id, supplier_id),
        "ApiClientID": body.api_client_id,
        "BuyerID": buyer_id,
        "SupplierID": supplier_id,
    }
    await upsert(docs, ASSIGNMENT_KIND, doc)
    return NO_CONTENT, 204


async def _delete_assignment(ctx: Ctx, buyer_id: str | None, supplier_id: str | None) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    await seller_only(ctx, caller)
    client_id = ctx.param("apiClientID")
    if not await ctx.docs.delete(ASSIGNMENT_KIND, assignment_id(client_id, buyer_id, supplier_id)):
        raise NotFound("ApiClientAssignment", client_id)
    return NO_CONTENT, 204


@endpoint("DELETE", "/buyers/{buyerID}/apiclients/assignments/{apiClientID}")
async def delete_buyer_assignment(ctx: Ctx) -> Any:
    return await _delete_assignment(ctx, ctx.param("buyerID"), None)


@endpoint("DELETE", "/suppliers/{supplierID}/apiclients/assignments/{apiClientID}")
async def delete_supplier_assignment(ctx: Ctx) -> Any:
    return await _delete_assignment(ctx, None, ctx.param("supplierID"))


ROUTES = [
    list_assignments,
    save_assignment,
    delete_buyer_assignment,
    delete_supplier_assignment,
    *crud(SPEC),
]
