"""List options end to end through `/v1/buyers` and `/v1/buyers/{id}/users` on both databases:
filters over xp values of mixed types, search types, sorting, paging and Meta."""

from __future__ import annotations

from typing import Any

from tests.helpers import Api, error_code

BUYERS: list[dict[str, Any]] = [
    {
        "ID": "b01",
        "Name": "Alpha Foods",
        "xp": {"Tier": 2, "Region": "North", "Vip": True, "Meta": {"Score": 10, "Tag": "x"}, "Zip": "0123"},
    },
    {
        "ID": "b02",
        "Name": "beta Supplies",
        "xp": {"Tier": 10, "Region": "south", "Vip": False, "Meta": {"Score": 3.5}, "Note": None},
    },
    {"ID": "b03", "Name": "Gamma Goods", "xp": {"Tier": "gold", "Region": "North|East", "Vip": "yes"}},
    {"ID": "b04", "Name": "Delta*Star", "Active": False},
    {"ID": "b05", "Name": "Epsilon", "xp": {"Tier": 1, "Region": None, "Meta": {"Score": -1, "Tag": "y"}}},
]


async def seed(api: Api) -> None:
    for buyer in BUYERS:
        await api.ok("POST", "/buyers", buyer)


async def ids(api: Api, path: str = "/buyers", **params: Any) -> list[str]:
    page = await api.ok("GET", path, params={"sortBy": "ID", **params})
    return [item["ID"] for item in page["Items"]]


FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"xp.Tier": "2"}, ["b01"]),
    ({"xp.Tier": ">1"}, ["b01", "b02"]),  # numeric, not "10" < "2"; the string "gold" is no number
    ({"xp.Tier": ">=2"}, ["b01", "b02"]),
    ({"xp.Tier": "<2"}, ["b05"]),
    ({"xp.Tier": "<=2"}, ["b01", "b05"]),
    ({"xp.Tier": ["<=2", ">1"]}, ["b01"]),  # a repeated key means and
    ({"xp.Tier": "2|10"}, ["b01", "b02"]),
    ({"xp.Tier": "!2"}, ["b02", "b03", "b04", "b05"]),
    ({"xp.Tier": "!>1"}, ["b03", "b04", "b05"]),
    ({"xp.Tier": "GOLD"}, ["b03"]),  # string values compare case-insensitively
    ({"xp.Tier": "go*"}, ["b03"]),
    ({"xp.Vip": "true"}, ["b01"]),
    ({"xp.Vip": "false"}, ["b02"]),
    ({"xp.Vip": "yes"}, ["b03"]),
    ({"xp.Region": "!*"}, ["b04", "b05"]),  # absent, or null
    ({"xp.Region": "*"}, ["b01", "b02", "b03"]),
    ({"xp.Region": "north"}, ["b01"]),
    ({"xp.Region": "North\\|East"}, ["b03"]),  # an escaped | is a literal
    ({"xp.Region": "North*"}, ["b01", "b03"]),
    ({"xp.Meta.Score": ">0"}, ["b01", "b02"]),
    ({"xp.Meta.Score": "3.5"}, ["b02"]),
    ({"xp.Meta.Score": "<0"}, ["b05"]),
    ({"xp.Meta.Tag": "x|y"}, ["b01", "b05"]),
    ({"xp.Meta": "!*"}, ["b03", "b04"]),
    ({"xp.Note": "!*"}, ["b01", "b02", "b03", "b04", "b05"]),
    ({"xp.Zip": "0123"}, ["b01"]),  # a numeric-looking string still matches as text
    ({"xp.Zip": "123"}, []),
    ({"Name": "*Goods"}, ["b03"]),
    ({"Name": "al*"}, ["b01"]),
    ({"Name": "!*a*"}, ["b05"]),
    ({"Name": "Delta\\*Star"}, ["b04"]),  # an escaped * is a literal
    ({"Name": "Delta*"}, ["b04"]),
    ({"name": "epsilon"}, ["b05"]),  # property names match in any case
    ({"Active": "false"}, ["b04"]),
    ({"Active": "true", "xp.Tier": ">=1"}, ["b01", "b02", "b05"]),
    ({"ID": "b01|b03"}, ["b01", "b03"]),
    ({"ID": "!b01"}, ["b02", "b03", "b04", "b05"]),
    ({"ID": ">b03"}, ["b04", "b05"]),
    ({"DateCreated": ">2000-01-01"}, ["b01", "b02", "b03", "b04", "b05"]),
    ({"DateCreated": "<2000-01-01"}, []),
]


async def expect_all(api: Api, cases: list[tuple[dict[str, Any], list[str]]], path: str = "/buyers") -> None:
    """Seeded once, every case checked; a failure lists every case that went wrong."""
    wrong = []
    for params, expected in cases:
        got = await ids(api, path, **params)
        if got != expected:
            wrong.append((params, expected, got))
    assert wrong == []


