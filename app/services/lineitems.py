"""Line items: add, change and remove lines of an unsubmitted order, keeping prices and the
order's totals right. Every change runs with the order row locked (see order_access.load_order),
so concurrent changes to one order apply one after another and none is lost."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.auth.tokens import Caller
from app.catalog.bundles import refuse_bundle_product
from app.models.orders import LINE_WRITABLE, LineItem
from app.services import activities, addresses, group_access, on_behalf
from app.services.pricing import Offer, offer_and_rows, offer_for, price_product_lines, refresh_totals
from app.services.promotion_amounts import KIND as PROMOTION_KIND
from app.services.promotion_amounts import PRINT_KEY, settle
from app.store.repo import Docs, Stored
from app.unit import Unit
from app.wire import check_id, id_or, merge_patch, new_id, public, to_doc, validate
from domain.clock import iso, parse_iso, utcnow
from domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from domain.events import LINE_ADDED, LINE_CHANGED, LINE_REMOVED
from domain.money import to_decimal
from domain.order_status import Op, allows, require_editable

PRODUCT_SNAPSHOT = (
    "ID",
    "Name",
    "Description",
    "Returnable",
    "QuantityMultiplier",
    "ShipWeight",
    "ShipHeight",
    "ShipWidth",
    "ShipLength",
    "DefaultSupplierID",
    "ParentID",
    "xp",
)
VARIANT_SNAPSHOT = ("ID", "Name", "Description", "ShipWeight", "ShipHeight", "ShipWidth", "ShipLength", "xp")


async def order_lines(docs: Docs, order_id: str) -> list[dict[str, Any]]:
    return await docs.all("lineitem", scope=order_id)


# --------------------------------------------------------------------------- specs and variants


async def _spec_option(docs: Docs, spec: dict[str, Any], option_id: str) -> dict[str, Any]:
    """An option stored as a `specoption` document (scope = spec ID) or embedded in the spec."""
    stored = await docs.get("specoption", option_id, spec["ID"])
    if stored is not None:
        return stored.doc
    for option in spec.get("Options") or ():
        if option.get("ID") == option_id:
            return dict(option)
    raise NotFound("SpecOption", option_id)


async def resolve_specs(docs: Docs, specs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Line specs with Name, Value and markup read from the spec and its chosen option (callers'
    markup values are ignored: the catalog decides the price)."""
    out = []
    for item in specs:
        stored = await docs.get("spec", item["SpecID"])
        if stored is None:
            raise NotFound("Spec", item["SpecID"])
        spec = stored.doc
        option = await _spec_option(docs, spec, item["OptionID"]) if item.get("OptionID") else None
        value = item.get("Value")
        if value is None and option is not None:
            value = option.get("Value")
        out.append(
            {
                "SpecID": spec["ID"],
                "Name": spec.get("Name"),
                "OptionID": item.get("OptionID"),
                "Value": value,
                "PriceMarkupType": (option or {}).get("PriceMarkupType") or ("NoMarkup" if option else None),
                "PriceMarkup": (option or {}).get("PriceMarkup"),
            }
        )
    return out


