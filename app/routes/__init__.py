"""Route modules. Each exposes `ROUTES`, a list of handlers; `all_routes` collects them so a new
module needs no registration anywhere else."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any


def all_routes() -> list[Any]:
    routes: list[Any] = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        routes.extend(getattr(module, "ROUTES", []))
    return routes
