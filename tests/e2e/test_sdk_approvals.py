"""Order approvals driven by the official OrderCloud JavaScript SDK (`js/approvals.mjs`)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.harness import run_node

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def summary(sdk_env: dict[str, str]) -> dict[str, Any]:
    return run_node("approvals", sdk_env)


def test_rules_are_validated_and_created(summary: dict[str, Any]) -> None:
    assert summary["badRule"]["status"] == 400
    assert summary["badRule"]["errorCode"] == "Expression.InvalidSyntax"
    rule = summary["rule"]
    assert rule["RuleExpression"] == "order.Total > 100" and rule["Name"] == "Big orders"
    assert summary["rules"] == [rule["ID"]]


def test_submit_over_the_limit_awaits_approval(summary: dict[str, Any]) -> None:
    assert summary["small"]["Status"] == "Open"
    big = summary["big"]
    assert big["Status"] == "AwaitingApproval" and big["IsSubmitted"] is False
    assert summary["stockWhileAwaiting"] == 8
    assert summary["approvable"] == [big["ID"]]
    (approval,) = summary["approvals"]
    assert approval["Status"] == "Pending" and approval["ApprovalRuleID"] == summary["rule"]["ID"]
    assert len(summary["approvers"]) == 1 and summary["approvers"][0].startswith("manager-")
    assert summary["managerReads"] == "AwaitingApproval"


def test_approval(summary: dict[str, Any]) -> None:
    assert summary["shopperApproves"]["status"] == 403
    assert summary["shopperApproves"]["errorCode"] == "Order.NotEligibleToApprove"
    approved = summary["approved"]
    assert approved["Status"] == "Open" and approved["DateApproved"] and approved["IsSubmitted"] is True
    assert summary["stockAfterApproval"] == 5
    (approval,) = summary["approvalsAfter"]
    assert approval["Status"] == "Approved" and approval["Comments"] == "ok"
    assert approval["Approver"]["ID"] == summary["approvers"][0]


def test_decline_allowing_resubmit(summary: dict[str, Any]) -> None:
    declined = summary["declined"]
    assert declined["Status"] == "Unsubmitted" and declined["DateDeclined"]
    assert summary["notAwaiting"]["errorCode"] == "Order.MustBeAwaitingApproval"
