"""Bundle subscription items: `/subscriptions/{subscriptionID}/bundles/{bundleID}[/{bundleItemID}]`
for the seller and `/me/subscriptions/{subscriptionID}/items/bundles/{bundleID}[/{bundleItemID}]`
for the subscription's own user (services.bundle_subscription_items)."""

from __future__ import annotations

from typing import Any

from app.http import NO_CONTENT, Ctx, endpoint
from app.routes.subscriptions import ME_ROLES, WRITE_ROLES, my_subscription_scope, subscription_scope
from app.services import bundle_subscription_items as items


@endpoint("POST", "/subscriptions/{subscriptionID}/bundles/{bundleID}")
async def create(ctx: Ctx) -> Any:
    sub_id = await subscription_scope(ctx, await ctx.caller(*WRITE_ROLES))
    return await items.add_bundle(ctx, sub_id, ctx.param("bundleID"), await ctx.body_object())


@endpoint("DELETE", "/subscriptions/{subscriptionID}/bundles/{bundleID}/{bundleItemID}")
async def delete(ctx: Ctx) -> Any:
    sub_id = await subscription_scope(ctx, await ctx.caller(*WRITE_ROLES))
    await items.remove_bundle(ctx, sub_id, ctx.param("bundleID"), ctx.param("bundleItemID"))
    return NO_CONTENT, 204


@endpoint("POST", "/me/subscriptions/{subscriptionID}/items/bundles/{bundleID}")
async def create_mine(ctx: Ctx) -> Any:
    sub_id = await my_subscription_scope(ctx, await ctx.caller(*ME_ROLES))
    return await items.add_bundle(ctx, sub_id, ctx.param("bundleID"), await ctx.body_object())


@endpoint("DELETE", "/me/subscriptions/{subscriptionID}/items/bundles/{bundleID}/{bundleItemID}")
async def delete_mine(ctx: Ctx) -> Any:
    sub_id = await my_subscription_scope(ctx, await ctx.caller(*ME_ROLES))
    await items.remove_bundle(ctx, sub_id, ctx.param("bundleID"), ctx.param("bundleItemID"))
    return NO_CONTENT, 204


ROUTES = [create, delete, create_mine, delete_mine]
