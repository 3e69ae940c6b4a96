"""Category trees: `depth`, descendants, cycles and which categories a buyer user sees.

A catalog's categories form a forest through `ParentID`. The rules here are pure: callers load a
catalog's categories (ID, ParentID, Active) and the buyer's assignments once, and get back sets
of IDs that the storage layer turns into one SQL condition.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from domain.errors import ValidationFailed

ALL = None  # depth "all": no limit


def parse_depth(raw: str | None, default: int | None) -> int | None:
    """OrderCloud's `depth`: a number of 1 or greater, or `all` (None here); anything else is
    `400 Category.InvalidDepth`."""
    if raw is None or raw == "":
        return default
    if raw.strip().lower() == "all":
        return ALL
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ValidationFailed(
            "depth must be a number of 1 or greater, or 'all'", "Category.InvalidDepth", {"depth": raw}
        )
    return value


@dataclass(frozen=True)
class Node:
    id: str
    parent_id: str | None
    active: bool = True


class Tree:
    """The categories of one catalog. A ParentID naming no category in the catalog makes the
    category a root (stored data is checked on write, so this only guards against drift)."""

    def __init__(self, nodes: Iterable[Node]) -> None:
        self.nodes = {n.id: n for n in nodes}
        self.children: dict[str | None, list[str]] = {}
        for node in self.nodes.values():
            parent = node.parent_id if node.parent_id in self.nodes else None
            self.children.setdefault(parent, []).append(node.id)

    def parent(self, id: str) -> str | None:
        node = self.nodes.get(id)
        return node.parent_id if node and node.parent_id in self.nodes else None

    def ancestors(self, id: str) -> list[str]:
        """Parent first, root last (a cycle in stored data stops the walk)."""
        out: list[str] = []
        current = self.parent(id)
        while current is not None and current not in out and current != id:
            out.append(current)
            current = self.parent(current)
        return out

    def below(self, root: str | None, depth: int | None) -> set[str]:
        """Categories at most `depth` levels below `root` (None: the catalog's top); `depth`
        None is every level. Depth 1 under a category is its children; at the top, the roots."""
        found: set[str] = set()
        level = [root]
        remaining = depth
        while level and (remaining is None or remaining > 0):
            nxt = [c for parent in level for c in self.children.get(parent, []) if c not in found]
            found.update(nxt)
            level = list(nxt)
            remaining = None if remaining is None else remaining - 1
        return found

    def would_cycle(self, id: str, new_parent: str | None) -> bool:
        """True when making `new_parent` the parent of `id` closes a loop."""
        if new_parent is None:
            return False
        return new_parent == id or id in self.ancestors(new_parent)


@dataclass(frozen=True)
class Grant:
    """One category assignment as it applies to a buyer user: group-level or company-level."""

    category_id: str
    group: bool
    visible: bool | None


def visible_categories(tree: Tree, grants: Iterable[Grant], *, view_all: bool) -> set[str]:
    """Which categories a buyer user sees in a catalog visible to its buyer.

    - A category and every ancestor must be Active (OrderCloud: an inactive category hides
      everything under it).
    - Its visibility is the nearest decided one walking up from the category: at each level an
      assignment to one of the user's groups with `Visible` set decides (true when any of them
      says true), else the company-level assignment's `Visible`; `null` inherits. Above the roots
      the catalog assignment's `ViewAllCategories` decides.
    """
    by_category: dict[str, list[Grant]] = {}
    for grant in grants:
        by_category.setdefault(grant.category_id, []).append(grant)
    decided = {cid: v for cid, gs in by_category.items() if (v := _decide(gs)) is not None}
    out = set()
    for cid, node in tree.nodes.items():
        chain = [cid, *tree.ancestors(cid)]
        if not node.active or not all(tree.nodes[a].active for a in chain[1:]):
            continue
        if next((decided[c] for c in chain if c in decided), view_all):
            out.add(cid)
    return out


def _decide(grants: list[Grant]) -> bool | None:
    groups = [g.visible for g in grants if g.group and g.visible is not None]
    if groups:
        return any(groups)
    company = [g.visible for g in grants if not g.group and g.visible is not None]
    return company[0] if company else None


def nodes_from_docs(docs: Iterable[Mapping[str, object]]) -> list[Node]:
    return [
        Node(str(d["ID"]), str(d["ParentID"]) if d.get("ParentID") else None, bool(d.get("Active")))
        for d in docs
    ]
