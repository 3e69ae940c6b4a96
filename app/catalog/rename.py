"""OrderCloud lets a caller change a resource's ID with PUT or PATCH. What hangs off the old ID
(documents scoped to it, assignments and references naming it) moves to the new one in the same
transaction, so a rename never leaves orphans behind."""

from __future__ import annotations

from collections.abc import Sequence

from app.catalog.assignments import synthetic_id
from app.store.repo import Docs

# kind -> the fields making up its synthetic ID
ASSIGNMENT_KEYS: dict[str, tuple[str, ...]] = {
    "productassignment": ("ProductID", "BuyerID", "UserGroupID"),
    "productcatalogassignment": ("CatalogID", "ProductID"),
    "catalogassignment": ("CatalogID", "BuyerID"),
    "specproductassignment": ("SpecID", "ProductID"),
    "categoryassignment": ("CategoryID", "BuyerID", "UserGroupID"),
    "categoryproductassignment": ("CategoryID", "ProductID"),
}


async def rescope(docs: Docs, kinds: Sequence[str], old: str, new: str) -> None:
    for kind in kinds:
        for stored in await docs.all_stored(kind, scope=old):
            await docs.delete(kind, stored.doc["ID"], old)
            await docs.insert(kind, stored.doc, new)


async def repoint(docs: Docs, kind: str, field: str, old: str, new: str, *, scope: str | None = None) -> None:
    """Change `field` from `old` to `new` in every `kind` document (re-keying assignments);
    `scope` limits it to one parent (a category ID is unique only within its catalog)."""
    keys = ASSIGNMENT_KEYS.get(kind)
    for stored in await docs.all_stored(kind, *docs.eq(**{field: old}), scope=scope):
        doc = {**stored.doc, field: new}
        if keys is None:
            await docs.replace(kind, doc["ID"], doc, stored.scope)
            continue
        await docs.delete(kind, stored.doc["ID"], stored.scope)
        doc["ID"] = synthetic_id(*(doc.get(k) for k in keys))
        if not await docs.exists(kind, doc["ID"], stored.scope):
            await docs.insert(kind, doc, stored.scope)
