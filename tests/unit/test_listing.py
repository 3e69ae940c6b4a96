"""The list-option grammar: query pairs -> paging/search/sort/filters, filter values -> terms."""

from __future__ import annotations

import pytest

from app.list_options import ListOptions, Page, Term, parse_list_options, parse_terms, schema_of
from app.listing import Compiler
from app.models.orgs import Buyer, User
from domain.errors import ValidationFailed


@pytest.mark.parametrize(
    ("raw", "terms"),
    [
        ("Open", [Term(False, "=", "Open")]),
        ("a|b|c", [Term(False, "=", "a"), Term(False, "=", "b"), Term(False, "=", "c")]),
        ("!a", [Term(True, "=", "a")]),
        (">5", [Term(False, ">", "5")]),
        ("<5", [Term(False, "<", "5")]),
        (">=5", [Term(False, ">=", "5")]),
        ("<=2024-12-31", [Term(False, "<=", "2024-12-31")]),
        ("!>5", [Term(True, ">", "5")]),
        ("!<=5", [Term(True, "<=", "5")]),
        ("<2|>8", [Term(False, "<", "2"), Term(False, ">", "8")]),
        ("ab*", [Term(False, "like", "ab*")]),
        ("*ab*", [Term(False, "like", "*ab*")]),
        ("!ab*", [Term(True, "like", "ab*")]),
        # `*` alone: present (negated "is null"); `!*`: absent or null.
        ("*", [Term(True, "null", "")]),
        ("!*", [Term(False, "null", "")]),
        ("a|!*", [Term(False, "=", "a"), Term(False, "null", "")]),
        # Escapes make the next character literal.
        ("\\*", [Term(False, "=", "*")]),
        ("a\\|b", [Term(False, "=", "a|b")]),
        ("\\!x", [Term(False, "=", "!x")]),
        ("\\>5", [Term(False, "=", ">5")]),
        ("a\\*b", [Term(False, "=", "a*b")]),
        ("a\\\\*", [Term(False, "like", "a\\\\*")]),  # an escaped backslash, then a wildcard
        ("", [Term(False, "=", "")]),
    ],
)
def test_parse_terms(raw: str, terms: list[Term]) -> None:
    assert parse_terms(raw) == terms


def test_parse_list_options_splits_every_kind_of_key() -> None:
    opts = parse_list_options(
        [
            ("PAGE", "3"),
            ("pagesize", "50"),
            ("Search", "red shoe"),
            ("searchOn", "Name, ID"),
            ("searchType", "allTermsSameField"),
            ("sortBy", "!Name,ID"),
            ("xp.a.b", ">1"),
            ("xp.a.b", "<9"),
            ("Status", "Open|Closed"),
            ("BuyerID", "b1"),
            ("pageKey", "ignored"),
        ],
        params=("buyerID",),
    )
    assert (opts.page, opts.page_size) == (3, 50)
    assert opts.search == "red shoe" and opts.search_on == ["Name", "ID"]
    assert opts.search_type == "AllTermsSameField"
    assert opts.sort_by == ["!Name", "ID"]
    assert opts.filters == [("xp.a.b", ">1"), ("xp.a.b", "<9"), ("Status", "Open|Closed")]
    assert opts.params == {"buyerID": "b1"}


def test_defaults() -> None:
    assert parse_list_options([]) == ListOptions()
    assert ListOptions().page_size == 20 and ListOptions().search_type == "AnyTerm"


@pytest.mark.parametrize(
    ("key", "value", "code"),
    [
        ("pageSize", "101", "List.InvalidPageSize"),
        ("pageSize", "0", "List.InvalidPageSize"),
        ("pageSize", "ten", "List.InvalidPageSize"),
        ("page", "0", "List.InvalidPage"),
        ("page", "-1", "List.InvalidPage"),
        ("searchType", "Fuzzy", "List.InvalidType"),
    ],
)
def test_bad_paging_and_search_type(key: str, value: str, code: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        parse_list_options([(key, value)])
    assert err.value.code == code and err.value.status == 400


def test_page_size_100_is_allowed() -> None:
    assert parse_list_options([("pageSize", "100")]).page_size == 100


def test_filter_helpers_match_keys_in_any_case() -> None:
    opts = parse_list_options([("Status", "Open"), ("status", "Closed"), ("ID", "x")])
    assert opts.filter_values("STATUS") == ["Open", "Closed"]
    assert opts.pop_filter("status") == ["Open", "Closed"]
    assert opts.filters == [("ID", "x")]


def test_schema_resolves_paths_case_insensitively() -> None:
    schema = schema_of(Buyer)
    assert schema.resolve("name") == (["Name"], "str")
    assert schema.resolve("ACTIVE") == (["Active"], "bool")
    assert schema.resolve("datecreated") == (["DateCreated"], "date")
    assert schema.resolve("xp.Tier.Level") == (["xp", "Tier", "Level"], "dyn")
    assert schema_of(User).resolve("failedloginattempts") == (["FailedLoginAttempts"], "num")


@pytest.mark.parametrize("path", ["Nope", "Name.Sub", "xp.a b", "xp..a", "ID;drop"])
def test_schema_rejects_unknown_paths(path: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        schema_of(Buyer).resolve(path)
    assert err.value.code == "List.InvalidProperty"


@pytest.mark.parametrize(
    ("page", "size", "count", "total", "meta"),
    [
        (1, 20, 3, 3, (1, 3)),
        (2, 2, 2, 5, (3, 4)),
        (3, 2, 1, 5, (5, 5)),
    ],
)
def test_page_meta_item_range_is_one_based(
    page: int, size: int, count: int, total: int, meta: tuple[int, int]
) -> None:
    wire = Page(list(range(count)), page, size, total).wire()
    assert wire["Meta"]["ItemRange"] == list(meta)
    assert wire["Meta"]["TotalPages"] == -(-total // size)


@pytest.mark.parametrize("sort", ["Bogus", "!Bogus", "Name.X"])
def test_bad_sort_property(sort: str) -> None:
    with pytest.raises(ValidationFailed) as err:
        Compiler(False, schema_of(Buyer)).order_by([sort], None, ("ID",))
    assert err.value.code == "List.InvalidSortProperty"


def test_sort_outside_the_sortable_list_is_refused() -> None:
    compiler = Compiler(False, schema_of(Buyer))
    assert compiler.order_by(["!Name"], ("Name", "ID"), ("ID",))
    with pytest.raises(ValidationFailed) as err:
        compiler.order_by(["Active"], ("Name", "ID"), ("ID",))
    assert err.value.code == "List.InvalidSortProperty"
