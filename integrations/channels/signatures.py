"""Platform webhook signatures (pure; docs/channels.md "Webhooks").

Shopify (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`) both sign the raw
request body with HMAC-SHA256 under the webhook's secret and send the digest base64-encoded.
Wix sends the whole body as a JWT signed RS256 with Wix's key; the app's public key checks it.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import jwt

from integrations.signing import oc_hash

HEADERS = {
    "shopify": "X-Shopify-Hmac-Sha256",
    "woocommerce": "X-WC-Webhook-Signature",
}


def sign(secret: str, body: bytes) -> str:
    """The base64 HMAC-SHA256 of `body` under `secret`, as both platforms send it: the same
    digest as OrderCloud's `X-oc-hash` (`integrations.signing.oc_hash`)."""
    return oc_hash(secret, body)


def verify(secret: str | None, body: bytes, signature: str | None) -> bool:
    """True only for a configured secret and a signature equal to the body's (constant time)."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip())


def same_secret(secret: str | None, presented: str | None) -> bool:
    """True only for a configured secret presented exactly (constant time): BigCommerce sends no
    signature, only the custom header its webhook was registered with."""
    if not secret or not presented:
        return False
    return hmac.compare_digest(secret.encode(), presented.encode())


def wix_event(public_key: str | None, raw: bytes) -> dict[str, Any] | None:
    """A Wix webhook: the whole body is a JWT signed RS256 by Wix, checked with the app's public
    key (PEM). Returns the decoded event envelope `{eventType, instanceId, data}` with its `data`
    decoded too, or None when the token is not Wix's (bad signature, expired, malformed)."""
    if not public_key:
        return None
    try:
        claims = jwt.decode(raw.decode("ascii").strip(), public_key, algorithms=["RS256"])
        envelope = claims.get("data")
        envelope = json.loads(envelope) if isinstance(envelope, str) else envelope
        if not isinstance(envelope, dict):
            return None
        inner = envelope.get("data")
        envelope["data"] = json.loads(inner) if isinstance(inner, str) else inner
    except (jwt.PyJWTError, UnicodeDecodeError, ValueError, TypeError):
        return None
    return envelope


def wix_order(event: dict[str, Any]) -> dict[str, Any] | None:
    """The order an eCommerce order event carries: `createdEvent.entity` (order_created),
    `updatedEvent.currentEntity` (order_updated) or `actionEvent.body.order` (order_approved,
    order_canceled, ...); None for other events."""
    data = event.get("data")
    if not isinstance(data, dict):
        return None
    candidates = (
        (data.get("createdEvent") or {}).get("entity"),
        (data.get("updatedEvent") or {}).get("currentEntity"),
        ((data.get("actionEvent") or {}).get("body") or {}).get("order"),
    )
    return next((c for c in candidates if isinstance(c, dict)), None)
