"""Bundle line items: `/orders/{direction}/{orderID}/bundles/{bundleID}[/{bundleItemID}]` and
the cart's `/cart/bundles/{bundleID}[/{bundleItemID}]` (services.bundle_lines)."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.order_paths import order_at_path
from app.services import bundle_lines, cart
from app.services.order_access import ORDER_WRITE_ROLES, line_view


@endpoint("POST", "/orders/{direction}/{orderID}/bundles/{bundleID}")
async def create(ctx: Ctx) -> Any:
    caller, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    line = await bundle_lines.add_bundle(ctx, caller, stored, ctx.param("bundleID"), await ctx.body_object())
    return line_view(caller, line)


@endpoint("DELETE", "/orders/{direction}/{orderID}/bundles/{bundleID}/{bundleItemID}")
async def delete(ctx: Ctx) -> Any:
    _, stored = await order_at_path(ctx, ORDER_WRITE_ROLES)
    await bundle_lines.remove_bundle(ctx, stored, ctx.param("bundleID"), ctx.param("bundleItemID"))
    return NO_CONTENT, 204


@endpoint("POST", "/cart/bundles/{bundleID}")
async def create_in_cart(ctx: Ctx) -> Any:
    caller, stored = await cart.target(ctx, create=True)
    return await bundle_lines.add_bundle(ctx, caller, stored, ctx.param("bundleID"), await ctx.body_object())


@endpoint("DELETE", "/cart/bundles/{bundleID}/{bundleItemID}")
async def delete_in_cart(ctx: Ctx) -> Any:
    _, stored = await cart.target(ctx, lock=True)
    await bundle_lines.remove_bundle(ctx, stored, ctx.param("bundleID"), ctx.param("bundleItemID"))
    return NO_CONTENT, 204


ROUTES = [create, delete, create_in_cart, delete_in_cart]
