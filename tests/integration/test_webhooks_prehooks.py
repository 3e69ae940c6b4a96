"""Pre-hooks: asked before the write, signed like post-hooks, and a "no" (or no answer) leaves
everything as it was."""

from __future__ import annotations

from dataclasses import replace

from app.state import Services
from app.webhooks.worker import deliver_due
from integrations.signing import verify_standard_webhook
from tests.helpers import Api, error_code
from tests.integration.receivers import HASH_KEY, ReceiverPool, json_reply
from tests.integration.webhooks_support import CONFIG, deliveries, make_webhook

PATCH_ROUTE = [("v1/buyers/{buyerID}", "PATCH"), ("v1/buyers", "POST")]


async def test_prehook_veto_leaves_the_resource_as_it_was(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Original"})
    answer = {"proceed": False, "body": {"Reason": "frozen account", "Code": 7}}
    rx = receivers.custom(lambda _req, _i: json_reply(answer))
    await make_webhook(api, rx.url, routes=PATCH_ROUTE, before=True)

    refused = await api.patch("/buyers/b1", {"Name": "Changed"}, params={"note": "x"})
    assert refused.status_code == 400 and error_code(refused) == "Webhook.PreHookRejected"
    assert refused.json()["Errors"][0]["Data"] == {"Reason": "frozen account", "Code": 7}
    assert (await api.ok("GET", "/buyers/b1"))["Name"] == "Original"
    created = await api.post("/buyers", {"ID": "b2", "Name": "New"})
    assert created.status_code == 400
    assert (await api.get("/buyers/b2")).status_code == 404

    asked = rx.requests[0]
    assert asked.oc_hash_valid is True and verify_standard_webhook(dict(asked.headers), asked.body, HASH_KEY)
    sent = asked.json()
    assert sent["Route"] == "v1/buyers/{buyerID}" and sent["RouteParams"] == {"buyerID": "b1"}
    assert sent["QueryParams"] == {"note": "x"} and sent["Verb"] == "PATCH"
    assert sent["Request"] == {"Body": {"Name": "Changed"}, "Headers": None}
    assert sent["Response"] is None and sent["ConfigData"] == CONFIG
    assert sent["UserToken"] == api.admin_token
    # Pre-hooks are answered synchronously; nothing is queued for them.
    assert await deliveries(api) == [] and await deliver_due(services) == 0


async def test_prehook_that_proceeds_lets_the_write_through(api: Api, receivers: ReceiverPool) -> None:
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Original"})
    rx = receivers.custom(lambda _req, _i: json_reply({"Proceed": True}))
    await make_webhook(api, rx.url, routes=PATCH_ROUTE, before=True)
    changed = await api.ok("PATCH", "/buyers/b1", {"Name": "Changed"})
    assert changed["Name"] == "Changed" and len(rx.requests) == 1


async def test_prehook_timeout_rejects(api: Api, services: Services, receivers: ReceiverPool) -> None:
    services.settings = replace(services.settings, webhook_timeout=0.3)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Original"})
    rx = receivers.hanging()
    await make_webhook(api, rx.url, routes=PATCH_ROUTE, before=True)
    refused = await api.patch("/buyers/b1", {"Name": "Changed"})
    assert refused.status_code == 400 and error_code(refused) == "Webhook.PreHookFailed"
    assert refused.json()["Errors"][0]["Data"] == {"WebhookID": "wh1", "Error": "Timeout", "StatusCode": None}
    assert (await api.ok("GET", "/buyers/b1"))["Name"] == "Original"


async def test_prehook_unusable_answers_reject(api: Api, receivers: ReceiverPool) -> None:
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Original"})
    for rx, status in ((receivers.garbage(), 200), (receivers.status(500), 500)):
        await api.ok(
            "PUT",
            "/webhooks/wh1",
            {
                "ID": "wh1",
                "Name": "gate",
                "Url": rx.url,
                "HashKey": HASH_KEY,
                "BeforeProcessRequest": True,
                "ApiClientIDs": ["ordercore-admin"],
                "WebhookRoutes": [{"Route": "v1/buyers/{buyerID}", "Verb": "PATCH"}],
            },
        )
        refused = await api.patch("/buyers/b1", {"Name": "Changed"})
        assert error_code(refused) == "Webhook.PreHookFailed"
        assert refused.json()["Errors"][0]["Data"]["StatusCode"] == status
    assert (await api.ok("GET", "/buyers/b1"))["Name"] == "Original"


async def test_prehook_and_posthook_on_one_write(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    gate = receivers.custom(lambda _req, _i: json_reply({"proceed": True}))
    after = receivers.recording()
    await make_webhook(api, gate.url, id="gate", before=True)
    await make_webhook(api, after.url, id="after")
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    assert await deliver_due(services) == 1
    pre, post = gate.requests[0].json(), after.requests[0].json()
    # One request, one LogID, whichever hook it went to.
    assert pre["LogID"] == post["LogID"] and pre["Date"] == post["Date"]
    assert pre["Response"] is None and post["Response"]["Body"]["ID"] == "b1"


async def test_elevated_roles_reach_the_user_token(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    rx = receivers.recording()
    await make_webhook(api, rx.url, ElevatedRoles=["OrderAdmin"])
    claims = {"usr": "admin", "u": "admin", "cid": "ordercore-admin", "usrtype": "admin", "cmp": "ordercore"}
    limited = await services.tokens.issue({**claims, "role": ["BuyerAdmin"]}, 600)
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "Buyer"}, token=limited)
    await deliver_due(services)
    token = rx.requests[0].json()["UserToken"]
    assert token != limited
    caller = await services.tokens.caller(token)
    assert caller.roles == {"BuyerAdmin", "OrderAdmin"} and caller.client_id == "ordercore-admin"
    assert caller.user_id == "admin"
