"""Signals an operator runs the service by: request IDs, the access-log line, /metrics, quiet
library loggers, and no SQL parameters in error texts (docs/operations.md)."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import sqlite3
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import insert, update

from app.config import Settings
from app.observability import QUIET_LOGGERS, JsonFormatter, configure_logging
from app.state import Services
from app.store.health import is_transient_conflict, is_unavailable
from app.store.repo import Docs
from app.store.tables import resources
from tests.helpers import ADMIN_CLIENT, Api

ACCESS = "ordercore.access"


def access_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == ACCESS]


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one sample in Prometheus text output (0 when absent)."""
    want = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    series = f"{name}{{{want}}}" if want else name
    pattern = re.compile(rf"^{re.escape(series)} (\S+)$", re.M)
    found = pattern.search(text)
    return float(found.group(1)) if found else 0.0


async def metrics_text(api: Api) -> str:
    response = await api.client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return str(response.text)


async def test_a_request_id_is_returned_and_logged_with_the_route_template(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    response = await api.client.get(
        "/v1/buyers/no-such-buyer",
        params={"search": "hunter2-query-secret"},
        headers={"Authorization": f"Bearer {api.admin_token}", "X-Request-ID": "trace-42.a:b_c"},
    )
    assert response.status_code == 404
    assert response.headers["X-Request-ID"] == "trace-42.a:b_c"
    (record,) = access_records(caplog)
    fields: dict[str, Any] = record.fields  # type: ignore[attr-defined]
    assert fields == {
        "method": "GET",
        "route": "/v1/buyers/{buyerID}",
        "status": 404,
        "error_code": "NotFound",
        "duration_ms": fields["duration_ms"],
        "user_id": "admin",
        "client_id": ADMIN_CLIENT,
        "request_id": "trace-42.a:b_c",
    }
    assert isinstance(fields["duration_ms"], float) and fields["duration_ms"] >= 0
    line = record.getMessage()
    assert "route=/v1/buyers/{buyerID}" in line and "error_code=NotFound" in line
    # Neither the raw path's ID, the query value nor the bearer token reaches the line.
    for secret in ("no-such-buyer", "hunter2-query-secret", api.admin_token):
        assert secret not in line
        assert secret not in JsonFormatter().format(record)


@pytest.mark.parametrize("offered", [b"x" * 129, b"has space", b"semi;colon", "ünïcode".encode(), b""])
async def test_an_insane_request_id_is_replaced_by_a_generated_one(api: Api, offered: bytes) -> None:
    response = await api.client.get(
        "/v1/me", headers={"Authorization": f"Bearer {api.admin_token}", "X-Request-ID": offered}
    )
    assert response.status_code == 200
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


async def test_every_request_gets_its_own_id(api: Api) -> None:
    ids = {(await api.get("/me")).headers["X-Request-ID"] for _ in range(3)}
    assert len(ids) == 3


async def test_a_4xx_without_a_token_is_logged_with_its_error_code(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    response = await api.client.get("/v1/buyers")
    assert response.status_code == 401
    (record,) = access_records(caplog)
    fields = record.fields  # type: ignore[attr-defined]
    assert (fields["route"], fields["status"], fields["user_id"]) == ("/v1/buyers", 401, None)
    assert fields["error_code"] == response.json()["Errors"][0]["ErrorCode"]


async def test_an_unknown_path_is_logged_as_unmatched_not_by_its_raw_path(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=ACCESS)
    assert (await api.get("/no/such/route/secret-id")).status_code == 404
    (record,) = access_records(caplog)
    assert record.fields["route"] == "unmatched"  # type: ignore[attr-defined]
    assert "secret-id" not in record.getMessage()


def test_json_log_lines_carry_the_fields_at_the_top_level() -> None:
    record = logging.LogRecord(ACCESS, logging.INFO, __file__, 1, "GET /v1/me 200", None, None)
    record.fields = {"method": "GET", "route": "/v1/me", "status": 200, "request_id": "r1"}
    out = json.loads(JsonFormatter().format(record))
    assert out["level"] == "INFO" and out["logger"] == ACCESS
    assert (out["route"], out["status"], out["request_id"]) == ("/v1/me", 200, "r1")


def test_configured_logging_quiets_library_loggers_and_speaks_json() -> None:
    root = logging.getLogger()
    saved = (list(root.handlers), root.level, {n: logging.getLogger(n).level for n in QUIET_LOGGERS})
    try:
        configure_logging(Settings(log_format="json"))
        assert logging.getLogger("transitions").getEffectiveLevel() == logging.WARNING
        assert logging.getLogger("sqlalchemy.engine").getEffectiveLevel() == logging.WARNING
        assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
        assert isinstance(root.handlers[-1].formatter, JsonFormatter)
        assert logging.getLogger("ordercore.access").isEnabledFor(logging.INFO)
    finally:
        root.handlers[:] = saved[0]
        root.setLevel(saved[1])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


async def test_metrics_count_requests_by_route_template_and_status(api: Api) -> None:
    labels = {"method": "GET", "route": "/v1/buyers/{buyerID}", "status": "404"}
    before = sample(await metrics_text(api), "ordercore_http_requests_total", **labels)
    for n in range(2):
        assert (await api.get(f"/buyers/raw-id-{n}")).status_code == 404
    text = await metrics_text(api)
    assert sample(text, "ordercore_http_requests_total", **labels) == before + 2
    assert sample(text, "ordercore_http_request_duration_seconds_count", **labels) >= before + 2
    # Bounded labels: the raw IDs of the paths never become label values.
    assert "raw-id-" not in text
    assert api.admin_token not in text


async def test_made_up_methods_share_one_label_value(api: Api) -> None:
    for verb in ("BREW", "WHEN"):
        assert (await api.client.request(verb, "/v1/buyers")).status_code in (404, 405)
    text = await metrics_text(api)
    assert "BREW" not in text and "WHEN" not in text
    assert 'method="OTHER"' in text


async def test_metrics_show_outbox_depth_pool_use_and_database_health(api: Api) -> None:
    text = await metrics_text(api)
    assert 'ordercore_outbox_deliveries{status="Pending"} 0.0' in text
    assert 'ordercore_outbox_deliveries{status="Failed"} 0.0' in text
    assert "ordercore_db_up 1.0" in text
    assert 'ordercore_db_pool_connections{state="checked_out"}' in text


async def test_metrics_are_closed_to_remote_callers_by_default_and_can_be_turned_off(
    api: Api, services: Services
) -> None:
    app = api.client._transport.app  # the same app, seen from another host
    remote = httpx.ASGITransport(app=app, client=("203.0.113.9", 4000))
    async with httpx.AsyncClient(transport=remote, base_url="http://testserver") as outsider:
        assert (await outsider.get("/metrics")).status_code == 404
        services.settings = replace(services.settings, metrics="on")
        assert (await outsider.get("/metrics")).status_code == 200
    services.settings = replace(services.settings, metrics="off")
    assert (await api.client.get("/metrics")).status_code == 404


async def test_database_errors_never_quote_statement_parameters(services: Services) -> None:
    """Issue #10 item 7: a failing statement's error (which ends up in logs) carried the row,
    password hash included."""
    row = {"kind": "user", "scope": "", "id": "dup", "doc": {"_PasswordHash": "argon2-SECRET-HASH"}}
    with pytest.raises(Exception) as caught:
        async with services.db.transaction() as conn:
            await conn.execute(insert(resources).values(**row))
            await conn.execute(insert(resources).values(**row))
    assert "argon2-SECRET-HASH" not in str(caught.value)
    assert "argon2-SECRET-HASH" not in repr(caught.value)


def _wrapped(orig: Exception, *, invalidated: bool = False) -> Exception:
    return sa_exc.OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (ConnectionRefusedError(111, "Connect call failed"), True),
        (sa_exc.TimeoutError("QueuePool limit reached"), True),
        (_wrapped(sqlite3.OperationalError("database is locked")), True),
        (_wrapped(RuntimeError("reset by peer"), invalidated=True), True),
        (_wrapped(sqlite3.OperationalError("no such table: resources")), False),
        (sa_exc.IntegrityError("INSERT", {}, sqlite3.IntegrityError("UNIQUE constraint failed")), False),
        (ValueError("a bug"), False),
    ],
)
def test_which_database_errors_mean_unreachable(error: Exception, unavailable: bool) -> None:
    """Unreachable (503, retry later) versus a fault of the statement or the code (500)."""
    assert is_unavailable(error) is unavailable


