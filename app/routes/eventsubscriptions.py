"""Business-event subscriptions (an ordercore extension; docs/events.md): `/eventsubscriptions`
CRUD for the marketplace owner's webhook administrators. A subscription names a URL, a Standard
Webhooks secret and the event types it wants; deliveries go through the webhook outbox."""

from __future__ import annotations

import base64
import secrets
from typing import Any

from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.models.activities import EventSubscription
from app.resources import Doc, ResourceSpec, crud, load
from app.routes.access import seller_only
from app.routes.webhooks import READ_ROLES, WRITE_ROLES
from app.services.activities import OUTBOX_PREFIX, SUBSCRIPTION_KIND
from app.webhooks import deliveries
from domain.errors import ValidationFailed
from integrations.outbound import require_url
from integrations.signing import STANDARD_WEBHOOK_SECRET_PREFIX, standard_webhook_key

SUBSCRIPTION_READ_ROLES = READ_ROLES
SUBSCRIPTION_WRITE_ROLES = WRITE_ROLES


def new_secret() -> str:
    """A Standard Webhooks secret: `whsec_` and 32 random bytes in base64."""
    return STANDARD_WEBHOOK_SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode("ascii")


async def _check(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    require_url(doc["Url"], "Url", allow_private=ctx.services.settings.outbound_allow_private)
    if not doc.get("Secret"):
        # Kept when a save leaves it out; a new subscription gets one.
        doc["Secret"] = (existing or {}).get("Secret") or new_secret()
    try:
        standard_webhook_key(doc["Secret"])
    except ValueError:
        raise ValidationFailed(
            "Secret: a whsec_ secret must be base64", "ValidationFailure", {"Field": "Secret"}
        ) from None
    doc["EventTypes"] = list(dict.fromkeys(doc["EventTypes"]))
    return doc


SPEC = ResourceSpec(
    SUBSCRIPTION_KIND,
    "EventSubscription",
    "/eventsubscriptions",
    "eventSubscriptionID",
    EventSubscription,
    SUBSCRIPTION_READ_ROLES,
    SUBSCRIPTION_WRITE_ROLES,
    readonly=(),
    searchable=("ID", "Name", "Url"),
    scope=seller_only,
    on_write=_check,
    secret_fields=("Secret",),
)


@endpoint("GET", "/eventsubscriptions/{eventSubscriptionID}/deliveries")
async def list_deliveries(ctx: Ctx) -> Any:
    """The subscription's deliveries, newest first, each with its attempts and the envelope sent;
    `page`, `pageSize` and a `Status` filter (Pending|Delivered|Failed), as for webhooks."""
    caller = await ctx.caller(*SUBSCRIPTION_READ_ROLES)
    await seller_only(ctx, caller)
    subscription_id = (await load(ctx, SPEC, caller, "", ctx.param("eventSubscriptionID")))["ID"]
    return await deliveries.page(
        ctx.docs,
        subscription_id,
        ctx.list_options(),
        key=OUTBOX_PREFIX + subscription_id,
        with_payload=True,
    )


ROUTES = [*crud(SPEC), list_deliveries]
