"""The subscription scheduler's loop: every `settings.subscription_poll_interval` seconds (at
once again after a pass that ordered something, to catch up), the subscriptions due at the
clock's time order their next period (app.services.subscriptions.run_due) and those whose order
date is near are reminded (app.services.subscription_reminders). It runs in-process
with the webhook worker (`serve`, unless `--no-worker`) and in `ordercore worker`; on PostgreSQL
any number of them share one database (docs/subscriptions.md)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from app.services import subscription_reminders, subscriptions
from app.store.health import log_failure
from domain.clock import utcnow

if TYPE_CHECKING:
    from app.state import Services

log = logging.getLogger("ordercore.subscriptions")
KEY = "subscription_scheduler"


class Scheduler:
    def __init__(self, services: Services, clock: Callable[[], datetime] = utcnow) -> None:
        self.services = services
        self.clock = clock
        self._stop = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="subscription-scheduler")

    async def stop(self) -> None:
        """Stop after the current subscription's run (a run cut short rolls back whole)."""
        self._stop.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, 10)
            except TimeoutError:
                log.warning("subscription scheduler: stopped mid-run (that run rolled back)")

    async def _loop(self) -> None:
        interval = self.services.settings.subscription_poll_interval
        while not self._stop.is_set():
            placed = 0
            try:
                now = self.clock()
                placed = len(await subscriptions.run_due(self.services, now))
                await subscription_reminders.remind_due(self.services, now)
            except Exception as exc:  # the database may be briefly unavailable; try again later
                log_failure(log, "subscription scheduler: a pass failed", exc)
            if placed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), interval)


async def start_scheduler(services: Services) -> None:
    if services.settings.webhook_worker:
        scheduler = Scheduler(services)
        services.extras[KEY] = scheduler
        await scheduler.start()


async def stop_scheduler(services: Services) -> None:
    scheduler = services.extras.pop(KEY, None)
    if isinstance(scheduler, Scheduler):
        await scheduler.stop()


def install(services: Services) -> None:
    """Run the scheduler with the app (where the webhook worker runs: `settings.webhook_worker`)."""
    services.extras.setdefault("on_startup", []).append(start_scheduler)
    # Before the webhook worker's shutdown and the database's disposal.
    services.extras.setdefault("on_shutdown", []).insert(0, stop_scheduler)


async def alongside(services: Services, main: Callable[[Services], Awaitable[None]]) -> None:
    """`ordercore worker`: the scheduler runs for as long as `main` (the webhook worker) does."""
    scheduler = Scheduler(services)
    await scheduler.start()
    log.info("subscription scheduler started")
    try:
        await main(services)
    finally:
        await scheduler.stop()
