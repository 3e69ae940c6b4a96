"""How a request reaches a handler: one wrapper gives every endpoint its connection (a
transaction for writes), the caller's identity, the body, list options, webhooks and encoding."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from litestar import Request
from litestar._asgi.asgi_router import ASGIRouter
from litestar._asgi.utils import is_valid_host
from litestar.datastructures.multi_dicts import FormMultiDict
from litestar.exceptions import ImproperlyConfiguredException
from litestar.handlers import HTTPRouteHandler
from litestar.handlers.http_handlers import route as litestar_route
from litestar.routes import HTTPRoute
from litestar.types import Empty, ExceptionHandlersMap, Receive, Scope, Send
from litestar.utils.path import normalize_path
from litestar.utils.scope.state import ScopeState
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.group_tokens import check_route
from app.auth.tokens import Caller
from app.list_options import ListOptions, parse_list_options
from app.observability import note_caller
from app.state import Services
from app.store.repo import Docs
from app.unit import Unit, require_roles, step
from app.wire import NO_CONTENT as NO_CONTENT
from app.wire import NoContent as NoContent
from app.wire import check_text, decode_json, encode, validate
from domain.errors import Unauthorized, ValidationFailed

T = TypeVar("T")
WRITE_VERBS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class Ctx:
    """Everything one request needs; handlers take only this. It is an `app.unit.Unit`: the
    services a handler calls take it as one, and never see the request."""

    request: Request[Any, Any, Any]
    services: Services
    route: str
    verb: str
    conn: AsyncConnection
    _caller: Caller | None = None
    _body: Any = ...
    raw_body: bytes = b""
    writable: bool = False
    # Per-request scratch space for the hooks (what `before_transaction` found for `after`).
    state: dict[str, Any] = field(default_factory=dict)
    # Work to do once the write committed, before the answer goes out (calls to merchant
    # middleware about what was just committed); see `after_commit`.
    post_commit: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    @property
    def params(self) -> dict[str, Any]:
        return self.request.path_params

    @property
    def docs(self) -> Docs:
        return Docs(self.conn)

    def param(self, name: str) -> str:
        return str(self.request.path_params[name])

    def query(self, name: str) -> str | None:
        low = name.lower()
        for key, value in self.request.query_params.items():
            if key.lower() == low:
                return str(value)
        return None

    def list_options(self, params: Iterable[str] = ()) -> ListOptions:
        return parse_list_options(self.request.query_params.multi_items(), params=params)

    async def caller(self, *roles: str) -> Caller:
        """The verified caller; with `roles`, one of them is needed (FullAccess counts)."""
        if self._caller is None:
            # `conn` is None in `before_transaction` hooks (cast in `endpoint`); then a reader opens.
            self._caller = await self.services.authenticate(self.request, self.conn)
            note_caller(self._caller.user_id, self._caller.client_id)
        # A group order token reaches a few routes only (app.auth.group_tokens).
        if self._caller.invitation_id is not None:
            check_route(self._caller, self.verb, self.route)
        return require_roles(self._caller, roles)

    async def optional_caller(self) -> Caller | None:
        try:
            return await self.caller()
        except Unauthorized:
            return None

    async def body(self) -> Any:
        """The JSON body, or None when the request has none (action POSTs send nothing)."""
        if self._body is ...:
            self.raw_body = await self.request.body()
            self._body = decode_json(self.raw_body) if self.raw_body.strip() else None
        return self._body

    async def body_object(self, *, required: bool = True) -> dict[str, Any]:
        data = await self.body()
        if data is None and not required:
            return {}
        if not isinstance(data, dict):
            raise ValidationFailed("Request body must be a JSON object", "ValidationFailure", {"Field": "$"})
        return data

    async def body_as(self, typ: type[T]) -> T:
        return validate(await self.body_object(), typ)

    def after_commit(self, task: Callable[[], Awaitable[None]]) -> None:
        """Run `task` after this request's transaction committed and before it is answered.
        It cannot change the answer (already encoded) and must not raise: the write stands."""
        self.post_commit.append(task)

    def read(self) -> AbstractAsyncContextManager[Unit]:
        """A short read on a connection of its own (handlers that call out hold no transaction)."""
        return step(self, write=False)

    def write(self) -> AbstractAsyncContextManager[Unit]:
        """A short transaction of its own, sharing this request's caller and after-commit work."""
        return step(self, write=True)


Handler = Callable[[Ctx], Awaitable[Any]]


