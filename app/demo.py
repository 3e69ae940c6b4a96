"""A small demo marketplace, seeded through ordercore's own API so it is exactly what a user
would build with the SDK: a buyer with a shopper, a supplier with a user, a storefront client,
products with price breaks in a catalog assigned to the buyer."""

from __future__ import annotations

import logging
from typing import Any

import httpx

from app.state import Services

BUYER_PASSWORD = "Shopper-pass-1234"
SUPPLIER_PASSWORD = "Supplier-pass-1234"


class _Seeder:
    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    async def send(self, method: str, path: str, body: Any = None) -> Any:
        response = await self.client.request(method, "/v1" + path, json=body, headers=self.headers)
        if response.status_code >= 400:
            raise RuntimeError(f"demo seed failed at {method} {path}: {response.status_code} {response.text}")
        return response.json() if response.content else None


async def seed_demo(services: Services, admin: dict[str, Any]) -> dict[str, Any]:
    from app.main import create_app

    # The seed's in-process requests are not worth a log line each.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    app = create_app(services.settings, services)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),  # type: ignore[arg-type]
        base_url="http://seed",
    ) as client:
        form = {
            "grant_type": "client_credentials",
            "client_id": admin["ClientID"],
            "client_secret": admin["ClientSecret"],
        }
        token = (await client.post("/oauth/token", data=form)).json()["access_token"]
        s = _Seeder(client, token)
        await s.send("POST", "/buyers", {"ID": "demo-buyer", "Name": "Demo Buyer Co", "Active": True})
        await s.send(
            "POST",
            "/buyers/demo-buyer/users",
            {
                "ID": "demo-shopper",
                "Username": "shopper",
                "Password": BUYER_PASSWORD,
                "FirstName": "Sam",
                "LastName": "Shopper",
                "Email": "shopper@example.com",
                "Active": True,
            },
        )
        # Guests shop as copies of this template user (OrderCloud's anonymous shopping: the API
        # client's DefaultContextUserName with IsAnonBuyer); nobody signs in as it.
        await s.send(
            "POST",
            "/buyers/demo-buyer/users",
            {
                "ID": "demo-anonymous",
                "Username": "anonymous-template",
                "FirstName": "Guest",
                "LastName": "Shopper",
                "Email": "guest@example.com",
                "Active": True,
            },
        )
        await s.send(
            "POST",
            "/securityprofiles",
            {
                "ID": "demo-shopper-profile",
                "Name": "Shopper",
                "Roles": ["Shopper", "MeAdmin", "MeAddressAdmin", "MeXpAdmin"],
            },
        )
        await s.send(
            "POST",
            "/securityprofiles/assignments",
            {"SecurityProfileID": "demo-shopper-profile", "BuyerID": "demo-buyer"},
        )
        await s.send(
            "POST", "/suppliers", {"ID": "demo-supplier", "Name": "Demo Supplier Ltd", "Active": True}
        )
        await s.send(
            "POST",
            "/suppliers/demo-supplier/users",
            {
                "ID": "demo-supplier-user",
                "Username": "supplier",
                "Password": SUPPLIER_PASSWORD,
                "FirstName": "Sue",
                "LastName": "Supplier",
                "Email": "supplier@example.com",
                "Active": True,
            },
        )
        await s.send(
            "POST",
            "/securityprofiles",
            {
                "ID": "demo-supplier-profile",
                "Name": "Supplier fulfilment",
                "Roles": ["OrderAdmin", "ShipmentAdmin", "MeAdmin"],
            },
        )
        await s.send(
            "POST",
            "/securityprofiles/assignments",
            {"SecurityProfileID": "demo-supplier-profile", "SupplierID": "demo-supplier"},
        )
        await s.send(
            "POST",
            "/apiclients",
            {
                "ID": "demo-storefront",
                "AppName": "Demo storefront",
                "Active": True,
                "AccessTokenDuration": 600,
                "AllowAnyBuyer": True,
                "AllowAnySupplier": True,
                "RefreshTokenDuration": 10080,
                "IsAnonBuyer": True,
                "DefaultContextUserName": "anonymous-template",
            },
        )
        await s.send(
            "POST",
            "/priceschedules",
            {
                "ID": "demo-widget-price",
                "Name": "Widget",
                "MinQuantity": 1,
                "Currency": "USD",
                "PriceBreaks": [{"Quantity": 1, "Price": 12.5}, {"Quantity": 10, "Price": 10}],
            },
        )
        await s.send(
            "POST",
            "/priceschedules",
            {
                "ID": "demo-gadget-price",
                "Name": "Gadget",
                "MinQuantity": 1,
                "Currency": "USD",
                "PriceBreaks": [{"Quantity": 1, "Price": 40}],
            },
        )
        await s.send(
            "POST",
            "/products",
            {
                "ID": "demo-widget",
                "Name": "Widget",
                "Active": True,
                "DefaultPriceScheduleID": "demo-widget-price",
                "DefaultSupplierID": "demo-supplier",
                "Inventory": {"Enabled": True, "QuantityAvailable": 500},
            },
        )
        await s.send(
            "POST",
            "/products",
            {
                "ID": "demo-gadget",
                "Name": "Gadget",
                "Active": True,
                "DefaultPriceScheduleID": "demo-gadget-price",
            },
        )
        await s.send("POST", "/catalogs", {"ID": "demo-catalog", "Name": "Demo catalog", "Active": True})
        await s.send(
            "POST",
            "/catalogs/assignments",
            {
                "CatalogID": "demo-catalog",
                "BuyerID": "demo-buyer",
                "ViewAllCategories": True,
                "ViewAllProducts": True,
            },
        )
        for product in ("demo-widget", "demo-gadget"):
            await s.send(
                "POST", "/catalogs/productassignments", {"CatalogID": "demo-catalog", "ProductID": product}
            )
            await s.send("POST", "/products/assignments", {"ProductID": product, "BuyerID": "demo-buyer"})
        # One category so storefronts have something to browse by.
        await s.send(
            "POST",
            "/catalogs/demo-catalog/categories",
            {"ID": "demo-tools", "Name": "Tools", "Active": True, "ListOrder": 1},
        )
        for product in ("demo-widget", "demo-gadget"):
            await s.send(
                "POST",
                "/catalogs/demo-catalog/categories/productassignments",
                {"CategoryID": "demo-tools", "ProductID": product},
            )
    return {
        "StorefrontClientID": "demo-storefront",
        "AnonymousTemplateUser": "anonymous-template",
        "Buyer": {"Username": "shopper", "Password": BUYER_PASSWORD},
        "Supplier": {"Username": "supplier", "Password": SUPPLIER_PASSWORD},
    }
