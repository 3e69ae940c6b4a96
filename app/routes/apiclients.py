"""API clients and which buyers and suppliers may sign in through them."""

from __future__ import annotations

from typing import Any

from app.assignments import list_page, optional_id
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.orgs import ApiClient, ApiClientAssignment
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import apiclients
from app.wire import new_guid, validate

READ_ROLES = ("ApiClientReader", "ApiClientAdmin")
WRITE_ROLES = ("ApiClientAdmin",)
KIND = apiclients.KIND
ASSIGNMENT_KIND = apiclients.ASSIGNMENT_KIND


async def _present(ctx: Ctx, doc: Doc) -> Doc:
    return await apiclients.present(ctx.docs, doc)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await apiclients.forget(ctx.docs, doc)


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
    # OrderCloud's client IDs are lowercase GUIDs (docs/organizations.md, "API clients").
    id_factory=new_guid,
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
    await apiclients.assign(ctx.docs, body.api_client_id, buyer_id, supplier_id)
    return NO_CONTENT, 204


async def _delete_assignment(ctx: Ctx, buyer_id: str | None, supplier_id: str | None) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    await seller_only(ctx, caller)
    await apiclients.unassign(ctx.docs, ctx.param("apiClientID"), buyer_id, supplier_id)
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
