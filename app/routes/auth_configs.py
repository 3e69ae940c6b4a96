"""Impersonation configs (`/impersonationconfig`) and OpenID Connect configs (`/openidconnects`):
stored and validated with OrderCloud's shapes, so a marketplace's configuration can be created,
listed and downloaded. What ordercore does (and does not yet do) with them: docs/catalog-config.md."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.models.config import ImpersonationConfig, OpenIdConnect
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from domain.errors import Conflict, ValidationFailed

IMPERSONATOR = ("ImpersonationBuyerID", "ImpersonationGroupID", "ImpersonationUserID")
IMPERSONATED = ("BuyerID", "GroupID", "UserID")


async def _require_party(ctx: Ctx, doc: Doc, buyer: str, group: str, user: str) -> None:
    """A group or user named by a config belongs to the config's buyer, which must exist."""
    docs = ctx.docs
    buyer_id = doc.get(buyer)
    if (doc.get(group) or doc.get(user)) and not buyer_id:
        raise ValidationFailed(
            f"{group} and {user} name members of a buyer: {buyer} is required",
            "ValidationFailure",
            {"Field": buyer},
        )
    if buyer_id:
        await docs.require("buyer", buyer_id, object_type="Buyer")
        if doc.get(group):
            await docs.require("usergroup", doc[group], buyer_id, object_type="UserGroup")
        if doc.get(user):
            await docs.require("user", doc[user], buyer_id, object_type="User")


async def _impersonation_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    docs = ctx.docs
    await docs.require("securityprofile", doc["SecurityProfileID"], object_type="SecurityProfile")
    await docs.require("apiclient", doc["ClientID"], object_type="ApiClient")
    await _require_party(ctx, doc, *IMPERSONATOR)
    await _require_party(ctx, doc, *IMPERSONATED)
    same = docs.eq(ClientID=doc["ClientID"], **{f: doc.get(f) for f in (*IMPERSONATOR, *IMPERSONATED)})
    if existing is not None:
        same.append(docs.json.text(["ID"]) != existing["ID"])
    if await docs.count("impersonationconfig", *same):
        raise Conflict(
            "An impersonation config for the same parties and API client exists already",
            "ImpersonationConfig.ConflictingImpersonationConfigExists",
            {"ClientID": doc["ClientID"]},
        )
    return doc


IMPERSONATION = ResourceSpec(
    "impersonationconfig",
    "ImpersonationConfig",
    "/impersonationconfig",
    "impersonationConfigID",
    ImpersonationConfig,
    ("SetSecurityProfile",),
    ("SetSecurityProfile",),
    readonly=(),
    searchable=("ID", "ClientID", "SecurityProfileID"),
    sortable=("ID", "ClientID", "SecurityProfileID", "BuyerID", "ImpersonationBuyerID"),
    scope=seller_only,
    on_write=_impersonation_write,
)


async def _oidc_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    docs = ctx.docs
    await docs.require("apiclient", doc["OrderCloudApiClientID"], object_type="ApiClient")
    if doc.get("IntegrationEventID"):
        await docs.require("integrationevent", doc["IntegrationEventID"], object_type="IntegrationEvent")
    return doc


async def _oidc_present(ctx: Ctx, doc: Doc) -> Doc:
    event_id = doc.get("IntegrationEventID")
    event = await ctx.docs.get("integrationevent", event_id) if event_id else None
    doc["IntegrationEventName"] = event.doc.get("Name") if event else None
    return doc


OPENID_CONNECT = ResourceSpec(
    "openidconnect",
    "OpenIdConnect",
    "/openidconnects",
    "openidconnectID",
    OpenIdConnect,
    ("OpenIDConnectReader", "OpenIDConnectAdmin"),
    ("OpenIDConnectAdmin",),
    readonly=("IntegrationEventName",),
    searchable=("ID", "OrderCloudApiClientID", "ConnectClientID"),
    sortable=("ID", "OrderCloudApiClientID", "ConnectClientID"),
    scope=seller_only,
    on_write=_oidc_write,
    present=_oidc_present,
    # The identity provider's client secret: shown to OpenIDConnectAdmin only, as ApiClient secrets.
    secret_fields=("ConnectClientSecret",),
)

ROUTES = [*crud(IMPERSONATION), *crud(OPENID_CONNECT)]
