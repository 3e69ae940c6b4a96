"""Webhooks (OrderCloud's CRUD) and, as ordercore extensions, their delivery log and a manual
retry: `GET /webhooks/{webhookID}/deliveries[/{deliveryID}]`,
`POST /webhooks/{webhookID}/deliveries/{deliveryID}/retry`."""

from __future__ import annotations

from typing import Any

from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.http import Ctx, endpoint
from app.listing import Page
from app.models.webhooks import Webhook
from app.resources import Doc, ResourceSpec, crud, load
from app.routes.access import seller_only
from app.webhooks import store as outbox_store
from app.webhooks.hooks import WAKE_KEY
from app.webhooks.redact import redacted
from app.webhooks.store import PENDING, OutboxRow
from app.wire import decode_json
from domain.clock import iso, utcnow
from domain.errors import NotFound, ValidationFailed
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


def delivery_wire(row: OutboxRow, attempts: list[dict[str, Any]], *, with_payload: bool) -> dict[str, Any]:
    sent: Any = decode_json(row.body.encode("utf-8"))
    out: dict[str, Any] = {
        "ID": row.delivery_id,
        "WebhookID": row.webhook_id,
        "Route": sent.get("Route") if isinstance(sent, dict) else None,
        "Verb": sent.get("Verb") if isinstance(sent, dict) else None,
        "OrderingKey": row.ordering_key,
        "Status": row.status,
        "Attempts": row.attempts,
        "DateCreated": iso(row.created_at),
        "NextAttemptDate": iso(row.next_attempt_at) if row.status == PENDING else None,
        "LastError": row.last_error,
        "AttemptLog": [
            {
                "Date": iso(a["attempted_at"]),
                "StatusCode": a["status_code"],
                "DurationMs": a["duration_ms"],
                "Error": a["error"],
                "ResponseBody": a["response_body"],
            }
            for a in attempts
        ],
    }
    if with_payload:
        # Stored payloads are redacted already; this also covers rows written before that was so.
        out["Payload"] = redacted(sent)
    return out


async def _webhook_id(ctx: Ctx, *roles: str) -> str:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    webhook_id = ctx.param("webhookID")
    await load(ctx, SPEC, caller, "", webhook_id)
    return webhook_id


async def _delivery(ctx: Ctx, webhook_id: str) -> OutboxRow:
    delivery_id = ctx.param("deliveryID")
    row = await outbox_store.get(ctx.conn, webhook_id, delivery_id)
    if row is None:
        raise NotFound("WebhookDelivery", delivery_id)
    return row


@endpoint("GET", "/webhooks/{webhookID}/deliveries")
async def list_deliveries(ctx: Ctx) -> Any:
    """Newest first; `page`, `pageSize` and a `Status` filter (Pending|Delivered|Failed)."""
    webhook_id = await _webhook_id(ctx, *READ_ROLES)
    opts = ctx.list_options()
    statuses = opts.pop_filter("Status")
    if opts.filters:
        raise ValidationFailed(
            "Deliveries can only be filtered by Status", "ValidationFailure", {"Field": opts.filters[0][0]}
        )
    rows, total = await outbox_store.page(
        ctx.conn,
        webhook_id,
        page=opts.page,
        page_size=opts.page_size,
        status=statuses[-1] if statuses else None,
    )
    logs = await outbox_store.attempts_of(ctx.conn, [r.delivery_id for r in rows])
    items = [delivery_wire(r, logs[r.delivery_id], with_payload=False) for r in rows]
    return Page(items, opts.page, opts.page_size, total).wire()


@endpoint("GET", "/webhooks/{webhookID}/deliveries/{deliveryID}")
async def get_delivery(ctx: Ctx) -> Any:
    """One delivery with its attempt log and the exact payload it carries."""
    row = await _delivery(ctx, await _webhook_id(ctx, *READ_ROLES))
    logs = await outbox_store.attempts_of(ctx.conn, [row.delivery_id])
    return delivery_wire(row, logs[row.delivery_id], with_payload=True)


@endpoint("POST", "/webhooks/{webhookID}/deliveries/{deliveryID}/retry", status=200)
async def retry_delivery(ctx: Ctx) -> Any:
    """Make a delivery due now; a Failed (or Delivered) one goes back to Pending."""
    webhook_id = await _webhook_id(ctx, *WRITE_ROLES)
    row = await _delivery(ctx, webhook_id)
    await outbox_store.make_due(ctx.conn, row, now=utcnow())
    ctx.state[WAKE_KEY] = True
    row = await _delivery(ctx, webhook_id)
    logs = await outbox_store.attempts_of(ctx.conn, [row.delivery_id])
    return delivery_wire(row, logs[row.delivery_id], with_payload=False)


ROUTES = [*crud(SPEC), list_deliveries, get_delivery, retry_delivery]
