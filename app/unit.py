"""The unit of work a use case runs in: the document store on one connection, the services, the
caller, work to run once it committed, and explicit short steps for use cases that call out.

Services take a `Unit`, never the HTTP request: the endpoint wrapper's `app.http.Ctx` is one
(structurally), and `WorkUnit` is the one everything else builds (the webhook worker, the CLI,
channel imports, use-case tests):

    async with WorkUnit.transaction(services, caller) as unit:
        await lineitems.add(unit, ...)
    # after-commit tasks have run here
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.store.repo import Docs
from domain.errors import Forbidden, Unauthorized

if TYPE_CHECKING:
    from app.state import Services

Task = Callable[[], Awaitable[None]]


class Unit(Protocol):
    """What a use case may use of where it runs."""

    @property
    def conn(self) -> AsyncConnection: ...

    @property
    def docs(self) -> Docs: ...

    @property
    def services(self) -> Services: ...

    async def caller(self, *roles: str) -> Caller:
        """The verified caller; with `roles`, one of them is needed (FullAccess counts)."""
        ...

    def after_commit(self, task: Task) -> None:
        """Run `task` once this unit's transaction committed; it cannot undo the write."""
        ...

    def read(self) -> AbstractAsyncContextManager[Unit]:
        """A short read-only step on a connection of its own (for use cases that call out)."""
        ...

    def write(self) -> AbstractAsyncContextManager[Unit]:
        """A short transaction of its own; it commits when the block ends without error."""
        ...


def require_roles(caller: Caller, roles: tuple[str, ...]) -> Caller:
    """`caller` when it holds one of `roles` (none asked: anyone); else OrderCloud's 403."""
    if roles and not caller.has(*roles):
        raise Forbidden(
            "User does not have role(s) required to perform this action",
            "Auth.InsufficientRoles",
            {"SufficientRoles": list(roles), "AssignedRoles": sorted(caller.roles)},
        )
    return caller


@dataclass
class WorkUnit:
    """A unit over a connection the builder opened, for a caller known up front (None: a system
    task; asking it for the caller is then a 401 as for a request without a token)."""

    services: Services
    conn: AsyncConnection
    who: Caller | None = None
    post_commit: list[Task] = field(default_factory=list)

    @property
    def docs(self) -> Docs:
        return Docs(self.conn)

    async def caller(self, *roles: str) -> Caller:
        if self.who is None:
            raise Unauthorized("Access token is missing or malformed", "InvalidToken")
        return require_roles(self.who, roles)

    def after_commit(self, task: Task) -> None:
        self.post_commit.append(task)

    def read(self) -> AbstractAsyncContextManager[Unit]:
        return step(self, write=False)

    def write(self) -> AbstractAsyncContextManager[Unit]:
        return step(self, write=True)

    @classmethod
    @asynccontextmanager
    async def transaction(cls, services: Services, who: Caller | None = None) -> AsyncIterator[WorkUnit]:
        """One transaction; its after-commit tasks run once it committed (not when it failed)."""
        async with services.db.transaction() as conn:
            unit = cls(services, conn, who)
            yield unit
        for task in unit.post_commit:
            await task()

    @classmethod
    @asynccontextmanager
    async def reader(cls, services: Services, who: Caller | None = None) -> AsyncIterator[WorkUnit]:
        async with services.db.reader() as conn:
            yield cls(services, conn, who)


@asynccontextmanager
async def step(unit: Unit, *, write: bool) -> AsyncIterator[Unit]:
    """A unit on a short connection of its own that shares `unit`'s caller and after-commit
    list: what `Unit.read()`/`Unit.write()` return."""
    source = unit.services.db.transaction() if write else unit.services.db.reader()
    async with source as conn:
        yield _Step(unit, conn)


@dataclass
class _Step:
    parent: Unit
    conn: AsyncConnection

    @property
    def docs(self) -> Docs:
        return Docs(self.conn)

    @property
    def services(self) -> Services:
        return self.parent.services

    async def caller(self, *roles: str) -> Caller:
        return await self.parent.caller(*roles)

    def after_commit(self, task: Task) -> None:
        self.parent.after_commit(task)

    def read(self) -> AbstractAsyncContextManager[Unit]:
        return step(self.parent, write=False)

    def write(self) -> AbstractAsyncContextManager[Unit]:
        return step(self.parent, write=True)
