"""Who may reach a company's resources: the seller always; a buyer or supplier user only its own
company (anything else answers 404, so other companies' IDs are not even confirmed)."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.services import orgs
from domain.errors import NotFound

ROUTES: list[object] = []


async def buyer_scope(ctx: Ctx, caller: Caller) -> str:
    return await _company_scope(ctx, caller, "buyer", "Buyer", caller.is_buyer)


async def supplier_scope(ctx: Ctx, caller: Caller) -> str:
    return await _company_scope(ctx, caller, "supplier", "Supplier", caller.is_supplier)


async def _company_scope(ctx: Ctx, caller: Caller, kind: str, object_type: str, same_type: bool) -> str:
    """The company's stored ID (IDs are case-insensitive, so the path may spell it otherwise)."""
    company_id = ctx.param(f"{kind}ID")
    own = same_type and (caller.company_id or "").lower() == company_id.lower()
    if not (caller.is_seller or own):
        raise NotFound(object_type, company_id)
    return await orgs.stored_company_id(ctx.docs, kind, object_type, company_id)


async def seller_only(ctx: Ctx, caller: Caller) -> str:
    if not caller.is_seller:
        from domain.errors import Forbidden

        raise Forbidden(
            "Only the marketplace owner's users may do this",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["FullAccess"]},
        )
    return ""
