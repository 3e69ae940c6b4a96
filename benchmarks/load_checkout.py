"""Checkout load generator, with its baselines measured in the same run.

    python -m benchmarks.load_checkout --users 64 --seconds 20
    python -m benchmarks.load_checkout --users 64 --seconds 20 --db postgresql://postgres@127.0.0.1:5432/test
    python -m benchmarks.load_checkout --db postgresql://... --workers 2      # serve --workers 2
    python -m benchmarks.load_checkout --url http://host:8000 --admin-username ... (a running server)

Without `--url` it starts `ordercore serve` on a free port (a fresh SQLite file, or a schema of
its own on the PostgreSQL database of `--db`, dropped afterwards), seeds a buyer, a Shopper
security profile, an API client, `--products` priced products and one buyer user per simulated
user, signs every user in, and then runs `--users` concurrent users (asyncio + aiohttp, one
keep-alive connection each), each doing checkouts back to back for `--seconds` (each order
takes 3 of the products at random):
3 line items, ship-to, bill-to, a purchase-order payment, submit. It prints orders/s and the
p50/p99 latency of the submit request, then, in the same run:

- GET one submitted order (`/v1/orders/Incoming/{id}`, the seller's admin token) for
  `--get-seconds` against a bare Litestar + msgspec app (its own process, same uvicorn) serving
  the same order JSON: requests/s each and the ratio;
- the raw driver's order transaction for `--baseline-seconds` (asyncpg on PostgreSQL: insert the
  order, insert 3 lines, update the order's totals, commit, from as many concurrent tasks as
  users; sqlite3 on SQLite, one writer): transactions/s, against which checkout orders/s is given.

The server it starts signs users in with the cheapest argon2 profile (the seeding signs in one
user per simulated user); the checkout requests do not hash passwords. Not part of the test run
(`tests/integration/test_load_checkout.py` only runs it for a few seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import secrets
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Load-pass-1234"
ADDRESS = {
    "CompanyName": "Acme",
    "FirstName": "Ann",
    "LastName": "Lee",
    "Street1": "1 Main St",
    "City": "Springfield",
    "State": "IL",
    "Zip": "62701",
    "Country": "US",
}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pg_dsn(url: str) -> str:
    """A plain libpq URL for asyncpg from whatever the user typed."""
    for prefix in ("postgresql+asyncpg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix) :]
    return url


async def pg_execute(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(pg_dsn(url))
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


# --- processes -------------------------------------------------------------------------------


@dataclass
class Proc:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


async def wait_up(url: str, proc: Proc, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as session:
        while True:
            if proc.process.poll() is not None:
                raise RuntimeError(f"{url} exited:\n{proc.log.read_text(errors='replace')}")
            try:
                async with session.get(url, timeout=aiohttp.ClientTimeout(total=2)) as r:
                    if r.status < 500:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                proc.stop()
                raise RuntimeError(
                    f"{url} did not answer in {timeout}s:\n{proc.log.read_text(errors='replace')}"
                )
            await asyncio.sleep(0.2)


def start_ordercore(
    workdir: Path,
    database_args: list[str],
    *,
    tree: Path = ROOT,
    name: str = "server",
    pythonpath: str | None = None,
) -> Proc:
    """`ordercore serve` of `tree` (run with `pythonpath` when given), its output in `<name>.log`;
    `database_args` also carry any other `serve` options."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = workdir / f"{name}.log"
    command = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), "--public-url", url]
    command += [*database_args, "--no-worker"]
    env = {
        **os.environ,
        **({"PYTHONPATH": pythonpath} if pythonpath is not None else {}),
        "PYTHONUNBUFFERED": "1",
        "ORDERCORE_LOG_LEVEL": "warning",
        "ORDERCORE_ARGON2_PROFILE": "CHEAPEST",
        "ORDERCORE_TOKEN_RATE_PER_ADDRESS": "0",
        "ORDERCORE_TOKEN_RATE_PER_CLIENT": "0",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=tree, stdout=out, stderr=subprocess.STDOUT, env=env)
    return Proc(url, process, log)


