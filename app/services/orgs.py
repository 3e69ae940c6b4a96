"""What the organization routes (`/buyers`, `/suppliers`, their users, groups and addresses,
the marketplace's admin users) do to storage beyond the generic CRUD: unique usernames and
password hashes on a user being written, and what a deleted company, user, group or address
takes with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.passwords import hash_password
from app.auth.revocation import IDENTITY, bumped, new_identity, user_change_revokes
from app.auth.users import username_key
from app.catalog.rename import SCOPED
from app.services.approvals import rules_using_group
from app.store.repo import Docs
from domain.clock import iso, utcnow
from domain.errors import Conflict, ValidationFailed

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
        owned = [a["ID"] for a in await docs.all("address", *docs.eq(_OwnerUserID=user_id), scope=scope)]
        if owned:
            await docs.delete_where("addressassignment", docs.field_in("AddressID", owned), scope=scope)
            await docs.delete_where("address", docs.id_in(owned), scope=scope)


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
