"""Orders ready to be returned. Shipments are built elsewhere, so shipping is simulated by
writing `QuantityShipped` onto the stored line documents (`ship`)."""

from __future__ import annotations

from typing import Any

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World
from tests.helpers import ADMIN_CLIENT

RETURNS = "/orderreturns"


async def builtin_calculator(world: World, **config: Any) -> None:
    """ordercore's own return calculator on the API client the test tokens come from."""
    api = world.api
    event = {
        "ID": "builtin-returns",
        "Name": "ordercore's return calculator",
        "EventType": "OrderReturn",
        "CustomImplementationUrl": "ordercore:builtin",
        "HashKey": "unused",
        "ConfigData": config or None,
    }
    await api.ok("PUT", "/integrationEvents/builtin-returns", event)
    await api.ok("PATCH", f"/apiclients/{ADMIN_CLIENT}", {"OrderReturnIntegrationEventID": "builtin-returns"})


async def catalog(world: World, *, calculator: bool = True) -> None:
    """`pb`: price breaks 1 @ 9.99, 5 @ 8.49; `plain`: 12.35; `final`: not Returnable (Returnable
    is false unless set, as in OrderCloud). `calculator`: the built-in return calculator is on."""
    api = world.api
    if calculator:
        await builtin_calculator(world)
    await cat.price_schedule(api, "ps-pb", [(1, "9.99"), (5, "8.49")])
    await cat.product(api, "pb", schedule_id="ps-pb")
    await cat.product(api, "plain", price="12.35")
    await cat.product(api, "final", price="5.00")
    final = await cat.read(api, "product", "final")
    await cat.replace(api, "product", {**final, "Returnable": False})


async def open_order(
    world: World, order_id: str, lines: dict[str, int], username: str = "alice"
) -> dict[str, str]:
    """A submitted (Open) order with one line per product; returns product ID -> line ID."""
    await world.new_order(username, {"ID": order_id})
    ids = {}
    for product_id, quantity in lines.items():
        line = await world.add_line(
            order_id, product_id, quantity, username=username, ID=f"{order_id}-{product_id}"
        )
        ids[product_id] = line["ID"]
    await world.submit(order_id, username)
    return ids


async def ship(world: World, order_id: str, line_id: str, quantity_shipped: int) -> None:
    line = await cat.read(world.api, "lineitem", line_id, order_id)
    await cat.replace(world.api, "lineitem", {**line, "QuantityShipped": quantity_shipped}, order_id)


async def new_return(
    world: World, order_id: str, items: list[tuple[str, int]], *, token: str | None = None, **extra: Any
) -> dict[str, Any]:
    body = {
        "OrderID": order_id,
        "ItemsToReturn": [{"LineItemID": line, "Quantity": qty} for line, qty in items],
        **extra,
    }
    result: dict[str, Any] = await world.api.ok(
        "POST", RETURNS, body, token=token or await world.token("alice")
    )
    return result
