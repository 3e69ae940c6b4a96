"""`/integrationEvents[/{integrationEventID}]`: the merchant middleware checkout calls go to.

Seller users only (IntegrationEventAdmin writes, IntegrationEventReader reads). Refusals, with
OrderCloud's codes: unknown ElevatedRoles (ValidationFailure), a custom auth header name without
a value or the reverse (`Integration.CustomAuthHeaderValueRequired` / `...NameRequired`), changing
the EventType of an existing event (`IntegrationEvent.CannotEditType`), deleting an event an API
client uses (`IntegrationEvent.CannotDeleteInUse`).
"""

from __future__ import annotations

from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.http import Ctx
from app.models.checkout import IntegrationEvent
from app.resources import Doc, ResourceSpec, crud
from app.routes.access import seller_only
from app.services import apiclients
from app.services.checkout import EVENT_KIND
from app.services.return_calc import is_builtin
from domain.errors import ValidationFailed
from integrations.outbound import require_url

READ_ROLES = ("IntegrationEventReader", "IntegrationEventAdmin")
WRITE_ROLES = ("IntegrationEventAdmin",)


async def _check(ctx: Ctx, caller: Caller, doc: Doc, existing: Doc | None, scope: str) -> Doc:
    unknown = [r for r in doc.get("ElevatedRoles") or [] if r not in ALL_ROLES]
    if unknown:
        raise ValidationFailed(
            f"Unknown role(s) in ElevatedRoles: {', '.join(unknown)}",
            "ValidationFailure",
            {"Field": "ElevatedRoles", "Value": unknown},
        )
    # ordercore's own return calculator is an OrderReturn event with this URL (docs/returns.md).
    if not (doc.get("EventType") == "OrderReturn" and is_builtin(doc)):
        require_url(
            doc.get("CustomImplementationUrl"),
            "CustomImplementationUrl",
            allow_private=ctx.services.settings.outbound_allow_private,
        )
    name, value = doc.get("CustomAuthHeaderName"), doc.get("CustomAuthHeaderValue")
    if name and not value:
        raise ValidationFailed(
            "CustomAuthHeaderValue is required with CustomAuthHeaderName",
            "Integration.CustomAuthHeaderValueRequired",
            {"Field": "CustomAuthHeaderValue"},
        )
    if value and not name:
        raise ValidationFailed(
            "CustomAuthHeaderName is required with CustomAuthHeaderValue",
            "Integration.CustomAuthHeaderNameRequired",
            {"Field": "CustomAuthHeaderName"},
        )
    if existing is not None and existing.get("EventType") and doc.get("EventType") != existing["EventType"]:
        raise ValidationFailed(
            "The EventType of an integration event cannot be changed; create another event",
            "IntegrationEvent.CannotEditType",
            {"EventType": existing["EventType"]},
        )
    return doc


async def _in_use(ctx: Ctx, caller: Caller, doc: Doc, scope: str) -> None:
    await apiclients.refuse_if_event_used(ctx.docs, doc["ID"])


SPEC = ResourceSpec(
    EVENT_KIND,
    "IntegrationEvent",
    "/integrationEvents",
    "integrationEventID",
    IntegrationEvent,
    READ_ROLES,
    WRITE_ROLES,
    readonly=(),
    searchable=("ID", "EventType", "Name"),
    sortable=("ID", "EventType", "Name"),
    default_sort=("ID",),
    scope=seller_only,
    on_write=_check,
    on_delete=_in_use,
    secret_fields=("HashKey", "CustomAuthHeaderValue"),
)

ROUTES = [*crud(SPEC)]
