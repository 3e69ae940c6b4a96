"""Buyer and supplier users signing in through an API client and seeing only their own company,
driven by the official SDK through API clients, security-profile assignments and `/me`."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = [pytest.mark.e2e]


@pytest.fixture(scope="module")
def summary(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("foundation_roles", sdk_env)


def test_api_client(summary: dict[str, Any]) -> None:
    assert summary["client"]["id"]
    assert summary["client"]["allowAnyBuyer"] is True and summary["client"]["allowAnySupplier"] is True


def test_buyer_user_sees_its_buyer_and_nothing_else(summary: dict[str, Any]) -> None:
    shopper = summary["shopper"]
    assert shopper["usrtype"] == "buyer" and shopper["roles"] == ["MeAdmin", "Shopper"]
    me = shopper["me"]
    assert me["ID"] == summary["ids"]["shopper"] and me["Buyer"]["ID"] == summary["ids"]["buyer"]
    assert me["Password"] is None
    assert shopper["listBuyers"]["status"] == 403
    assert shopper["listBuyers"]["errorCode"] == "Auth.InsufficientRoles"
    # Without a buyer-user role the role check answers first.
    assert shopper["otherBuyersUser"]["status"] == 403


def test_buyer_user_with_a_reader_role_sees_only_its_company(summary: dict[str, Any]) -> None:
    manager = summary["manager"]
    assert sorted(manager["ownUsers"]) == sorted([summary["ids"]["manager"], summary["ids"]["shopper"]])
    assert manager["otherBuyersUser"]["status"] == 404
    assert manager["otherBuyersUsers"]["status"] == 404


def test_supplier_user_sees_its_supplier_and_nothing_else(summary: dict[str, Any]) -> None:
    vendor = summary["vendor"]
    assert vendor["usrtype"] == "supplier" and vendor["roles"] == ["MeAdmin", "SupplierUserReader"]
    assert vendor["me"]["Supplier"]["ID"] == summary["ids"]["supplier"]
    assert vendor["ownUsers"] == [summary["ids"]["vendor"]]
    assert vendor["otherSuppliersUsers"]["status"] == 404
    assert vendor["listBuyers"]["status"] == 403
    assert vendor["buyersUsers"]["status"] in (403, 404)


def test_refused_sign_ins(summary: dict[str, Any]) -> None:
    assert summary["wrongPassword"]["status"] == 400
    assert summary["wrongPassword"]["errorCode"] == "Auth.InvalidUsernameOrPassword"
    assert summary["buyerOnAdminClient"]["status"] == 400
