"""Payment instruments and cost centers of a buyer, their assignments, and API client secrets."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

import msgspec

from app.models.common import DateTime, Str100, Str2000, Xp
from app.wire import Wire, WireID

# OrderCloud keeps the last digits only; five is the most a partial number may hold here, so a
# full card number (PAN) can never be stored, whichever field a client puts it in.
PartialNumber = Annotated[str, msgspec.Meta(max_length=5)]


class CreditCard(Wire, kw_only=True):
    id: WireID | None = None
    token: Str100 | None = None
    date_created: str | None = None
    card_type: Str100 | None = None
    partial_account_number: PartialNumber | None = None
    cardholder_name: Str100 | None = None
    expiration_date: DateTime | None = None
    xp: Xp = None


class BuyerCreditCard(CreditCard, kw_only=True):
    """A card as a buyer user sees it through `/me/creditcards`."""

    editable: bool | None = None


class CreditCardAssignment(Wire, kw_only=True):
    credit_card_id: WireID
    user_id: WireID | None = None
    user_group_id: WireID | None = None


class SpendingAccount(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    balance: Decimal
    allow_as_payment_method: bool = False
    start_date: DateTime | None = None
    end_date: DateTime | None = None
    xp: Xp = None


class SpendingAccountAssignment(Wire, kw_only=True):
    spending_account_id: WireID
    user_id: WireID | None = None
    user_group_id: WireID | None = None
    allow_exceed: bool = False


class CostCenter(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    description: Str2000 | None = None
    xp: Xp = None


class CostCenterAssignment(Wire, kw_only=True):
    cost_center_id: WireID
    user_group_id: WireID | None = None


class ApiClientSecret(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100
    expiration: str | None = None


class ApiClientSecretPatch(Wire, kw_only=True):
    id: WireID | None = None
    name: Str100 | None = None
    expiration: str | None = None


class ImpersonateTokenRequest(Wire, kw_only=True):
    client_id: WireID
    roles: list[str]
    custom_roles: list[str] | None = None
