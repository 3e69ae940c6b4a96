"""Buyers, suppliers, their users, groups and addresses; admin users and addresses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.passwords import hash_password
from app.auth.revocation import IDENTITY, bumped, company_change_revokes, new_identity, user_change_revokes
from app.auth.tokens import Caller
from app.auth.users import RolesOfUsers, username_key
from app.catalog.rename import SCOPED
from app.http import Ctx, endpoint
from app.listing import ListOptions
from app.models.common import Address
from app.models.orgs import Buyer, Supplier, User, UserGroup
from app.resources import Doc, ResourceSpec, crud, public
from app.routes.access import buyer_scope, seller_only, supplier_scope
from app.routes.catalogs import create_default_catalog
from app.services.approvals import rules_using_group
from app.store.tables import resources
from domain.clock import iso, utcnow
from domain.errors import Conflict, ValidationFailed

USER_SEARCH = ("ID", "Username", "LastName", "FirstName", "Email")
ADDRESS_SEARCH = (
    "ID",
    "AddressName",
    "CompanyName",
    "City",
    "Street1",
    "Street2",
    "FirstName",
    "LastName",
    "State",
    "Zip",
)


def make_user_writer(company: str) -> Any:
    async def on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
        """Usernames are unique across the marketplace; the password is kept only as a hash."""
        hit = await ctx.docs.by_uniq(username_key(doc["Username"]))
        if hit is not None and not (
            existing
            and hit[1].doc["ID"] == existing["ID"]
            and hit[1].scope == scope
            and hit[0] == ctx_kind(company)
        ):
            raise Conflict(
                "Username must be unique", "User.UsernameMustBeUnique", {"Username": doc["Username"]}
            )
        password = doc.pop("Password", None)
        doc["Password"] = None
        doc["CompanyID"] = scope or ctx.services.marketplace_id
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

    return on_write


def with_available_roles(user_type: str) -> Any:
    async def present(ctx: Ctx, doc: Doc) -> Doc:
        """`AvailableRoles` as OrderCloud fills it: what the user's security profiles give now."""
        resolver = ctx.state.get(ROLES_STATE)
        if resolver is None:
            resolver = ctx.state[ROLES_STATE] = RolesOfUsers(ctx.docs)
        company = doc.get("CompanyID") or ctx.services.marketplace_id
        doc["AvailableRoles"] = await resolver.of(user_type, str(company), str(doc["ID"]))
        return doc

    return present


ROLES_STATE = "available_roles"


def ctx_kind(company: str) -> str:
    return {"buyer": "user", "supplier": "supplieruser", "admin": "adminuser"}[company]


def user_uniq(doc: Doc) -> str:
    return username_key(doc["Username"])


USER_READONLY = (
    "DateCreated",
    "CompanyID",
    "AvailableRoles",
    "Locale",
    "LastActive",
    "PasswordLastSetDate",
    "FailedLoginAttempts",
)