async def _deadlock_victim(services: Services) -> Exception:
    """Two transactions that each hold a row the other then updates: PostgreSQL fails one."""
    rows = [{"kind": "deadlock-probe", "scope": "", "id": name, "doc": {}} for name in ("a", "b")]
    async with services.db.transaction() as conn:
        await conn.execute(insert(resources).values(rows))
    held = {"a": asyncio.Event(), "b": asyncio.Event()}

    async def bump(conn: Any, name: str) -> None:
        where = (resources.c.kind == "deadlock-probe") & (resources.c.id == name)
        await conn.execute(update(resources).where(where).values(version=resources.c.version + 1))

    async def cross(mine: str, theirs: str) -> None:
        async with services.db.transaction() as conn:
            await bump(conn, mine)
            held[mine].set()
            await held[theirs].wait()
            await bump(conn, theirs)

    outcomes = await asyncio.gather(cross("a", "b"), cross("b", "a"), return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, Exception)]
    assert len(errors) == 1, outcomes
    return errors[0]


async def test_a_deadlock_victim_is_told_to_retry_and_the_database_stays_up(
    api: Api, services: Services, backend_name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A transaction PostgreSQL picked as a deadlock's victim rolled back whole: the caller gets
    503 with Retry-After in the envelope (send it again), not a 500, and nothing is marked down."""
    if backend_name != "postgres":
        pytest.skip("SQLite takes one writer at a time: its writers never deadlock")
    error = await _deadlock_victim(services)
    assert is_transient_conflict(error) and not is_unavailable(error)

    async def lost(*_: Any, **__: Any) -> Any:
        raise error

    monkeypatch.setattr(Docs, "page", lost)
    response = await api.get("/buyers")
    assert response.status_code == 503, response.text
    assert response.headers["Retry-After"] == str(services.settings.db_retry_after)
    [problem] = response.json()["Errors"]
    assert problem["ErrorCode"] == "ServiceUnavailable" and "again" in problem["Message"]
    monkeypatch.undo()
    assert "ordercore_db_up 1.0" in await metrics_text(api)


@pytest.mark.parametrize(
    ("error", "conflict"),
    [
        (_wrapped(type("DeadlockDetectedError", (Exception,), {"sqlstate": "40P01"})()), True),
        (_wrapped(type("SerializationError", (Exception,), {"sqlstate": "40001"})()), True),
        (_wrapped(type("UniqueViolationError", (Exception,), {"sqlstate": "23505"})()), False),
        (_wrapped(sqlite3.OperationalError("database is locked")), False),
    ],
)
def test_which_database_errors_are_a_lost_race(error: Exception, conflict: bool) -> None:
    assert is_transient_conflict(error) is conflict
