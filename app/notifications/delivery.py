"""One attempt at one notification row (kinds `email` and `message`), for the outbox worker.

`email`: rendered from its message type's template (app.notifications.templates) and sent to the
recipient (To) and the CC list (Cc) over `ORDERCORE_SMTP_URL`, from `ORDERCORE_SMTP_FROM`.
`message`: the payload posted to the sender's URL, signed with its SharedKey exactly as a webhook
is signed with its HashKey (`X-oc-hash` and the Standard Webhooks headers).
"""

from __future__ import annotations

import json
import time
from decimal import Decimal
from typing import Any

import httpx

from app.config import Settings
from app.notifications.messages import TEMPLATE_KEY
from app.notifications.templates import render
from app.webhooks.store import MESSAGE, OutboxRow
from app.wire import encode
from integrations.email import Email, parse_smtp_url, send_email
from integrations.webhook_client import WebhookClient
from integrations.webhook_delivery import AttemptResult, send_webhook

ERROR_SENDER_DELETED = "MessageSenderDeleted"
ERROR_SMTP_URL = "SmtpUrlInvalid"


def _failed(error: str) -> AttemptResult:
    return AttemptResult(None, 0.0, error, None, None, False, False)


def payload_of(row: OutboxRow) -> dict[str, Any]:
    """The message as sent: the stored payload with its secrets put back into the event body."""
    payload: dict[str, Any] = json.loads(row.body, parse_float=Decimal)
    if row.user_token:
        secrets = json.loads(row.user_token)
        payload["EventBody"] = {**(payload.get("EventBody") or {}), **secrets}
    return payload


def _money(value: Any) -> str:
    return "" if value is None else f"{Decimal(str(value)):.2f}"


def template_values(payload: dict[str, Any], settings: Settings) -> dict[str, Any]:
    """The placeholders of a message's templates, from its payload."""
    body = payload.get("EventBody") or {}
    to = payload.get("Recipient") or {}
    order = body.get("Order") or {}
    shipment = body.get("Shipment") or {}
    ret = body.get("OrderReturn") or {}
    approval = body.get("Approval") or {}
    subscription = body.get("Subscription") or {}
    return {
        "MarketplaceName": settings.marketplace_name,
        "MessageType": payload.get("MessageType"),
        "FirstName": to.get("FirstName"),
        "LastName": to.get("LastName"),
        "Username": body.get("Username") or to.get("Username"),
        "Email": to.get("Email"),
        "OrderID": order.get("ID") or ret.get("OrderID"),
        "OrderStatus": order.get("Status"),
        "OrderTotal": _money(order.get("Total")),
        "Currency": order.get("Currency") or "",
        "DateSubmitted": order.get("DateSubmitted"),
        "Comments": approval.get("Comments") or "",
        "ShipmentID": shipment.get("ID"),
        "Shipper": shipment.get("Shipper"),
        "TrackingNumber": shipment.get("TrackingNumber"),
        "ReturnID": ret.get("ID"),
        "ReturnStatus": ret.get("Status"),
        "RefundAmount": _money(ret.get("RefundAmount")),
        "VerificationCode": body.get("PasswordRenewalVerificationCode"),
        "ResetUrl": body.get("PasswordRenewalUrl"),
        "ResetToken": body.get("PasswordRenewalAccessToken"),
        "Usernames": ", ".join(body.get("Usernames") or []),
        "SubscriptionID": subscription.get("ID"),
        "NextOrderDate": subscription.get("NextOrderDate"),
        "UnavailableProducts": _unavailable(body.get("UnavailableProductIDs")),
    }


def _unavailable(product_ids: Any) -> str:
    if not product_ids:
        return ""
    return "No longer available, left out of the order: " + ", ".join(str(p) for p in product_ids) + "."


def sender_address(settings: Settings) -> str:
    host = settings.base_url.split("//", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    return settings.smtp_from or f"noreply@{host}"


async def deliver_notification(
    settings: Settings,
    row: OutboxRow,
    sender: dict[str, Any] | None,
    *,
    client: httpx.AsyncClient | WebhookClient,
    timeout: float,
) -> AttemptResult:
    if sender is None:
        return _failed(ERROR_SENDER_DELETED)
    payload = payload_of(row)
    template = str(payload.pop(TEMPLATE_KEY, None) or payload.get("MessageType"))
    if row.kind == MESSAGE:
        return await send_webhook(
            client,
            url=str(sender.get("URL") or ""),
            body=encode(payload),
            hash_key=str(sender.get("SharedKey") or ""),
            delivery_id=row.delivery_id,
            timestamp=int(time.time()),
            custom_auth_header=None,
            timeout=timeout,
            request_id=row.request_id,
        )
    try:
        config = parse_smtp_url(settings.smtp_url)
    except ValueError:
        return _failed(ERROR_SMTP_URL)
    mail = render(template, template_values(payload, settings), settings.message_templates)
    to = (payload.get("Recipient") or {}).get("Email")
    return await send_email(
        config,
        Email(
            sender=sender_address(settings),
            sender_name=settings.smtp_from_name or settings.marketplace_name,
            to=[to] if to else [],
            cc=[str(c) for c in payload.get("CCList") or []],
            subject=mail.subject,
            text=mail.text,
            html=mail.html,
            message_id=row.delivery_id,
        ),
    )
