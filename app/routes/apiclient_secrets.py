"""`/apiclients/{apiClientID}/secrets`: named, expiring secrets a client-credentials (or elevated
password) grant accepts besides the client's `ClientSecret`. The secret value is generated here
and returned once, by Create (`ApiClientSecretCreateResponse.ClientSecret`); only its digest is
kept (`app.auth.client_secrets`)."""

from __future__ import annotations

import secrets
from typing import Any

from app.auth.client_secrets import KIND, digest
from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.incrementors import id_or_next
from app.models.instruments import ApiClientSecret
from app.resources import Doc, ResourceSpec, crud, normalize, store
from app.routes.access import seller_only
from app.routes.apiclients import READ_ROLES, WRITE_ROLES
from app.services import apiclients
from domain.clock import iso, parse_iso, utcnow
from domain.errors import ValidationFailed


async def _client_scope(ctx: Ctx, caller: Caller) -> str:
    await seller_only(ctx, caller)
    return await apiclients.require_client(ctx.docs, ctx.param("apiClientID"))


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    expiration = doc.get("Expiration")
    if expiration is not None and (existing is None or expiration != existing.get("Expiration")):
        try:
            when = parse_iso(str(expiration))
        except ValueError:
            when = None
        if when is None or when <= utcnow():
            raise ValidationFailed(
                "Expiration must be a date in the future",
                "ApiClientSecret.InvalidExpirationDate",
                {"Expiration": expiration},
            )
        doc["Expiration"] = iso(when)
    return doc


SPEC = ResourceSpec(
    KIND,
    "ApiClientSecret",
    "/apiclients/{apiClientID}/secrets",
    "apiClientSecretID",
    ApiClientSecret,
    READ_ROLES,
    WRITE_ROLES,
    readonly=(),
    searchable=("ID",),
    sortable=("ID",),
    scope=_client_scope,
    on_write=_on_write,
    operations=("list", "get", "patch", "delete"),
)


@endpoint("POST", "/apiclients/{apiClientID}/secrets")
async def create_secret(ctx: Ctx) -> Any:
    caller = await ctx.caller(*WRITE_ROLES)
    client_id = await _client_scope(ctx, caller)
    await apiclients.check_room_for_secret(ctx.docs, client_id)
    data = {k: v for k, v in (await ctx.body_object()).items() if k != "ClientSecret"}
    data["ID"] = await id_or_next(ctx.docs, data)
    doc = normalize(SPEC, data, None)
    value = secrets.token_urlsafe(48)
    doc["_Digest"] = digest(value)
    shown = await store(ctx, SPEC, caller, client_id, doc, None, None)
    return {"ClientSecret": value, **shown}


ROUTES = [create_secret, *crud(SPEC)]
