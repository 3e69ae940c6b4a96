"""The delivery log of a webhook (an ordercore extension): deliveries as callers see them, a page
of them, one with its payload, and a manual retry. Rows live in the outbox (`app.webhooks.store`)."""

from __future__ import annotations

from typing import Any

from app.list_options import ListOptions, Page
from app.store.repo import Docs
from app.webhooks import store as outbox_store
from app.webhooks.redact import redacted
from app.webhooks.store import PENDING, OutboxRow
from app.wire import decode_json
from domain.clock import iso, utcnow
from domain.errors import NotFound, ValidationFailed


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


async def _row(docs: Docs, webhook_id: str, delivery_id: str) -> OutboxRow:
    row = await outbox_store.get(docs.conn, webhook_id, delivery_id)
    if row is None:
        raise NotFound("WebhookDelivery", delivery_id)
    return row


async def page(
    docs: Docs, webhook_id: str, opts: ListOptions, *, key: str | None = None, with_payload: bool = False
) -> dict[str, Any]:
    """Newest first; `page`, `pageSize` and a `Status` filter (Pending|Delivered|Failed). `key`:
    the outbox key the deliveries are filed under when it is not `webhook_id` (event
    subscriptions); their items then name `webhook_id`."""
    statuses = opts.pop_filter("Status")
    if opts.filters:
        raise ValidationFailed(
            "Deliveries can only be filtered by Status", "ValidationFailure", {"Field": opts.filters[0][0]}
        )
    rows, total = await outbox_store.page(
        docs.conn,
        key or webhook_id,
        page=opts.page,
        page_size=opts.page_size,
        status=statuses[-1] if statuses else None,
    )
    logs = await outbox_store.attempts_of(docs.conn, [r.delivery_id for r in rows])
    items = [
        {**delivery_wire(r, logs[r.delivery_id], with_payload=with_payload), "WebhookID": webhook_id}
        for r in rows
    ]
    return Page(items, opts.page, opts.page_size, total).wire()


async def get(docs: Docs, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    """One delivery with its attempt log and the exact payload it carries."""
    row = await _row(docs, webhook_id, delivery_id)
    logs = await outbox_store.attempts_of(docs.conn, [row.delivery_id])
    return delivery_wire(row, logs[row.delivery_id], with_payload=True)


async def retry(docs: Docs, webhook_id: str, delivery_id: str) -> dict[str, Any]:
    """Make a delivery due now; a Failed (or Delivered) one goes back to Pending."""
    row = await _row(docs, webhook_id, delivery_id)
    await outbox_store.make_due(docs.conn, row, now=utcnow())
    row = await _row(docs, webhook_id, delivery_id)
    logs = await outbox_store.attempts_of(docs.conn, [row.delivery_id])
    return delivery_wire(row, logs[row.delivery_id], with_payload=False)
