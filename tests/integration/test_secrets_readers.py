"""Read-only roles never see secrets, and no role sees a caller's token in the webhook delivery
log, while the receiver still gets it (issue #10 item 4, docs/security-orders.md)."""

from __future__ import annotations

from sqlalchemy import select

from app.state import Services
from app.store.tables import outbox, resources
from app.webhooks.worker import deliver_due
from tests.helpers import ADMIN_CLIENT, Api, error_code
from tests.integration.receivers import ReceiverPool, Reply
from tests.integration.webhooks_support import make_webhook, only_delivery

SECRET = "client-s3cret-value"
HEADER_VALUE = "Bearer middleware-key"


async def seller_token(api: Api, *roles: str) -> str:
    """A seller (admin user) token with exactly `roles`, minted directly (no argon2 per test)."""
    claims = {
        "usr": "admin",
        "cid": ADMIN_CLIENT,
        "u": "admin",
        "usrtype": "admin",
        "cmp": api.services.marketplace_id,
        "role": list(roles),
    }
    return str(await api.services.tokens.issue(claims, 3600))


async def test_readers_get_null_secrets_in_gets_and_lists_and_cannot_probe_them(api: Api) -> None:
    await api.ok(
        "POST",
        "/apiclients",
        {"ID": "app1", "AppName": "App", "ClientSecret": SECRET, "AccessTokenDuration": 600},
    )
    await make_webhook(
        api, "https://example.com/hook", CustomAuthHeaderName="X-Key", CustomAuthHeaderValue=HEADER_VALUE
    )
    event = {
        "ID": "ev1",
        "Name": "Checkout",
        "EventType": "OrderCheckout",
        "CustomImplementationUrl": "https://example.com/mw",
        "HashKey": "event-hash-key",
        "CustomAuthHeaderName": "X-Key",
        "CustomAuthHeaderValue": HEADER_VALUE,
    }
    await api.ok("POST", "/integrationEvents", event)
    sender = {
        "ID": "ms1",
        "Name": "Mail",
        "MessageTypes": ["OrderSubmitted"],
        "URL": "mailto:",
        "SharedKey": SECRET,
    }
    await api.ok("POST", "/messagesenders", sender)
    cases = [
        ("/messagesenders", "ms1", ("SharedKey",), "MessageSenderReader", "MessageSenderAdmin"),
        ("/apiclients", "app1", ("ClientSecret",), "ApiClientReader", "ApiClientAdmin"),
        ("/webhooks", "wh1", ("HashKey", "CustomAuthHeaderValue"), "WebhookReader", "WebhookAdmin"),
        (
            "/integrationEvents",
            "ev1",
            ("HashKey", "CustomAuthHeaderValue"),
            "IntegrationEventReader",
            "IntegrationEventAdmin",
        ),
    ]
    for path, item_id, fields, reader_role, admin_role in cases:
        reader = await seller_token(api, reader_role)
        admin = await seller_token(api, admin_role)
        one = await api.ok("GET", f"{path}/{item_id}", token=reader)
        listed = (await api.ok("GET", path, params={"ID": item_id}, token=reader))["Items"][0]
        for shown in (one, listed):
            assert all(shown[f] is None for f in fields), (path, shown)
            assert SECRET not in str(shown) and HEADER_VALUE not in str(shown)
        as_admin = await api.ok("GET", f"{path}/{item_id}", token=admin)
        assert all(as_admin[f] for f in fields)
        for params in ({fields[0]: "*"}, {"sortBy": fields[0]}, {"sortBy": f"!{fields[-1]}"}):
            probe = await api.get(path, params=params, token=reader)
            assert probe.status_code == 400 and error_code(probe) == "List.InvalidProperty", (path, params)
        assert (await api.get(path, params={fields[0]: "*"}, token=admin)).status_code == 200


async def test_a_reader_cannot_turn_a_client_into_a_full_access_token(api: Api) -> None:
    await api.ok(
        "POST",
        "/apiclients",
        {
            "ID": "app1",
            "AppName": "App",
            "ClientSecret": SECRET,
            "AllowSeller": True,
            "Active": True,
            "AccessTokenDuration": 600,
        },
    )
    reader = await seller_token(api, "ApiClientReader")
    shown = await api.ok("GET", "/apiclients/app1", token=reader)
    assert shown["ClientSecret"] is None
    # Named secrets are shown once, to the admin who creates them; a reader can't create nor read one.
    created = await api.ok("POST", "/apiclients/app1/secrets", {"Name": "ci"})
    assert (await api.post("/apiclients/app1/secrets", {"Name": "x"}, token=reader)).status_code == 403
    listed = await api.ok("GET", "/apiclients/app1/secrets", token=reader)
    one = await api.ok("GET", f"/apiclients/app1/secrets/{created['ID']}", token=reader)
    assert created["ClientSecret"] not in str(listed) + str(one) and "ClientSecret" not in one
    form = {
        "grant_type": "client_credentials",
        "client_id": "app1",
        "client_secret": "",
        "scope": "FullAccess",
    }
    refused = await api.client.post("/oauth/token", data=form)
    assert refused.status_code in (400, 401) and "access_token" not in refused.text


async def test_delivery_log_never_shows_the_callers_token_but_the_receiver_gets_it(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    # The receiver echoes what it got, as a careless middleware might.
    rx = receivers.custom(lambda req, i: Reply(body=req.body))
    await make_webhook(api, rx.url + "/hook")
    caller_token = await seller_token(api, "BuyerAdmin")
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"}, token=caller_token)

    async with services.db.reader() as conn:
        stored = [r.body for r in await conn.execute(select(outbox.c.body))]
    assert len(stored) == 1 and caller_token not in stored[0]

    assert await deliver_due(services) == 1
    assert rx.requests[0].json()["UserToken"] == caller_token
    listed = await only_delivery(api)
    for role in ("WebhookReader", "WebhookAdmin", "FullAccess"):
        one = await api.get(f"/webhooks/wh1/deliveries/{listed['ID']}", token=await seller_token(api, role))
        assert one.status_code == 200
        assert one.json()["Payload"]["UserToken"] is None
        assert caller_token not in one.text
        assert one.json()["AttemptLog"][0]["ResponseBody"]  # the echo is logged, masked
    async with services.db.reader() as conn:
        everything = " ".join(str(r.doc) for r in await conn.execute(select(resources.c.doc)))
        bodies = " ".join(r.body for r in await conn.execute(select(outbox.c.body)))
    assert caller_token not in everything and caller_token not in bodies


async def test_secret_fields_in_a_hooked_request_are_not_logged(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url + "/hook", routes=[("v1/apiclients", "POST")])
    await api.ok(
        "POST",
        "/apiclients",
        {"ID": "app2", "AppName": "App", "ClientSecret": SECRET, "AccessTokenDuration": 600},
    )
    assert await deliver_due(services) == 1
    listed = await only_delivery(api)
    one = await api.get(f"/webhooks/wh1/deliveries/{listed['ID']}")
    assert SECRET not in one.text
    assert one.json()["Payload"]["Request"]["Body"]["ClientSecret"] is None
