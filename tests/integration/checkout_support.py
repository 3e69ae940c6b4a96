"""A checkout middleware for the integration tests, served by a loopback receiver, and the
marketplace it prices: two suppliers shipping from their own warehouses, a buyer user's cart.

The middleware answers like a merchant's would:
- `/shippingrates`: one estimate per ship-from address (lines grouped by ShipFromAddressID), each
  with GROUND (5.00 + 1.00 per unit) and EXPRESS (15.00);
- `/ordercalculate`: every line of product `p2` repriced to 6.00, tax 8.25 % of the repriced
  subtotal (rounded half-up to the cent), a 2.00 fee;
- `/ordersubmit`: `{"xp": {"ExternalOrderID": "ERP-<order ID>"}}`.
"""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World, make_world
from tests.helpers import ADMIN_CLIENT, Api
from tests.integration.receivers import HASH_KEY, RecordedRequest, Reply, Responder

EVENT_ID = "checkout"
CONFIG = {"TaxRate": "0.0825", "Nested": {"On": True}}
TAX_RATE = Decimal("0.0825")
P2_PRICE = Decimal("6.00")
CENT = Decimal("0.01")


def payload_of(request: RecordedRequest) -> dict[str, Any]:
    decoded: dict[str, Any] = json.loads(request.body, parse_float=Decimal)
    return decoded


def reply(body: Any, status: int = 200) -> Reply:
    return Reply(status=status, body=json.dumps(body, default=str).encode())


def hook(request: RecordedRequest) -> str:
    return request.path.rstrip("/").rsplit("/", 1)[-1]


def shipping_rates(sheet: dict[str, Any]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {}
    for line in sheet["LineItems"]:
        groups.setdefault(line["ShipFromAddressID"] or "none", []).append(line)
    estimates = []
    for origin, lines in sorted(groups.items()):
        units = sum(int(line["Quantity"]) for line in lines)
        estimates.append(
            {
                "ID": f"est-{origin}",
                "ShipEstimateItems": [{"LineItemID": li["ID"], "Quantity": li["Quantity"]} for li in lines],
                "ShipMethods": [
                    {"ID": "GROUND", "Name": "Ground", "Cost": 5 + units, "EstimatedTransitDays": 5},
                    {
                        "ID": "EXPRESS",
                        "Name": "Express",
                        "Cost": 15,
                        "EstimatedTransitDays": 1,
                        "xp": {"Air": 1},
                    },
                ],
                "xp": {"Origin": origin},
            }
        )
    return {"ShipEstimates": estimates, "xp": {"Carrier": "ACME"}}


def order_calculate(sheet: dict[str, Any]) -> dict[str, Any]:
    overrides = []
    subtotal = Decimal(0)
    for line in sheet["LineItems"]:
        unit = Decimal(str(line["UnitPrice"]))
        if line["ProductID"] == "p2":
            unit = P2_PRICE
            overrides.append({"LineItemID": line["ID"], "UnitPrice": str(P2_PRICE)})
        subtotal += unit * int(line["Quantity"])
    tax = (subtotal * TAX_RATE).quantize(CENT, ROUND_HALF_UP)
    return {"TaxTotal": tax, "FeeTotal": "2.00", "LineItemOverrides": overrides, "xp": {"TaxRate": "8.25%"}}


def middleware(request: RecordedRequest, _index: int) -> Reply:
    sheet = payload_of(request)["OrderWorksheet"]
    name = hook(request)
    if name == "shippingrates":
        return reply(shipping_rates(sheet))
    if name == "ordercalculate":
        return reply(order_calculate(sheet))
    if name == "ordersubmit":
        return reply({"xp": {"ExternalOrderID": "ERP-" + sheet["Order"]["ID"]}})
    return reply({})


def only(responder: Responder, name: str) -> Responder:
    """`responder` for the `name` hook; the normal middleware for the others."""

    def respond(request: RecordedRequest, index: int) -> Reply:
        return responder(request, index) if hook(request) == name else middleware(request, index)

    return respond


async def make_shop(api: Api) -> World:
    """World (buyer b1 user alice, ...) plus supplier s2, warehouses east (s1) and west (s2),
    products p1 (10.00, from s1) and p2 (7.50, from s2)."""
    world = await make_world(api)
    await api.ok("POST", "/suppliers", {"ID": "s2", "Name": "Supplier Two"})
    await api.ok("POST", "/suppliers/s1/addresses", {**ADDRESS, "ID": "east", "City": "Boston"})
    await api.ok("POST", "/suppliers/s2/addresses", {**ADDRESS, "ID": "west", "City": "Fresno"})
    await cat.product(api, "p1", price="10.00", supplier="s1")
    await cat.product(api, "p2", price="7.50", supplier="s2")
    return world


async def make_event(api: Api, url: str, *, link: bool = True, **extra: Any) -> dict[str, Any]:
    """The OrderCheckout event at `url`, linked to the admin API client (whose tokens the test
    world's users carry)."""
    body = {
        "ID": EVENT_ID,
        "Name": "Checkout middleware",
        "EventType": "OrderCheckout",
        "CustomImplementationUrl": url,
        "HashKey": HASH_KEY,
        "ElevatedRoles": ["OrderReader"],
        "ConfigData": CONFIG,
        **extra,
    }
    event: dict[str, Any] = await api.ok("POST", "/integrationEvents", body)
    if link:
        await api.ok("PATCH", f"/apiclients/{ADMIN_CLIENT}", {"OrderCheckoutIntegrationEventID": EVENT_ID})
    return event


async def fill_cart(world: World, token: str) -> dict[str, Any]:
    """p1 x3 from east, p2 x2 from west; returns the cart."""
    api = world.api
    await api.ok(
        "POST",
        "/cart/lineitems",
        {"ID": "l1", "ProductID": "p1", "Quantity": 3, "ShipFromAddressID": "east"},
        token=token,
    )
    await api.ok(
        "POST",
        "/cart/lineitems",
        {"ID": "l2", "ProductID": "p2", "Quantity": 2, "ShipFromAddressID": "west"},
        token=token,
    )
    cart: dict[str, Any] = await api.ok("GET", "/cart", token=token)
    return cart


SELECTIONS = {
    "ShipMethodSelections": [
        {"ShipEstimateID": "est-east", "ShipMethodID": "GROUND"},
        {"ShipEstimateID": "est-west", "ShipMethodID": "EXPRESS"},
    ]
}
