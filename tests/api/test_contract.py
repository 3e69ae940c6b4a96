"""The contract test: schemathesis generates requests for every operation ordercore serves from
ordercore's own OpenAPI document, which is OrderCloud's published document (v1.0.239) restricted
to the implemented operations, plus the SDK-only operations and ordercore's marked extensions
(app/contract). It runs in-process (ASGI, the test's event loop) on each test database, as the
seller admin (FullAccess) and, for `/me` and `/cart`, as a buyer user with Shopper and MeAdmin.

Checks, per generated request:
- positive data (valid by the contract): no 5xx, and the answer conforms to the response schema
  of its status where the document declares one. Every response property is treated as nullable:
  OrderCloud answers `null` for unset fields its schemas declare non-nullable (the spec's quirk).
- negative data (violating the contract): no 5xx either; with
  `ORDERCORE_CONTRACT_NEGATIVE_REJECTION=1` also a 4xx for every invalid input.
- not vacuous: no 401 (the tokens held) and a few hundred 2xx answers.

Bounded and deterministic: `derandomize=True`, no example database, no shrinking, 2 examples per
operation and mode (`ORDERCORE_CONTRACT_EXAMPLES`), generated once and replayed on each database.
`ORDERCORE_CONTRACT_ONLY=/buyers` limits the run to paths containing that text.

Left out, and why (also in docs/contract.md):
- `GET /v1/openapi/v3`, `GET /v1/openapi.json`, `GET /v1/docs`: they describe the API;
  tests/api/test_openapi.py validates them, and fuzzing them only re-downloads the document.
- `POST /oauth/token`: form-encoded credentials, not the JSON contract; tests/api/test_auth.py
  covers its refusals.
- Every 5xx fails (NUL characters are refused with 400 by the validation layer).
- The 4xx-for-negative-data check is off by default (`ORDERCORE_CONTRACT_NEGATIVE_REJECTION=1`
  turns it on): it still finds `GET /me/categories` accepting a `sortBy` outside OrderCloud's
  list (docs/contract.md).
- Undocumented status codes are not flagged: OrderCloud's document declares only each operation's
  success answer, never its 400/401/403/404.
"""

from __future__ import annotations

import asyncio
import copy
import os
from collections import Counter
from collections.abc import Callable
from typing import Any

import httpx
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import negative_data_rejection, response_schema_conformance

from app.contract.document import build
from tests.api.storefront_setup import PASSWORD, STOREFRONT, add_buyer, add_shopper, enable_storefront
from tests.conftest import ADMIN_PASSWORD, Backend
from tests.helpers import Api

EXAMPLES = int(os.environ.get("ORDERCORE_CONTRACT_EXAMPLES", "2"))
NEGATIVE_REJECTION = os.environ.get("ORDERCORE_CONTRACT_NEGATIVE_REJECTION", "") == "1"
# Only operations whose path contains this (to iterate on one resource; CI runs them all).
ONLY = os.environ.get("ORDERCORE_CONTRACT_ONLY", "")
BASE = "http://testserver"
SKIPPED = {
    ("GET", "/openapi/v3"),
    ("GET", "/openapi.json"),
    ("GET", "/docs"),
    ("POST", "/oauth/token"),
}
SHOPPER = "contract-shopper"
BUYER = "contract-buyer"


NULLABLE = "Nullable_"


def nullable_everywhere(node: Any) -> Any:
    """Every property may be null (OrderCloud's answers carry nulls its schemas do not declare);
    references lead to the nullable copies of the components."""
    if isinstance(node, dict):
        out = {k: nullable_everywhere(v) for k, v in node.items()}
        if isinstance(out.get("$ref"), str):
            out["$ref"] = out["$ref"].replace("#/components/schemas/", "#/components/schemas/" + NULLABLE)
        if isinstance(out.get("properties"), dict):
            out["properties"] = {name: _nullable(s) for name, s in out["properties"].items()}
        return out
    if isinstance(node, list):
        return [nullable_everywhere(v) for v in node]
    return node


def _nullable(schema: Any) -> Any:
    if not isinstance(schema, dict):
        return schema
    if "$ref" in schema:
        return {"allOf": [schema], "nullable": True}
    return {**schema, "nullable": True}


def contract_document(doc: dict[str, Any]) -> dict[str, Any]:
    """The served document with nullable responses. Requests keep the strict schemas (generating
    from the nullable copies would be slower and no more useful)."""
    out = copy.deepcopy(doc)
    schemas = out["components"]["schemas"]
    schemas.update({NULLABLE + name: nullable_everywhere(s) for name, s in list(schemas.items())})
    for item in out["paths"].values():
        for verb, op in item.items():
            if verb != "servers":
                op["responses"] = nullable_everywhere(op["responses"])
    return out


Send = Callable[[Any], httpx.Response]