def credentials(log: Path) -> dict[str, Any]:
    text = log.read_text(errors="replace")
    start = text.find("\n{")
    if start < 0:
        raise RuntimeError(f"the server printed no credentials:\n{text}")
    found, _ = json.JSONDecoder().raw_decode(text[start + 1 :])
    return dict(found)


def start_bare(workdir: Path, order: dict[str, Any], path: str) -> Proc:
    body = workdir / "order.json"
    body.write_text(json.dumps(order))
    port = free_port()
    log = workdir / "bare.log"
    command = [sys.executable, "-m", "benchmarks.load_checkout", "--bare-app", str(body), path, str(port)]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    return Proc(f"http://127.0.0.1:{port}", process, log)


def run_bare_app(body_file: str, path: str, port: int) -> None:
    """The baseline server: Litestar answering the order JSON at the same path, through the same
    uvicorn, with msgspec encoding the decoded document on every request (as the app does)."""
    import msgspec
    import uvicorn
    from litestar import Litestar, get

    order = msgspec.json.decode(Path(body_file).read_bytes())

    @get(path, sync_to_thread=False)
    def one_order() -> dict[str, Any]:
        return dict(order)

    uvicorn.run(Litestar([one_order]), host="127.0.0.1", port=port, log_level="warning", access_log=False)


def process_tree_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process and its descendants (`serve --workers N` forks),
    from /proc (Linux); None elsewhere. Finished children are not counted."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, pending = 0.0, [pid]
    try:
        while pending:
            current = pending.pop()
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{current}/task").iterdir():
                pending += [int(c) for c in (task / "children").read_text().split()]
    except (OSError, ValueError):
        return None
    return total


