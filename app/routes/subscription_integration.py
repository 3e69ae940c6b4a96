"""`/integrations/subscription`: OrderCloud's SubscriptionIntegrations (Get, Save, Patch, Delete),
the marketplace's one subscription integration (app.services.subscription_integration;
docs/subscriptions.md). Seller users only: SubscriptionAdmin writes, SubscriptionReader reads
(HashKey and CustomAuthHeaderValue null for readers)."""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.routes.access import seller_only
from app.routes.subscriptions import READ_ROLES, WRITE_ROLES
from app.services import subscription_integration

PATH = "/integrations/subscription"


async def _seller(ctx: Ctx, *roles: str) -> Caller:
    caller = await ctx.caller(*roles)
    await seller_only(ctx, caller)
    return caller


@endpoint("GET", PATH)
async def get_integration(ctx: Ctx) -> Any:
    caller = await _seller(ctx, *READ_ROLES)
    return await subscription_integration.require(ctx.docs, secrets=caller.has(*WRITE_ROLES))


async def _save(ctx: Ctx, *, patch: bool) -> Any:
    await _seller(ctx, *WRITE_ROLES)
    body = await ctx.body_object()
    allow_private = ctx.services.settings.outbound_allow_private
    return await subscription_integration.save(ctx.docs, body, patch=patch, allow_private=allow_private)


@endpoint("PUT", PATH)
async def save_integration(ctx: Ctx) -> Any:
    return await _save(ctx, patch=False)


@endpoint("PATCH", PATH)
async def patch_integration(ctx: Ctx) -> Any:
    return await _save(ctx, patch=True)


@endpoint("DELETE", PATH)
async def delete_integration(ctx: Ctx) -> Any:
    await _seller(ctx, *WRITE_ROLES)
    await subscription_integration.delete(ctx.docs)
    return NO_CONTENT


ROUTES = [get_integration, save_integration, patch_integration, delete_integration]
