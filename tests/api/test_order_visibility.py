"""Who reaches which order: buyer A's users, buyer B, a supplier and the seller, against every
order endpoint. Invisible orders answer 404 (their existence is not confirmed); visible orders
the caller may not change answer 403."""

from __future__ import annotations

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World

# caller name -> (username, roles, direction it uses, expected read status, expected write status)
CALLERS = {
    "buyer A (placed it)": ("alice", "Shopper", "Outgoing", 200, 200),
    "buyer A colleague": ("carol", "Shopper", "Outgoing", 404, 404),
    "buyer A reader": ("b1admin", "Shopper OrderReader", "Outgoing", 200, 403),
    "buyer A order admin": ("b1admin", "OrderAdmin", "Outgoing", 200, 200),
    "buyer A wrong direction": ("alice", "Shopper", "Incoming", 404, 404),
    "buyer B": ("bob", "Shopper OrderAdmin OrderReader", "Outgoing", 404, 404),
    "buyer B all": ("bob", "Shopper OrderAdmin OrderReader", "All", 404, 404),
    "supplier": ("sam", "Shopper OrderAdmin OrderReader", "Incoming", 404, 404),
    "seller": ("seller", "Shopper OrderAdmin OrderReader", "Incoming", 200, 200),
    "seller all": ("seller", "Shopper OrderAdmin OrderReader", "All", 200, 200),
    "seller outgoing": ("seller", "Shopper OrderAdmin OrderReader", "Outgoing", 404, 404),
}

READS = [
    ("GET", "/orders/{d}/open", None),
    ("GET", "/orders/{d}/open/lineitems", None),
    ("GET", "/orders/{d}/open/lineitems/L1", None),
    ("GET", "/orders/{d}/open/payments", None),
    ("GET", "/orders/{d}/open/payments/P1", None),
]
WRITES = [
    ("PATCH", "/orders/{d}/cart", {"Comments": "hi"}),
    ("PUT", "/orders/{d}/cart", {"Comments": "hi"}),
    (
        "PUT",
        "/orders/{d}/cart/billto",
        {"Street1": "1 A St", "City": "B", "State": "IL", "Zip": "1", "Country": "US"},
    ),
    (
        "PUT",
        "/orders/{d}/cart/shipto",
        {"Street1": "1 A St", "City": "B", "State": "IL", "Zip": "1", "Country": "US"},
    ),
    ("PATCH", "/orders/{d}/cart/fromuser", {"FirstName": "Z"}),
    ("POST", "/orders/{d}/cart/lineitems", {"ProductID": "p1"}),
    ("PATCH", "/orders/{d}/cart/lineitems/L2", {"Quantity": 2}),
    (
        "PUT",
        "/orders/{d}/cart/lineitems/L2/shipto",
        {"Street1": "1 A St", "City": "B", "State": "IL", "Zip": "1", "Country": "US"},
    ),
    ("POST", "/orders/{d}/cart/payments", {"Type": "PurchaseOrder", "Accepted": True}),
    ("PATCH", "/orders/{d}/cart/payments/P2", {"Description": "x"}),
    ("POST", "/orders/{d}/cart/validate", None),
]
# Done last, in this order, because they change the order's status.
FINAL_WRITES = [("POST", "/orders/{d}/cart/submit", None), ("POST", "/orders/{d}/open/cancel", None)]


async def _fixture(world: World) -> None:
    api = world.api
    await cat.product(api, "p1")
    await world.new_order(body={"ID": "open"})
    await world.add_line("open", "p1", ID="L1")
    token = await world.token("alice")
    await api.ok(
        "POST",
        "/orders/Outgoing/open/payments",
        {"ID": "P1", "Type": "PurchaseOrder", "Accepted": True},
        token=token,
    )
    await world.submit("open")
    await world.new_order(body={"ID": "cart"})
    await world.add_line("cart", "p1", ID="L2")
    await api.ok(
        "POST",
        "/orders/Outgoing/cart/payments",
        {"ID": "P2", "Type": "PurchaseOrder", "Accepted": True},
        token=token,
    )


async def test_visibility_matrix(world: World) -> None:
    await _fixture(world)
    api = world.api
    mismatches = []
    for name, (user, roles, direction, read_status, write_status) in CALLERS.items():
        token = await world.token(user, roles)
        for method, template, body in READS + WRITES:
            path = template.format(d=direction)
            response = await api.call(method, path, body, token=token)
            expected = read_status if method == "GET" else write_status
            got = response.status_code
            success = got in (200, 201, 204)
            if (expected == 200 and not success) or (expected != 200 and got != expected):
                mismatches.append((name, method, path, got, expected, response.text[:120]))
    assert mismatches == []


async def test_final_transitions_by_party(world: World) -> None:
    await _fixture(world)
    api = world.api
    for user, roles, direction in (
        ("carol", "Shopper", "Outgoing"),
        ("bob", "Shopper OrderAdmin", "Outgoing"),
        ("sam", "OrderAdmin", "Incoming"),
    ):
        token = await world.token(user, roles)
        for method, template, body in FINAL_WRITES:
            r = await api.call(method, template.format(d=direction), body, token=token)
            assert r.status_code == 404, (user, template, r.text)
    seller = await world.seller("OrderAdmin")
    assert (await api.post("/orders/Incoming/cart/submit", token=seller)).status_code == 201
    assert (await api.post("/orders/Incoming/open/cancel", token=seller)).status_code == 201


async def test_lists_follow_the_same_rules(world: World) -> None:
    await _fixture(world)
    api = world.api

    async def ids(user: str, roles: str, direction: str) -> set[str]:
        page = await api.ok("GET", f"/orders/{direction}", token=await world.token(user, roles))
        return {o["ID"] for o in page["Items"]}

    assert await ids("alice", "OrderReader", "Outgoing") == {"open"}
    assert await ids("carol", "OrderReader", "Outgoing") == {"open"}  # OrderReader sees the company's orders
    assert await ids("bob", "OrderReader", "Outgoing") == set()
    assert await ids("bob", "OrderReader", "All") == set()
    assert await ids("sam", "OrderReader", "Incoming") == set()
    assert await ids("seller", "OrderReader", "Incoming") == {"open"}
    assert await ids("seller", "OrderReader", "Outgoing") == set()
    # Shopper alone lists (as OrderCloud documents it) but sees only the orders the user placed.
    assert await ids("alice", "Shopper", "Outgoing") == {"open"}
    assert await ids("carol", "Shopper", "Outgoing") == set()
    mine = await api.ok("GET", "/me/orders", token=await world.token("carol"))
    assert mine["Items"] == []
