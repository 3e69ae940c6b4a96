"""Webhooks: pre-hooks that can veto a write, and post-hooks delivered from an outbox.

`install(services)` wires them into a `Services`: the hooks around every write, the shared
outbound HTTP client (`app.webhooks.client`), and (when `settings.webhook_worker`) the
in-process delivery worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from app.webhooks.client import WORKER_KEY, close_clients

if TYPE_CHECKING:
    from app.state import Services


async def start_worker(services: Services) -> None:
    if services.settings.webhook_worker:
        from app.webhooks.worker import BackgroundWorker

        worker = BackgroundWorker(services)
        services.extras[WORKER_KEY] = worker
        await worker.start()


async def stop_webhooks(services: Services) -> None:
    worker: Any = services.extras.pop(WORKER_KEY, None)
    if worker is not None:
        await worker.stop()
    await close_clients(services)


def install(services: Services) -> None:
    from app.webhooks.hooks import WebhookHooks

    services.hooks = WebhookHooks()
    services.extras.setdefault("on_startup", []).append(start_worker)
    services.extras.setdefault("on_shutdown", []).append(stop_webhooks)
