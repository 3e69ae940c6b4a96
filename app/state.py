"""The composition root's container: what every handler reaches through `ctx.services`."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth import group_tokens
from app.auth.revocation import StandingCache
from app.auth.throttle import TokenThrottle
from app.auth.tokens import Caller, TokenService
from app.config import Settings
from app.store.db import Database
from domain.errors import Unauthorized


def first_header(request: Request[Any, Any, Any], name: bytes) -> str:
    """The first value of header `name` (lower-case), as `request.headers.get(name, "")` gives
    it, read from the raw headers: Litestar's `Headers` decodes every header of the request
    first (the seller admin's bearer token alone is ~4 KB) and this runs on every request."""
    for key, value in request.scope["headers"]:
        if key == name or key.lower() == name:
            return value.decode("latin-1")
    return ""


class HookContext(Protocol):
    """A write request as the hooks around it see it (`app.http.Ctx` is one): what was called,
    by whom, with what, and where to leave notes for the later hooks."""

    request: Request[Any, Any, Any]
    route: str
    verb: str
    conn: AsyncConnection
    raw_body: bytes
    writable: bool
    state: dict[str, Any]

    @property
    def services(self) -> Services: ...

    @property
    def params(self) -> dict[str, Any]: ...

    async def body(self) -> Any: ...

    async def optional_caller(self) -> Caller | None: ...


class Hooks(Protocol):
    """Called around every write: `before` may veto it, `after` records what it caused.

    Optional extras, called by `app.http.endpoint` when defined: `before_transaction(ctx)` runs
    before the write's transaction opens (`ctx.conn` is not set; for calls to outside servers
    that must not hold a database lock) and may veto the write too; `after_commit(ctx)` runs
    once the transaction committed.
    """

    async def before(self, ctx: HookContext) -> None: ...

    async def after(self, ctx: HookContext, status: int, result: Any) -> None: ...


class NoHooks:
    async def before(self, ctx: HookContext) -> None:
        return None

    async def after(self, ctx: HookContext, status: int, result: Any) -> None:
        return None


@dataclass
class Services:
    settings: Settings
    db: Database
    tokens: TokenService
    hooks: Hooks = field(default_factory=NoHooks)
    throttle: TokenThrottle = field(default_factory=TokenThrottle)
    # Forgotten-credential requests, per source address and per username or email.
    reset_throttle: TokenThrottle = field(default_factory=TokenThrottle)
    extras: dict[str, Any] = field(default_factory=dict)
    # Whether tokens still stand, cached per process (app.auth.revocation, app.store.invalidation).
    standing: StandingCache = field(init=False)

    def __post_init__(self) -> None:
        self.standing = StandingCache(self.db)

    @property
    def marketplace_id(self) -> str:
        return self.settings.marketplace_id

    async def authenticate(
        self, request: Request[Any, Any, Any], conn: AsyncConnection | None = None
    ) -> Caller:
        header = first_header(request, b"authorization")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Access token is missing or malformed", "InvalidToken")
        caller = await self.tokens.caller(token.strip())
        # No statement while the user is cached; else one indexed statement (user and company
        # together), on the request's own connection when it has one (docs/security-tokens.md).
        problem = await self.standing.problem(caller.claims, conn)
        if problem is None and group_tokens.INVITATION_CLAIM in caller.claims:
            # A group order token also dies with its invitation and its order's submit.
            if conn is not None:
                problem = await group_tokens.problem(caller.claims, conn)
            else:
                async with self.db.reader() as reader:
                    problem = await group_tokens.problem(caller.claims, reader)
        if problem is not None:
            raise Unauthorized("Access token is no longer valid", problem)
        return caller
