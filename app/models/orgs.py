"""Organizations, users, API clients and security profiles."""

from __future__ import annotations

from typing import Annotated

import msgspec

from app.models.common import Address, DateTime, Str100, Str200, Str2000, Xp
from app.wire import Wire, WireID


class Buyer(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    default_catalog_id: WireID | None = None
    active: bool = True
    date_created: str | None = None
    xp: Xp = None


class Supplier(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    active: bool = True
    date_created: str | None = None
    all_buyers_can_order: bool = False
    xp: Xp = None


class Locale(Wire, kw_only=True):
    id: Str100 | None = None
    currency: Str100 | None = None
    language: Str100 | None = None


class User(Wire, kw_only=True):
    id: WireID | None = None
    company_id: str | None = None
    username: Str100
    password: str | None = None
    first_name: Str100
    last_name: Str100
    email: Str200
    phone: Str100 | None = None
    terms_accepted: DateTime | None = None
    active: bool = False
    xp: Xp = None
    available_roles: list[str] | None = None
    locale: Locale | None = None
    date_created: str | None = None
    last_active: str | None = None
    password_last_set_date: str | None = None
    failed_login_attempts: int | None = None


class UserGroup(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    xp: Xp = None


class UserGroupAssignment(Wire, kw_only=True):
    user_group_id: WireID
    user_id: WireID


class AddressAssignment(Wire, kw_only=True):
    address_id: WireID
    user_id: WireID | None = None
    user_group_id: WireID | None = None
    is_shipping: bool = False
    is_billing: bool = False


class ApiClient(Wire, kw_only=True):
    id: WireID | None = None
    client_secret: str | None = None
    access_token_duration: int
    active: bool = True
    app_name: Str100
    refresh_token_duration: int | None = 0
    anonymous_token_duration: int | None = None
    default_context_user_name: str | None = None
    xp: Xp = None
    allow_any_buyer: bool = False
    allow_any_supplier: bool = False
    allow_seller: bool = False
    is_anon_buyer: bool = False
    assigned_buyer_count: int | None = None
    assigned_supplier_count: int | None = None
    order_checkout_integration_event_id: WireID | None = None
    order_checkout_integration_event_name: str | None = None
    order_return_integration_event_id: WireID | None = None
    order_return_integration_event_name: str | None = None
    add_to_cart_integration_event_id: WireID | None = None
    add_to_cart_integration_event_name: str | None = None
    minimum_required_roles: list[str] | None = None
    minimum_required_custom_roles: list[str] | None = None
    maximum_granted_roles: list[str] | None = None
    maximum_granted_custom_roles: list[str] | None = None


class ApiClientAssignment(Wire, kw_only=True):
    api_client_id: WireID
    buyer_id: WireID | None = None
    supplier_id: WireID | None = None


def _between(low: int, high: int | None = None) -> msgspec.Meta:
    return msgspec.Meta(ge=low, le=high)


class PasswordConfig(Wire, kw_only=True):
    limit_password_reuse: Annotated[int, _between(0, 24)] | None = None
    max_consecutive_dupe_chars: Annotated[int, _between(1, 24)] | None = None
    maximum_password_age: Annotated[int, _between(1, 365)] | None = None
    minimum_password_age: Annotated[int, _between(1, 60)] | None = None
    allowed_failed_attempts: Annotated[int, _between(1, 10)] | None = None
    lockout_duration: Annotated[int, _between(2, 1440)] | None = None
    upper_case_required: bool | None = None
    lower_case_required: bool | None = None
    special_character_required: bool | None = None
    numeric_required: bool | None = None
    minimum_character_count: Annotated[int, _between(8)] | None = None


class SecurityProfile(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    roles: list[str] | None = None
    custom_roles: list[Str100] | None = None
    password_config: PasswordConfig | None = None
    is_external_role_group: bool | None = None


class SecurityProfileAssignment(Wire, kw_only=True):
    security_profile_id: WireID
    buyer_id: WireID | None = None
    supplier_id: WireID | None = None
    user_id: WireID | None = None
    user_group_id: WireID | None = None


class BuyerAddress(Address, kw_only=True):
    """An address as a buyer user sees it through `/me/addresses`."""

    shipping: bool | None = None
    billing: bool | None = None
    editable: bool | None = None
