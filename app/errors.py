"""The one place where errors become HTTP responses in OrderCloud's envelope:
`{"Errors": [{"ErrorCode", "Message", "Data"}]}`."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from sqlalchemy.exc import IntegrityError

from app.wire import encode
from domain.errors import DomainError

log = logging.getLogger("ordercore")


def envelope(status: int, code: str, message: str, data: Any = None, **extra: Any) -> Response[bytes]:
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


def server_error(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return envelope(500, "ServerError", "An unexpected error occurred", None)


EXCEPTION_HANDLERS: dict[Any, Any] = {
    DomainError: domain_error,
    HTTPException: http_error,
    IntegrityError: integrity_error,
    Exception: server_error,
}
