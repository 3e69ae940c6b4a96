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


def granted_roles(requested: Iterable[str] | None, available: Iterable[str]) -> tuple[list[str], list[str]]:
    """Roles a token carries: the requested scope intersected with what the user's security
    profiles give (FullAccess gives every role); no scope means everything available.
    Returns (roles, custom roles)."""
    avail = set(available)
    full = "FullAccess" in avail
    everything = set(ALL_ROLES) if full else avail
    wanted = everything if requested is None else set(requested)
    roles = sorted(r for r in wanted if r in ALL_ROLES and (full or r in avail))
    custom = sorted(r for r in wanted if r not in ALL_ROLES and r in avail)
    return roles, custom


def has_any(held: Iterable[str], needed: Iterable[str]) -> bool:
    held_set = set(held)
    return "FullAccess" in held_set or any(r in held_set for r in needed)
