"""Impersonation configs (`/impersonationconfig`) and OpenID Connect configs (`/openidconnects`):
stored and validated with OrderCloud's shapes, so a marketplace's configuration can be created,
listed and downloaded. What ordercore does (and does not yet do) with them: docs/catalog-config.md."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.models.config import ImpersonationConfig, OpenIdConnect
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import auth_configs


async def _impersonation_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    await auth_configs.check_impersonation(ctx.docs, doc, existing)
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
    await auth_configs.check_openid_connect(ctx.docs, doc)
    return doc


async def _oidc_present(ctx: Ctx, doc: Doc) -> Doc:
    doc["IntegrationEventName"] = await auth_configs.event_name(ctx.docs, doc.get("IntegrationEventID"))
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
