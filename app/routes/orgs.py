"""Buyers, suppliers, their users, groups and addresses; admin users and addresses."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement

from app.auth.revocation import bumped, company_change_revokes
from app.auth.tokens import Caller
from app.auth.users import RolesOfUsers, username_key
from app.catalog import catalog_admin
from app.http import Ctx, endpoint
from app.listing import ListOptions
from app.models.common import Address
from app.models.orgs import Buyer, Supplier, User, UserGroup
from app.resources import Doc, Listing, ResourceSpec, crud, listing_page
from app.routes.access import buyer_scope, seller_only, supplier_scope
from app.services import orgs

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
    kind = ctx_kind(company)

    async def on_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
        company_id = scope or ctx.services.marketplace_id
        return await orgs.prepare_user(ctx.docs, kind, doc, existing, scope, company_id)

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


async def _delete_buyer(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await orgs.forget_company(ctx.docs, doc["ID"], field="BuyerID", kinds=orgs.BUYER_KINDS)


async def _delete_supplier(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await orgs.forget_company(ctx.docs, doc["ID"], field="SupplierID", kinds=orgs.SUPPLIER_KINDS)


def _delete_member(assignment_kind: str) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        await orgs.forget_user(ctx.docs, assignment_kind, doc["ID"], scope)

    return on_delete


def _group_members(assignment_kind: str) -> Any:
    """`userGroupID` on Users.List: only members of that group."""

    async def conds(ctx: Ctx, caller: Caller, scope: str, opts: ListOptions) -> list[ColumnElement[bool]]:
        group_id = opts.params.get("userGroupID")
        return [await orgs.group_members(ctx.docs, assignment_kind, group_id, scope)] if group_id else []

    return conds


def _delete_group(assignment_kind: str) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        await orgs.forget_group(ctx.docs, assignment_kind, doc["ID"], scope)

    return on_delete


def _delete_address(assignment_kind: str) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        await orgs.forget_address(ctx.docs, assignment_kind, doc["ID"], scope)

    return on_delete


async def _buyer_default_catalog(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    if existing is None and not doc.get("DefaultCatalogID"):
        doc["DefaultCatalogID"] = await catalog_admin.create_default_catalog(
            ctx.docs, doc, ctx.services.marketplace_id
        )
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
        on_delete=_delete_group("usergroupassignment"),
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
ACROSS_BUYERS = Listing("user", BUYER_USER_SPEC.schema, searchable=USER_SEARCH)


@endpoint("GET", "/buyerusers")
async def list_across_buyers(ctx: Ctx) -> Any:
    """Users.ListAcrossBuyers: every buyer's users, for the marketplace's own users only."""
    caller = await ctx.caller(*BUYER_USER_SPEC.read_roles)
    await seller_only(ctx, caller)
    page = await listing_page(ctx, ACROSS_BUYERS, ctx.list_options())
    present = with_available_roles("buyer")
    page["Items"] = [await present(ctx, d) for d in page["Items"]]
    return page


ROUTES = [list_across_buyers, *(h for spec in SPECS for h in crud(spec))]