async def test_filters(api: Api) -> None:
    await seed(api)
    await expect_all(api, FILTERS)


BAD_OPTIONS: list[tuple[dict[str, str], str]] = [
    ({"Foo": "1"}, "List.InvalidProperty"),
    ({"Name.Sub": "1"}, "List.InvalidProperty"),
    ({"Active": "maybe"}, "List.InvalidType"),
    ({"pageSize": "101"}, "List.InvalidPageSize"),
    ({"pageSize": "0"}, "List.InvalidPageSize"),
    ({"sortBy": "Nope"}, "List.InvalidSortProperty"),
    ({"sortBy": "!Nope"}, "List.InvalidSortProperty"),
    ({"searchType": "Fuzzy", "search": "a"}, "List.InvalidType"),
    ({"searchOn": "Nope", "search": "a"}, "List.InvalidSearchProperty"),
]


async def test_bad_options_are_400(api: Api) -> None:
    await seed(api)
    wrong = []
    for params, code in BAD_OPTIONS:
        response = await api.get("/buyers", params=params)
        if response.status_code != 400 or error_code(response) != code:
            wrong.append((params, code, response.status_code, response.text))
    assert wrong == []


SORTS: list[tuple[dict[str, Any], list[str]]] = [
    (
        {"sortBy": sort},
        expected,
    )
    for sort, expected in [
        ("Name", ["b01", "b02", "b04", "b05", "b03"]),  # case-insensitive: Alpha, beta, Delta, ...
        ("!Name", ["b03", "b05", "b04", "b02", "b01"]),
        ("xp.Tier", ["b05", "b01", "b02", "b03", "b04"]),  # numbers by value, then text, then none
        ("!xp.Tier", ["b02", "b01", "b05", "b03", "b04"]),
        ("Active,!ID", ["b04", "b05", "b03", "b02", "b01"]),
        ("!Active,xp.Meta.Score", ["b05", "b02", "b01", "b03", "b04"]),
        ("!ID", ["b05", "b04", "b03", "b02", "b01"]),
    ]
]


async def test_sort(api: Api) -> None:
    await seed(api)
    await expect_all(api, SORTS)


PAGES: list[tuple[int, int, list[str], list[int]]] = [
    (1, 2, ["b01", "b02"], [1, 2]),
    (2, 2, ["b03", "b04"], [3, 4]),
    (3, 2, ["b05"], [5, 5]),
    (1, 5, ["b01", "b02", "b03", "b04", "b05"], [1, 5]),
    (1, 100, ["b01", "b02", "b03", "b04", "b05"], [1, 5]),
]


