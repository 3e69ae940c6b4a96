"""The process's outbound HTTP client and the worker's wake-up bell, kept in `services.extras`.

They live apart from the package's `install` so that hooks, the worker and the checkout service
can use them without importing the module that starts the worker (an import circle otherwise).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx

from app.observability import outbound_request_id_hook
from integrations.http import create_client
from integrations.webhook_client import WebhookClient

if TYPE_CHECKING:
    from app.state import Services

CLIENT_KEY = "http_client"
WEBHOOK_CLIENT_KEY = "webhook_client"
WORKER_KEY = "webhook_worker"


def outbound_client(services: Services) -> httpx.AsyncClient:
    """The process's one outbound client (kept in `services.extras`, closed at shutdown)."""
    client: httpx.AsyncClient | None = services.extras.get(CLIENT_KEY)
    if client is None or client.is_closed:
        client = create_client(
            connect_timeout=services.settings.integration_connect_timeout,
            read_timeout=services.settings.integration_read_timeout,
            allow_private=services.settings.outbound_allow_private,
        )
        # Every outbound call (integration events, webhooks) carries the request ID it serves.
        client.event_hooks["request"].append(outbound_request_id_hook)
        services.extras[CLIENT_KEY] = client
    return client


def webhook_client(services: Services, *, concurrency: int = 64) -> WebhookClient:
    """The process's client for webhook deliveries (pyreqwest, `integrations.webhook_client`),
    created on first use inside the running loop and closed at shutdown."""
    client: WebhookClient | None = services.extras.get(WEBHOOK_CLIENT_KEY)
    if client is None or client.is_closed:
        client = WebhookClient(
            concurrency=concurrency,
            allow_private=services.settings.outbound_allow_private,
            connect_timeout=services.settings.integration_connect_timeout,
        )
        services.extras[WEBHOOK_CLIENT_KEY] = client
    return client


async def close_clients(services: Services) -> None:
    for key in (CLIENT_KEY, WEBHOOK_CLIENT_KEY):
        client: httpx.AsyncClient | WebhookClient | None = services.extras.pop(key, None)
        if client is not None:
            await client.aclose()


def wake(services: Services) -> None:
    """Tell the in-process worker (if one runs) that new deliveries are waiting."""
    worker: Any = services.extras.get(WORKER_KEY)
    if worker is not None:
        worker.wake()
