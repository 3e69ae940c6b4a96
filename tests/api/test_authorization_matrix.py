"""The permanent authorization matrix (issue #10): every route the app registers, called by every
kind of principal, against one small marketplace. The table is `tests/api/authz_table.py`; the
marketplace and principals are `tests/api/authz_market.py`; docs/security.md explains the model.

A denied cell answers 401/403/404 in OrderCloud's error envelope and changes nothing; a read a
company is denied on another company's object answers exactly what a missing ID answers (no
existence leak). An allowed cell answers 2xx (see `ok="auth"` in the table) with no object of a
company the principal has no business with. No answer to anyone but a FullAccess caller carries a
secret, and no answer carries a bearer token unless the route exists to hand one out.

The marketplace is built once per database; a cell that changed something (a 2xx write) puts the
database back to the built state before the next cell runs."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, insert, select

from app.routes import all_routes
from app.store.db import Database
from app.store.tables import delivery_attempts, outbox, resources
from tests.api.authz_market import PRINCIPALS, SECRET, Market, build_market
from tests.api.authz_table import ROWS, Row, render_markdown
from tests.conftest import ADMIN_PASSWORD, BACKENDS, Backend, _get_backend
from tests.helpers import Api

TABLES = (resources, outbox, delivery_attempts)
JWT = re.compile(r"eyJ[\w-]+\.eyJ[\w-]+\.")
DENIED = (401, 403, 404)
# Principals who belong to another company than the objects the rows name.
OUTSIDERS = ("userB", "supT")


class Snapshot:
    """The built marketplace, row for row, to put back after a cell wrote something."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = {}

    async def take(self, db: Database) -> None:
        async with db.reader() as conn:
            for table in TABLES:
                self.rows[table.name] = [dict(r._mapping) for r in await conn.execute(select(table))]

    async def restore(self, db: Database) -> None:
        async with db.transaction() as conn:
            for table in TABLES:
                await conn.execute(delete(table))
                if self.rows[table.name]:
                    await conn.execute(insert(table), self.rows[table.name])


async def fingerprint(db: Database) -> tuple[Any, ...]:
    """What a refused write must leave untouched: any insert, update or delete of a document moves
    one of these (row count, the sum of versions, the highest row key), and so does a queued
    webhook delivery."""
    async with db.reader() as conn:
        docs = (
            await conn.execute(select(func.count(), func.sum(resources.c.version), func.max(resources.c.pk)))
        ).one()
        queued = (await conn.execute(select(func.count()).select_from(outbox))).scalar_one()
    return (*docs, queued)


