"""OrderCloud wire conventions: field names, JSON encoding, IDs and body decoding.

Documents are kept as plain dicts with OrderCloud's PascalCase keys and `Decimal` money; the
msgspec structs in `app/models/` exist to validate what callers send, not to carry state.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from functools import cache
from typing import Annotated, Any, TypeVar, get_args, get_origin

import msgspec

from domain.errors import ValidationFailed

ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
_ID_RE = re.compile(ID_PATTERN)

# Every ID a caller may send: OrderCloud allows these characters only, at most 100 of them.
WireID = Annotated[str, msgspec.Meta(pattern=ID_PATTERN, max_length=100)]

# `ids` too: `payment_ids` is `PaymentIDs` on the wire, never a stray `PaymentIds`.
_ACRONYMS = {"id": "ID", "ids": "IDs", "xp": "xp"}


def oc_name(field: str) -> str:
    """snake_case field -> OrderCloud name: `buyer_id` -> `BuyerID`, `payment_ids` -> `PaymentIDs`,
    `xp` stays `xp`."""
    if field in _ACRONYMS:
        return _ACRONYMS[field]
    return "".join(_ACRONYMS.get(part, part[:1].upper() + part[1:]) for part in field.split("_"))


class Wire(msgspec.Struct, rename=oc_name, kw_only=True):
    """Base of every wire struct: OrderCloud names, unknown fields ignored (as OrderCloud does)."""


_encoder = msgspec.json.Encoder(decimal_format="number")
_decoder = msgspec.json.Decoder(float_hook=Decimal)


class NoContent(msgspec.Struct, frozen=True):
    """A handler returns this for 204 answers (`app.http.NO_CONTENT`)."""


NO_CONTENT = NoContent()


def encode(obj: Any) -> bytes:
    return _encoder.encode(obj)


def decode_json(raw: bytes) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal, refusing what no field of
    ours may hold (see `check_value`): the refusal comes before any storage call sees it."""
    try:
        data = _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise ValidationFailed(f"Malformed JSON: {exc}", "InvalidJson") from exc
    except RecursionError:
        # msgspec stops at the interpreter's recursion limit instead of blowing the C stack.
        raise too_deep("$") from None
    check_value(data)
    return data


# ----------------------------------------------------------------------------- bounds
# Documented in docs/validation.md. Every JSON body passes `check_value`; every struct
# validated by `validate` additionally passes `_check_struct` (money and int32 bounds).

MAX_DEPTH = 32
# JSON numbers the official SDK (JavaScript doubles) and both databases can carry.
MAX_JSON_INT = 2**63 - 1
MAX_JSON_NUMBER = Decimal("1e300")
# Typed number fields: OrderCloud's integers are int32; money and other decimals keep at most
# 18 integer digits and 10 decimal places, so Decimal arithmetic (28 significant digits) is exact.
INT32_MAX = 2**31 - 1
MAX_DECIMAL = Decimal(10) ** 18
MAX_DECIMAL_PLACES = 10


class NonNegative:
    """Marks a number field that may not go below zero: `Annotated[Decimal, NON_NEGATIVE]`
    (msgspec has no `ge` for Decimal, so `_check_struct` enforces it)."""


NON_NEGATIVE = NonNegative()
# NUL and UTF-16 surrogates: PostgreSQL text/jsonb cannot store them, so neither database may.
_BAD_CHARS = re.compile("[\x00\ud800-\udfff]")


def too_deep(field: str) -> ValidationFailed:
    return ValidationFailed(
        f"JSON is nested deeper than {MAX_DEPTH} levels", "ValidationFailure", {"Field": field}
    )


def invalid_value(field: str, message: str, value: Any = None) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", "ValidationFailure", {"Field": field, "Value": value})


def check_text(value: str, field: str) -> str:
    """A string any database can store: no NUL, no lone surrogate."""
    if _BAD_CHARS.search(value):
        raise invalid_value(field, "contains a character that cannot be stored (NUL or a lone surrogate)")
    return value


def check_value(data: Any, field: str = "$", depth: int = 0) -> None:
    """Every string storable, nesting at most MAX_DEPTH, every number within JSON's portable range."""
    if isinstance(data, str):
        check_text(data, field)
    elif isinstance(data, bool) or data is None:
        return
    elif isinstance(data, int):
        if abs(data) > MAX_JSON_INT:
            raise invalid_value(field, "number out of range", str(data))
    elif isinstance(data, Decimal):
        if not data.is_finite() or abs(data) > MAX_JSON_NUMBER:
            raise invalid_value(field, "number out of range", str(data))
    elif isinstance(data, dict | list):
        if depth >= MAX_DEPTH:
            raise too_deep(field)
        if isinstance(data, dict):
            for key, item in data.items():
                name = key if field == "$" else f"{field}.{key}"
                check_text(key, name)
                check_value(item, name, depth + 1)
        else:
            for i, item in enumerate(data):
                check_value(item, f"{field}[{i}]", depth + 1)


