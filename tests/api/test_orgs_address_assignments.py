from __future__ import annotations

from typing import Any

from tests.api.org_setup import address_body, buyer, user_body
from tests.helpers import Api, error_code

BASE = "/buyers/b1/addresses/assignments"


async def _setup(api: Api) -> None:
    await buyer(api, "b1")
    await api.ok("POST", "/buyers/b1/users", user_body("u1"))
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "g"})
    for aid in ("a1", "a2", "a3"):
        await api.ok("POST", "/buyers/b1/addresses", address_body(aid))


async def test_assign_list_filter_and_delete(api: Api) -> None:
    await _setup(api)
    for body in (
        {"AddressID": "a1", "IsShipping": True},
        {"AddressID": "a2", "UserGroupID": "g1", "IsBilling": True},
        {"AddressID": "a3", "UserID": "u1", "IsShipping": True, "IsBilling": True},
    ):
        await api.ok("POST", BASE, body, status=204)
    # Saving again updates the flags of the same assignment.
    await api.ok("POST", BASE, {"AddressID": "a1", "IsShipping": True, "IsBilling": True}, status=204)

    async def listed(**params: str) -> list[Any]:
        return list((await api.ok("GET", BASE, params=params))["Items"])

    assert len(await listed()) == 3
    assert await listed(level="Company") == [
        {"AddressID": "a1", "UserID": None, "UserGroupID": None, "IsShipping": True, "IsBilling": True}
    ]
    assert [a["AddressID"] for a in await listed(level="Group")] == ["a2"]
    assert [a["AddressID"] for a in await listed(userID="u1")] == ["a3"]
    assert sorted(a["AddressID"] for a in await listed(isShipping="true")) == ["a1", "a3"]
    assert [a["AddressID"] for a in await listed(isShipping="false")] == ["a2"]
    assert [a["AddressID"] for a in await listed(addressID="a2", isBilling="true")] == ["a2"]

    await api.ok("DELETE", "/buyers/b1/addresses/a2/assignments", params={"userGroupID": "g1"})
    await api.ok("DELETE", "/buyers/b1/addresses/a1/assignments")
    missing = await api.delete("/buyers/b1/addresses/a3/assignments")  # it is a user-level one
    assert missing.status_code == 404
    assert [a["AddressID"] for a in await listed()] == ["a3"]

    # Deleting the address (or the user) takes its assignments with it.
    await api.ok("DELETE", "/buyers/b1/addresses/a3")
    assert await listed() == []


async def test_refusals(api: Api) -> None:
    await _setup(api)
    neither = await api.post(BASE, {"AddressID": "a1"})
    assert neither.status_code == 400 and error_code(neither) == "AddressAssignment.MustBeBillingOrShipping"
    no_address = await api.post(BASE, {"AddressID": "zz", "IsShipping": True})
    assert no_address.status_code == 404 and no_address.json()["Errors"][0]["Data"]["ObjectType"] == "Address"
    no_user = await api.post(BASE, {"AddressID": "a1", "UserID": "zz", "IsShipping": True})
    assert no_user.status_code == 404 and no_user.json()["Errors"][0]["Data"]["ObjectType"] == "User"
    no_group = await api.post(BASE, {"AddressID": "a1", "UserGroupID": "zz", "IsShipping": True})
    assert no_group.status_code == 404 and no_group.json()["Errors"][0]["Data"]["ObjectType"] == "UserGroup"
    both = await api.post(BASE, {"AddressID": "a1", "UserID": "u1", "UserGroupID": "g1", "IsShipping": True})
    assert both.status_code == 400
    no_id = await api.post(BASE, {"IsShipping": True})
    assert no_id.status_code == 400 and no_id.json()["Errors"][0]["Data"]["Field"] == "AddressID"
    bad_flag = await api.post(BASE, {"AddressID": "a1", "IsShipping": {"x": 1}})
    assert bad_flag.status_code == 400 and bad_flag.json()["Errors"][0]["Data"]["Field"] == "IsShipping"
    bad_level = await api.get(BASE, params={"level": "Galaxy"})
    assert bad_level.status_code == 400
    assert (await api.ok("GET", BASE))["Items"] == []
