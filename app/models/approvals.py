"""Wire structs for approval rules and order approvals."""

from __future__ import annotations

from typing import Any, Literal

from app.models.common import Str100, Str400, Str2000, Xp
from app.wire import Wire, WireID

ApprovalStatus = Literal["Pending", "Approved", "Declined"]


class ApprovalRule(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100 | None = None
    description: Str2000 | None = None
    approving_group_id: WireID
    rule_expression: Str400
    xp: Xp = None


class OrderApproval(Wire, kw_only=True):
    """Read-only; declared for list filters and sorts."""

    allow_resubmit: bool | None = None
    approval_rule_id: str | None = None
    approving_group_id: str | None = None
    status: ApprovalStatus | None = None
    date_created: str | None = None
    date_completed: str | None = None
    approver: dict[str, Any] | None = None
    comments: str | None = None


class OrderApprovalInfo(Wire, kw_only=True):
    allow_resubmit: bool = False
    comments: Str2000 | None = None