def modes_for(operation: Any) -> tuple[GenerationMode, ...]:
    """Negative data needs something to violate: an operation whose only inputs are free-form
    string path parameters (most GET and DELETE by ID) has none."""
    definition = operation.definition.raw
    has_body = "requestBody" in definition
    constrained = any(
        p.get("in") != "path" or p.get("schema", {}) != {"type": "string"}
        for p in definition.get("parameters", [])
    )
    if has_body or constrained:
        return (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
    return (GenerationMode.POSITIVE,)


Generated = list[tuple[Any, GenerationMode]]
# Generation costs far more than sending, and is deterministic: done once, replayed on each database.
_GENERATED: dict[str, Generated] = {}


def generated_cases(doc: dict[str, Any]) -> Generated:
    version = doc["info"]["version"]
    if version not in _GENERATED:
        schema = schemathesis.openapi.from_dict(contract_document(doc))
        operations = sorted(
            (r.ok() for r in schema.get_all_operations()), key=lambda op: (op.path.lower(), op.method)
        )
        cases: Generated = []
        for operation in operations:
            if (operation.method.upper(), operation.path) not in SKIPPED and ONLY in operation.path:
                for mode in modes_for(operation):
                    cases.extend((case, mode) for case in draw(operation, mode))
        _GENERATED[version] = cases
    return _GENERATED[version]


def draw(operation: Any, mode: GenerationMode) -> list[Any]:
    """`EXAMPLES` requests for one operation in one mode."""
    cases: list[Any] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def collect(case: Any) -> None:
        cases.append(case)

    try:
        collect()
    except Unsatisfiable:
        # Nothing in this operation's input can be made invalid: no negative data to send.
        assert mode is GenerationMode.NEGATIVE
    return cases


def check(case: Any, mode: GenerationMode, response: httpx.Response) -> str | None:
    """The failure, described, or None."""
    checks = [not_a_server_error]
    if mode is GenerationMode.POSITIVE:
        checks.append(response_schema_conformance)
    elif NEGATIVE_REJECTION:
        checks.append(negative_data_rejection)
    try:
        case.validate_response(response, checks=checks)
    except (Exception, BaseExceptionGroup) as exc:  # schemathesis raises a group of failures
        request = f"{case.method} {case.formatted_path} query={case.query} body={_short(case.body)}"
        return f"{case.operation.label} [{mode.value}] {request}\n  -> {_short(str(exc), 600)}"
    return None


def _short(value: Any, limit: int = 200) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= limit else text[:limit] + "..."


async def _tokens(api: Api) -> dict[str, str]:
    """Fresh tokens; the shopper is made able to sign in again first (a generated `PATCH /me`
    may have changed its password or deactivated it, which is its right)."""
    admin = await api.login("admin", ADMIN_PASSWORD)
    api.admin_token = admin
    repair = {"Password": PASSWORD, "Active": True, "Username": SHOPPER}
    await api.call("PATCH", f"/buyers/{BUYER}/users/{SHOPPER}", repair)
    shopper = await api.login(SHOPPER, PASSWORD, client_id=STOREFRONT)
    return {"admin": admin, "shopper": shopper}


async def test_every_operation_honours_the_contract(
    api: Api, backend_name: str, _backends: dict[str, Backend]
) -> None:
    await enable_storefront(api)
    await add_buyer(api, BUYER)
    await add_shopper(api, BUYER, SHOPPER)
    app = _backends[backend_name].app()
    doc = build(app, BASE)
    root_paths = {path for path, item in doc["paths"].items() if "servers" in item}
    loop = asyncio.get_running_loop()
    tokens: dict[str, str] = {}

    def on_loop(coro: Any) -> Any:
        # Hypothesis runs in a worker thread; the app and its database pool live on this loop.
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout=60)

    def send(case: Any) -> httpx.Response:
        path = case.operation.path
        # `/me` and its subpaths, not every path that starts with those letters (`/messagesenders`).
        who = "shopper" if path == "/me" or path.startswith(("/me/", "/cart")) else "admin"
        prefix = "" if path in root_paths else "/v1"
        kwargs = case.as_transport_kwargs(base_url=BASE + prefix)
        kwargs["headers"]["Authorization"] = f"Bearer {tokens[who]}"
        request: dict[str, Any] = {
            "method": kwargs["method"],
            "url": kwargs["url"],
            "headers": kwargs["headers"],
            "params": kwargs.get("params"),
        }
        if "json" in kwargs:
            request["json"] = kwargs["json"]
        elif "data" in kwargs:
            request["content" if isinstance(kwargs["data"], (bytes, str)) else "data"] = kwargs["data"]
        return on_loop(api.client.request(**request))  # type: ignore[no-any-return]

    statuses: Counter[int] = Counter()

    def run_all() -> list[str]:
        failures: list[str] = []
        previous = ""
        for case, mode in generated_cases(doc):
            path = case.operation.path
            revoking = previous.startswith("/me") or previous.endswith("/tokens")
            if not tokens or (path != previous and revoking):
                # Fresh tokens after anything that may have revoked them (`DELETE /me/tokens`).
                tokens.update(on_loop(_tokens(api)))
            previous = path
            response = send(case)
            statuses[response.status_code] += 1
            failure = check(case, mode, response)
            if failure is not None:
                failures.append(failure)
        return failures

    failures = await asyncio.to_thread(run_all)
    assert not failures, f"{len(failures)} contract failures:\n" + "\n".join(failures)
    # Not vacuous: the tokens were accepted throughout and requests got past validation to work.
    assert statuses[401] == 0, statuses
    assert sum(n for code, n in statuses.items() if 200 <= code < 300) > (10 if ONLY else 100), statuses
