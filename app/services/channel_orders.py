"""Imported orders made real (docs/channels.md, "Imported orders as OrderCloud orders").

An order imported with `?asOrder=true` (or into a channel whose settings say `AsOrder`) becomes an
OrderCloud order Incoming to the marketplace: its customer is a buyer user of the channel's
configured buyer company (found by email, or created there), its lines are the catalog products
the channel's SKU map names, stock is reserved as a submit reserves it, and it enters submitted
(Open, or Completed when the channel says it is done) with the channel's payments recorded. From
there it is forwarded, shipped, completed and returned like any other order. The order's ID is the
common shape's ID (`shopify-450789469`) and its projection keeps the channel's name (see
`app.services.unified_orders.project`), so the common list holds it once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.auth.tokens import Caller
from app.auth.users import username_key
from app.services import activities, reservations, unified_orders
from app.services.lineitems import PRODUCT_SNAPSHOT, VARIANT_SNAPSHOT, order_lines
from app.store.repo import Docs, Stored
from app.store.tables import resources
from app.wire import new_id
from domain import order_status
from domain.clock import iso, utcnow
from domain.errors import Conflict, NotFound, ValidationFailed
from domain.order_status import OrderAggregate
from domain.orders import new_order_doc, order_user
from domain.payments import FULLY_REFUNDED, PARTIALLY_REFUNDED, from_financial_status
from domain.pricing import line_total
from integrations.channels.common import CANCELED, FULFILLED, RETURNED, unified_id
from integrations.outbound import require_url

SETTINGS_KIND = "channelsetting"
SKU_KIND = "channelsku"
CHANNEL_KEY = unified_orders.CHANNEL_KEY
PAYMENT_PREFIX = "channel-"


# --------------------------------------------------------------------------- settings and SKU map


# Settings only BigCommerce has: its webhooks carry no order, so ordercore calls its API back.
CALLBACK_CHANNEL = "bigcommerce"
CALLBACK_FIELDS = ("ApiUrl", "ApiToken", "WebhookHeader")
# The custom header a BigCommerce webhook carries its secret in when the seller names none.
DEFAULT_WEBHOOK_HEADER = "X-Webhook-Secret"


async def settings(docs: Docs, channel: str) -> dict[str, Any]:
    found = await docs.get(SETTINGS_KIND, channel)
    base = {"Channel": channel, "AsOrder": False, "BuyerID": None, "WebhookSecret": None}
    return {**base, **found.doc} if found else base


def webhook_header(doc: dict[str, Any]) -> str:
    return str(doc.get("WebhookHeader") or DEFAULT_WEBHOOK_HEADER)


def public_settings(doc: dict[str, Any]) -> dict[str, Any]:
    """Secrets never leave: the answer says whether one is set."""
    shown = {
        "Channel": doc["Channel"],
        "AsOrder": bool(doc.get("AsOrder")),
        "BuyerID": doc.get("BuyerID"),
        "WebhookSecretSet": bool(doc.get("WebhookSecret")),
    }
    if doc["Channel"] == CALLBACK_CHANNEL:
        shown.update(
            ApiUrl=doc.get("ApiUrl"),
            ApiTokenSet=bool(doc.get("ApiToken")),
            WebhookHeader=webhook_header(doc),
        )
    return shown


async def save_settings(
    docs: Docs, channel: str, data: dict[str, Any], *, allow_private: bool
) -> dict[str, Any]:
    """PUT semantics, except that an absent WebhookSecret (or ApiToken) keeps the stored one."""
    if channel != CALLBACK_CHANNEL:
        for name in CALLBACK_FIELDS:
            if data.get(name) is not None:
                raise ValidationFailed(
                    f"{name} is a setting of the {CALLBACK_CHANNEL} channel only",
                    "ValidationFailure",
                    {"Field": name},
                )
    if data.get("ApiUrl") is not None:
        require_url(data["ApiUrl"], "ApiUrl", allow_private=allow_private)
    current = await docs.get(SETTINGS_KIND, channel, lock=True)
    if data.get("BuyerID") and not await docs.exists("buyer", data["BuyerID"]):
        raise NotFound("Buyer", data["BuyerID"])
    kept = current.doc if current else {}
    doc = {
        "ID": channel,
        "Channel": channel,
        "AsOrder": bool(data.get("AsOrder")),
        "BuyerID": data.get("BuyerID"),
        "WebhookSecret": data.get("WebhookSecret") or kept.get("WebhookSecret"),
    }
    if channel == CALLBACK_CHANNEL:
        doc.update(
            ApiUrl=data.get("ApiUrl"),
            ApiToken=data.get("ApiToken") or kept.get("ApiToken"),
            WebhookHeader=data.get("WebhookHeader"),
        )
    if current is None:
        await docs.insert(SETTINGS_KIND, doc, object_type="ChannelSettings")
    else:
        await docs.replace(SETTINGS_KIND, channel, doc, version=current.version)
    return public_settings(doc)


async def put_mappings(docs: Docs, channel: str, mappings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Insert or replace SKU map entries (one, or a bulk upload); the products must exist."""
    product_ids = sorted({m["ProductID"] for m in mappings})
    found = {d["ID"] for d in await docs.all("product", resources.c.id.in_(product_ids), scope="")}
    for mapping in mappings:
        if mapping["ProductID"] not in found:
            raise NotFound("Product", mapping["ProductID"])
        variant = mapping.get("VariantID")
        if variant and not await docs.exists("variant", variant, mapping["ProductID"]):
            raise NotFound("Variant", variant)
    saved = []
    for mapping in mappings:
        doc = {
            "ID": mapping["SKU"],
            "SKU": mapping["SKU"],
            "ProductID": mapping["ProductID"],
            "VariantID": mapping.get("VariantID"),
        }
        current = await docs.get(SKU_KIND, doc["ID"], channel, lock=True)
        if current is None:
            await docs.insert(SKU_KIND, doc, channel, object_type="SkuMapping")
        else:
            await docs.replace(SKU_KIND, current.doc["ID"], doc, channel, version=current.version)
        saved.append(doc)
    return saved


