"""How a return's RefundAmount is calculated (docs/returns.md "Refund amounts").

The caller's API client decides, through `ApiClient.OrderReturnIntegrationEventID`:
- no event: nothing is calculated (OrderCloud's behaviour): RefundAmount stays null on a return a
  buyer creates, and an OrderAdmin sets it (or the items' amounts);
- an `OrderReturn` event: creating or changing an Unsubmitted return POSTs `{OrderReturn,
  OrderWorksheet, Environment, OrderCloudAccessToken, ConfigData}` to
  `{CustomImplementationUrl}/calculateorderreturn`, signed with `X-oc-hash` like the checkout
  events, and takes `RefundAmount` and `ItemsToReturnCalcs[].RefundAmount` from the answer;
- an `OrderReturn` event whose CustomImplementationUrl is `BUILTIN_URL`: ordercore's own
  calculator (`domain.returns.line_shares`), prorating tax, shipping (ConfigData
  `RefundShipping`, default true) and order-level discounts. No call leaves the process.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from app.auth.tokens import Caller
from app.models.returns import OrderReturnCalculateResponse
from app.services import checkout
from app.services.promotion_amounts import order_rows
from app.store.repo import Docs
from app.unit import Unit
from app.wire import validate
from domain.errors import ValidationFailed
from domain.money import round_money, to_decimal
from domain.returns import OrderCharges, line_shares
from integrations.callouts import ERROR_BAD_RESPONSE, CalloutResult, failed, raise_for_callout

EVENT_FIELD = "OrderReturnIntegrationEventID"
HOOK = "calculateorderreturn"
BUILTIN_URL = "ordercore:builtin"
MAX_MONEY = checkout.MAX_MONEY


@dataclass(frozen=True, slots=True)
class Calc:
    """How the return being written is priced."""

    mode: Literal["none", "builtin", "remote"] = "none"
    refund_shipping: bool = True
    answer: OrderReturnCalculateResponse | None = None
    event: dict[str, Any] | None = None


NONE = Calc()


def is_builtin(event: dict[str, Any]) -> bool:
    return str(event.get("CustomImplementationUrl") or "").strip().lower() == BUILTIN_URL


async def calc_for(docs: Docs, caller: Caller) -> Calc:
    """The calculation configured on the caller's API client (without an answer yet)."""
    event = await checkout.checkout_event(docs, caller, EVENT_FIELD)
    if event is None:
        return NONE
    if is_builtin(event):
        config = event.get("ConfigData") or {}
        refund_shipping = config.get("RefundShipping") if isinstance(config, dict) else None
        return Calc("builtin", refund_shipping is not False, event=event)
    return Calc("remote", event=event)


def shares(order: dict[str, Any], lines: list[dict[str, Any]], calc: Calc) -> dict[str, Decimal]:
    """The built-in calculator's per-line refundable amounts for `order`."""
    line_discounts = sum((to_decimal(line.get("PromotionDiscount") or 0) for line in lines), Decimal(0))
    charges = OrderCharges(
        tax=to_decimal(order.get("TaxCost") or 0),
        shipping=to_decimal(order.get("ShippingCost") or 0),
        order_discount=max(Decimal(0), to_decimal(order.get("PromotionDiscount") or 0) - line_discounts),
        other=to_decimal(order.get("Fees") or 0) + to_decimal(order.get("Gratuity") or 0),
    )
    return line_shares(
        [
            (line["ID"], to_decimal(line.get("LineTotal") or 0), int(line.get("Quantity") or 0))
            for line in lines
        ],
        charges,
        refund_shipping=calc.refund_shipping,
        currency=order.get("Currency"),
    )


def _bad(result: CalloutResult, detail: str) -> Exception:
    return failed(result, "The integration event answered unusably", ERROR_BAD_RESPONSE, detail=detail)


def _amount(result: CalloutResult, value: Decimal | None, field: str) -> None:
    if value is not None and (not value.is_finite() or value < 0 or value >= MAX_MONEY):
        raise _bad(result, f"{field} must be a non-negative amount")


async def ask(
    ctx: Unit, calc: Calc, order: dict[str, Any], lines: list[dict[str, Any]], ret: dict[str, Any]
) -> Calc:
    """POST `/calculateorderreturn` for the candidate return `ret` and check the answer (502 when
    unusable). Runs outside any write transaction."""
    assert calc.event is not None
    docs = ctx.docs
    sheet = checkout.worksheet(order, lines, await order_rows(docs, order["ID"]))
    token = await checkout.middleware_token(ctx.services, docs, calc.event)
    result = await checkout.call_event(
        ctx.services, calc.event, HOOK, {"OrderReturn": ret, "OrderWorksheet": sheet}, token
    )
    raise_for_callout(result)
    try:
        answer = validate(result.json, OrderReturnCalculateResponse)
    except ValidationFailed as exc:
        raise _bad(result, exc.message) from None
    _amount(result, answer.refund_amount, "RefundAmount")
    wanted = {i["LineItemID"] for i in ret.get("ItemsToReturn") or []}
    for item in answer.items_to_return_calcs or []:
        if item.line_item_id not in wanted:
            raise _bad(result, f"ItemsToReturnCalcs names {item.line_item_id}, not an item of the return")
        _amount(result, item.refund_amount, "ItemsToReturnCalcs.RefundAmount")
    return Calc("remote", answer=answer, event=calc.event)


def apply_answer(
    ret: dict[str, Any], calc: Calc, overrides: dict[str, Any], currency: str | None
) -> Decimal | None:
    """Put the middleware's amounts on the items an OrderAdmin did not set; returns the return's
    RefundAmount (the answer's, else the sum of the items')."""
    assert calc.answer is not None
    by_line = {i.line_item_id: i.refund_amount for i in calc.answer.items_to_return_calcs or []}
    total = Decimal(0)
    any_amount = False
    for item in ret.get("ItemsToReturn") or []:
        line_id = item["LineItemID"]
        if line_id not in overrides and by_line.get(line_id) is not None:
            item["RefundAmount"] = round_money(to_decimal(by_line[line_id]), currency)
        if item.get("RefundAmount") is not None:
            total += to_decimal(item["RefundAmount"])
            any_amount = True
    if calc.answer.refund_amount is not None:
        return round_money(calc.answer.refund_amount, currency)
    return round_money(total, currency) if any_amount else None
