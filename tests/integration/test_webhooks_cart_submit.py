"""Both ways a buyer submits an order fire webhooks, each on its own route: `Cart.Submit`
(`v1/cart/submit`) and `Orders.Submit` (`v1/orders/{direction}/{orderID}/submit`). A webhook that
should see every submission lists both routes (docs/webhooks.md, "When a webhook fires")."""

from __future__ import annotations

from app.state import Services
from app.webhooks.worker import deliver_due
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import make_world
from tests.helpers import Api
from tests.integration.receivers import ReceiverPool
from tests.integration.webhooks_support import make_webhook

ROUTES = [("v1/orders/{direction}/{orderID}/submit", "POST"), ("v1/cart/submit", "POST")]


async def test_cart_submit_and_order_submit_each_fire_on_their_route(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    world = await make_world(api)
    await cat.product(api, "p1", price="5")
    rx = receivers.recording()
    await make_webhook(api, rx.url + "/hook", routes=ROUTES)
    token = await world.token("alice")

    await api.ok("POST", "/cart/lineitems", {"ProductID": "p1", "Quantity": 2}, token=token)
    from_cart = await api.ok("POST", "/cart/submit", token=token)
    order = await world.new_order()
    await world.add_line(order["ID"], "p1")
    from_orders = await world.submit(order["ID"])

    assert await deliver_due(services) == 2
    sent = {r.json()["Route"]: r.json() for r in rx.requests}
    assert set(sent) == {"v1/cart/submit", "v1/orders/{direction}/{orderID}/submit"}
    assert sent["v1/cart/submit"]["RouteParams"] == {}
    assert sent["v1/cart/submit"]["Response"]["Body"]["ID"] == from_cart["ID"]
    routed = sent["v1/orders/{direction}/{orderID}/submit"]
    assert routed["RouteParams"] == {"direction": "Outgoing", "orderID": order["ID"]}
    assert routed["Response"]["Body"]["ID"] == from_orders["ID"]
    assert {s["Response"]["Body"]["Status"] for s in sent.values()} == {"Open"}


async def test_an_order_submit_webhook_alone_does_not_see_cart_submits(
    api: Api, services: Services, receivers: ReceiverPool
) -> None:
    world = await make_world(api)
    await cat.product(api, "p1", price="5")
    rx = receivers.recording()
    await make_webhook(api, rx.url + "/hook", routes=ROUTES[:1])
    token = await world.token("alice")
    await api.ok("POST", "/cart/lineitems", {"ProductID": "p1"}, token=token)
    await api.ok("POST", "/cart/submit", token=token)
    assert await deliver_due(services) == 0
    assert rx.requests == []
