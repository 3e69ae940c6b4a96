"""Is the database reachable? Classifies errors as "unreachable" and logs the transitions.

A request that fails because the database cannot be reached is answered 503 (app.errors); the
first such failure logs one line that the database went away, and the first statement that
succeeds afterwards logs one line that it is back. Between the two, each failure logs one line.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections.abc import Iterator

from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

log = logging.getLogger("ordercore.db")

# Words in driver exception class names and messages that mean "the server is not there"
# rather than "this statement is wrong". asyncpg's own classes arrive wrapped by SQLAlchemy.
_UNAVAILABLE_CLASSES = frozenset(
    {
        "CannotConnectNowError",  # PostgreSQL starting up or shutting down
        "AdminShutdownError",
        "CrashShutdownError",
        "ConnectionDoesNotExistError",
        "ConnectionFailureError",
        "ConnectionRejectionError",
        "TooManyConnectionsError",
        "InterfaceError",  # asyncpg: "connection is closed"
        "InternalClientError",
    }
)
_SQLITE_BUSY = ("database is locked", "database is busy")
# SQLSTATEs of a transaction that lost to a concurrent one (deadlock_detected,
# serialization_failure): the database is fine and the same request may succeed when retried.
_CONFLICT_SQLSTATES = frozenset({"40P01", "40001"})


def is_unavailable(exc: BaseException) -> bool:
    """True when `exc` says the database cannot be reached now (retrying later may work)."""
    return any(_unavailable_one(cause) for cause in _causes(exc))


def is_transient_conflict(exc: BaseException) -> bool:
    """True when `exc` says the transaction lost to a concurrent one (PostgreSQL chose it as a
    deadlock's victim, or could not serialize it): a retry may succeed, nothing is down."""
    return any(getattr(cause, "sqlstate", None) in _CONFLICT_SQLSTATES for cause in _causes(exc))


def _causes(exc: BaseException) -> Iterator[BaseException]:
    """`exc` and what it wraps: SQLAlchemy's `orig` (the adapter's error), then each `__cause__`
    (the driver's own), each once."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = getattr(current, "orig", None) or current.__cause__


def cause_name(exc: BaseException) -> str:
    """The driver's exception class (`ConnectionRefusedError`, `CannotConnectNowError`), not
    SQLAlchemy's wrapper: a name for a log line that quotes nothing of the statement."""
    return type(getattr(exc, "orig", None) or exc).__name__


def _unavailable_one(exc: BaseException) -> bool:
    if isinstance(exc, PoolTimeout):  # every pooled connection busy past pool_timeout
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, (ConnectionError, TimeoutError, asyncio.TimeoutError)):
        return True
    if isinstance(exc, OSError) and exc.errno is not None:  # unreachable host, no route, ...
        return True
    if isinstance(exc, sqlite3.OperationalError):
        return any(text in str(exc).lower() for text in _SQLITE_BUSY)
    return type(exc).__name__ in _UNAVAILABLE_CLASSES


class Health:
    """Up/down state of one process's database, for the two transition log lines."""

    def __init__(self) -> None:
        self.up = True
        self._lock = threading.Lock()

    def mark_down(self, exc: BaseException) -> None:
        with self._lock:
            was_up, self.up = self.up, False
        if was_up:
            log.error("database unreachable (%s); answering 503 until it is back", cause_name(exc))

    def mark_up(self) -> None:
        with self._lock:
            was_down, self.up = not self.up, True
        if was_down:
            log.warning("database reachable again")


HEALTH = Health()


def mark_down(exc: BaseException) -> None:
    HEALTH.mark_down(exc)


def log_failure(logger: logging.Logger, what: str, exc: BaseException) -> None:
    """For background work that fails: an unreachable database is logged once, when it goes
    away, not with a traceback on every retry; anything else keeps its traceback."""
    if is_unavailable(exc):
        mark_down(exc)
        logger.debug("%s (database unavailable: %s)", what, cause_name(exc))
    else:
        logger.error("%s", what, exc_info=exc)
