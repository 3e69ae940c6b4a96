"""Buyer users who can shop: buyers, users and groups go through the API; the storefront API
client, the Shopper security profile and group membership are stored directly, because their
endpoints belong to another part of ordercore."""

from __future__ import annotations

from typing import Any

from app.store.repo import Docs
from tests.api.catalog_fixtures import price_schedule, product
from tests.helpers import Api

STOREFRONT = "storefront"
PROFILE = "shopper-profile"
PASSWORD = "Shopper-pass-1234"


async def store_docs(api: Api, *rows: tuple[str, dict[str, Any], str]) -> None:
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        for kind, doc, scope in rows:
            await docs.insert(kind, doc, scope)


async def enable_storefront(api: Api) -> None:
    """An API client any buyer user may log in with, and the Shopper role for every buyer."""
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        admin_client = await docs.require("apiclient", "ordercore-admin", object_type="ApiClient")
        await docs.insert(
            "apiclient", {**admin_client.doc, "ID": STOREFRONT, "AllowAnyBuyer": True, "AllowSeller": False}
        )
        await docs.insert(
            "securityprofile",
            {"ID": PROFILE, "Name": "Shopper", "Roles": ["Shopper", "MeAdmin"], "CustomRoles": []},
        )


async def add_buyer(api: Api, buyer_id: str) -> None:
    """A buyer whose default catalog is `cat-<last letter>` (made by the test when it needs it),
    so that no default catalog is created for it."""
    default = f"cat-{buyer_id[-1].lower()}"
    body = {"ID": buyer_id, "Name": f"Buyer {buyer_id}", "Active": True, "DefaultCatalogID": default}
    await api.ok("POST", "/buyers", body)
    await store_docs(
        api,
        (
            "securityprofileassignment",
            {
                "ID": f"{PROFILE}:{buyer_id}",
                "SecurityProfileID": PROFILE,
                "BuyerID": buyer_id,
                "SupplierID": None,
                "UserID": None,
                "UserGroupID": None,
            },
            "",
        ),
    )


async def add_shopper(api: Api, buyer_id: str, user_id: str, groups: tuple[str, ...] = ()) -> str:
    """Create a buyer user (in `groups`, created as needed) and return its access token."""
    await api.ok(
        "POST",
        f"/buyers/{buyer_id}/users",
        {
            "ID": user_id,
            "Username": user_id,
            "Password": PASSWORD,
            "FirstName": "Sam",
            "LastName": "Shopper",
            "Email": f"{user_id}@example.com",
            "Active": True,
        },
    )
    for group in groups:
        if (await api.get(f"/buyers/{buyer_id}/usergroups/{group}")).status_code == 404:
            await api.ok("POST", f"/buyers/{buyer_id}/usergroups", {"ID": group, "Name": group})
        await store_docs(
            api,
            (
                "usergroupassignment",
                {"ID": f"{group}:{user_id}", "UserGroupID": group, "UserID": user_id},
                buyer_id,
            ),
        )
    return await api.login(user_id, PASSWORD, client_id=STOREFRONT)


async def viewall_storefront(api: Api, products: int) -> str:
    """A shopper of buyer `sb`, which sees every product of its ViewAllProducts catalog `cat-b`:
    `products` products there, every fifth inactive (as in benchmarks/seed_lists.py)."""
    await enable_storefront(api)
    await add_buyer(api, "sb")
    token = await add_shopper(api, "sb", "shopper1")
    await api.ok("POST", "/catalogs", {"ID": "cat-b", "Name": "B's catalog", "Active": True})
    body = {"CatalogID": "cat-b", "BuyerID": "sb", "ViewAllProducts": True}
    await api.ok("POST", "/catalogs/assignments", body, status=204)
    await price_schedule(api, "ps", [(1, "10.00")])
    for n in range(products):
        await product(api, f"p{n:03d}", schedule_id="ps", buyers=(), active=n % 5 != 0)
        body = {"CatalogID": "cat-b", "ProductID": f"p{n:03d}"}
        await api.ok("POST", "/catalogs/productassignments", body, status=204)
    return token
