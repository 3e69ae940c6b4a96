"""Checkout integration events: ship estimates, ship-method selection, calculate, the order
worksheet, and the submit/approval callouts to the merchant's middleware.

Rules (docs/integration-events.md):
- The event is the one of the API client the caller's token came from (`cid` ->
  `ApiClient.OrderCheckoutIntegrationEventID`).
- The worksheet's stored responses live on the order document under the private key
  `_Checkout`, so they move with an order renamed and go with an order deleted. Next to them is
  the fingerprint of what they were computed for (`Fingerprint`): what the shipping and the
  calculation depend on (quantities, prices, addresses, costs, promotions, cost centers, xp).
  When the order no longer matches it, the estimates and the calculation count as cleared:
  this one comparison is the invalidation rule for every write, present and future.
- Handlers that call out never hold a write transaction during the call: they read in a short
  connection, call, then apply in a new transaction that re-reads the order and refuses with 409
  when it changed meanwhile (nothing applied).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection

from app import metrics
from app.auth.revocation import identity_claims
from app.auth.tokens import Caller
from app.auth.users import find_user
from app.models.checkout import (
    HookAnswer,
    OrderCalculateResponseAnswer,
    OrderShipMethodSelection,
    ShipEstimateResponseAnswer,
)
from app.services.lineitems import order_lines
from app.services.order_access import load_order
from app.services.pricing import override_unit_price
from app.services.promotion_amounts import PRINT_KEY, order_rows, set_overrides, settle, wire
from app.state import Services
from app.store.health import log_failure
from app.store.invalidation import cached_config
from app.store.repo import Docs, Stored
from app.unit import Unit, WorkUnit
from app.webhooks.client import outbound_client
from app.wire import encode, new_id, public, to_doc, validate
from domain.clock import iso, utcnow
from domain.errors import Conflict, DomainError, ValidationFailed
from domain.money import round_money
from domain.order_status import CHECKOUT_KEY, require_editable
from domain.orders import Direction
from integrations.callouts import (
    ERROR_BAD_RESPONSE,
    CalloutResult,
    IntegrationEventFailed,
    call_integration_event,
    failed,
    raise_for_callout,
)

log = logging.getLogger(__name__)

STATE_KEY = CHECKOUT_KEY  # the order's `Bookkeeping.checkout`
EVENT_KIND = "integrationevent"
ACTION_ROLES = ("OrderAdmin", "Shopper", "IntegrationEventAdmin")
WORKSHEET_ROLES = ("OrderAdmin", "OrderReader", "Shopper", "IntegrationEventAdmin")
# The post-submit hooks and the worksheet field each one's result is stored in.
HOOK_FIELDS = {
    "ordersubmit": "OrderSubmitResponse",
    "ordersubmitforapproval": "OrderSubmitForApprovalResponse",
    "orderapproved": "OrderApprovedResponse",
}
# Larger amounts are not prices; Decimal would also refuse to round them to cents.
MAX_MONEY = Decimal("1e15")
DEFAULT_TOKEN_MINUTES = 600

T = TypeVar("T")
# Finds the order a checkout call is about (by direction and ID, or the cart); the flag locks it.
Loader = Callable[[Unit, Caller, bool], Awaitable[Stored]]


def order_loader(direction: Direction, order_id: str) -> Loader:
    """The `Loader` of `/orders/{direction}/{orderID}/...`: the order as `caller` may write it."""

    async def load(ctx: Unit, caller: Caller, lock: bool) -> Stored:
        return await load_order(ctx, caller, direction, order_id, write=True, lock=lock)

    return load


# --------------------------------------------------------------------------- fingerprint


def _canon(value: Any) -> Any:
    """Value-based canonical form: PostgreSQL reorders JSON keys and writes 10 for 10.0."""
    if isinstance(value, dict):
        return [[k, _canon(value[k])] for k in sorted(value)]
    if isinstance(value, list | tuple):
        return [_canon(v) for v in value]
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | Decimal):
        return "n:" + format(Decimal(value).normalize(), "f")
    return str(value)


_ORDER_PARTS = (
    "ShippingCost",
    "TaxCost",
    "PromotionDiscount",
    "xp",
    "ShippingAddressID",
    "_ShippingAddress",
    PRINT_KEY,
)
_LINE_PARTS = (
    "ProductID",
    "Quantity",
    "UnitPrice",
    "ShippingAddressID",
    "ShippingAddress",
    "ShipFromAddressID",
    "CostCenter",
    "Specs",
    "PromotionDiscount",
    "xp",
)


def fingerprint(order: dict[str, Any], lines: list[dict[str, Any]]) -> str:
    """What ship estimates and calculations depend on; any change to it invalidates them."""
    parts = {
        "order": {k: order.get(k) for k in _ORDER_PARTS},
        "lines": {line["ID"]: {k: line.get(k) for k in _LINE_PARTS} for line in lines},
    }
    return hashlib.sha256(encode(_canon(parts))).hexdigest()


def current_state(order: dict[str, Any], lines: list[dict[str, Any]]) -> dict[str, Any]:
    """The stored responses, with the estimates and the calculation cleared when the order
    changed since they were made."""
    state = dict(order.get(STATE_KEY) or {})
    if state.get("Fingerprint") != fingerprint(order, lines):
        state["ShipEstimateResponse"] = None
        state["OrderCalculateResponse"] = None
    return state


def _store_state(order: dict[str, Any], lines: list[dict[str, Any]], state: dict[str, Any]) -> None:
    state["Fingerprint"] = fingerprint(order, lines)
    order[STATE_KEY] = state


def worksheet(
    order: dict[str, Any], lines: list[dict[str, Any]], promotions: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """OrderCloud's OrderWorksheet (`promotions`: the order's promotion rows). `Subscription` is
    filled by the subscription run that posts it (app.services.subscriptions)."""
    state = current_state(order, lines)
    return {
        "Order": public(order),
        "LineItems": [public(line) for line in lines],
        "OrderPromotions": [wire(p) for p in promotions or []],
        "Subscription": None,
        "ShipEstimateResponse": state.get("ShipEstimateResponse"),
        "OrderCalculateResponse": state.get("OrderCalculateResponse"),
        "OrderSubmitResponse": state.get("OrderSubmitResponse"),
        "OrderSubmitForApprovalResponse": state.get("OrderSubmitForApprovalResponse"),
        "OrderApprovedResponse": state.get("OrderApprovedResponse"),
        "SubscriptionIntegrationResponse": state.get("SubscriptionIntegrationResponse"),
    }


# --------------------------------------------------------------------------- event and token


async def checkout_event(
    docs: Docs, caller: Caller, field: str = "OrderCheckoutIntegrationEventID"
) -> dict[str, Any] | None:
    """The OrderCheckout event of the caller's API client, if it has one (`field`: another of the
    client's event links, `OrderReturnIntegrationEventID`)."""
    if not caller.client_id:
        return None
    client_id = caller.client_id

    async def read(conn: AsyncConnection) -> dict[str, Any] | None:
        found = Docs(conn)
        client = await found.get("apiclient", client_id)
        event_id = client.doc.get(field) if client else None
        event = await found.get(EVENT_KIND, event_id) if event_id else None
        return event.doc if event else None

    # Per-process configuration cache (app.store.invalidation): dropped on any API client or
    # integration event write.
    found: dict[str, Any] | None = await cached_config(
        docs.conn, ("checkout_event", field, client_id.lower()), read
    )
    return found