async def resolve_variant(
    docs: Docs, product: dict[str, Any], specs: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """The variant the chosen options select, when the product has variants defined by specs."""
    if not specs and not product.get("VariantCount"):
        return None
    variants = [v for v in await docs.all("variant", scope=product["ID"]) if v.get("Specs")]
    if not variants:
        return None
    chosen = {(s["SpecID"], s.get("OptionID")) for s in specs}
    for variant in variants:
        if all((vs.get("SpecID"), vs.get("OptionID")) in chosen for vs in variant["Specs"]):
            if variant.get("Active") is False:
                break
            return variant
    raise ValidationFailed(
        "No active variant of this product matches the chosen spec options",
        "LineItem.VariantNotFound",
        {
            "ProductID": product["ID"],
            "Specs": [{"SpecID": s, "OptionID": o} for s, o in sorted(chosen, key=str)],
        },
    )


# --------------------------------------------------------------------------- building a line


def _writable(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in LINE_WRITABLE if k in body}


def _date_needed(value: str | None, date_added: str) -> str | None:
    """DateNeeded in OrderCloud's date format; it must fall after the line was added (a line
    echoed back by the SDK's Save keeps its DateAdded, so an accepted date stays accepted)."""
    if value is None:
        return None
    try:
        needed = parse_iso(value)
    except ValueError:
        raise ValidationFailed(
            f"DateNeeded is not a date: {value}", "ValidationFailure", {"Field": "DateNeeded"}
        ) from None
    if needed <= parse_iso(date_added):
        raise ValidationFailed(
            "DateNeeded must be later than the date the line item was added",
            "LineItem.DateNeededMustBeGreaterThanDateAdded",
            {"DateNeeded": iso(needed), "DateAdded": date_added},
        )
    return iso(needed)


def _unit_price_override(caller: Caller, data: dict[str, Any], existing: dict[str, Any] | None) -> bool:
    """Whether this write sets UnitPrice. Echoing the stored price back (the SDK's Save of a
    fetched line) is not an override; any other value needs OverrideUnitPrice."""
    if "UnitPrice" not in data or data["UnitPrice"] is None:
        return bool(existing and existing.get("PriceOverridden") and "UnitPrice" not in data)
    if existing is not None and data["UnitPrice"] == existing.get("UnitPrice"):
        return bool(existing.get("PriceOverridden"))
    if not caller.has("OverrideUnitPrice"):
        raise Forbidden(
            "Setting UnitPrice requires the OverrideUnitPrice role",
            "Auth.InsufficientRoles",
            {"SufficientRoles": ["OverrideUnitPrice"], "AssignedRoles": sorted(caller.roles)},
        )
    return True


async def _build(
    ctx: Unit,
    caller: Caller,
    order: dict[str, Any],
    data: dict[str, Any],
    existing: dict[str, Any] | None,
    now: datetime,
    *,
    also_kind: str | None = None,
) -> tuple[dict[str, Any], Offer, list[dict[str, Any]] | None]:
    """The line as `data` makes it (over `existing`), the offer it is priced by and, with
    `also_kind`, the order's documents of that kind, read with the offer (else None)."""
    validated: dict[str, Any] = to_doc(validate(data, LineItem))
    if validated["Quantity"] < 1:
        raise ValidationFailed(
            "Quantity must be greater than 0",
            "LineItem.QuantityMustBePositive",
            {"Quantity": validated["Quantity"]},
        )
    product_id = validated["ProductID"]
    if existing is not None and product_id != existing["ProductID"]:
        raise ValidationFailed(
            "A line item's ProductID cannot be changed; add another line instead",
            "LineItem.CannotChangeProductID",
            {"ProductID": existing["ProductID"], "NewProductID": product_id},
        )
    overridden = _unit_price_override(caller, data, existing)
    docs = ctx.docs
    marketplace = ctx.services.marketplace_id
    rows: list[dict[str, Any]] | None = None
    if also_kind is None:
        offer = await offer_for(docs, order, product_id, marketplace)
    else:
        offer, rows = await offer_and_rows(docs, order, product_id, marketplace, also_kind)
    # An order placed with a supplier holds only that supplier's products (docs/security-orders.md).
    if offer is None or (
        on_behalf.is_supplier_order(order, marketplace)
        and not on_behalf.sold_by(offer.product, order["ToCompanyID"])
    ):
        raise NotFound("Product", product_id)
    product = offer.product
    refuse_bundle_product(
        product, "A bundle is bought through its bundle line items", "LineItem.ProductIsBundle"
    )
    specs = await resolve_specs(docs, validated.get("Specs") or [])
    variant = await resolve_variant(docs, product, specs)
    if validated.get("InventoryRecordID") and not await docs.exists(
        "inventoryrecord", validated["InventoryRecordID"], product_id
    ):
        raise NotFound("InventoryRecord", validated["InventoryRecordID"])

    company = order["FromCompanyID"]
    ship_id = validated.get("ShippingAddressID")
    ship_to: dict[str, Any] | None
    if ship_id:
        try:
            ship_to = await addresses.saved_address(docs, company, ship_id, user=addresses.Use(caller, order))
        except NotFound:
            # A PATCH/PUT that keeps the line's address (say, the buyer's OrderAdmin changing the
            # Quantity of a line shipping to its user's private address) keeps its snapshot.
            kept = existing.get("ShippingAddress") if existing is not None else None
            if kept is None or existing is None or existing.get("ShippingAddressID") != ship_id:
                raise
            ship_to = kept
    elif existing is not None and existing.get("ShippingAddress") and not existing.get("ShippingAddressID"):
        ship_to = existing["ShippingAddress"]  # a one-time address set through .../shipto
    else:
        ship_to = order.get("_ShippingAddress")
        ship_id = order.get("ShippingAddressID")
    from_id = validated.get("ShipFromAddressID") or None
    ship_from = None
    if from_id:
        supplier = product.get("DefaultSupplierID") or ""
        # A supplier's address: company-owned, never personal.
        ship_from = await addresses.saved_address(docs, supplier, from_id, user=None)

    date_added = existing["DateAdded"] if existing else iso(now)
    line = {
        "ID": validated.get("ID") or (existing or {}).get("ID") or new_id(),
        "ProductID": product_id,
        "Quantity": validated["Quantity"],
        "BundleItemID": None,
        "IsBundle": False,
        "DateAdded": date_added,
        "QuantityShipped": existing.get("QuantityShipped", 0) if existing else 0,
        "UnitPrice": validated.get("UnitPrice")
        if overridden and "UnitPrice" in data
        else (existing or {}).get("UnitPrice"),
        "PromotionDiscount": (existing or {}).get("PromotionDiscount", 0) or 0,
        "LineTotal": None,
        "LineSubtotal": None,
        "CostCenter": validated.get("CostCenter"),
        "DateNeeded": _date_needed(validated.get("DateNeeded"), date_added),
        "ShippingAccount": validated.get("ShippingAccount"),
        "ShippingAddressID": ship_id,
        "ShipFromAddressID": from_id,
        "Product": {k: product.get(k) for k in PRODUCT_SNAPSHOT},
        "Variant": {k: variant.get(k) for k in VARIANT_SNAPSHOT} if variant else None,
        "ShippingAddress": ship_to,
        "ShipFromAddress": ship_from,
        "SupplierID": product.get("DefaultSupplierID"),
        "InventoryRecordID": validated.get("InventoryRecordID"),
        "PriceScheduleID": None,
        "IsOnSale": False,
        "PriceOverridden": overridden,
        "Specs": specs,
        # Links made by split/forward survive later edits of the line.
        "IncomingOrderID": (existing or {}).get("IncomingOrderID"),
        "OutgoingOrderID": (existing or {}).get("OutgoingOrderID"),
        # Set when a group order token adds the line (docs/group-orders.md); kept by later edits.
        "InvitationID": existing.get("InvitationID") if existing else group_access.invitation_of(caller),
        "xp": validated.get("xp"),
    }
    if existing is not None:
        # A line bought in a bundle stays in it through later edits.
        line.update({k: v for k, v in existing.items() if k == "BundleItemID" or k.startswith("_Bundle")})
    return line, offer, rows


async def _commit(
    ctx: Unit,
    order_stored: Stored,
    lines: list[dict[str, Any]],
    changed: dict[str, Any] | None,
    offer: Offer | None,
    product_id: str,
    now: datetime,
    *,
    inserted: bool = False,
    old_id: str | None = None,
) -> None:
    """Price, then write the touched lines and the order's new totals."""
    order = dict(order_stored.doc)
    schedule = offer.schedule if offer else None
    touched = (
        price_product_lines(lines, changed, product_id, schedule, now, order.get("Currency"))
        if offer is not None or changed is not None
        else []
    )
    docs = ctx.docs
    scope = order["ID"]
    for line in touched:
        if line is changed and inserted:
            # add_line checked the ID against the order's lines in this transaction.
            await docs.insert("lineitem", line, scope, object_type="LineItem", absent=True)
        elif line is changed and old_id is not None:
            await docs.replace(
                "lineitem", old_id, line, scope, new_id=line["ID"] if line["ID"] != old_id else None
            )
        else:
            await docs.replace("lineitem", line["ID"], line, scope)
    await settle(docs, order, lines, now=now)
    await _store_order(docs, order_stored, order, now)


async def _store_order(docs: Docs, order_stored: Stored, order: dict[str, Any], now: datetime) -> None:
    """Write the changed `order` over the version `order_stored` holds. The Stored then stands for
    what was written, so a further change in this request (the next line of a bundle) checks
    against this version, not the one first read."""
    order["LastUpdated"] = iso(now)
    await docs.replace("order", order["ID"], order, version=order_stored.version)
    order_stored.doc, order_stored.version = order, order_stored.version + 1


async def add_line(
    ctx: Unit,
    caller: Caller,
    order_stored: Stored,
    body: dict[str, Any],
    *,
    bundle: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Add one line. `bundle`: the fields linking it to a bundle it is bought in (BundleItemID
    and the private bundle keys, `services.bundle_lines`); the line is priced as any other."""
    order = order_stored.doc
    require_editable(order)
    data = _writable(body)
    if data.get("ID") not in (None, ""):
        check_id(data["ID"])
    now = utcnow()
    # The order's promotion rows come with the offer (one statement): `_add_alone` needs them.
    line, offer, promotion_rows = await _build(ctx, caller, order, data, None, now, also_kind=PROMOTION_KIND)
    if bundle is not None:
        line.update(bundle)
    docs = ctx.docs
    # A generated ID (128 random bits) is not looked up; one the caller chose is.
    if data.get("ID") and await docs.exists("lineitem", line["ID"], order["ID"]):
        raise Conflict(
            f"LineItem already exists: {line['ID']}",
            "IdExists",
            {"ObjectType": "LineItem", "ObjectID": line["ID"]},
        )
    if await _add_alone(ctx, caller, order_stored, line, offer, now, promotion_rows or []):
        return public(line)
    lines = await order_lines(docs, order["ID"])
    lines.append(line)
    await _commit(ctx, order_stored, lines, line, offer, line["ProductID"], now, inserted=True)
    await activities.line_changed(docs, order["ID"], LINE_ADDED, line, caller)
    return public(line)


async def _add_alone(
    ctx: Unit,
    caller: Caller,
    order_stored: Stored,
    line: dict[str, Any],
    offer: Offer | None,
    now: datetime,
    promotion_rows: list[dict[str, Any]],
) -> bool:
    """Add `line` touching only itself and the order's totals, without reading the order's other
    lines, when nothing on the order depends on them: a price schedule without cumulative
    quantities (the line is priced alone) and no promotion on the order (nothing to settle).
    The order's Subtotal and LineItemCount move by the line's; `refresh_totals` does the rest,
    as `_commit` would; the line goes in with its timeline entry (one statement). False: not
    such a case, nothing written (the caller takes `_commit`)."""
    order = dict(order_stored.doc)
    schedule = offer.schedule if offer else None
    if schedule is not None and schedule.use_cumulative_quantity:
        return False
    if to_decimal(order.get("PromotionDiscount") or 0) or not allows(order, Op.REPRICE):
        return False
    if promotion_rows:
        return False
    docs = ctx.docs
    scope = order["ID"]
    price_product_lines([line], line, line["ProductID"], schedule, now, order.get("Currency"))
    new_rows = [("lineitem", line, scope)]
    await activities.line_changed(docs, scope, LINE_ADDED, line, caller, with_rows=new_rows)
    order["Subtotal"] = to_decimal(order.get("Subtotal") or 0) + to_decimal(line["LineSubtotal"])
    order["LineItemCount"] = int(order.get("LineItemCount") or 0) + 1
    refresh_totals(order)
    order.pop(PRINT_KEY, None)  # as `settle` does for an order without promotions
    await _store_order(docs, order_stored, order, now)
    return True


async def find_line(ctx: Unit, order_id: str, line_id: str, caller: Caller | None = None) -> dict[str, Any]:
    found = await ctx.docs.get("lineitem", line_id, order_id)
    if found is None:
        raise NotFound("LineItem", line_id)
    if caller is not None:
        group_access.check_line_read(caller, found.doc)
    return found.doc


async def update_line(
    ctx: Unit, caller: Caller, order_stored: Stored, line_id: str, body: dict[str, Any], *, replace: bool
) -> tuple[dict[str, Any], bool]:
    """PUT (replace=True; creates the line when missing) or PATCH. Returns (line, created)."""
    order = order_stored.doc
    require_editable(order)
    lines = await order_lines(ctx.docs, order["ID"])
    current = next((line for line in lines if line["ID"] == line_id), None)
    if current is None:
        if not replace:
            raise NotFound("LineItem", line_id)
        return await add_line(ctx, caller, order_stored, {**body, "ID": body.get("ID") or line_id}), True
    group_access.check_line_write(caller, current)
    if replace:
        data = _writable(body)
    else:
        data = _writable(merge_patch(_writable(current), _writable(body)))
        if "UnitPrice" not in body:
            data.pop("UnitPrice", None)
    data["ID"] = id_or(data, line_id)
    if data["ID"] != line_id and any(line["ID"] == data["ID"] for line in lines):
        raise Conflict(
            f"LineItem already exists: {data['ID']}",
            "IdExists",
            {"ObjectType": "LineItem", "ObjectID": data["ID"]},
        )
    now = utcnow()
    line, offer, _ = await _build(ctx, caller, order, data, current, now)
    lines = [line if existing is current else existing for existing in lines]
    await _commit(ctx, order_stored, lines, line, offer, line["ProductID"], now, old_id=line_id)
    await activities.line_changed(ctx.docs, order["ID"], LINE_CHANGED, line, caller)
    return public(line), False


async def delete_line(ctx: Unit, order_stored: Stored, line_id: str, *, with_bundle: bool = False) -> None:
    """Remove a line (`with_bundle`: as part of removing its whole bundle)."""
    order = order_stored.doc
    require_editable(order)
    lines = await order_lines(ctx.docs, order["ID"])
    current = next((line for line in lines if line["ID"] == line_id), None)
    if current is None:
        raise NotFound("LineItem", line_id)
    group_access.check_line_write(await ctx.caller(), current)
    if not with_bundle:
        refuse_required_bundle_line(current)
    await ctx.docs.delete("lineitem", line_id, order["ID"])
    lines = [line for line in lines if line is not current]
    offer = None
    if any(line["ProductID"] == current["ProductID"] for line in lines):
        # Cumulative schedules price the remaining lines of the product by the new sum.
        offer = await offer_for(ctx.docs, order, current["ProductID"], ctx.services.marketplace_id)
        if offer is not None and (offer.schedule is None or not offer.schedule.use_cumulative_quantity):
            offer = None
    await _commit(ctx, order_stored, lines, None, offer, current["ProductID"], utcnow())
    await activities.line_changed(ctx.docs, order["ID"], LINE_REMOVED, current, await ctx.caller())


def refuse_required_bundle_line(line: dict[str, Any]) -> None:
    """A line a bundle requires goes only with its bundle (DELETE .../bundles/{id}/{itemID});
    an optional product of a bundle may be removed alone."""
    if line.get("BundleItemID") and line.get("_BundleRequired"):
        raise ValidationFailed(
            "This line is a required item of a bundle; remove the bundle instead",
            "LineItem.CannotRemoveRequiredBundleItem",
            {"LineItemID": line["ID"], "BundleItemID": line["BundleItemID"]},
        )


async def set_line_shipto(
    ctx: Unit, caller: Caller, order_stored: Stored, line_id: str, body: dict[str, Any], *, patch: bool
) -> dict[str, Any]:
    order = order_stored.doc
    require_editable(order)
    line = dict(await find_line(ctx, order["ID"], line_id))
    company = order["FromCompanyID"]
    if patch:
        if line.get("ShippingAddress") is None:
            raise ValidationFailed(
                "The line item has no shipping address to patch",
                "LineItem.CannotPatchShippingAddressIfMissing",
                {"LineItemID": line_id},
            )
        line["ShippingAddress"] = addresses.patched(
            line["ShippingAddress"], bool(line.get("ShippingAddressID")), body, "ShippingAddress"
        )
    else:
        line["ShippingAddressID"], line["ShippingAddress"] = await addresses.resolve(
            ctx.docs, company, body, user=addresses.Use(caller, order)
        )
    await ctx.docs.replace("lineitem", line_id, line, order["ID"])
    await _sync_order_shipping_id(ctx, order_stored)
    return public(line)


async def _sync_order_shipping_id(ctx: Unit, order_stored: Stored) -> None:
    """Order.ShippingAddressID is the lines' common saved address, null when they differ."""
    order = dict(order_stored.doc)
    lines = await order_lines(ctx.docs, order["ID"])
    ids = {line.get("ShippingAddressID") for line in lines}
    common = ids.pop() if len(ids) == 1 else None
    if common != order.get("ShippingAddressID"):
        order["ShippingAddressID"] = common
        await _store_order(ctx.docs, order_stored, order, utcnow())
