"""The foundation (sign-in, buyers, users, suppliers, list options, errors) driven by the
official OrderCloud JavaScript SDK against a running server."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("foundation", sdk_env)


def test_admin_sign_in(summary: dict[str, Any], sdk_env: dict[str, str]) -> None:
    cc = summary["clientCredentials"]
    assert cc["tokenType"] == "bearer" and cc["expiresIn"] > 0
    claims = cc["claims"]
    assert claims["usr"] == sdk_env["ADMIN_USERNAME"] and claims["usrtype"] == "admin"
    assert claims["cid"] == sdk_env["ADMIN_CLIENT_ID"] and "FullAccess" in claims["role"]
    assert claims["aud"] == sdk_env["BASE_URL"] and claims["exp"] > claims["nbf"]
    assert sorted(summary["passwordLogin"]["roles"]) == ["BuyerAdmin", "SupplierAdmin"]


def test_created_resources_have_the_wire_shape(summary: dict[str, Any]) -> None:
    buyer = summary["createdBuyer"]
    assert buyer["Active"] is True and buyer["DateCreated"] and buyer["xp"]["Tier"] == 2
    assert buyer["DefaultCatalogID"] == buyer["ID"]  # created with the buyer, as the spec says
    user = summary["createdUser"]
    assert user["Password"] is None and user["Active"] is True and user["xp"] == {"Team": "Red"}
    assert not any(key.startswith("_") for key in user)
    assert summary["createdSupplier"]["xp"] == {"Rating": 4.5}
    assert summary["createdSupplierUser"]["Password"] is None
    # PATCH merges xp objects.
    assert summary["patched"]["xp"] == {"Tier": 2, "Region": "West", "Flags": {"Vip": True}}


def _short(ids: list[str]) -> list[str]:
    return [i.rsplit("-", 1)[0] for i in ids]


def test_list_options_through_the_sdk(summary: dict[str, Any]) -> None:
    lists = {name: _short(ids) for name, ids in summary["lists"].items()}
    assert lists == {
        "tier2": ["acme"],
        "tierAbove1": ["acme", "cobalt"],
        "tier1or3": ["bolt", "cobalt"],
        "tierRange": ["acme"],
        "vip": ["acme"],
        "notVipOrNone": ["bolt", "cobalt", "dune"],
        "noXp": ["dune"],
        "escapedPipe": ["cobalt"],
        "inactive": ["dune"],
        "search": ["cobalt"],
        "nameDesc": ["dune", "cobalt", "bolt", "acme"],
        "wildcard": ["bolt"],
    }
    page2 = summary["page2"]
    assert _short(page2["ids"]) == ["dune"]
    assert page2["meta"] == {
        "Page": 2,
        "PageSize": 3,
        "TotalCount": 4,
        "TotalPages": 2,
        "ItemRange": [4, 4],
        "NextPageKey": None,
    }
    assert summary["badPageSize"]["status"] == 400
    assert summary["badPageSize"]["errorCode"] == "List.InvalidPageSize"
    assert summary["badSort"]["errorCode"] == "List.InvalidSortProperty"
    assert summary["badFilter"]["errorCode"] == "List.InvalidProperty"


def test_users_and_suppliers(summary: dict[str, Any]) -> None:
    users = {name: _short(ids) for name, ids in summary["users"].items()}
    assert users == {"all": ["ann", "bob"][::-1], "red": ["ann"], "search": ["bob"], "otherBuyer": []}
    assert summary["duplicateUsername"]["status"] == 409
    assert summary["duplicateUsername"]["errorCode"] == "User.UsernameMustBeUnique"
    assert summary["userInWrongBuyer"]["status"] == 404
    assert _short(summary["suppliers"]) == ["sup"]


def test_errors_arrive_as_order_cloud_errors(summary: dict[str, Any]) -> None:
    assert summary["wrongPassword"]["status"] == 400
    assert summary["wrongPassword"]["errorCode"] == "Auth.InvalidUsernameOrPassword"
    assert summary["unknownClient"]["status"] == 400
    not_found = summary["notFound"]
    assert not_found["status"] == 404 and not_found["errorCode"] == "NotFound"
    assert not_found["message"].endswith(" not found") and not_found["message"].startswith("Buyer ")
    assert summary["duplicate"]["status"] == 409 and summary["duplicate"]["errorCode"] == "IdExists"
    assert summary["readerCanList"] == 4
    denied = summary["readerCannotCreate"]
    assert denied["status"] == 403 and denied["errorCode"] == "Auth.InsufficientRoles"
    assert "BuyerAdmin" in denied["data"]["SufficientRoles"]
    assert summary["noToken"]["status"] == 401


def test_public_key_through_the_sdk(summary: dict[str, Any]) -> None:
    key = summary["publicKey"]
    assert key["kid"] == summary["kid"] and key["kty"] == "RSA" and key["n"] and key["e"]
