"""Product facets (`/productfacets`): xp paths of products counted in product lists' Meta.Facets
(app/catalog/facet_counts.py). Seller users only. docs/facets.md."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.catalog import facets
from app.http import Ctx
from app.models.facets import ProductFacet
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only


async def _on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    await facets.check_path_free(ctx.docs, doc, existing)
    return facets.prepare(doc)


SPEC = ResourceSpec(
    facets.KIND,
    "ProductFacet",
    "/productfacets",
    "productFacetID",
    ProductFacet,
    ("ProductFacetReader", "ProductFacetAdmin"),
    ("ProductFacetAdmin",),
    readonly=(),
    searchable=("ID", "Name", "XpPath"),
    sortable=("ID", "Name", "XpPath", "ListOrder", "MinCount"),
    scope=seller_only,
    on_write=_on_write,
)

ROUTES = crud(SPEC)