def require_event(event: dict[str, Any] | None, caller: Caller) -> dict[str, Any]:
    if event is None:
        raise ValidationFailed(
            "The API client of this token has no OrderCheckout integration event "
            "(ApiClient.OrderCheckoutIntegrationEventID)",
            "IntegrationEvent.ApiClientNotConfiguredForOrderCalculate",
            {"ApiClientID": caller.client_id},
        )
    return event


async def middleware_token(services: Services, docs: Docs, event: dict[str, Any]) -> str:
    """A seller token carrying exactly the event's ElevatedRoles, for the middleware to call back.

    It is issued to an active API client with AllowSeller (the first by ID), as the client's
    DefaultContextUserName when that is a seller user, else as a user named after the event."""
    clients = await docs.all("apiclient", *docs.eq(AllowSeller=True, Active=True))
    if not clients:
        raise ValidationFailed(
            "Integration events need an active API client with AllowSeller to issue the "
            "middleware's OrderCloudAccessToken",
            "IntegrationEvent.AllowSellerApiClientRequired",
            {"IntegrationEventID": event.get("ID")},
        )
    client = min(clients, key=lambda c: str(c["ID"]))
    context = client.get("DefaultContextUserName")
    user = await find_user(docs, context, services.marketplace_id) if context else None
    if user is not None and user.user_type == "admin":
        username, user_id = str(user.doc["Username"]), str(user.doc["ID"])
        # Bound to the context user like its own tokens: revoked with it.
        bound = identity_claims(user.doc, None)
    else:
        username = user_id = f"integrationevent-{event.get('ID')}"
        # No user stands behind it: a service token, valid until it expires.
        bound = {"svc": True}
    claims = {
        "usr": username,
        "cid": client["ID"],
        "u": user_id,
        "usrtype": "admin",
        "cmp": services.marketplace_id,
        "role": list(event.get("ElevatedRoles") or []),
        **bound,
    }
    minutes = int(client.get("AccessTokenDuration") or DEFAULT_TOKEN_MINUTES)
    return await services.tokens.issue(claims, minutes * 60)


