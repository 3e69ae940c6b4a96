"""Forgotten credentials through the API: a verification code emailed through a real SMTP server
(aiosmtpd), read from the message and used to reset the password; the reset token posted to a
message sender's URL; single use, expiry, the same answer for unknown users, rate limits."""

from __future__ import annotations

import json
import re
import time
from dataclasses import replace
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.services.credentials import RESET_KIND, digest
from app.state import Services
from app.store.repo import Docs
from app.store.tables import outbox
from app.webhooks.worker import deliver_due
from tests.api.order_fixtures import World, make_world
from tests.helpers import Api, error_code
from tests.integration.receivers import ReceiverPool
from tests.integration.smtp_server import SmtpServer

CODE = re.compile(r"verification code is:\s+(\S+)")
OLD, NEW = "Old-pass-123", "New-pass-456"


@pytest.fixture
async def shop(api: Api, services: Services, smtp: SmtpServer) -> World:
    """b1's users, alice with a password, an API client `shop` for any buyer, and an email sender
    of ForgottenPassword messages assigned to b1."""
    world = await make_world(api)
    services.reset_throttle.clear()
    services.settings = replace(services.settings, smtp_url=smtp.url, smtp_from="accounts@shop.example")
    await api.ok(
        "POST",
        "/apiclients",
        {"ID": "shop", "AppName": "Shop", "AccessTokenDuration": 600, "Active": True, "AllowAnyBuyer": True},
    )
    await api.ok("PATCH", "/buyers/b1/users/alice", {"Password": OLD})
    await api.ok(
        "POST",
        "/messagesenders",
        {
            "ID": "mail",
            "Name": "Mail",
            "MessageTypes": ["ForgottenPassword"],
            "URL": "mailto:",
            "SharedKey": "k",
        },
    )
    await api.ok(
        "POST", "/messagesenders/assignments", {"MessageSenderID": "mail", "BuyerID": "b1"}, status=204
    )
    return world


async def anon(api: Api, method: str, path: str, body: Any = None, **kw: Any) -> httpx.Response:
    """A call without any token, as a signed-out storefront makes it."""
    response: httpx.Response = await api.client.request(method, "/v1" + path, json=body, **kw)
    return response


async def outbox_bodies(services: Services) -> list[str]:
    async with services.db.reader() as conn:
        return [str(r.body) for r in await conn.execute(select(outbox.c.body))]


async def request_code(api: Api, **body: Any) -> httpx.Response:
    return await anon(api, "POST", "/password/reset", {"ClientID": "shop", **body})


async def test_code_by_email_resets_the_password_once(
    shop: World, services: Services, smtp: SmtpServer
) -> None:
    api = shop.api
    old_token = await api.login("alice", OLD, client_id="shop")
    assert (await request_code(api, Username="alice")).status_code == 204
    assert await deliver_due(services) == 1
    [mail] = smtp.inbox.wait(1)
    assert mail.rcpt_tos == ["alice@example.com"] and mail.subject == "Reset your password"
    assert mail.mail_from == "accounts@shop.example"
    match = CODE.search(mail.part("plain"))
    assert match is not None
    code = match.group(1)
    assert code in mail.part("html")
    # At rest: neither the outbox row nor the reset document holds the code.
    assert all(code not in body for body in await outbox_bodies(services))
    async with services.db.reader() as conn:
        stored = await Docs(conn).all(RESET_KIND)
    assert [d["ID"] for d in stored] == [digest(code)] and code not in json.dumps(stored)

    wrong_client = await anon(
        api, "PUT", f"/password/reset/{code}", {"ClientID": "ordercore-admin", "Password": NEW}
    )
    assert wrong_client.status_code == 400 and error_code(wrong_client) == "PasswordReset.InvalidVerification"
    weak = await anon(api, "PUT", f"/password/reset/{code}", {"ClientID": "shop", "Password": "short"})
    assert weak.status_code == 400 and error_code(weak) == "PasswordReset.InsecurePassword"
    done = await anon(
        api, "PUT", f"/password/reset/{code}", {"ClientID": "shop", "Username": "Alice", "Password": NEW}
    )
    assert done.status_code == 204, done.text

    # The old password and every token issued before are gone; the new password signs in.
    assert (await api.token("alice", OLD, client_id="shop")).status_code == 400
    stale = await api.get("/me", token=old_token)
    assert stale.status_code == 401 and error_code(stale) == "Auth.TokenRevoked"
    assert await api.login("alice", NEW, client_id="shop")
    again = await anon(
        api, "PUT", f"/password/reset/{code}", {"ClientID": "shop", "Password": "Other-pass-789"}
    )
    assert again.status_code == 400 and error_code(again) == "PasswordReset.InvalidVerification"


async def test_same_answer_whoever_asks(shop: World, services: Services, smtp: SmtpServer) -> None:
    api = shop.api
    await api.ok("PATCH", "/buyers/b1/users/carol", {"Active": False})
    timings = {}
    for name, body in {
        "known": {"Username": "alice"},
        "unknown": {"Username": "nobody"},
        "inactive": {"Username": "carol"},
        "other email": {"Username": "alice", "Email": "mallory@example.com"},
        "unknown email": {"Email": "nobody@example.com"},
        "known email": {"Email": "alice@example.com"},
    }.items():
        started = time.monotonic()
        response = await request_code(api, **body)
        timings[name] = time.monotonic() - started
        assert response.status_code == 204 and response.content == b"", name
    # Every answer takes at least the floor, known user or not.
    assert min(timings.values()) >= 0.25, timings
    assert await deliver_due(services, chain=10) == 2
    assert [m.rcpt_tos for m in smtp.inbox.wait(2)] == [["alice@example.com"], ["alice@example.com"]]
    # Only the newest code works.
    codes = [CODE.search(m.part("plain")).group(1) for m in smtp.inbox.messages]  # type: ignore[union-attr]
    first = await anon(api, "PUT", f"/password/reset/{codes[0]}", {"ClientID": "shop", "Password": NEW})
    assert first.status_code == 400
    latest = await anon(api, "PUT", f"/password/reset/{codes[1]}", {"ClientID": "shop", "Password": NEW})
    assert latest.status_code == 204


