"""The fixed path of every request (docs/performance.md, "GET one order, third pass"): what a
request no longer pays for is pinned here, and the answers it gives are the ones it gave."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from litestar.routes import HTTPRoute
from sqlalchemy.ext.asyncio import AsyncConnection

from app import observability
from app.cors import OriginGate
from app.main import PathFolder, create_app
from app.store.db import READ_ONLY
from app.store.repo import Docs
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import Api

Message = dict[str, Any]


async def asgi_call(app: Any, method: str, path: str, headers: dict[str, str]) -> list[Message]:
    """The ASGI messages `app` sends for one request without a body."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "state": {},
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_answers_carry_the_headers_litestars_response_sent(api: Api) -> None:
    """Handlers answer with `app.http.JsonAnswer`: the same two messages Litestar's `Response`
    sent, header for header (content-type, content-length; neither for a 204), then the
    request ID; no other header appears or goes missing."""
    app = create_app(api.services.settings, api.services)
    await api.ok("POST", "/buyers", {"ID": "pipe", "Name": "Pipe"})
    start, body = await asgi_call(app, "GET", "/v1/buyers/pipe", bearer(api.admin_token))
    names = [name for name, _ in start["headers"]]
    assert start["status"] == 200 and names == [b"content-type", b"content-length", b"x-request-id"]
    assert dict(start["headers"])[b"content-type"] == b"application/json"
    assert int(dict(start["headers"])[b"content-length"]) == len(body["body"]) > 0
    assert body == {"type": "http.response.body", "body": body["body"], "more_body": False}

    start, body = await asgi_call(app, "DELETE", "/v1/buyers/pipe", bearer(api.admin_token))
    assert start["status"] == 204 and [name for name, _ in start["headers"]] == [b"x-request-id"]
    assert body["body"] == b""
    # Errors still come through app.errors and Litestar's Response, in the envelope.
    start, body = await asgi_call(app, "GET", "/v1/buyers/pipe", bearer(api.admin_token))
    assert start["status"] == 404 and b'"ErrorCode":"NotFound"' in body["body"]


