"""How the console reaches the API: every read and every action is the API operation itself
(`app.http.OPERATIONS`), invoked in process with the signed-in user's token as its bearer token.
Identity, roles, scoping, the transaction, webhooks and their outbox rows are the API's own;
the console has no authorization path of its own (docs/console.md)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlencode

from litestar import Request
from litestar.utils.scope.state import CONNECTION_STATE_KEY
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.http import OPERATIONS, Ctx
from app.wire import decode_json

# Headers of the browser's request that an API call made for it does not carry: its cookies (the
# session travels as the bearer token instead) and the form's body description.
_DROPPED = frozenset({b"authorization", b"cookie", b"content-type", b"content-length"})


async def _no_body() -> dict[str, Any]:
    return {"type": "http.request", "body": b"", "more_body": False}


def api_request(
    request: Request[Any, Any, Any],
    token: str,
    *,
    verb: str = "GET",
    path_params: Mapping[str, str] | None = None,
    query: Sequence[tuple[str, str]] = (),
) -> Request[Any, Any, Any]:
    """The browser's request re-addressed to an API operation: same app, client address and
    request ID, the session's token as `Authorization: Bearer`, the given path and query."""
    scope = dict(request.scope)
    # Litestar caches parsed headers, query and body in the scope's state: a fresh one here.
    scope["state"] = {k: v for k, v in request.scope.get("state", {}).items() if k != CONNECTION_STATE_KEY}
    headers = [(k, v) for k, v in request.scope["headers"] if k.lower() not in _DROPPED]
    headers.append((b"authorization", b"Bearer " + token.encode("ascii", errors="replace")))
    scope.update(
        method=verb,
        headers=headers,
        path_params=dict(path_params or {}),
        query_string=urlencode(list(query)).encode("ascii"),
    )
    return Request(scope, receive=_no_body)  # type: ignore[arg-type]


async def call(
    request: Request[Any, Any, Any],
    caller: Caller,
    operation: str,
    *,
    path_params: Mapping[str, str] | None = None,
    query: Sequence[tuple[str, str]] = (),
    body: Any = None,
    reader: AsyncConnection | None = None,
) -> Any:
    """Run the API operation named `"VERB /path"` (as registered by `app.http.endpoint`) for the
    signed-in user (`caller`, verified by `Services.authenticate` for this browser request; its
    token is the operation's bearer token) and return its JSON answer as plain data (None for
    204). A refusal raises the API's own `DomainError` (Forbidden, NotFound, ...). `reader`: an
    open connection for a read (one for all the reads of a page)."""
    op = OPERATIONS[operation]
    sub = api_request(request, caller.token, verb=op.verb, path_params=path_params, query=query)
    _, _, payload = await op.invoke(sub, body, caller, reader)
    return decode_json(payload) if payload else None


@asynccontextmanager
async def reading(
    request: Request[Any, Any, Any], caller: Caller, route: str, conn: AsyncConnection | None = None
) -> AsyncIterator[Ctx]:
    """A read-only request context built as `Operation.invoke` builds one, for the console's
    summaries that no single API operation answers (dashboard figures, recent deliveries across
    webhooks): they check the caller with the same `Ctx.caller(*roles)`."""
    services = request.app.state.services
    sub = api_request(request, caller.token)
    if conn is not None:
        yield Ctx(sub, services, route, "GET", conn, _caller=caller)
        return
    async with services.db.reader() as own:
        yield Ctx(sub, services, route, "GET", own, _caller=caller)


def check_operations(names: Sequence[str]) -> None:
    """Fail at start-up, not on a click, if an operation the console uses is gone."""
    missing = [n for n in names if n not in OPERATIONS]
    if missing:
        raise RuntimeError(f"console: API operations not registered: {missing}")