async def mapping(docs: Docs, channel: str, sku: str) -> dict[str, Any]:
    found = await docs.get(SKU_KIND, sku, channel)
    if found is None:
        raise NotFound("SkuMapping", sku)
    return found.doc


async def delete_mapping(docs: Docs, channel: str, sku: str) -> None:
    if not await docs.delete(SKU_KIND, sku, channel):
        raise NotFound("SkuMapping", sku)


# --------------------------------------------------------------------------- import as an order


# Common-shape fields only the channel knows: kept on the order, shown by its projection.
CHANNEL_FIELDS = (
    "OrderNumber",
    "RemoteDeleted",
    "ShippingMethod",
    "TrackingNumbers",
    "PaymentGateway",
    "TransactionID",
)


def _source(unified: dict[str, Any]) -> dict[str, Any]:
    fields = {k: unified.get(k) for k in CHANNEL_FIELDS if k in unified}
    return {"Channel": unified["Channel"], "ExternalID": unified["ExternalID"], "Fields": fields}


def wanted(query_value: str | None, channel_settings: dict[str, Any]) -> bool:
    if query_value is not None and query_value != "":
        return query_value.lower() == "true"
    return bool(channel_settings.get("AsOrder"))


async def find(docs: Docs, channel: str, external_id: str, *, lock: bool = False) -> Stored | None:
    found = await docs.get("order", unified_id(channel, external_id), lock=lock)
    if found is None or (found.doc.get(CHANNEL_KEY) or {}).get("Channel") != channel:
        return None
    return found


