"""Group orders' rules (docs/group-orders.md): an invitation lets other buyer users of the order's
company add lines to an unsubmitted order until its ExpirationDate; a contributor touches only
the lines it added; only the order's creator submits."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.clock import iso
from domain.errors import Forbidden, ValidationFailed

# OrderCloud refuses a quantity of invitations per order without saying how many; this is ours.
MAX_INVITATIONS_PER_ORDER = 20

CANNOT_MODIFY = "GroupOrder.CannotModify"
SUBMITTED = "GroupOrder.CannotModifySubmittedOrder"
EXPIRED = "GroupOrderInvitation.InvitationExpired"


def check_expiration(expires: datetime, now: datetime) -> None:
    """An invitation is created or moved only to a date still to come."""
    if expires <= now:
        raise ValidationFailed(
            "ExpirationDate must be in the future",
            "GroupOrderInvitation.InvalidExpiration",
            {"ExpirationDate": iso(expires)},
        )


def is_expired(expires: datetime, now: datetime) -> bool:
    return expires <= now


def check_quantity(existing: int) -> None:
    """`existing`: the invitations the order has already."""
    if existing >= MAX_INVITATIONS_PER_ORDER:
        raise ValidationFailed(
            f"An order may have at most {MAX_INVITATIONS_PER_ORDER} invitations",
            "GroupOrderInvitation.InvitationQuantityExceeded",
            {"MaxInvitations": MAX_INVITATIONS_PER_ORDER},
        )


def token_lifetime(expires: datetime, now: datetime, longest: int) -> int:
    """Seconds a group token lives: never past the invitation's expiry, nor past `longest` (what
    is left of the token it was asked with)."""
    return max(1, min(longest, int((expires - now).total_seconds())))


def owns_line(line: dict[str, Any], invitation_id: str) -> bool:
    return line.get("InvitationID") == invitation_id


def require_own_line(line: dict[str, Any], invitation_id: str) -> None:
    """A contributor changes only the lines it added under its invitation."""
    if not owns_line(line, invitation_id):
        raise Forbidden(
            "A group order token may change only the line items added with its invitation",
            CANNOT_MODIFY,
            {"LineItemID": line.get("ID")},
        )


def refuse_outside_scope(verb: str) -> Forbidden:
    """What a group token gets on a route beyond its order's lines (submit, the order itself,
    other resources): reads are a missing role, writes a refused change of the group order."""
    if verb == "GET":
        return Forbidden(
            "A group order token may only read its order and the catalog", "Auth.InsufficientRoles"
        )
    return Forbidden(
        "A group order token may only add and change its own line items; only the order's creator "
        "submits or changes the order",
        CANNOT_MODIFY,
    )
