"""`/integrationEvents`: CRUD, list options, roles and OrderCloud's refusals."""

from __future__ import annotations

from typing import Any

from tests.api.order_fixtures import World
from tests.helpers import ADMIN_CLIENT, Api, error_code

EVENT = {
    "ID": "calc",
    "Name": "Tax and shipping",
    "EventType": "OrderCheckout",
    "CustomImplementationUrl": "https://middleware.example.com/api",
    "HashKey": "secret-hash",
    "ElevatedRoles": ["OrderReader", "ProductReader"],
    "ConfigData": {"Region": "EU", "Rate": 0.2},
    "CustomAuthHeaderName": None,
    "CustomAuthHeaderValue": None,
}


async def test_crud_and_lists(api: Api) -> None:
    created = await api.ok("POST", "/integrationEvents", EVENT)
    assert created == EVENT
    assert await api.ok("GET", "/integrationevents/calc") == EVENT
    await api.ok(
        "POST", "/integrationEvents", {**EVENT, "ID": "ret", "Name": "Returns", "EventType": "OrderReturn"}
    )
    generated = await api.ok(
        "POST", "/integrationEvents", {"Name": "Any", "CustomImplementationUrl": "http://x", "HashKey": "k"}
    )
    assert generated["ID"] and generated["EventType"] is None and generated["ElevatedRoles"] is None

    page = await api.ok("GET", "/integrationEvents", params={"EventType": "OrderCheckout"})
    assert [e["ID"] for e in page["Items"]] == ["calc"] and page["Meta"]["TotalCount"] == 1
    by_name = await api.ok("GET", "/integrationEvents", params={"sortBy": "!Name", "search": "Returns"})
    assert [e["ID"] for e in by_name["Items"]] == ["ret"]

    patched = await api.ok(
        "PATCH", "/integrationEvents/calc", {"ConfigData": {"Region": "US"}, "Name": "Tax"}
    )
    assert patched["ConfigData"] == {"Region": "US", "Rate": 0.2} and patched["Name"] == "Tax"
    saved = await api.ok(
        "PUT",
        "/integrationEvents/calc",
        {**EVENT, "ElevatedRoles": [], "HashKey": "rotated", "ConfigData": None},
    )
    assert saved["HashKey"] == "rotated" and saved["ElevatedRoles"] == [] and saved["ConfigData"] is None
    await api.ok("DELETE", "/integrationEvents/calc")
    assert (await api.get("/integrationEvents/calc")).status_code == 404


async def test_refusals(api: Api) -> None:
    for missing in ("Name", "CustomImplementationUrl", "HashKey"):
        body = {k: v for k, v in EVENT.items() if k != missing}
        refused = await api.post("/integrationEvents", body)
        assert refused.status_code == 400 and error_code(refused) == "ValidationFailure", missing
    unknown_role = await api.post("/integrationEvents", {**EVENT, "ElevatedRoles": ["GodMode"]})
    assert error_code(unknown_role) == "ValidationFailure"
    half_header: list[tuple[dict[str, Any], str]] = [
        ({"CustomAuthHeaderName": "X-Key"}, "Integration.CustomAuthHeaderValueRequired"),
        ({"CustomAuthHeaderValue": "v"}, "Integration.CustomAuthHeaderNameRequired"),
    ]
    for extra, code in half_header:
        refused = await api.post("/integrationEvents", {**EVENT, **extra})
        assert refused.status_code == 400 and error_code(refused) == code
    assert (await api.get("/integrationEvents")).json()["Items"] == []

    await api.ok("POST", "/integrationEvents", EVENT)
    retyped = await api.patch("/integrationEvents/calc", {"EventType": "AddToCart"})
    assert retyped.status_code == 400 and error_code(retyped) == "IntegrationEvent.CannotEditType"
    duplicate = await api.post("/integrationEvents", EVENT)
    assert duplicate.status_code == 409

    await api.ok("PATCH", f"/apiclients/{ADMIN_CLIENT}", {"OrderCheckoutIntegrationEventID": "calc"})
    client = await api.ok("GET", f"/apiclients/{ADMIN_CLIENT}")
    assert client["OrderCheckoutIntegrationEventName"] == "Tax and shipping"
    in_use = await api.delete("/integrationEvents/calc")
    assert in_use.status_code == 400 and error_code(in_use) == "IntegrationEvent.CannotDeleteInUse"
    await api.ok("PATCH", f"/apiclients/{ADMIN_CLIENT}", {"OrderCheckoutIntegrationEventID": None})
    await api.ok("DELETE", "/integrationEvents/calc")


async def test_roles_and_seller_only(world: World) -> None:
    api = world.api
    await api.ok("POST", "/integrationEvents", EVENT)
    reader = await world.seller("IntegrationEventReader")
    assert (await api.ok("GET", "/integrationEvents/calc", token=reader))["ID"] == "calc"
    assert (await api.patch("/integrationEvents/calc", {"Name": "x"}, token=reader)).status_code == 403
    admin = await world.seller("IntegrationEventAdmin")
    assert (await api.ok("PATCH", "/integrationEvents/calc", {"Name": "x"}, token=admin))["Name"] == "x"
    buyer = await world.token("alice", "IntegrationEventAdmin")
    refused = await api.get("/integrationEvents", token=buyer)
    assert refused.status_code == 403 and error_code(refused) == "Auth.InsufficientRoles"
