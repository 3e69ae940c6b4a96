"""What the organization routes (`/buyers`, `/suppliers`, their users, groups and addresses,
the marketplace's admin users) do to storage beyond the generic CRUD: unique usernames and
password hashes on a user being written, and what a deleted company, user, group or address
takes with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.assignments import assignment_id, upsert
from app.auth.lockout import unlocked
from app.auth.passwords import hash_password
from app.auth.revocation import IDENTITY, bumped, new_identity, user_change_revokes
from app.auth.users import username_key
from app.catalog.rename import SCOPED
from app.services.approvals import rules_using_group
from app.store.repo import Docs
from domain.clock import iso, utcnow
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.orders import UNSUBMITTED_STATUSES, order_user

Doc = dict[str, Any]
# What a company's ID files (its scope): deleted with it, moved by a rename (app/catalog/rename.py).
BUYER_KINDS = SCOPED["buyer"]
SUPPLIER_KINDS = SCOPED["supplier"]
# Assignments of a buyer's cards, spending accounts and cost centers (app/routes/instruments.py).
INSTRUMENT_ASSIGNMENT_KINDS = ("creditcardassignment", "spendingaccountassignment", "costcenterassignment")
# Which company field names the owner of a group membership's security profile assignments.
_MEMBER_COMPANY_FIELD = {"usergroupassignment": "BuyerID", "supplierusergroupassignment": "SupplierID"}


async def prepare_user(
    docs: Docs, kind: str, doc: Doc, existing: Doc | None, scope: str, company_id: str
) -> Doc:
    """A `kind` user being written in `scope` (its company's ID; "" for admin users) of company
    `company_id`: usernames are unique across the marketplace; the password is kept only as a
    hash; a change that should end the user's tokens bumps its generation."""
    hit = await docs.by_uniq(username_key(doc["Username"]))
    if hit is not None and not (
        existing and hit[1].doc["ID"] == existing["ID"] and hit[1].scope == scope and hit[0] == kind
    ):
        raise Conflict("Username must be unique", "User.UsernameMustBeUnique", {"Username": doc["Username"]})
    password = doc.pop("Password", None)
    doc["Password"] = None
    doc["CompanyID"] = company_id
    doc["AvailableRoles"] = None
    if password:
        doc["_PasswordHash"] = await hash_password(password)
        doc["PasswordLastSetDate"] = iso(utcnow())
    if existing is None:
        # The user's immutable identity: tokens are bound to it, never to the ID or Username.
        doc[IDENTITY] = new_identity()
    elif user_change_revokes(existing, doc):
        doc = bumped(doc)
    return doc


async def forget_company(docs: Docs, company_id: str, *, field: str, kinds: tuple[str, ...]) -> None:
    """A company takes everything scoped to it, and every assignment naming it, with it."""
    for kind in kinds:
        await docs.delete_where(kind, scope=company_id)
    for kind in (
        "apiclientassignment",
        "securityprofileassignment",
        "catalogassignment",
        "productassignment",
        "categoryassignment",
        "bundleassignment",
    ):
        await docs.delete_where(kind, *docs.eq(**{field: company_id}))


async def forget_user(docs: Docs, assignment_kind: str, user_id: str, scope: str) -> None:
    """A user takes its group memberships and assignments with it; a buyer user also its own
    cards and private addresses (created through /me)."""
    await docs.delete_where(assignment_kind, *docs.eq(UserID=user_id), scope=scope)
    field = _MEMBER_COMPANY_FIELD.get(assignment_kind)
    owner = docs.eq(**{field: scope}) if field else docs.eq(BuyerID=None, SupplierID=None)
    await docs.delete_where("securityprofileassignment", *docs.eq(UserID=user_id), *owner)
    await docs.delete_where("addressassignment", *docs.eq(UserID=user_id), scope=scope)
    if assignment_kind == "usergroupassignment":
        for kind in INSTRUMENT_ASSIGNMENT_KINDS:
            await docs.delete_where(kind, *docs.eq(UserID=user_id), scope=scope)
        await docs.delete_where("creditcard", *docs.eq(_OwnerUserID=user_id), scope=scope)
        await _forget_collections(docs, user_id, scope)
        owned = [a["ID"] for a in await docs.all("address", *docs.eq(_OwnerUserID=user_id), scope=scope)]
        if owned:
            await docs.delete_where("addressassignment", docs.field_in("AddressID", owned), scope=scope)
            await docs.delete_where("address", docs.id_in(owned), scope=scope)


async def _forget_collections(docs: Docs, user_id: str, buyer_id: str) -> None:
    """A buyer user's product collections (saved lists) and their entries."""
    mine = docs.eq(_OwnerUserID=user_id)
    lists = [c["ID"] for c in await docs.all("productcollection", *mine, scope=buyer_id)]
    if lists:
        hanging = docs.field_in("ProductCollectionID", lists)
        for kind in ("productcollectionentry", "productcollectioninvitation"):
            await docs.delete_where(kind, hanging, scope=buyer_id)
        await docs.delete_where("productcollection", docs.id_in(lists), scope=buyer_id)


async def group_members(docs: Docs, assignment_kind: str, group_id: str, scope: str) -> ColumnElement[bool]:
    """The users who are members of a group (`userGroupID` on Users.List)."""
    rows = await docs.all(assignment_kind, *docs.eq(UserGroupID=group_id), scope=scope)
    return docs.id_in([r["UserID"] for r in rows])


async def forget_group(docs: Docs, assignment_kind: str, group_id: str, scope: str) -> None:
    """A group takes its memberships and security profile assignments with it; a buyer's group
    that approves orders under an approval rule stays until the rule goes."""
    if assignment_kind == "usergroupassignment":
        rules = await rules_using_group(docs, scope, group_id)
        if rules:
            raise ValidationFailed(
                "A user group that is the approving group of an approval rule cannot be deleted",
                "UserGroup.CannotDeleteApprovingGroup",
                {"UserGroupID": group_id, "ApprovalRuleIDs": rules},
            )
    await docs.delete_where(assignment_kind, *docs.eq(UserGroupID=group_id), scope=scope)
    await docs.delete_where("securityprofileassignment", *docs.eq(UserGroupID=group_id))
    if assignment_kind == "usergroupassignment":
        for kind in INSTRUMENT_ASSIGNMENT_KINDS:
            await docs.delete_where(kind, *docs.eq(UserGroupID=group_id), scope=scope)


async def forget_address(docs: Docs, assignment_kind: str, address_id: str, scope: str) -> None:
    await docs.delete_where(assignment_kind, *docs.eq(AddressID=address_id), scope=scope)


# --------------------------------------------------------------------------- actions on users

MOVE_OPTIONS = ("None", "Unsubmitted", "All")


async def move_buyer_user(docs: Docs, user: Doc, old_buyer: str, new_buyer: str, orders: str | None) -> Doc:
    """Users.Move. `orders`: None (default) refuses while the user has unsubmitted orders;
    Unsubmitted moves those with the user; All moves every order the user placed. Returns the
    user as it is now."""
    await docs.require("buyer", new_buyer, object_type="Buyer")
    option = next((o for o in MOVE_OPTIONS if o.lower() == (orders or "None").lower()), None)
    if option is None:
        raise ValidationFailed(
            "orders must be None, Unsubmitted or All", "ValidationFailure", {"Field": "orders"}
        )
    if new_buyer == old_buyer:
        return user
    if await docs.all("apiclient", *docs.eq(DefaultContextUserName=user["Username"]), limit=1):
        raise ValidationFailed(
            "The default context user of an API client cannot be moved",
            "User.CannotMoveDefaultContextUser",
            {"UserID": user["ID"]},
        )
    if await docs.exists("user", user["ID"], new_buyer):
        raise ValidationFailed(
            f"Buyer {new_buyer} already has a user with ID {user['ID']}",
            "IdExists",
            {"ObjectType": "User", "ObjectID": user["ID"]},
        )
    mine = docs.eq(FromUserID=user["ID"], FromCompanyID=old_buyer)
    open_ones: list[ColumnElement[bool]] = [*mine, docs.field_in("Status", sorted(UNSUBMITTED_STATUSES))]
    if option == "None" and await docs.count("order", *open_ones, scope=""):
        raise ValidationFailed(
            "The user has unsubmitted orders; move them with orders=Unsubmitted or orders=All",
            "User.CannotMoveeWithOpenOrder",
            {"UserID": user["ID"]},
        )
    # What tied the user to its old buyer (groups, assignments, private addresses and cards) stays.
    await forget_user(docs, "usergroupassignment", user["ID"], old_buyer)
    await docs.delete("user", user["ID"], old_buyer)
    # Tokens name the old buyer; they end with the move, and stay dead if the user moves back.
    moved = bumped({**user, "CompanyID": new_buyer})
    await docs.insert("user", moved, new_buyer, uniq=username_key(moved["Username"]), object_type="User")
    if option != "None":
        conds = open_ones if option == "Unsubmitted" else mine
        for stored in await docs.all_stored("order", *conds, scope="", lock=True):
            order = {**stored.doc, "FromCompanyID": new_buyer, "FromUser": order_user(moved, new_buyer)}
            await docs.replace("order", order["ID"], order, version=stored.version)
    await docs.delete("cartpointer", user["ID"], old_buyer)
    return moved


async def unlock(docs: Docs, kind: str, user: Doc, scope: str) -> None:
    """An account locked after failed sign-ins may sign in again."""
    await docs.replace(kind, user["ID"], unlocked(user), scope)


# --------------------------------------------------------------------------- group memberships


async def add_member(
    docs: Docs, kind: str, group_kind: str, user_kind: str, scope: str, group_id: str, user_id: str
) -> None:
    """Put an existing user in an existing group of the same company (idempotent)."""
    await docs.require(group_kind, group_id, scope, object_type="UserGroup")
    await docs.require(user_kind, user_id, scope, object_type="User")
    doc = {"ID": assignment_id(group_id, user_id), "UserGroupID": group_id, "UserID": user_id}
    await upsert(docs, kind, doc, scope)


async def remove_member(docs: Docs, kind: str, scope: str, group_id: str, user_id: str) -> None:
    if not await docs.delete(kind, assignment_id(group_id, user_id), scope):
        raise NotFound("UserGroupAssignment", f"{group_id}/{user_id}")


async def stored_company_id(docs: Docs, kind: str, object_type: str, company_id: str) -> str:
    """The company's stored ID (IDs are case-insensitive, so a path may spell it otherwise)."""
    found = await docs.get(kind, company_id)
    if found is None:
        raise NotFound(object_type, company_id)
    return str(found.doc["ID"])
