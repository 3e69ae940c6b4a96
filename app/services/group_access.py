"""What a group order token (docs/group-orders.md) reaches: its one order, and on it only the
line items added under its invitation. Order and line services ask here; a caller without the
claim (every other token) is never limited by these rules."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.tokens import Caller
from app.store.repo import Docs
from domain.errors import NotFound
from domain.group_orders import owns_line, require_own_line

# Where invitations are stored (app.services.group_orders).
INVITATION_KIND = "orderinvitation"
# The token's claims: the invitation it was granted for and (OrderCloud's claim) its order.
ORDER_CLAIM = "orderid"


def invitation_of(caller: Caller | None) -> str | None:
    """The invitation a group token acts under; None for every other token."""
    return None if caller is None else caller.invitation_id


def reaches(caller: Caller, order: dict[str, Any]) -> bool:
    """A group token reaches its own order of its own company, and no other."""
    return (
        invitation_of(caller) is not None
        and order.get("ID") == caller.claims.get(ORDER_CLAIM)
        and order.get("FromCompanyID") == caller.company_id
    )


def line_conds(docs: Docs, caller: Caller) -> list[ColumnElement[bool]]:
    """The lines a caller lists on an order: a group token only its invitation's."""
    invitation = invitation_of(caller)
    return docs.eq(InvitationID=invitation) if invitation is not None else []


def check_line_read(caller: Caller, line: dict[str, Any]) -> None:
    """Another contributor's line is, for a group token, a line that does not exist."""
    invitation = invitation_of(caller)
    if invitation is not None and not owns_line(line, invitation):
        raise NotFound("LineItem", line.get("ID"))


def check_line_write(caller: Caller, line: dict[str, Any]) -> None:
    invitation = invitation_of(caller)
    if invitation is not None:
        require_own_line(line, invitation)
