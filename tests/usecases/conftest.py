"""Use-case tests: service functions called directly in an `app.unit.WorkUnit` over the real
database (SQLite and PostgreSQL, as the API tests), no HTTP on the path under test. The
marketplace's master data (buyers, suppliers, users, products, approval rules) is arranged
with the shared API fixtures; each step of the use case then runs in its own unit of work, as
an endpoint, the webhook worker or the CLI would run it."""

from __future__ import annotations

import pytest

from tests.api.order_fixtures import World, make_world
from tests.helpers import Api


@pytest.fixture
async def world(api: Api) -> World:
    return await make_world(api)
