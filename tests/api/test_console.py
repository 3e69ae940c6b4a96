"""The seller console (/console) in process, on both databases: sign-in through the password
grant, the session and CSRF cookies, the Content-Security-Policy, who is refused, and that its
actions are the API's own (same roles, same state changes, same webhook deliveries)."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.console.session import CONSOLE_CLIENT_ID, CSRF_COOKIE, SESSION_COOKIE
from tests.api import return_fixtures as rf
from tests.api.fulfilment_fixtures import buyer_order, lines_of, seller, setup_market, supplier_token
from tests.api.order_fixtures import World
from tests.conftest import ADMIN_PASSWORD
from tests.helpers import Api

PAGES = [
    "/console",
    "/console/orders",
    "/console/orders/Incoming/o1",
    "/console/webhooks",
    "/console/catalog",
]
ACTIONS = [
    "/console/orders/Incoming/o1/forward",
    "/console/orders/Incoming/o1/ship",
    "/console/orders/Incoming/o1/cancel",
    "/console/orders/Incoming/o1/complete",
    "/console/orders/Incoming/o1/approve",
    "/console/orders/Incoming/o1/decline",
    "/console/returns/r1/approve",
    "/console/returns/r1/complete",
    "/console/webhooks/w1/deliveries/d1/retry",
]


def csrf_of(html: str) -> str:
    found = re.search(r'name="_csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


class Browser:
    """A cookie-keeping client of the console, as a browser would be."""

    def __init__(self, api: Api) -> None:
        self.client = httpx.AsyncClient(transport=api.client._transport, base_url="http://testserver")

    async def __aenter__(self) -> Browser:
        return self

    async def __aexit__(self, *exc: Any) -> None:
        await self.client.aclose()

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, **kw)

    async def csrf(self) -> str:
        return csrf_of((await self.get("/console/login")).text)

    async def post(
        self, path: str, data: dict[str, str] | None = None, *, token: str | None = None
    ) -> httpx.Response:
        form = {"_csrf": token if token is not None else await self.csrf(), **(data or {})}
        return await self.client.post(path, data=form)

    async def sign_in(self, username: str = "admin", password: str = ADMIN_PASSWORD) -> httpx.Response:
        return await self.post("/console/login", {"username": username, "password": password})

    def use_token(self, token: str) -> None:
        self.client.cookies.set(SESSION_COOKIE, token, domain="testserver.local", path="/console")


async def test_sign_in_sets_a_strict_httponly_session_and_pages_carry_a_strict_csp(api: Api) -> None:
    async with Browser(api) as b:
        login = await b.get("/console/login")
        assert login.status_code == 200
        csp = login.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert login.headers["x-frame-options"] == "DENY"
        # No inline script: every <script> has a src on the console's own origin.
        assert re.findall(r"<script(?![^>]*\ssrc=\"/console/static/)", login.text) == []
        assert " style=" not in login.text
        cookie = login.headers["set-cookie"]
        assert CSRF_COOKIE in cookie and "HttpOnly" in cookie and "samesite=strict" in cookie.lower()

        signed = await b.sign_in()
        assert signed.status_code == 303 and signed.headers["location"] == "/console/"
        session_cookie = next(
            c for c in signed.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE + "=")
        )
        assert (
            "HttpOnly" in session_cookie
            and "samesite=strict" in session_cookie.lower()
            and "Path=/console" in session_cookie
        )
        assert "Secure" not in session_cookie  # served over http here; https adds Secure

        dash = await b.get("/console")
        assert dash.status_code == 200 and "Dashboard" in dash.text and "<svg" in dash.text
        assert dash.headers["cache-control"] == "no-store"
        # The console's own API client was made on the first sign-in: seller users only.
        client = await api.ok("GET", f"/apiclients/{CONSOLE_CLIENT_ID}")
        assert client["AllowSeller"] is True and client["AllowAnyBuyer"] is False
        assert client["AllowAnySupplier"] is False

        out = await b.post("/console/logout", token=csrf_of(dash.text))
        assert out.status_code == 303 and out.headers["location"] == "/console/login"
        assert (await b.get("/console")).headers.get("location") == "/console/login"


async def test_wrong_password_and_missing_csrf_are_refused(api: Api) -> None:
    async with Browser(api) as b:
        wrong = await b.sign_in(password="not-it")
        assert wrong.status_code == 401 and "Invalid username or password" in wrong.text
        assert SESSION_COOKIE not in wrong.headers.get("set-cookie", "")
        await b.get("/console/login")
        forged = await b.post(
            "/console/login", {"username": "admin", "password": ADMIN_PASSWORD}, token="forged"
        )
        assert forged.status_code == 403 and SESSION_COOKIE not in forged.headers.get("set-cookie", "")
        cross = await b.client.post(
            "/console/login",
            data={"_csrf": await b.csrf(), "username": "admin", "password": ADMIN_PASSWORD},
            headers={"Origin": "https://evil.example"},
        )
        assert cross.status_code == 403


async def test_a_buyer_cannot_sign_in(world: World) -> None:
    api = world.api
    await api.ok(
        "POST",
        "/buyers/b1/users",
        {
            "ID": "shopper",
            "Username": "shopper",
            "Password": "Shopper-pass-1234",
            "FirstName": "S",
            "LastName": "B",
            "Email": "s@example.com",
            "Active": True,
        },
    )
    async with Browser(api) as b:
        refused = await b.sign_in("shopper", "Shopper-pass-1234")
        assert refused.status_code == 403 and "seller users" in refused.text
        assert SESSION_COOKIE not in refused.headers.get("set-cookie", "")
        assert (await b.get("/console")).status_code == 303


@pytest.mark.parametrize("who", ["anonymous", "buyer", "supplier", "seller"])
async def test_every_console_page_and_action_by_principal(world: World, who: str) -> None:
    """Seller admin users reach every page; buyers and suppliers are refused (403) on every page
    and action; without a session every page sends the browser to sign in."""
    api = world.api
    await setup_market(world)
    await buyer_order(world)
    async with Browser(api) as b:
        if who == "buyer":
            b.use_token(await world.token("alice", "Shopper OrderAdmin OrderReader"))
        elif who == "supplier":
            b.use_token(await supplier_token(world, "sam", "s1", "FullAccess"))
        elif who == "seller":
            b.use_token(await seller(world, "FullAccess"))
        for page in PAGES:
            answer = await b.get(page)
            if who == "anonymous":
                assert (answer.status_code, answer.headers.get("location")) == (303, "/console/login"), page
            elif who == "seller":
                assert answer.status_code == 200, (page, answer.text[:300])
            else:
                assert answer.status_code == 403 and "seller users" in answer.text, page
        for action in ACTIONS:
            answer = await b.post(action)
            if who == "anonymous":
                assert answer.headers.get("location") == "/console/login", action
            elif who in ("buyer", "supplier"):
                assert answer.status_code == 403, action
            else:
                assert answer.status_code == 303, action  # done, or refused by the API with a message
    if who != "seller":
        order = await api.ok("GET", "/orders/Incoming/o1")
        assert order["Status"] == "Open"  # nothing happened


async def test_orders_filter_forward_and_partial_ship_go_through_the_api(world: World) -> None:
    api = world.api
    await setup_market(world)
    await buyer_order(world, "o1", (("p1", 2), ("p2", 3), ("p3", 3)))
    await buyer_order(world, "o2", (("p3", 1),))
    async with Browser(api) as b:
        b.use_token(await seller(world, "FullAccess"))
        found = await b.get(
            "/console/orders", params={"direction": "Incoming", "Status": "Open", "search": "o2"}
        )
        assert found.status_code == 200 and "/console/orders/Incoming/o2" in found.text
        assert '/console/orders/Incoming/o1"' not in found.text
        filtered = await b.get("/console/orders", params={"filter": "LineItemCount=3"})
        assert (
            "/console/orders/Incoming/o1" in filtered.text
            and "/console/orders/Incoming/o2" not in filtered.text
        )
        bad = await b.get("/console/orders", params={"filter": "nonsense"})
        assert bad.status_code == 400

        page = await b.get("/console/orders/Incoming/o1")
        token = csrf_of(page.text)
        forwarded = await b.post("/console/orders/Incoming/o1/forward", token=token)
        assert forwarded.status_code == 303
        assert "forwarded" in (await b.get("/console/orders/Incoming/o1")).text
        assert (await api.ok("GET", "/orders/Outgoing/o1-s1"))["Status"] == "Open"

        # A partial shipment of the seller's own line p3 (1 of 3): p1 and p2 went to suppliers.
        shipped = await b.post(
            "/console/orders/Incoming/o1/ship", {"qty_L-p3": "1", "Shipper": "UPS"}, token=token
        )
        assert shipped.status_code == 303
        lines = await lines_of(world, "Incoming", "o1", await seller(world))
        assert lines["L-p3"]["QuantityShipped"] == 1
        assert (await api.ok("GET", "/orders/Incoming/o1"))["Status"] == "Open"  # 2 still to ship
        detail = await b.get("/console/orders/Incoming/o1")
        assert "UPS" in detail.text and "Shipment" in detail.text

        too_many = await b.post("/console/orders/Incoming/o2/ship", {"qty_L-p3": "5"}, token=token)
        assert too_many.status_code == 303
        after = await b.get("/console/orders/Incoming/o2")
        assert 'class="flash error"' in after.text
        shipments = await api.ok("GET", "/orders/Incoming/o2/shipments")
        assert shipments["Items"] == []  # the refused shipment was taken back


async def test_a_seller_without_the_role_is_refused_by_the_api_check(world: World) -> None:
    api = world.api
    await setup_market(world)
    await buyer_order(world)
    async with Browser(api) as b:
        b.use_token(await seller(world, "OrderReader"))
        page = await b.get("/console/orders/Incoming/o1")
        assert page.status_code == 200
        answer = await b.post("/console/orders/Incoming/o1/complete", token=csrf_of(page.text))
        assert answer.status_code == 303
        shown = await b.get("/console/orders/Incoming/o1")
        assert "Auth.InsufficientRoles" in shown.text
        assert (await api.ok("GET", "/orders/Incoming/o1"))["Status"] == "Open"
        # CSRF: a post without the page's token changes nothing either.
        await b.post("/console/orders/Incoming/o1/cancel", token="wrong")
        assert (await api.ok("GET", "/orders/Incoming/o1"))["Status"] == "Open"


async def test_a_return_is_completed_from_the_order_page(world: World) -> None:
    api = world.api
    await rf.catalog(world)
    lines = await rf.open_order(world, "ro1", {"plain": 2})
    await rf.ship(world, "ro1", lines["plain"], 2)
    created = await rf.new_return(world, "ro1", [(lines["plain"], 1)], ID="ret1")
    await api.ok("POST", f"/orderreturns/{created['ID']}/submit", token=await world.token("alice"))
    async with Browser(api) as b:
        b.use_token(await seller(world, "FullAccess"))
        page = await b.get("/console/orders/Incoming/ro1")
        assert "/console/returns/ret1/complete" in page.text
        done = await b.post(
            "/console/returns/ret1/complete",
            {"back": "/console/orders/Incoming/ro1"},
            token=csrf_of(page.text),
        )
        assert (done.status_code, done.headers["location"]) == (303, "/console/orders/Incoming/ro1")
        assert "Return completed" in (await b.get("/console/orders/Incoming/ro1")).text
    assert (await api.ok("GET", "/orderreturns/ret1"))["Status"] == "Completed"
