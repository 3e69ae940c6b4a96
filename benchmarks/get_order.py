"""GET one 10-line order through `ordercore serve` against a bare Litestar + msgspec app serving
the same JSON, measured with wrk in one run (rounds interleaved, medians).

    python -m benchmarks.get_order                                   # SQLite file
    python -m benchmarks.get_order --db postgresql://postgres@127.0.0.1:5432/test
    python -m benchmarks.get_order --before /path/to/other/tree      # also that tree's server

It starts `ordercore serve` (a fresh SQLite file, or a PostgreSQL schema of its own, dropped
afterwards), seeds a buyer user with a submitted 10-line order, and starts the bare app of
`benchmarks.load_checkout` (its own process, the same uvicorn) answering that order's JSON at the
same path. With `--before TREE` a second `ordercore serve` runs that tree's code on a database of
its own, seeded the same way, so a change is measured against its base in the same run.

Each round runs `wrk -t1 -c{connections} -d{seconds}s` (with the seller admin's token) against
every server in turn; the report gives each server's median requests/s, its server CPU per
request (the process's user + system time over the round, from /proc), and the ratio to the bare
app's median. Needs `wrk` on PATH (Debian: `apt-get install wrk`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp

from benchmarks.load_checkout import (
    ADDRESS,
    Client,
    Proc,
    credentials,
    pg_execute,
    seed,
    start_bare,
    start_ordercore,
    wait_up,
)

ROOT = Path(__file__).resolve().parents[1]
LINES = 10


@dataclass
class Target:
    name: str
    proc: Proc
    path: str
    token: str
    rates: list[float] = field(default_factory=list)
    cpu_us: list[float] = field(default_factory=list)


def start_server(
    tree: Path, workdir: Path, name: str, database_args: list[str], *, pure: bool = False
) -> Proc:
    paths = [*([str(hide_speedups(workdir))] if pure else []), str(tree)]
    return start_ordercore(workdir, database_args, tree=tree, name=name, pythonpath=os.pathsep.join(paths))


def hide_speedups(workdir: Path) -> Path:
    """A directory whose `uvloop` and `httptools` fail to import, so uvicorn's "auto" falls back
    to asyncio's loop and h11 (what a server without those two packages runs)."""
    stubs = workdir / "no-speedups"
    stubs.mkdir(exist_ok=True)
    for name in ("uvloop", "httptools"):
        (stubs / f"{name}.py").write_text(f"raise ImportError('{name} hidden by benchmarks.get_order')\n")
    return stubs


async def seed_order(server: Proc) -> tuple[str, str, dict[str, Any]]:
    """A submitted 10-line order: its Incoming path, the admin's token and the order's JSON."""
    creds = credentials(server.log)
    async with aiohttp.ClientSession() as session:
        admin = Client(session, server.url)
        admin.token = await admin.sign_in(creds["Username"], creds["Password"], creds["ClientID"])
        world = await seed(admin, users=1, products=LINES)
        token = world.tokens[0]
        for n, product in enumerate(world.products):
            line = {"ProductID": product, "Quantity": 1 + n}
            await admin.call("POST", "/cart/lineitems", line, token=token)
        await admin.call("PUT", "/cart/shipto", ADDRESS, token=token)
        await admin.call("PUT", "/cart/billto", ADDRESS, token=token)
        await admin.call("POST", "/cart/payments", {"Type": "PurchaseOrder"}, token=token)
        order = await admin.call("POST", "/cart/submit", token=token)
        path = f"/v1/orders/Incoming/{order['ID']}"
        shown = await admin.call("GET", path[len("/v1") :])
        return path, admin.token, shown


