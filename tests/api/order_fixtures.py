"""Parties for order tests: buyers b1 and b2, supplier s1, their users, and tokens carrying
exactly the roles a test asks for."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from app.auth.users import username_key
from app.store.repo import Docs
from tests.helpers import ADMIN_CLIENT, Api

USERS: dict[str, tuple[str, str]] = {
    "alice": ("buyer", "b1"),
    "carol": ("buyer", "b1"),
    "b1admin": ("buyer", "b1"),
    "bob": ("buyer", "b2"),
    "sam": ("supplier", "s1"),
    "seller": ("admin", ""),
}
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
        """A token for `username` with exactly the roles in `scope`, minted directly (the password
        grant is tested with the auth endpoints; argon2 per login would make these tests slow)."""
        key = (username, scope)
        if key not in self.tokens:
            user_type, company = USERS[username]
            claims = {
                "usr": username,
                "cid": ADMIN_CLIENT,
                "u": username,
                "usrtype": user_type,
                "cmp": company or self.api.services.marketplace_id,
                "role": scope.split(),
            }
            self.tokens[key] = await self.api.services.tokens.issue(claims, 3600)
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
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        for name, (user_type, company) in USERS.items():
            kind = {"buyer": "user", "supplier": "supplieruser", "admin": "adminuser"}[user_type]
            await docs.insert(kind, _user(name, company), company, uniq=username_key(name))
    await api.ok("POST", "/buyers/b1/addresses", {"ID": "addr1", **ADDRESS})
    await api.ok("POST", "/buyers/b1/addresses", {"ID": "addr2", **ADDRESS, "Street1": "2 Side St"})
    return World(api)


def _user(name: str, company: str) -> dict[str, Any]:
    return {
        "ID": name,
        "CompanyID": company or None,
        "Username": name,
        "Password": None,
        "FirstName": name.capitalize(),
        "LastName": "Tester",
        "Email": f"{name}@example.com",
        "Phone": None,
        "TermsAccepted": None,
        "Active": True,
        "xp": None,
        "AvailableRoles": None,
        "Locale": None,
        "DateCreated": "2024-01-01T00:00:00.000+00:00",
        "LastActive": None,
        "PasswordLastSetDate": None,
        "FailedLoginAttempts": None,
    }
