"""A buyer's credit cards, spending accounts and cost centers, and who may use them: assignments
to the whole buyer (no UserID, no UserGroupID), to a user group, or to one user (cost centers:
buyer or group only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar.handlers import HTTPRouteHandler

from app.assignments import level_conds, list_page, optional_id
from app.auth.tokens import Caller
from app.http import NO_CONTENT, Ctx, endpoint
from app.listing import schema_of
from app.models.instruments import (
    CostCenter,
    CostCenterAssignment,
    CreditCard,
    CreditCardAssignment,
    SpendingAccount,
    SpendingAccountAssignment,
)
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import buyer_scope
from app.services import instruments
from app.services.instruments import normalize_account, normalize_card
from app.wire import Wire, to_doc, validate
from domain.errors import ValidationFailed


@dataclass(frozen=True)
class Instrument:
    kind: str
    object_type: str
    path: str  # e.g. "/buyers/{buyerID}/creditcards"
    id_param: str  # e.g. "creditCardID"
    id_field: str  # the assignment's field naming it, e.g. "CreditCardID"
    assignment: type[Wire]
    read_roles: tuple[str, ...]
    write_roles: tuple[str, ...]

    @property
    def assignment_kind(self) -> str:
        return f"{self.kind}assignment"


CREDIT_CARDS = Instrument(
    "creditcard",
    "CreditCard",
    "/buyers/{buyerID}/creditcards",
    "creditCardID",
    "CreditCardID",
    CreditCardAssignment,
    ("CreditCardReader", "CreditCardAdmin"),
    ("CreditCardAdmin",),
)
SPENDING_ACCOUNTS = Instrument(
    "spendingaccount",
    "SpendingAccount",
    "/buyers/{buyerID}/spendingaccounts",
    "spendingAccountID",
    "SpendingAccountID",
    SpendingAccountAssignment,
    ("SpendingAccountReader", "SpendingAccountAdmin"),
    ("SpendingAccountAdmin",),
)
COST_CENTERS = Instrument(
    "costcenter",
    "CostCenter",
    "/buyers/{buyerID}/costcenters",
    "costCenterID",
    "CostCenterID",
    CostCenterAssignment,
    ("CostCenterReader", "CostCenterAdmin"),
    ("CostCenterAdmin",),
)
INSTRUMENTS = (CREDIT_CARDS, SPENDING_ACCOUNTS, COST_CENTERS)
ASSIGNMENT_KINDS = tuple(i.assignment_kind for i in INSTRUMENTS)


def _delete_assignments(inst: Instrument) -> Any:
    async def on_delete(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
        await instruments.forget(ctx.docs, inst.assignment_kind, inst.id_field, doc["ID"], scope)

    return on_delete


async def _card_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return normalize_card(await ctx.body_object(), doc)


async def _account_write(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    return normalize_account(doc)


SPECS = [
    ResourceSpec(
        CREDIT_CARDS.kind,
        CREDIT_CARDS.object_type,
        CREDIT_CARDS.path,
        CREDIT_CARDS.id_param,
        CreditCard,
        CREDIT_CARDS.read_roles,
        CREDIT_CARDS.write_roles,
        searchable=("ID", "CardholderName", "CardType", "ExpirationDate"),
        sortable=("ID", "CardholderName", "CardType", "ExpirationDate", "DateCreated"),
        scope=buyer_scope,
        on_write=_card_write,
        on_delete=_delete_assignments(CREDIT_CARDS),
    ),
    ResourceSpec(
        SPENDING_ACCOUNTS.kind,
        SPENDING_ACCOUNTS.object_type,
        SPENDING_ACCOUNTS.path,
        SPENDING_ACCOUNTS.id_param,
        SpendingAccount,
        SPENDING_ACCOUNTS.read_roles,
        SPENDING_ACCOUNTS.write_roles,
        readonly=(),
        scope=buyer_scope,
        on_write=_account_write,
        on_delete=_delete_assignments(SPENDING_ACCOUNTS),
    ),
    ResourceSpec(
        COST_CENTERS.kind,
        COST_CENTERS.object_type,
        COST_CENTERS.path,
        COST_CENTERS.id_param,
        CostCenter,
        COST_CENTERS.read_roles,
        COST_CENTERS.write_roles,
        readonly=(),
        searchable=("ID", "Name", "Description"),
        scope=buyer_scope,
        on_delete=_delete_assignments(COST_CENTERS),
    ),
]


def assignment_routes(inst: Instrument) -> list[HTTPRouteHandler]:
    """ListAssignments, SaveAssignment and DeleteAssignment for one kind of instrument."""
    schema = schema_of(inst.assignment)
    fields = set(inst.assignment.__struct_fields__)
    takes_users = "user_id" in fields
    id_query = inst.id_param[0].lower() + inst.id_param[1:]

    @endpoint("GET", f"{inst.path}/assignments")
    async def list_assignments(ctx: Ctx) -> Any:
        buyer_id = await buyer_scope(ctx, await ctx.caller(*inst.read_roles))
        opts = ctx.list_options(params=(id_query, "userID", "userGroupID", "level"))
        mapping = {id_query: inst.id_field, "userGroupID": "UserGroupID"}
        if takes_users:
            mapping["userID"] = "UserID"
        level = opts.params.get("level")
        if not takes_users and level and level.strip().lower() == "user":
            raise ValidationFailed(
                f"{inst.object_type} assignments are to a buyer or a user group",
                "PartyAssignment.UserLevelNotAllowed",
                {"Field": "level"},
            )
        conds = level_conds(ctx.docs, level)
        return await list_page(
            ctx, inst.assignment_kind, schema, opts, fields=mapping, scope=buyer_id, conds=conds
        )

    @endpoint("POST", f"{inst.path}/assignments", status=204)
    async def save_assignment(ctx: Ctx) -> Any:
        buyer_id = await buyer_scope(ctx, await ctx.caller(*inst.write_roles))
        body = await ctx.body_object()
        if not takes_users and body.get("UserID"):
            raise ValidationFailed(
                f"{inst.object_type} assignments are to a buyer or a user group",
                "PartyAssignment.UserLevelNotAllowed",
                {"Field": "UserID"},
            )
        doc: Doc = to_doc(validate(body, inst.assignment))
        user_id = optional_id(doc.get("UserID"), "UserID")
        group_id = optional_id(doc.get("UserGroupID"), "UserGroupID")
        if user_id and group_id:
            raise ValidationFailed(
                "An assignment names a user or a user group, not both",
                "PartyAssignment.CannotSpecifyGroupAndUser",
                {"Field": "UserGroupID"},
            )
        await instruments.assign(
            ctx.docs,
            buyer_id,
            inst.kind,
            inst.object_type,
            inst.assignment_kind,
            doc,
            inst.id_field,
            user_id,
            group_id,
        )
        return NO_CONTENT, 204

    @endpoint("DELETE", f"{inst.path}/{{{inst.id_param}}}/assignments")
    async def delete_assignment(ctx: Ctx) -> Any:
        buyer_id = await buyer_scope(ctx, await ctx.caller(*inst.write_roles))
        object_id = ctx.param(inst.id_param)
        user_id = (ctx.query("userID") or None) if takes_users else None
        group_id = ctx.query("userGroupID") or None
        await instruments.unassign(
            ctx.docs, buyer_id, inst.assignment_kind, inst.object_type, object_id, user_id, group_id
        )
        return NO_CONTENT, 204

    return [list_assignments, save_assignment, delete_assignment]


# Static `/assignments` routes are registered before `/{id}` ones.
ROUTES = [
    *(h for inst in INSTRUMENTS for h in assignment_routes(inst)),
    *(h for spec in SPECS for h in crud(spec)),
]