async def test_a_read_sets_no_connection_options_per_request(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Readers come out of the pool already autocommit (PostgreSQL) or marked to send no BEGIN
    (SQLite), through an engine view made once: no `execution_options` call (a greenlet round
    trip) per checkout."""
    await cat.product(world.api, "p0")
    await world.new_order(body={"ID": "r1"})
    token = await world.token("alice")
    await world.api.ok("GET", "/orders/Outgoing/r1", token=token)

    async def refused(self: AsyncConnection, **_options: Any) -> AsyncConnection:
        raise AssertionError("a connection option was set per checkout")

    monkeypatch.setattr(AsyncConnection, "execution_options", refused)
    assert (await world.api.ok("GET", "/orders/Outgoing/r1", token=token))["ID"] == "r1"
    async with world.api.services.db.reader() as conn:
        options = conn.sync_connection.get_execution_options() if conn.sync_connection else {}
        if world.api.services.db.is_sqlite:
            assert options.get(READ_ONLY) is True
        else:
            assert options.get("isolation_level") == "AUTOCOMMIT"
        assert await Docs(conn).get("order", "r1") is not None
    monkeypatch.undo()  # SQLite writers still ask for BEGIN IMMEDIATE per transaction
    # Writers are untouched: a transaction still commits what it wrote.
    await world.api.ok("PATCH", "/orders/Outgoing/r1", {"Comments": "still written"}, token=token)
    assert (await world.api.ok("GET", "/orders/Outgoing/r1", token=token))["Comments"] == "still written"


async def test_request_ids_are_made_without_a_system_call(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """`os.urandom` lets go of the interpreter lock (on SQLite the driver's thread then takes
    it): request IDs come from a per-process key instead, 32 hex digits, never repeated."""

    def refused(_n: int) -> bytes:
        raise AssertionError("os.urandom called for a request")

    monkeypatch.setattr(observability.os, "urandom", refused)
    seen = set()
    for _ in range(3):
        r = await api.client.get("/v1/me", headers=bearer(api.admin_token))
        assert r.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", r.headers["x-request-id"])
        seen.add(r.headers["x-request-id"])
    assert len(seen) == 3
    given = await api.client.get("/v1/me", headers={**bearer(api.admin_token), "X-Request-ID": "mine-1"})
    assert given.headers["x-request-id"] == "mine-1"


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
def test_a_forked_process_starts_its_own_request_ids() -> None:
    """A worker forked from a process that already made IDs (`serve --workers`, a preloading
    server) must not repeat them: parent and child would otherwise share key and counter, and
    the child's first ID would be the parent's next one."""
    observability.new_request_id()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: its first IDs to the parent, then gone without running pytest's exit
        try:
            os.write(write_end, "".join(observability.new_request_id() for _ in range(3)).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        sent = pipe.read().decode()
    os.waitpid(pid, 0)
    child = {sent[n : n + 32] for n in range(0, len(sent), 32)}
    parent = {observability.new_request_id() for _ in range(3)}
    assert len(child) == 3 and all(re.fullmatch(r"[0-9a-f]{32}", rid) for rid in child)
    assert not child & parent


async def test_only_requests_with_an_origin_go_through_the_cors_middleware(api: Api) -> None:
    """`app.cors.OriginGate`: Litestar's CORS middleware only sees requests carrying `Origin`
    (preflights included); the others skip it, and their answers are unchanged."""
    app = create_app(api.services.settings, api.services)
    gate = app.asgi_handler.app  # Observe -> OriginGate
    assert isinstance(gate, OriginGate)
    through_cors: list[str] = []
    cors = gate.cors

    async def spy(scope: Any, receive: Any, send: Any) -> None:
        through_cors.append(scope["path"])
        await cors(scope, receive, send)

    gate.cors = spy
    plain = await asgi_call(app, "GET", "/v1/me", bearer(api.admin_token))
    assert plain[0]["status"] == 200 and through_cors == []
    assert b"access-control-allow-origin" not in dict(plain[0]["headers"])
    shop = {**bearer(api.admin_token), "Origin": "http://shop.example"}
    cross = await asgi_call(app, "GET", "/v1/me", shop)
    assert cross[0]["status"] == 200 and through_cors == ["/v1/me"]
    assert dict(cross[0]["headers"])[b"access-control-allow-origin"] == b"*"
    preflight = {"Origin": "http://shop.example", "Access-Control-Request-Method": "GET"}
    assert (await asgi_call(app, "OPTIONS", "/v1/me", preflight))[0]["status"] == 204


def test_path_folding_touches_route_words_only() -> None:
    fold = PathFolder({"v1", "me", "products", "orders", "integrationevents"})
    assert fold("/v1/me/products") is None  # nothing upper-case: nothing to do
    assert fold("/v1/Me/Products") == "/v1/me/products"
    assert fold("/v1/orders/Outgoing/AbC") is None  # the direction and the ID are not route words
    assert fold("/v1/integrationEvents/Ev1") == "/v1/integrationevents/Ev1"


async def test_folded_paths_are_served_and_logged_by_their_route(api: Api) -> None:
    """Observe folds the path itself: the route answers, and the access line and metrics name
    the route template, as when folding was a layer of its own."""
    app = create_app(api.services.settings, api.services)
    routes: list[str] = []
    original = observability.metrics.observe_request

    def spy(method: str, route: str, status: int, seconds: float) -> None:
        routes.append(route)
        original(method, route, status, seconds)

    observability.metrics.observe_request = spy  # type: ignore[assignment]
    try:
        start, _ = await asgi_call(app, "GET", "/V1/ME", bearer(api.admin_token))
    finally:
        observability.metrics.observe_request = original  # type: ignore[assignment]
    assert start["status"] == 200 and routes == ["/v1/me"]


async def test_operations_are_called_without_litestars_route_call(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`app.http.Dispatch` calls the operations `endpoint` registered itself, after Litestar's
    own route lookup: `HTTPRoute.handle` (kwargs and signature models, exit stack, response
    handler) runs only for what is not an operation. Paths, errors and refusals answer as the
    router answered them: case-folded paths, an operation's own 404, an unknown path, a method
    the path does not take, a bad Host."""
    await api.ok("POST", "/buyers", {"ID": "disp", "Name": "Dispatch"})
    handled: list[str] = []
    original = HTTPRoute.handle

    async def spy(self: HTTPRoute, scope: Any, receive: Any, send: Any) -> None:
        handled.append(scope["path"])
        await original(self, scope, receive, send)

    monkeypatch.setattr(HTTPRoute, "handle", spy)
    app = create_app(api.services.settings, api.services)  # built with the spy in place
    admin = bearer(api.admin_token)
    start, body = await asgi_call(app, "GET", "/v1/Buyers/disp", admin)
    assert start["status"] == 200 and b'"ID":"disp"' in body["body"]
    start, body = await asgi_call(app, "GET", "/v1/buyers/nobody", admin)
    assert start["status"] == 404 and b'"ObjectID":"nobody"' in body["body"]
    start, _ = await asgi_call(app, "GET", "/v1/buyers/disp", {"Authorization": "Bearer nope"})
    assert start["status"] == 401
    assert handled == []
    start, body = await asgi_call(app, "GET", "/v1/nowhere", admin)
    assert start["status"] == 404 and b"No route matches GET /v1/nowhere" in body["body"]
    start, _ = await asgi_call(app, "TRACE", "/v1/buyers/disp", admin)
    assert start["status"] == 405
    start, _ = await asgi_call(app, "GET", "/v1/buyers/disp", {**admin, "Host": "bad host!"})
    assert start["status"] == 400
    start, _ = await asgi_call(app, "GET", "/oauth/certs", {})
    assert start["status"] == 200 and handled == ["/oauth/certs"]  # not an operation: the router's


async def test_the_bearer_token_is_the_first_authorization_header(api: Api) -> None:
    """`Services.authenticate` reads `Authorization` from the raw headers (not Litestar's
    decoded mapping of them all): the first one counts, its name in any case."""
    app = create_app(api.services.settings, api.services)
    token = f"Bearer {api.admin_token}".encode()

    async def status(headers: list[tuple[bytes, bytes]]) -> int:
        scope_headers = [(b"host", b"testserver"), *headers]
        sent: list[Message] = []

        async def receive() -> Message:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: Message) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "GET",
            "path": "/v1/me",
            "raw_path": b"/v1/me",
            "query_string": b"",
            "root_path": "",
            "headers": scope_headers,
            "client": ("127.0.0.1", 5000),
            "server": ("testserver", 80),
            "state": {},
        }
        await app(scope, receive, send)
        return int(sent[0]["status"])

    assert await status([(b"authorization", token)]) == 200
    assert await status([(b"Authorization", token)]) == 200
    assert await status([(b"authorization", token), (b"authorization", b"Bearer nope")]) == 200
    assert await status([(b"authorization", b"Bearer nope"), (b"authorization", token)]) == 401
    assert await status([(b"x-authorization", token)]) == 401