async def call_event(
    services: Services,
    event: Mapping[str, Any],
    hook: str,
    payload: dict[str, Any],
    token: str,
    *,
    label: str | None = None,
) -> CalloutResult:
    """POST `payload` to `{CustomImplementationUrl}/{hook}` with the fields every OrderCloud
    integration event carries (Environment, OrderCloudAccessToken, ConfigData), signed with the
    event's HashKey and sent with its custom auth header; `label` names it in the metrics (the
    hook by default). Every integration event (checkout, returns, subscriptions, OpenID Connect)
    goes out through here."""
    settings = services.settings
    body = encode(
        {
            **payload,
            "Environment": settings.environment,
            "OrderCloudAccessToken": token,
            "ConfigData": event.get("ConfigData"),
        }
    )
    name, value = event.get("CustomAuthHeaderName"), event.get("CustomAuthHeaderValue")
    result = await call_integration_event(
        outbound_client(services),
        base_url=str(event.get("CustomImplementationUrl") or ""),
        path="/" + hook,
        hash_key=str(event.get("HashKey") or ""),
        body=body,
        custom_auth_header=(name, value) if name and value else None,
        # The client's connect/read timeouts (settings.integration_*) and their sum as deadline.
        timeout=None,
        max_bytes=settings.integration_max_response_bytes,
    )
    metrics.observe_integration_event(label or hook, result.duration_ms / 1000.0, result.error_code)
    return result


def _bad_answer(result: CalloutResult, message: str) -> IntegrationEventFailed:
    return failed(result, "The integration event answered unusably", ERROR_BAD_RESPONSE, detail=message)


def _answer(result: CalloutResult, typ: type[T]) -> T:
    try:
        return validate(result.json, typ)
    except ValidationFailed as exc:
        raise _bad_answer(result, exc.message) from None


def _money(result: CalloutResult, value: Decimal | None, field: str, *, signed: bool = False) -> None:
    if value is None:
        return
    if not value.is_finite() or abs(value) >= MAX_MONEY or (value < 0 and not signed):
        raise _bad_answer(result, f"{field} must be a {'' if signed else 'non-negative '}amount")


# --------------------------------------------------------------------------- short transactions


async def _reread(
    ctx: Unit, caller: Caller, load: Loader, seen: Stored, seen_print: str
) -> list[dict[str, Any]]:
    """After a callout: the order again, locked; 409 when it changed during the call. Updates
    `seen` to the locked copy and returns the order's lines."""
    stored = await load(ctx, caller, True)
    lines = await order_lines(ctx.docs, stored.doc["ID"])
    if (
        stored.doc["ID"] != seen.doc["ID"]
        or stored.version != seen.version
        or fingerprint(stored.doc, lines) != seen_print
    ):
        raise Conflict(
            "The order changed while its integration event was running; nothing was applied, try again",
            "Conflict.StaleWrite",
            {"OrderID": seen.doc["ID"]},
        )
    seen.doc, seen.version = stored.doc, stored.version
    return lines


async def _prepare(
    ctx: Unit, caller: Caller, load: Loader
) -> tuple[Stored, list[dict[str, Any]], list[dict[str, Any]], dict[str, Any], str]:
    """Read what a callout needs: the order (Unsubmitted), its lines and promotions, the event and
    its token."""
    async with ctx.read() as step:
        docs = step.docs
        stored = await load(step, caller, False)
        require_editable(stored.doc)
        event = require_event(await checkout_event(docs, caller), caller)
        lines = await order_lines(docs, stored.doc["ID"])
        promos = await order_rows(docs, stored.doc["ID"])
        token = await middleware_token(step.services, docs, event)
    return stored, lines, promos, event, token


