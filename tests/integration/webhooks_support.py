"""Helpers for the webhook tests: registering a webhook through the API and reading the
delivery log through the ordercore extension endpoints."""

from __future__ import annotations

from typing import Any

from tests.helpers import ADMIN_CLIENT, Api
from tests.integration.receivers import HASH_KEY

CONFIG = {"Tenant": "acme", "Nested": {"Flag": True}}


async def make_webhook(
    api: Api,
    url: str,
    *,
    id: str = "wh1",
    routes: list[tuple[str, str]] | None = None,
    before: bool = False,
    clients: list[str] | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = {
        "ID": id,
        "Name": f"Webhook {id}",
        "Url": url,
        "HashKey": HASH_KEY,
        "ConfigData": CONFIG,
        "BeforeProcessRequest": before,
        "ApiClientIDs": [ADMIN_CLIENT] if clients is None else clients,
        "WebhookRoutes": [{"Route": r, "Verb": v} for r, v in (routes or [("v1/buyers", "POST")])],
        **extra,
    }
    return dict(await api.ok("POST", "/webhooks", body))


async def deliveries(api: Api, webhook_id: str = "wh1", **params: Any) -> list[dict[str, Any]]:
    page = await api.ok("GET", f"/webhooks/{webhook_id}/deliveries", params=params or None)
    return list(page["Items"])


async def only_delivery(api: Api, webhook_id: str = "wh1") -> dict[str, Any]:
    items = await deliveries(api, webhook_id)
    assert len(items) == 1, items
    return items[0]
