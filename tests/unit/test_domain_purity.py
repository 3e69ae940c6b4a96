"""`domain/` must stay pure: no web, database, HTTP or serialization frameworks, no app layers."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
FORBIDDEN = {"litestar", "sqlalchemy", "httpx", "msgspec", "app", "integrations", "aiosqlite", "asyncpg"}
MODULES = sorted(DOMAIN.rglob("*.py"))


def imported_roots(tree: ast.AST) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(tree):  # walk, so imports inside functions and TYPE_CHECKING count too
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", getattr(node.func, "id", None)) in {"import_module", "__import__"}
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            roots.add(node.args[0].value.split(".")[0])
    return roots


def test_domain_has_modules() -> None:
    assert len(MODULES) >= 7


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(DOMAIN)))
def test_module_imports_nothing_forbidden(path: Path) -> None:
    tree = ast.parse(path.read_text(), filename=str(path))
    bad = imported_roots(tree) & FORBIDDEN
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_checker_catches_forbidden_imports() -> None:
    src = (
        "import sqlalchemy.orm\nfrom litestar import get\nfrom typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from app.store import x\ndef f():\n    import httpx\n"
        "importlib.import_module('msgspec')\n"
    )
    assert imported_roots(ast.parse(src)) >= {"sqlalchemy", "litestar", "app", "httpx", "msgspec"}
