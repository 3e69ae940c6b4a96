"""The seller console's pages and actions under /console (docs/console.md).

Pages are rendered on the server (Jinja2) and enhanced with htmx (vendored, `hx-boost`); every
read and every action is an API operation run in process for the signed-in user
(`app.console.api.call`), so roles, scoping, transactions and webhooks are the API's own."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from importlib import resources as package_files
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Request, Response, get, post
from litestar.response import Redirect
from sqlalchemy.ext.asyncio import AsyncConnection

from app.auth.tokens import Caller
from app.console import charts, session, stats
from app.console.api import call, check_operations, reading
from app.console.timeline import order_timeline
from app.routes.access import seller_only
from app.webhooks import store as outbox_store
from app.webhooks.deliveries import delivery_wire
from domain.clock import iso, utcnow
from domain.errors import DomainError, Forbidden, NotFound, Unauthorized, ValidationFailed

HERE = Path(__file__).resolve().parent
TEMPLATES = Environment(
    loader=FileSystemLoader(str(HERE / "templates")),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)
STATIC_TYPES = {
    "htmx.min.js": "text/javascript; charset=utf-8",
    "console.css": "text/css; charset=utf-8",
    "htmx.LICENSE": "text/plain; charset=utf-8",
}
# default-src 'self' and nothing inline: no inline script, no inline style, no eval (htmx is
# configured through a <meta> tag with allowEval off), no framing, forms post only here.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
ORDER_STATUSES = ("Open", "AwaitingApproval", "Completed", "Canceled", "Declined", "Unsubmitted")
DIRECTIONS = ("Incoming", "Outgoing", "All")
PAGE_SIZE = 20
DEFAULT_STATUS = "Open"
# The console's own query keys on the orders page; every other key is an OrderCloud list filter.
ORDER_PAGE_KEYS = frozenset({"direction", "filter", "page", "search", "sortBy", "Status"})
OPERATIONS_USED = (
    "GET /orders/{direction}",
    "GET /orders/{direction}/{orderID}",
    "GET /orders/{direction}/{orderID}/lineitems",
    "GET /orders/{direction}/{orderID}/payments",
    "GET /orders/{direction}/{orderID}/shipments",
    "GET /orders/{direction}/{orderID}/approvals",
    "GET /orderreturns",
    "POST /orders/{direction}/{orderID}/approve",
    "POST /orders/{direction}/{orderID}/decline",
    "POST /orders/{direction}/{orderID}/forward",
    "POST /orders/{direction}/{orderID}/cancel",
    "POST /orders/{direction}/{orderID}/complete",
    "POST /orders/{direction}/{orderID}/ship",
    "POST /shipments",
    "POST /shipments/{shipmentID}/items",
    "DELETE /shipments/{shipmentID}",
    "POST /orderreturns/{returnID}/approve",
    "POST /orderreturns/{returnID}/complete",
    "GET /webhooks",
    "POST /webhooks/{webhookID}/deliveries/{deliveryID}/retry",
    "GET /integrationEvents",
    "GET /products",
    "GET /priceschedules",
)


# --------------------------------------------------------------------------- rendering


def _money(value: Any) -> str:
    if value is None or value == "":
        return "-"
    try:
        return f"{Decimal(str(value)):,.2f}"
    except InvalidOperation:
        return str(value)


def _when(value: Any) -> str:
    if not value:
        return "-"
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        return text
    return moment.strftime("%Y-%m-%d %H:%M UTC")


TEMPLATES.filters["money"] = _money
TEMPLATES.filters["when"] = _when


def _secure(response: Response[Any]) -> Response[Any]:
    response.headers.update(SECURITY_HEADERS)
    return response


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: Mapping[str, Any],
    *,
    status: int = 200,
    caller: Any = None,
) -> Response[str]:
    csrf, new = session.csrf_token(request)
    flash = request.cookies.get(session.FLASH_COOKIE, "")
    kind, _, message = flash.partition(":")
    html = TEMPLATES.get_template(template).render(
        csrf=csrf,
        csrf_field=session.CSRF_FIELD,
        caller=caller,
        flash={"kind": kind, "message": message} if message else None,
        path=request.url.path,
        **context,
    )
    response: Response[str] = Response(html, status_code=status, media_type="text/html; charset=utf-8")
    if new:
        session.set_cookie(response, request, session.CSRF_COOKIE, csrf, None)
    if flash:
        session.clear_cookie(response, request, session.FLASH_COOKIE)
    return _secure(response)


def redirect(request: Request[Any, Any, Any], to: str, flash: tuple[str, str] | None = None) -> Response[Any]:
    response: Response[Any] = Redirect(to, status_code=303)
    if flash:
        kind, message = flash
        # Cookie values are kept to printable ASCII without separators.
        safe = "".join(c if c.isprintable() and c not in ';,"\\' else " " for c in message)[:300]
        session.set_cookie(response, request, session.FLASH_COOKIE, f"{kind}:{safe}", 60)
    return _secure(response)


def refused(request: Request[Any, Any, Any], exc: DomainError) -> Response[Any]:
    """A session that is missing or invalid goes to sign-in; a user the console is not for (or
    without the roles for this page) sees why."""
    if isinstance(exc, Unauthorized):
        response = redirect(request, "/console/login")
        session.clear_cookie(response, request, session.SESSION_COOKIE)
        return response
    return render(request, "refused.html", {"message": exc.message, "code": exc.code}, status=exc.status)


async def form_of(request: Request[Any, Any, Any]) -> dict[str, str]:
    data = await request.form()
    form = {str(k): str(v) for k, v in data.items()}
    session.check_csrf(request, form)
    return form


# --------------------------------------------------------------------------- sign-in


@get("/console/login", include_in_schema=False)
async def login_page(request: Request[Any, Any, Any]) -> Response[Any]:
    return render(request, "login.html", {"error": None, "username": ""})


@post("/console/login", include_in_schema=False, status_code=200)
async def login(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        form = await form_of(request)
    except Forbidden as exc:
        return render(request, "login.html", {"error": exc.message, "username": ""}, status=403)
    username = form.get("username", "").strip()
    try:
        token, lifetime = await session.sign_in(request, username, form.get("password", ""))
    except (DomainError, ValueError) as exc:
        problem = session.sign_in_problem(exc)
        return render(
            request, "login.html", {"error": problem.message, "username": username}, status=problem.status
        )
    response = redirect(request, "/console/")
    session.set_cookie(response, request, session.SESSION_COOKIE, token, lifetime)
    # A fresh CSRF token for the new session.
    session.set_cookie(response, request, session.CSRF_COOKIE, session.new_csrf_token(), None)
    return response


@post("/console/logout", include_in_schema=False, status_code=200)
async def logout(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        await form_of(request)
    except Forbidden as exc:
        return refused(request, exc)
    response = redirect(request, "/console/login", ("notice", "Signed out."))
    session.clear_cookie(response, request, session.SESSION_COOKIE)
    session.clear_cookie(response, request, session.CSRF_COOKIE)
    return response


# --------------------------------------------------------------------------- dashboard


@get("/console", include_in_schema=False)
async def dashboard(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        _, caller = await session.session_caller(request)
        async with reading(request, caller, "console/dashboard") as ctx:
            orders = await stats.order_figures(ctx)
            hooks = await stats.webhook_figures(ctx)
    except DomainError as exc:
        return refused(request, exc)
    day_bars = [
        charts.Bar(
            d.strftime("%m-%d"),
            orders.orders.get(d, 0),
            "bar",
            f"{d.isoformat()}: {orders.orders.get(d, 0)} orders",
        )
        for d in orders.days
    ]
    revenue_bars = [
        charts.Bar(
            d.strftime("%m-%d"),
            orders.revenue.get(d, Decimal(0)),
            "bar revenue",
            f"{d.isoformat()}: {_money(orders.revenue.get(d, Decimal(0)))}",
        )
        for d in orders.days
    ]
    status_bars = [
        charts.Bar(s, n, f"bar status-{s.lower()}")
        for s, n in sorted(orders.by_status.items(), key=lambda x: -x[1])
    ]
    hook_rows = []
    if hooks is not None:
        for webhook, counts in hooks.by_webhook.items():
            segments = [
                ("delivered", counts.get("Delivered", 0)),
                ("failed", counts.get("Failed", 0)),
                ("pending", counts.get("Pending", 0)),
            ]
            hook_rows.append((webhook, segments))
    context = {
        "orders": orders,
        "total_orders": sum(orders.orders.values()),
        "total_revenue": sum(orders.revenue.values(), Decimal(0)),
        "orders_chart": charts.column_chart("Orders submitted per day, last 30 days", day_bars, every=5),
        "revenue_chart": charts.column_chart("Revenue per day, last 30 days", revenue_bars, every=5),
        "status_chart": charts.bar_chart("Incoming orders by status", status_bars),
        "hooks": hooks,
        "hooks_chart": charts.stacked_bars("Webhook deliveries by status, last 30 days", hook_rows)
        if hook_rows
        else None,
        "success_rate": None
        if hooks is None or hooks.success_rate is None
        else round(100 * hooks.success_rate),
    }
    return render(request, "dashboard.html", context, caller=caller)


# --------------------------------------------------------------------------- orders


def _order_query(params: Mapping[str, str]) -> list[tuple[str, str]]:
    """The API list query for the orders page: Status, search, page, sort, the free-form filter
    box (`Key=value` pairs, OrderCloud's operators) and any other key as a filter."""
    query: list[tuple[str, str]] = [("pageSize", str(PAGE_SIZE))]
    for key in ("search", "page", "sortBy"):
        if params.get(key):
            query.append((key, params[key]))
    # Open orders by default (the work queue, read straight off the list index); an empty
    # Status (the form's "Any submitted") lists every submitted order.
    status = params.get("Status", DEFAULT_STATUS)
    if status:
        query.append(("Status", status))
    if not params.get("sortBy"):
        query.append(("sortBy", "!DateSubmitted"))
    for part in params.get("filter", "").replace("&", " ").split():
        key, sep, value = part.partition("=")
        if not sep or not key:
            raise ValidationFailed(
                f"Filters are Key=value pairs: {part!r}", "ValidationFailure", {"Field": "filter"}
            )
        query.append((key, value))
    for key, value in params.items():
        if key not in ORDER_PAGE_KEYS and value:
            query.append((key, value))
    return query


def _path(request: Request[Any, Any, Any], *names: str) -> tuple[str, ...]:
    return tuple(str(request.path_params[n]) for n in names)


def _direction(value: str | None) -> str:
    found = next((d for d in DIRECTIONS if d.lower() == (value or "").lower()), None)
    return found or "Incoming"


@get("/console/orders", include_in_schema=False)
async def orders_page(request: Request[Any, Any, Any]) -> Response[Any]:
    try:
        _, caller = await session.session_caller(request)
    except DomainError as exc:
        return refused(request, exc)
    params = {k: str(v) for k, v in request.query_params.items()}
    direction = _direction(params.get("direction"))
    error = None
    page: dict[str, Any] = {"Items": [], "Meta": {"Page": 1, "TotalPages": 0, "TotalCount": 0}}
    try:
        page = await call(
            request,
            caller,
            "GET /orders/{direction}",
            path_params={"direction": direction},
            query=_order_query(params),
        )
    except (Unauthorized, Forbidden) as exc:
        return refused(request, exc)
    except DomainError as exc:
        error = exc.message
    meta = page.get("Meta") or {}
    current = int(meta.get("Page") or 1)

    def page_link(n: int) -> str:
        kept = {k: v for k, v in params.items() if k != "page" and v}
        return "/console/orders?" + urlencode({**kept, "page": str(n)})

    context = {
        "orders": page.get("Items") or [],
        "meta": meta,
        "params": params,
        "direction": direction,
        "directions": DIRECTIONS,
        "statuses": ORDER_STATUSES,
        "status": params.get("Status", DEFAULT_STATUS),
        "error": error,
        "prev_link": page_link(current - 1) if current > 1 else None,
        "next_link": page_link(current + 1) if current < int(meta.get("TotalPages") or 0) else None,
    }
    return render(request, "orders.html", context, status=400 if error else 200, caller=caller)


async def _optional(request: Request[Any, Any, Any], caller: Caller, operation: str, **kw: Any) -> Any:
    """A section of a page the user may lack the roles for: None instead of a refusal."""
    try:
        return await call(request, caller, operation, **kw)
    except (Forbidden, NotFound):
        return None


async def _order_deliveries(
    request: Request[Any, Any, Any], caller: Caller, order_id: str, conn: AsyncConnection
) -> list[dict[str, Any]] | None:
    """Webhook deliveries about the order (the delivery log's ordering key), for users who may
    read the delivery log (`GET /webhooks/{id}/deliveries`' roles)."""
    async with reading(request, caller, "console/order-deliveries", conn) as ctx:
        reader = await ctx.caller()
        if not reader.has(*stats.WEBHOOK_READ_ROLES):
            return None
        await seller_only(ctx, reader)
        rows = await outbox_store.recent(ctx.conn, limit=50, ordering_key=order_id)
        logs = await outbox_store.attempts_of(ctx.conn, [r.delivery_id for r in rows])
    return [delivery_wire(r, logs[r.delivery_id], with_payload=False) for r in rows]


@get("/console/orders/{direction:str}/{order_id:str}", include_in_schema=False)
async def order_page(request: Request[Any, Any, Any]) -> Response[Any]:
    direction, order_id = _path(request, "direction", "order_id")
    services = request.app.state.services
    many = [("pageSize", "100")]
    try:
        _, caller = await session.session_caller(request)
        direction = _direction(direction)
        at = {"direction": direction, "orderID": order_id}
        # One connection for every read of the page.
        async with services.db.reader() as conn:
            order = await call(
                request, caller, "GET /orders/{direction}/{orderID}", path_params=at, reader=conn
            )
            sections = {}
            for name in ("lineitems", "payments", "shipments", "approvals", "activities"):
                sections[name] = await _optional(
                    request,
                    caller,
                    f"GET /orders/{{direction}}/{{orderID}}/{name}",
                    path_params=at,
                    query=many,
                    reader=conn,
                )
            returns = await _optional(
                request, caller, "GET /orderreturns", query=[*many, ("OrderID", order["ID"])], reader=conn
            )
            deliveries = await _order_deliveries(request, caller, order["ID"], conn)
    except DomainError as exc:
        return refused(request, exc)
    lines, payments, shipments, approvals = (
        sections[n] for n in ("lineitems", "payments", "shipments", "approvals")
    )

    def items(page: Any) -> list[dict[str, Any]]:
        return list(page.get("Items") or []) if page else []

    timeline = order_timeline(
        order,
        activities=items(sections["activities"]),
        approvals=items(approvals),
        shipments=items(shipments),
        returns=items(returns),
        deliveries=deliveries or [],
    )
    context = {
        "order": order,
        "direction": direction,
        "lines": items(lines),
        "payments": items(payments),
        "shipments": items(shipments),
        "approvals": items(approvals),
        "returns": items(returns),
        "deliveries": deliveries,
        "timeline": timeline,
        "base": f"/console/orders/{direction}/{order['ID']}",
    }
    return render(request, "order.html", context, caller=caller)


def _quantity(raw: str, field: str) -> int:
    try:
        value = int(raw or "0")
    except ValueError:
        raise ValidationFailed(
            f"{field} must be a whole number", "ValidationFailure", {"Field": field}
        ) from None
    if value < 0:
        raise ValidationFailed(f"{field} must not be negative", "ValidationFailure", {"Field": field})
    return value


async def _ship(
    request: Request[Any, Any, Any], caller: Caller, at: dict[str, str], form: dict[str, str]
) -> str:
    """Ship what the form says: every line in full through `POST /orders/{d}/{id}/ship` when no
    quantity was given, else one shipment (`POST /shipments`) with the given quantities
    (`POST /shipments/{id}/items`). A refused item removes the shipment again."""
    details = {
        k: v
        for k, v in (("Shipper", form.get("Shipper")), ("TrackingNumber", form.get("TrackingNumber")))
        if v
    }
    quantities = {
        key[len("qty_") :]: _quantity(value, key)
        for key, value in form.items()
        if key.startswith("qty_") and value
    }
    if not quantities:
        await call(
            request, caller, "POST /orders/{direction}/{orderID}/ship", path_params=at, body=details or None
        )
        return "Shipped every line in full."
    wanted = {line: qty for line, qty in quantities.items() if qty > 0}
    if not wanted:
        raise ValidationFailed(
            "Give a quantity to ship for at least one line", "ValidationFailure", {"Field": "qty"}
        )
    # Shipped now, as the full-order ship does; the API's own normalisation checks the date.
    shipment = await call(request, caller, "POST /shipments", body={**details, "DateShipped": iso(utcnow())})
    try:
        for line, qty in wanted.items():
            await call(
                request,
                caller,
                "POST /shipments/{shipmentID}/items",
                path_params={"shipmentID": shipment["ID"]},
                body={"OrderID": at["orderID"], "LineItemID": line, "QuantityShipped": qty},
            )
    except DomainError:
        await call(
            request, caller, "DELETE /shipments/{shipmentID}", path_params={"shipmentID": shipment["ID"]}
        )
        raise
    shipped = ", ".join(f"{qty} of {line}" for line, qty in wanted.items())
    return f"Shipment {shipment['ID']}: {shipped}."


ORDER_ACTIONS = {
    "approve": ("POST /orders/{direction}/{orderID}/approve", "Order approved."),
    "decline": ("POST /orders/{direction}/{orderID}/decline", "Order declined."),
    "forward": ("POST /orders/{direction}/{orderID}/forward", "Order forwarded to its suppliers."),
    "cancel": ("POST /orders/{direction}/{orderID}/cancel", "Order canceled."),
    "complete": ("POST /orders/{direction}/{orderID}/complete", "Order completed."),
}


@post("/console/orders/{direction:str}/{order_id:str}/{action:str}", include_in_schema=False, status_code=200)
async def order_action(request: Request[Any, Any, Any]) -> Response[Any]:
    direction, order_id, action = _path(request, "direction", "order_id", "action")
    direction = _direction(direction)
    back = f"/console/orders/{direction}/{order_id}"
    try:
        form = await form_of(request)
        _, caller = await session.session_caller(request)
    except DomainError as exc:
        return refused(request, exc)
    at = {"direction": direction, "orderID": order_id}
    try:
        if action == "ship":
            done = await _ship(request, caller, at, form)
        elif action in ORDER_ACTIONS:
            operation, done = ORDER_ACTIONS[action]
            body: Any = None
            if action in ("approve", "decline"):
                body = {"Comments": form.get("Comments") or None, "AllowResubmit": False}
            await call(request, caller, operation, path_params=at, body=body)
        else:
            return render(
                request, "refused.html", {"message": "No such action", "code": "NotFound"}, status=404
            )
    except Unauthorized as exc:
        return refused(request, exc)
    except DomainError as exc:
        return redirect(request, back, ("error", f"{exc.code}: {exc.message}"))
    return redirect(request, back, ("notice", done))


RETURN_ACTIONS = {
    "approve": ("POST /orderreturns/{returnID}/approve", "Return approved."),
    "complete": ("POST /orderreturns/{returnID}/complete", "Return completed."),
}


@post("/console/returns/{return_id:str}/{action:str}", include_in_schema=False, status_code=200)
async def return_action(request: Request[Any, Any, Any]) -> Response[Any]:
    return_id, action = _path(request, "return_id", "action")
    try:
        form = await form_of(request)
        _, caller = await session.session_caller(request)
    except DomainError as exc:
        return refused(request, exc)
    back = form.get("back", "")
    if not back.startswith("/console/orders/"):
        back = "/console/orders"
    if action not in RETURN_ACTIONS:
        return render(request, "refused.html", {"message": "No such action", "code": "NotFound"}, status=404)
    operation, done = RETURN_ACTIONS[action]
    body = {"Comments": form.get("Comments") or None} if action == "approve" else None
    try:
        await call(request, caller, operation, path_params={"returnID": return_id}, body=body)
    except Unauthorized as exc:
        return refused(request, exc)
    except DomainError as exc:
        return redirect(request, back, ("error", f"{exc.code}: {exc.message}"))
    return redirect(request, back, ("notice", done))


# --------------------------------------------------------------------------- webhooks


@get("/console/webhooks", include_in_schema=False)
async def webhooks_page(request: Request[Any, Any, Any]) -> Response[Any]:
    status = request.query_params.get("status") or None
    if status not in (None, "Pending", "Delivered", "Failed"):
        status = None
    try:
        _, caller = await session.session_caller(request)
        async with reading(request, caller, "console/webhooks") as ctx:
            many = [("pageSize", "100")]
            webhooks = await call(request, caller, "GET /webhooks", query=many, reader=ctx.conn)
            reader = await ctx.caller(*stats.WEBHOOK_READ_ROLES)
            await seller_only(ctx, reader)
            rows = await outbox_store.recent(ctx.conn, limit=50, status=status)
            logs = await outbox_store.attempts_of(ctx.conn, [r.delivery_id for r in rows])
            figures = await stats.webhook_figures(ctx)
            events = await _optional(request, caller, "GET /integrationEvents", query=many, reader=ctx.conn)
    except DomainError as exc:
        return refused(request, exc)
    deliveries = [delivery_wire(r, logs[r.delivery_id], with_payload=False) for r in rows]
    failing = {
        w: counts
        for w, counts in (figures.by_webhook.items() if figures else ())
        if counts.get("Failed", 0) > 0
    }
    context = {
        "webhooks": webhooks.get("Items") or [],
        "deliveries": deliveries,
        "failing": failing,
        "figures": figures,
        "status": status,
        "events": (events or {}).get("Items") or [],
    }
    return render(request, "webhooks.html", context, caller=caller)


@post(
    "/console/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}/retry",
    include_in_schema=False,
    status_code=200,
)
async def retry_delivery(request: Request[Any, Any, Any]) -> Response[Any]:
    webhook_id, delivery_id = _path(request, "webhook_id", "delivery_id")
    try:
        form = await form_of(request)
        _, caller = await session.session_caller(request)
    except DomainError as exc:
        return refused(request, exc)
    back = form.get("back", "")
    if not back.startswith("/console/"):
        back = "/console/webhooks"
    try:
        await call(
            request,
            caller,
            "POST /webhooks/{webhookID}/deliveries/{deliveryID}/retry",
            path_params={"webhookID": webhook_id, "deliveryID": delivery_id},
        )
    except Unauthorized as exc:
        return refused(request, exc)
    except DomainError as exc:
        return redirect(request, back, ("error", f"{exc.code}: {exc.message}"))
    return redirect(request, back, ("notice", f"Delivery {delivery_id} is due again."))


# --------------------------------------------------------------------------- catalog


@get("/console/catalog", include_in_schema=False)
async def catalog_page(request: Request[Any, Any, Any]) -> Response[Any]:
    raw = request.query_params.get("below") or "10"
    threshold = int(raw) if raw.isdigit() else 10
    search = request.query_params.get("search") or ""
    try:
        _, caller = await session.session_caller(request)
        query = [("pageSize", str(PAGE_SIZE)), ("sortBy", "Name")]
        async with request.app.state.services.db.reader() as conn:
            searched = [*query, *([("search", search)] if search else [])]
            products = await call(request, caller, "GET /products", query=searched, reader=conn)
            low = await call(
                request,
                caller,
                "GET /products",
                query=[
                    ("pageSize", str(PAGE_SIZE)),
                    ("Inventory.Enabled", "true"),
                    ("Inventory.QuantityAvailable", f"<{threshold}"),
                ],
                reader=conn,
            )
            schedules = await call(request, caller, "GET /priceschedules", query=query, reader=conn)
    except DomainError as exc:
        return refused(request, exc)
    context = {
        "products": products.get("Items") or [],
        "products_meta": products.get("Meta") or {},
        "low": low.get("Items") or [],
        "low_meta": low.get("Meta") or {},
        "schedules": schedules.get("Items") or [],
        "schedules_meta": schedules.get("Meta") or {},
        "threshold": threshold,
        "search": search,
    }
    return render(request, "catalog.html", context, caller=caller)


# --------------------------------------------------------------------------- static files


@get("/console/static/{name:str}", include_in_schema=False)
async def static(request: Request[Any, Any, Any]) -> Response[Any]:
    """The console's own assets, shipped in the package (no CDN); only the names listed."""
    (name,) = _path(request, "name")
    media = STATIC_TYPES.get(name)
    if media is None:
        raise NotFound("File", name)
    content = package_files.files("app.console").joinpath("static", name).read_bytes()
    response: Response[bytes] = Response(content, media_type=media)
    response.headers.update(SECURITY_HEADERS)
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


def console_routes() -> list[Any]:
    check_operations(OPERATIONS_USED)
    return [
        login_page,
        login,
        logout,
        dashboard,
        orders_page,
        order_page,
        order_action,
        return_action,
        webhooks_page,
        retry_delivery,
        catalog_page,
        static,
    ]
