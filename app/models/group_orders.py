"""Group order invitations (the SDK's `GroupOrderInvitation`): docs/group-orders.md."""

from __future__ import annotations

from app.models.common import DateTime, Str100, Xp
from app.wire import Wire, WireID


class GroupOrderInvitation(Wire, kw_only=True):
    id: WireID | None = None
    expiration_date: DateTime
    name: Str100 | None = None
    order_id: WireID
    # Read-only: the invited order's status, read from the order whenever the invitation is shown.
    order_status: str | None = None
    xp: Xp = None