def named_processes_cpu(name: str) -> float:
    """User + system CPU seconds of every live process called `name` (the local database
    server's backends), from /proc; 0.0 where there is no /proc."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            head, rest = stat.read_text().rsplit(")", 1)
        except OSError:  # the process ended while we looked
            continue
        if head.split("(", 1)[1] == name:
            fields = rest.split()
            total += (int(fields[11]) + int(fields[12])) / tick
    return total


# --- the API ---------------------------------------------------------------------------------


class Failed(Exception):
    pass


@dataclass
class Client:
    session: aiohttp.ClientSession
    base: str
    token: str = ""

    async def call(self, method: str, path: str, body: Any = None, *, token: str | None = None) -> Any:
        headers = {"Authorization": f"Bearer {token or self.token}"}
        async with self.session.request(method, self.base + "/v1" + path, json=body, headers=headers) as r:
            raw = await r.read()
            if r.status >= 300:
                raise Failed(f"{method} {path}: {r.status} {raw[:300]!r}")
            return json.loads(raw) if raw else None

    async def sign_in(self, username: str, password: str, client_id: str) -> str:
        form = {"grant_type": "password", "username": username, "password": password, "client_id": client_id}
        async with self.session.post(self.base + "/oauth/token", data=form) as r:
            answer = await r.json(content_type=None)
            if r.status != 200:
                raise Failed(f"sign-in of {username}: {r.status} {answer}")
            return str(answer["access_token"])


@dataclass
class World:
    buyer: str
    client_id: str
    products: list[str]
    tokens: list[str] = field(default_factory=list)


async def seed(api: Client, *, users: int, products: int) -> World:
    run = secrets.token_hex(3)
    world = World(
        buyer=f"lb{run}", client_id=f"load-{run}", products=[f"lp{run}-{n}" for n in range(products)]
    )
    await api.call("POST", "/buyers", {"ID": world.buyer, "Name": "Load buyer"})
    profile = f"load-shopper-{run}"
    await api.call(
        "POST", "/securityprofiles", {"ID": profile, "Name": profile, "Roles": ["Shopper", "MeAdmin"]}
    )
    await api.call(
        "POST", "/securityprofiles/assignments", {"SecurityProfileID": profile, "BuyerID": world.buyer}
    )
    client = {"ID": world.client_id, "AppName": "Load", "AccessTokenDuration": 600, "AllowAnyBuyer": True}
    await api.call("POST", "/apiclients", client)
    gate = asyncio.Semaphore(8)

    async def product(n: int, pid: str) -> None:
        async with gate:
            schedule = {"ID": f"{pid}-ps", "Name": pid, "PriceBreaks": [{"Quantity": 1, "Price": 5 + n % 7}]}
            await api.call("POST", "/priceschedules", schedule)
            await api.call(
                "POST",
                "/products",
                {"ID": pid, "Name": f"Product {n}", "DefaultPriceScheduleID": schedule["ID"], "Active": True},
            )
            await api.call("POST", "/products/assignments", {"ProductID": pid, "BuyerID": world.buyer})

    async def user(n: int) -> str:
        async with gate:
            uid = f"{world.buyer}-u{n}"
            body = {
                "ID": uid,
                "Username": uid,
                "Password": PASSWORD,
                "FirstName": "Load",
                "LastName": "User",
                "Email": f"{uid}@example.com",
                "Active": True,
            }
            await api.call("POST", f"/buyers/{world.buyer}/users", body)
            return await api.sign_in(uid, PASSWORD, world.client_id)

    await asyncio.gather(*(product(n, p) for n, p in enumerate(world.products)))
    world.tokens = list(await asyncio.gather(*(user(n) for n in range(users))))
    return world


@dataclass
class Checkouts:
    orders: int = 0
    errors: int = 0
    first_error: str | None = None
    submit_ms: list[float] = field(default_factory=list)
    order_ids: list[str] = field(default_factory=list)
    elapsed: float = 0.0


async def checkout(
    api: Client, token: str, products: list[str], rng: random.Random, stats: Checkouts
) -> None:
    for i, product in enumerate(rng.sample(products, min(3, len(products)))):
        line = {"ProductID": product, "Quantity": 1 + i}
        await api.call("POST", "/cart/lineitems", line, token=token)
    await api.call("PUT", "/cart/shipto", ADDRESS, token=token)
    await api.call("PUT", "/cart/billto", ADDRESS, token=token)
    await api.call("POST", "/cart/payments", {"Type": "PurchaseOrder"}, token=token)
    started = time.perf_counter()
    order = await api.call("POST", "/cart/submit", token=token)
    stats.submit_ms.append((time.perf_counter() - started) * 1000)
    stats.orders += 1
    if len(stats.order_ids) < 10:
        stats.order_ids.append(str(order["ID"]))


async def run_checkouts(base: str, world: World, seconds: float) -> Checkouts:
    stats = Checkouts()
    connector = aiohttp.TCPConnector(limit=len(world.tokens), force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        api = Client(session, base)
        deadline = time.perf_counter() + seconds

        async def shopper(u: int, token: str) -> None:
            rng = random.Random(u)  # each user picks its own 3 products for every order
            while time.perf_counter() < deadline:
                try:
                    await checkout(api, token, world.products, rng, stats)
                except (Failed, aiohttp.ClientError, TimeoutError) as exc:
                    stats.errors += 1
                    stats.first_error = stats.first_error or str(exc)
                    # A failed step leaves the cart as it is; start afresh with a new one.
                    await asyncio.sleep(0.05)
                    with contextlib.suppress(Failed, aiohttp.ClientError):
                        await api.call("DELETE", "/cart", token=token)

        started = time.perf_counter()
        await asyncio.gather(*(shopper(u, t) for u, t in enumerate(world.tokens)))
        stats.elapsed = time.perf_counter() - started
    return stats


async def hammer_get(url: str, headers: dict[str, str], concurrency: int, seconds: float) -> float:
    """Requests/s of GET `url` from `concurrency` keep-alive connections for `seconds`."""
    done = 0
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as session:
        async with session.get(url, headers=headers) as r:  # warm: connection, caches
            if r.status != 200:
                raise Failed(f"GET {url}: {r.status} {(await r.read())[:300]!r}")
        deadline = time.perf_counter() + seconds

        async def one() -> None:
            nonlocal done
            while time.perf_counter() < deadline:
                async with session.get(url, headers=headers) as r:
                    await r.read()
                    if r.status != 200:
                        raise Failed(f"GET {url}: {r.status}")
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(one() for _ in range(concurrency)))
        return done / (time.perf_counter() - started)


# --- raw driver baselines --------------------------------------------------------------------

ORDER_DOC = {"Status": "Open", "FromCompanyID": "b1", "ToCompanyID": "seller", "Total": 0}


async def raw_asyncpg(url: str, concurrency: int, seconds: float) -> float:
    """Order transactions/s straight through asyncpg: insert the order, its 3 lines (one
    executemany), update the order's totals, commit; `concurrency` tasks on a pool of 20."""
    import asyncpg

    schema = "load_raw_" + secrets.token_hex(4)
    dsn = pg_dsn(url)
    await pg_execute(
        url,
        f'CREATE SCHEMA "{schema}"; '
        f'CREATE TABLE "{schema}".orders (id text PRIMARY KEY, doc jsonb NOT NULL); '
        f'CREATE TABLE "{schema}".lines '
        "(order_id text, id text, doc jsonb NOT NULL, PRIMARY KEY (order_id, id))",
    )
    pool = await asyncpg.create_pool(dsn, min_size=20, max_size=20, server_settings={"search_path": schema})
    done = 0
    try:
        deadline = time.perf_counter() + seconds

        async def worker(w: int) -> None:
            nonlocal done
            n = 0
            while time.perf_counter() < deadline:
                oid = f"o{w}-{n}"
                n += 1
                async with pool.acquire() as conn, conn.transaction():
                    await conn.execute(
                        "INSERT INTO orders VALUES ($1, $2::jsonb)", oid, json.dumps(ORDER_DOC)
                    )
                    await conn.executemany(
                        "INSERT INTO lines VALUES ($1, $2, $3::jsonb)",
                        [(oid, f"l{i}", json.dumps({"Quantity": i + 1, "UnitPrice": 5})) for i in range(3)],
                    )
                    await conn.execute(
                        "UPDATE orders SET doc = jsonb_set(doc, '{Total}', to_jsonb($2::numeric)) "
                        "WHERE id = $1",
                        oid,
                        "30",
                    )
                done += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker(w) for w in range(concurrency)))
        return done / (time.perf_counter() - started)
    finally:
        await pool.close()
        await pg_execute(url, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def raw_sqlite(path: Path, seconds: float) -> float:
    """The same transaction through sqlite3 (WAL, synchronous=NORMAL like the app), one writer."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE orders (id TEXT PRIMARY KEY, doc TEXT NOT NULL)")
    db.execute("CREATE TABLE lines (order_id TEXT, id TEXT, doc TEXT NOT NULL, PRIMARY KEY (order_id, id))")
    done = 0
    deadline = time.perf_counter() + seconds
    started = time.perf_counter()
    while time.perf_counter() < deadline:
        oid = f"o{done}"
        db.execute("BEGIN IMMEDIATE")
        db.execute("INSERT INTO orders VALUES (?, ?)", (oid, json.dumps(ORDER_DOC)))
        db.executemany(
            "INSERT INTO lines VALUES (?, ?, ?)",
            [(oid, f"l{i}", json.dumps({"Quantity": i + 1, "UnitPrice": 5})) for i in range(3)],
        )
        db.execute("UPDATE orders SET doc = json_set(doc, '$.Total', 30) WHERE id = ?", (oid,))
        db.execute("COMMIT")
        done += 1
    rate = done / (time.perf_counter() - started)
    db.close()
    return rate


# --- the run ---------------------------------------------------------------------------------


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def ratio(a: float, b: float) -> str:
    return f"{a / b:.3f}x" if b else "n/a"


async def measure(args: argparse.Namespace, workdir: Path) -> dict[str, Any]:
    procs: list[Proc] = []
    schema = ""
    try:
        if args.url:
            base = args.url.rstrip("/")
            creds = {
                "Username": args.admin_username,
                "Password": args.admin_password,
                "ClientID": args.admin_client_id,
            }
        else:
            if args.db and args.db.startswith(("postgres", "postgresql")):
                schema = "load_" + secrets.token_hex(4)
                await pg_execute(args.db, f'CREATE SCHEMA "{schema}"')
                database_args = ["--database-url", args.db, "--database-schema", schema]
            else:
                database_args = ["--database-url", args.db or f"sqlite:///{workdir / 'load.db'}"]
            server = start_ordercore(workdir, [*database_args, "--workers", str(args.workers)])
            procs.append(server)
            await wait_up(server.url + "/oauth/certs", server, args.start_timeout)
            base = server.url
            creds = credentials(server.log)
        async with aiohttp.ClientSession() as session:
            admin = Client(session, base)
            admin.token = await admin.sign_in(creds["Username"], creds["Password"], creds["ClientID"])
            world = await seed(admin, users=args.users, products=args.products)
        print(
            f"seeded: buyer {world.buyer}, {len(world.products)} products, {len(world.tokens)} users",
            flush=True,
        )

        cpu_before = process_tree_cpu(procs[0].process.pid) if procs else None
        # Where the rest of the machine's CPU goes: this load generator, and (on a local server)
        # PostgreSQL's backends. On 2 cores their sum per checkout bounds the orders/s.
        own_before, db_before = time.process_time(), named_processes_cpu("postgres")
        stats = await run_checkouts(base, world, args.seconds)
        cpu_after = process_tree_cpu(procs[0].process.pid) if procs else None
        own_after, db_after = time.process_time(), named_processes_cpu("postgres")
        orders_per_s = stats.orders / stats.elapsed if stats.elapsed else 0.0
        result: dict[str, Any] = {
            "users": args.users,
            "workers": args.workers,
            "orders": stats.orders,
            "errors": stats.errors,
            "first_error": stats.first_error,
            "orders_per_s": orders_per_s,
            "submit_p50_ms": percentile(stats.submit_ms, 0.50),
            "submit_p99_ms": percentile(stats.submit_ms, 0.99),
        }
        if cpu_before is not None and cpu_after is not None and stats.orders:
            result["server_cpu_ms_per_order"] = (cpu_after - cpu_before) * 1000 / stats.orders
        if stats.orders:
            result["client_cpu_ms_per_order"] = (own_after - own_before) * 1000 / stats.orders
            result["database_cpu_ms_per_order"] = (db_after - db_before) * 1000 / stats.orders
        if not stats.order_ids:
            return result

        # GET one order: ordercore vs a bare Litestar app serving the same JSON.
        path = f"/v1/orders/Incoming/{stats.order_ids[0]}"
        headers = {"Authorization": f"Bearer {admin.token}"}
        async with aiohttp.ClientSession() as session, session.get(base + path, headers=headers) as r:
            order = await r.json()
        concurrency = min(args.users, 32)
        result["get_order_per_s"] = await hammer_get(base + path, headers, concurrency, args.get_seconds)
        bare = start_bare(workdir, order, path)
        procs.append(bare)
        await wait_up(bare.url + path, bare, args.start_timeout)
        result["bare_get_per_s"] = await hammer_get(bare.url + path, headers, concurrency, args.get_seconds)

        # The raw driver's order transaction.
        if args.db and args.db.startswith(("postgres", "postgresql")):
            result["raw_kind"] = "asyncpg order transaction"
            result["raw_per_s"] = await raw_asyncpg(args.db, args.users, args.baseline_seconds)
        else:
            result["raw_kind"] = "sqlite3 order transaction"
            result["raw_per_s"] = await asyncio.to_thread(
                raw_sqlite, workdir / "raw.db", args.baseline_seconds
            )
        return result
    except BaseException:
        for proc in procs:  # what the servers said, for the failure's cause
            print(f"--- {proc.log.name}:\n{proc.log.read_text(errors='replace')[-6000:]}", file=sys.stderr)
        raise
    finally:
        for proc in procs:
            proc.stop()
        if schema:
            await pg_execute(args.db, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def report(r: dict[str, Any]) -> str:
    lines = [
        f"checkout ({r['users']} users, {r['workers']} process(es)): {r['orders']} orders, "
        f"{r['orders_per_s']:.1f} orders/s, "
        f"submit p50 {r['submit_p50_ms']:.1f} ms, p99 {r['submit_p99_ms']:.1f} ms, "
        f"errors {r['errors']}" + (f" (first: {r['first_error']})" if r["first_error"] else ""),
    ]
    if "server_cpu_ms_per_order" in r:
        lines.append(f"  server CPU per checkout: {r['server_cpu_ms_per_order']:.1f} ms")
    if "client_cpu_ms_per_order" in r:
        lines.append(
            f"  load generator CPU per checkout: {r['client_cpu_ms_per_order']:.1f} ms; "
            f"PostgreSQL processes (all of this machine's): {r['database_cpu_ms_per_order']:.1f} ms"
        )
    if "raw_per_s" in r:
        lines.append(
            f"  baseline {r['raw_kind']}: {r['raw_per_s']:.0f}/s "
            f"-> checkout {ratio(r['orders_per_s'], r['raw_per_s'])}"
        )
        lines.append(
            f"GET one order: {r['get_order_per_s']:.0f} req/s; bare Litestar + msgspec, same JSON: "
            f"{r['bare_get_per_s']:.0f} req/s -> {ratio(r['get_order_per_s'], r['bare_get_per_s'])}"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m benchmarks.load_checkout", description=__doc__.split("\n\n")[0]
    )
    p.add_argument("--users", type=int, default=64, help="concurrent users (default 64)")
    p.add_argument("--seconds", type=float, default=20.0, help="checkout phase length (default 20)")
    p.add_argument("--db", help="database of the server it starts: postgresql://... (default: a SQLite file)")
    p.add_argument(
        "--workers", type=int, default=1, help="API processes of the server it starts (PostgreSQL)"
    )
    p.add_argument("--url", help="a running server instead (needs the --admin-* credentials)")
    p.add_argument("--admin-username", default=os.environ.get("ORDERCORE_ADMIN_USERNAME", "admin"))
    p.add_argument("--admin-password", default=os.environ.get("ORDERCORE_ADMIN_PASSWORD", ""))
    p.add_argument(
        "--admin-client-id", default=os.environ.get("ORDERCORE_ADMIN_CLIENT_ID", "ordercore-admin")
    )
    p.add_argument(
        "--products",
        type=int,
        default=200,
        help="products to seed (default 200); each order takes 3 at random (fewer: more share one)",
    )
    p.add_argument("--get-seconds", type=float, default=5.0, help="GET-order phase per server (default 5)")
    p.add_argument("--baseline-seconds", type=float, default=5.0, help="raw-driver phase (default 5)")
    p.add_argument("--start-timeout", type=float, default=180.0, help="seconds to wait for a server")
    p.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    p.add_argument("--bare-app", nargs=3, metavar=("BODY", "PATH", "PORT"), help=argparse.SUPPRESS)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if args.bare_app:
        body, path, port = args.bare_app
        run_bare_app(body, path, int(port))
        return 0
    with tempfile.TemporaryDirectory(prefix="load-checkout-") as tmp:
        result = asyncio.run(measure(args, Path(tmp)))
    print(report(result), flush=True)
    if args.json:
        print(json.dumps(result), flush=True)
    return 0 if result["orders"] and not result["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
