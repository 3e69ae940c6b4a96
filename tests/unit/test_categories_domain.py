"""The category tree rules: depth, cycles, and which categories a buyer user sees."""

from __future__ import annotations

import pytest

from domain.categories import Grant, Node, Tree, parse_depth, visible_categories
from domain.errors import ValidationFailed

# a > b > c, a > d; e (inactive) > f
TREE = Tree(
    [
        Node("a", None),
        Node("b", "a"),
        Node("c", "b"),
        Node("d", "a"),
        Node("e", None, active=False),
        Node("f", "e"),
    ]
)


def test_depth_is_a_positive_number_or_all() -> None:
    assert parse_depth(None, 1) == 1
    assert parse_depth("ALL", 1) is None
    assert parse_depth("3", None) == 3
    for bad in ("0", "-2", "1.5", "x"):
        with pytest.raises(ValidationFailed) as err:
            parse_depth(bad, 1)
        assert err.value.code == "Category.InvalidDepth"


def test_below_counts_levels_from_a_category_or_the_top() -> None:
    assert TREE.below(None, 1) == {"a", "e"}
    assert TREE.below(None, 2) == {"a", "b", "d", "e", "f"}
    assert TREE.below("a", 1) == {"b", "d"}
    assert TREE.below("a", None) == {"b", "c", "d"}
    assert TREE.below("c", None) == set()


def test_a_category_cannot_move_under_itself_or_a_descendant() -> None:
    assert TREE.would_cycle("a", "a") and TREE.would_cycle("a", "c")
    assert not TREE.would_cycle("c", "d") and not TREE.would_cycle("b", None)


def test_visibility_inherits_and_the_nearest_decision_wins() -> None:
    assert visible_categories(TREE, [], view_all=True) == {"a", "b", "c", "d"}  # e, f: inactive
    assert visible_categories(TREE, [], view_all=False) == set()
    grants = [Grant("a", group=False, visible=True), Grant("b", group=False, visible=False)]
    assert visible_categories(TREE, grants, view_all=False) == {"a", "d"}
    # A group's decision beats the company's at the same category.
    grants.append(Grant("b", group=True, visible=True))
    assert visible_categories(TREE, grants, view_all=False) == {"a", "b", "c", "d"}
    # Visible null inherits; an inactive ancestor hides whatever is granted below it.
    undecided = [Grant("c", group=False, visible=None), Grant("f", group=False, visible=True)]
    assert visible_categories(TREE, undecided, view_all=False) == set()
