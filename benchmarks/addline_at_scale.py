"""Add-line cost against cart size (issue #13 item 2: the line at 1,000 within 1.3x of line 1).

One store (SQLite file, or a PostgreSQL schema of its own), buyer b1 with a shopper and 30
products (fixed price, not cumulative). Two carts: `small` holds 1 line, `large` holds `--lines`
lines (the first added through the API, the rest copied from it straight into the table with the
order's Subtotal and LineItemCount kept right, as the API would have left them). Then, alternating
between the carts, `--rounds` lines are added to each through the whole app
(POST /v1/orders/Outgoing/{id}/lineitems) and the median time of each is printed with their ratio.

Run: python -m benchmarks.addline_at_scale --backend sqlite --lines 1000
"""

from __future__ import annotations

import argparse
import copy
import statistics
import time
from decimal import Decimal

from app.auth.revocation import identity_claims
from app.store.repo import Docs
from benchmarks.appenv import AppEnv
from benchmarks.lists_at_scale import store_env

PRODUCTS = 30


async def _setup(env: AppEnv) -> str:
    await env.call("POST", "/buyers", {"ID": "b1", "Name": "Buyer"})
    user = {"ID": "shopper", "Username": "shopper", "FirstName": "S", "LastName": "U"}
    await env.call("POST", "/buyers/b1/users", {**user, "Email": "s@example.com", "Active": True})
    schedule = {"ID": "ps", "Name": "P", "PriceBreaks": [{"Quantity": 1, "Price": 3}]}
    await env.call("POST", "/priceschedules", schedule)
    for n in range(PRODUCTS):
        product = {"ID": f"p{n}", "Name": f"P{n}", "DefaultPriceScheduleID": "ps", "Active": True}
        await env.call("POST", "/products", product)
        await env.call("POST", "/products/assignments", {"ProductID": f"p{n}", "BuyerID": "b1"})
    async with env.services.db.reader() as conn:
        docs = Docs(conn)
        found_user, buyer = await docs.get("user", "shopper", "b1"), await docs.get("buyer", "b1")
    assert found_user is not None and buyer is not None
    claims = {"usr": "shopper", "u": "shopper", "usrtype": "buyer", "cmp": "b1", "role": ["Shopper"]}
    return await env.mint({**claims, **identity_claims(found_user.doc, buyer.doc)})


async def _cart(env: AppEnv, token: str, order_id: str, lines: int) -> None:
    await env.call("POST", "/orders/Outgoing", {"ID": order_id}, token=token)
    body = {"ID": "l0", "ProductID": "p0", "Quantity": 1}
    await env.call("POST", f"/orders/Outgoing/{order_id}/lineitems", body, token=token)
    if lines <= 1:
        return
    async with env.services.db.transaction() as conn:
        docs = Docs(conn)
        first = (await docs.all("lineitem", scope=order_id))[0]
        for n in range(1, lines):
            line = copy.deepcopy(first)
            line.update(ID=f"l{n}", ProductID=f"p{n % PRODUCTS}")
            await docs.insert("lineitem", line, order_id, absent=True)
        stored = await docs.get("order", order_id)
        assert stored is not None
        order = dict(stored.doc)
        subtotal = Decimal(str(first["LineSubtotal"])) * lines
        order.update(LineItemCount=lines, Subtotal=subtotal, Total=subtotal)
        await docs.replace("order", order_id, order)


async def measure(env: AppEnv, lines: int, rounds: int) -> dict[str, float]:
    token = await _setup(env)
    sizes = {"small": 1, "large": lines}
    for order_id, size in sizes.items():
        await _cart(env, token, order_id, size)
    times: dict[str, list[float]] = {name: [] for name in sizes}
    for r in range(rounds + 3):  # 3 warm-up rounds
        for order_id in sizes:
            body = {"ID": f"x{r}", "ProductID": f"p{r % PRODUCTS}", "Quantity": 2}
            began = time.perf_counter()
            await env.call("POST", f"/orders/Outgoing/{order_id}/lineitems", body, token=token)
            if r >= 3:
                times[order_id].append((time.perf_counter() - began) * 1000)
    return {name: statistics.median(t) for name, t in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--lines", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    with store_env(args.backend) as env:
        result = env.run(measure(env, args.lines, args.rounds))
    print(
        f"{args.backend}: add-line p50 at line 2 {result['small']:.2f} ms, at line {args.lines + 1} "
        f"{result['large']:.2f} ms, ratio {result['large'] / result['small']:.2f}x",
        flush=True,
    )


if __name__ == "__main__":
    main()
