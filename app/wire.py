"""OrderCloud wire conventions: field names, JSON encoding, IDs and body decoding.

Documents are kept as plain dicts with OrderCloud's PascalCase keys and `Decimal` money; the
msgspec structs in `app/models/` exist to validate what callers send, not to carry state.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, TypeVar

import msgspec

from domain.errors import ValidationFailed

ID_PATTERN = r"^[A-Za-z0-9_-]{1,100}$"
_ID_RE = re.compile(ID_PATTERN)

# Every ID a caller may send: OrderCloud allows these characters only, at most 100 of them.
WireID = Annotated[str, msgspec.Meta(pattern=ID_PATTERN, max_length=100)]

_ACRONYMS = {"id": "ID", "xp": "xp"}


def oc_name(field: str) -> str:
    """snake_case field -> OrderCloud name: `buyer_id` -> `BuyerID`, `xp` stays `xp`."""
    if field in _ACRONYMS:
        return _ACRONYMS[field]
    return "".join(_ACRONYMS.get(part, part[:1].upper() + part[1:]) for part in field.split("_"))


class Wire(msgspec.Struct, rename=oc_name, kw_only=True):
    """Base of every wire struct: OrderCloud names, unknown fields ignored (as OrderCloud does)."""


_encoder = msgspec.json.Encoder(decimal_format="number")
_decoder = msgspec.json.Decoder(float_hook=Decimal)


def encode(obj: Any) -> bytes:
    return _encoder.encode(obj)


def decode_json(raw: bytes) -> Any:
    """Parse JSON with every non-integer number as an exact Decimal."""
    try:
        return _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise ValidationFailed(f"Malformed JSON: {exc}", "InvalidJson") from exc


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


T = TypeVar("T")


def validate(doc: Any, typ: type[T]) -> T:
    """Check plain data against a wire struct; the error names the offending field."""
    try:
        return msgspec.convert(doc, typ, strict=False, builtin_types=(Decimal, datetime))
    except msgspec.ValidationError as exc:
        message = str(exc)
        field = None
        if "at `$." in message:
            field = message.rsplit("at `$.", 1)[-1].rstrip("`")
        elif "missing required field `" in message:
            field = message.split("missing required field `", 1)[1].split("`", 1)[0]
        raise ValidationFailed(message, "ValidationFailure", {"Field": field}) from exc


def to_doc(obj: Any) -> Any:
    """A validated struct back to plain data, keeping Decimal and datetime values."""
    return msgspec.to_builtins(obj, builtin_types=(Decimal, datetime))
