"""When a file's record and a stored one are "the same" (docs/migration.md, "Idempotency" and
"Normalization"): the one rule import uses to skip a record, and tests use to compare an export
with the file it came from.

- Only the fields the file's record has are compared: a file written by an older OrderCloud (or
  by hand) lacks fields added since, and the server fills those with their defaults.
- The same holds inside nested objects and lists of objects (`Inventory`, a variant's `Specs`),
  except `xp`, which is the seller's own data and compared whole.
- Numbers compare by value (`10`, `10.0` and Decimal("10.00") are one price).
- A secret the tool redacted (`<Redacted. Leave unchanged.>`) equals any stored value.
- Server stamps (`DateCreated`, `LastUpdated`, `PasswordLastSetDate`, ...) are the server's:
  they are never compared.
- Fields that are not properties of the section's OpenAPI model (`Variants` inside a product,
  `BuyerID` inside a user: the tool's parent reference) are not compared: OrderCloud ignores them.
- To decide whether an import changes a record, read-only properties (`VariantCount`,
  `AvailableRoles`, ...) are not compared either: no write can change them.
"""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from app.contract.document import official
from app.seeding.sections import REDACTED

# Set by the server when a record is written, whatever the request said.
STAMPS = frozenset({"DateCreated", "LastUpdated", "PasswordLastSetDate", "LastActive", "DateLastUpdated"})


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return None
    return Decimal(str(value))


def same_value(wanted: Any, stored: Any, *, exact: bool = False) -> bool:
    if wanted == REDACTED:
        return True
    a, b = _number(wanted), _number(stored)
    if a is not None and b is not None:
        return a == b
    if isinstance(wanted, dict) and isinstance(stored, dict):
        if exact and set(wanted) != set(stored):
            return False
        return all(
            key in STAMPS or same_value(value, stored.get(key), exact=exact or key == "xp")
            for key, value in wanted.items()
        )
    if isinstance(wanted, list) and isinstance(stored, list):
        return len(wanted) == len(stored) and all(
            same_value(w, s, exact=exact) for w, s in zip(wanted, stored, strict=True)
        )
    return bool(wanted == stored) and type(wanted) is type(stored)


@cache
def model_properties(model: str) -> tuple[frozenset[str], frozenset[str]] | None:
    """(writable, read-only) properties of an OpenAPI model; None for a model it lacks."""
    schema = official()["components"]["schemas"].get(model)
    if schema is None:
        return None
    props = schema.get("properties", {})
    read_only = frozenset(k for k, v in props.items() if v.get("readOnly"))
    return frozenset(props) - read_only, read_only


def _fields(model: str, record: dict[str, Any], *, read_only: bool) -> dict[str, Any]:
    known = model_properties(model)
    if known is None:
        return record
    writable, readonly = known
    keep = writable | readonly if read_only else writable
    return {k: v for k, v in record.items() if k in keep}


def unchanged(model: str, wanted: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Import's rule: writing `wanted` would not change `stored`."""
    return same_value(_fields(model, wanted, read_only=False), stored)


def equivalent(model: str, wanted: dict[str, Any], stored: dict[str, Any]) -> bool:
    """Round trip's rule: `stored` reads back as `wanted` (read-only properties included)."""
    return same_value(_fields(model, wanted, read_only=True), stored)
