"""Access tokens are verified once per process (`TokenService.caller`, docs/performance.md "GET
one order"): what may change about a token with time is still decided on every request."""

from __future__ import annotations

import asyncio

import pytest

from app.state import Services
from domain.errors import Unauthorized


async def test_a_verified_token_is_not_verified_again(services: Services) -> None:
    token = await services.tokens.issue({"u": "u1", "usrtype": "admin", "role": ["FullAccess"]}, 60)
    first = await services.tokens.caller(token)
    assert await services.tokens.caller(token) is first
    assert first.has("OrderReader") and first.user_id == "u1"


async def test_a_remembered_token_is_refused_once_it_expires(services: Services) -> None:
    token = await services.tokens.issue({"u": "u1", "usrtype": "admin", "role": ["FullAccess"]}, 1)
    await services.tokens.caller(token)  # verified and remembered
    await asyncio.sleep(1.1)
    with pytest.raises(Unauthorized):
        await services.tokens.caller(token)


async def test_a_token_with_a_changed_claim_is_verified_and_refused(services: Services) -> None:
    token = await services.tokens.issue({"u": "u1", "usrtype": "buyer", "role": ["Shopper"]}, 60)
    await services.tokens.caller(token)
    header, body, signature = token.split(".")
    # The same signature under another body (one character of the claims changed).
    forged = ".".join([header, body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1], signature])
    with pytest.raises(Unauthorized):
        await services.tokens.caller(forged)