@dataclass(frozen=True)
class Operation:
    """One API operation as `endpoint` registered it. `invoke` is the whole way a request is
    served (identity, transaction, hooks, after-commit work); the API and the seller console
    (app.console) both go through it, so there is one authorization path."""

    verb: str
    path: str
    route: str
    handler: Handler
    status: int
    transactional: bool

    async def invoke(
        self,
        request: Request[Any, Any, Any],
        body: Any = ...,
        caller: Caller | None = None,
        reader: AsyncConnection | None = None,
    ) -> tuple[Any, int, bytes]:
        """Serve `request`; returns the handler's result, the status and the encoded answer.
        `body`, when given, stands for the request's JSON body (the console's forms); `caller`,
        when given, is the caller `services.authenticate` already verified for this very request
        (its bearer token), so it is not verified again; `reader`, for a read, is an open
        connection to read on (a page making several reads uses one)."""
        services = request.app.state.services
        check_request_text(request)
        is_write = self.verb in WRITE_VERBS
        writable = is_write and self.transactional
        # No connection yet: `before_transaction` hooks run before one is opened.
        no_conn = cast(AsyncConnection, None)
        ctx = Ctx(request, services, self.route, self.verb, no_conn, writable=writable)
        if body is not ...:
            ctx._body = body
        if caller is not None:
            ctx._caller = caller
        if is_write:
            await _optional_hook(services.hooks, "before_transaction", ctx)
        if reader is not None and not is_write:
            ctx.conn = reader
            result, code, payload = await self._serve(ctx, is_write)
        else:
            opened = services.db.transaction() if writable else services.db.reader()
            async with opened as ctx.conn:
                result, code, payload = await self._serve(ctx, is_write)
        if is_write:
            await _optional_hook(services.hooks, "after_commit", ctx)
        for task in ctx.post_commit:
            await task()
        return result, code, payload

    async def _serve(self, ctx: Ctx, is_write: bool) -> tuple[Any, int, bytes]:
        """The handler on `ctx.conn`, inside the write hooks for writes; the answer encoded."""
        if is_write:
            await ctx.services.hooks.before(ctx)
        result = await self.handler(ctx)
        code = self.status
        if isinstance(result, tuple):
            result, code = result
        payload = b"" if isinstance(result, NoContent) else encode(result)
        if is_write:
            await ctx.services.hooks.after(ctx, code, result)
        return result, code, payload


_CONTENT_TYPE = (b"content-type", b"application/json")
_NO_BODY_STATUSES = frozenset({204, 304})


class JsonAnswer:
    """An encoded JSON answer, sent as the two ASGI messages Litestar's `Response(content=...,
    media_type="application/json")` sends: the same status, `content-type` and `content-length`
    (neither, and no body, for 204 and 304). A handler returning an ASGI callable is passed
    through as it is, so no `Response`, header mapping and `ASGIResponse` are built per request
    (docs/performance.md, "GET one order, third pass"). Error answers still go through
    `app.errors` and Litestar's `Response`."""

    __slots__ = ("body", "headers", "status")

    def __init__(self, status: int, body: bytes) -> None:
        if status in _NO_BODY_STATUSES or status < 200:
            if body and body != b"null":
                # What Litestar's ASGIResponse refuses too (a 500, not a body sent with a 204).
                raise ImproperlyConfiguredException(
                    "response content is not supported for HEAD responses and responses with a "
                    "status code that does not allow content (304, 204, < 200)"
                )
            self.body = b""
            self.headers: list[tuple[bytes, bytes]] = []
        else:
            self.body = body
            self.headers = [_CONTENT_TYPE, (b"content-length", str(len(body)).encode())]
        self.status = status

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.headers})
        await send({"type": "http.response.body", "body": self.body, "more_body": False})


# Every operation `endpoint` registered, by "VERB /path" (the OrderCloud path, without /v1).
OPERATIONS: dict[str, Operation] = {}
# The same operations by the function Litestar calls for them (`Dispatch` finds them this way).
_BY_RUNNER: dict[Callable[..., Any], Operation] = {}


def endpoint(
    verb: str, path: str, *, status: int | None = None, transactional: bool = True
) -> Callable[[Handler], HTTPRouteHandler]:
    """Register `handler` for `verb path` (OrderCloud path, `/v1` is added by the app).

    Writes run in one transaction that also records webhook deliveries, so a change and the
    events it causes commit together. Around it, `services.hooks.before_transaction(ctx)` runs
    before the transaction opens (pre-hooks: no lock is held while middleware answers; `ctx.conn`
    is not set yet) and `after_commit(ctx)` after it committed; both are optional.
    `transactional=False` handlers (those that call out to middleware) open their own short
    transactions through `ctx.services.db`.
    """
    verb = verb.upper()
    default_status = status or (201 if verb == "POST" else 204 if verb == "DELETE" else 200)
    route_template = "v1" + path

    def decorate(handler: Handler) -> HTTPRouteHandler:
        operation = Operation(verb, path, route_template, handler, default_status, transactional)
        OPERATIONS[f"{verb} {path}"] = operation

        async def run(request: Request[Any, Any, Any]) -> JsonAnswer:
            _, code, payload = await operation.invoke(request)
            return JsonAnswer(code, payload)

        run.__name__ = handler.__name__
        run.__doc__ = handler.__doc__
        _BY_RUNNER[run] = operation
        # The declared status only documents the route; `run` answers with the real one.
        declared = 200 if default_status == 204 else default_status
        return litestar_route(
            lit_path(path),
            http_method=[verb],  # type: ignore[list-item]
            status_code=declared,
            name=f"{verb} {path}",
        )(run)

    return decorate


