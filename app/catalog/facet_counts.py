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
    """Meta.Facets for a product list with `opts` over the products meeting `conds` (none at
    all without facets): every facet counted in one statement, over one read of the products."""
    facets = await all_facets(docs)
    if not facets:
        return []
    paths = [["xp", *xp_path(f).split(".")] for f in facets]
    # Filters on a facet's path are columns of the read, applied to every other facet's count.
    owned = [i for i, (key, _) in enumerate(opts.filters) if any(_own_filter(schema, key, p) for p in paths)]
    flags = [opts.filters[i] for i in owned]
    skip = [frozenset(n for n, (key, _) in enumerate(flags) if _own_filter(schema, key, p)) for p in paths]
    shared = [f for i, f in enumerate(opts.filters) if i not in owned]
    where = docs.list_where(
        PRODUCT, opts, schema, conds=conds, scope="", searchable=searchable, filters=shared
    )
    counts = await docs.value_counts(where, paths, schema, flags, skip)
    zero_paths = [n for n, f in enumerate(facets) if _min_count(f) <= 0]
    if zero_paths:
        # Zero-count values: those the caller's products hold before search and filters.
        base = docs.list_where(PRODUCT, ListOptions(), schema, conds=conds, scope="")
        unfiltered = await docs.value_counts(base, [paths[n] for n in zero_paths], schema)
        for n, values in zip(zero_paths, unfiltered, strict=True):
            counts[n] = {**dict.fromkeys(values, 0), **counts[n]}
    return [
        {
            "Name": facet.get("Name"),
            "XpPath": xp_path(facet),
            "Values": _values(counts[n], _min_count(facet)),
            "xp": facet.get("xp"),
        }
        for n, facet in enumerate(facets)
    ]


def _min_count(facet: Doc) -> int:
    stored = facet.get("MinCount")
    return 1 if stored is None else int(stored)
