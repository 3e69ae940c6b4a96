"""Webhooks (OrderCloud's CRUD) and, as ordercore extensions, their delivery log and a manual
retry: `GET /webhooks/{webhookID}/deliveries[/{deliveryID}]`,
`POST /webhooks/{webhookID}/deliveries/{deliveryID}/retry`."""

from __future__ import annotations

from typing import Any

from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.models.webhooks import Webhook
from app.resources import Doc, ResourceSpec, crud, load
from app.routes.access import seller_only
from app.webhooks import deliveries
from app.webhooks.hooks import WAKE_KEY
from domain.errors import ValidationFailed
from integrations.outbound import require_url

READ_ROLES = ("WebhookReader", "WebhookAdmin")
WRITE_ROLES = ("WebhookAdmin",)


async def _check_webhook(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    unknown = [r for r in doc.get("ElevatedRoles") or [] if r not in ALL_ROLES]
    if unknown:
        raise ValidationFailed(
            f"Unknown role(s) in ElevatedRoles: {', '.join(unknown)}",
            "ValidationFailure",
            {"Field": "ElevatedRoles", "Value": unknown},
        )
    # A webhook may be saved without a Url (its deliveries then fail with NoUrl), never a bad one.
    if doc.get("Url") is not None:
        require_url(doc["Url"], "Url", allow_private=ctx.services.settings.outbound_allow_private)
    return doc


SPEC = ResourceSpec(
    "webhook",
    "Webhook",
    "/webhooks",
    "webhookID",
    Webhook,
    READ_ROLES,
    WRITE_ROLES,
    readonly=(),
    searchable=("ID", "Name", "Description"),
    scope=seller_only,
    on_write=_check_webhook,
    secret_fields=("HashKey", "CustomAuthHeaderValue"),
)


async def _webhook_id(ctx: Ctx, *roles: str) -> str:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    webhook_id = ctx.param("webhookID")
    await load(ctx, SPEC, caller, "", webhook_id)
    return webhook_id


@endpoint("GET", "/webhooks/{webhookID}/deliveries")
async def list_deliveries(ctx: Ctx) -> Any:
    """Newest first; `page`, `pageSize` and a `Status` filter (Pending|Delivered|Failed)."""
    webhook_id = await _webhook_id(ctx, *READ_ROLES)
    return await deliveries.page(ctx.docs, webhook_id, ctx.list_options())


@endpoint("GET", "/webhooks/{webhookID}/deliveries/{deliveryID}")
async def get_delivery(ctx: Ctx) -> Any:
    """One delivery with its attempt log and the exact payload it carries."""
    webhook_id = await _webhook_id(ctx, *READ_ROLES)
    return await deliveries.get(ctx.docs, webhook_id, ctx.param("deliveryID"))


@endpoint("POST", "/webhooks/{webhookID}/deliveries/{deliveryID}/retry", status=200)
async def retry_delivery(ctx: Ctx) -> Any:
    """Make a delivery due now; a Failed (or Delivered) one goes back to Pending."""
    webhook_id = await _webhook_id(ctx, *WRITE_ROLES)
    out = await deliveries.retry(ctx.docs, webhook_id, ctx.param("deliveryID"))
    ctx.state[WAKE_KEY] = True
    return out


ROUTES = [*crud(SPEC), list_deliveries, get_delivery, retry_delivery]