async def test_paging_meta(api: Api) -> None:
    await seed(api)
    for page, size, expected, item_range in PAGES:
        body = await api.ok("GET", "/buyers", params={"page": page, "pageSize": size})
        assert [b["ID"] for b in body["Items"]] == expected
        assert body["Meta"] == {
            "Page": page,
            "PageSize": size,
            "TotalCount": 5,
            "TotalPages": -(-5 // size),
            "ItemRange": item_range,
            "NextPageKey": None,
        }


async def test_paging_defaults_and_past_the_end(api: Api) -> None:
    await seed(api)
    body = await api.ok("GET", "/buyers")
    assert body["Meta"]["Page"] == 1 and body["Meta"]["PageSize"] == 20
    past = await api.ok("GET", "/buyers", params={"page": 9, "pageSize": 2})
    assert past["Items"] == []
    assert past["Meta"]["TotalCount"] == 5 and past["Meta"]["TotalPages"] == 3
    none = await api.ok("GET", "/buyers", params={"ID": "zzz"})
    assert none["Meta"]["TotalCount"] == 0 and none["Meta"]["TotalPages"] == 0


async def test_filtered_total_counts_only_matches(api: Api) -> None:
    await seed(api)
    body = await api.ok("GET", "/buyers", params={"xp.Tier": ">=1", "pageSize": 2, "sortBy": "!ID"})
    assert [b["ID"] for b in body["Items"]] == ["b05", "b02"]
    assert body["Meta"]["TotalCount"] == 3 and body["Meta"]["TotalPages"] == 2
    assert body["Meta"]["ItemRange"] == [1, 2]


SEARCHES: list[tuple[dict[str, Any], list[str]]] = [
    ({"search": "goods"}, ["b03"]),
    ({"search": "alpha goods"}, ["b01", "b03"]),
    ({"search": "alpha goods", "searchType": "AnyTerm"}, ["b01", "b03"]),
    ({"search": "beta b02", "searchType": "AllTermsAnyField"}, ["b02"]),
    ({"search": "beta b01", "searchType": "AllTermsAnyField"}, []),
    ({"search": "beta b02", "searchType": "AllTermsSameField"}, []),
    ({"search": "supplies beta", "searchType": "allTermsSameField"}, ["b02"]),
    ({"search": "a Foods", "searchType": "ExactPhrase"}, ["b01"]),
    ({"search": "Foods Alpha", "searchType": "ExactPhrase"}, []),
    ({"search": "gam", "searchType": "ExactPhrasePrefix"}, ["b03"]),
    ({"search": "amma", "searchType": "ExactPhrasePrefix"}, []),
    ({"search": "b0"}, ["b01", "b02", "b03", "b04", "b05"]),
    ({"search": "south", "searchOn": "xp.Region"}, ["b02"]),
    ({"search": "north", "searchOn": "Name"}, []),
    ({"search": "*"}, ["b04"]),  # a search term is literal text, * included
    ({"search": "   "}, ["b01", "b02", "b03", "b04", "b05"]),
    ({"search": "goods", "Active": "true"}, ["b03"]),
]


async def test_search(api: Api) -> None:
    await seed(api)
    await expect_all(api, SEARCHES)


async def test_sdk_encoded_values(api: Api) -> None:
    """The SDK sends values through encodeURIComponent: `>` as %3E, `|` as %7C, `,` as %2C."""
    await seed(api)
    raw = "xp.Tier=%3E%3D1&xp.Tier=%3C10&ID=b01%7Cb02%7Cb05&sortBy=!xp.Tier%2CID&pageSize=2&page=1"
    response = await api.client.get(
        "/v1/buyers?" + raw, headers={"Authorization": f"Bearer {api.admin_token}"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert [b["ID"] for b in body["Items"]] == ["b01", "b05"]
    assert body["Meta"]["TotalCount"] == 2
    nested = await api.client.get(
        "/v1/buyers?xp.Meta.Score=%3E0&searchType=ExactPhrase&search=Alpha%20Foods",
        headers={"Authorization": f"Bearer {api.admin_token}"},
    )
    assert [b["ID"] for b in nested.json()["Items"]] == ["b01"]


USERS: list[dict[str, Any]] = [
    {
        "ID": "u1",
        "Username": "ann",
        "FirstName": "Ann",
        "LastName": "Zed",
        "Email": "ann@x.io",
        "Active": True,
        "xp": {"Age": 31, "Langs": "en", "Boss": True},
    },
    {
        "ID": "u2",
        "Username": "bob",
        "FirstName": "bob",
        "LastName": "Young",
        "Email": "bob@y.io",
        "Active": True,
        "xp": {"Age": 4, "Langs": "fr", "Boss": False, "Team": {"Name": "Red"}},
    },
    {
        "ID": "u3",
        "Username": "cid",
        "FirstName": "Cid",
        "LastName": "Young",
        "Email": "cid@x.io",
        "Active": False,
        "xp": {"Age": None, "Team": {"Name": "Blue"}},
    },
]


async def seed_users(api: Api) -> None:
    await api.ok("POST", "/buyers", {"ID": "buy", "Name": "Buyer"})
    await api.ok("POST", "/buyers", {"ID": "other", "Name": "Other"})
    for user in USERS:
        await api.ok("POST", "/buyers/buy/users", user)
    await api.ok(
        "POST",
        "/buyers/other/users",
        {"ID": "u9", "Username": "zed", "FirstName": "Z", "LastName": "Z", "Email": "z@x.io", "Active": True},
    )


USER_CASES: list[tuple[dict[str, Any], list[str]]] = [
    ({}, ["u1", "u2", "u3"]),  # users of this buyer only
    ({"xp.Age": ">5"}, ["u1"]),
    ({"xp.Age": "!*"}, ["u3"]),
    ({"xp.Boss": "false"}, ["u2"]),
    ({"xp.Team.Name": "red|blue"}, ["u2", "u3"]),
    ({"Active": "false"}, ["u3"]),
    ({"Email": "*@x.io"}, ["u1", "u3"]),
    ({"LastName": "Young", "FirstName": "Cid"}, ["u3"]),
    ({"search": "young"}, ["u2", "u3"]),
    ({"search": "x.io", "searchOn": "Email"}, ["u1", "u3"]),
    ({"search": "bob young", "searchType": "AllTermsAnyField"}, ["u2"]),
    ({"sortBy": "LastName,FirstName"}, ["u2", "u3", "u1"]),
    ({"sortBy": "!LastName,!FirstName"}, ["u1", "u3", "u2"]),
    ({"sortBy": "xp.Age"}, ["u2", "u1", "u3"]),
    ({"sortBy": "!xp.Age"}, ["u1", "u2", "u3"]),
]


async def test_user_lists(api: Api) -> None:
    await seed_users(api)
    await expect_all(api, USER_CASES, "/buyers/buy/users")
    page = await api.ok("GET", "/buyers/buy/users", params={"xp.Age": ">0"})
    assert page["Meta"]["TotalCount"] == 2
    assert all(u["Password"] is None for u in page["Items"])
