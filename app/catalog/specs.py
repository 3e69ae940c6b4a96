"""Specs, their options, and the variants that the variant-defining specs of a product make.

As OrderCloud makes them (derived from its own exports, the seeding tool's Vercel-B2C template):
- Variant IDs: `{ProductID}-{OptionID}-{OptionID}...`, the specs taken by ListOrder, then Name,
  then ID (so `short-sleeve-t-shirt-Aqua-L`: spec "Color" before "Size" at the same ListOrder,
  whatever their IDs); an ID longer than 100 characters is cut to 89 and given a `-` and 10 hex
  digits of its SHA-1, so it stays unique.
- Options (and so the variants' order) by ListOrder, then ID, case-insensitively (`L, M, S, XL`,
  `Aqua, light-brown, orange, Peach`), as OrderCloud sorts text.
- A generated variant's `Name` is null, as in OrderCloud.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, select

from app.listing import JsonAccess
from app.store.tables import resources

Doc = dict[str, Any]
OPTION_KIND = "specoption"
SPEC_ASSIGN_KIND = "specproductassignment"
MAX_ID = 100


def _order(doc: Doc) -> tuple[int, str, str]:
    """Options: ListOrder, then ID case-insensitively (the exact ID last, so the order is total)."""
    return (doc.get("ListOrder") or 0, str(doc["ID"]).lower(), str(doc["ID"]))


def _spec_order(doc: Doc) -> tuple[int, str, str, str]:
    """Variant-defining specs: ListOrder, then Name, then ID, case-insensitively."""
    return (doc.get("ListOrder") or 0, str(doc.get("Name") or "").lower(), *_order(doc)[1:])


def sync_options(spec: Doc, options: Sequence[Doc]) -> Doc:
    """The spec with its read-only `Options` (sorted as OrderCloud lists them) and `OptionCount`."""
    shown = [{k: v for k, v in o.items() if not k.startswith("_")} for o in sorted(options, key=_order)]
    return {**spec, "Options": shown, "OptionCount": len(shown)}


def product_spec_ids(pg: bool, product_id: str) -> Select[Any]:
    sa = resources.alias("sa")
    j = JsonAccess(pg, sa.c.doc)
    return select(j.text(["SpecID"])).where(
        sa.c.kind == SPEC_ASSIGN_KIND, j.text(["ProductID"]) == product_id
    )


def variant_id(product_id: str, option_ids: Sequence[str]) -> str:
    vid = "-".join([product_id, *option_ids])
    if len(vid) <= MAX_ID:
        return vid
    return vid[:89] + "-" + hashlib.sha1(vid.encode()).hexdigest()[:10]


def variant_specs(specs: Sequence[Doc]) -> list[list[Doc]]:
    """Every combination of options of the variant-defining `specs`, each a list of VariantSpecs."""
    defining = sorted((s for s in specs if s.get("DefinesVariant") and s.get("Options")), key=_spec_order)
    choices = [
        [
            {
                "SpecID": s["ID"],
                "Name": s.get("Name"),
                "OptionID": o["ID"],
                "Value": o.get("Value"),
                "PriceMarkupType": o.get("PriceMarkupType") or "NoMarkup",
                "PriceMarkup": o.get("PriceMarkup"),
            }
            for o in sorted(s["Options"], key=_order)
        ]
        for s in defining
    ]
    if not choices:
        return []
    return [list(combo) for combo in itertools.product(*choices)]


def new_variant(product: Doc, specs: list[Doc], *, active: bool) -> Doc:
    return {
        "ID": variant_id(product["ID"], [s["OptionID"] for s in specs]),
        "Name": None,
        "Description": None,
        "Active": active,
        "ShipWeight": None,
        "ShipHeight": None,
        "ShipWidth": None,
        "ShipLength": None,
        "Inventory": None,
        "Specs": specs,
        "xp": None,
    }