class Dispatch:
    """Litestar's router, calling the operations `endpoint` registered itself.

    For a request Litestar's router matches (the same cached lookup, `handle_routing`) to an
    operation's handler, it sets up the scope as the router does (path, path parameters, route
    handler, path template, the handler's exception handlers), builds the `Request` and awaits
    the operation, then sends its `JsonAnswer`: what `HTTPRoute.handle` did for these handlers,
    without its per-request kwargs model, signature model, `AsyncExitStack` and response
    handler (the handlers take only the request and return an ASGI callable, which Litestar
    passed through as it was). Errors propagate to Litestar's exception handling around this,
    as they did from the router. Everything else (unmatched paths and methods, a bad `Host`, a
    `root_path`, routes that are not operations, handlers with guards, hooks, middleware,
    dependencies or a response cache) goes to the router unchanged
    (docs/performance.md, "GET one order, fourth pass")."""

    def __init__(self, router: ASGIRouter) -> None:
        self.router = router
        self._direct: dict[Any, tuple[Operation, ExceptionHandlersMap] | None] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope.get("root_path"):
            await self.router(scope, receive, send)
            return
        try:
            host = next((value for name, value in scope["headers"] if name == b"host"), None)
            if host is not None and not is_valid_host(host):
                raise ValueError("invalid host")  # the router refuses it (400)
            app, handler, path, params, template = self.router.handle_routing(
                path=normalize_path(scope["path"]),
                method=scope["method"],  # type: ignore[typeddict-item]  # http, not websocket
            )
        except Exception:
            # The router refuses it again, with the exception handlers it sets for refusals.
            await self.router(scope, receive, send)
            return
        direct = self._direct.get(handler, ...)
        if direct is ...:
            direct = self._direct[handler] = _direct_operation(app, handler)
        if direct is None:
            await self.router(scope, receive, send)
            return
        operation, exception_handlers = direct
        scope["path"], scope["path_params"] = path, params
        state = ScopeState.from_scope(scope)
        state.exception_handlers = exception_handlers
        scope["route_handler"] = handler
        scope["path_template"] = template
        try:
            _, code, payload = await operation.invoke(Request(scope, receive, send))
            await JsonAnswer(code, payload)(scope, receive, send)
        finally:
            if state.form is not Empty:
                await FormMultiDict.from_form_data(state.form).close()


def _direct_operation(app: Any, handler: Any) -> tuple[Operation, ExceptionHandlersMap] | None:
    """The operation behind `handler` with the exception handlers the router sets for it, when
    `HTTPRoute.handle` would do nothing for it beyond calling it (see `Dispatch`); else None."""
    if not isinstance(handler, HTTPRouteHandler):
        return None
    operation = _BY_RUNNER.get(handler.fn)
    if (
        operation is None
        or getattr(app, "__func__", None) is not HTTPRoute.handle  # route middleware
        or handler.resolve_guards()
        or handler.resolve_dependencies()
        or handler.resolve_before_request() is not None
        or handler.resolve_after_response() is not None
        or any(getattr(layer, "after_request", None) for layer in handler.ownership_layers)
        or handler.cache
        or handler.resolve_return_dto() is not None
        or handler.resolve_request_class() is not Request
    ):
        return None
    return operation, handler.resolve_exception_handlers()


def check_request_text(request: Request[Any, Any, Any]) -> None:
    """Path IDs, query keys and values (search, filters) reach SQL: refuse what PostgreSQL cannot
    store (NUL, lone surrogates) with the same 400 on both databases, before any storage call."""
    for name, value in request.path_params.items():
        if isinstance(value, str):
            check_text(value, name)
    if not request.scope.get("query_string"):
        return  # nothing to parse (most reads): Litestar's query mapping is not built for it
    for key, value in request.query_params.multi_items():
        check_text(key, key)
        check_text(str(value), key)


async def _optional_hook(hooks: Any, name: str, ctx: Ctx) -> None:
    """Hooks written before `before_transaction`/`after_commit` existed need not define them."""
    method = getattr(hooks, name, None)
    if method is not None:
        await method(ctx)


def lit_path(path: str) -> str:
    """`/buyers/{buyerID}` -> Litestar's `/buyers/{buyerID:str}`; static segments lower-cased."""
    parts = []
    for seg in path.strip("/").split("/"):
        if seg.startswith("{"):
            parts.append("{" + seg.strip("{}") + ":str}")
        else:
            parts.append(seg.lower())
    return "/" + "/".join(parts)
