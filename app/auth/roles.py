"""OrderCloud API roles (the SDK's `ApiRole`) and the rule that turns a scope into granted roles."""

from __future__ import annotations

from collections.abc import Iterable

ALL_ROLES: frozenset[str] = frozenset(
    (
        "ApiClientAdmin",
        "ApiClientReader",
        "AddressAdmin",
        "AddressReader",
        "AdminAddressAdmin",
        "AdminAddressReader",
        "AdminUserAdmin",
        "AdminUserGroupAdmin",
        "AdminUserGroupReader",
        "AdminUserReader",
        "ApprovalRuleAdmin",
        "ApprovalRuleReader",
        "BundleAdmin",
        "BundleAssignmentAdmin",
        "BundleReader",
        "BuyerAdmin",
        "BuyerImpersonation",
        "BuyerReader",
        "BuyerUserAdmin",
        "BuyerUserReader",
        "CatalogAdmin",
        "CatalogReader",
        "CategoryAdmin",
        "CategoryReader",
        "CostCenterAdmin",
        "CostCenterReader",
        "CreditCardAdmin",
        "CreditCardReader",
        "EntitySyncConfigAdmin",
        "FullAccess",
        "IncrementorAdmin",
        "IncrementorReader",
        "LocaleReader",
        "LocaleAdmin",
        "MeAddressAdmin",
        "MeAdmin",
        "MeCreditCardAdmin",
        "MessageConfigAssignmentAdmin",
        "MeSubscriptionAdmin",
        "MeXpAdmin",
        "OrderAdmin",
        "OrderReader",
        "OverrideShipping",
        "OverrideTax",
        "OverrideUnitPrice",
        "PasswordReset",
        "PriceScheduleAdmin",
        "PriceScheduleReader",
        "ProductAdmin",
        "ProductAssignmentAdmin",
        "ProductCollectionReader",
        "ProductFacetAdmin",
        "ProductFacetReader",
        "ProductReader",
        "ProductSyncConfigAdmin",
        "PromotionAdmin",
        "PromotionReader",
        "SecurityProfileAdmin",
        "SecurityProfileReader",
        "SetSecurityProfile",
        "ShipmentAdmin",
        "ShipmentReader",
        "Shopper",
        "SpendingAccountAdmin",
        "SpendingAccountReader",
        "SubscriptionAdmin",
        "SubscriptionReader",
        "SupplierAddressAdmin",
        "SupplierAddressReader",
        "SupplierAdmin",
        "SupplierReader",
        "SupplierUserAdmin",
        "SupplierUserGroupAdmin",
        "SupplierUserGroupReader",
        "SupplierUserReader",
        "UnsubmittedOrderReader",
        "UserGroupAdmin",
        "UserGroupReader",
        "OpenIDConnectReader",
        "OpenIDConnectAdmin",
        "MessageSenderReader",
        "MessageSenderAdmin",
        "XpIndexAdmin",
        "WebhookReader",
        "WebhookAdmin",
        "IntegrationEventReader",
        "IntegrationEventAdmin",
        "TrackingEventReader",
        "TrackingEventAdmin",
        "DeliveryConfigAdmin",
        "OrderSyncConfigAdmin",
        "ErrorConfigAdmin",
    )
)


# The roles a user of each type can hold: OrderCloud leaves the others out of `User.AvailableRoles`
# and of the user's tokens (its export of the Vercel-B2C template lists a buyer user's roles without
# the `BuyerReader` its security profile grants). A role belongs to a type when some operation a user
# of that type may call accepts it for that user's own company: buyer users shop (`/me`, their
# orders) and may administer their own buyer's users, groups, addresses, cost centers, payment
# instruments and approval rules; supplier users administer their own supplier, its users, groups
# and addresses, and the orders, shipments and products they fulfil. Marketplace-wide roles
# (buyers, suppliers, API clients, security profiles, catalogs, webhooks, ...) are the seller's.
# FullAccess stands for every role of the user's type (`granted_roles`). Admin (seller) users can
# hold every role.
_ME_ROLES = frozenset(("MeAdmin", "MeXpAdmin", "PasswordReset", "Shopper", "FullAccess"))
_ORDER_ROLES = frozenset(
    ("OrderAdmin", "OrderReader", "OverrideShipping", "OverrideTax", "OverrideUnitPrice")
)
BUYER_USER_ROLES: frozenset[str] = (
    _ME_ROLES
    | _ORDER_ROLES
    | frozenset(
        (
            "MeAddressAdmin",
            "MeCreditCardAdmin",
            "MeSubscriptionAdmin",
            "UnsubmittedOrderReader",
            "ShipmentReader",
            "BuyerUserAdmin",
            "BuyerUserReader",
            "UserGroupAdmin",
            "UserGroupReader",
            "AddressAdmin",
            "AddressReader",
            "CostCenterAdmin",
            "CostCenterReader",
            "CreditCardAdmin",
            "CreditCardReader",
            "SpendingAccountAdmin",
            "SpendingAccountReader",
            "ApprovalRuleAdmin",
            "ApprovalRuleReader",
        )
    )
)
SUPPLIER_USER_ROLES: frozenset[str] = (
    _ME_ROLES
    | _ORDER_ROLES
    | frozenset(
        (
            "SupplierAdmin",
            "SupplierReader",
            "SupplierUserAdmin",
            "SupplierUserReader",
            "SupplierUserGroupAdmin",
            "SupplierUserGroupReader",
            "SupplierAddressAdmin",
            "SupplierAddressReader",
            "ShipmentAdmin",
            "ShipmentReader",
            "ProductAdmin",
            "ProductReader",
            "PriceScheduleAdmin",
            "PriceScheduleReader",
        )
    )
)
ROLES_OF_USER_TYPE: dict[str, frozenset[str]] = {
    "admin": ALL_ROLES,
    "buyer": BUYER_USER_ROLES,
    "supplier": SUPPLIER_USER_ROLES,
}


def applicable_roles(user_type: str, roles: Iterable[str]) -> set[str]:
    """The API roles among `roles` that a user of `user_type` can hold (custom roles are the
    caller's business and pass through untouched)."""
    holdable = ROLES_OF_USER_TYPE[user_type]
    return {r for r in roles if r in holdable or r not in ALL_ROLES}


def granted_roles(
    requested: Iterable[str] | None, available: Iterable[str], user_type: str
) -> tuple[list[str], list[str]]:
    """Roles a token carries: the requested scope intersected with what the user's security
    profiles give, both limited to the roles of the user's type; no scope means everything
    available. FullAccess gives every role of the type. Only a seller user's token carries
    FullAccess itself (it passes every role check, `has_any`); a buyer's or supplier's carries
    the roles it stands for, so a seller role never reaches them. Returns (roles, custom roles)."""
    avail = applicable_roles(user_type, available)
    full = "FullAccess" in avail
    everything = set(ROLES_OF_USER_TYPE[user_type]) if full else avail
    wanted = everything if requested is None else set(requested)
    seller = user_type == "admin"
    if full and not seller and "FullAccess" in wanted:
        wanted = everything
    roles = sorted(r for r in wanted if r in everything and r in ALL_ROLES and (seller or r != "FullAccess"))
    custom = sorted(r for r in wanted if r not in ALL_ROLES and r in avail)
    return roles, custom


def has_any(held: Iterable[str], needed: Iterable[str]) -> bool:
    held_set = set(held)
    return "FullAccess" in held_set or any(r in held_set for r in needed)
