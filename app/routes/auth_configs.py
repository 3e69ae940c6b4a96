"""Impersonation configs (`/impersonationconfig`): stored and validated with OrderCloud's shapes,
so a marketplace's configuration can be created, listed and downloaded (OpenID Connect configs:
app/routes/openidconnects.py). What ordercore does (and does not yet do) with them: docs/catalog-config.md."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.models.config import ImpersonationConfig
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


ROUTES = [*crud(IMPERSONATION)]
