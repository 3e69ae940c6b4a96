"""Building blocks for organization tests: companies, users who can sign in, and their roles."""

from __future__ import annotations

from typing import Any

import jwt

from tests.helpers import Api

PASSWORD = "Sup3r-secret-pw"
APP_CLIENT = "storefront"


def user_body(user_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "ID": user_id,
        "Username": f"{user_id}-name",
        "Password": PASSWORD,
        "FirstName": "First",
        "LastName": "Last",
        "Email": f"{user_id}@example.com",
        "Active": True,
        **extra,
    }


def address_body(address_id: str, **extra: Any) -> dict[str, Any]:
    return {
        "ID": address_id,
        "Street1": "1 Main St",
        "City": "Springfield",
        "State": "IL",
        "Zip": "62701",
        "Country": "US",
        **extra,
    }


async def storefront_client(api: Api) -> None:
    """An API client buyer and supplier users may sign in with (created once per test)."""
    if (await api.get(f"/apiclients/{APP_CLIENT}")).status_code == 404:
        await api.ok(
            "POST",
            "/apiclients",
            {
                "ID": APP_CLIENT,
                "AppName": "Storefront",
                "AccessTokenDuration": 600,
                "AllowAnyBuyer": True,
                "AllowAnySupplier": True,
            },
        )


async def profile(api: Api, profile_id: str, roles: list[str], **assignment: str) -> None:
    """A security profile with `roles`, assigned where `assignment` (BuyerID=..., UserID=...) says."""
    if (await api.get(f"/securityprofiles/{profile_id}")).status_code == 404:
        await api.ok("POST", "/securityprofiles", {"ID": profile_id, "Name": profile_id, "Roles": roles})
    await api.ok(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": profile_id, **assignment}, status=204
    )


async def buyer(api: Api, buyer_id: str, **extra: Any) -> None:
    await api.ok("POST", "/buyers", {"ID": buyer_id, "Name": f"Buyer {buyer_id}", **extra})


async def supplier(api: Api, supplier_id: str) -> None:
    await api.ok("POST", "/suppliers", {"ID": supplier_id, "Name": f"Supplier {supplier_id}"})


async def buyer_user(api: Api, buyer_id: str, user_id: str, roles: list[str] | None = None) -> str:
    """A buyer user with `roles` (assigned to the user alone); returns a token for it."""
    await api.ok("POST", f"/buyers/{buyer_id}/users", user_body(user_id))
    return await sign_in(api, user_id, roles, BuyerID=buyer_id, UserID=user_id)


async def supplier_user(api: Api, supplier_id: str, user_id: str, roles: list[str] | None = None) -> str:
    await api.ok("POST", f"/suppliers/{supplier_id}/users", user_body(user_id))
    return await sign_in(api, user_id, roles, SupplierID=supplier_id, UserID=user_id)


async def admin_user(api: Api, user_id: str, roles: list[str] | None = None) -> str:
    await api.ok("POST", "/adminusers", user_body(user_id))
    return await sign_in(api, user_id, roles, UserID=user_id, client=None)


async def sign_in(
    api: Api, user_id: str, roles: list[str] | None, *, client: str | None = APP_CLIENT, **assignment: str
) -> str:
    if roles:
        await profile(api, f"p-{user_id}", roles, **assignment)
    if client:
        await storefront_client(api)
        return await api.login(f"{user_id}-name", PASSWORD, client_id=client)
    return await api.login(f"{user_id}-name", PASSWORD)


def roles_of(token: str) -> list[str]:
    claims = jwt.decode(token, options={"verify_signature": False})
    role = claims.get("role") or []
    return sorted([role] if isinstance(role, str) else role)
