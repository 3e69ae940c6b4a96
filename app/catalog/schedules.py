"""Price schedule documents: validation through the pricing engine, and the read-time `IsOnSale`."""

from __future__ import annotations

from typing import Any

from domain.clock import iso, parse_iso, utcnow
from domain.errors import ValidationFailed
from domain.pricing import PriceSchedule

Doc = dict[str, Any]

# Lets the engine check Min/Max and the sale window of a schedule that has no breaks yet
# (OrderCloud lets a schedule be created first and given breaks with SavePriceBreak later).
_PLACEHOLDER_BREAK = {"Quantity": 1, "Price": 0}


def _date(doc: Doc, name: str) -> None:
    value = doc.get(name)
    if value is None:
        return
    try:
        doc[name] = iso(parse_iso(str(value)))
    except ValueError:
        raise ValidationFailed(
            f"{name} is not an ISO-8601 date", "PriceSchedule.InvalidSaleStartOrSaleEnd", {name: value}
        ) from None


def check_schedule(doc: Doc, existing: Doc | None) -> Doc:
    """Refuse a schedule the engine would refuse (with its `PriceSchedule.*` codes); normalise
    the sale dates to OrderCloud's UTC format."""
    _date(doc, "SaleStart")
    _date(doc, "SaleEnd")
    min_q = doc.get("MinQuantity")
    if min_q is not None and min_q < 1:
        raise ValidationFailed(
            "MinQuantity must be at least 1", "PriceSchedule.MinQtyMustBePositive", {"MinQuantity": min_q}
        )
    breaks = doc.get("PriceBreaks") or []
    if not breaks and existing and existing.get("PriceBreaks"):
        raise ValidationFailed(
            "A price schedule's price breaks cannot be cleared; delete them one at a time",
            "PriceSchedule.CannotClearPriceBreaks",
            {"PriceScheduleID": doc.get("ID")},
        )
    for b in breaks:
        if b["Quantity"] < 1:
            raise ValidationFailed(
                "PriceBreak Quantity must be at least 1", "ValidationFailure", {"Quantity": b["Quantity"]}
            )
        if b["Price"] < 0:
            raise ValidationFailed(
                "PriceBreak Price cannot be negative", "ValidationFailure", {"Price": b["Price"]}
            )
    PriceSchedule.from_doc({**doc, "PriceBreaks": breaks or [_PLACEHOLDER_BREAK]})
    doc["PriceBreaks"] = sorted(breaks, key=lambda b: b["Quantity"])
    doc["IsOnSale"] = None
    return doc


def is_on_sale(doc: Doc) -> bool:
    """True when a break has a SalePrice and now is inside the sale window (see domain.pricing)."""
    breaks = doc.get("PriceBreaks") or []
    if not any(b.get("SalePrice") is not None for b in breaks):
        return False
    return PriceSchedule.from_doc(doc).is_sale_active(utcnow())


def present_schedule(doc: Doc) -> Doc:
    return {**doc, "IsOnSale": is_on_sale(doc)}
