"""`/subscriptions` (+ `/items`) for the seller, `/me/subscriptions` (+ `/items`) for a buyer
user's own: OrderCloud's Subscriptions, SubscriptionItems and Me.*Subscription*. The scheduler
that orders them: app.services.subscriptions; docs/subscriptions.md."""

from __future__ import annotations

from app.auth.tokens import Caller
from app.http import Ctx
from app.models.subscriptions import Subscription, SubscriptionItem
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import subscriptions
from domain.errors import Forbidden

READ_ROLES = ("SubscriptionReader", "SubscriptionAdmin")
WRITE_ROLES = ("SubscriptionAdmin",)
ME_ROLES = ("MeSubscriptionAdmin",)
READONLY = ("DateCreated", "LastOrderDate", "NotificationDate", "LastOrderID", "LastOrderRefusal")


async def _check(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await subscriptions.check(ctx.docs, doc, existing, None)


async def _on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await subscriptions.forget(ctx.docs, doc["ID"])


async def _buyer_user(ctx: Ctx, caller: Caller) -> str:
    if not caller.is_buyer:
        raise Forbidden(
            "Only buyer users have subscriptions of their own",
            "Auth.InsufficientRoles",
            {"SufficientRoles": list(ME_ROLES)},
        )
    return ""


async def _mine(ctx: Ctx, caller: Caller, scope: str) -> list[object]:
    return subscriptions.mine(ctx.docs, caller)


async def _check_mine(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await subscriptions.check(ctx.docs, doc, existing, caller)


SPEC = ResourceSpec(
    subscriptions.KIND,
    "Subscription",
    "/subscriptions",
    "subscriptionID",
    Subscription,
    READ_ROLES,
    WRITE_ROLES,
    readonly=READONLY,
    searchable=("ID",),
    scope=seller_only,
    on_write=_check,
    on_delete=_on_delete,
)

ME_SPEC = ResourceSpec(
    subscriptions.KIND,
    "Subscription",
    "/me/subscriptions",
    "subscriptionID",
    Subscription,
    ME_ROLES,
    ME_ROLES,
    readonly=(*READONLY, "FromUserID", "FromCompanyID"),
    searchable=("ID",),
    scope=_buyer_user,
    visible=_mine,  # type: ignore[arg-type]
    on_write=_check_mine,
    on_delete=_on_delete,
)


async def subscription_scope(ctx: Ctx, caller: Caller) -> str:
    await seller_only(ctx, caller)
    return await subscriptions.stored_id(ctx.docs, ctx.param("subscriptionID"))


async def my_subscription_scope(ctx: Ctx, caller: Caller) -> str:
    await _buyer_user(ctx, caller)
    return await subscriptions.stored_id(ctx.docs, ctx.param("subscriptionID"), user=caller)


async def _check_item(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return await subscriptions.check_item(ctx.docs, doc)


def _item_spec(path: str, read: tuple[str, ...], write: tuple[str, ...], scope: object) -> ResourceSpec:
    return ResourceSpec(
        subscriptions.ITEM_KIND,
        "SubscriptionItem",
        path,
        "subscriptionItemID",
        SubscriptionItem,
        read,
        write,
        readonly=("DateAdded", "BundleItemID"),
        searchable=("ID", "ProductID"),
        scope=scope,  # type: ignore[arg-type]
        on_write=_check_item,
    )


ITEM_SPEC = _item_spec("/subscriptions/{subscriptionID}/items", READ_ROLES, WRITE_ROLES, subscription_scope)
ME_ITEM_SPEC = _item_spec(
    "/me/subscriptions/{subscriptionID}/items", ME_ROLES, ME_ROLES, my_subscription_scope
)

ROUTES = [*crud(SPEC), *crud(ITEM_SPEC), *crud(ME_SPEC), *crud(ME_ITEM_SPEC)]
