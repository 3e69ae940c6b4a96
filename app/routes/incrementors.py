"""Incrementors (`/incrementors`): named counters whose next number fills `{incrementorID}` in
an ID a caller sends (app/incrementors.py). Seller users only. docs/catalog-config.md."""

from __future__ import annotations

from app.incrementors import KIND
from app.models.config import Incrementor
from app.resources import ResourceSpec, crud
from app.routes.access import seller_only

SPEC = ResourceSpec(
    KIND,
    "Incrementor",
    "/incrementors",
    "incrementorID",
    Incrementor,
    ("IncrementorReader", "IncrementorAdmin"),
    ("IncrementorAdmin",),
    readonly=(),
    searchable=("ID", "Name"),
    sortable=("ID", "Name", "LastNumber"),
    scope=seller_only,
)

ROUTES = crud(SPEC)
