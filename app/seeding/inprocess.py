"""Calling the API's registered operations (`app.http.OPERATIONS`) in process, as the seller,
with every call inside one database transaction.

Each operation normally opens its own transaction (`Operation.invoke`); here the services it
sees hold one connection in a transaction that the caller opened, and give each operation a
savepoint on it (`PinnedDatabase`). A refused record rolls back its own savepoint only; the
whole file commits or rolls back as one (docs/migration.md, "One transaction")."""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from litestar import Litestar, Request
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.http import OPERATIONS
from app.routes import all_routes
from app.state import Services
from app.store.db import Database
from app.wire import decode_json
from domain.errors import DomainError

# Every role, as a FullAccess token of the marketplace's first admin user carries.
SELLER_ROLES = frozenset({"FullAccess"})


class PinnedDatabase:
    """A `Database` whose transactions are savepoints on one open connection, and whose reads
    use that connection (they see what the file wrote so far)."""

    def __init__(self, db: Database, conn: AsyncConnection) -> None:
        self._db = db
        self.conn = conn

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self.conn.begin_nested():
            yield self.conn

    @asynccontextmanager
    async def reader(self) -> AsyncIterator[AsyncConnection]:
        yield self.conn


def seller_caller(services: Services, user_id: str, username: str) -> Caller:
    return Caller(user_id, username, "admin", services.marketplace_id, "", SELLER_ROLES)


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


class InProcessApi:
    """The API's operations on one connection, for one caller."""

    def __init__(self, services: Services, conn: AsyncConnection, caller: Caller) -> None:
        all_routes()  # importing the route modules registers their operations
        pinned = dataclasses.replace(services, db=PinnedDatabase(services.db, conn))  # type: ignore[arg-type]
        self.services = pinned
        self.caller = caller
        # Operations read their services from the request's app, as in a request.
        self._app = Litestar(route_handlers=[], openapi_config=None, logging_config=None)
        self._app.state.services = pinned

    def has(self, verb: str, path: str) -> bool:
        return f"{verb} {path}" in OPERATIONS

    async def call(
        self,
        verb: str,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = ...,
    ) -> Any:
        """Run `VERB path` (as registered) and return its JSON answer as plain data (None for
        204). A refusal raises the API's own `DomainError`."""
        op = OPERATIONS.get(f"{verb} {path}")
        if op is None:
            raise DomainError(f"ordercore has no {verb} {path} yet", "NotSupported", None)
        concrete = path
        for name, value in (params or {}).items():
            concrete = concrete.replace("{" + name + "}", value)
        scope: dict[str, Any] = {
            "type": "http",
            "http_version": "1.1",
            "method": verb,
            "scheme": "http",
            "server": ("127.0.0.1", 0),
            "client": ("127.0.0.1", 0),
            "root_path": "",
            "path": "/v1" + concrete,
            "raw_path": ("/v1" + concrete).encode(),
            "query_string": urlencode(list(query)).encode(),
            "headers": [(b"content-type", b"application/json")],
            "path_params": dict(params or {}),
            "app": self._app,
            "litestar_app": self._app,
            "state": {},
        }
        request: Request[Any, Any, Any] = Request(scope, receive=_no_body)  # type: ignore[arg-type]
        _, _, payload = await op.invoke(request, body, self.caller)
        return decode_json(payload) if payload else None