async def _customer(docs: Docs, buyer_id: str, unified: dict[str, Any]) -> dict[str, Any]:
    """The buyer user with the customer's email in the channel's buyer company, else a new one
    there. Users of other companies are never used, even with the same email."""
    customer = unified.get("Customer") or {}
    email = customer.get("Email")
    if not email:
        raise ValidationFailed(
            "An imported order needs the customer's email to find or create its buyer user",
            "Channels.CustomerEmailRequired",
            {"Channel": unified["Channel"], "ExternalID": unified["ExternalID"]},
        )
    same = await docs.all("user", *docs.eq(Email=email), scope=buyer_id, limit=1)
    if same:
        return same[0]
    if await docs.by_uniq(username_key(email)) is not None:
        raise Conflict(
            f"The username {email} is taken by a user outside buyer {buyer_id}",
            "Channels.CustomerUsernameTaken",
            {"Username": email, "BuyerID": buyer_id},
        )
    user = {
        "ID": new_id(),
        "CompanyID": buyer_id,
        "Username": email,
        "Password": None,
        "FirstName": customer.get("FirstName") or "",
        "LastName": customer.get("LastName") or "",
        "Email": email,
        "Phone": customer.get("Phone"),
        "TermsAccepted": None,
        "Active": True,
        "xp": {"Channel": unified["Channel"], "ChannelCustomerID": customer.get("ID")},
        "AvailableRoles": None,
        "Locale": None,
        "DateCreated": iso(utcnow()),
        "LastActive": None,
        "PasswordLastSetDate": None,
        "FailedLoginAttempts": None,
    }
    await docs.insert("user", user, buyer_id, uniq=username_key(email), object_type="User")
    return user


async def _mapped(
    docs: Docs, channel: str, unified: dict[str, Any]
) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    """Each channel line with its SKU map entry (by SKU, else by the channel's product/variant
    ID). The first unmapped line refuses the import."""
    result = []
    for line in unified["LineItems"]:
        entry = None
        for key in (line.get("SKU"), line.get("ProductID")):
            if key and (found := await docs.get(SKU_KIND, str(key), channel)) is not None:
                entry = found.doc
                break
        if entry is None:
            raise ValidationFailed(
                f"Line {line['ID']} (SKU {line.get('SKU')}) has no entry in the {channel} SKU map",
                "Channels.UnmappedLine",
                {
                    "Channel": channel,
                    "LineID": line["ID"],
                    "SKU": line.get("SKU"),
                    "ChannelProductID": line.get("ProductID"),
                },
            )
        result.append((line, entry))
    return result


def _line_doc(
    line: dict[str, Any],
    entry: dict[str, Any],
    product: dict[str, Any],
    variant: dict[str, Any] | None,
    address: dict[str, Any] | None,
    now: str,
) -> dict[str, Any]:
    subtotal = Decimal(line["Subtotal"])
    discount = Decimal(line["Discount"])
    return {
        "ID": line["ID"],
        "ProductID": entry["ProductID"],
        "Quantity": line["Quantity"],
        "BundleItemID": None,
        "IsBundle": False,
        "DateAdded": now,
        "QuantityShipped": 0,
        "UnitPrice": line["UnitPrice"],
        "PromotionDiscount": discount,
        "LineTotal": line_total(subtotal, discount),
        "LineSubtotal": subtotal,
        "CostCenter": None,
        "DateNeeded": None,
        "ShippingAccount": None,
        "ShippingAddressID": None,
        "ShipFromAddressID": None,
        "Product": {k: product.get(k) for k in PRODUCT_SNAPSHOT},
        "Variant": {k: variant.get(k) for k in VARIANT_SNAPSHOT} if variant else None,
        "ShippingAddress": address,
        "ShipFromAddress": None,
        "SupplierID": product.get("DefaultSupplierID"),
        "InventoryRecordID": None,
        "PriceScheduleID": None,
        "IsOnSale": False,
        "PriceOverridden": True,
        "Specs": [],
        "IncomingOrderID": None,
        "OutgoingOrderID": None,
        "InvitationID": None,
        "xp": {"ChannelSKU": line.get("SKU"), "ChannelTax": line.get("Tax")},
    }