async def company_writer(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    """Deactivating a buyer or supplier ends every token of its users (app.auth.revocation)."""
    return bumped(doc) if company_change_revokes(existing, doc) else doc


async def delete_company(
    ctx: Ctx, caller: Caller, doc: Doc, scope: str, *, field: str, kinds: tuple[str, ...]
) -> None:
    """A company takes everything scoped to it, and every assignment naming it, with it."""
    company_id = doc["ID"]
    for kind in kinds:
        await ctx.docs.delete_where(kind, scope=company_id)
    for kind in (
        "apiclientassignment",
        "securityprofileassignment",
        "catalogassignment",
        "productassignment",
        "categoryassignment",
    ):
        await ctx.docs.delete_where(kind, *ctx.docs.eq(**{field: company_id}))


# What a company's ID files (its scope): deleted with it, moved by a rename (app/catalog/rename.py).
BUYER_KINDS = SCOPED["buyer"]
# Assignments of a buyer's cards, spending accounts and cost centers (app/routes/instruments.py).
INSTRUMENT_ASSIGNMENT_KINDS = ("creditcardassignment", "spendingaccountassignment", "costcenterassignment")
SUPPLIER_KINDS = SCOPED["supplier"]


async def _delete_buyer(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await delete_company(ctx, caller, doc, scope, field="BuyerID", kinds=BUYER_KINDS)


async def _delete_supplier(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await delete_company(ctx, caller, doc, scope, field="SupplierID", kinds=SUPPLIER_KINDS)


def _delete_member(assignment_kind: str) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        docs = ctx.docs
        await docs.delete_where(assignment_kind, *docs.eq(UserID=doc["ID"]), scope=scope)
        company_field = {"usergroupassignment": "BuyerID", "supplierusergroupassignment": "SupplierID"}
        field = company_field.get(assignment_kind)
        owner = docs.eq(**{field: scope}) if field else docs.eq(BuyerID=None, SupplierID=None)
        await docs.delete_where("securityprofileassignment", *docs.eq(UserID=doc["ID"]), *owner)
        await docs.delete_where("addressassignment", *docs.eq(UserID=doc["ID"]), scope=scope)
        if assignment_kind == "usergroupassignment":
            for kind in INSTRUMENT_ASSIGNMENT_KINDS:
                await docs.delete_where(kind, *docs.eq(UserID=doc["ID"]), scope=scope)
            # The user's own cards (created through /me/creditcards) go with it.
            await docs.delete_where("creditcard", *docs.eq(_OwnerUserID=doc["ID"]), scope=scope)
            # The user's private addresses (created through /me/addresses) go with it.
            owned = [
                a["ID"] for a in await docs.all("address", *docs.eq(_OwnerUserID=doc["ID"]), scope=scope)
            ]
            if owned:
                await docs.delete_where("addressassignment", docs.field_in("AddressID", owned), scope=scope)
                await docs.delete_where("address", resources.c.id.in_(owned), scope=scope)

    return on_delete


def _group_members(assignment_kind: str) -> Any:
    """`userGroupID` on Users.List: only members of that group."""

    async def conds(ctx: Ctx, caller: Caller, scope: str, opts: ListOptions) -> list[ColumnElement[bool]]:
        group_id = opts.params.get("userGroupID")
        if not group_id:
            return []
        rows = await ctx.docs.all(assignment_kind, *ctx.docs.eq(UserGroupID=group_id), scope=scope)
        return [resources.c.id.in_([r["UserID"] for r in rows])]

    return conds


def _delete_group(assignment_kind: str) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        await ctx.docs.delete_where(assignment_kind, *ctx.docs.eq(UserGroupID=doc["ID"]), scope=scope)
        await ctx.docs.delete_where("securityprofileassignment", *ctx.docs.eq(UserGroupID=doc["ID"]))

    return on_delete


async def _delete_buyer_group(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    """A group that approves orders under an approval rule stays until the rule goes."""
    rules = await rules_using_group(ctx.docs, scope, doc["ID"])
    if rules:
        raise ValidationFailed(
            "A user group that is the approving group of an approval rule cannot be deleted",
            "UserGroup.CannotDeleteApprovingGroup",
            {"UserGroupID": doc["ID"], "ApprovalRuleIDs": rules},
        )
    await _delete_group("usergroupassignment")(ctx, caller, doc, scope)
    for kind in INSTRUMENT_ASSIGNMENT_KINDS:
        await ctx.docs.delete_where(kind, *ctx.docs.eq(UserGroupID=doc["ID"]), scope=scope)


def _delete_address(assignment_kind: str | None) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        if assignment_kind:
            await ctx.docs.delete_where(assignment_kind, *ctx.docs.eq(AddressID=doc["ID"]), scope=scope)

    return on_delete


async def _buyer_default_catalog(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    if existing is None and not doc.get("DefaultCatalogID"):
        doc["DefaultCatalogID"] = await create_default_catalog(ctx, doc)
    return doc


async def _buyer_writer(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    doc = await company_writer(ctx, caller, doc, existing, scope)
    return await _buyer_default_catalog(ctx, caller, doc, existing, scope)


SPECS = [
    ResourceSpec(
        "buyer",
        "Buyer",
        "/buyers",
        "buyerID",
        Buyer,
        ("BuyerReader", "BuyerAdmin"),
        ("BuyerAdmin",),
        scope=seller_only,
        on_write=_buyer_writer,
        on_delete=_delete_buyer,
    ),
    ResourceSpec(
        "user",
        "User",
        "/buyers/{buyerID}/users",
        "userID",
        User,
        ("BuyerUserReader", "BuyerUserAdmin"),
        ("BuyerUserAdmin",),
        readonly=USER_READONLY,
        searchable=USER_SEARCH,
        scope=buyer_scope,
        on_write=make_user_writer("buyer"),
        present=with_available_roles("buyer"),
        uniq=user_uniq,
        on_delete=_delete_member("usergroupassignment"),
        list_params=("userGroupID",),
        list_conds=_group_members("usergroupassignment"),
    ),
    ResourceSpec(
        "usergroup",
        "UserGroup",
        "/buyers/{buyerID}/usergroups",
        "userGroupID",
        UserGroup,
        ("UserGroupReader", "UserGroupAdmin"),
        ("UserGroupAdmin",),
        scope=buyer_scope,
        on_delete=_delete_buyer_group,
    ),
    ResourceSpec(
        "address",
        "Address",
        "/buyers/{buyerID}/addresses",
        "addressID",
        Address,
        ("AddressReader", "AddressAdmin"),
        ("AddressAdmin",),
        searchable=ADDRESS_SEARCH,
        scope=buyer_scope,
        on_delete=_delete_address("addressassignment"),
    ),
    ResourceSpec(
        "supplier",
        "Supplier",
        "/suppliers",
        "supplierID",
        Supplier,
        ("SupplierReader", "SupplierAdmin"),
        ("SupplierAdmin",),
        scope=seller_only,
        on_write=company_writer,
        on_delete=_delete_supplier,
    ),
    ResourceSpec(
        "supplieruser",
        "User",
        "/suppliers/{supplierID}/users",
        "userID",
        User,
        ("SupplierUserReader", "SupplierUserAdmin"),
        ("SupplierUserAdmin",),
        readonly=USER_READONLY,
        searchable=USER_SEARCH,
        scope=supplier_scope,
        on_write=make_user_writer("supplier"),
        present=with_available_roles("supplier"),
        uniq=user_uniq,
        on_delete=_delete_member("supplierusergroupassignment"),
        list_params=("userGroupID",),
        list_conds=_group_members("supplierusergroupassignment"),
    ),
    ResourceSpec(
        "supplierusergroup",
        "UserGroup",
        "/suppliers/{supplierID}/usergroups",
        "userGroupID",
        UserGroup,
        ("SupplierUserGroupReader", "SupplierUserGroupAdmin"),
        ("SupplierUserGroupAdmin",),
        scope=supplier_scope,
        on_delete=_delete_group("supplierusergroupassignment"),
    ),
    ResourceSpec(
        "supplieraddress",
        "Address",
        "/suppliers/{supplierID}/addresses",
        "addressID",
        Address,
        ("SupplierAddressReader", "SupplierAddressAdmin"),
        ("SupplierAddressAdmin",),
        searchable=ADDRESS_SEARCH,
        scope=supplier_scope,
    ),
    ResourceSpec(
        "adminuser",
        "User",
        "/adminusers",
        "userID",
        User,
        ("AdminUserReader", "AdminUserAdmin"),
        ("AdminUserAdmin",),
        readonly=USER_READONLY,
        searchable=USER_SEARCH,
        scope=seller_only,
        on_write=make_user_writer("admin"),
        present=with_available_roles("admin"),
        uniq=user_uniq,
        on_delete=_delete_member("adminusergroupassignment"),
    ),
    ResourceSpec(
        "adminusergroup",
        "UserGroup",
        "/usergroups",
        "userGroupID",
        UserGroup,
        ("AdminUserGroupReader", "AdminUserGroupAdmin"),
        ("AdminUserGroupAdmin",),
        scope=seller_only,
        on_delete=_delete_group("adminusergroupassignment"),
    ),
    ResourceSpec(
        "adminaddress",
        "Address",
        "/addresses",
        "addressID",
        Address,
        ("AdminAddressReader", "AdminAddressAdmin"),
        ("AdminAddressAdmin",),
        searchable=ADDRESS_SEARCH,
        scope=seller_only,
    ),
]

BUYER_USER_SPEC = next(s for s in SPECS if s.kind == "user")


@endpoint("GET", "/buyerusers")
async def list_across_buyers(ctx: Ctx) -> Any:
    """Users.ListAcrossBuyers: every buyer's users, for the marketplace's own users only."""
    caller = await ctx.caller(*BUYER_USER_SPEC.read_roles)
    await seller_only(ctx, caller)
    page = await ctx.docs.page(
        "user", ctx.list_options(), BUYER_USER_SPEC.schema, searchable=USER_SEARCH, default_sort=("ID",)
    )
    present = with_available_roles("buyer")
    page.items[:] = [await present(ctx, public(d)) for d in page.items]
    return page.wire()


ROUTES = [list_across_buyers, *(h for spec in SPECS for h in crud(spec))]
