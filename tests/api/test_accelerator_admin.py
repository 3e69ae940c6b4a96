"""What OrderCloud's accelerator admin (oc-accelerator `apps/admin`, `@ordercloud/react-sdk`) needs
from ordercore to show its pages to a seller admin instead of "No Access" (docs/accelerator-admin.md).

The React SDK signs in with the password grant, the app's client ID and an empty scope, reads the
`role` claim of the token, looks each page's list operation up by OrderCloud's operation ID in
`/v1/openapi/v3`, and allows the page when the token holds `FullAccess` or one of the operation's
`security[0].OAuth2` roles; it offers "Create" only when that shared role contains "Admin"."""

from __future__ import annotations

import base64
import json
from typing import Any

from tests.conftest import ADMIN_PASSWORD
from tests.helpers import Api

# The list operation behind each page the accelerator admin was driven through (orders, shipments,
# products, buyers, users, catalogs, price schedules and their detail tabs).
ADMIN_PAGE_OPERATIONS = (
    "Orders.List",
    "Orders.Get",
    "LineItems.List",
    "Payments.List",
    "Orders.ListShipments",
    "Shipments.List",
    "Shipments.Get",
    "Shipments.ListItems",
    "Products.List",
    "Products.Get",
    "Products.Create",
    "Buyers.List",
    "Buyers.Get",
    "Users.List",
    "AdminUsers.List",
    "Catalogs.List",
    "Catalogs.Get",
    "PriceSchedules.List",
    "PriceSchedules.Get",
    "Suppliers.List",
    "SecurityProfiles.List",
)


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


def _roles(claims: dict[str, Any]) -> list[str]:
    role = claims.get("role")
    return [role] if isinstance(role, str) else list(role or [])


async def _operations_by_id(api: Api) -> dict[str, dict[str, Any]]:
    r = await api.client.get("/v1/openapi/v3")
    assert r.status_code == 200, r.text
    return {
        op["operationId"]: op
        for item in r.json()["paths"].values()
        for verb, op in item.items()
        if verb in ("get", "post", "put", "patch", "delete")
    }


async def test_seller_admin_signed_in_like_the_accelerator_may_open_every_admin_page(api: Api) -> None:
    # The accelerator sends the app's public client ID, no secret and an empty scope.
    token = await api.login("admin", ADMIN_PASSWORD, scope="")
    roles = _roles(_claims(token))
    operations = await _operations_by_id(api)
    for operation_id in ADMIN_PAGE_OPERATIONS:
        op = operations.get(operation_id)
        assert op is not None, f"{operation_id} missing from /v1/openapi/v3"
        allowed = op["security"][0]["OAuth2"]
        # The React SDK's own test: FullAccess, or a role the operation lists.
        assert "FullAccess" in roles or set(roles) & set(allowed), (operation_id, roles, allowed)
        # "Create"/"Save" buttons need a shared role with "Admin" in its name (or FullAccess).
        assert "FullAccess" in roles or any("Admin" in r for r in set(roles) & set(allowed))


async def test_product_created_from_the_admin_form_opens_on_its_page(api: Api) -> None:
    # The create form posts only the fields typed in; the page then opens the product by ID.
    token = await api.login("admin", ADMIN_PASSWORD, scope="")
    headers = {"Authorization": f"Bearer {token}"}
    body = {"Name": "Made in the accelerator", "ID": "ui-made-product"}
    created = await api.client.post("/v1/products", json=body, headers=headers)
    assert created.status_code == 201, created.text
    opened = await api.client.get("/v1/products/ui-made-product", headers=headers)
    assert opened.status_code == 200, opened.text
    assert opened.json()["Name"] == "Made in the accelerator"
    assert opened.json()["OwnerID"] is not None
