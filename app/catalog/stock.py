"""Inventory blocks on products and variants: `LastUpdated` is the server's, stamped when the
stock figures change."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.store.repo import Docs
from domain.clock import iso, utcnow

Doc = dict[str, Any]


def stamp_inventory(doc: Doc, existing: Doc | None) -> Doc:
    inventory = doc.get("Inventory")
    if inventory is None:
        return doc
    before = (existing or {}).get("Inventory") or {}
    changed = not before or any(inventory.get(k) != before.get(k) for k in inventory if k != "LastUpdated")
    inventory["LastUpdated"] = iso(utcnow()) if changed else before.get("LastUpdated")
    return doc


def records_of_variant(docs: Docs, variant_id: str | None) -> list[ColumnElement[bool]]:
    """Inventory records of one variant (None: the product-level records, which have no
    `_VariantID`)."""
    return docs.eq(_VariantID=variant_id)
