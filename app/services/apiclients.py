"""API clients' rules: the counts and names shown on a client, the last client admin users can
sign in with, what goes with a deleted client, and which buyers and suppliers may use one."""

from __future__ import annotations

from typing import Any

from app.assignments import assignment_id, upsert
from app.auth.client_secrets import KIND as SECRET_KIND
from app.store.repo import Docs
from domain.errors import NotFound, ValidationFailed

Doc = dict[str, Any]
KIND = "apiclient"
ASSIGNMENT_KIND = "apiclientassignment"
EVENT_FIELDS = ("OrderCheckoutIntegrationEvent", "OrderReturnIntegrationEvent", "AddToCartIntegrationEvent")


async def present(docs: Docs, doc: Doc) -> Doc:
    """Counts and linked names are computed on every read so they never go stale."""
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


async def forget(docs: Docs, doc: Doc) -> None:
    """The marketplace must keep one active client its admin users can sign in with; a client an
    impersonation config names stays until the config goes; a deleted client's assignments and
    secrets go with it."""
    if await docs.count("impersonationconfig", *docs.eq(ClientID=doc["ID"])):
        raise ValidationFailed(
            "An impersonation config uses this API client; delete the config first",
            "ApiClient.UsedByImpersonationConfig",
            {"ApiClientID": doc["ID"]},
        )
    if doc.get("AllowSeller") and doc.get("Active"):
        others = await docs.count(KIND, *docs.eq(AllowSeller=True, Active=True))
        if others <= 1:
            raise ValidationFailed(
                "Cannot delete the last active API client that allows seller users to sign in",
                "ApiClient.CannotDeleteLastFullAccess",
                {"ApiClientID": doc["ID"]},
            )
    await docs.delete_where(ASSIGNMENT_KIND, *docs.eq(ApiClientID=doc["ID"]))
    await docs.delete_where(SECRET_KIND, scope=doc["ID"])


async def assign(docs: Docs, client_id: str, buyer_id: str | None, supplier_id: str | None) -> None:
    """Let one buyer or one supplier (exactly one) sign in through the client."""
    if bool(buyer_id) == bool(supplier_id):
        raise ValidationFailed(
            "Provide either BuyerID or SupplierID", "ValidationFailure", {"Field": "BuyerID"}
        )
    await docs.require(KIND, client_id, object_type="ApiClient")
    if buyer_id:
        await docs.require("buyer", buyer_id, object_type="Buyer")
    if supplier_id:
        await docs.require("supplier", supplier_id, object_type="Supplier")
    doc = {
        "ID": assignment_id(client_id, buyer_id, supplier_id),
        "ApiClientID": client_id,
        "BuyerID": buyer_id,
        "SupplierID": supplier_id,
    }
    await upsert(docs, ASSIGNMENT_KIND, doc)


async def unassign(docs: Docs, client_id: str, buyer_id: str | None, supplier_id: str | None) -> None:
    if not await docs.delete(ASSIGNMENT_KIND, assignment_id(client_id, buyer_id, supplier_id)):
        raise NotFound("ApiClientAssignment", client_id)


# How many secrets one client may hold (OrderCloud limits them too; its number is not documented).
MAX_SECRETS = 10


async def require_client(docs: Docs, client_id: str) -> str:
    if not await docs.exists(KIND, client_id):
        raise NotFound("ApiClient", client_id)
    return client_id


async def check_room_for_secret(docs: Docs, client_id: str) -> None:
    if await docs.count(SECRET_KIND, scope=client_id) >= MAX_SECRETS:
        raise ValidationFailed(
            f"An API client holds at most {MAX_SECRETS} secrets",
            "ApiClientSecret.MaximumClientSecretsReached",
            {"ApiClientID": client_id},
        )


# Where an API client names an integration event.
EVENT_ID_FIELDS = tuple(f"{field}ID" for field in EVENT_FIELDS)


async def refuse_if_event_used(docs: Docs, event_id: str) -> None:
    """An integration event named by an API client stays until the client lets go of it."""
    for field in EVENT_ID_FIELDS:
        users = await docs.all(KIND, *docs.eq(**{field: event_id}))
        if users:
            raise ValidationFailed(
                f"Integration event {event_id} is used by API client(s); unlink it first",
                "IntegrationEvent.CannotDeleteInUse",
                {"IntegrationEventID": event_id, "ApiClientIDs": sorted(c["ID"] for c in users)},
            )
