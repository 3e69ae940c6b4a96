from __future__ import annotations

from typing import Any

import pytest

from tests.api.org_setup import buyer, supplier, user_body
from tests.helpers import Api, error_code

# (company set-up, path prefix, user path, group path)
FLAVOURS = {
    "buyer": ("/buyers/c1", "/buyers/c1/users", "/buyers/c1/usergroups"),
    "supplier": ("/suppliers/c1", "/suppliers/c1/users", "/suppliers/c1/usergroups"),
    "admin": ("", "/adminusers", "/usergroups"),
}


async def _setup(api: Api, flavour: str) -> tuple[str, str]:
    if flavour == "buyer":
        await buyer(api, "c1")
    elif flavour == "supplier":
        await supplier(api, "c1")
    prefix, users, groups = FLAVOURS[flavour]
    for uid in ("u1", "u2"):
        await api.ok("POST", users, user_body(f"{flavour}-{uid}", ID=uid))
    for gid in ("g1", "g2"):
        await api.ok("POST", groups, {"ID": gid, "Name": gid})
    return prefix, groups


@pytest.mark.parametrize("flavour", list(FLAVOURS))
async def test_membership_save_list_delete(api: Api, flavour: str) -> None:
    prefix, groups = await _setup(api, flavour)
    assignments = f"{prefix}/usergroups/assignments"
    for gid, uid in (("g1", "u1"), ("g1", "u2"), ("g2", "u1"), ("g1", "u1")):
        await api.ok("POST", assignments, {"UserGroupID": gid, "UserID": uid}, status=204)

    async def listed(**params: str) -> list[Any]:
        return list((await api.ok("GET", assignments, params=params))["Items"])

    # The static `assignments` segment wins over `{userGroupID}`.
    everything = await listed()
    assert len(everything) == 3 and {"UserGroupID": "g1", "UserID": "u2"} in everything
    assert sorted(a["UserID"] for a in await listed(userGroupID="g1")) == ["u1", "u2"]
    assert await listed(userID="u2") == [{"UserGroupID": "g1", "UserID": "u2"}]
    assert (await api.ok("GET", f"{groups}/g1"))["ID"] == "g1"

    # Users.List / SupplierUsers.List take userGroupID.
    if flavour != "admin":
        members = await api.ok("GET", f"{prefix}/users", params={"userGroupID": "g2"})
        assert [u["ID"] for u in members["Items"]] == ["u1"]

    await api.ok("DELETE", f"{groups}/g1/assignments/u1")
    assert sorted((a["UserGroupID"], a["UserID"]) for a in await listed()) == [("g1", "u2"), ("g2", "u1")]
    again = await api.delete(f"{groups}/g1/assignments/u1")
    assert again.status_code == 404

    # Deleting a group or a user removes its memberships.
    await api.ok("DELETE", f"{groups}/g2")
    await api.ok("DELETE", f"{FLAVOURS[flavour][1]}/u2")
    assert await listed() == []


@pytest.mark.parametrize("flavour", list(FLAVOURS))
async def test_membership_refusals(api: Api, flavour: str) -> None:
    prefix, _ = await _setup(api, flavour)
    assignments = f"{prefix}/usergroups/assignments"
    no_group = await api.post(assignments, {"UserGroupID": "zz", "UserID": "u1"})
    assert no_group.status_code == 404 and no_group.json()["Errors"][0]["Data"]["ObjectType"] == "UserGroup"
    no_user = await api.post(assignments, {"UserGroupID": "g1", "UserID": "zz"})
    assert no_user.status_code == 404 and no_user.json()["Errors"][0]["Data"]["ObjectType"] == "User"
    missing = await api.post(assignments, {"UserGroupID": "g1"})
    assert missing.status_code == 400 and missing.json()["Errors"][0]["Data"]["Field"] == "UserID"
    bad_type = await api.post(assignments, {"UserGroupID": "g1", "UserID": 5})
    assert bad_type.status_code == 400 and bad_type.json()["Errors"][0]["Data"]["Field"] == "UserID"
    malformed = await api.post(assignments, raw=b"[1,")
    assert malformed.status_code == 400 and error_code(malformed) == "InvalidJson"
    assert (await api.ok("GET", assignments))["Items"] == []


async def test_users_of_another_buyer_cannot_join(api: Api) -> None:
    await buyer(api, "b1")
    await buyer(api, "b2")
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "g"})
    await api.ok("POST", "/buyers/b2/users", user_body("other"))
    response = await api.post("/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "other"})
    assert response.status_code == 404
    missing_buyer = await api.get("/buyers/zz/usergroups/assignments")
    assert (
        missing_buyer.status_code == 404
        and missing_buyer.json()["Errors"][0]["Data"]["ObjectType"] == "Buyer"
    )
