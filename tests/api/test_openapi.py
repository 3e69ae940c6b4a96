"""ordercore's own OpenAPI document (`/v1/openapi/v3`, `/v1/openapi.json`), the reference page,
`/env`, `/health` and `/ready`: what OrderCloud's React SDK, load balancers and people rely on."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate
from sqlalchemy import text

from app.config import Settings
from app.contract.document import OFFICIAL_FILE, build, served_operations, shape
from app.main import create_app
from app.migrate import migrate
from tests.conftest import Backend
from tests.helpers import Api

OPERATIONS = ("get", "post", "put", "patch", "delete")


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (verb.upper(), path, op)
        for path, item in doc["paths"].items()
        for verb, op in item.items()
        if verb in OPERATIONS
    ]


async def _document(api: Api) -> dict[str, Any]:
    r = await api.client.get("/v1/openapi/v3")
    assert r.status_code == 200, r.text
    doc: dict[str, Any] = r.json()
    return doc


async def test_document_is_valid_openapi_3_and_served_at_both_urls(api: Api) -> None:
    doc = await _document(api)
    validate(doc)  # raises on any OpenAPI 3.0 violation
    assert doc["openapi"].startswith("3.0")
    other = await api.client.get("/v1/openapi.json")
    assert other.json() == doc


async def test_every_registered_route_is_described_with_a_unique_operation_id(
    api: Api, services: Any, backend_name: str, _backends: dict[str, Backend]
) -> None:
    doc = await _document(api)
    described = {(verb, shape(path)) for verb, path, _ in _operations(doc)}
    served = served_operations(_backends[backend_name].app())
    assert len(served) > 300
    for op in served:
        assert (op.verb, shape(op.relative)) in described, f"{op.verb} {op.path} missing from the document"
    ops = _operations(doc)
    assert len(ops) == len(served), "the document lists an operation ordercore does not serve"
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids))
    undescribed = [i for _, _, op in ops if op.get("x-ordercore-undescribed") for i in [op["operationId"]]]
    assert undescribed == [], "describe these in app.contract.extensions"


async def test_orderclouds_operations_keep_their_ids_tags_roles_and_schemas(api: Api) -> None:
    doc = await _document(api)
    with gzip.open(OFFICIAL_FILE, "rt", encoding="utf-8") as fh:
        official = json.load(fh)
    get_order = doc["paths"]["/orders/{direction}/{orderID}"]["get"]
    assert get_order == official["paths"]["/orders/{direction}/{orderID}"]["get"]
    assert get_order["operationId"] == "Orders.Get"
    assert get_order["tags"] == ["Orders"]
    assert set(get_order["security"][0]["OAuth2"]) >= {"OrderAdmin", "OrderReader", "Shopper"}
    assert doc["components"]["schemas"]["Order"] == official["components"]["schemas"]["Order"]
    # The React SDK keys operations by these IDs to decide what a page may do.
    ids = {op["operationId"] for _, _, op in _operations(doc)}
    assert {"Orders.List", "Products.Create", "Buyers.List", "Users.List", "Catalogs.List", "Cart.Get"} <= ids


async def test_version_is_four_part_and_env_reports_it_as_build_number(api: Api) -> None:
    doc = await _document(api)
    version = doc["info"]["version"]
    parts = version.split(".")
    assert len(parts) == 4 and all(p.isdigit() for p in parts)
    assert parts[:3] == ["1", "0", "239"]
    assert doc["servers"][0]["url"] == "http://testserver/v1"
    env = await api.client.get("/env")
    assert env.status_code == 200
    body = env.json()
    assert body["BuildNumber"] == version
    assert body["ApiUrl"] == "http://testserver"
    assert body["Environment"] == "Production"


async def test_extensions_and_sdk_only_operations_are_marked(api: Api) -> None:
    doc = await _document(api)
    channels = doc["paths"]["/channels/orders"]["get"]
    assert channels["x-ordercore-extension"] is True
    assert channels["operationId"] == "Channels.ListOrders"
    deliveries = doc["paths"]["/webhooks/{webhookID}/deliveries"]["get"]
    assert deliveries["x-ordercore-extension"] is True
    cart = doc["paths"]["/cart/lineitems"]["post"]
    assert cart["operationId"] == "Cart.CreateLineItem"
    assert "x-ordercore-extension" not in cart
    assert cart["security"] == [{"OAuth2": ["Shopper"]}]
    assert doc["paths"]["/orders/{direction}/{orderID}"]["get"].get("x-ordercore-extension") is None
    # Root routes say they are served outside /v1.
    assert doc["paths"]["/health"]["servers"] == [{"url": "http://testserver"}]
    # ordercore's own model schemas never shadow OrderCloud's.
    unified = doc["components"]["schemas"]["ordercore.UnifiedOrder"]
    assert unified["properties"]["Total"] == {"type": "number"}


async def test_docs_page_renders_the_document(api: Api) -> None:
    r = await api.client.get("/v1/docs")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert 'data-url="http://testserver/v1/openapi.json"' in r.text


async def test_health_and_ready_on_a_migrated_database(api: Api) -> None:
    health = await api.client.get("/health")
    assert (health.status_code, health.json()["Status"]) == (200, "OK")
    ready = await api.client.get("/ready")
    assert ready.status_code == 200, ready.text
    assert ready.json()["Database"] == "OK"


async def _get(settings: Settings, path: str) -> httpx.Response:
    app = create_app(settings)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:
            return await client.get(path)
    finally:
        await app.state.services.db.dispose()


@pytest.mark.parametrize("backend_name", ["none"])
async def test_unreachable_database_is_not_ready_but_process_is_healthy(backend_name: str) -> None:
    # Port 1 refuses connections: the process runs, its database does not answer.
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:1/none", webhook_worker=False)
    assert (await _get(settings, "/health")).status_code == 200
    ready = await _get(settings, "/ready")
    assert ready.status_code == 503
    assert ready.json()["Database"] == "Error"
    assert "nobody" not in ready.text  # no connection details in the answer


@pytest.mark.parametrize("backend_name", ["none"])
async def test_database_behind_the_code_is_not_ready(backend_name: str, tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}", webhook_worker=False)
    never_migrated = await _get(settings, "/ready")
    assert never_migrated.status_code == 503
    await asyncio.to_thread(migrate, settings.database_url)
    assert (await _get(settings, "/ready")).status_code == 200
    app = create_app(settings)
    async with app.state.services.db.transaction() as conn:
        await conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    await app.state.services.db.dispose()
    outdated = await _get(settings, "/ready")
    assert outdated.status_code == 503
    assert outdated.json()["Database"] == "Outdated"


async def test_build_number_names_the_contract_not_the_host(
    services: Any, backend_name: str, _backends: dict[str, Backend]
) -> None:
    app = _backends[backend_name].app()
    here, there = build(app, "http://a.example"), build(app, "https://b.example:8443")
    assert here["info"]["version"] == there["info"]["version"]
    assert here["servers"] != there["servers"]
