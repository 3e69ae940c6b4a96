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

from sqlalchemy import ColumnElement, Select, select

from app.catalog.assignments import synthetic_id, upsert
from app.catalog.counts import refresh_product_counts
from app.listing import JsonAccess
from app.store.repo import Docs
from app.store.tables import resources
from domain.errors import NotFound

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


# --------------------------------------------------------------------------- what the routes write


async def prepare_spec(docs: Docs, doc: Doc, existing: Doc | None, marketplace_id: str) -> Doc:
    """A spec being written: OwnerID kept (default: the marketplace), a DefaultOptionID among its
    options, and its read-only `Options`/`OptionCount` from the option documents."""
    doc["OwnerID"] = (existing or {}).get("OwnerID") or doc.get("OwnerID") or marketplace_id
    options = await docs.all(OPTION_KIND, scope=doc["ID"])
    option_ids = {o["ID"] for o in options}
    if doc.get("DefaultOptionID") and doc["DefaultOptionID"] not in option_ids:
        raise NotFound("SpecOption", doc["DefaultOptionID"])
    return sync_options(doc, options)


async def forget_spec(docs: Docs, spec_id: str) -> None:
    """A deleted spec's options and product assignments go with it; the products' counts follow."""
    await docs.delete_where(OPTION_KIND, scope=spec_id)
    linked = await docs.all(SPEC_ASSIGN_KIND, *docs.eq(SpecID=spec_id))
    await docs.delete_where(SPEC_ASSIGN_KIND, *docs.eq(SpecID=spec_id))
    for link in linked:
        await refresh_product_counts(docs, link["ProductID"])


async def require_spec(docs: Docs, spec_id: str) -> str:
    await docs.require("spec", spec_id, object_type="Spec")
    return spec_id


async def _resync_spec(docs: Docs, spec_id: str, drop: set[str], add: Doc | None) -> None:
    """Keep the spec's embedded `Options` in step with its option documents (the hooks run
    before the option itself is written, so the change is applied to the list here)."""
    stored = (await docs.require("spec", spec_id, object_type="Spec", lock=True)).doc
    options = [o for o in await docs.all(OPTION_KIND, scope=spec_id) if o["ID"] not in drop]
    if add is not None:
        options.append(add)
    if stored.get("DefaultOptionID") in drop and (add is None or add["ID"] != stored["DefaultOptionID"]):
        stored["DefaultOptionID"] = None
    await docs.replace("spec", spec_id, sync_options(stored, options))


async def prepare_option(docs: Docs, spec_id: str, doc: Doc, existing: Doc | None) -> Doc:
    doc["PriceMarkupType"] = doc.get("PriceMarkupType") or "NoMarkup"
    drop = {doc["ID"]} | ({existing["ID"]} if existing else set())
    await _resync_spec(docs, spec_id, drop, doc)
    return doc


async def option_deleted(docs: Docs, spec_id: str, option_id: str) -> None:
    await _resync_spec(docs, spec_id, {option_id}, None)


async def assign_product(docs: Docs, doc: Doc) -> None:
    """Save a spec-product assignment (its spec, product and default option must exist)."""
    await docs.require("spec", doc["SpecID"], object_type="Spec")
    await docs.require("product", doc["ProductID"], object_type="Product")
    if doc.get("DefaultOptionID"):
        await docs.require(OPTION_KIND, doc["DefaultOptionID"], doc["SpecID"], object_type="SpecOption")
    await upsert(docs, SPEC_ASSIGN_KIND, doc, ("SpecID", "ProductID"))
    await refresh_product_counts(docs, doc["ProductID"])


async def unassign_product(docs: Docs, spec_id: str, product_id: str) -> None:
    await docs.require("spec", spec_id, object_type="Spec")
    await docs.delete(SPEC_ASSIGN_KIND, synthetic_id(spec_id, product_id))
    await refresh_product_counts(docs, product_id)


async def specs_of_product(docs: Docs, product_id: str) -> ColumnElement[bool]:
    """The specs assigned to an existing product (404 for a missing one)."""
    await docs.require("product", product_id, object_type="Product")
    return docs.id_in(product_spec_ids(docs.pg, product_id))


async def generate_variants(docs: Docs, product_id: str, *, active: bool, overwrite: bool) -> Doc:
    """One variant per combination of options of the product's variant-defining specs.

    Without `overwrite`, a variant that already exists keeps its edits (only its Specs are
    refreshed); with it, every variant is rebuilt. Variants whose combination no longer exists
    are removed either way, with their inventory records. Returns the product (counts updated)."""
    product = (await docs.require("product", product_id, object_type="Product", lock=True)).doc
    specs = await docs.all("spec", docs.id_in(product_spec_ids(docs.pg, product_id)), scope="")
    wanted = [new_variant(product, combo, active=active) for combo in variant_specs(specs)]
    current = {d["ID"]: d for d in await docs.all("variant", scope=product_id)}
    for variant in wanted:
        before = current.pop(variant["ID"], None)
        if before is None:
            await docs.insert("variant", variant, product_id, object_type="Variant")
        else:
            kept = variant if overwrite else {**before, "Specs": variant["Specs"]}
            await docs.replace("variant", variant["ID"], kept, product_id)
    for stale in current:
        await docs.delete("variant", stale, product_id)
        await docs.delete_where("inventoryrecord", *docs.eq(_VariantID=stale), scope=product_id)
    await refresh_product_counts(docs, product_id)
    return (await docs.require("product", product_id, object_type="Product")).doc


async def require_product(docs: Docs, product_id: str, variant_id: str | None = None) -> str:
    """An existing product (and, given, one of its variants); the product's ID."""
    await docs.require("product", product_id, object_type="Product")
    if variant_id is not None:
        await docs.require("variant", variant_id, product_id, object_type="Variant")
    return product_id