@pytest.fixture(scope="module", params=BACKENDS)
async def market(
    request: pytest.FixtureRequest, _backends: dict[str, Backend], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[tuple[Market, Snapshot]]:
    backend = await _get_backend(request.param, _backends, tmp_path_factory.getbasetemp())
    services = backend.services()
    await backend.reset(services.db)
    for start in services.extras.get("on_startup", []):
        await start(services)
    try:
        transport = httpx.ASGITransport(app=backend.app())
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            api = Api(client, services)
            await api.login_admin(ADMIN_PASSWORD)
            built = await build_market(api)
            snapshot = Snapshot()
            await snapshot.take(services.db)
            yield built, snapshot
    finally:
        for stop in services.extras.get("on_shutdown", []):
            await stop(services)


def _cells() -> Iterator[Any]:
    for r in ROWS:
        for name in PRINCIPALS:
            if (r.only_for is not None or PRINCIPALS[name].stale) and name not in (r.only_for or ()):
                continue
            marks = []
            if name in r.xfail:
                marks.append(pytest.mark.xfail(strict=True, reason=r.xfail[name]))
            yield pytest.param(r, name, id=f"{r.id} {name}", marks=marks)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield str(k)
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


async def _send(market: Market, r: Row, principal: str, path: str) -> httpx.Response:
    token = market.token(principal)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    url = path if path.startswith(("/oauth", "/ocrp")) else "/v1" + path
    kwargs: dict[str, Any] = {"headers": headers, "params": dict(r.query)}
    if r.body is not None:
        kwargs["json"] = r.body
    return await market.api.client.request(r.method, url, **kwargs)


def _missing_twin(path: str) -> str | None:
    """The same path with its last company-owned ID replaced by one that does not exist."""
    parts = path.split("/")
    for i in range(len(parts) - 1, -1, -1):
        if re.fullmatch(r"(bA|sS)(-.*)?", parts[i]):
            parts[i] = "zz-missing"
            return "/".join(parts)
    return None


def _error_envelope(response: httpx.Response) -> dict[str, Any]:
    body = response.json()
    assert isinstance(body, dict) and body.get("Errors"), response.text
    error = body["Errors"][0]
    assert {"ErrorCode", "Message"} <= set(error), response.text
    return dict(error)


@pytest.mark.parametrize(("r", "principal"), list(_cells()))
async def test_cell(market: tuple[Market, Snapshot], r: Row, principal: str) -> None:
    built, snapshot = market
    p = PRINCIPALS[principal]
    db = built.api.services.db
    path = r.path_for(p, built.refs)
    before = await fingerprint(db) if r.method != "GET" else None
    response = await _send(built, r, principal, path)
    try:
        assert response.status_code < 500, f"{response.status_code} {response.text}"
        text = response.text
        if principal != "admin":
            assert SECRET not in text, f"a secret reached {principal}: {text[:300]}"
        if not r.tokens_ok:
            assert not JWT.search(text), f"a bearer token in the answer: {text[:300]}"
        if r.expects_allow(p):
            _check_allowed(r, p.foreign, response)
        else:
            await _check_denied(built, r, principal, path, response)
            if before is not None:
                assert await fingerprint(db) == before, "a refused write changed something"
    finally:
        if r.method != "GET" and response.status_code < 300:
            await snapshot.restore(db)


def _check_allowed(r: Row, foreign: tuple[str, ...], response: httpx.Response) -> None:
    if r.ok == "2xx":
        assert 200 <= response.status_code < 300, (
            f"expected allowed, got {response.status_code} {response.text}"
        )
    else:
        assert response.status_code not in DENIED, (
            f"expected allowed, got {response.status_code} {response.text}"
        )
    if response.content and foreign:
        try:
            body = response.json()
        except json.JSONDecodeError:
            return
        leaked = sorted({s for s in _strings(body) if s.startswith(foreign)})
        assert not leaked, f"objects of another company in the answer: {leaked[:5]}"


async def _check_denied(market: Market, r: Row, principal: str, path: str, response: httpx.Response) -> None:
    error = _error_envelope(response) if response.status_code >= 400 else {}
    refused = response.status_code in DENIED or error.get("ErrorCode") in r.deny_codes
    assert refused, f"expected denied, got {response.status_code} {response.text}"
    if principal in OUTSIDERS and r.method == "GET":
        twin = _missing_twin(path)
        if twin is not None:
            other = await _send(market, r, principal, twin)
            assert (other.status_code, _error_envelope(other)["ErrorCode"]) == (
                response.status_code,
                error["ErrorCode"],
            ), f"another company's object answers unlike a missing one: {twin} -> {other.status_code}"


def _route_keys() -> set[str]:
    keys = set()
    for handler in all_routes():
        for path in handler.paths:
            clean = re.sub(r"\{(\w+):\w+\}", r"{\1}", path)
            for method in handler.http_methods:
                if method not in ("HEAD", "OPTIONS"):
                    keys.add(f"{method} {clean}")
    return keys


def test_every_route_has_a_row() -> None:
    """A new route must say who may call it: add its rows to tests/api/authz_table.py."""
    rows = {r.key for r in ROWS}
    missing = sorted(_route_keys() - rows)
    assert not missing, "routes without a row in the authorization matrix:\n" + "\n".join(missing)
    stale = sorted(rows - _route_keys())
    assert not stale, "rows for routes the app does not register:\n" + "\n".join(stale)


def test_docs_show_the_matrix() -> None:
    """docs/security.md shows the table the cells run (regenerate: python -m tests.api.authz_table)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text(encoding="utf-8")
    block = text.split("<!-- matrix:begin -->\n", 1)[1].split("<!-- matrix:end -->", 1)[0]
    assert block == render_markdown(), "docs/security.md is out of date with tests/api/authz_table.py"
