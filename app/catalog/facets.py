"""Product facets (`/productfacets`): which xp path of a product is a facet, and the rules of a
facet document. Counting (Meta.Facets on product lists) is `app.catalog.facet_counts`.
Rules where OrderCloud is silent: docs/facets.md."""

from __future__ import annotations

from typing import Any

from app.store.repo import Docs
from domain.errors import Conflict

KIND = "productfacet"
Doc = dict[str, Any]


def xp_path(doc: Doc) -> str:
    """The facet's path under a product's xp: `XpPath`, else the facet's ID (OrderCloud's rule:
    "assumed to be at product.xp.{facet ID}")."""
    return str(doc.get("XpPath") or doc["ID"])


def prepare(doc: Doc) -> Doc:
    """A facet as stored and shown: XpPath filled in from the ID when the caller left it out."""
    doc["XpPath"] = xp_path(doc)
    return doc


async def check_path_free(docs: Docs, doc: Doc, existing: Doc | None) -> None:
    """Two facets never count the same xp path (ProductFacet.XpPathInUse); paths compare
    case-insensitively, as xp filters do."""
    wanted = xp_path(doc).lower()
    for other in await docs.all(KIND):
        if existing is not None and other["ID"] == existing["ID"]:
            continue
        if xp_path(other).lower() == wanted:
            raise Conflict(
                f"Another product facet uses the xp path {xp_path(doc)}: {other['ID']}",
                "ProductFacet.XpPathInUse",
                {"XpPath": xp_path(doc), "ProductFacetID": other["ID"]},
            )


async def all_facets(docs: Docs) -> list[Doc]:
    """Every facet in the order lists show them: ListOrder (unset last), then ID."""
    found = await docs.all(KIND)
    return sorted(found, key=lambda d: (d.get("ListOrder") is None, d.get("ListOrder") or 0, d["ID"].lower()))
