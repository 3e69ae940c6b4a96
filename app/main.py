"""The Litestar application factory."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.middleware._internal.exceptions.middleware import ExceptionHandlerMiddleware

from app.auth import passwords
from app.auth.tokens import TokenService
from app.config import Settings
from app.console.pages import console_routes
from app.cors import CORSMiddleware, cors_config, gate_origins
from app.errors import EXCEPTION_HANDLERS
from app.http import Dispatch
from app.observability import Observe
from app.routes import all_routes
from app.routes.meta import ROOT_ROUTES
from app.routes.oauth import ROUTES as OAUTH_ROUTES
from app.scheduler import install as install_scheduler
from app.state import Services
from app.store.db import Database
from app.webhooks import install as install_webhooks

# The cyclic collector's first threshold for API processes (CPython's default: 700).
YOUNG_THRESHOLD = 10_000


def collect_less() -> None:
    """Run the cyclic garbage collector less often in an API process. A young-generation
    collection starts when 700 more container objects are alive than at the last one; with 32
    requests in flight their objects reach that within a few requests, so a collection ran
    every few requests, traversed the live requests' objects and moved them into the older
    generations to be traversed again (~7 % of a GET's CPU under wrk, docs/performance.md,
    "GET one order, fourth pass"). A request's objects die by reference counting when it ends;
    with a threshold of 10,000 the count seldom gets there. Cycles are still collected, later
    (at most ~10,000 objects more wait for it)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)


def build_services(settings: Settings) -> Services:
    db = Database(settings.database_url, schema=settings.database_schema or None, caches=settings.caches)
    passwords.configure(workers=settings.password_workers)
    services = Services(settings=settings, db=db, tokens=TokenService(db, settings.base_url))
    install_webhooks(services)
    install_scheduler(services)
    return services


class PathFolder:
    """OrderCloud matches static path segments in any case (`/integrationEvents`,
    `/buyers/x/ApiClients/Assignments`); routes are registered lower-case, so fold the
    segments that are route words and leave IDs alone. `Observe` calls it once per request
    (it was an ASGI layer of its own: one more call and scope copy per request)."""

    def __init__(self, words: set[str]) -> None:
        self.words = frozenset(words)

    def __call__(self, path: str) -> str | None:
        """The folded path, or None when nothing changes (every all-lower-case path)."""
        lowered = path.lower()
        if lowered == path:
            return None
        parts = path.split("/")
        changed = False
        for n, (part, low) in enumerate(zip(parts, lowered.split("/"), strict=False)):
            if part != low and low in self.words:
                parts[n] = low
                changed = True
        return "/".join(parts) if changed else None


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
    # Litestar's exception handling calls `Dispatch`, which calls the operations itself and
    # everything else through Litestar's router (app.http.Dispatch).
    exceptions = app.asgi_handler.app if isinstance(app.asgi_handler, CORSMiddleware) else app.asgi_handler
    if not isinstance(exceptions, ExceptionHandlerMiddleware) or exceptions.app is not app.asgi_router:
        raise RuntimeError("Litestar's handler chain changed: review app.http.Dispatch")
    exceptions.app = Dispatch(app.asgi_router)
    # Observe folds the path itself, so it reads the route from the scope Litestar was given.
    app.asgi_handler = Observe(gate_origins(app.asgi_handler), services, fold=PathFolder(words))
    return app
