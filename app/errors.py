"""The one place where errors become HTTP responses in OrderCloud's envelope:
`{"Errors": [{"ErrorCode", "Message", "Data"}]}`."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from sqlalchemy.exc import IntegrityError

from app import metrics
from app.observability import note_error
from app.store.health import cause_name, is_transient_conflict, is_unavailable, mark_down
from app.wire import encode
from domain.errors import DomainError

log = logging.getLogger("ordercore")
SERVICE_UNAVAILABLE = "ServiceUnavailable"


def envelope(status: int, code: str, message: str, data: Any = None, **extra: Any) -> Response[bytes]:
    note_error(code)  # for the access-log line
    body = {"Errors": [{"ErrorCode": code, "Message": message, "Data": data}], **extra}
    return Response(content=encode(body), status_code=status, media_type="application/json")


def domain_error(_: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    extra = getattr(exc, "extra", None) or {}
    return envelope(exc.status, exc.code, exc.message, exc.data, **extra)


def http_error(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if isinstance(exc, NotFoundException):
        return envelope(
            404,
            "NotFound",
            f"No route matches {request.method} {request.url.path}",
            {"ObjectType": "Route", "ObjectID": request.url.path},
        )
    if isinstance(exc, ValidationException):
        return envelope(400, "ValidationFailure", str(exc.detail), exc.extra)
    if exc.status_code == 405:
        return envelope(405, "MethodNotAllowed", f"{request.method} is not allowed on {request.url.path}")
    return envelope(exc.status_code, "HttpError", str(exc.detail))


def integrity_error(_: Request[Any, Any, Any], exc: IntegrityError) -> Response[bytes]:
    # A unique constraint lost a race with a concurrent insert of the same key.
    return envelope(409, "IdExists", "An object with this ID already exists", None)


def database_unavailable(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The database could not be reached (refused, reset, shutting down, pool exhausted, SQLite
    locked past its busy timeout): 503 with Retry-After, one log line, no traceback (nothing the
    traceback shows helps, and exception texts may quote statements)."""
    mark_down(exc)
    metrics.DB_UNAVAILABLE.inc()
    route = request.scope.get("path_template") or "unmatched"
    log.warning("database unavailable: %s %s answered 503 (%s)", request.method, route, cause_name(exc))
    retry_after = str(request.app.state.services.settings.db_retry_after)
    response = envelope(
        503,
        SERVICE_UNAVAILABLE,
        "The service cannot reach its database right now; retry after the time in Retry-After",
        None,
    )
    response.headers["Retry-After"] = retry_after
    return response


def transient_conflict(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """The transaction lost to a concurrent one (a deadlock's victim, a serialization failure):
    it rolled back whole, so the same request can simply be sent again. 503 with Retry-After, as
    for an unreachable database, but the database is not marked down."""
    route = request.scope.get("path_template") or "unmatched"
    log.warning("concurrent write conflict: %s %s answered 503 (%s)", request.method, route, cause_name(exc))
    response = envelope(
        503,
        SERVICE_UNAVAILABLE,
        "The request met a concurrent change to the same data and was undone; send it again",
        None,
    )
    response.headers["Retry-After"] = str(request.app.state.services.settings.db_retry_after)
    return response


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    if is_unavailable(exc):
        return database_unavailable(request, exc)
    if is_transient_conflict(exc):
        return transient_conflict(request, exc)
    # SQL parameters never reach this line: the engine hides them (app.store.db).
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return envelope(500, "ServerError", "An unexpected error occurred", None)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    HTTPException: http_error,
    IntegrityError: integrity_error,
    Exception: server_error,
}
