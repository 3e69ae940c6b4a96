"""A BigCommerce store API served on loopback by the test process (aiohttp): `GET
/stores/{hash}/v2/orders/{id}`, its `products` and `shipping_addresses`, answered only with the
right `X-Auth-Token`, the way ordercore's BigCommerce webhook receiver calls it back."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web

SAMPLE = Path(__file__).parent.parent / "unit" / "channel_samples" / "bigcommerce_order.json"
STORE_HASH = "abc123"
TOKEN = "bc-token-5ecret-value"


def sample_order(order_id: int = 118, **changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = json.loads(SAMPLE.read_text())
    order["id"] = order_id
    for line in order["products"]:
        line["order_id"] = order_id
    order.update(changes)
    return order


@dataclass
class Store:
    """Orders by ID (with products and shipping addresses inlined, as the sample holds them);
    `failing`: order IDs whose order GET answers 500; `during`: run while answering an order GET
    (to prove no transaction of the caller is open then)."""

    base: str = ""
    orders: dict[int, dict[str, Any]] = field(default_factory=dict)
    failing: set[int] = field(default_factory=set)
    requests: list[tuple[str, str | None]] = field(default_factory=list)
    during: Callable[[], Awaitable[None]] | None = None

    def app(self) -> web.Application:
        def found(request: web.Request) -> dict[str, Any] | None:
            return self.orders.get(int(request.match_info["id"]))

        async def order(request: web.Request) -> web.Response:
            if (denied := self._check(request)) is not None:
                return denied
            if int(request.match_info["id"]) in self.failing:
                return web.json_response([{"status": 500, "message": "Internal"}], status=500)
            if self.during is not None:
                await self.during()
            data = found(request)
            if data is None:
                return web.json_response([{"status": 404, "message": "Not found"}], status=404)
            resource = f"/orders/{data['id']}"
            links = {
                "products": {"url": f"{self.base}/v2{resource}/products", "resource": f"{resource}/products"},
                "shipping_addresses": {
                    "url": f"{self.base}/v2{resource}/shipping_addresses",
                    "resource": f"{resource}/shipping_addresses",
                },
            }
            return web.json_response({**data, **links})

        async def products(request: web.Request) -> web.Response:
            if (denied := self._check(request)) is not None:
                return denied
            data = found(request)
            page = int(request.query.get("page", "1"))
            return web.json_response(data["products"] if data and page == 1 else [])

        async def addresses(request: web.Request) -> web.Response:
            if (denied := self._check(request)) is not None:
                return denied
            data = found(request)
            if not data or not data.get("shipping_addresses"):
                return web.Response(status=204)
            return web.json_response(data["shipping_addresses"])

        app = web.Application()
        prefix = f"/stores/{STORE_HASH}/v2/orders/{{id}}"
        app.router.add_get(prefix, order)
        app.router.add_get(prefix + "/products", products)
        app.router.add_get(prefix + "/shipping_addresses", addresses)
        return app

    def _check(self, request: web.Request) -> web.Response | None:
        self.requests.append((request.path, request.headers.get("X-Auth-Token")))
        if request.headers.get("X-Auth-Token") != TOKEN:
            return web.json_response([{"status": 401, "message": "Unauthorized"}], status=401)
        return None


async def serve(store: Store) -> web.AppRunner:
    """Start `store` on a free loopback port (sets `store.base`); the caller cleans the runner up."""
    runner = web.AppRunner(store.app())
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    store.base = f"http://127.0.0.1:{runner.addresses[0][1]}/stores/{STORE_HASH}"
    return runner
