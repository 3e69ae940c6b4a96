"""A randomized bad-input sweep over every implemented write route: bodies made of real
OrderCloud field names holding hostile values, hostile path IDs and list options. Whatever the
route does with them, it must never answer 5xx. Seeded, so a failure reproduces; bounded in
count and time (well under a minute per database)."""

from __future__ import annotations

import json
import os
import random
import re
import time
from typing import Any

import msgspec

from app.routes import all_routes
from tests.api.order_fixtures import ADDRESS, World
from tests.api.test_bad_input import bad_world  # noqa: F401  (the fixture)

# Override to hunt further: ORDERCORE_SWEEP_SEED=7 ORDERCORE_SWEEP_REQUESTS=5000 pytest ...
SEED = int(os.environ.get("ORDERCORE_SWEEP_SEED", "11"))
MAX_REQUESTS = int(os.environ.get("ORDERCORE_SWEEP_REQUESTS", "1200"))
MAX_SECONDS = float(os.environ.get("ORDERCORE_SWEEP_SECONDS", "40"))

# Path parameters filled with IDs that exist in `bad_world` (others get a plausible ID).
KNOWN = {
    "buyerID": "b1",
    "supplierID": "s1",
    "orderID": "o1",
    "lineItemID": "l1",
    "direction": "Outgoing",
    "productID": "p",
    "priceScheduleID": "ps",
    "addressID": "addr1",
    "userID": "alice",
}
# Routes that call out to configured URLs (middleware, channels) stay out: a random body could
# point them at a host that never answers. The table in test_bad_input.py covers their input.
SKIP = re.compile(r"/(webhooks|integrationEvents|channels?)\b|^DELETE ", re.IGNORECASE)

HOSTILE: list[Any] = [
    None,
    "",
    "\u0000",
    "a\u0000b",
    "x" * 5000,
    "NaN",
    "sNaN",
    "-Infinity",
    "1e400",
    0,
    -1,
    -5,
    2**31,
    2**63,
    2**64,
    -(2**63),
    True,
    False,
    [],
    [None],
    [{}],
    {},
    {"a": None},
    {"\u0000": 1},
    "2024-13-45T99:99:99Z",
    "../../etc/passwd",
    "' OR 1=1 --",
]
# Raw JSON numbers Python's json would not write.
RAW_NUMBERS = ["1e308", "-1e308", "1e30", "123456789012345678901234567890", "0.0000000000001", "1e-400"]
HOSTILE_PARAMS = [
    ("page", "9223372036854775808"),
    ("page", "-1"),
    ("pageSize", "100000"),
    ("search", "a\u0000"),
    ("sortBy", "!!ID"),
    ("ID", "|".join(["a"] * 500)),
    ("xp.a", ">1e400"),
    ("xp.a.b.c.d", "<-1e308"),
    ("Name", "*\u0000*"),
]


def write_routes() -> list[tuple[str, str]]:
    routes = []
    for handler in all_routes():
        verb, _, path = (handler.name or "").partition(" ")
        if verb in ("POST", "PUT", "PATCH") and not SKIP.search(f"{verb} {path}"):
            routes.append((verb, path))
    return sorted(set(routes))


def field_names() -> list[str]:
    """Every OrderCloud name a wire struct accepts: the fields a hostile body aims at."""
    import importlib
    import pkgutil

    import app.models

    names: set[str] = set()
    for info in pkgutil.iter_modules(app.models.__path__):
        for value in vars(importlib.import_module(f"app.models.{info.name}")).values():
            if isinstance(value, type) and issubclass(value, msgspec.Struct):
                names.update(f.encode_name for f in msgspec.structs.fields(value))
    return sorted(names)


# Valid bodies for the main route families: half the sweep spoils one field of one, so the
# hostile value gets past "missing required field" and reaches the code behind it.
TEMPLATES: list[tuple[re.Pattern[str], dict[str, Any]]] = [
    (re.compile(r"addresses(/\{addressID\})?$|/(shipto|billto|shipfrom)$"), dict(ADDRESS)),
    (re.compile(r"/lineitems(/\{lineItemID\})?$"), {"ProductID": "p", "Quantity": 1, "UnitPrice": 1}),
    (re.compile(r"/payments(/\{paymentID\})?$"), {"Type": "PurchaseOrder", "Amount": 1}),
    (re.compile(r"/priceschedules"), {"Name": "s", "PriceBreaks": [{"Quantity": 1, "Price": 1}]}),
    (
        re.compile(r"/orders/\{direction\}(/\{orderID\})?$"),
        {"ShippingCost": 1, "TaxCost": 1, "Comments": "c"},
    ),
    (
        re.compile(r"/users(/\{userID\})?$"),
        {"Username": "u", "FirstName": "f", "LastName": "l", "Email": "e@x"},
    ),
    (re.compile(r"/shipments(/\{shipmentID\})?$"), {"BuyerID": "b1", "Cost": 1, "DateShipped": "2024-01-01"}),
    (re.compile(r"/products(/\{productID\})?$"), {"Name": "p", "QuantityMultiplier": 1, "Inventory": {}}),
    (re.compile(r"."), {"ID": "z1", "Name": "n", "xp": {"a": 1}}),
]


def hostile_body(rng: random.Random, names: list[str], path: str) -> bytes:
    if rng.random() < 0.5:
        body = dict(next(t for pattern, t in TEMPLATES if pattern.search(path)))
        body[rng.choice([*body, *rng.sample(names, 3)])] = rng.choice(HOSTILE)
    else:
        body = {name: rng.choice(HOSTILE) for name in rng.sample(names, rng.randint(1, 5))}
    text = json.dumps(body)
    if rng.random() < 0.3:
        # A raw number JSON allows but Python would not produce, in place of one value.
        key = rng.choice(list(body))
        text = text.replace(f'"{key}": {json.dumps(body[key])}', f'"{key}": {rng.choice(RAW_NUMBERS)}', 1)
    return text.encode()


def fill(path: str, rng: random.Random) -> str:
    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if rng.random() < 0.15:
            return rng.choice(["%00", "a%00b", "x" * 150, "%ED%A0%80", "..%2F..", "%20"])
        return KNOWN.get(name, "x1")

    return re.sub(r"{(\w+)}", value, path)


async def test_no_write_route_answers_5xx(bad_world: World) -> None:  # noqa: F811
    api = bad_world.api
    rng = random.Random(SEED)
    routes = write_routes()
    names = field_names()
    assert len(routes) > 100  # the sweep really covers the write API
    deadline = time.monotonic() + MAX_SECONDS
    failures: list[str] = []
    sent = 0
    seen: dict[int, int] = {}
    while sent < MAX_REQUESTS and time.monotonic() < deadline:
        verb, template = rng.choice(routes)
        path = fill(template, rng)
        raw = hostile_body(rng, names, template)
        params = [rng.choice(HOSTILE_PARAMS)] if rng.random() < 0.2 else None
        response = await api.call(verb, path, raw=raw, params=params)
        sent += 1
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        if response.status_code >= 500 or (response.status_code >= 400 and "Errors" not in response.json()):
            failures.append(
                f"{verb} {path} {raw[:300]!r} {params} -> {response.status_code} {response.text[:200]}"
            )
    assert sent >= 200, f"only {sent} requests in {MAX_SECONDS}s"
    print(f"{sent} requests, statuses {sorted(seen.items())}")
    assert failures == []
