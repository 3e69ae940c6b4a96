"""What a scheduled order tells the outside (docs/subscriptions.md): the subscription integration
(`/integrations/subscription`) posted the order's worksheet, signed, by a real loopback receiver
that submits it with the token it was given; a failed call recorded as the period's refusal; and
the submit route's webhooks, pre and post, around the orders the scheduler submits itself; and
the SubscriptionReminder email `NotificationDays` before each order date (aiosmtpd)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from app.services import subscription_reminders, subscriptions
from app.state import Services
from app.webhooks.worker import deliver_due
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import World, make_world
from tests.helpers import Api, error_code
from tests.integration.receivers import HASH_KEY, ReceiverPool, json_reply
from tests.integration.smtp_server import SmtpServer
from tests.integration.test_notifications import email_sender, use_smtp
from tests.integration.webhooks_support import make_webhook

NOW = datetime(2030, 1, 31, 9, 0, tzinfo=UTC)
CLIENT = "storefront"
TOKENS = {"AccessTokenDuration": 600, "RefreshTokenDuration": 0}
SUBMIT = [("v1/orders/{direction}/{orderID}/submit", "POST")]


async def _setup(api: Api) -> World:
    world = await make_world(api)
    await cat.product(api, "p1", price="4.50")
    await api.ok(
        "POST",
        "/apiclients",
        {"ID": CLIENT, "AppName": "Shop", "AllowAnyBuyer": True, "Active": True, **TOKENS},
    )
    sub = {"ID": "weekly", "Frequency": 1, "Interval": "Weeks", "NextOrderDate": "2030-01-31T09:00:00Z"}
    await api.ok("POST", "/subscriptions", {**sub, "FromUserID": "alice"})
    await api.ok("POST", "/subscriptions/weekly/items", {"ID": "i1", "ProductID": "p1", "Quantity": 2})
    return world


async def _integration(api: Api, **fields: Any) -> dict[str, Any]:
    body = {"ApiClientID": CLIENT, "HashKey": HASH_KEY, "ElevatedRoles": ["Shopper"], **fields}
    return dict(await api.ok("PUT", "/integrations/subscription", body))


async def test_the_integration_is_one_configuration_of_the_seller(api: Api) -> None:
    world = await _setup(api)
    assert (await api.get("/integrations/subscription")).status_code == 404
    saved = await _integration(api, Url="http://127.0.0.1:9/sub", NotificationDays=3)
    assert saved["ApiClientID"] == CLIENT and saved["Active"] is True and saved["NotificationDays"] == 3
    assert (await api.ok("GET", "/integrations/subscription"))["Url"] == "http://127.0.0.1:9/sub"
    # A reader sees the configuration, never its HashKey.
    reader = await world.seller("SubscriptionReader")
    seen = await api.ok("GET", "/integrations/subscription", token=reader)
    assert seen["HashKey"] is None and seen["ApiClientID"] == CLIENT
    patched = await api.ok("PATCH", "/integrations/subscription", {"Active": False, "xp": {"a": 1}})
    assert (
        patched["Active"] is False
        and patched["Url"] == "http://127.0.0.1:9/sub"
        and patched["xp"] == {"a": 1}
    )
    unknown = await api.put("/integrations/subscription", {"ApiClientID": "nope", "HashKey": "k"})
    assert unknown.status_code == 404
    half = await api.put(
        "/integrations/subscription", {"ApiClientID": CLIENT, "HashKey": "k", "CustomAuthHeaderName": "X-Key"}
    )
    assert error_code(half) == "Integration.CustomAuthHeaderValueRequired"
    no_key = await api.put("/integrations/subscription", {"ApiClientID": CLIENT})
    assert no_key.status_code == 400
    assert (await api.ok("GET", "/integrations/subscription"))["Active"] is False  # refusals changed nothing
    await api.ok("DELETE", "/integrations/subscription")
    assert (await api.get("/integrations/subscription")).status_code == 404


async def test_the_middleware_gets_the_worksheet_and_submits_the_order(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    world = await _setup(api)
    rx = receivers.custom(lambda _req, _i: json_reply({"xp": {"Charged": True}}))
    await _integration(api, Url=rx.url + "/subscription", xp={"Store": "eu"})
    [run] = await subscriptions.run_due(services, NOW)
    assert run.refusal is None and run.order_id

    [asked] = rx.requests
    assert asked.path == "/subscription" and asked.oc_hash_valid is True
    sheet = asked.json()["OrderWorksheet"]
    assert sheet["Order"]["ID"] == run.order_id and sheet["Order"]["Status"] == "Unsubmitted"
    assert sheet["Order"]["SubscriptionID"] == "weekly"
    assert [(li["ProductID"], li["Quantity"]) for li in sheet["LineItems"]] == [("p1", 2)]
    assert sheet["Subscription"]["ID"] == "weekly"
    assert asked.json()["ConfigData"] == {"Store": "eu"}
    # The middleware submits the order with the buyer's token it was given (OrderCloud's contract).
    token = asked.json()["OrderCloudAccessToken"]
    await api.ok("POST", f"/orders/Outgoing/{run.order_id}/submit", token=token)

    seller = await world.seller()
    order = await api.ok("GET", f"/orders/Incoming/{run.order_id}", token=seller)
    assert order["Status"] == "Open" and order["SubscriptionID"] == "weekly"
    worksheet = await api.ok("GET", f"/orders/Incoming/{run.order_id}/worksheet", token=seller)
    response = worksheet["SubscriptionIntegrationResponse"]
    assert response["Succeeded"] is True and response["HttpStatusCode"] == 200
    assert response["xp"] == {"Charged": True}
    sub = await api.ok("GET", "/subscriptions/weekly")
    assert sub["LastOrderID"] == run.order_id and sub["LastOrderRefusal"] is None


async def test_a_failed_integration_call_is_the_periods_refusal(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    world = await _setup(api)
    rx = receivers.status(503)
    await _integration(api, Url=rx.url)
    [run] = await subscriptions.run_due(services, NOW)
    assert run.order_id is None and run.refusal is not None
    sub = await api.ok("GET", "/subscriptions/weekly")
    assert sub["LastOrderRefusal"]["ErrorCode"] == "IntegrationEvent.BadResponse"
    assert sub["LastOrderRefusal"]["Data"] == {"StatusCode": 503}
    assert sub["LastOrderID"] is None and sub["NextOrderDate"] == "2030-02-07T09:00:00.000+00:00"
    seller = await world.seller()
    page = await api.ok("GET", "/orders/Incoming", token=seller)
    unsubmitted = await api.ok("GET", "/orders/Outgoing", token=await world.token("alice"))
    assert page["Meta"]["TotalCount"] == 0 and unsubmitted["Meta"]["TotalCount"] == 0
    assert len(rx.requests) == 1


async def test_submit_webhooks_fire_for_scheduled_orders(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    await _setup(api)
    rx = receivers.recording()
    await make_webhook(api, rx.url + "/hook", routes=SUBMIT, clients=[CLIENT])
    await make_webhook(api, rx.url + "/other", id="wh2", routes=SUBMIT)  # another client's: silent
    await _integration(api)  # no Url: ordercore submits, through the integration's API client
    [run] = await subscriptions.run_due(services, NOW)
    assert run.order_id and run.refusal is None
    assert await deliver_due(services) == 1
    [hook] = rx.requests
    sent = hook.json()
    assert hook.path == "/hook" and sent["Route"] == "v1/orders/{direction}/{orderID}/submit"
    assert sent["RouteParams"] == {"direction": "Outgoing", "orderID": run.order_id}
    assert sent["Response"]["Body"]["ID"] == run.order_id and sent["Response"]["Body"]["Status"] == "Open"
    # The UserToken is the buyer's, of the integration's client: the middleware can call back.
    me = await api.ok("GET", "/me", token=sent["UserToken"])
    assert me["ID"] == "alice"


async def test_a_prehook_veto_is_the_periods_refusal(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    world = await _setup(api)
    rx = receivers.custom(lambda _req, _i: json_reply({"proceed": False, "body": {"Reason": "on hold"}}))
    await make_webhook(api, rx.url, routes=SUBMIT, clients=[CLIENT], before=True)
    await _integration(api)
    [run] = await subscriptions.run_due(services, NOW)
    assert run.order_id is None
    sub = await api.ok("GET", "/subscriptions/weekly")
    assert sub["LastOrderRefusal"]["ErrorCode"] == "Webhook.PreHookRejected"
    assert sub["LastOrderRefusal"]["Data"] == {"Reason": "on hold"}
    assert sub["NextOrderDate"] == "2030-02-07T09:00:00.000+00:00"
    asked = rx.requests[0].json()
    assert asked["Response"] is None and asked["RouteParams"]["direction"] == "Outgoing"
    seller = await world.seller()
    assert (await api.ok("GET", "/orders/Incoming", token=seller))["Meta"]["TotalCount"] == 0


async def test_an_integration_client_that_cannot_serve_the_buyer_is_refused(
    api: Api, services: Services
) -> None:
    await _setup(api)
    await api.ok("POST", "/apiclients", {"ID": "suppliers-only", "AppName": "S", "Active": True, **TOKENS})
    await api.ok("PUT", "/integrations/subscription", {"ApiClientID": "suppliers-only", "HashKey": "k"})
    [run] = await subscriptions.run_due(services, NOW)
    assert run.refusal is not None
    assert run.refusal["ErrorCode"] == "SubscriptionIntegration.CannotUseApiClient"


async def test_a_reminder_email_notification_days_before_each_order(
    api: Api, services: Services, smtp: SmtpServer
) -> None:
    await _setup(api)
    use_smtp(services, smtp)
    await email_sender(api, ["SubscriptionReminder"])
    await cat.product(api, "p2", price="1")
    await api.ok("POST", "/subscriptions/weekly/items", {"ID": "i2", "ProductID": "p2"})
    await api.ok("PATCH", "/products/p2", {"Active": False})
    # Without NotificationDays nobody is reminded.
    await _integration(api)
    assert await subscription_reminders.remind_due(services, NOW - timedelta(days=1)) == 0
    await api.ok("PATCH", "/integrations/subscription", {"NotificationDays": 2})
    assert await subscription_reminders.remind_due(services, NOW - timedelta(days=3)) == 0  # too early
    before = NOW - timedelta(days=2)
    assert await subscription_reminders.remind_due(services, before) == 1
    assert await subscription_reminders.remind_due(services, NOW - timedelta(hours=1)) == 0  # once per date
    sub = await api.ok("GET", "/subscriptions/weekly")
    assert sub["NotificationDate"] == "2030-01-29T09:00:00.000+00:00"

    assert await deliver_due(services) == 1
    [mail] = smtp.inbox.wait(1)
    assert mail.message["To"] == "alice@example.com"
    assert mail.subject == "Your subscription orders again on 2030-01-31T09:00:00.000+00:00"
    text = mail.part("plain")
    assert "Hello Alice" in text and "subscription weekly" in text and "left out of the order: p2" in text

    # The next order date gets its own reminder.
    await subscriptions.run_due(services, NOW)
    assert await subscription_reminders.remind_due(services, NOW + timedelta(days=5)) == 1
