"""An order's life through the service layer: add lines -> submit -> approve -> forward -> ship
-> return, each step one `WorkUnit` (one transaction) with the caller it runs for."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from app.auth.tokens import Caller
from app.models.approvals import OrderApprovalInfo
from app.services import forwarding, lineitems, order_approvals, orders, returns, shipping
from app.services.order_access import load_order
from app.state import Services
from app.store.repo import Stored
from app.unit import Unit, WorkUnit
from domain.clock import iso, utcnow
from domain.errors import DomainError, Forbidden, InvalidTransition, Unauthorized, ValidationFailed
from domain.order_status import Bookkeeping
from domain.orders import Direction
from tests.api import catalog_fixtures as cat
from tests.api.fulfilment_fixtures import setup_market
from tests.api.order_fixtures import World
from tests.api.test_approvals import group, rule
from tests.helpers import ADMIN_CLIENT

T = TypeVar("T")


def buyer(user: str = "alice", *roles: str) -> Caller:
    return Caller(user, user, "buyer", "b1", ADMIN_CLIENT, frozenset(roles or ("Shopper",)))


def seller(services: Services) -> Caller:
    roles = frozenset({"OrderAdmin", "OrderReader", "ShipmentAdmin"})
    return Caller("seller", "seller", "admin", services.marketplace_id, ADMIN_CLIENT, roles)


async def run(services: Services, who: Caller, use_case: Callable[[Unit], Awaitable[T]]) -> T:
    """One step: a transaction for `who`; the after-commit work runs once it committed."""
    async with WorkUnit.transaction(services, who) as unit:
        return await use_case(unit)


async def run_in_steps(services: Services, who: Caller, use_case: Callable[[Unit], Awaitable[T]]) -> T:
    """A use case that may call out to middleware (a return's calculation) holds no transaction
    while it does: it opens its own short steps (`Unit.read()`/`Unit.write()`), as its
    non-transactional HTTP handler does."""
    async with WorkUnit.reader(services, who) as unit:
        result = await use_case(unit)
    for task in unit.post_commit:
        await task()
    return result


async def order_for(unit: Unit, direction: Direction, order_id: str) -> Stored:
    return await load_order(unit, await unit.caller(), direction, order_id, write=True)


async def stock_of(services: Services, product_id: str) -> Any:
    async with WorkUnit.reader(services) as unit:
        found = await unit.docs.get("product", product_id)
    assert found is not None
    return found.doc["Inventory"]["QuantityAvailable"]


@pytest.fixture
async def market(world: World) -> Services:
    """Products p1 (supplier s1), p2 (s2), p3 (the seller's), p3 with 50 in stock; orders over
    100.00 need the approval of b1's group `managers` (carol)."""
    await setup_market(world)
    await cat.replace(
        world.api, "product", {**await cat.read(world.api, "product", "p3"), "Inventory": cat.inventory(50)}
    )
    await group(world, "managers", "carol")
    await rule(world, "big", "order.Total > 100", "managers")
    return world.api.services


async def test_add_submit_approve_forward_ship_return(market: Services) -> None:
    services, alice, carol, admin = market, buyer(), buyer("carol"), seller(market)

    async def place(unit: Unit) -> dict[str, Any]:
        body = {"ID": "o1", "ShippingAddressID": "addr1", "BillingAddressID": "addr1"}
        order = await orders.create_order(unit, alice, Direction.OUTGOING, body)
        for product_id, quantity in (("p1", 2), ("p2", 3), ("p3", 15)):
            stored = await order_for(unit, Direction.OUTGOING, order["ID"])
            body = {"ID": f"L-{product_id}", "ProductID": product_id, "Quantity": quantity}
            await lineitems.add_line(unit, alice, stored, body)
        return (await order_for(unit, Direction.OUTGOING, "o1")).doc

    placed = await run(services, alice, place)
    assert placed["Status"] == "Unsubmitted" and placed["LineItemCount"] == 3
    assert Decimal(str(placed["Total"])) == Decimal("138.5")  # 20 + 13.5 + 105

    async def submit(unit: Unit) -> dict[str, Any]:
        return await orders.submit_order(unit, await order_for(unit, Direction.OUTGOING, "o1"))

    pending = await run(services, alice, submit)
    assert pending["Status"] == "AwaitingApproval"
    assert await stock_of(services, "p3") == 50  # nothing taken while it awaits approval

    async def approve(unit: Unit) -> dict[str, Any]:
        caller = await unit.caller()
        stored = await load_order(unit, caller, Direction.OUTGOING, "o1", lock=True)
        return await order_approvals.approve_order(unit, caller, stored, OrderApprovalInfo())

    with pytest.raises(Forbidden):  # alice is not in the approving group
        await run(services, alice, approve)
    opened = await run(services, carol, approve)
    assert opened["Status"] == "Open" and opened["IsSubmitted"] is True
    assert await stock_of(services, "p3") == 35

    async def bookkeeping(unit: Unit) -> Bookkeeping:
        found = await unit.docs.get("order", "o1")
        assert found is not None
        return Bookkeeping.load(found.doc)

    books = await run(services, admin, bookkeeping)
    assert [(r.kind, r.id, r.quantity) for r in books.reserved] == [("product", "p3", 15)]

    async def forward(unit: Unit) -> dict[str, Any]:
        caller = await unit.caller(*forwarding.SPLIT_ROLES)
        stored = await forwarding.load_splittable(unit, caller, Direction.INCOMING, "o1")
        return await forwarding.split_order(
            unit, stored.doc, await forwarding.seller_user(unit, caller), submit=True
        )

    forwarded = await run(services, admin, forward)
    assert sorted(o["ToCompanyID"] for o in forwarded["OutgoingOrders"]) == ["s1", "s2"]
    assert all(o["Status"] == "Open" for o in forwarded["OutgoingOrders"])
    assert forwarded["RemainingLineItemIDs"] == ["L-p3"]

    def ship(order_id: str) -> Callable[[Unit], Awaitable[dict[str, Any]]]:
        async def step(unit: Unit) -> dict[str, Any]:
            caller = await unit.caller()
            stored = await order_for(
                unit, Direction.INCOMING if order_id == "o1" else Direction.OUTGOING, order_id
            )
            now = utcnow()
            doc = {"ID": f"ship-{order_id}", "DateShipped": iso(now), "xp": None}
            doc = await shipping.prepare_shipment(unit, caller, doc, None, {})
            return await shipping.ship_order(unit, caller, stored, doc, now)

        return step

    assert (await run(services, admin, ship("o1")))["Status"] == "Open"  # the suppliers' lines wait
    for outgoing in forwarded["OutgoingOrders"]:
        assert (await run(services, admin, ship(outgoing["ID"])))["Status"] == "Completed"

    async def status_of(unit: Unit) -> str:
        return str((await order_for(unit, Direction.INCOMING, "o1")).doc["Status"])

    assert await run(services, admin, status_of) == "Completed"

    async def ask_return(unit: Unit) -> dict[str, Any]:
        body = {"ID": "r1", "OrderID": "o1", "ItemsToReturn": [{"LineItemID": "L-p3", "Quantity": 5}]}
        return await returns.create(unit, await unit.caller(), body)

    asked = await run_in_steps(services, alice, ask_return)
    # No return integration event: the amount is the seller's to set (OrderCloud's rule).
    assert asked["Status"] == "Unsubmitted" and asked["RefundAmount"] is None

    async def set_amount(unit: Unit) -> dict[str, Any]:
        return await returns.update(unit, await unit.caller(), "r1", {"RefundAmount": 35}, full=False)

    priced = await run_in_steps(services, admin, set_amount)
    assert Decimal(str(priced["RefundAmount"])) == Decimal("35")

    async def submit_return(unit: Unit) -> dict[str, Any]:
        caller = await unit.caller()
        order, stored = await returns.load(unit, caller, "r1", write=True)
        return await returns.submit(unit, caller, order, stored)

    assert (await run(services, alice, submit_return))["Status"] == "Open"

    async def complete_return(unit: Unit) -> dict[str, Any]:
        caller = await unit.caller()
        order, stored = await returns.load(unit, caller, "r1", write=True)
        return await returns.complete(unit, caller, order, stored)

    with pytest.raises(Forbidden):  # only the receiving company's OrderAdmin completes a return
        await run(services, alice, complete_return)
    done = await run(services, admin, complete_return)
    assert done["Status"] == "Completed" and Decimal(str(done["RefundAmount"])) == Decimal("35")


async def test_a_refused_step_writes_nothing(market: Services) -> None:
    """The unit is the transaction: a use case that fails midway leaves no trace."""
    services, alice = market, buyer()

    async def create_then_fail(unit: Unit) -> None:
        await orders.create_order(unit, alice, Direction.OUTGOING, {"ID": "o2"})
        stored = await order_for(unit, Direction.OUTGOING, "o2")
        await lineitems.add_line(unit, alice, stored, {"ProductID": "p3", "Quantity": 1})
        await orders.submit_order(unit, await order_for(unit, Direction.OUTGOING, "o2"))
        await orders.submit_order(unit, await order_for(unit, Direction.OUTGOING, "o2"))  # refused

    with pytest.raises(InvalidTransition) as refused:
        await run(services, alice, create_then_fail)
    assert refused.value.code == "Order.CannotSubmitBadStatus"
    async with WorkUnit.reader(services) as unit:
        assert await unit.docs.get("order", "o2") is None
    assert await stock_of(services, "p3") == 50


async def test_status_rules_refuse_through_the_service_layer(market: Services) -> None:
    services, alice, admin = market, buyer(), seller(market)

    async def open_order(unit: Unit) -> dict[str, Any]:
        await orders.create_order(unit, alice, Direction.OUTGOING, {"ID": "o3"})
        stored = await order_for(unit, Direction.OUTGOING, "o3")
        await lineitems.add_line(unit, alice, stored, {"ID": "L1", "ProductID": "p3", "Quantity": 1})
        return await orders.submit_order(unit, await order_for(unit, Direction.OUTGOING, "o3"))

    assert (await run(services, alice, open_order))["Status"] == "Open"

    async def add_more(unit: Unit) -> dict[str, Any]:
        stored = await order_for(unit, Direction.OUTGOING, "o3")
        return await lineitems.add_line(unit, alice, stored, {"ProductID": "p3", "Quantity": 1})

    with pytest.raises(ValidationFailed) as refused:
        await run(services, alice, add_more)
    assert refused.value.code == "Order.CannotModifyBadStatus"
    assert refused.value.data == {"OrderID": "o3", "Status": "Open"}

    async def cancel(unit: Unit) -> dict[str, Any]:
        return await orders.cancel_order(
            unit, await unit.caller(), await order_for(unit, Direction.INCOMING, "o3")
        )

    assert await stock_of(services, "p3") == 49
    canceled = await run(services, admin, cancel)
    assert canceled["Status"] == "Canceled"
    assert await stock_of(services, "p3") == 50  # cancel gave back what submit took

    async def ask_return(unit: Unit) -> dict[str, Any]:
        body = {"OrderID": "o3", "ItemsToReturn": [{"LineItemID": "L1", "Quantity": 1}]}
        return await returns.create(unit, await unit.caller(), body)

    with pytest.raises(DomainError) as no_return:
        await run_in_steps(services, alice, ask_return)
    assert no_return.value.code == "OrderReturn.CannotCreateBadOrderStatus"


async def test_a_unit_without_a_caller_refuses_like_a_request_without_a_token(market: Services) -> None:
    async with WorkUnit.reader(market) as unit:
        with pytest.raises(Unauthorized):
            await unit.caller()


async def test_after_commit_work_runs_only_once_committed(market: Services) -> None:
    ran: list[str] = []

    async def note() -> None:
        ran.append("after")

    async with WorkUnit.transaction(market, buyer()) as unit:
        unit.after_commit(note)
        async with unit.read() as step:  # a step shares the unit's caller and after-commit list
            assert (await step.caller("Shopper")).user_id == "alice"
            step.after_commit(note)
        assert ran == []
    assert ran == ["after", "after"]

    with pytest.raises(Forbidden):
        async with WorkUnit.transaction(market, buyer()) as unit:
            unit.after_commit(note)
            await unit.caller("OrderAdmin")
    assert ran == ["after", "after"]
