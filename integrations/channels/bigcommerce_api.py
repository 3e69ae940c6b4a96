"""BigCommerce webhooks: what they carry and the call back to the store's API (docs/channels.md,
"BigCommerce webhooks").

A BigCommerce webhook carries no order, only `{scope, store_id, data: {type, id}, hash,
created_at, producer}`. For an order event the receiver fetches the order itself:
`GET {base}/v2/orders/{id}`, its lines `GET {base}/v2/orders/{id}/products` and its shipping
addresses `GET {base}/v2/orders/{id}/shipping_addresses`, with the store's API token in
`X-Auth-Token`, and inlines the sub-resources as the import expects them
(integrations/channels/bigcommerce.py). Calls go through the process's outbound client (the
outbound URL policy applies at connect time); the token is sent, never reported.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from domain.errors import DomainError
from integrations.http import ResponseTooLarge, send_capped

CHANNEL = "bigcommerce"
# The order events that carry an order ID; every other scope is acknowledged and ignored.
ORDER_SCOPES = frozenset(("store/order/created", "store/order/updated", "store/order/statusupdated"))
# BigCommerce pages order products (default 50, at most 250 a page).
PAGE_SIZE = 250
MAX_PAGES = 20
MAX_ANSWER = 4 * 1024 * 1024


class UpstreamFailed(DomainError):
    """The store's API could not give the order: 502, so that BigCommerce retries the webhook."""

    status = 502
    default_code = "Channels.UpstreamFailed"


def order_id(event: dict[str, Any]) -> int | None:
    """The order ID of an order event (None for other scopes, or no usable ID)."""
    scope = str(event.get("scope") or "").lower()
    data = event.get("data")
    if scope not in ORDER_SCOPES or not isinstance(data, dict):
        return None
    raw = data.get("id")
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int) and raw > 0:
        return raw
    if isinstance(raw, str) and raw.isdigit() and int(raw) > 0:
        return int(raw)
    return None


def _failed(resource: str, reason: str, status: int | None = None) -> UpstreamFailed:
    return UpstreamFailed(
        f"The BigCommerce store API did not give {resource}: {reason}",
        data={"Channel": CHANNEL, "Resource": resource, "UpstreamStatus": status},
    )


async def _get(client: httpx.AsyncClient, base: str, token: str, resource: str) -> Any:
    """One GET of the store API; its JSON (None for 204 No Content)."""
    headers = {"X-Auth-Token": token, "Accept": "application/json"}
    try:
        answer = await send_capped(
            client, "GET", base + resource, content=b"", headers=headers, timeout=None, max_bytes=MAX_ANSWER
        )
    except ResponseTooLarge:
        raise _failed(resource, "the answer is too large") from None
    except (httpx.HTTPError, TimeoutError) as exc:
        # The exception's text may name the URL; it never holds the token (a header).
        raise _failed(resource, f"unreachable ({type(exc).__name__})") from None
    if answer.status_code == 204:
        return None
    if answer.status_code != 200:
        raise _failed(resource, f"it answered {answer.status_code}", answer.status_code)
    try:
        return json.loads(answer.body)
    except ValueError:
        raise _failed(resource, "the answer is not JSON", answer.status_code) from None


async def fetch_order(client: httpx.AsyncClient, base: str, token: str, number: int) -> dict[str, Any]:
    """The order with `products` and `shipping_addresses` inlined, as the import takes it."""
    base = base.rstrip("/")
    resource = f"/v2/orders/{number}"
    order = await _get(client, base, token, resource)
    if not isinstance(order, dict):
        raise _failed(resource, "the answer is not an order")
    products: list[Any] = []
    for page in range(1, MAX_PAGES + 1):
        batch = await _get(client, base, token, f"{resource}/products?limit={PAGE_SIZE}&page={page}")
        if batch is None:
            break
        if not isinstance(batch, list):
            raise _failed(f"{resource}/products", "the answer is not a list")
        products.extend(batch)
        if len(batch) < PAGE_SIZE:
            break
    addresses = await _get(client, base, token, f"{resource}/shipping_addresses")
    if addresses is not None and not isinstance(addresses, list):
        raise _failed(f"{resource}/shipping_addresses", "the answer is not a list")
    return {**order, "products": products, "shipping_addresses": addresses or []}