def cpu_seconds(pid: int) -> float:
    """User + system CPU of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wrk(url: str, token: str, connections: int, seconds: float) -> float:
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds:g}s", "-H", f"Authorization: Bearer {token}", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if found is None or non2xx is not None:
        raise RuntimeError(f"wrk against {url}:\n{out}")
    return float(found.group(1))


def run_round(target: Target, connections: int, seconds: float) -> None:
    before = cpu_seconds(target.proc.process.pid)
    rate = wrk(target.proc.url + target.path, target.token, connections, seconds)
    used = cpu_seconds(target.proc.process.pid) - before
    target.rates.append(rate)
    target.cpu_us.append(used / max(1.0, rate * seconds) * 1e6)


async def database_args(db: str | None, workdir: Path, name: str, schemas: list[str]) -> list[str]:
    if db and db.startswith(("postgres", "postgresql")):
        schema = f"get_{name}_{secrets.token_hex(3)}"
        await pg_execute(db, f'CREATE SCHEMA "{schema}"')
        schemas.append(schema)
        return ["--database-url", db, "--database-schema", schema]
    return ["--database-url", db or f"sqlite:///{workdir / (name + '.db')}"]


async def measure(args: argparse.Namespace, workdir: Path) -> list[Target]:
    procs: list[Proc] = []
    schemas: list[str] = []
    targets: list[Target] = []
    try:
        trees = [("ordercore", ROOT)]
        if args.before:
            trees.append(("before", Path(args.before).resolve()))
        order: dict[str, Any] = {}
        for name, tree in trees:
            db_args = await database_args(args.db, workdir, name, schemas)
            server = start_server(tree, workdir, name, db_args, pure=name == "before" and args.before_pure)
            procs.append(server)
            await wait_up(server.url + "/oauth/certs", server, args.start_timeout)
            path, token, shown = await seed_order(server)
            order = order or shown
            targets.append(Target(name, server, path, token))
        bare = start_bare(workdir, order, targets[0].path)
        procs.append(bare)
        await wait_up(bare.url + targets[0].path, bare, args.start_timeout)
        targets.append(Target("bare Litestar", bare, targets[0].path, targets[0].token))
        for target in targets:  # warm-up: connections, caches, compiled statements
            wrk(target.proc.url + target.path, target.token, args.connections, 1)
        for _ in range(args.rounds):
            for target in targets:
                run_round(target, args.connections, args.seconds)
        return targets
    except BaseException:
        for proc in procs:
            print(f"--- {proc.log.name}:\n{proc.log.read_text(errors='replace')[-6000:]}", file=sys.stderr)
        raise
    finally:
        for proc in procs:
            proc.stop()
        for schema in schemas:
            await pg_execute(args.db, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def report(targets: list[Target], args: argparse.Namespace) -> str:
    bare = statistics.median(targets[-1].rates)
    db = "PostgreSQL" if args.db and args.db.startswith("postgres") else "SQLite"
    lines = [
        f"GET one {LINES}-line order, {db}, wrk -t1 -c{args.connections} -d{args.seconds:g}s, "
        f"{args.rounds} interleaved rounds (medians):"
    ]
    for t in targets:
        rate = statistics.median(t.rates)
        rounds = ", ".join(f"{r:.0f}" for r in t.rates)
        lines.append(
            f"  {t.name:14} {rate:8.0f} req/s ({rounds}); server CPU "
            f"{statistics.median(t.cpu_us):6.0f} us/request; {rate / bare:.2f}x bare"
        )
    return "\n".join(lines)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks.get_order", description=__doc__.split("\n\n")[0])
    p.add_argument("--db", help="postgresql://... (default: a SQLite file)")
    p.add_argument("--before", help="another source tree whose server is measured in the same rounds")
    p.add_argument(
        "--before-pure",
        action="store_true",
        help="run the --before server on asyncio and h11 (hides uvloop and httptools from it)",
    )
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seconds", type=float, default=5.0, help="wrk duration per round and server")
    p.add_argument("--connections", type=int, default=32)
    p.add_argument("--start-timeout", type=float, default=180.0)
    p.add_argument("--json", action="store_true", help="also print the figures as one JSON line")
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if shutil.which("wrk") is None:
        print("benchmarks.get_order needs wrk on PATH (apt-get install wrk)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="get-order-") as tmp:
        targets = asyncio.run(measure(args, Path(tmp)))
    print(report(targets, args), flush=True)
    if args.json:
        print(json.dumps({t.name: {"rates": t.rates, "cpu_us": t.cpu_us} for t in targets}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
