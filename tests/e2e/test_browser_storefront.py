"""A storefront page of the tests' own (tests/e2e/browser), served from another origin than the
API, runs a guest's checkout with the official SDK's browser build in real headless Chromium
(Debian's `chromium`): anonymous cart, sign-in with cart transfer, addresses, a Shopper's
purchase-order payment, submit. Without CORS the browser blocks every call and this fails.

Chromium is driven without DevTools: the page posts its outcome to its own server (same origin,
no CORS needed for that), and the test waits for it, bounded in time."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest

from tests.e2e.harness import JS, Server

pytestmark = pytest.mark.e2e

PAGE = Path(__file__).resolve().parent / "browser"
# The npm packages' browser builds, as installed for the SDK tests (never downloaded here).
VENDOR = {
    "/vendor/ordercloud-javascript-sdk/": JS / "node_modules" / "ordercloud-javascript-sdk" / "dist",
    "/vendor/axios/": JS / "node_modules" / "axios" / "dist",
}
PAGE_TIMEOUT = 45.0
PASSWORD = "Browser-pass-1234"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def chromium() -> str:
    """Debian's chromium; scripts/test installs it and sets ORDERCORE_REQUIRE_BROWSER so that CI
    never skips this test silently."""
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("ORDERCORE_REQUIRE_BROWSER"):
        pytest.fail("chromium is not installed (apt-get install chromium)", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium)")


class PageServer(ThreadingHTTPServer):
    """Serves the page and the vendored SDK on its own loopback port and receives the outcome."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), PageHandler)
        self.result: dict[str, Any] | None = None
        self.done = threading.Event()

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class PageHandler(SimpleHTTPRequestHandler):
    server: PageServer

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, directory=str(PAGE), **kwargs)

    def translate_path(self, path: str) -> str:
        for prefix, folder in VENDOR.items():
            if path.startswith(prefix):
                name = Path(path[len(prefix) :].split("?")[0]).name  # no way out of the folder
                return str(folder / name)
        return super().translate_path(path)

    def do_POST(self) -> None:
        if self.path != "/result":
            self.send_error(404)
            return
        length = int(self.headers.get("Content-Length", "0"))
        self.server.result = json.loads(self.rfile.read(length))
        self.send_response(204)
        self.end_headers()
        self.server.done.set()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def page_server() -> Iterator[PageServer]:
    server = PageServer()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def run_page(page: PageServer, query: dict[str, str], workdir: Path) -> dict[str, Any]:
    """Open the page in headless Chromium (a fresh profile) and return what it reported."""
    browser = chromium()
    profile = workdir / "chromium-profile"
    log = workdir / "chromium.log"
    url = f"{page.origin}/storefront.html?{urlencode(query)}"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", url],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its helper processes go with it
        )
    try:
        if not page.done.wait(PAGE_TIMEOUT):
            tail = log.read_text(errors="replace")[-3000:]
            pytest.fail(f"the page reported nothing within {PAGE_TIMEOUT}s\n{tail}", pytrace=False)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
    assert page.result is not None
    return page.result


def make_storefront(server: Server) -> dict[str, str]:
    """The seller's setup, over HTTP with the first admin's client: a buyer with a shopper and an
    anonymous template user, a priced product it sees, and an API client allowing guests."""
    run = secrets.token_hex(3)
    creds = server.credentials
    form = {
        "grant_type": "client_credentials",
        "client_id": creds["ClientID"],
        "client_secret": creds["ClientSecret"],
        "scope": "FullAccess",
    }
    with httpx.Client(base_url=server.url, timeout=20.0) as http:
        token = http.post("/oauth/token", data=form).raise_for_status().json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"

        def create(path: str, body: dict[str, Any]) -> dict[str, Any]:
            response = http.post(f"/v1{path}", json=body)
            assert response.status_code in (200, 201, 204), response.text
            return response.json() if response.content else {}

        buyer, product, schedule = f"bb-{run}", f"bp-{run}", f"bs-{run}"
        create("/buyers", {"ID": buyer, "Name": buyer, "Active": True})
        for user in (f"guest-{run}", f"ann-{run}"):
            create(
                f"/buyers/{buyer}/users",
                {
                    "ID": user,
                    "Username": user,
                    "Password": PASSWORD,
                    "FirstName": "F",
                    "LastName": "L",
                    "Email": f"{user}@example.com",
                    "Active": True,
                },
            )
        create(
            "/priceschedules",
            {
                "ID": schedule,
                "Name": "Browser",
                "Currency": "USD",
                "PriceBreaks": [{"Quantity": 1, "Price": 12.5}],
            },
        )
        create(
            "/products",
            {"ID": product, "Name": "Browser mug", "Active": True, "DefaultPriceScheduleID": schedule},
        )
        create("/products/assignments", {"ProductID": product, "BuyerID": buyer})
        create(
            "/securityprofiles",
            {"ID": f"bsp-{run}", "Name": "Shopper", "Roles": ["Shopper", "MeAdmin", "MeAddressAdmin"]},
        )
        create("/securityprofiles/assignments", {"SecurityProfileID": f"bsp-{run}", "BuyerID": buyer})
        client = create(
            "/apiclients",
            {
                "AppName": f"browser-{run}",
                "Active": True,
                "AccessTokenDuration": 600,
                "AllowAnyBuyer": True,
                "IsAnonBuyer": True,
                "DefaultContextUserName": f"guest-{run}",
            },
        )
    return {
        "api": server.url,
        "client": str(client["ID"]),
        "username": f"ann-{run}",
        "password": PASSWORD,
        "product": product,
    }


def test_a_guest_checks_out_in_the_browser(server: Server, page_server: PageServer, tmp_path: Path) -> None:
    assert page_server.origin != server.url  # another origin: every API call is cross-origin
    storefront = make_storefront(server)
    result = run_page(page_server, storefront, tmp_path)
    assert result["ok"] is True, result
    order_id = result["anonOrderID"]
    assert order_id and result["emptyWorksheetOrderID"] is None
    assert result["productIDs"] == [storefront["product"]]
    assert result["guestCartID"] == order_id
    assert result["missingLine"] == {
        "status": 404,
        "errorCode": "NotFound",
        "message": result["missingLine"]["message"],
    }
    assert result["userOrderIDClaim"] is None
    assert result["userCart"]["ID"] == order_id and result["userCart"]["LineItemCount"] == 1
    assert result["billingCity"] == "Springfield"
    assert result["payment"] == {"Type": "PurchaseOrder", "Amount": 25, "Accepted": True}
    assert result["submitted"] == {"ID": order_id, "Status": "Open", "Total": 25}
