"""Webhooks created with the official SDK and received by a node server that verifies every
`X-oc-hash` with `@ordercloud/catalyst` (js/webhooks.mjs)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e

PAYLOAD_KEYS = [
    "Route",
    "RouteParams",
    "QueryParams",
    "Verb",
    "Date",
    "LogID",
    "UserToken",
    "Request",
    "Response",
    "ConfigData",
]


@pytest.fixture(scope="module")
def result(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("webhooks", sdk_env)


def test_catalyst_accepts_every_signature(result: dict[str, Any]) -> None:
    assert result["seen"]["rejected"] == 0


def test_post_hooks_carry_ordercloud_payloads(result: dict[str, Any]) -> None:
    posts = sorted(result["seen"]["posts"], key=lambda p: p["verb"])
    buyer = result["buyerID"]
    assert [p["keys"] for p in posts] == [PAYLOAD_KEYS, PAYLOAD_KEYS]
    assert [(p["route"], p["verb"]) for p in posts] == [
        ("v1/buyers/{buyerID}", "PATCH"),
        ("v1/buyers", "POST"),
    ]
    assert posts[0]["params"] == {"buyerID": buyer} and posts[0]["requestBody"] == {"Name": "Hooked again"}
    assert posts[0]["responseName"] == "Hooked again" and posts[1]["responseName"] == "Hooked"
    assert all(p["configData"] == {"Env": "e2e"} and p["hasUserToken"] for p in posts)
    ids = result["seen"]["webhookIds"]
    assert len(set(ids)) == 2 and all(ids)


def test_a_prehook_saying_no_stops_the_delete(result: dict[str, Any]) -> None:
    assert result["seen"]["prehooks"] == [
        {
            "route": "v1/buyers/{buyerID}",
            "verb": "DELETE",
            "params": {"buyerID": result["buyerID"]},
            "response": None,
        }
    ]
    vetoed = result["vetoed"]
    assert vetoed["status"] == 400 and vetoed["errorCode"] == "Webhook.PreHookRejected"
    assert vetoed["data"] == {"Reason": "buyers are kept"}
    assert result["stillThere"] == "Hooked again"
