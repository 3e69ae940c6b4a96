"""Keeping card numbers out: ordercore stores a card's token and last digits, never the number
(PAN) or its security code, so no request may carry them, whatever field they hide in."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from domain.errors import ValidationFailed

CARD_DATA_KEYS = frozenset(
    {"cardnumber", "creditcardnumber", "accountnumber", "number", "pan", "cvv", "cvc", "cvv2", "securitycode"}
)
# 13 to 19 digits, optionally grouped by spaces or dashes: the shapes a PAN is written in.
_PAN_RE = re.compile(r"(?<!\d)(?:\d[ -]?){12,18}\d(?!\d)")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def contains_pan(text: str) -> bool:
    """True when `text` holds a Luhn-valid 13-19 digit number (tokens and dates do not pass)."""
    for match in _PAN_RE.finditer(text):
        digits = re.sub(r"[ -]", "", match.group())
        if 13 <= len(digits) <= 19 and luhn_ok(digits):
            return True
    return False


def _strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield from _strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _strings(item, f"{path}[{i}]")


def refuse_card_data(body: Mapping[str, Any]) -> None:
    """Refuse a body naming a card-number or security-code field, or holding a card number in any
    string (xp included)."""
    named = sorted(k for k in body if k.lower() in CARD_DATA_KEYS)
    hidden = sorted(path for path, text in _strings(body, "") if contains_pan(text))
    if named or hidden:
        raise ValidationFailed(
            "Card numbers and security codes are never accepted: store the payment processor's token "
            "and at most the last digits (PartialAccountNumber)",
            "ValidationFailure",
            {"Fields": named + hidden},
        )
