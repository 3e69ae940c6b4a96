"""The read-only counters on a product (SpecCount, VariantCount), counted from what is stored and
written back whenever specs are assigned or variants generated."""

from __future__ import annotations

from app.store.repo import Docs


async def product_counts(docs: Docs, product_id: str) -> dict[str, int]:
    return {
        "SpecCount": await docs.count("specproductassignment", *docs.eq(ProductID=product_id)),
        "VariantCount": await docs.count("variant", scope=product_id),
    }


async def refresh_product_counts(docs: Docs, product_id: str) -> None:
    found = await docs.get("product", product_id, lock=True)
    if found is None:
        return
    await docs.replace("product", product_id, {**found.doc, **await product_counts(docs, product_id)})
