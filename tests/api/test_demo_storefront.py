"""The demo marketplace is what a storefront such as OrderCloud's accelerator (docs/
accelerator-storefront.md) is pointed at: a guest must get an anonymous token from the demo
storefront client, browse a category, fill a cart and check out as the demo shopper."""

from __future__ import annotations

import base64
import json
from typing import Any

from app.demo import BUYER_PASSWORD, seed_demo
from tests.conftest import ADMIN_SECRET
from tests.helpers import ADMIN_CLIENT, Api


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))))


async def _seeded(api: Api) -> dict[str, Any]:
    return await seed_demo(api.services, {"ClientID": ADMIN_CLIENT, "ClientSecret": ADMIN_SECRET})


async def test_demo_storefront_client_gives_guests_anonymous_tokens(api: Api) -> None:
    demo = await _seeded(api)
    response = await api.client.post(
        "/oauth/token", data={"grant_type": "client_credentials", "client_id": demo["StorefrontClientID"]}
    )
    assert response.status_code == 200, response.text
    guest = response.json()["access_token"]
    # The SDKs read `orderid` as "this is a guest" (the accelerator then offers its login form).
    assert _claims(guest).get("orderid")
    line = await api.ok("POST", "/cart/lineitems", {"ProductID": "demo-widget", "Quantity": 2}, token=guest)
    assert line["LineTotal"] == 25


async def test_demo_catalog_has_a_category_to_browse(api: Api) -> None:
    demo = await _seeded(api)
    shopper = await api.login("shopper", BUYER_PASSWORD, demo["StorefrontClientID"])
    categories = await api.ok("GET", "/me/categories", token=shopper, params={"catalogID": "demo-catalog"})
    assert [c["ID"] for c in categories["Items"]] == ["demo-tools"]
    products = await api.ok(
        "GET", "/me/products", token=shopper, params={"catalogID": "demo-catalog", "categoryID": "demo-tools"}
    )
    assert sorted(p["ID"] for p in products["Items"]) == ["demo-gadget", "demo-widget"]


async def test_demo_template_user_cannot_sign_in(api: Api) -> None:
    """Guests shop as copies of the template user; it has no password, so nobody signs in as it."""
    demo = await _seeded(api)
    response = await api.token("anonymous-template", "", demo["StorefrontClientID"])
    assert response.status_code == 400