async def test_refusals_and_rate_limit(shop: World, services: Services) -> None:
    api = shop.api
    no_client = await anon(api, "POST", "/password/reset", {"Username": "alice"})
    assert no_client.status_code == 400
    bad_client = await anon(api, "POST", "/password/reset", {"ClientID": "nope", "Username": "alice"})
    assert error_code(bad_client) == "PasswordReset.MissingOrInvalidClientID"
    nobody = await request_code(api)
    assert error_code(nobody) == "PasswordReset.MissingUsernameOrEmail"
    phishing = await request_code(api, Username="alice", URL="https://evil.example/reset")
    assert phishing.status_code == 400 and error_code(phishing) == "PasswordReset.UrlNotAllowed"
    garbage = await anon(api, "PUT", "/password/reset/not-a-code", {"ClientID": "shop", "Password": NEW})
    assert error_code(garbage) == "PasswordReset.InvalidVerification"
    services.reset_throttle.clear()
    for _ in range(services.settings.password_reset_rate_per_user):
        assert (await request_code(api, Username="bob")).status_code == 204
    limited = await request_code(api, Username="BOB")
    assert limited.status_code == 429 and error_code(limited) == "Auth.TooManyRequests"
    # Another user is not held back by bob's limit.
    assert (await request_code(api, Username="alice")).status_code == 204


async def test_expired_code_is_refused(shop: World, services: Services, smtp: SmtpServer) -> None:
    api = shop.api
    services.settings = replace(services.settings, password_reset_minutes=0)
    await request_code(api, Username="alice")
    await deliver_due(services)
    [mail] = smtp.inbox.wait(1)
    code = CODE.search(mail.part("plain")).group(1)  # type: ignore[union-attr]
    expired = await anon(api, "PUT", f"/password/reset/{code}", {"ClientID": "shop", "Password": NEW})
    assert expired.status_code == 400 and error_code(expired) == "PasswordReset.InvalidVerification"


async def test_reset_link_and_token_to_middleware(
    shop: World, services: Services, receivers: ReceiverPool
) -> None:
    api = shop.api
    rx = receivers.recording()
    services.settings = replace(services.settings, password_reset_url_origins="https://shop.example")
    await api.ok("PATCH", "/messagesenders/mail", {"URL": rx.url + "/reset"})
    old_token = await api.login("alice", OLD, client_id="shop")
    assert (
        await request_code(api, Email="alice@example.com", URL="https://shop.example/reset?x=1")
    ).status_code == 204
    [body] = await outbox_bodies(services)
    stored = json.loads(body)["EventBody"]
    assert stored["PasswordRenewalVerificationCode"] is None and stored["PasswordRenewalAccessToken"] is None
    assert await deliver_due(services) == 1
    sent = rx.requests[0].json()
    assert sent["MessageType"] == "ForgottenPassword" and sent["Recipient"]["Username"] == "alice"
    event = sent["EventBody"]
    code, reset_token = event["PasswordRenewalVerificationCode"], event["PasswordRenewalAccessToken"]
    assert event["PasswordRenewalUrl"] == f"https://shop.example/reset?x=1&code={code}"
    # The reset token can do one thing: set the password (Me.ResetPasswordByToken).
    assert (await api.get("/me", token=reset_token)).status_code == 403
    weak = await api.post("/me/password", {"NewPassword": "password"}, token=reset_token)
    assert weak.status_code == 400
    assert (await api.post("/me/password", {"NewPassword": NEW}, token=reset_token)).status_code == 204
    assert await api.login("alice", NEW, client_id="shop")
    # Setting the password ended the reset token, the old tokens and the code.
    assert (
        await api.post("/me/password", {"NewPassword": "Again-pass-1"}, token=reset_token)
    ).status_code == 401
    assert (await api.get("/me", token=old_token)).status_code == 401
    used = await anon(api, "PUT", f"/password/reset/{code}", {"ClientID": "shop", "Password": "Again-pass-1"})
    assert used.status_code == 400
    # A token without the PasswordReset role cannot.
    shopper = await shop.token("carol")
    assert (await api.post("/me/password", {"NewPassword": NEW}, token=shopper)).status_code == 403


async def test_retrieve_username(shop: World, services: Services, smtp: SmtpServer) -> None:
    api = shop.api
    unknown = await anon(
        api, "POST", "/username/retrieve", params={"clientID": "shop", "email": "no@example.com"}
    )
    assert unknown.status_code == 204
    known = await anon(
        api, "POST", "/username/retrieve", params={"clientID": "shop", "email": "alice@example.com"}
    )
    assert known.status_code == 204
    missing = await anon(api, "POST", "/username/retrieve", params={"clientID": "shop"})
    assert missing.status_code == 400
    assert await deliver_due(services) == 1
    [mail] = smtp.inbox.wait(1)
    assert mail.rcpt_tos == ["alice@example.com"] and mail.subject == "Your username"
    assert "alice@example.com: alice" in mail.part("plain")
