"""Incrementors in IDs: `{incrementorID}` anywhere in an ID a caller sends (`ORD-{orders}`) is
replaced by the incrementor's next number, left-padded with zeros to its LeftPaddingCount
(OrderCloud's Incrementor.ID: "can be passed into any ID field"). docs/catalog-config.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from app.store.repo import Docs
from app.wire import check_id, id_or_new
from domain.errors import NotFound

KIND = "incrementor"
_TOKEN = re.compile(r"\{([A-Za-z0-9_-]{1,100})\}")


def has_token(value: Any) -> bool:
    return isinstance(value, str) and _TOKEN.search(value) is not None


async def expand(docs: Docs, value: str) -> str:
    """`value` with every `{incrementorID}` replaced by that incrementor's next number. Each
    token takes its number in one UPDATE ... RETURNING, inside the caller's transaction: a
    request that fails afterwards gives its number back with the rollback."""
    parts: list[str] = []
    end = 0
    for match in _TOKEN.finditer(value):
        doc = await docs.next_number(KIND, match.group(1), "LastNumber")
        if doc is None:
            raise NotFound("Incrementor", match.group(1))
        parts.append(value[end : match.start()])
        parts.append(str(doc["LastNumber"]).zfill(int(doc.get("LeftPaddingCount") or 0)))
        end = match.end()
    parts.append(value[end:])
    return "".join(parts)


async def id_or_next(docs: Docs, data: dict[str, Any], make: Callable[[], str] | None = None) -> str:
    """As `app.wire.id_or_new`, with incrementor tokens in the caller's ID expanded first."""
    value = data.get("ID")
    if isinstance(value, str) and has_token(value):
        return check_id(await expand(docs, value))
    return id_or_new(data, make)
