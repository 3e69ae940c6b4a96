"""The import graph of app/, domain/ and integrations/, walked as data (ast, no imports run).

Three rules hold it in shape:
- no import circles: a module never needs, however indirectly, something that needs it;
- no dead modules: every module is reachable from an entry point;
- routes reach storage only through services: no `app/routes` module imports `app.store`, and
  no route calls the document store or the connection of its request itself (`ctx.docs.get(...)`,
  `docs = ctx.docs`, `ctx.conn`); handing `ctx.docs` to a service (`svc.f(ctx.docs, ...)`) is how
  a route names the storage a service works on.

Imports inside functions count (they are how circles hide). Imports under `if TYPE_CHECKING:`
count for the routes rule (a route annotated with `Docs` still knows about storage) but not for
circles: they never run, and annotation-only back references (`state` naming `Ctx`) are how
Python spells a type that two modules share. docs/architecture.md shows the layers.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("app", "domain", "integrations")

# Where the process starts, and modules loaded by name rather than by an import statement:
# the CLI (`ordercore = app.cli:main`), Alembic's env and revisions, and the route modules that
# `app.routes.all_routes` discovers with pkgutil.
ENTRY_PREFIXES = ("app.cli", "app.migrations", "app.routes.")


@dataclass(frozen=True)
class Edge:
    target: str
    type_only: bool


def module_name(path: Path) -> tuple[str, bool]:
    """Dotted name of `path` and whether it is a package's `__init__`."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        return ".".join(parts[:-1]), True
    return ".".join(parts), False


def all_modules() -> dict[str, tuple[Path, bool]]:
    found: dict[str, tuple[Path, bool]] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name, is_package = module_name(path)
            found[name] = (path, is_package)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(node: ast.AST, type_only: bool = False) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement under `node` (functions included), flagged when only for typing."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child, type_only
        elif isinstance(child, ast.If) and _is_type_checking(child):
            for stmt in child.body:
                yield from _imports(ast.Module(body=[stmt], type_ignores=[]), True)
            for stmt in child.orelse:
                yield from _imports(ast.Module(body=[stmt], type_ignores=[]), type_only)
        else:
            yield from _imports(child, type_only)


