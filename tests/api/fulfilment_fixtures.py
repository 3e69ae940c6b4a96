"""A small marketplace for fulfilment tests, on top of the order `World`: suppliers s1 (user sam)
and s2 (user sue), products p1 (s1), p2 (s2) and p3 (the seller's own), and a buyer order with
one line of each, submitted."""

from __future__ import annotations

from typing import Any

from app.auth.users import username_key
from app.store.repo import Docs
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World, _user

SELLER_ROLES = "OrderAdmin OrderReader ShipmentAdmin"
SUPPLIER_ROLES = "OrderAdmin OrderReader ShipmentAdmin"


async def setup_market(world: World) -> None:
    api = world.api
    await api.ok("POST", "/suppliers", {"ID": "s2", "Name": "Supplier Two"})
    async with api.services.db.transaction() as conn:
        await Docs(conn).insert("supplieruser", _user("sue", "s2"), "s2", uniq=username_key("sue"))
    await cat.product(api, "p1", price="10.00", supplier="s1")
    await cat.product(api, "p2", price="4.50", supplier="s2")
    await cat.product(api, "p3", price="7.00")


async def supplier_token(world: World, user: str, supplier: str, roles: str = SUPPLIER_ROLES) -> str:
    """A supplier user's token (sam of s1 is in the order world; sue of s2 is added here)."""
    claims = {
        "usr": user,
        "cid": "ordercore-admin",
        "u": user,
        "usrtype": "supplier",
        "cmp": supplier,
        "role": roles.split(),
    }
    return await world.api.services.tokens.issue(claims, 3600)


async def seller(world: World, roles: str = SELLER_ROLES) -> str:
    return await world.token("seller", roles)


async def buyer_order(
    world: World, order_id: str = "o1", lines: tuple[tuple[str, int], ...] = (("p1", 2), ("p2", 3), ("p3", 1))
) -> dict[str, Any]:
    """alice's submitted order, lines `L-{product}`, shipped to the saved address addr1."""
    await world.new_order(body={"ID": order_id, "ShippingAddressID": "addr1", "BillingAddressID": "addr1"})
    for product_id, quantity in lines:
        await world.add_line(order_id, product_id, quantity, ID=f"L-{product_id}", xp={"Gift": True})
    return await world.submit(order_id)


async def forward(world: World, order_id: str = "o1", action: str = "forward") -> dict[str, Any]:
    result: dict[str, Any] = await world.api.ok(
        "POST", f"/orders/Incoming/{order_id}/{action}", token=await seller(world), status=200
    )
    return result


async def lines_of(world: World, direction: str, order_id: str, token: str) -> dict[str, dict[str, Any]]:
    page = await world.api.ok("GET", f"/orders/{direction}/{order_id}/lineitems", token=token)
    return {line["ID"]: line for line in page["Items"]}


async def order_of(world: World, direction: str, order_id: str, token: str | None = None) -> dict[str, Any]:
    result: dict[str, Any] = await world.api.ok(
        "GET", f"/orders/{direction}/{order_id}", token=token or await seller(world)
    )
    return result


__all__ = [
    "ADDRESS",
    "buyer_order",
    "forward",
    "lines_of",
    "order_of",
    "seller",
    "setup_market",
    "supplier_token",
]
