"""Merchant middleware built on `@ordercloud/catalyst` must accept our tokens exactly as it
accepts OrderCloud's (public key from `{aud}/oauth/certs/{kid}`) and reject forged ones."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def result(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("catalyst", sdk_env)


def test_token_carries_what_catalyst_reads(result: dict[str, Any], sdk_env: dict[str, str]) -> None:
    assert result["header"]["alg"] == "RS256" and result["header"]["kid"]
    assert result["header"]["typ"] == "JWT"
    payload = result["payload"]
    assert payload["aud"] == sdk_env["BASE_URL"]  # where catalyst fetches /oauth/certs/{kid}
    assert payload["cid"] == sdk_env["ADMIN_CLIENT_ID"] and payload["usrtype"] == "admin"
    assert isinstance(payload["role"], list) and payload["nbf"] < payload["exp"]


def test_catalyst_accepts_our_token(result: dict[str, Any], sdk_env: dict[str, str]) -> None:
    assert result["accepted"] == {
        "ok": True,
        "usrtype": "Seller",  # catalyst's name for admin users
        "usr": sdk_env["ADMIN_USERNAME"],
        "kid": result["header"]["kid"],
    }
    assert result["acceptedAnyClient"]["ok"] is True
    assert result["middlewareAccepts"] == {"handled": sdk_env["ADMIN_USERNAME"], "error": None}


@pytest.mark.parametrize("case", ["forged", "escalated", "expired", "otherClient"])
def test_catalyst_rejects_bad_tokens(result: dict[str, Any], case: str) -> None:
    assert result[case] == {"ok": False, "name": "InvalidToken", "status": 401}


def test_catalyst_checks_roles_and_user_types(result: dict[str, Any]) -> None:
    assert result["missingRole"] == {"ok": False, "name": "InsufficientRoles", "status": 403}
    assert result["wrongUserType"] == {"ok": False, "name": "InvalidUserType", "status": 403}
    assert result["middlewareRejectsForged"] == {
        "handled": None,
        "error": {"name": "InvalidToken", "status": 401},
    }
