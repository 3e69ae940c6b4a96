"""BigCommerce webhooks (docs/channels.md, "BigCommerce webhooks"): authenticated by the custom
header they were registered with, and imported by calling the store's API back, here a store
served on loopback by the test."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.api.bigcommerce_store import TOKEN, Store, sample_order, serve
from tests.api.fulfilment_fixtures import SELLER_ROLES, setup_market
from tests.api.order_fixtures import World
from tests.helpers import error_code

SECRET = "bc-hook-secret-1"
HEADER = "X-Store-Secret"


@pytest.fixture
async def store() -> AsyncIterator[Store]:
    made = Store()
    runner = await serve(made)
    try:
        yield made
    finally:
        await runner.cleanup()


def event(order_id: Any = 118, scope: str = "store/order/created") -> bytes:
    return json.dumps(
        {
            "scope": scope,
            "store_id": "1025646",
            "data": {"type": "order", "id": order_id},
            "hash": "352e4afc6dd3fc85ea26bfdf3f91852604d57528",
            "created_at": 1561482670,
            "producer": "stores/abc123",
        }
    ).encode()


async def deliver(world: World, body: bytes, secret: str | None = SECRET) -> Any:
    headers = {"Content-Type": "application/json", **({HEADER: secret} if secret is not None else {})}
    return await world.api.client.request(
        "POST", "/v1/channels/bigcommerce/webhook", content=body, headers=headers
    )


def settings(store: Store, **changes: Any) -> dict[str, Any]:
    return {
        "BuyerID": "b1",
        "AsOrder": True,
        "WebhookSecret": SECRET,
        "WebhookHeader": HEADER,
        "ApiUrl": store.base,
        "ApiToken": TOKEN,
        **changes,
    }


async def configure(world: World, store: Store, seller: str) -> None:
    await setup_market(world)
    shown = await world.api.ok("PUT", "/channels/bigcommerce/settings", settings(store), token=seller)
    assert shown == {
        "Channel": "bigcommerce",
        "AsOrder": True,
        "BuyerID": "b1",
        "WebhookSecretSet": True,
        "ApiUrl": store.base,
        "ApiTokenSet": True,
        "WebhookHeader": HEADER,
    }
    mappings = [{"SKU": "TOWEL-BEIGE", "ProductID": "p1"}, {"SKU": "OTS", "ProductID": "p3"}]
    await world.api.ok("POST", "/channels/bigcommerce/skumap", mappings, token=seller, status=201)


async def test_settings_keep_the_token_secret(world: World, store: Store) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, store, seller)
    # A PUT without the token keeps it; no answer ever shows it.
    kept = await api.put(
        "/channels/bigcommerce/settings", {"ApiUrl": store.base, "BuyerID": "b1"}, token=seller
    )
    assert kept.status_code == 200 and kept.json()["ApiTokenSet"] is True
    read = await api.get("/channels/bigcommerce/settings", token=seller)
    assert TOKEN not in read.text and SECRET not in read.text and TOKEN not in kept.text
    # The API settings belong to BigCommerce; a URL the outbound policy refuses is refused.
    other = await api.put("/channels/shopify/settings", {"ApiUrl": store.base}, token=seller)
    assert other.status_code == 400 and other.json()["Errors"][0]["Data"] == {"Field": "ApiUrl"}
    metadata = await api.put(
        "/channels/bigcommerce/settings", {"ApiUrl": "http://169.254.169.254/x"}, token=seller
    )
    assert metadata.status_code == 400 and metadata.json()["Errors"][0]["Data"] == {"Field": "ApiUrl"}


async def test_webhook_fetches_the_order_and_imports_it(world: World, store: Store) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, store, seller)
    store.orders[118] = sample_order(118)

    # Without the registered header's secret: 401, and the store is never called.
    for secret in (None, "wrong-secret", SECRET + "x"):
        refused = await deliver(world, event(), secret)
        assert refused.status_code == 401 and error_code(refused) == "Channels.InvalidSignature"
    assert store.requests == []
    # Other events are acknowledged without a call.
    ignored = await deliver(world, event(scope="store/product/updated"))
    assert ignored.status_code == 200 and ignored.json() == {"Channel": "bigcommerce", "Ignored": True}
    assert store.requests == []

    # While the store answers, the import holds no transaction: another write goes through
    # (with SQLite's single writer it would wait for ever otherwise).
    async def concurrent_write() -> None:
        await asyncio.wait_for(
            api.ok("PUT", "/channels/shopify/settings", {"BuyerID": "b1"}, token=seller), timeout=10
        )

    store.during = concurrent_write
    made = await deliver(world, event())
    assert made.status_code == 201, made.text
    assert (made.json()["ID"], made.json()["FinancialStatus"]) == ("bigcommerce-118", "paid")
    paths = [path for path, _ in store.requests]
    assert paths == [
        "/stores/abc123/v2/orders/118",
        "/stores/abc123/v2/orders/118/products",
        "/stores/abc123/v2/orders/118/shipping_addresses",
    ]
    assert {token for _, token in store.requests} == {TOKEN}
    order = await api.ok("GET", "/orders/Incoming/bigcommerce-118", token=seller)
    assert order["Status"] == "Open" and order["FromUser"]["Email"] == "jane@example.com"
    common = await api.ok("GET", "/channels/orders/bigcommerce/118", token=seller)
    assert common["ShippingMethod"] == "Flat Rate" and common["ShippingAddress"] is not None

    # statusUpdated: the store says it was cancelled; the same order changes, none is added.
    store.during = None
    store.orders[118] = sample_order(
        118, status_id=5, status="Cancelled", date_modified="Wed, 06 Mar 2024 09:00:00 +0000"
    )
    updated = await deliver(world, event("118", "store/order/statusUpdated"))
    assert updated.status_code == 200 and updated.json()["Status"] == "canceled"
    assert (await api.ok("GET", "/orders/Incoming/bigcommerce-118", token=seller))["Status"] == "Canceled"
    assert len((await api.ok("GET", "/channels/orders?Channel=bigcommerce", token=seller))["Items"]) == 1


async def test_upstream_failure_is_a_502_and_writes_nothing(
    world: World, store: Store, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, store, seller)
    store.failing.add(119)
    failed = await deliver(world, event(119))
    assert failed.status_code == 502 and error_code(failed) == "Channels.UpstreamFailed"
    assert failed.json()["Errors"][0]["Data"]["UpstreamStatus"] == 500
    assert TOKEN not in failed.text
    # Unknown to the store (404) and a store that refuses the token: 502 too.
    missing = await deliver(world, event(120))
    assert missing.status_code == 502 and missing.json()["Errors"][0]["Data"]["UpstreamStatus"] == 404
    await api.ok(
        "PUT", "/channels/bigcommerce/settings", settings(store, ApiToken="stale-token"), token=seller
    )
    denied = await deliver(world, event(118))
    assert denied.status_code == 502 and denied.json()["Errors"][0]["Data"]["UpstreamStatus"] == 401
    assert "stale-token" not in denied.text
    listed = await api.ok("GET", "/channels/orders?Channel=bigcommerce", token=seller)
    assert listed["Items"] == []
    assert (await api.get("/orders/Incoming/bigcommerce-119", token=seller)).status_code == 404
    # A store that is down: 502 as well.
    down_store = settings(store, ApiUrl="http://127.0.0.1:9/stores/abc123")
    await api.ok("PUT", "/channels/bigcommerce/settings", down_store, token=seller)
    down = await deliver(world, event(118))
    assert down.status_code == 502 and error_code(down) == "Channels.UpstreamFailed"
    # Whatever was logged on the way (requests, outbound calls down to httpcore's debug trace,
    # failures) never holds the token. (aiosqlite's own DEBUG trace echoes every statement's
    # parameters, so every stored secret: a driver setting no deployment runs with.)
    logged = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("aiosqlite"))
    assert "HTTP Request: GET" in logged
    assert TOKEN not in logged and "stale-token" not in logged


async def test_webhook_needs_the_api_settings(world: World) -> None:
    api = world.api
    seller = await world.token("seller", SELLER_ROLES)
    await setup_market(world)
    await api.ok("PUT", "/channels/bigcommerce/settings", {"WebhookSecret": SECRET}, token=seller)
    # The default header name when the seller named none.
    headers = {"X-Webhook-Secret": SECRET}
    answer = await api.client.request(
        "POST", "/v1/channels/bigcommerce/webhook", content=event(), headers=headers
    )
    assert answer.status_code == 400 and error_code(answer) == "Channels.ApiNotConfigured"
    broken = await api.client.request(
        "POST", "/v1/channels/bigcommerce/webhook", content=b"[1]", headers=headers
    )
    assert broken.status_code == 400


async def test_a_saved_url_the_policy_now_refuses_is_not_called(
    world: World, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    seller = await world.token("seller", SELLER_ROLES)
    await configure(world, store, seller)
    store.orders[118] = sample_order(118)
    # The operator turns private addresses off after the (loopback) URL was saved.
    strict = dataclasses.replace(world.api.services.settings, outbound_allow_private=False)
    monkeypatch.setattr(world.api.services, "settings", strict)
    refused = await deliver(world, event())
    assert refused.status_code == 502 and error_code(refused) == "Channels.UpstreamFailed"
    assert refused.json()["Errors"][0]["Data"] == {"Channel": "bigcommerce", "Field": "ApiUrl"}
    assert store.requests == []
