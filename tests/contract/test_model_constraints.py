"""The wire structs (app/models) against OrderCloud's official OpenAPI document: every writable
property a struct declares carries the contract's maxLength, enum, minimum/maximum and type, and
every property the contract requires on create is required by the struct. The code and the
contract cannot drift apart: change one and this test names the field."""

from __future__ import annotations

import copy
import importlib
import pkgutil
from functools import cache
from typing import Any

import msgspec
import msgspec.inspect as mi
import pytest

import app.models
from app.contract.document import official

# Where ordercore knowingly differs from the document, and why (docs/validation.md).
_DOMAIN = "checked by the domain with OrderCloud's specific error code"
EXCEPTIONS: dict[tuple[str, str, str], str] = {
    ("User", "Active", "required"): "the SDK tests and seeding templates omit it; false is the default",
    ("SellerApprovalRule", "ApprovalType", "enum"): "seller approval is implemented for returns only",
    ("CategoryAssignment", "BuyerID", "required"): _DOMAIN + " (Category.NoBuyer)",
    ("LineItem", "Quantity", "required"): "Cart.CreateLineItem without Quantity adds one",
    ("ProductFacet", "MinCount", "required"): "OrderCloud's documented default (1) when omitted",
    ("LineItem", "Quantity", "min"): _DOMAIN + " (LineItem.QuantityMustBePositive)",
    ("PriceSchedule", "MinQuantity", "min"): _DOMAIN + " (PriceSchedule.MinQtyMustBePositive)",
    ("PriceSchedule", "SaleStart", "date-time"): _DOMAIN + " (PriceSchedule.InvalidSaleStartOrSaleEnd)",
    ("PriceSchedule", "SaleEnd", "date-time"): _DOMAIN + " (PriceSchedule.InvalidSaleStartOrSaleEnd)",
    (
        "Promotion",
        "ValueExpression",
        "required",
    ): "UseIntegration promotions take their value from middleware",
    ("PaymentTransaction", "DateExecuted", "required"): "stamped with the time of recording when absent",
    ("Locale", "Currency", "required"): "User.Locale (app.models.orgs) is computed, never sent; "
    "the /locales struct (app.models.config) requires it",
}


@cache
def spec() -> dict[str, Any]:
    return copy.deepcopy(official())


def _ref(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return spec()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]  # type: ignore[no-any-return]
    return schema


@cache
def structs() -> dict[str, type[msgspec.Struct]]:
    found: dict[str, type[msgspec.Struct]] = {}
    for info in pkgutil.iter_modules(app.models.__path__):
        module = importlib.import_module(f"app.models.{info.name}")
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, msgspec.Struct)
                and value.__module__ == module.__name__
            ):
                found[name] = value
    return found


