from __future__ import annotations

from tests.helpers import Api, error_code


async def test_buyer_crud_and_list(api: Api) -> None:
    created = await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer One", "xp": {"Tier": 2}})
    assert created["ID"] == "b1" and created["Active"] is True and created["DateCreated"]
    await api.ok("POST", "/buyers", {"ID": "b2", "Name": "Second", "xp": {"Tier": 5}})
    page = await api.ok("GET", "/buyers", params={"xp.Tier": ">3"})
    assert [b["ID"] for b in page["Items"]] == ["b2"]
    dup = await api.post("/buyers", {"ID": "b1", "Name": "again"})
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    missing = await api.get("/buyers/nope")
    assert missing.status_code == 404
    assert missing.json()["Errors"][0]["Data"] == {"ObjectType": "Buyer", "ObjectID": "nope"}