def _payments(unified: dict[str, Any], total: Decimal, now: str) -> list[dict[str, Any]]:
    """The channel's money as OrderCloud payments: what the channel collected (accepted; or
    awaiting when it is only pending or authorized) and, when refunded, the refund."""
    status = from_financial_status(unified.get("FinancialStatus"))
    financial = (unified.get("FinancialStatus") or "").lower()
    xp = unified.get("xp") or {}

    def payment(suffix: str, amount: Decimal, accepted: bool, description: str) -> dict[str, Any]:
        return {
            "ID": f"{PAYMENT_PREFIX}{suffix}",
            "Type": "PurchaseOrder",
            "DateCreated": now,
            "CreditCardID": None,
            "SpendingAccountID": None,
            "Description": description,
            "Currency": unified.get("Currency"),
            "Amount": amount,
            "Accepted": accepted,
            "OrderReturnID": None,
            "xp": {"Channel": unified["Channel"], "Gateway": xp.get("PaymentMethod")},
            "Transactions": [],
        }

    if financial == "voided" or status == "NOT_PAID":
        return []
    if financial in ("pending", "authorized"):
        return [payment("paid", total, False, f"Awaiting payment in {unified['Channel']}")]
    paid = [payment("paid", total, True, f"Paid in {unified['Channel']}")]
    if status == FULLY_REFUNDED:
        paid.append(payment("refund", -total, True, f"Refunded in {unified['Channel']}"))
    elif status == PARTIALLY_REFUNDED and xp.get("Refunded"):
        paid.append(
            payment("refund", -Decimal(str(xp["Refunded"])), True, f"Refunded in {unified['Channel']}")
        )
    return paid


async def _sync_payments(docs: Docs, order: dict[str, Any], unified: dict[str, Any]) -> list[dict[str, Any]]:
    wanted_payments = {p["ID"]: p for p in _payments(unified, Decimal(order["Total"]), iso(utcnow()))}
    current = {p["ID"]: p for p in await docs.all("payment", scope=order["ID"])}
    for payment_id in current:
        if payment_id.startswith(PAYMENT_PREFIX) and payment_id not in wanted_payments:
            await docs.delete("payment", payment_id, order["ID"])
    for payment in wanted_payments.values():
        existing = current.get(payment["ID"])
        if existing is not None:
            payment["DateCreated"] = existing.get("DateCreated")
            await docs.replace("payment", payment["ID"], payment, order["ID"])
        else:
            await docs.insert("payment", payment, order["ID"], object_type="Payment")
    return await docs.all("payment", scope=order["ID"])


