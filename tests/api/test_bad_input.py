"""Bad input is a 400 in OrderCloud's envelope and changes nothing, on both databases alike.

Each case below was a 500 or was silently accepted (issue #11). After every refused request the
whole resource table (and the webhook outbox) is compared with what it held before, so "nothing
changed" is checked for every case, not just the object the request named."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import select

from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, World
from tests.helpers import Api

NUL = "\u0000"
FULL = {"Street1": "1 Main St", "City": "Springfield", "State": "IL", "Zip": "62701", "Country": "US"}
WEBHOOK = {"Name": "w", "Url": "https://example.com/hook", "HashKey": "k"}
EVENT = {
    "Name": "e",
    "EventType": "OrderCheckout",
    "CustomImplementationUrl": "https://x.test",
    "HashKey": "k",
}


@dataclass(frozen=True)
class Case:
    id: str
    method: str
    path: str
    body: Any = None
    raw: bytes | None = None
    params: Any = None
    who: str = "admin"  # admin | shopper | override (shopper who may set costs) | me (MeAddressAdmin)
    code: str = "ValidationFailure"


def nested(depth: int) -> bytes:
    return b'{"Name": "deep", "xp": {"a": ' + b"[" * depth + b"]" * depth + b"}}"


def without(doc: dict[str, Any], key: str) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k != key}


def price_schedule(price: Any) -> dict[str, Any]:
    return {"ID": "bad-ps", "Name": "bad", "PriceBreaks": [{"Quantity": 1, "Price": price}]}


ADDRESS_ROUTES = [
    ("POST", "/buyers/b1/addresses"),
    ("PUT", "/buyers/b1/addresses/addr1"),
    ("POST", "/suppliers/s1/addresses"),
    ("POST", "/addresses"),
]

CASES = [
    # ---- 500s
    Case("shipment-owner-list", "POST", "/shipments", {"OwnerID": [None]}),
    Case("page-2^63", "GET", "/buyers", params={"page": "9223372036854775808"}, code="List.InvalidPage"),
    Case("page-2^31", "GET", "/orders/All", params={"page": str(2**31)}, code="List.InvalidPage"),
    Case("nul-in-name", "POST", "/buyers", {"ID": "nul", "Name": f"a{NUL}b"}),
    Case("nul-in-xp-value", "POST", "/buyers", {"ID": "nul", "Name": "n", "xp": {"a": [f"x{NUL}"]}}),
    Case("nul-in-xp-key", "POST", "/buyers", {"ID": "nul", "Name": "n", "xp": {f"a{NUL}": 1}}),
    Case("nul-in-patch", "PATCH", "/buyers/b1", {"Name": f"b{NUL}"}),
    Case("nul-in-path-get", "GET", "/buyers/b%001"),
    Case("nul-in-path-patch", "PATCH", "/buyers/b1%00", {"Name": "x"}),
    Case("nul-in-search", "GET", "/buyers", params={"search": f"a{NUL}"}),
    Case("nul-in-filter", "GET", "/buyers", params={"Name": f"a{NUL}"}),
    Case("nul-in-xp-filter", "GET", "/orders/All", params={"xp.a": NUL}),
    # msgspec refuses a lone surrogate escape as malformed JSON.
    Case("lone-surrogate", "POST", "/buyers", raw=b'{"ID": "s", "Name": "\\ud800"}', code="InvalidJson"),
    Case("json-1000-deep", "POST", "/buyers", raw=nested(1000)),
    Case("json-100000-deep", "POST", "/buyers", raw=nested(100_000)),
    Case("json-40-deep", "POST", "/buyers", raw=nested(40)),
    Case("price-nan", "POST", "/priceschedules", price_schedule("NaN")),
    Case("price-snan", "POST", "/priceschedules", price_schedule("sNaN")),
    Case("price-minus-infinity", "POST", "/priceschedules", price_schedule("-Infinity")),
    Case(
        "price-infinity-patch",
        "PATCH",
        "/priceschedules/ps",
        {"PriceBreaks": [{"Quantity": 1, "Price": "Inf"}]},
    ),
    Case(
        "price-1e308",
        "POST",
        "/priceschedules",
        raw=json.dumps(price_schedule(0)).replace("0}", "1e308}").encode(),
    ),
    Case("price-negative", "POST", "/priceschedules", price_schedule(-1)),
    Case("shipping-20-digits", "PATCH", "/orders/Outgoing/o1", {"ShippingCost": 10**20}, who="override"),
    Case("shipping-1e308", "PATCH", "/orders/Outgoing/o1", raw=b'{"ShippingCost": 1e308}', who="override"),
    Case(
        "gratuity-20-digits",
        "PATCH",
        "/orders/Outgoing/o1",
        {"Gratuity": "123456789012345678901"},
        who="override",
    ),
    Case("gratuity-11-places", "PATCH", "/orders/Outgoing/o1", {"Gratuity": "1.00000000001"}, who="override"),
    Case(
        "quantity-1e30",
        "POST",
        "/orders/Outgoing/o1/lineitems",
        raw=b'{"ProductID": "p", "Quantity": 1e30}',
        who="shopper",
    ),
    Case("filter-2000-alternatives", "GET", "/buyers", params={"ID": "|".join(["a"] * 2000)}),
    Case("filter-xp-1e400", "GET", "/buyers", params={"xp.a": ">1e400"}, code="List.InvalidType"),
    Case("filter-total-1e400", "GET", "/orders/All", params={"Total": "<-1e400"}, code="List.InvalidType"),
    # ---- invalid input that was accepted
    *[
        Case(f"address-no-{field}-{method}-{path}", method, path, without({**ADDRESS, "ID": "a9"}, field))
        for field in FULL
        for method, path in ADDRESS_ROUTES
    ],
    *[Case(f"me-address-no-{f}", "POST", "/me/addresses", without(ADDRESS, f), who="me") for f in FULL],
    Case("address-patch-street-null", "PATCH", "/buyers/b1/addresses/addr1", {"Street1": None}),
    Case("address-country-3", "POST", "/buyers/b1/addresses", {**ADDRESS, "Country": "USA"}),
    Case("webhook-no-url", "POST", "/webhooks", without(WEBHOOK, "Url")),
    Case("webhook-no-hashkey", "POST", "/webhooks", without(WEBHOOK, "HashKey")),
    Case("webhook-hashkey-51", "POST", "/webhooks", {**WEBHOOK, "HashKey": "k" * 51}),
    Case("webhook-description-2001", "POST", "/webhooks", {**WEBHOOK, "Description": "d" * 2001}),
    Case("webhook-configdata-string", "POST", "/webhooks", {**WEBHOOK, "ConfigData": "x"}),
    Case("event-type-enum", "POST", "/integrationEvents", {**EVENT, "EventType": "AAA"}),
    Case("event-configdata-string", "POST", "/integrationEvents", {**EVENT, "ConfigData": "x"}),
    Case("event-configdata-array", "POST", "/integrationEvents", {**EVENT, "ConfigData": [1]}),
    Case("event-configdata-number", "POST", "/integrationEvents", {**EVENT, "ConfigData": 5}),
    Case("event-hashkey-51", "POST", "/integrationEvents", {**EVENT, "HashKey": "k" * 51}),
    Case("apiclient-no-token-duration", "POST", "/apiclients", {"AppName": "x"}),
    Case("id-object", "POST", "/buyers", {"ID": {}, "Name": "x"}),
    Case("id-zero", "POST", "/buyers", {"ID": 0, "Name": "x"}),
    Case("id-false", "POST", "/buyers", {"ID": False, "Name": "x"}),
    Case("id-false-put", "PUT", "/buyers/b1", {"ID": False, "Name": "x"}),
    Case(
        "id-object-line", "POST", "/orders/Outgoing/o1/lineitems", {"ID": {}, "ProductID": "p"}, who="shopper"
    ),
    Case(
        "id-zero-payment",
        "POST",
        "/orders/Outgoing/o1/payments",
        {"ID": 0, "Type": "PurchaseOrder"},
        who="shopper",
    ),
    Case(
        "password-reuse-25",
        "POST",
        "/securityprofiles",
        {"Name": "p", "PasswordConfig": {"LimitPasswordReuse": 25}},
    ),
    Case(
        "password-lockout-1",
        "POST",
        "/securityprofiles",
        {"Name": "p", "PasswordConfig": {"LockoutDuration": 1}},
    ),
    Case(
        "password-min-chars-7",
        "POST",
        "/securityprofiles",
        {"Name": "p", "PasswordConfig": {"MinimumCharacterCount": 7}},
    ),
    Case(
        "terms-accepted-empty",
        "POST",
        "/buyers/b1/users",
        {"Username": "u9", "FirstName": "F", "LastName": "L", "Email": "e@x.com", "TermsAccepted": ""},
    ),
    Case(
        "quantity-2^64",
        "POST",
        "/orders/Outgoing/o1/lineitems",
        {"ProductID": "p", "Quantity": 2**64},
        who="shopper",
    ),
    Case("quantity-2^31", "PATCH", "/orders/Outgoing/o1/lineitems/l1", {"Quantity": 2**31}, who="shopper"),
    Case(
        "payment-amount-1e308",
        "POST",
        "/orders/Outgoing/o1/payments",
        raw=b'{"Type": "PurchaseOrder", "Amount": 1e308}',
        who="shopper",
    ),
    Case(
        "payment-amount-1e30",
        "POST",
        "/orders/Outgoing/o1/payments",
        raw=b'{"Type": "PurchaseOrder", "Amount": 1e30}',
        who="shopper",
    ),
    Case("shipping-negative", "PATCH", "/orders/Outgoing/o1", {"ShippingCost": -5}, who="override"),
    Case("tax-negative", "PATCH", "/orders/Outgoing/o1", {"TaxCost": "-0.01"}, who="override"),
    Case(
        "unit-price-negative", "PATCH", "/orders/Outgoing/o1/lineitems/l1", {"UnitPrice": -1}, who="override"
    ),
]


async def _tokens(world: World) -> dict[str, str]:
    return {
        "admin": world.api.admin_token,
        "shopper": await world.token("alice"),
        "override": await world.token("alice", "Shopper OverrideShipping OverrideTax OverrideUnitPrice"),
        "me": await world.token("alice", "Shopper MeAddressAdmin"),
    }


async def snapshot(api: Api) -> list[Any]:
    """Everything the database holds that a request could change."""
    from app.store.tables import outbox, resources

    async with api.services.db.reader() as conn:
        rows = [
            tuple(r) for r in await conn.execute(select(resources).order_by(resources.c.kind, resources.c.id))
        ]
        rows += [tuple(r) for r in await conn.execute(select(outbox))]
    return rows


@pytest.fixture
async def bad_world(world: World) -> World:
    api = world.api
    await cat.price_schedule(api, "ps", [(1, "10.00")])
    await cat.product(api, "p", schedule_id="ps")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p", 2, ID="l1")
    return world


async def test_refused_and_nothing_changed(bad_world: World) -> None:
    """One world for all cases (building one per case would cost minutes): the snapshot check
    after each case proves it left the world as it found it for the next."""
    api = bad_world.api
    tokens = await _tokens(bad_world)
    before = await snapshot(api)
    wrong: list[str] = []
    for case in CASES:
        response = await api.call(
            case.method, case.path, case.body, token=tokens[case.who], params=case.params, raw=case.raw
        )
        code = response.json()["Errors"][0]["ErrorCode"] if response.status_code >= 400 else None
        if response.status_code != 400 or code != case.code:
            wrong.append(f"{case.id}: {response.status_code} {response.text[:200]}")
        elif await snapshot(api) != before:
            wrong.append(f"{case.id}: 400 but the database changed")
            before = await snapshot(api)
    assert wrong == []


async def test_limits_leave_room_for_real_documents(bad_world: World) -> None:
    """The bounds refuse abuse, not what OrderCloud users send: xp nested 20 deep, 100 filter
    alternatives, 18-digit money with 10 decimals and a 2,000-character description pass."""
    api = bad_world.api
    deep = json.loads(nested(20))
    created = await api.ok("POST", "/buyers", {**deep, "ID": "deep"})
    assert created["xp"] == deep["xp"]
    page = await api.ok("GET", "/buyers", params={"ID": "|".join(["deep"] + ["x"] * 99)})
    assert [b["ID"] for b in page["Items"]] == ["deep"]
    big = "999999999999999999.9999999999"
    body = {"ID": "big", "Name": "big", "PriceBreaks": [{"Quantity": 1, "Price": big}]}
    await api.ok("POST", "/priceschedules", body)
    assert f'"Price":{big}' in (await api.get("/priceschedules/big")).text
    hook = await api.ok("POST", "/webhooks", {**WEBHOOK, "Description": "d" * 2000, "HashKey": "k" * 50})
    assert len(hook["Description"]) == 2000


async def test_ids_absent_null_or_empty_are_generated(api: Api) -> None:
    """Only a real ID is checked: absent, null and "" still mean "make one up", as in OrderCloud."""
    for body in ({"Name": "a"}, {"ID": None, "Name": "b"}, {"ID": "", "Name": "c"}):
        created = await api.ok("POST", "/buyers", body)
        assert isinstance(created["ID"], str) and len(created["ID"]) > 10


async def test_sign_in_with_nul_is_refused_alike(api: Api) -> None:
    """The password grant's form reaches a username lookup: a NUL is a 400 on both databases."""
    response = await api.token(f"admin{NUL}", "whatever")
    assert response.status_code == 400
    assert response.json()["Errors"][0]["ErrorCode"] == "ValidationFailure"
