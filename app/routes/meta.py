"""What load balancers, OrderCloud's React SDK and humans ask of the server itself: the OpenAPI
document (`/v1/openapi/v3`, `/v1/openapi.json`), the interactive reference (`/v1/docs`), the
environment (`/env`, `/v1/env`), liveness (`/health`) and readiness (`/ready`).

None needs a token: they describe the API, not its data (the document lists operations and roles,
never a secret). `/health` never touches the database; `/ready` does."""

from __future__ import annotations

import asyncio
import html
from functools import cache
from importlib import metadata
from typing import Any

from alembic.script import ScriptDirectory
from litestar import Request, Response, get
from sqlalchemy import text

from app.contract.document import build
from app.migrate import alembic_config
from app.wire import encode

DOCUMENT_KEY = "openapi_document"


def _json(body: Any, status: int = 200) -> Response[bytes]:
    return Response(content=encode(body), status_code=status, media_type="application/json")


def document(request: Request[Any, Any, Any]) -> dict[str, Any]:
    """The app's document, built once per app (routes do not change while it runs)."""
    state = request.app.state
    if DOCUMENT_KEY not in state:
        state[DOCUMENT_KEY] = build(request.app, state.services.settings.base_url)
    doc: dict[str, Any] = state[DOCUMENT_KEY]
    return doc


@get("/openapi/v3", name="GET /openapi/v3")
async def openapi_v3(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _json(document(request))


@get("/openapi.json", name="GET /openapi.json")
async def openapi_json(request: Request[Any, Any, Any]) -> Response[bytes]:
    return _json(document(request))


# Scalar's API reference renders the document; its script comes from the jsDelivr CDN (the page
# needs a network to render, the API and its document do not; see docs/openapi.md).
DOCS_PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ordercore API reference</title>
</head>
<body>
<script id="api-reference" data-url="{url}"></script>
<script src="https://cdn.jsdelivr.net/npm/@scalar/api-reference"></script>
</body>
</html>
"""


@get("/docs", name="GET /docs")
async def docs_page(request: Request[Any, Any, Any]) -> Response[str]:
    url = html.escape(f"{request.app.state.services.settings.base_url}/v1/openapi.json", quote=True)
    return Response(content=DOCS_PAGE.format(url=url), media_type="text/html")


def _version() -> str:
    try:
        return metadata.version("ordercore")
    except metadata.PackageNotFoundError:
        return "unknown"


async def _env(request: Request[Any, Any, Any]) -> Response[bytes]:
    settings = request.app.state.services.settings
    return _json(
        {
            "Environment": settings.environment,
            "BuildNumber": document(request)["info"]["version"],
            "ApiUrl": settings.base_url,
            "AuthUrl": settings.base_url,
            "AppName": "ordercore",
            "Version": _version(),
        }
    )


@get("/env", name="env")
async def env(request: Request[Any, Any, Any]) -> Response[bytes]:
    """At the host root, where OrderCloud serves it and the React SDK asks (`{baseApiUrl}/env`)."""
    return await _env(request)


@get("/health", name="health")
async def health() -> Response[bytes]:
    return _json({"Status": "OK"})


@cache
def _migration_heads() -> frozenset[str]:
    # The scripts shipped with this code: the same for every database, so read them once.
    return frozenset(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())


@get("/ready", name="ready")
async def ready(request: Request[Any, Any, Any]) -> Response[bytes]:
    db = request.app.state.services.db
    try:
        async with asyncio.timeout(5), db.reader() as conn:
            current = {row[0] for row in await conn.execute(text("SELECT version_num FROM alembic_version"))}
    except Exception as exc:  # any failure to reach or read the database means not ready
        detail = f"Database unreachable or not migrated ({type(exc).__name__})"
        return _json({"Status": "Unavailable", "Database": "Error", "Detail": detail}, 503)
    heads = await asyncio.to_thread(_migration_heads)
    if current != heads:
        at = sorted(current) or "no revision"
        detail = f"Database at {at}, code expects {sorted(heads)}: run `ordercore migrate`"
        return _json({"Status": "Unavailable", "Database": "Outdated", "Detail": detail}, 503)
    return _json({"Status": "OK", "Database": "OK", "Detail": None})


ROUTES = [openapi_v3, openapi_json, docs_page]
# Served at the host root, outside /v1 (app.main mounts them there).
ROOT_ROUTES = [env, health, ready]
