"""`app.http.Dispatch` does per request what Litestar's router (`ASGIRouter.__call__`) and route
call (`HTTPRoute.handle`) do for an operation, and imports their helpers (`is_valid_host`, first
in Litestar 2.23). A Litestar whose router or route call differs could add a step (a check, a
limit) that operations would silently skip: the versions pip may install are the reviewed ones,
and the installed one's two functions are those Dispatch was written against."""

from __future__ import annotations

import hashlib
import inspect
import tomllib
from importlib.metadata import version
from pathlib import Path

from litestar._asgi.asgi_router import ASGIRouter
from litestar.routes import HTTPRoute
from packaging.requirements import Requirement

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"

# sha256 of the source of ASGIRouter.__call__ and HTTPRoute.handle in Litestar 2.23.0-2.25.0
# (identical in the three). 2.22's router had no Host check: Dispatch run on it would import
# nothing (no `is_valid_host`), and a Dispatch written against it would have skipped the check.
REVIEWED = {
    "ASGIRouter.__call__": "28fd699095d9",
    "HTTPRoute.handle": "8ccd0dea281a",
}


def _litestar_requirement() -> Requirement:
    dependencies = tomllib.loads(PYPROJECT.read_text())["project"]["dependencies"]
    (spec,) = [Requirement(d) for d in dependencies if Requirement(d).name == "litestar"]
    return spec


def test_pip_installs_only_the_litestar_dispatch_was_checked_against() -> None:
    specifier = _litestar_requirement().specifier
    assert "2.22.0" not in specifier  # no `is_valid_host`: app.http would not import
    assert "2.23.0" in specifier and "2.25.0" in specifier
    assert "2.26.0" not in specifier  # not reviewed: its router may do more per request
    assert version("litestar") in specifier


def test_the_installed_router_and_route_call_are_the_reviewed_ones() -> None:
    """When this fails after an upgrade, compare the two functions with `app.http.Dispatch`
    (and `_direct_operation`), carry over what changed, then record the new digests."""
    found = {
        "ASGIRouter.__call__": inspect.getsource(ASGIRouter.__call__),
        "HTTPRoute.handle": inspect.getsource(HTTPRoute.handle),
    }
    digests = {name: hashlib.sha256(source.encode()).hexdigest()[:12] for name, source in found.items()}
    assert digests == REVIEWED
