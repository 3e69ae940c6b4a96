"""Prometheus metrics (prometheus-client), served at `GET /metrics` by `app.observability`.

Labels are bounded: route templates (`/v1/buyers/{buyerID}`, never a raw path), methods, status
codes, event names and error names from fixed sets; no IDs, tokens or URLs.

Several processes (`ordercore serve` workers, `ordercore worker`): set `PROMETHEUS_MULTIPROC_DIR`
to an empty directory shared by them before they start; each process then writes its samples
there and any process's `/metrics` answers for all of them (docs/operations.md).
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    generate_latest,
)
from sqlalchemy import func, select

from app.store.tables import outbox

if TYPE_CHECKING:
    from app.state import Services

CONTENT_TYPE = CONTENT_TYPE_LATEST
# `*_created` series double the output and tell an operator nothing here.
disable_created_metrics()
# Requests are mostly a few ms; checkout with integration events can take seconds.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

HTTP_REQUESTS = Counter("ordercore_http_requests", "HTTP requests answered", ("method", "route", "status"))
HTTP_LATENCY = Histogram(
    "ordercore_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ("method", "route", "status"),
    buckets=_LATENCY_BUCKETS,
)
WEBHOOK_DELIVERIES = Counter(
    "ordercore_webhook_deliveries",
    "Webhook delivery attempts by outcome (Delivered, Retry, Failed)",
    ("outcome",),
)
WEBHOOK_FLUSHES = Counter(
    "ordercore_webhook_flushed_deliveries",
    "Deliveries made due early because their endpoint answered again",
)
INTEGRATION_LATENCY = Histogram(
    "ordercore_integration_event_duration_seconds",
    "Time of integration-event calls to merchant middleware",
    ("event",),
    buckets=_LATENCY_BUCKETS,
)
INTEGRATION_FAILURES = Counter(
    "ordercore_integration_event_failures",
    "Integration-event calls that failed, by event and error code",
    ("event", "error"),
)
DB_UNAVAILABLE = Counter(
    "ordercore_db_unavailable", "Requests answered 503 because the database was unreachable"
)
# Read from the database and the pool when /metrics is scraped; the same value in every process.
OUTBOX_DEPTH = Gauge(
    "ordercore_outbox_deliveries",
    "Webhook deliveries in the outbox by status (Pending, Failed)",
    ("status",),
    multiprocess_mode="max",
)
DB_POOL = Gauge(
    "ordercore_db_pool_connections",
    "Database pool connections by state (checked_out, idle, overflow, size)",
    ("state",),
    multiprocess_mode="livesum",
)
DB_UP = Gauge(
    "ordercore_db_up", "1 when the database answered the last scrape, else 0", multiprocess_mode="min"
)

# Integration-event paths are a fixed set; anything else is counted as "other".
INTEGRATION_EVENTS = frozenset(
    {"shippingrates", "ordercalculate", "ordersubmit", "ordersubmitforapproval", "orderapproved"}
)


def event_label(path: str) -> str:
    name = path.strip("/").lower()
    return name if name in INTEGRATION_EVENTS else "other"


# Labelled children by (method, route, status): `labels()` costs more than the update itself, and
# the key set is bounded by the routes, so looking each pair up once keeps a request cheap.
_request_series: dict[tuple[str, str, int], tuple[Any, Any]] = {}


# A client may send any method token; only these become label values (cardinality stays bounded).
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    if method not in _METHODS:
        method = "OTHER"
    key = (method, route, status)
    series = _request_series.get(key)
    if series is None:
        code = str(status)
        series = (HTTP_REQUESTS.labels(method, route, code), HTTP_LATENCY.labels(method, route, code))
        _request_series[key] = series
    series[0].inc()
    series[1].observe(seconds)


def observe_integration_event(path: str, seconds: float, error_code: str | None) -> None:
    event = event_label(path)
    INTEGRATION_LATENCY.labels(event).observe(seconds)
    if error_code is not None:
        INTEGRATION_FAILURES.labels(event, error_code).inc()


async def _sample_database(services: Services) -> None:
    """Outbox depth and pool use, read when scraped (cheap: the due index covers the count)."""
    pool: Any = services.db.engine.pool
    for state, reader in (
        ("checked_out", "checkedout"),
        ("idle", "checkedin"),
        ("overflow", "overflow"),
        ("size", "size"),
    ):
        method = getattr(pool, reader, None)
        if method is not None:
            DB_POOL.labels(state).set(max(0, int(method())))
    try:
        async with services.db.reader() as conn:
            stmt = (
                select(outbox.c.status, func.count())
                .where(outbox.c.status.in_(("Pending", "Failed")))
                .group_by(outbox.c.status)
            )
            counts = {str(status): int(n) for status, n in await conn.execute(stmt)}
    except Exception:  # the database being down is itself a signal, not an error of /metrics
        DB_UP.set(0)
        return
    DB_UP.set(1)
    for status in ("Pending", "Failed"):
        OUTBOX_DEPTH.labels(status).set(counts.get(status, 0))


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    from prometheus_client import multiprocess

    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


async def render(services: Services) -> bytes:
    await _sample_database(services)
    return generate_latest(_registry())
