"""Group order tokens (`POST /grouporders/{invitationID}/token`, docs/group-orders.md).

A group token is the caller's own identity (so it dies with the user, as every token does,
app.auth.revocation) narrowed three ways:
- roles: Shopper only;
- routes: `GROUP_ROUTES` only (the invited order, its line items, the catalog); any other route
  is refused before its handler runs (`check_route`, called for every verified caller);
- state: every request re-reads the invitation and its order (`problem`): the token is dead
  once the invitation is deleted or expired, or the order is submitted, deleted or renamed."""

from __future__ import annotations

import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.revocation import REVOKED
from app.auth.tokens import INVITATION_CLAIM, Caller
from app.services.group_access import INVITATION_KIND, ORDER_CLAIM, invitation_of
from app.store.repo import Docs
from domain.clock import parse_iso, utcnow
from domain.group_orders import EXPIRED, SUBMITTED, is_expired, refuse_outside_scope, token_lifetime
from domain.order_status import is_unsubmitted

if TYPE_CHECKING:
    from app.state import Services

_ORDER = "/orders/{direction}/{orderID}"
_LINE = f"{_ORDER}/lineitems/{{lineItemID}}"
# "VERB path" (without /v1) of every route a group token may call.
GROUP_ROUTES = frozenset(
    {
        "GET /me",
        "GET /me/products",
        "GET /me/products/{productID}",
        "GET /me/products/{productID}/specs",
        "GET /me/products/{productID}/variants",
        f"GET {_ORDER}",
        f"GET {_ORDER}/lineitems",
        f"POST {_ORDER}/lineitems",
        f"GET {_LINE}",
        f"PUT {_LINE}",
        f"PATCH {_LINE}",
        f"DELETE {_LINE}",
        # The cart routes, which act on the token's group order.
        "GET /cart",
        "GET /cart/lineitems",
        "POST /cart/lineitems",
        "GET /cart/lineitems/{lineItemID}",
        "PUT /cart/lineitems/{lineItemID}",
        "PATCH /cart/lineitems/{lineItemID}",
        "DELETE /cart/lineitems/{lineItemID}",
    }
)

# Claims of the caller's token the group token does not inherit: its own times, ID and roles.
_NOT_INHERITED = frozenset({"iss", "aud", "nbf", "iat", "exp", "jti", "iatms", "role", "crl", "typ"})


def check_route(caller: Caller, verb: str, route: str) -> None:
    """Refuse a group token on any route beyond `GROUP_ROUTES` (`route`: "v1/...")."""
    if invitation_of(caller) is None:
        return
    if f"{verb} {route.removeprefix('v1')}" not in GROUP_ROUTES:
        raise refuse_outside_scope(verb)


async def problem(claims: dict[str, Any], conn: AsyncConnection) -> str | None:
    """None while a group token stands, else the ErrorCode of its death (every token without
    the claim stands here)."""
    invitation_id = claims.get(INVITATION_CLAIM)
    if not invitation_id:
        return None
    docs = Docs(conn)
    found = await docs.get(INVITATION_KIND, str(invitation_id))
    if found is None or found.doc.get("OrderID") != claims.get(ORDER_CLAIM):
        return REVOKED
    if is_expired(parse_iso(found.doc["ExpirationDate"]), utcnow()):
        return EXPIRED
    order = await docs.get("order", found.doc["OrderID"])
    if order is None:
        return REVOKED
    return None if is_unsubmitted(order.doc) else SUBMITTED


async def mint(
    services: Services, caller: Caller, invitation: dict[str, Any], now: datetime
) -> dict[str, Any]:
    """OrderCloud's AccessToken for `invitation`, acting as `caller` (checked by the service)."""
    left = int(caller.claims.get("exp") or 0) - int(time.time())
    lifetime = token_lifetime(parse_iso(invitation["ExpirationDate"]), now, max(1, left))
    claims = {k: v for k, v in caller.claims.items() if k not in _NOT_INHERITED}
    claims.update(
        {"role": ["Shopper"], INVITATION_CLAIM: invitation["ID"], ORDER_CLAIM: invitation["OrderID"]}
    )
    token = await services.tokens.issue(claims, lifetime)
    return {"access_token": token, "expires_in": lifetime, "token_type": "bearer", "refresh_token": None}
