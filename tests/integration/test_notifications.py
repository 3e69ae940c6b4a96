"""Message senders and the notifications they send: CRUD and assignments through the API, email
arriving in a real SMTP server (aiosmtpd, in the test process), messages posted to a loopback
receiver signed like webhooks, all through the webhook outbox (retries, delivery log)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.state import Services
from app.store.tables import delivery_attempts, outbox
from app.webhooks.worker import deliver_due
from domain.clock import utcnow
from integrations.signing import oc_hash
from tests.api import catalog_fixtures as cat
from tests.api.fulfilment_fixtures import buyer_order, seller, setup_market
from tests.api.order_fixtures import World, make_world
from tests.api.return_fixtures import catalog, new_return, open_order, ship
from tests.helpers import Api, error_code
from tests.integration.receivers import ReceiverPool
from tests.integration.smtp_server import SmtpServer

SHARED_KEY = "message-sender-key"


@pytest.fixture
async def world(api: Api) -> World:
    return await make_world(api)


def use_smtp(services: Services, server: SmtpServer, **more: str) -> None:
    services.settings = replace(
        services.settings, smtp_url=server.url, smtp_from="orders@shop.example", **more
    )


async def email_sender(api: Api, types: list[str], sender_id: str = "mail", url: str = "mailto:") -> None:
    await api.ok(
        "POST",
        "/messagesenders",
        {"ID": sender_id, "Name": "Email", "MessageTypes": types, "URL": url, "SharedKey": SHARED_KEY},
    )
    await api.ok(
        "POST", "/messagesenders/assignments", {"MessageSenderID": sender_id, "BuyerID": "b1"}, status=204
    )


async def outbox_rows(services: Services) -> list[dict[str, object]]:
    async with services.db.reader() as conn:
        return [dict(r._mapping) for r in await conn.execute(select(outbox).order_by(outbox.c.pk))]


async def test_message_sender_crud_and_refusals(api: Api) -> None:
    created = await api.ok(
        "POST",
        "/messagesenders",
        {
            "ID": "ms1",
            "Name": "Orders",
            "MessageTypes": ["OrderSubmitted", "ShipmentCreated"],
            "URL": "https://example.com/messages",
            "SharedKey": SHARED_KEY,
            "ElevatedRoles": ["OrderReader"],
            "xp": {"Brand": "Acme"},
        },
    )
    assert created["URL"] == "https://example.com/messages" and created["SharedKey"] == SHARED_KEY
    assert created["MessageTypes"] == ["OrderSubmitted", "ShipmentCreated"]
    patched = await api.ok(
        "PATCH", "/messagesenders/ms1", {"Description": "about", "URL": "mailto:ops@shop.example"}
    )
    assert patched["Description"] == "about" and patched["URL"] == "mailto:ops@shop.example"
    page = await api.ok("GET", "/messagesenders", params={"search": "Orders"})
    assert [s["ID"] for s in page["Items"]] == ["ms1"]
    # A reader sees the sender, never its SharedKey.
    reader = await api.services.tokens.issue(
        {
            "usr": "r",
            "cid": "ordercore-admin",
            "u": "admin",
            "usrtype": "admin",
            "cmp": "ordercore",
            "role": ["MessageSenderReader"],
        },
        600,
    )
    seen = await api.ok("GET", "/messagesenders/ms1", token=reader)
    assert seen["SharedKey"] is None
    refusals = [
        ({"Name": "x", "MessageTypes": ["OrderSubmitted"], "SharedKey": "k"}, "ValidationFailure"),
        (
            {"Name": "x", "MessageTypes": ["OrderSubmitted"], "URL": "", "SharedKey": "k"},
            "MessageSenders.UrlRequired",
        ),
        (
            {"Name": "x", "MessageTypes": ["OrderSubmitted"], "URL": "mailto:", "SharedKey": ""},
            "MessageSenders.SharedKeyRequired",
        ),
        (
            {"Name": "x", "MessageTypes": ["NoSuchType"], "URL": "mailto:", "SharedKey": "k"},
            "ValidationFailure",
        ),
        (
            {"Name": "x", "MessageTypes": [], "URL": "mailto:not-an-address", "SharedKey": "k"},
            "ValidationFailure",
        ),
        ({"Name": "x", "MessageTypes": [], "URL": "ftp://example.com", "SharedKey": "k"}, None),
        (
            {"Name": "x", "MessageTypes": [], "URL": "mailto:", "SharedKey": "k", "ElevatedRoles": ["Nope"]},
            "ValidationFailure",
        ),
    ]
    for body, code in refusals:
        response = await api.post("/messagesenders", body)
        assert response.status_code == 400, (body, response.text)
        if code:
            assert error_code(response) == code, body
    await api.ok("DELETE", "/messagesenders/ms1")
    assert (await api.get("/messagesenders/ms1")).status_code == 404


async def test_assignments_and_cc_listeners(world: World) -> None:
    api = world.api
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    await email_sender(api, ["OrderSubmitted"])
    await api.ok(
        "POST",
        "/messagesenders/assignments",
        {"MessageSenderID": "mail", "BuyerID": "b1", "UserGroupID": "g1"},
        status=204,
    )
    # Saving the same assignment again is not an error.
    await api.ok(
        "POST", "/messagesenders/assignments", {"MessageSenderID": "mail", "BuyerID": "b1"}, status=204
    )
    listed = await api.ok("GET", "/messagesenders/assignments", params={"buyerID": "b1"})
    assert sorted((a["UserGroupID"] or "") for a in listed["Items"]) == ["", "g1"]
    assert listed["Items"][0]["MessageSenderID"] == "mail"
    groups = await api.ok("GET", "/messagesenders/assignments", params={"level": "Group"})
    assert [a["UserGroupID"] for a in groups["Items"]] == ["g1"]
    for bad in (
        {"MessageSenderID": "nope", "BuyerID": "b1"},
        {"MessageSenderID": "mail", "BuyerID": "nope"},
        {"MessageSenderID": "mail", "BuyerID": "b1", "UserGroupID": "nope"},
    ):
        assert (await api.post("/messagesenders/assignments", bad)).status_code == 404, bad
    both = await api.post(
        "/messagesenders/assignments", {"MessageSenderID": "mail", "BuyerID": "b1", "SupplierID": "s1"}
    )
    assert both.status_code == 400

    cc = {
        "MessageSenderAssignment": {"MessageSenderID": "mail", "BuyerID": "b1"},
        "MessageType": "OrderSubmitted",
        "BuyerID": "b1",
        "UserID": "carol",
    }
    await api.ok("POST", "/messagesenders/CCListenerAssignments", cc, status=204)
    ccs = await api.ok("GET", "/messagesenders/CCListenerAssignments")
    assert len(ccs["Items"]) == 1
    assert ccs["Items"][0]["UserID"] == "carol" and ccs["Items"][0]["MessageType"] == "OrderSubmitted"
    assert ccs["Items"][0]["MessageSenderAssignment"]["MessageSenderID"] == "mail"
    unassigned = {**cc, "MessageSenderAssignment": {"MessageSenderID": "mail", "BuyerID": "b2"}}
    assert (await api.post("/messagesenders/CCListenerAssignments", unassigned)).status_code == 404
    nobody = {k: v for k, v in cc.items() if k != "UserID"}
    assert (await api.post("/messagesenders/CCListenerAssignments", nobody)).status_code == 400

    await api.ok("DELETE", "/messagesenders/mail/assignments", params={"buyerID": "b1", "userGroupID": "g1"})
    left = await api.ok("GET", "/messagesenders/assignments")
    assert [a["UserGroupID"] for a in left["Items"]] == [None]
    again = await api.delete(
        "/messagesenders/mail/assignments", params={"buyerID": "b1", "userGroupID": "g1"}
    )
    assert again.status_code == 404
    # Deleting the sender takes its assignments and CC listeners with it.
    await api.ok("DELETE", "/messagesenders/mail")
    assert (await api.ok("GET", "/messagesenders/assignments"))["Items"] == []
    assert (await api.ok("GET", "/messagesenders/CCListenerAssignments"))["Items"] == []


async def test_order_submitted_email_arrives(world: World, services: Services, smtp: SmtpServer) -> None:
    api = world.api
    use_smtp(services, smtp)
    await email_sender(api, ["OrderSubmitted"], url="mailto:sales@shop.example")
    await api.ok(
        "POST",
        "/messagesenders/CCListenerAssignments",
        {
            "MessageSenderAssignment": {"MessageSenderID": "mail", "BuyerID": "b1"},
            "MessageType": "OrderSubmitted",
            "BuyerID": "b1",
            "UserID": "carol",
        },
        status=204,
    )
    await cat.product(api, "p1", price="12.50")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 2)
    # Bob of b2 submits too: his buyer has no sender, so no email for him.
    await world.new_order("bob", body={"ID": "o2"})
    await world.add_line("o2", "p1", 1, username="bob")
    await world.submit("o2", "bob")
    assert await outbox_rows(services) == []

    await world.submit("o1")
    rows = await outbox_rows(services)
    assert [(r["kind"], r["webhook_id"], r["ordering_key"], r["status"]) for r in rows] == [
        ("email", "mail", "o1", "Pending")
    ]
    assert await deliver_due(services) == 1
    [mail] = smtp.inbox.wait(1)
    assert mail.mail_from == "orders@shop.example"
    assert sorted(mail.rcpt_tos) == ["alice@example.com", "carol@example.com", "sales@shop.example"]
    assert mail.message["To"] == "alice@example.com"
    assert mail.message["Cc"] == "carol@example.com, sales@shop.example"
    assert mail.subject == "Order o1 received"
    text, html = mail.part("plain"), mail.part("html")
    assert "Hello Alice" in text and "o1 (25.00 USD)" in text
    assert "<p>Hello Alice,</p>" in html
    [row] = await outbox_rows(services)
    assert row["status"] == "Delivered" and row["attempts"] == 1
    async with services.db.reader() as conn:
        attempts = [dict(r._mapping) for r in await conn.execute(select(delivery_attempts))]
    assert [a["status_code"] for a in attempts] == [250]


async def test_templates_directory_overrides_defaults(
    world: World, services: Services, smtp: SmtpServer, tmp_path: Path
) -> None:
    api = world.api
    (tmp_path / "OrderSubmitted.subject").write_text("Thanks ${FirstName}: ${OrderID}")
    (tmp_path / "OrderSubmitted.html").write_text("<b>${FirstName}</b> ${Nope}")
    use_smtp(services, smtp, message_templates=str(tmp_path))
    await email_sender(api, ["OrderSubmitted"])
    await api.ok("PATCH", "/buyers/b1/users/alice", {"FirstName": "<Al>"})
    await cat.product(api, "p1", price="1.00")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 1)
    await world.submit("o1")
    await deliver_due(services)
    [mail] = smtp.inbox.wait(1)
    assert mail.subject == "Thanks <Al>: o1"
    # Values are escaped in HTML; unknown placeholders are empty; the text part keeps its default.
    assert mail.part("html").strip() == "<b>&lt;Al&gt;</b>"
    assert "Hello <Al>," in mail.part("plain")


async def test_smtp_starttls_and_auth(world: World, services: Services, secure_smtp: SmtpServer) -> None:
    api = world.api
    use_smtp(services, secure_smtp)
    await email_sender(api, ["OrderSubmitted"])
    await cat.product(api, "p1", price="1.00")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 1)
    await world.submit("o1")
    assert await deliver_due(services) == 1
    [mail] = secure_smtp.inbox.wait(1)
    assert mail.rcpt_tos == ["alice@example.com"]
    # A wrong password is refused for good (not retried), and the log says why.
    services.settings = replace(services.settings, smtp_url=secure_smtp.url.replace("s3cret", "wrong"))
    await world.new_order(body={"ID": "o2"})
    await world.add_line("o2", "p1", 1)
    await world.submit("o2")
    await deliver_due(services)
    row = (await outbox_rows(services))[-1]
    assert row["status"] == "Failed" and row["last_error"] == "SmtpAuthFailed"


async def test_email_retried_through_the_outbox(world: World, services: Services, smtp: SmtpServer) -> None:
    api = world.api
    use_smtp(services, smtp)
    await email_sender(api, ["OrderSubmitted"])
    await cat.product(api, "p1", price="1.00")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 1)
    smtp.inbox.refusals.append("451 4.3.0 try again later")
    await world.submit("o1")
    assert await deliver_due(services) == 1
    [row] = await outbox_rows(services)
    assert row["status"] == "Pending" and row["attempts"] == 1 and row["last_error"] == "SmtpRefused"
    assert smtp.inbox.messages == []
    assert await deliver_due(services, now=utcnow() + timedelta(hours=1)) == 1
    assert len(smtp.inbox.wait(1)) == 1
    assert (await outbox_rows(services))[0]["status"] == "Delivered"


async def test_no_smtp_server_fails_the_delivery(world: World, services: Services) -> None:
    api = world.api
    await email_sender(api, ["OrderSubmitted"])
    await cat.product(api, "p1", price="1.00")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 1)
    await world.submit("o1")
    await deliver_due(services)
    [row] = await outbox_rows(services)
    assert row["status"] == "Failed" and row["last_error"] == "SmtpNotConfigured"


async def test_shipment_message_posted_to_url_signed(
    world: World, services: Services, receivers: ReceiverPool
) -> None:
    api = world.api
    rx = receivers.recording()
    await setup_market(world)
    await api.ok(
        "POST",
        "/messagesenders",
        {
            "ID": "hook",
            "Name": "Middleware",
            "MessageTypes": ["ShipmentCreated"],
            "URL": rx.url + "/messages",
            "SharedKey": SHARED_KEY,
            "xp": {"Brand": "Acme"},
        },
    )
    await api.ok(
        "POST", "/messagesenders/assignments", {"MessageSenderID": "hook", "BuyerID": "b1"}, status=204
    )
    await buyer_order(world)
    assert await outbox_rows(services) == []  # the sender does not send OrderSubmitted
    await api.ok(
        "POST", "/orders/Incoming/o1/ship", {"ID": "sh1", "TrackingNumber": "TN-1"}, token=await seller(world)
    )
    assert await deliver_due(services) == 1
    [request] = rx.requests
    assert request.path == "/messages"
    assert request.header("X-oc-hash") == oc_hash(SHARED_KEY, request.body)
    sent = json.loads(request.body)
    assert list(sent) == [
        "BuyerID",
        "UserToken",
        "Recipient",
        "MessageType",
        "CCList",
        "EventBody",
        "ConfigData",
    ]
    assert sent["MessageType"] == "ShipmentCreated" and sent["BuyerID"] == "b1"
    assert sent["Recipient"]["ID"] == "alice" and "Password" not in sent["Recipient"]
    assert not any(k.startswith("_") for k in sent["Recipient"])
    assert sent["EventBody"]["Order"]["ID"] == "o1"
    assert sent["EventBody"]["Shipment"]["ID"] == "sh1"
    assert sent["EventBody"]["Shipment"]["TrackingNumber"] == "TN-1"
    assert sent["ConfigData"] == {"Brand": "Acme"}


async def test_declined_order_and_approval_messages(
    world: World, services: Services, smtp: SmtpServer
) -> None:
    api = world.api
    use_smtp(services, smtp)
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "approvers", "Name": "Approvers"})
    await api.ok(
        "POST",
        "/buyers/b1/usergroups/assignments",
        {"UserGroupID": "approvers", "UserID": "carol"},
        status=204,
    )
    await api.ok(
        "POST",
        "/buyers/b1/approvalrules",
        {"ID": "r1", "Name": "All", "ApprovingGroupID": "approvers", "RuleExpression": "order.Total > 0"},
    )
    await email_sender(api, ["OrderSubmittedForApproval", "OrderSubmittedForYourApproval", "OrderDeclined"])
    await cat.product(api, "p1", price="3.00")
    await world.new_order(body={"ID": "o1"})
    await world.add_line("o1", "p1", 1)
    assert (await world.submit("o1"))["Status"] == "AwaitingApproval"
    carol = await world.token("carol")
    await api.ok("POST", "/orders/Outgoing/o1/decline", {"Comments": "Too dear"}, token=carol)
    assert await deliver_due(services, chain=10) == 3
    mails = smtp.inbox.wait(3)
    got = sorted((m.message["To"], m.subject) for m in mails)
    assert got == [
        ("alice@example.com", "Order o1 declined"),
        ("alice@example.com", "Order o1 is awaiting approval"),
        ("carol@example.com", "Order o1 needs your approval"),
    ]
    declined = next(m for m in mails if m.subject == "Order o1 declined")
    assert "Too dear" in declined.part("plain")


async def test_return_messages(world: World, services: Services, smtp: SmtpServer) -> None:
    api = world.api
    use_smtp(services, smtp)
    await catalog(world)
    lines = await open_order(world, "o1", {"plain": 2})
    await ship(world, "o1", lines["plain"], 2)
    await email_sender(api, ["OrderReturnSubmitted", "OrderReturnCompleted"])
    await new_return(world, "o1", [(lines["plain"], 1)], ID="r1")
    alice = await world.token("alice")
    await api.ok("POST", "/orderreturns/r1/submit", token=alice)
    await api.ok("POST", "/orderreturns/r1/complete", token=await world.seller())
    assert await deliver_due(services, chain=10) == 2
    mails = smtp.inbox.wait(2)
    assert [(m.message["To"], m.subject) for m in mails] == [
        ("alice@example.com", "Return r1 received"),
        ("alice@example.com", "Return r1 completed"),
    ]
    assert "refund: 12.35" in mails[1].part("plain")
