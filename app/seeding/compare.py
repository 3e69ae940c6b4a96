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
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

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


def same_record(wanted: dict[str, Any], stored: dict[str, Any]) -> bool:
    """`stored` has every field of `wanted` with the same value (the rules above)."""
    return same_value(wanted, stored)
