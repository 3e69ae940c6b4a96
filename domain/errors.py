"""One small hierarchy of domain errors, each carrying an OrderCloud ErrorCode and Data.

`app/errors.py` maps these to HTTP statuses and the `{"Errors": [...]}` envelope in one place.
"""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A refused request. `status` is the HTTP status the app layer answers with."""

    status = 400
    default_code = "ValidationFailure"

    def __init__(self, message: str, code: str | None = None, data: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.data = data


class ValidationFailed(DomainError):
    status = 400
    default_code = "ValidationFailure"


class InvalidTransition(DomainError):
    """A status change the order's current state does not allow."""

    status = 400
    default_code = "Order.CannotSubmitBadStatus"


class Conflict(DomainError):
    status = 409
    default_code = "IdExists"


class Forbidden(DomainError):
    status = 403
    default_code = "Auth.InsufficientRoles"


class Unauthorized(DomainError):
    status = 401
    default_code = "InvalidToken"


class NotFound(DomainError):
    status = 404
    default_code = "NotFound"

    def __init__(self, object_type: str, object_id: str | None, message: str | None = None) -> None:
        super().__init__(
            message or f"{object_type} not found: {object_id}",
            "NotFound",
            {"ObjectType": object_type, "ObjectID": object_id},
        )
