"""xp indices (`/xpindices`): an xp path declared for a thing type gets expression indexes
(app/store/xp_indexes.py) matching what lists compile for filters and sorts on it, so those lists
read an index instead of every document. Rules where OrderCloud is silent: docs/facets.md."""

from __future__ import annotations

import hashlib
from typing import Any, get_args

from app.models.facets import XpIndex, XpThingType
from app.store import xp_indexes
from app.store.repo import Docs
from app.wire import to_doc, validate
from domain.errors import NotFound

KIND = "xpindex"
THING_TYPES = frozenset(get_args(XpThingType))


def path_of(key: str) -> list[str]:
    """The path under xp a Key names: `Color`, `Facets.Color`; a leading `xp.` is the same path
    (`xp.Color` is how the filter is written)."""
    return (key[3:] if key.startswith("xp.") else key).split(".")


def _row_id(thing_type: str, key: str) -> str:
    """A declaration's row ID (a Key may be longer than an ID): the thing type and a hash."""
    return f"{thing_type}-{hashlib.sha256('.'.join(path_of(key)).encode()).hexdigest()[:40]}"


async def put(docs: Docs, body: dict[str, Any]) -> None:
    """Declare `body` (idempotent): the document and, unless the path has them already, its
    indexes, in the request's transaction (a failure leaves neither)."""
    doc = to_doc(validate(body, XpIndex))
    row_id = _row_id(doc["ThingType"], doc["Key"])
    if await docs.exists(KIND, row_id):
        return
    await docs.insert(KIND, {"ID": row_id, "ThingType": doc["ThingType"], "Key": doc["Key"]})
    await xp_indexes.create(docs.conn, path_of(doc["Key"]))


async def delete(docs: Docs, thing_type: str, key: str) -> None:
    """Forget a declaration; the indexes go with the last declaration of their path."""
    found = (
        await docs.get(KIND, _row_id(thing_type, key))
        if thing_type in THING_TYPES and all(path_of(key))
        else None
    )
    if found is None:
        raise NotFound("XpIndex", f"{thing_type}/{key}")
    await docs.delete(KIND, found.doc["ID"])
    path = path_of(key)
    for other in await docs.all(KIND):
        if path_of(other["Key"]) == path:
            return
    await xp_indexes.drop(docs.conn, path)


def shown(doc: dict[str, Any]) -> dict[str, Any]:
    return {"ThingType": doc["ThingType"], "Key": doc["Key"]}
