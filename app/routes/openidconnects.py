"""`/openidconnects[/{openidconnectID}]`: OpenID Connect configurations (OpenIdConnects.*), seller
users only (OpenIDConnectAdmin writes, OpenIDConnectReader reads; the ConnectClientSecret is
shown to writers only, as an integration event's HashKey). The sign-in they configure:
app/routes/openid_signin.py; docs/openid-connect.md."""

from __future__ import annotations

from app.auth import openid
from app.auth.openid import KIND
from app.auth.tokens import Caller
from app.http import Ctx
from app.models.openid import OpenIdConnect
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import apiclients
from integrations.outbound import require_url

READ_ROLES = ("OpenIDConnectReader", "OpenIDConnectAdmin")
WRITE_ROLES = ("OpenIDConnectAdmin",)


async def _check(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    allow_private = ctx.services.settings.outbound_allow_private
    for field in ("AuthorizationEndpoint", "TokenEndpoint"):
        require_url(doc.get(field), field, allow_private=allow_private)
    await apiclients.require_client(ctx.docs, doc["OrderCloudApiClientID"])
    doc["IntegrationEventName"] = await openid.event_name(ctx.docs, doc.get("IntegrationEventID"))
    return doc


SPEC = ResourceSpec(
    KIND,
    "OpenIdConnect",
    "/openidconnects",
    "openidconnectID",
    OpenIdConnect,
    READ_ROLES,
    WRITE_ROLES,
    readonly=("IntegrationEventName",),
    searchable=("ID", "OrderCloudApiClientID", "ConnectClientID"),
    sortable=("ID", "OrderCloudApiClientID"),
    default_sort=("ID",),
    scope=seller_only,
    on_write=_check,
    secret_fields=("ConnectClientSecret",),
)

ROUTES = [*crud(SPEC)]