def new_id() -> str:
    """22 URL-safe characters, like the IDs OrderCloud generates."""
    return secrets.token_urlsafe(16)


def check_id(value: Any, field: str = "ID") -> str:
    if not isinstance(value, str) or not _ID_RE.match(value):
        raise ValidationFailed(
            f"{field} can only contain characters Aa-Zz, 0-9, -, and _ (at most 100)",
            "ValidationFailure",
            {"Field": field, "Value": value},
        )
    return value


def _absent(value: Any) -> bool:
    return value is None or value == ""


def id_or_new(data: dict[str, Any], make: Callable[[], str] | None = None) -> str:
    """The ID a caller gave (checked), or a new one (`make()`, else `new_id()`) when it is absent,
    null or "" (OrderCloud generates it then). `{}`, `0` or `false` are refused, never silently
    replaced."""
    value = data.get("ID")
    return (make or new_id)() if _absent(value) else check_id(value)


def new_guid() -> str:
    """A lowercase GUID, the form OrderCloud generates for `ApiClient.ID`."""
    return str(uuid.uuid4())


def id_or(data: dict[str, Any], current: str) -> str:
    """As `id_or_new`, keeping `current` (the path's ID) when the body gives none."""
    value = data.get("ID")
    return current if _absent(value) else check_id(value)


T = TypeVar("T")


def validate(doc: Any, typ: type[T]) -> T:
    """Check plain data against a wire struct; the error names the offending field."""
    try:
        result = msgspec.convert(doc, typ, strict=False, builtin_types=(Decimal, datetime))
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = None
        if "at `$." in message:
            field = message.rsplit("at `$.", 1)[-1].rstrip("`")
        elif "missing required field `" in message:
            field = message.split("missing required field `", 1)[1].split("`", 1)[0]
        raise ValidationFailed(message, "ValidationFailure", {"Field": field}) from exc
    _check_struct(result, "")
    return result


def _check_struct(value: Any, field: str) -> None:
    """Bounds msgspec's `Meta` cannot state: Decimal fields (no `ge`/`le` on Decimal) finite and
    within MAX_DECIMAL / MAX_DECIMAL_PLACES, int fields within int32 (OrderCloud's integers)
    unless a `Meta` says tighter. Free-form dicts (xp, ConfigData) were bounded by `check_value`."""
    if isinstance(value, msgspec.Struct):
        for attr, encode_name, non_negative in _checked_fields(type(value)):
            name = f"{field}.{encode_name}" if field else encode_name
            item = getattr(value, attr)
            _check_struct(item, name)
            if non_negative and isinstance(item, Decimal | int) and item < 0:
                raise invalid_value(name, "must not be negative", str(item))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _check_struct(item, f"{field}[{i}]")
    elif isinstance(value, bool):
        return
    elif isinstance(value, int):
        if not -INT32_MAX - 1 <= value <= INT32_MAX:
            raise invalid_value(field, f"must be between {-INT32_MAX - 1} and {INT32_MAX}", value)
    elif isinstance(value, Decimal):
        check_decimal(value, field)
    elif isinstance(value, str):
        check_text(value, field)


@cache
def _checked_fields(struct: type[msgspec.Struct]) -> tuple[tuple[str, str, bool], ...]:
    """(attribute, wire name, NonNegative) of a struct's fields, once per struct type: msgspec
    resolves the type hints on every `structs.fields` call (~5 % of a checkout's CPU)."""
    return tuple((f.name, f.encode_name, _non_negative(f.type)) for f in msgspec.structs.fields(struct))


def _non_negative(tp: Any) -> bool:
    if get_origin(tp) is Annotated:
        return any(isinstance(m, NonNegative) for m in get_args(tp)[1:])
    return any(_non_negative(arg) for arg in get_args(tp))


def check_decimal(value: Decimal, field: str) -> Decimal:
    """A decimal that Decimal arithmetic and both databases keep exactly (docs/validation.md)."""
    if not value.is_finite():
        raise invalid_value(field, "must be a finite number", str(value))
    if abs(value) >= MAX_DECIMAL:
        raise invalid_value(field, f"must be less than {MAX_DECIMAL:,} in magnitude", str(value))
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and exponent < -MAX_DECIMAL_PLACES:
        raise invalid_value(field, f"may have at most {MAX_DECIMAL_PLACES} decimal places", str(value))
    return value


def to_doc(obj: Any) -> Any:
    """A validated struct back to plain data, keeping Decimal and datetime values."""
    return msgspec.to_builtins(obj, builtin_types=(Decimal, datetime))


def merge_patch(target: Mapping[str, Any] | None, patch: Mapping[str, Any]) -> dict[str, Any]:
    """OrderCloud PATCH: objects merge recursively (xp included), anything else replaces."""
    out = dict(target or {})
    for key, value in patch.items():
        current = out.get(key)
        if isinstance(value, Mapping) and isinstance(current, Mapping):
            out[key] = merge_patch(current, value)
        else:
            out[key] = value
    return out


def public(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What callers see of a stored document: keys starting with `_` are server-private."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}
