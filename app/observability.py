"""Signals to operate by: a request ID per request, one access-log line per request, metrics.

`Observe` is an ASGI middleware around the Litestar app. For each HTTP request it takes the
caller's `X-Request-ID` when sane (1-128 of `A-Z a-z 0-9 . _ : -`) or makes one, returns it in
the answer's `X-Request-ID`, and keeps it in a context variable for the request's work: outbox
rows written during the request store it, and integration-event and webhook calls send it
(`outbound_request_id_hook`). When the answer is done it writes one access-log line and counts
the request in Prometheus by route template and status.

What a line carries: method, route template (never the raw path: IDs and query values stay out),
status, ErrorCode for errors, duration, user and client ID, request ID. Never tokens, bodies or
query strings.
"""

from __future__ import annotations

import hashlib
import ipaddress
import itertools
import json
import logging
import os
import re
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import httpx

from app import metrics

if TYPE_CHECKING:
    from litestar.types import ASGIApp, Message, Receive, Scope, Send

    from app.config import Settings
    from app.state import Services

REQUEST_ID_HEADER = "X-Request-ID"
_HEADER_LOWER = REQUEST_ID_HEADER.lower().encode()
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
UNMATCHED_ROUTE = "unmatched"
METRICS_PATH = "/metrics"

access_log = logging.getLogger("ordercore.access")
# Libraries that are chatty at INFO (transitions logs every state change) or repeat what the
# access log and the 503 handler already say; their warnings and errors still show.
QUIET_LOGGERS = (
    "transitions",
    "httpx",
    "httpcore",
    "sqlalchemy",
    "asyncio",
    "aiosqlite",
    "asyncpg",
    "alembic",
    "uvicorn.access",
)


@dataclass
class RequestInfo:
    """What the access line says beyond the request itself; filled in as the request runs."""

    request_id: str
    user_id: str | None = None
    client_id: str | None = None
    error_code: str | None = None


_request: ContextVar[RequestInfo | None] = ContextVar("ordercore_request", default=None)
# Also set outside HTTP requests: the webhook worker sets each delivery's original request ID.
_request_id: ContextVar[str | None] = ContextVar("ordercore_request_id", default=None)


def current_request_id() -> str | None:
    return _request_id.get()


def set_request_id(value: str | None) -> None:
    """For work outside a request (a webhook delivery) that continues one."""
    _request_id.set(value)


def note_caller(user_id: str, client_id: str) -> None:
    info = _request.get()
    if info is not None:
        info.user_id, info.client_id = user_id or None, client_id or None


def note_error(code: str) -> None:
    info = _request.get()
    if info is not None:
        info.error_code = code


def sane_request_id(value: str | None) -> str | None:
    return value if value is not None and _SANE_ID.fullmatch(value) else None


# Request IDs: 32 hex digits, unguessable and unique, made without a system call per request.
# `os.urandom` releases the interpreter lock for its `getrandom` call, and under load on SQLite
# the driver's thread takes it then: a lock hand-off per request (docs/performance.md, "GET one
# order, third pass"). A keyed BLAKE2b of a counter, keyed once per process from the system's
# random source, is as unpredictable to whoever has not got the key, and never repeats.
_id_key = os.urandom(32)
_id_counter = itertools.count()


def _rekey() -> None:
    """A forked child starts its own sequence: it must not repeat its parent's IDs."""
    global _id_key, _id_counter
    _id_key, _id_counter = os.urandom(32), itertools.count()


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_rekey)


def new_request_id() -> str:
    return hashlib.blake2b(next(_id_counter).to_bytes(8, "big"), key=_id_key, digest_size=16).hexdigest()


async def outbound_request_id_hook(request: httpx.Request) -> None:
    """httpx request hook: carry the current request ID to merchant middleware and receivers."""
    rid = _request_id.get()
    if rid is not None and REQUEST_ID_HEADER not in request.headers:
        request.headers[REQUEST_ID_HEADER] = rid


