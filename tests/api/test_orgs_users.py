from __future__ import annotations

import pytest

from tests.api.org_setup import buyer, supplier, user_body
from tests.helpers import Api, error_code

USER_PATHS = ["/buyers/b1/users", "/suppliers/s1/users", "/adminusers"]


async def _companies(api: Api) -> None:
    await buyer(api, "b1")
    await supplier(api, "s1")


@pytest.mark.parametrize("path", USER_PATHS)
async def test_password_is_never_returned(api: Api, path: str) -> None:
    await _companies(api)
    created = await api.ok("POST", path, user_body("u1"))
    assert created["Password"] is None and created["PasswordLastSetDate"]
    assert not any(k.startswith("_") for k in created)
    for response in (
        await api.ok("GET", f"{path}/u1"),
        await api.ok("PATCH", f"{path}/u1", {"Password": "Another-pass-123"}),
        await api.ok("PUT", f"{path}/u1", user_body("u1")),
    ):
        assert response["Password"] is None and not any(k.startswith("_") for k in response)
    listed = await api.ok("GET", path, params={"ID": "u1"})
    assert listed["Items"][0]["Password"] is None and not any(k.startswith("_") for k in listed["Items"][0])


@pytest.mark.parametrize("path", USER_PATHS)
async def test_user_refusals(api: Api, path: str) -> None:
    await _companies(api)
    await api.ok("POST", path, user_body("u1"))
    dup = await api.post(path, user_body("u1", Username="someone-else"))
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    taken = await api.post(path, user_body("u2", Username="U1-NAME"))
    assert taken.status_code == 409 and error_code(taken) == "User.UsernameMustBeUnique"
    bad_id = await api.post(path, user_body("u 3"))
    assert bad_id.status_code == 400 and bad_id.json()["Errors"][0]["Data"]["Field"] == "ID"
    wrong_type = await api.post(path, user_body("u4", Active="very"))
    assert wrong_type.status_code == 400 and wrong_type.json()["Errors"][0]["Data"]["Field"] == "Active"
    body = user_body("u5")
    del body["Email"]
    missing = await api.post(path, body)
    assert missing.status_code == 400 and missing.json()["Errors"][0]["Data"]["Field"] == "Email"
    malformed = await api.post(path, raw=b'{"ID": "u6",')
    assert malformed.status_code == 400 and error_code(malformed) == "InvalidJson"
    page = await api.ok("GET", path, params={"ID": "u*"})
    assert [u["ID"] for u in page["Items"]] == ["u1"]


async def test_usernames_are_unique_across_companies(api: Api) -> None:
    await _companies(api)
    await api.ok("POST", "/buyers/b1/users", user_body("u1"))
    for path in USER_PATHS[1:]:
        taken = await api.post(path, user_body("x", Username="u1-name"))
        assert taken.status_code == 409 and error_code(taken) == "User.UsernameMustBeUnique"


async def test_list_across_buyers(api: Api) -> None:
    await buyer(api, "b1")
    await buyer(api, "b2")
    await supplier(api, "s1")
    await api.ok("POST", "/buyers/b1/users", user_body("u1", FirstName="Ann"))
    await api.ok("POST", "/buyers/b2/users", user_body("u2", FirstName="Bob"))
    await api.ok("POST", "/suppliers/s1/users", user_body("su"))
    page = await api.ok("GET", "/buyerusers")
    assert [(u["ID"], u["CompanyID"]) for u in page["Items"]] == [("u1", "b1"), ("u2", "b2")]
    assert all(u["Password"] is None for u in page["Items"])
    page = await api.ok("GET", "/buyerusers", params={"search": "Bob"})
    assert [u["ID"] for u in page["Items"]] == ["u2"]
    page = await api.ok("GET", "/buyerusers", params={"CompanyID": "b1"})
    assert [u["ID"] for u in page["Items"]] == ["u1"]
    bad = await api.get("/buyerusers", params={"Nope": "x"})
    assert bad.status_code == 400 and error_code(bad) == "List.InvalidProperty"


async def test_unknown_route_is_a_not_found_envelope(api: Api) -> None:
    response = await api.get("/buyers/b1/nothing-here")
    assert response.status_code == 404 and error_code(response) == "NotFound"
    response = await api.get("/usergroups/g1/assignments/u1/extra")
    assert response.status_code == 404 and error_code(response) == "NotFound"
