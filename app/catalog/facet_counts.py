"""Meta.Facets on product lists (`/me/products`, `/products`): for every product facet, how many
of the listed products hold each value at its xp path. Counted over the products the list itself
matches (visibility, catalog, category, search and filters), except that a facet's own filter is
left out of its counts: values of one facet are alternatives (`xp.Color=red|blue`), so picking
one must not hide the others (OrderCloud's "count if that value were applied" rule).
docs/facets.md."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement

from app.catalog.facets import all_facets, xp_path
from app.list_options import ListOptions, Schema
from app.store.repo import Docs

Doc = dict[str, Any]
PRODUCT = "product"


def _own_filter(schema: Schema, key: str, parts: list[str]) -> bool:
    """Whether the filter `key` is on exactly the facet's path (an OR across fields is not)."""
    if "|" in key:
        return False
    resolved, _ = schema.resolve(key)
    return [p.lower() for p in resolved] == [p.lower() for p in parts]


def _values(counts: dict[str, int], min_count: int) -> list[Doc]:
    """Values counted at least `min_count` times, the most frequent first (OrderCloud's default),
    ties by value."""
    kept = [(value, n) for value, n in counts.items() if n >= min_count]
    kept.sort(key=lambda vn: (-vn[1], vn[0].lower(), vn[0]))
    return [{"Value": value, "Count": n} for value, n in kept]


async def list_facets(
    docs: Docs,
    opts: ListOptions,
    schema: Schema,
    *,
    conds: Sequence[ColumnElement[bool]],
    searchable: Sequence[str],
) -> list[Doc]:
    """Meta.Facets for a product list with `opts` over the products meeting `conds`: one count
    per facet (none at all without facets)."""
    out: list[Doc] = []
    for facet in await all_facets(docs):
        path = xp_path(facet)
        parts = ["xp", *path.split(".")]
        others = [(k, v) for k, v in opts.filters if not _own_filter(schema, k, parts)]
        where = docs.list_where(
            PRODUCT, opts, schema, conds=conds, scope="", searchable=searchable, filters=others
        )
        counts = await docs.value_counts(where, parts)
        stored = facet.get("MinCount")
        min_count = 1 if stored is None else int(stored)
        if min_count <= 0:
            # Zero-count values: those the caller's products hold before search and filters.
            unfiltered = await docs.value_counts(
                docs.list_where(PRODUCT, ListOptions(), schema, conds=conds, scope=""), parts
            )
            counts = {**dict.fromkeys(unfiltered, 0), **counts}
        out.append(
            {
                "Name": facet.get("Name"),
                "XpPath": path,
                "Values": _values(counts, min_count),
                "xp": facet.get("xp"),
            }
        )
    return out
