"""The whole app in-process for benchmarks: a fresh SQLite file database (WAL), the bootstrap
admin, and an httpx client over ASGI, driven from one event loop the benchmark owns (pytest-benchmark
times plain functions, so async calls go through `AppEnv.run`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from app.bootstrap import bootstrap
from app.config import Settings
from app.main import build_services, create_app
from app.migrate import migrate
from app.state import Services

PASSWORD = "Bench-pass-1234"
ADMIN_CLIENT = "ordercore-admin"


@dataclass
class AppEnv:
    loop: asyncio.AbstractEventLoop
    services: Services
    client: httpx.AsyncClient
    token: str  # the bootstrap admin's (FullAccess)

    def run(self, coro: Any) -> Any:
        return self.loop.run_until_complete(coro)

    async def call(
        self, method: str, path: str, body: Any = None, *, token: str | None = None
    ) -> httpx.Response:
        """`method /v1{path}`, asserting success."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        response = await self.client.request(method, "/v1" + path, json=body, headers=headers)
        assert response.status_code < 300, response.text
        return response

    async def mint(self, claims: dict[str, Any]) -> str:
        """A token with exactly these claims, as the password grant would issue it (without
        paying argon2 for every user a benchmark needs)."""
        token: str = await self.services.tokens.issue({"cid": ADMIN_CLIENT, **claims}, 24 * 3600)
        return token


@contextmanager
def app_env(
    directory: Path,
    *,
    loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop,
    **settings: Any,
) -> Iterator[AppEnv]:
    """`settings` may name another database (`database_url`, `database_schema`); by default a
    fresh SQLite file in `directory`. `loop_factory`: the event loop to drive it on (uvloop's,
    as `ordercore serve` and `ordercore worker` run)."""
    settings.setdefault("database_url", f"sqlite+aiosqlite:///{directory / 'bench.db'}")
    config = Settings(public_url="http://bench", **settings)
    migrate(config.database_url, config.database_schema or None)
    loop = loop_factory()
    services = build_services(config)
    loop.run_until_complete(bootstrap(services, password=PASSWORD))
    app = create_app(config, services)
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bench")
    form = {"grant_type": "password", "username": "admin", "password": PASSWORD, "client_id": ADMIN_CLIENT}
    token = loop.run_until_complete(client.post("/oauth/token", data=form)).json()["access_token"]
    try:
        yield AppEnv(loop, services, client, token)
    finally:
        for stop in services.extras.get("on_shutdown", []):
            loop.run_until_complete(stop(services))
        loop.run_until_complete(client.aclose())
        loop.run_until_complete(services.db.dispose())
        loop.close()
