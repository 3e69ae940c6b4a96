"""What a `/orders/{direction}/{orderID}` path names, for the order routes: the HTTP half of
`app.services.order_access.load_order` (services take the direction and ID as values, never
the request)."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.services.order_access import load_order
from app.store.repo import Stored
from domain.orders import Direction, parse_direction


def direction_param(ctx: Ctx) -> Direction:
    return parse_direction(ctx.param("direction"))


async def order_at_path(
    ctx: Ctx, roles: tuple[str, ...], *, write: bool = True, lock: bool | None = None
) -> tuple[Caller, Stored]:
    """The caller (holding one of `roles`) and the order `/orders/{direction}/{orderID}` names,
    loaded as `load_order` does: the one way order routes find their order."""
    caller = await ctx.caller(*roles)
    return caller, await load_order(
        ctx, caller, direction_param(ctx), ctx.param("orderID"), write=write, lock=lock
    )
