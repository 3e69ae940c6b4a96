"""OrderCloud's subscription integration (`/integrations/subscription`): the marketplace's one
configuration naming the API client scheduled orders are placed through (`ApiClientID`) and the
middleware each scheduled order is posted to (`Url`, signed with `HashKey`).
docs/subscriptions.md, "The subscription integration".
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from app.auth.grants import client_allows, issue_for_user
from app.auth.roles import ALL_ROLES
from app.auth.tokens import Caller
from app.auth.users import FoundUser
from app.models.subscriptions import SubscriptionIntegration
from app.services.checkout import call_event
from app.store.repo import Docs
from app.wire import merge_patch, to_doc, validate
from domain.errors import NotFound, ValidationFailed
from integrations.callouts import CalloutResult
from integrations.outbound import require_url

if TYPE_CHECKING:
    from app.state import Services

KIND = "subscriptionintegration"
KEY = "subscription"
CANNOT_USE_CLIENT = "SubscriptionIntegration.CannotUseApiClient"
# Shown to writers only (null for readers), as an integration event's.
SECRET_FIELDS = ("HashKey", "CustomAuthHeaderValue")


async def current(docs: Docs) -> dict[str, Any] | None:
    found = await docs.get(KIND, KEY)
    return found.doc if found else None


async def require(docs: Docs, *, secrets: bool) -> dict[str, Any]:
    """The configuration as a caller sees it: `secrets` false nulls the SECRET_FIELDS."""
    doc = await current(docs)
    if doc is None:
        raise NotFound("SubscriptionIntegration", KEY)
    return doc if secrets else {**doc, **{f: None for f in SECRET_FIELDS}}


async def save(docs: Docs, body: dict[str, Any], *, patch: bool, allow_private: bool) -> dict[str, Any]:
    """PUT (the whole configuration) or PATCH (merged into the stored one, 404 without one)."""
    existing = await current(docs)
    if patch:
        if existing is None:
            raise NotFound("SubscriptionIntegration", KEY)
        body = merge_patch(existing, body)
    doc = to_doc(validate(body, SubscriptionIntegration))
    await _check(docs, doc, allow_private)
    if existing is None:
        await docs.insert(KIND, doc, key=KEY, absent=True)
    else:
        await docs.replace(KIND, KEY, doc)
    return doc


async def delete(docs: Docs) -> None:
    if not await docs.delete(KIND, KEY):
        raise NotFound("SubscriptionIntegration", KEY)


async def _check(docs: Docs, doc: dict[str, Any], allow_private: bool) -> None:
    if not await docs.exists("apiclient", doc["ApiClientID"]):
        raise NotFound("ApiClient", doc["ApiClientID"])
    unknown = [r for r in doc.get("ElevatedRoles") or [] if r not in ALL_ROLES]
    if unknown:
        raise ValidationFailed(
            f"Unknown role(s) in ElevatedRoles: {', '.join(unknown)}",
            "ValidationFailure",
            {"Field": "ElevatedRoles", "Value": unknown},
        )
    if doc.get("Url"):
        require_url(doc["Url"], "Url", allow_private=allow_private)
    name, value = doc.get("CustomAuthHeaderName"), doc.get("CustomAuthHeaderValue")
    if bool(name) != bool(value):
        missing = "CustomAuthHeaderValue" if name else "CustomAuthHeaderName"
        raise ValidationFailed(
            f"{missing} is required with {'CustomAuthHeaderName' if name else 'CustomAuthHeaderValue'}",
            f"Integration.{missing}Required",
            {"Field": missing},
        )


def calls_middleware(config: dict[str, Any] | None) -> bool:
    """Whether scheduled orders go to the middleware to be submitted (OrderCloud's contract)."""
    return bool(config and config.get("Active") and config.get("Url"))


# --------------------------------------------------------------------------- the run's caller


async def run_caller(
    services: Services, docs: Docs, config: dict[str, Any], user: FoundUser, order_roles: frozenset[str]
) -> Caller:
    """The buyer user as a caller of the integration's API client: the client webhooks and the
    checkout event are found by, with a real token (the user's own roles and the integration's
    ElevatedRoles) for the middleware and the webhooks' UserToken. The scheduled run itself acts
    with `order_roles`. Refused (`SubscriptionIntegration.CannotUseApiClient`) when the client is
    gone, inactive or not one the user's buyer may use."""
    client_id = str(config["ApiClientID"])
    found = await docs.get("apiclient", client_id)
    client = found.doc if found else None
    if client is None or not client.get("Active", True) or not await client_allows(docs, client, user):
        raise ValidationFailed(
            f"The subscription integration's API client {client_id} cannot place this user's orders",
            CANNOT_USE_CLIENT,
            {"ApiClientID": client_id, "UserID": user.doc["ID"]},
        )
    answer = await issue_for_user(services, docs, client, user, None)
    caller = await services.tokens.caller(str(answer["access_token"]))
    elevated = set(config.get("ElevatedRoles") or [])
    if elevated - caller.roles:
        roles = {"role": sorted(caller.roles | caller.custom_roles | elevated)}
        answer = await issue_for_user(services, docs, client, user, None, extra_claims=roles)
        caller = await services.tokens.caller(str(answer["access_token"]))
    return dataclasses.replace(caller, roles=order_roles, custom_roles=frozenset())


# --------------------------------------------------------------------------- the callout


def _split(url: str) -> tuple[str, str]:
    """`Url` as the callout client's base and path: the request goes to `Url` itself."""
    path = urlsplit(url).path
    if path in ("", "/"):
        return url, ""
    base, _, last = url.rstrip("/").rpartition("/")
    return base, last


async def call(
    services: Services, config: dict[str, Any], sheet: dict[str, Any], token: str
) -> CalloutResult:
    """POST the scheduled order's worksheet to `Url`, signed (`X-oc-hash`) with `HashKey`, in the
    shape of the checkout event's payload (`xp` is its ConfigData)."""
    base, path = _split(str(config.get("Url") or ""))
    event = {
        "CustomImplementationUrl": base,
        "HashKey": config.get("HashKey"),
        "ConfigData": config.get("xp"),
        "CustomAuthHeaderName": config.get("CustomAuthHeaderName"),
        "CustomAuthHeaderValue": config.get("CustomAuthHeaderValue"),
    }
    return await call_event(services, event, path, {"OrderWorksheet": sheet}, token, label="subscription")


def response_of(result: CalloutResult) -> dict[str, Any]:
    """OrderCloud's SubscriptionIntegrationResponse for the worksheet."""
    xp = result.json.get("xp") if result.ok and isinstance(result.json, dict) else None
    return {
        "HttpStatusCode": result.status_code,
        "UnhandledErrorBody": None if result.ok else (result.raw_body or result.message),
        "xp": xp,
        "Succeeded": result.ok,
    }


def refusal_of(result: CalloutResult) -> dict[str, Any]:
    """The subscription's LastOrderRefusal when the middleware did not take the order."""
    return {
        "ErrorCode": result.error_code,
        "Message": result.message or "The subscription integration did not accept the order",
        "Data": {"StatusCode": result.status_code},
    }
