"""Parties for order tests: buyers b1 and b2, supplier s1, their users, and tokens with exactly
the roles a test asks for (every test user's profile gives FullAccess; the token's scope narrows
it, as OrderCloud's scope does)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.store.repo import Docs
from tests.api.catalog_fixtures import insert
from tests.helpers import ADMIN_CLIENT, Api

PASSWORD = "Test-pass-1234"
SHOPPER = "Shopper"
ADDRESS = {
    "CompanyName": "Acme",
    "FirstName": "Ann",
    "LastName": "Lee",
    "Street1": "1 Main St",
    "Street2": None,
    "City": "Springfield",
    "State": "IL",
    "Zip": "62701",
    "Country": "US",
    "Phone": None,
    "AddressName": "Home",
    "xp": None,
}


@dataclass
class World:
    api: Api
    tokens: dict[tuple[str, str], str] = field(default_factory=dict)

    async def token(self, username: str, scope: str = SHOPPER) -> str:
        key = (username, scope)
        if key not in self.tokens:
            self.tokens[key] = await self.api.login(username, PASSWORD, ADMIN_CLIENT, scope)
        return self.tokens[key]

    async def seller(self, scope: str = "OrderAdmin OrderReader") -> str:
        return await self.token("seller", scope)

    async def new_order(self, username: str = "alice", body: dict[str, Any] | None = None) -> dict[str, Any]:
        token = await self.token(username)
        result: dict[str, Any] = await self.api.ok("POST", "/orders/Outgoing", body or {}, token=token)
        return result

    async def add_line(
        self, order_id: str, product_id: str, quantity: int = 1, username: str = "alice", **extra: Any
    ) -> dict[str, Any]:
        token = await self.token(username)
        body = {"ProductID": product_id, "Quantity": quantity, **extra}
        result: dict[str, Any] = await self.api.ok(
            "POST", f"/orders/Outgoing/{order_id}/lineitems", body, token=token
        )
        return result

    async def submit(self, order_id: str, username: str = "alice") -> dict[str, Any]:
        token = await self.token(username)
        result: dict[str, Any] = await self.api.ok("POST", f"/orders/Outgoing/{order_id}/submit", token=token)
        return result


async def make_world(api: Api) -> World:
    """b1 users alice, carol (and b1admin); b2 user bob; s1 user sam; seller admin user `seller`."""
    for buyer in ("b1", "b2"):
        await api.ok("POST", "/buyers", {"ID": buyer, "Name": f"Buyer {buyer}"})
    await api.ok("POST", "/suppliers", {"ID": "s1", "Name": "Supplier One"})
    users = [("b1", "alice"), ("b1", "carol"), ("b1", "b1admin"), ("b2", "bob")]
    for buyer, name in users:
        await api.ok("POST", f"/buyers/{buyer}/users", _user(name))
    await api.ok("POST", "/suppliers/s1/users", _user("sam"))
    await api.ok("POST", "/adminusers", _user("seller"))
    await api.ok("POST", "/buyers/b1/addresses", {"ID": "addr1", **ADDRESS})
    await api.ok("POST", "/buyers/b1/addresses", {"ID": "addr2", **ADDRESS, "Street1": "2 Side St"})
    await insert(
        api,
        "securityprofile",
        {"ID": "test-full", "Name": "Test", "Roles": ["FullAccess"], "CustomRoles": [], "PasswordConfig": None},
    )
    for company_field, company in (("BuyerID", "b1"), ("BuyerID", "b2"), ("SupplierID", "s1")):
        await insert(
            api,
            "securityprofileassignment",
            {
                "ID": f"test-full:{company}",
                "SecurityProfileID": "test-full",
                "BuyerID": None,
                "SupplierID": None,
                company_field: company,
                "UserID": None,
                "UserGroupID": None,
            },
        )
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        client = await docs.get("apiclient", ADMIN_CLIENT)
        assert client is not None
        await docs.replace("apiclient", ADMIN_CLIENT, {**client.doc, "AllowAnyBuyer": True, "AllowAnySupplier": True})
    return World(api)


def _user(name: str) -> dict[str, Any]:
    return {
        "ID": name,
        "Username": name,
        "Password": PASSWORD,
        "FirstName": name.capitalize(),
        "LastName": "Tester",
        "Email": f"{name}@example.com",
        "Active": True,
    }
