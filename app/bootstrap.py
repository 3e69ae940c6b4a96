"""First run: the seller organization, a first admin user, and an admin API client."""

from __future__ import annotations

import secrets
from typing import Any

from app.assignments import assignment_id
from app.auth.passwords import hash_password
from app.auth.users import username_key
from app.state import Services
from app.store.repo import Docs
from domain.clock import iso, utcnow

ADMIN_PROFILE_ID = "ordercore-full-access"


async def is_initialized(services: Services) -> bool:
    async with services.db.reader() as conn:
        return await Docs(conn).exists("seller", services.marketplace_id)


async def bootstrap(
    services: Services,
    *,
    username: str = "admin",
    password: str | None = None,
    client_id: str | None = None,
    client_secret: str | None = None,
) -> dict[str, Any] | None:
    """Create what a new marketplace needs; None (and no change) when it already exists."""
    now = iso(utcnow())
    password = password or secrets.token_urlsafe(12)
    client_secret = client_secret or secrets.token_urlsafe(24)
    client_id = client_id or "ordercore-admin"
    async with services.db.transaction() as conn:
        docs = Docs(conn)
        if await docs.exists("seller", services.marketplace_id):
            return None
        await services.tokens.ensure_key(docs)
        await docs.insert(
            "seller",
            {
                "ID": services.marketplace_id,
                "Name": services.settings.marketplace_name,
                "AutoForwardingUserID": None,
                "DateCreated": now,
            },
        )
        await docs.insert(
            "adminuser",
            {
                "ID": "admin",
                "CompanyID": services.marketplace_id,
                "Username": username,
                "FirstName": "Admin",
                "LastName": "User",
                "Email": "admin@example.com",
                "Phone": None,
                "TermsAccepted": None,
                "Active": True,
                "xp": None,
                "AvailableRoles": None,
                "Locale": None,
                "DateCreated": now,
                "LastActive": None,
                "PasswordLastSetDate": now,
                "FailedLoginAttempts": None,
                "_PasswordHash": await hash_password(password),
            },
            uniq=username_key(username),
        )
        await docs.insert(
            "securityprofile",
            {
                "ID": ADMIN_PROFILE_ID,
                "Name": "Full access",
                "Roles": ["FullAccess"],
                "CustomRoles": [],
                "PasswordConfig": None,
                "IsExternalRoleGroup": False,
            },
        )
        await docs.insert(
            "securityprofileassignment",
            {
                # To the first admin user only: a marketplace-wide assignment would give FullAccess
                # to every admin user created later, whatever profiles they are given
                # (docs/security.md, "Findings of the matrix").
                "ID": assignment_id(ADMIN_PROFILE_ID, None, None, "admin", None),
                "SecurityProfileID": ADMIN_PROFILE_ID,
                "BuyerID": None,
                "SupplierID": None,
                "UserID": "admin",
                "UserGroupID": None,
            },
        )
        await docs.insert("apiclient", admin_client_doc(client_id, client_secret, username))
    return {
        "MarketplaceID": services.marketplace_id,
        "Username": username,
        "Password": password,
        "ClientID": client_id,
        "ClientSecret": client_secret,
    }


def admin_client_doc(
    client_id: str, client_secret: str, username: str, *, app_name: str = "ordercore admin"
) -> dict[str, Any]:
    """An active API client for seller users whose client-credentials tokens act as `username`."""
    return {
        "ID": client_id,
        "ClientSecret": client_secret,
        "AccessTokenDuration": 600,
        "Active": True,
        "AppName": app_name,
        "RefreshTokenDuration": 0,
        "AnonymousTokenDuration": None,
        "DefaultContextUserName": username,
        "xp": None,
        "AllowAnyBuyer": False,
        "AllowAnySupplier": False,
        "AllowSeller": True,
        "IsAnonBuyer": False,
        "AssignedBuyerCount": 0,
        "AssignedSupplierCount": 0,
        "OrderCheckoutIntegrationEventID": None,
        "OrderCheckoutIntegrationEventName": None,
        "OrderReturnIntegrationEventID": None,
        "OrderReturnIntegrationEventName": None,
        "AddToCartIntegrationEventID": None,
        "AddToCartIntegrationEventName": None,
        "MinimumRequiredRoles": None,
        "MinimumRequiredCustomRoles": None,
        "MaximumGrantedRoles": None,
        "MaximumGrantedCustomRoles": None,
    }
