"""Who may reach a company's resources: the seller always; a buyer or supplier user only its own
company (anything else answers 404, so other companies' IDs are not even confirmed)."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from domain.errors import NotFound

ROUTES: list[object] = []


async def buyer_scope(ctx: Ctx, caller: Caller) -> str:
    buyer_id = ctx.param("buyerID")
    if not caller.is_seller and not (caller.is_buyer and caller.company_id == buyer_id):
        raise NotFound("Buyer", buyer_id)
    if not await ctx.docs.exists("buyer", buyer_id):
        raise NotFound("Buyer", buyer_id)
    return buyer_id


async def supplier_scope(ctx: Ctx, caller: Caller) -> str:
    supplier_id = ctx.param("supplierID")
    if not caller.is_seller and not (caller.is_supplier and caller.company_id == supplier_id):
        raise NotFound("Supplier", supplier_id)
    if not await ctx.docs.exists("supplier", supplier_id):
        raise NotFound("Supplier", supplier_id)
    return supplier_id


async def seller_only(ctx: Ctx, caller: Caller) -> str:
    if not caller.is_seller:
        from domain.errors import Forbidden

        raise Forbidden(
            "Only the marketplace owner's users may do this",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["FullAccess"]},
        )
    return ""
