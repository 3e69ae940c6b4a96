"""Who may act for whom on an order (docs/security-orders.md, "On-behalf orders").

- Only a seller user with OrderAdmin (FullAccess counts) creates an order on behalf of any buyer
  user; a supplier user with OrderAdmin only for a buyer that may order from its supplier
  (`AllBuyersCanOrder`, or a `/suppliers/{id}/buyers/{buyerID}` relationship), and such an order
  holds only that supplier's products. A buyer user never: its orders are its own.
- Personal things (an address, credit card or spending account created by a user through `/me`,
  or reaching users only through user-level assignments) belong to those users: on an order they
  are usable only when the order's user is their owner and the caller is that user or a seller
  OrderAdmin acting on the user's behalf. Anything else answers as if it did not exist, so a
  personal address is never confirmed nor copied to someone else's order.
"""

from __future__ import annotations

from typing import Any

from app.auth.tokens import Caller
from app.store.repo import Docs
from domain.errors import Forbidden, NotFound

Doc = dict[str, Any]
SUPPLIER_BUYER_KIND = "supplierbuyer"
# kind -> (assignment kind, the assignment's ID field). Only buyer-scoped things can be personal:
# supplier and seller addresses belong to companies, never to a user.
PERSONAL_KINDS = {
    "address": ("addressassignment", "AddressID"),  # app.routes.address_assignments.KIND
    "creditcard": ("creditcardassignment", "CreditCardID"),
    "spendingaccount": ("spendingaccountassignment", "SpendingAccountID"),
}


def check_may_create_on_behalf(caller: Caller) -> None:
    """The role part of the rule; `require_served` checks the buyer for a supplier caller."""
    if caller.is_buyer:
        raise Forbidden(
            "A buyer user creates orders for itself only (Outgoing); only the seller or a supplier "
            "creates an order on behalf of a buyer user",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["OrderAdmin"], "AssignedRoles": sorted(caller.roles)},
        )
    if not caller.has("OrderAdmin"):
        raise Forbidden(
            "Creating an order on behalf of a buyer user requires OrderAdmin",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["OrderAdmin"], "AssignedRoles": sorted(caller.roles)},
        )


async def supplier_serves(docs: Docs, supplier_id: str, buyer_id: str) -> bool:
    """The buyer may order from the (active) supplier, as `/me/sellers` lists it."""
    supplier = await docs.get("supplier", supplier_id)
    if supplier is None or supplier.doc.get("Active") is False:
        return False
    if supplier.doc.get("AllBuyersCanOrder"):
        return True
    return bool(await docs.all(SUPPLIER_BUYER_KIND, *docs.eq(SupplierID=supplier_id, BuyerID=buyer_id)))


async def require_served(docs: Docs, caller: Caller, buyer_id: str, user_id: str) -> None:
    """A supplier acts only for buyers that may order from it; other buyers' users are not even
    confirmed to exist (404 like a missing user)."""
    if caller.is_supplier and not await supplier_serves(docs, caller.company_id, buyer_id):
        raise NotFound("User", user_id)


def is_supplier_order(order: Doc, marketplace_id: str) -> bool:
    """A buyer's order placed directly with a supplier (not a seller-forwarded one)."""
    return order.get("FromCompanyID") != marketplace_id and order.get("ToCompanyID") not in (
        None,
        "",
        marketplace_id,
    )


def sold_by(product: Doc, supplier_id: str) -> bool:
    return supplier_id in (product.get("OwnerID"), product.get("DefaultSupplierID"))


def acts_for_order_user(caller: Caller, order: Doc) -> bool:
    """The caller is the order's user itself, or the seller's OrderAdmin acting on its behalf."""
    if caller.is_seller:
        return caller.has("OrderAdmin")
    return (
        caller.is_buyer
        and caller.company_id == order.get("FromCompanyID")
        and caller.user_id == order.get("FromUserID")
    )


async def personal_owners(docs: Docs, kind: str, buyer_id: str, doc: Doc) -> set[str]:
    """The users a buyer address/card/account is personal to; empty when it is shared (assigned
    to a group or the whole buyer, or to nobody yet: an admin's unassigned company address)."""
    if doc.get("_OwnerUserID"):
        return {str(doc["_OwnerUserID"])}
    assignment_kind, id_field = PERSONAL_KINDS[kind]
    rows = await docs.all(assignment_kind, *docs.eq(**{id_field: doc["ID"]}), scope=buyer_id)
    if rows and all(r.get("UserID") for r in rows):
        return {str(r["UserID"]) for r in rows}
    return set()


async def may_use(docs: Docs, caller: Caller, order: Doc, kind: str, doc: Doc) -> bool:
    """Whether `caller` may put this buyer address/card/account on `order`."""
    owners = await personal_owners(docs, kind, str(order.get("FromCompanyID") or ""), doc)
    if not owners:
        return True
    return order.get("FromUserID") in owners and acts_for_order_user(caller, order)