async def _save(ctx: Unit, stored: Stored, order: dict[str, Any]) -> None:
    order["LastUpdated"] = iso(utcnow())
    await ctx.docs.replace("order", stored.doc["ID"], order, version=stored.version)
    stored.doc = order


# --------------------------------------------------------------------------- use cases


def _selected_cost(estimates: list[dict[str, Any]], currency: str | None) -> Decimal:
    total = Decimal(0)
    for estimate in estimates:
        chosen = estimate.get("SelectedShipMethodID")
        for method in estimate.get("ShipMethods") or []:
            if chosen is not None and method["ID"] == chosen:
                total += Decimal(method.get("Cost") or 0)
    return round_money(total, currency)


def _estimates(
    result: CalloutResult, answer: ShipEstimateResponseAnswer, lines: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The middleware's estimates checked against the order; an estimate without an ID gets one."""
    line_ids = {line["ID"] for line in lines}
    out: list[dict[str, Any]] = []
    for estimate in answer.ship_estimates or []:
        estimate_id = estimate.id or new_id()
        if any(e["ID"] == estimate_id for e in out):
            raise _bad_answer(result, f"ShipEstimate ID {estimate_id} appears twice")
        methods = estimate.ship_methods or []
        method_ids = [m.id for m in methods]
        if len(set(method_ids)) != len(method_ids):
            raise _bad_answer(result, f"ShipEstimate {estimate_id} lists a ShipMethod ID twice")
        if (
            estimate.selected_ship_method_id is not None
            and estimate.selected_ship_method_id not in method_ids
        ):
            raise _bad_answer(result, f"ShipEstimate {estimate_id} selects an unknown ShipMethod")
        for method in methods:
            _money(result, method.cost, "ShipMethod.Cost")
        items = estimate.ship_estimate_items or []
        unknown = [i.line_item_id for i in items if i.line_item_id not in line_ids]
        if unknown:
            raise _bad_answer(result, f"ShipEstimate {estimate_id} names unknown line items {unknown}")
        out.append(
            {
                "ID": estimate_id,
                "xp": estimate.xp,
                "SelectedShipMethodID": estimate.selected_ship_method_id,
                "ShipEstimateItems": [{"LineItemID": i.line_item_id, "Quantity": i.quantity} for i in items],
                "ShipMethods": [
                    {
                        "ID": m.id,
                        "Name": m.name,
                        "Cost": m.cost,
                        "EstimatedTransitDays": m.estimated_transit_days,
                        "xp": m.xp,
                    }
                    for m in methods
                ],
            }
        )
    return out


async def estimate_shipping(ctx: Unit, caller: Caller, load: Loader) -> dict[str, Any]:
    """POST `/shippingrates`; store the ShipEstimateResponse. The calculation is cleared and
    ShippingCost becomes the cost of the methods the middleware preselected (0 when none)."""
    stored, lines, promos, event, token = await _prepare(ctx, caller, load)
    seen_print = fingerprint(stored.doc, lines)
    result = await call_event(
        ctx.services, event, "shippingrates", {"OrderWorksheet": worksheet(stored.doc, lines, promos)}, token
    )
    raise_for_callout(result)
    answer = _answer(result, ShipEstimateResponseAnswer)
    async with ctx.write() as step:
        docs = step.docs
        lines = await _reread(step, caller, load, stored, seen_print)
        estimates = _estimates(result, answer, lines)
        order = dict(stored.doc)
        state = current_state(order, lines)
        state["ShipEstimateResponse"] = {
            "ShipEstimates": estimates,
            "HttpStatusCode": result.status_code,
            "UnhandledErrorBody": None,
            "xp": answer.xp,
            "Succeeded": True,
        }
        state["OrderCalculateResponse"] = None
        # New estimates replace the old selection: shipping is what the middleware preselected.
        order["ShippingCost"] = _selected_cost(estimates, order.get("Currency"))
        await settle(docs, order, lines)
        _store_state(order, lines, state)
        await _save(step, stored, order)
        promos = await order_rows(docs, order["ID"])
    return worksheet(stored.doc, lines, promos)


async def select_ship_methods(ctx: Unit, stored: Stored, body: dict[str, Any]) -> dict[str, Any]:
    """Set SelectedShipMethodID per estimate; ShippingCost = the selected methods' Cost summed.
    A changed selection clears the calculation (shipping cost changed)."""
    selection = validate(body, OrderShipMethodSelection)
    order = dict(stored.doc)
    require_editable(order)
    lines = await order_lines(ctx.docs, order["ID"])
    state = current_state(order, lines)
    response = state.get("ShipEstimateResponse")
    if response is None:
        raise ValidationFailed(
            "Ship methods can be selected only after estimateshipping (since the order's last change)",
            "IntegrationEvent.MustCalculateShipping",
            {"OrderID": order["ID"]},
        )
    estimates = [dict(e) for e in response.get("ShipEstimates") or []]
    if not estimates:
        raise ValidationFailed(
            "The integration returned no ship estimates to select from",
            "IntegrationEvent.MustHaveShipEstimates",
            {"OrderID": order["ID"]},
        )
    by_id = {e["ID"]: e for e in estimates}
    changed = False
    for chosen in selection.ship_method_selections:
        estimate = by_id.get(chosen.ship_estimate_id)
        if estimate is None:
            raise ValidationFailed(
                f"Ship estimate not found: {chosen.ship_estimate_id}",
                "ValidationFailure",
                {"Field": "ShipEstimateID", "Value": chosen.ship_estimate_id},
            )
        if not any(m["ID"] == chosen.ship_method_id for m in estimate.get("ShipMethods") or []):
            raise ValidationFailed(
                f"Ship method {chosen.ship_method_id} is not one of ship estimate {estimate['ID']}'s",
                "ValidationFailure",
                {"Field": "ShipMethodID", "Value": chosen.ship_method_id, "ShipEstimateID": estimate["ID"]},
            )
        changed |= estimate.get("SelectedShipMethodID") != chosen.ship_method_id
        estimate["SelectedShipMethodID"] = chosen.ship_method_id
    state["ShipEstimateResponse"] = {**response, "ShipEstimates": estimates}
    if changed:
        state["OrderCalculateResponse"] = None
    order["ShippingCost"] = _selected_cost(estimates, order.get("Currency"))
    await settle(ctx.docs, order, lines)
    _store_state(order, lines, state)
    await _save(ctx, stored, order)
    return worksheet(order, lines, await order_rows(ctx.docs, order["ID"]))


def _check_overrides(
    result: CalloutResult, answer: OrderCalculateResponseAnswer, lines: list[dict[str, Any]]
) -> None:
    line_ids = {line["ID"] for line in lines}
    for override in answer.line_item_overrides or []:
        if override.line_item_id not in line_ids:
            raise _bad_answer(result, f"LineItemOverride names an unknown line item {override.line_item_id}")
        _money(result, override.unit_price, "LineItemOverride.UnitPrice")
        for promo in override.promotion_overrides or []:
            _money(result, promo.amount, "PromotionOverride.Amount")
    _money(result, answer.shipping_total, "ShippingTotal")
    _money(result, answer.tax_total, "TaxTotal")
    _money(result, answer.fee_total, "FeeTotal", signed=True)


async def calculate(ctx: Unit, caller: Caller, load: Loader) -> dict[str, Any]:
    """POST `/ordercalculate` and apply the answer: ShippingTotal -> ShippingCost, TaxTotal ->
    TaxCost, FeeTotal -> Fees, line overrides (UnitPrice, Remove); totals recomputed."""
    stored, lines, promos, event, token = await _prepare(ctx, caller, load)
    seen_print = fingerprint(stored.doc, lines)
    result = await call_event(
        ctx.services, event, "ordercalculate", {"OrderWorksheet": worksheet(stored.doc, lines, promos)}, token
    )
    raise_for_callout(result)
    answer = _answer(result, OrderCalculateResponseAnswer)
    async with ctx.write() as step:
        docs = step.docs
        lines = await _reread(step, caller, load, stored, seen_print)
        _check_overrides(result, answer, lines)
        order = dict(stored.doc)
        currency = order.get("Currency")
        state = current_state(order, lines)
        by_id = {line["ID"]: line for line in lines}
        removed: set[str] = set()
        promotion_overrides: list[tuple[str, str, Decimal]] = []
        for override in answer.line_item_overrides or []:
            line = by_id[override.line_item_id]
            promotion_overrides += [
                (line["ID"], p.promotion_id, p.amount)
                for p in override.promotion_overrides or []
                if p.promotion_id and p.amount is not None and not override.remove
            ]
            if override.remove:
                removed.add(line["ID"])
            elif override.unit_price is not None:
                override_unit_price(line, override.unit_price, currency)
                await docs.replace("lineitem", line["ID"], line, order["ID"])
        for line_id in removed:
            await docs.delete("lineitem", line_id, order["ID"])
        lines = [line for line in lines if line["ID"] not in removed]
        for field, value in (
            ("ShippingCost", answer.shipping_total),
            ("TaxCost", answer.tax_total),
            ("Fees", answer.fee_total),
        ):
            if value is not None:
                order[field] = round_money(value, currency)
        await set_overrides(docs, order["ID"], promotion_overrides)
        await settle(docs, order, lines)
        state["OrderCalculateResponse"] = {
            "LineItemOverrides": [to_doc(o) for o in answer.line_item_overrides or []],
            "ShippingTotal": answer.shipping_total,
            "TaxTotal": answer.tax_total,
            "FeeTotal": answer.fee_total,
            "HttpStatusCode": result.status_code,
            "UnhandledErrorBody": None,
            "xp": answer.xp,
            "Succeeded": True,
        }
        _store_state(order, lines, state)
        await _save(step, stored, order)
        promos = await order_rows(docs, order["ID"])
    return worksheet(stored.doc, lines, promos)


async def get_worksheet(ctx: Unit, stored: Stored) -> dict[str, Any]:
    order_id = stored.doc["ID"]
    return worksheet(stored.doc, await order_lines(ctx.docs, order_id), await order_rows(ctx.docs, order_id))


# --------------------------------------------------------------------------- submit and approval


async def require_calculated(
    ctx: Unit, order: dict[str, Any], lines: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """With a checkout event on the caller's client, an order is submitted only when calculated
    since its last change. Returns the event (None without one)."""
    caller = await ctx.caller()
    event = await checkout_event(ctx.docs, caller)
    if event is not None and current_state(order, lines).get("OrderCalculateResponse") is None:
        raise ValidationFailed(
            "The order must be calculated (POST .../calculate) after its last change before it is submitted",
            "Order.CannotSubmitUncalculatedOrder",
            {"OrderID": order["ID"]},
        )
    return event


def notify_after_commit(ctx: Unit, event: dict[str, Any] | None, order_id: str, hook: str) -> None:
    """Call `hook` (ordersubmit, ordersubmitforapproval, orderapproved) once the status change
    committed. Its outcome is stored in the worksheet and never undoes the change."""
    if event is None:
        return
    services = ctx.services

    async def task() -> None:
        try:
            await notify(services, event, order_id, hook)
        except Exception as exc:  # the status change committed: it stands whatever happens here
            log_failure(log, f"the {hook} integration event of order {order_id} failed", exc)

    ctx.after_commit(task)


async def notify(services: Services, event: dict[str, Any], order_id: str, hook: str) -> None:
    field = HOOK_FIELDS[hook]
    try:
        async with WorkUnit.reader(services) as unit:
            docs = unit.docs
            found = await docs.get("order", order_id)
            if found is None:
                return
            lines = await order_lines(docs, order_id)
            promos = await order_rows(docs, order_id)
            token = await middleware_token(services, docs, event)
        result = await call_event(
            services, event, hook, {"OrderWorksheet": worksheet(found.doc, lines, promos)}, token
        )
        response = _hook_response(result)
    except DomainError as exc:  # no AllowSeller client: record why the middleware was not called
        response = {"HttpStatusCode": None, "UnhandledErrorBody": exc.message, "xp": None, "Succeeded": False}
    async with WorkUnit.transaction(services) as unit:
        docs = unit.docs
        found = await docs.get("order", order_id, lock=True)
        if found is None:
            return
        order = dict(found.doc)
        order[STATE_KEY] = {**(order.get(STATE_KEY) or {}), field: response}
        await docs.replace("order", order_id, order, version=found.version)


def _hook_response(result: CalloutResult) -> dict[str, Any]:
    if not result.ok:
        return {
            "HttpStatusCode": result.status_code,
            "UnhandledErrorBody": result.raw_body if result.raw_body else result.message,
            "xp": None,
            "Succeeded": False,
        }
    try:
        answer = validate(result.json, HookAnswer)
    except ValidationFailed:
        return {
            "HttpStatusCode": result.status_code,
            "UnhandledErrorBody": result.raw_body,
            "xp": None,
            "Succeeded": False,
        }
    return {
        "HttpStatusCode": result.status_code,
        "UnhandledErrorBody": None,
        "xp": answer.xp,
        "Succeeded": True,
    }