# --- logging -------------------------------------------------------------------------------


class RequestIdFilter(logging.Filter):
    """Stamps every record with the request ID of the work it happened in (or None)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class TextFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")


class JsonFormatter(logging.Formatter):
    """One JSON object per line; access lines add their fields at the top level."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        rid = getattr(record, "request_id", None)
        if rid is not None:
            out.setdefault("request_id", rid)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(settings: Settings) -> None:
    """Root handler on stderr in the chosen format; library loggers at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter() if settings.log_format.lower() == "json" else TextFormatter())
    handler.addFilter(RequestIdFilter())
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # uvicorn's own loggers keep their handlers unless told to use the root's.
    for name in ("uvicorn", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers.clear()
        logger.propagate = True


def _access_line(method: str, route: str, status: int, ms: float, info: RequestInfo) -> None:
    if not access_log.isEnabledFor(logging.INFO):
        return
    fields = {
        "method": method,
        "route": route,
        "status": status,
        "error_code": info.error_code,
        "duration_ms": round(ms, 2),
        "user_id": info.user_id,
        "client_id": info.client_id,
        "request_id": info.request_id,
    }
    text = " ".join(f"{k}={'-' if v is None else v}" for k, v in fields.items())
    access_log.info(text, extra={"fields": fields, "request_id": info.request_id})


# --- the middleware ------------------------------------------------------------------------


def _is_loopback(scope: Scope) -> bool:
    client = scope.get("client")
    if not client:
        return False
    try:
        return ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False


class Observe:
    """Request ID, access line and request metrics for every HTTP request; serves /metrics.
    `fold` (app.main.PathFolder) gives the path in the case the routes are registered in, or
    None: done here, in the same pass, rather than in an ASGI layer of its own."""

    def __init__(
        self, app: ASGIApp, services: Services, fold: Callable[[str], str | None] | None = None
    ) -> None:
        self.app = app
        self.services = services
        self.fold = fold

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.fold is not None:
            folded = self.fold(scope["path"])
            if folded is not None:
                scope = {**scope, "path": folded, "raw_path": folded.encode()}  # type: ignore[assignment]
        method: str = scope["method"]  # type: ignore[typeddict-item]  # http, not websocket
        started = time.perf_counter()
        rid = None
        for key, value in scope["headers"]:
            if key == _HEADER_LOWER:
                rid = sane_request_id(value.decode("latin-1"))
                break
        rid = rid or new_request_id()
        info = RequestInfo(rid)
        token_req = _request.set(info)
        token_rid = _request_id.set(rid)
        status = 500
        rid_header = (_HEADER_LOWER, rid.encode())

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), rid_header]
            await send(message)

        route = UNMATCHED_ROUTE
        try:
            if scope["path"] == METRICS_PATH:
                route = METRICS_PATH
                await self._metrics(scope, send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
                route = scope.get("path_template") or UNMATCHED_ROUTE
        finally:
            seconds = time.perf_counter() - started
            metrics.observe_request(method, route, status, seconds)
            _access_line(method, route, status, seconds * 1000.0, info)
            _request.reset(token_req)
            _request_id.reset(token_rid)

    async def _metrics(self, scope: Scope, send: Send) -> None:
        mode = self.services.settings.metrics.lower()
        allowed = mode == "on" or (mode == "loopback" and _is_loopback(scope))
        if not allowed or scope.get("method") not in ("GET", "HEAD"):
            # Like any unknown route: a disabled or closed /metrics does not announce itself.
            body = json.dumps(
                {"Errors": [{"ErrorCode": "NotFound", "Message": "Not found", "Data": None}]}
            ).encode()
            note_error("NotFound")
            await _answer(send, 404, "application/json", body)
            return
        await _answer(send, 200, metrics.CONTENT_TYPE, await metrics.render(self.services))


async def _answer(send: Send, status: int, content_type: str, body: bytes) -> None:
    headers = [(b"content-type", content_type.encode()), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body, "more_body": False})
