"""Addresses on orders and lines: a saved address by ID (copied onto the order), or a one-time
address given in full."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import assignment_id, level_conds, parse_bool, upsert
from app.auth.tokens import Caller
from app.models.common import Address
from app.services.on_behalf import may_use
from app.store.repo import Docs
from app.wire import public, to_doc, validate
from domain.errors import NotFound, ValidationFailed

REQUIRED = ("Street1", "City", "Country")
# Which buyer users may ship to or bill to a buyer address (routes/address_assignments.py).
ASSIGNMENT_KIND = "addressassignment"


@dataclass(frozen=True)
class Use:
    """Who puts a saved address on which order (or, for a shipment, on which buyer's parcel:
    then the order is just `{"FromCompanyID": buyer}` and no user's personal address fits)."""

    caller: Caller
    order: dict[str, Any]


async def saved_address(docs: Docs, company_id: str, address_id: str, *, user: Use | None) -> dict[str, Any]:
    """A saved address of the order's sending company (buyer, supplier or the seller). `user`:
    who puts it on which order; a buyer user's personal address is usable only as
    `app.services.on_behalf` allows, else it answers as missing. None only where no buyer
    address can be meant (a supplier's ship-from address)."""
    for kind, scope in (("address", company_id), ("supplieraddress", company_id), ("adminaddress", "")):
        found = await docs.get(kind, address_id, scope)
        if found is None:
            continue
        if kind == "address" and not (user and await may_use(docs, user.caller, user.order, kind, found.doc)):
            break
        return public(found.doc)
    raise NotFound("Address", address_id)


def one_time_address(data: dict[str, Any]) -> dict[str, Any]:
    doc: dict[str, Any] = to_doc(validate(data, Address))
    missing = [f for f in REQUIRED if not doc.get(f)]
    if missing:
        raise ValidationFailed(
            f"Address is missing required fields: {', '.join(missing)}",
            "ValidationFailure",
            {"Fields": missing},
        )
    return doc


async def resolve(
    docs: Docs, company_id: str, data: dict[str, Any], *, user: Use | None
) -> tuple[str | None, dict[str, Any]]:
    """(AddressID, snapshot) for an Address body: an ID naming a saved address selects it, any
    other body is a one-time address (ID kept on the snapshot only)."""
    address_id = data.get("ID")
    if isinstance(address_id, str) and address_id:
        try:
            return address_id, await saved_address(docs, company_id, address_id, user=user)
        except NotFound:
            pass
    return None, one_time_address(data)


def patched(
    current: dict[str, Any] | None, set_by_id: bool, changes: dict[str, Any], prefix: str
) -> dict[str, Any]:
    """PATCH of an order's or line's address: only one-time addresses may be patched."""
    if current is None:
        raise ValidationFailed(
            "There is no address to patch", f"{prefix}.CannotModifyNotFound", {"Address": None}
        )
    if set_by_id:
        raise ValidationFailed(
            "An address set by ID cannot be patched; set another address instead",
            f"{prefix}.CannotPatchSetByID",
            None,
        )
    merged = {**current, **changes}
    return one_time_address(merged)


async def inventory_address(docs: Docs, address_id: str) -> dict[str, Any]:
    """An inventory record's address is the marketplace's own or a supplier's."""
    found = await docs.get("adminaddress", address_id) or await docs.find_any_scope(
        "supplieraddress", address_id
    )
    if found is None:
        raise NotFound("Address", address_id)
    return public(found.doc)


def assignment_doc(
    address_id: str, user_id: str | None, group_id: str | None, shipping: bool, billing: bool
) -> dict[str, Any]:
    if not (shipping or billing):
        raise ValidationFailed(
            "An address assignment must be for shipping, billing or both",
            "AddressAssignment.MustBeBillingOrShipping",
            {"AddressID": address_id},
        )
    return {
        "ID": assignment_id(address_id, user_id, group_id),
        "AddressID": address_id,
        "UserID": user_id,
        "UserGroupID": group_id,
        "IsShipping": shipping,
        "IsBilling": billing,
    }


async def save_assignment(docs: Docs, buyer_id: str, doc: dict[str, Any]) -> None:
    """Create or replace an address assignment of `buyer_id` (one per address and party)."""
    await upsert(docs, ASSIGNMENT_KIND, doc, buyer_id)


def assignment_conds(docs: Docs, params: dict[str, str]) -> list[ColumnElement[bool]]:
    """The `level`, `isShipping` and `isBilling` parameters of the address assignment list."""
    conds = level_conds(docs, params.get("level"))
    for param, field in (("isShipping", "IsShipping"), ("isBilling", "IsBilling")):
        if params.get(param):
            conds.extend(docs.eq(**{field: parse_bool(params[param], param)}))
    return conds


async def assign(docs: Docs, buyer_id: str, doc: dict[str, Any]) -> None:
    """Save an address assignment whose address, user and group exist in the buyer."""
    await docs.require("address", doc["AddressID"], buyer_id, object_type="Address")
    if doc.get("UserID"):
        await docs.require("user", doc["UserID"], buyer_id, object_type="User")
    if doc.get("UserGroupID"):
        await docs.require("usergroup", doc["UserGroupID"], buyer_id, object_type="UserGroup")
    await save_assignment(docs, buyer_id, doc)


async def unassign(
    docs: Docs, buyer_id: str, address_id: str, user_id: str | None, group_id: str | None
) -> None:
    if not await docs.delete(ASSIGNMENT_KIND, assignment_id(address_id, user_id, group_id), buyer_id):
        raise NotFound("AddressAssignment", address_id)
