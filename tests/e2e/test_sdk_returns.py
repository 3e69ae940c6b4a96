"""A buyer's return through the official SDK against a node middleware built with
`@ordercloud/catalyst` answering OrderCloud's `calculateorderreturn` integration event
(js/returns.mjs): catalyst's hash check accepts the call, its token check accepts the
OrderCloudAccessToken, the middleware reads the order back with it while ordercore waits, and its
amounts become the return's; completing the return refunds it, restocks the boots and leaves the
order PARTIALLY_REFUNDED in the common order view."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def result(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("returns", sdk_env)


def test_catalyst_middleware_answers_calculateorderreturn(result: dict[str, Any]) -> None:
    seen = result["middleware"]
    assert seen["rejected"] == 0 and seen["calls"] == 1  # the create; a refused patch never calls
    assert seen["payloadKeys"] == [
        "ConfigData",
        "Environment",
        "OrderCloudAccessToken",
        "OrderReturn",
        "OrderWorksheet",
    ]
    assert seen["configData"] == {"FeeReason": "changed-mind"}
    assert seen["tokenCheck"] == {"ok": True, "roles": ["OrderReader"]}
    assert seen["callback"]["status"] == "Completed" and seen["callback"]["returnID"]


def test_the_middleware_amounts_are_the_return_amounts(result: dict[str, Any]) -> None:
    assert result["total"] == 98  # 4 x 24.50
    # 2 x 24.50 less the 10 % fee for changing one's mind.
    assert result["created"] == {
        "refundAmount": 44.1,
        "status": "Unsubmitted",
        "items": [[2, 44.1, "changed-mind", "Too tight"]],
    }
    assert result["refusedReason"] == {"status": 404, "errorCode": "NotFound"}


def test_completion_refunds_restocks_and_reads_partially_refunded(result: dict[str, Any]) -> None:
    assert result["submitted"] == "Open"
    assert result["completed"] == {"status": "Completed", "paymentIDs": 1}
    assert result["refunds"] == [[-44.1, True]]
    assert result["stock"] == {"afterSubmit": 16, "afterReturn": 18}
    assert result["paymentStatus"] == "PARTIALLY_REFUNDED"
    assert result["byReason"] == [True]