def _owner(name: str, modules: Mapping[str, object]) -> str | None:
    """The longest prefix of `name` that is one of our modules (`app.x.f` -> `app.x`)."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def _source_of(stmt: ast.ImportFrom, package: str) -> str:
    """The module a `from ... import` reads from, relative imports resolved against `package`."""
    if not stmt.level:
        return stmt.module or ""
    base = package
    for _ in range(stmt.level - 1):
        base = base.rpartition(".")[0]
    return f"{base}.{stmt.module}" if stmt.module else base


def edges_of(name: str, path: Path, is_package: bool, modules: Mapping[str, object]) -> set[Edge]:
    package = name if is_package else name.rpartition(".")[0]
    targets: set[Edge] = set()
    for stmt, type_only in _imports(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(stmt, ast.Import):
            wanted = [alias.name for alias in stmt.names]
        else:
            source = _source_of(stmt, package)
            # `from app.webhooks import store` imports the submodule; `... import install` the package.
            wanted = [f"{source}.{alias.name}" for alias in stmt.names]
        for dotted in wanted:
            target = _owner(dotted, modules)
            if target is not None and target != name:
                targets.add(Edge(target, type_only))
    return targets


def import_graph(*, with_type_only: bool) -> dict[str, set[str]]:
    modules = all_modules()
    graph: dict[str, set[str]] = {}
    for name, (path, is_package) in modules.items():
        edges = edges_of(name, path, is_package, modules)
        graph[name] = {e.target for e in edges if with_type_only or not e.type_only}
    return graph


def circles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def reachable(graph: Mapping[str, set[str]], roots: set[str]) -> set[str]:
    seen: set[str] = set()
    todo = list(roots)
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        todo.extend(graph.get(node, ()))
        # Importing `a.b.c` runs `a/__init__` and `a/b/__init__` first.
        parent = node.rpartition(".")[0]
        if parent in graph:
            todo.append(parent)
    return seen


GRAPH = import_graph(with_type_only=False)
FULL_GRAPH = import_graph(with_type_only=True)


def test_graph_sees_the_code() -> None:
    assert len(GRAPH) > 100
    assert "app.store.repo" in GRAPH["app.services.orders"]


def test_no_import_circles() -> None:
    assert circles(GRAPH) == []


def test_no_dead_modules() -> None:
    roots = {name for name in GRAPH if name.startswith(ENTRY_PREFIXES)}
    dead = sorted(set(GRAPH) - reachable(FULL_GRAPH, roots))
    assert dead == [], f"modules nothing imports (delete them or use them): {dead}"


def test_list_options_parse_without_sql() -> None:
    """Parsing a query string is pure: only `app.listing` (the SQL half) knows SQLAlchemy."""
    path = ROOT / "app" / "list_options.py"
    roots = {
        (stmt.names[0].name if isinstance(stmt, ast.Import) else stmt.module or "").split(".")[0]
        for stmt, _ in _imports(ast.parse(path.read_text()))
    }
    assert "sqlalchemy" not in roots
    assert {t for t in FULL_GRAPH["app.list_options"] if not t.startswith("domain.")} == set()


def _route_modules() -> dict[str, str]:
    return {name.rpartition(".")[2]: name for name in FULL_GRAPH if name.startswith("app.routes.")}


@pytest.mark.parametrize("short", sorted(_route_modules()))
def test_route_imports_no_storage(short: str) -> None:
    imported = FULL_GRAPH[_route_modules()[short]]
    store = sorted(t for t in imported if t == "app.store" or t.startswith("app.store."))
    assert store == [], f"app.routes.{short} imports {store}: go through a service in app/services"


def storage_calls(tree: ast.AST) -> list[int]:
    """Lines where a route uses its request's storage itself: `ctx.conn` at all, an attribute of
    `ctx.docs` (a method call such as `ctx.docs.get`, or `ctx.docs.pg`), or `ctx.docs` kept in
    a name. `ctx.docs` passed as an argument is not counted: the service does the work."""

    def is_ctx(node: ast.AST, attr: str) -> bool:
        return (
            isinstance(node, ast.Attribute)
            and node.attr == attr
            and isinstance(node.value, ast.Name)
            and node.value.id == "ctx"
        )

    def uses_storage(node: ast.AST) -> bool:
        if isinstance(node, ast.Attribute):
            return is_ctx(node, "conn") or is_ctx(node.value, "docs")
        if isinstance(node, ast.Assign | ast.AnnAssign):
            return node.value is not None and is_ctx(node.value, "docs")
        return False

    lines = [
        node.lineno for node in ast.walk(tree) if uses_storage(node) and isinstance(node, ast.stmt | ast.expr)
    ]
    return sorted(lines)


@pytest.mark.parametrize("short", sorted(_route_modules()))
def test_route_calls_storage_only_through_services(short: str) -> None:
    path, _ = all_modules()[_route_modules()[short]]
    lines = storage_calls(ast.parse(path.read_text()))
    assert lines == [], (
        f"app.routes.{short} uses ctx.docs/ctx.conn itself on lines {lines}: move it to a service"
    )


# --------------------------------------------------------------------------- the checker itself


def _graph_of(files: dict[str, str], tmp_path: Path) -> dict[str, set[str]]:
    modules = {name: (tmp_path / f"{name}.py", False) for name in files}
    for name, source in files.items():
        (tmp_path / f"{name}.py").write_text(source)
    return {
        name: {e.target for e in edges_of(name, path, False, modules) if not e.type_only}
        for name, (path, _) in modules.items()
    }


def test_checker_finds_a_circle_through_a_function_level_import(tmp_path: Path) -> None:
    graph = _graph_of(
        {
            "a": "import b\n",
            "b": "def f():\n    from c import g\n",
            "c": "from a import x\n",
            "d": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n",
        },
        tmp_path,
    )
    assert circles(graph) == [["a", "b", "c"]]
    assert graph["d"] == set()  # typing-only imports never run


def test_checker_finds_storage_calls_in_routes() -> None:
    source = (
        "async def f(ctx):\n"
        "    a = await ctx.docs.get('x', '1')\n"  # 2: a storage call
        "    docs = ctx.docs\n"  # 3: an alias
        "    await ctx.conn.execute(q)\n"  # 4: the connection
        "    json = ctx.docs.json\n"  # 5: storage details
        "    await svc.g(ctx.docs, 1)\n"  # handed to a service: fine
        "    await svc.h(ctx, docs=ctx.docs)\n"  # fine
    )
    assert storage_calls(ast.parse(source)) == [2, 3, 4, 5]


def test_checker_finds_unreachable_modules() -> None:
    graph = {"p": set(), "p.main": {"p.used"}, "p.used": set(), "p.dead": set()}
    assert reachable(graph, {"p.main"}) == {"p", "p.main", "p.used"}


USE_CASE_PACKAGES = ("app.services", "app.catalog", "app.webhooks")


@pytest.mark.parametrize("name", sorted(n for n in FULL_GRAPH if n.startswith(USE_CASE_PACKAGES)))
def test_use_cases_know_nothing_of_http(name: str) -> None:
    """Services take an `app.unit.Unit`, never the request (issue #12, item 1): no module under
    app/services, app/catalog or app/webhooks imports `app.http`, not even for a type."""
    assert "app.http" not in FULL_GRAPH[name], f"{name} imports app.http: take an app.unit.Unit"
