"""Platform webhook signatures (pure; docs/channels.md "Webhooks").

Shopify (`X-Shopify-Hmac-Sha256`) and WooCommerce (`X-WC-Webhook-Signature`) both sign the raw
request body with HMAC-SHA256 under the webhook's secret and send the digest base64-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

HEADERS = {
    "shopify": "X-Shopify-Hmac-Sha256",
    "woocommerce": "X-WC-Webhook-Signature",
}


def sign(secret: str, body: bytes) -> str:
    """The base64 HMAC-SHA256 of `body` under `secret`, as both platforms send it."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def verify(secret: str | None, body: bytes, signature: str | None) -> bool:
    """True only for a configured secret and a signature equal to the body's (constant time)."""
    if not secret or not signature:
        return False
    return hmac.compare_digest(sign(secret, body), signature.strip())
