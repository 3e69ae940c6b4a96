"""Fixtures for API tests of orders, carts and payments."""

from __future__ import annotations

import pytest

from tests.api.order_fixtures import World, make_world
from tests.helpers import Api


@pytest.fixture
async def world(api: Api) -> World:
    return await make_world(api)