@cache
def required_on_create() -> dict[str, set[str]]:
    """Schema name -> the properties a POST or PUT body must carry (the spec states these per
    operation, in `allOf` + `required`)."""
    out: dict[str, set[str]] = {}
    for item in spec()["paths"].values():
        for verb, op in item.items():
            body = (
                (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            if verb not in ("post", "put") or "allOf" not in body:
                continue
            name = body["allOf"][0]["$ref"].rsplit("/", 1)[-1]
            out.setdefault(name, set()).update(body.get("required", []))
    return out


@cache
def writable_schemas() -> set[str]:
    """Schemas a request body carries, and those nested in their writable properties."""
    names = {n for n in required_on_create()}
    for item in spec()["paths"].values():
        for op in item.values():
            body = (
                (op.get("requestBody") or {}).get("content", {}).get("application/json", {}).get("schema", {})
            )
            ref = (body.get("allOf") or [body])[0].get("$ref")
            if ref:
                names.add(ref.rsplit("/", 1)[-1])
    todo = list(names)
    while todo:
        for raw in spec()["components"]["schemas"][todo.pop()].get("properties", {}).values():
            if raw.get("readOnly"):
                continue
            ref = raw.get("$ref") or (raw.get("items") or {}).get("$ref")
            target = ref.rsplit("/", 1)[-1] if ref else None
            if target and target not in names and "properties" in spec()["components"]["schemas"][target]:
                names.add(target)
                todo.append(target)
    return names


def shared_models() -> list[str]:
    return sorted(name for name in structs() if name in writable_schemas())


def _strip_none(t: Any) -> Any:
    if isinstance(t, mi.UnionType):
        rest = [x for x in t.types if not isinstance(x, mi.NoneType)]
        return rest[0] if len(rest) == 1 else t
    return t


def _problems(model: str) -> list[str]:
    schema = spec()["components"]["schemas"][model]
    info = mi.type_info(structs()[model])
    assert isinstance(info, mi.StructType)
    fields = {f.encode_name: f for f in info.fields}
    problems: list[str] = []
    for prop in sorted(required_on_create().get(model, set())):
        # A required property the struct does not declare at all is not accepted from callers.
        f = fields.get(prop)
        if f is not None and not f.required and (model, prop, "required") not in EXCEPTIONS:
            problems.append(f"{model}.{prop}: required by the contract, optional in the struct")
    for prop, raw in schema.get("properties", {}).items():
        f = fields.get(prop)
        if f is None or raw.get("readOnly"):
            continue  # not accepted from callers (unknown fields are ignored), or server-computed
        problems.extend(
            p
            for p in _property_problems(model, prop, _ref(raw), _strip_none(f.type))
            if not any(
                (model, prop, kind) in EXCEPTIONS for kind in ("enum", "min", "date-time") if f": {kind}" in p
            )
        )
    return problems


def _property_problems(model: str, prop: str, want: dict[str, Any], have: Any) -> list[str]:
    where = f"{model}.{prop}"
    kind = want.get("type")
    if "enum" in want:
        # SDK 12 is newer than the document and may add values (IntegrationEvent `AddToCart`).
        if not isinstance(have, mi.LiteralType) or not set(want["enum"]) <= set(have.values):
            return [f"{where}: enum {want['enum']} but the struct has {have}"]
        return []
    if kind == "string":
        if want.get("format") == "date-time":
            ok = isinstance(have, mi.DateTimeType) or (isinstance(have, mi.StrType) and have.pattern)
            return [] if ok else [f"{where}: date-time not checked ({have})"]
        if not isinstance(have, mi.StrType):
            return [f"{where}: string in the contract, {have} in the struct"]
        # Where the document states no maxLength ordercore may bound (IDs: 100, HashKey: 50).
        if "maxLength" in want and have.max_length != want["maxLength"]:
            return [f"{where}: maxLength {want.get('maxLength')} but the struct has {have.max_length}"]
        return []
    if kind == "integer":
        if not isinstance(have, mi.IntType):
            return [f"{where}: integer in the contract, {have} in the struct"]
        stated = [
            (w, h)
            for w, h in ((want.get("minimum"), have.ge), (want.get("maximum"), have.le))
            if w is not None
        ]
        if any(w != h for w, h in stated):
            return [f"{where}: min/max {want.get('minimum')}/{want.get('maximum')} but {have.ge}/{have.le}"]
        return []
    if kind == "number":
        return (
            []
            if isinstance(have, mi.DecimalType | mi.IntType)
            else [f"{where}: number, {have} in the struct"]
        )
    if kind == "boolean":
        return [] if isinstance(have, mi.BoolType) else [f"{where}: boolean, {have} in the struct"]
    if kind == "array":
        return [] if isinstance(have, mi.ListType) else [f"{where}: array, {have} in the struct"]
    if kind == "object":
        ok = isinstance(have, mi.DictType | mi.StructType)
        return [] if ok else [f"{where}: object, {have} in the struct"]
    return []


def test_the_contract_is_loaded() -> None:
    assert spec()["info"]["title"] and len(shared_models()) > 50


@pytest.mark.parametrize("model", shared_models())
def test_struct_matches_contract(model: str) -> None:
    assert _problems(model) == []
