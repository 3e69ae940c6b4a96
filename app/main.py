"""The Litestar application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.types import ASGIApp, Receive, Scope, Send

from app.auth import passwords
from app.auth.tokens import TokenService
from app.config import Settings
from app.console.pages import console_routes
from app.cors import cors_config
from app.errors import EXCEPTION_HANDLERS
from app.observability import Observe
from app.routes import all_routes
from app.routes.meta import ROOT_ROUTES
from app.routes.oauth import ROUTES as OAUTH_ROUTES
from app.scheduler import install as install_scheduler
from app.state import Services
from app.store.db import Database
from app.webhooks import install as install_webhooks


def build_services(settings: Settings) -> Services:
    db = Database(settings.database_url, schema=settings.database_schema or None, caches=settings.caches)
    passwords.configure(workers=settings.password_workers)
    services = Services(settings=settings, db=db, tokens=TokenService(db, settings.base_url))
    install_webhooks(services)
    install_scheduler(services)
    return services


class CaseInsensitivePaths:
    """OrderCloud matches static path segments in any case (`/integrationEvents`,
    `/buyers/x/ApiClients/Assignments`); routes are registered lower-case, so fold the
    segments that are route words and leave IDs alone."""

    def __init__(self, app: ASGIApp, words: set[str]) -> None:
        self.app = app
        self.words = words

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            path: str = scope["path"]
            parts = path.split("/")
            folded = [p.lower() if p.lower() in self.words and p != p.lower() else p for p in parts]
            if folded != parts:
                new_path = "/".join(folded)
                scope = {**scope, "path": new_path, "raw_path": new_path.encode()}  # type: ignore[assignment]
        await self.app(scope, receive, send)


def _static_words(paths: list[str]) -> set[str]:
    words: set[str] = set()
    for path in paths:
        for seg in path.split("/"):
            if seg and not seg.startswith("{"):
                words.add(seg.lower())
    return words


def create_app(settings: Settings | None = None, services: Services | None = None) -> Litestar:
    settings = settings or Settings.from_env()
    services = services or build_services(settings)
    api_routes = [r for r in all_routes() if r not in OAUTH_ROUTES]
    v1 = Router(path="/v1", route_handlers=api_routes)

    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        for start in services.extras.get("on_startup", []):
            await start(services)
        try:
            yield
        finally:
            for stop in services.extras.get("on_shutdown", []):
                await stop(services)
            await services.db.dispose()

    app = Litestar(
        route_handlers=[v1, *OAUTH_ROUTES, *ROOT_ROUTES, *console_routes()],
        exception_handlers=EXCEPTION_HANDLERS,
        lifespan=[lifespan],
        openapi_config=None,
        cors_config=cors_config(settings),
        # Logging is configured by `ordercore serve` (app.observability.configure_logging), not
        # replaced by Litestar's own setup at startup.
        logging_config=None,
        debug=False,
    )
    app.state.services = services
    root_routes = [*OAUTH_ROUTES, *ROOT_ROUTES]
    paths = [p for r in api_routes for p in r.paths] + [p for r in root_routes for p in r.paths]
    words = _static_words(paths) | {"v1", "oauth"}
    # Observe sits inside the path folding so it sees the scope Litestar records the route in.
    app.asgi_handler = CaseInsensitivePaths(Observe(app.asgi_handler, services), words)
    return app