async def create(
    docs: Docs,
    caller: Caller | None,
    channel: str,
    unified: dict[str, Any],
    buyer_id: str | None,
    marketplace: str,
) -> dict[str, Any]:
    """The imported order as a submitted OrderCloud order (nothing is written when it is refused)."""
    if not buyer_id:
        raise ValidationFailed(
            f"Set the buyer company of channel {channel} (PUT /v1/channels/{channel}/settings BuyerID) "
            "to import its orders as orders",
            "Channels.BuyerNotConfigured",
            {"Channel": channel},
        )
    if not await docs.exists("buyer", buyer_id):
        raise NotFound("Buyer", buyer_id)
    mapped = await _mapped(docs, channel, unified)
    product_ids = sorted({entry["ProductID"] for _, entry in mapped})
    products = {
        s.doc["ID"]: s.doc
        for s in await docs.all_stored("product", resources.c.id.in_(product_ids), scope="", lock=True)
    }
    for line, entry in mapped:
        if entry["ProductID"] not in products:
            raise ValidationFailed(
                f"Line {line['ID']} maps to product {entry['ProductID']}, which does not exist",
                "Channels.MappedProductNotFound",
                {"Channel": channel, "LineID": line["ID"], "ProductID": entry["ProductID"]},
            )
    user = await _customer(docs, buyer_id, unified)
    now_dt = utcnow()
    now = iso(now_dt)
    order = new_order_doc(
        order_id=unified["ID"],
        from_company_id=buyer_id,
        to_company_id=marketplace,
        now=now_dt,
        from_user=order_user(user, buyer_id),
        billing_address=unified.get("BillingAddress"),
        currency=unified.get("Currency"),
        xp=unified.get("xp"),
    )
    order[CHANNEL_KEY] = _source(unified)
    order["_ShippingAddress"] = unified.get("ShippingAddress")
    lines = []
    for line, entry in mapped:
        variant = None
        if entry.get("VariantID"):
            found = await docs.get("variant", entry["VariantID"], entry["ProductID"])
            variant = found.doc if found else None
        lines.append(
            _line_doc(line, entry, products[entry["ProductID"]], variant, unified.get("ShippingAddress"), now)
        )
    real = OrderAggregate.load(order)
    real.line_item_count = len(lines)
    real.subtotal = sum((Decimal(line["LineSubtotal"]) for line in lines), Decimal(0))
    real.promotion_discount = Decimal(unified["Discount"])
    real.shipping_cost = Decimal(unified["Shipping"])
    real.tax_cost = Decimal(unified["Tax"])
    real.total = Decimal(unified["Total"])  # the channel's total (tips, duties, fees included)
    if unified["Status"] == CANCELED:
        real.transition("submit", now=now_dt)
        real.transition("cancel", now=now_dt, may_cancel_open=True)
    else:
        taken = await reservations.take(
            docs, reservations.demand(lines, products), products, now_dt, dry_run=False
        )
        real.transition("submit", now=now_dt)
        real.took(taken, real.books.debits)
        if unified["Status"] in (FULFILLED, RETURNED):
            real.transition("complete", now=now_dt)
    order = real.dump()
    await docs.insert("order", order, object_type="Order")
    for line in lines:
        await docs.insert("lineitem", line, order["ID"], object_type="LineItem")
    await activities.order_created(docs, order, caller)
    payments = await _sync_payments(docs, order, unified)
    await unified_orders.project(docs, order, lines=lines, payments=payments)
    return order


async def update(docs: Docs, stored: Stored, unified: dict[str, Any]) -> dict[str, Any]:
    """A newer state of an order already made real: cancellation (stock goes back), completion,
    addresses and payments follow the channel; lines stay as imported (they are being fulfilled)."""
    real = OrderAggregate.load(stored.doc)
    now = utcnow()
    if unified["Status"] == CANCELED and real.status != order_status.CANCELED:
        was_open = real.is_open()
        real.transition("cancel", now=now, may_cancel_open=True)
        if was_open:
            await reservations.give_back(docs, real.books.reserved, now)
            real.settle_books()
    elif unified["Status"] in (FULFILLED, RETURNED) and real.can("complete"):
        real.transition("complete", now=now)
    order = real.dump()
    order["BillingAddress"] = unified.get("BillingAddress")
    address = unified.get("ShippingAddress")
    if address != order.get("_ShippingAddress"):
        order["_ShippingAddress"] = address
        for line in await order_lines(docs, order["ID"]):
            await docs.replace("lineitem", line["ID"], {**line, "ShippingAddress": address}, order["ID"])
    order["xp"] = unified.get("xp")
    order[CHANNEL_KEY] = _source(unified)
    order["LastUpdated"] = iso(now)
    await docs.replace("order", order["ID"], order, version=stored.version)
    await activities.order_changed(docs, stored.doc, order, None)
    payments = await _sync_payments(docs, order, unified)
    await unified_orders.project(docs, order, payments=payments)
    return order
