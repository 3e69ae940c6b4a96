"""Which of our files a cart submit runs through (issue #12: "a cart submit visits ~30 files").

    PYTHONPATH=. python -m benchmarks.submit_footprint [--list]

Builds the app on a fresh SQLite file, places one cart (buyer b1, user alice, product p1 at
10.00 with stock), submits one cart to warm every cache, then profiles a second `POST
/cart/submit` end to end through the ASGI app: every Python function called while it runs is
noted with its file, and the files under app/, domain/ and integrations/ are counted. "Hops" are
calls from a function in one of our files into a function in another of our files (how often
the request climbs from file to file). Run it from another checkout's root (PYTHONPATH=that
root) to measure that checkout: it only imports `app`, `benchmarks.appenv` and the test helpers.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from types import FrameType, SimpleNamespace
from typing import Any

from app.store.repo import Docs
from benchmarks.appenv import AppEnv, app_env
from tests.api import catalog_fixtures as cat
from tests.api.order_fixtures import ADDRESS, _user

OURS = ("app", "domain", "integrations")


def _ours(root: Path, filename: str) -> str | None:
    try:
        rel = Path(filename).resolve().relative_to(root)
    except ValueError:
        return None
    return str(rel) if rel.parts and rel.parts[0] in OURS else None


async def _seed(env: AppEnv) -> str:
    await env.call("POST", "/buyers", {"ID": "b1", "Name": "Buyer b1"})
    await env.call("POST", "/buyers/b1/addresses", {"ID": "addr1", **ADDRESS})
    async with env.services.db.transaction() as conn:
        await Docs(conn).insert("user", _user("alice", "b1"), "b1")
    await cat.product(SimpleNamespace(services=env.services), "p1", inventory=cat.inventory(1000))  # type: ignore[arg-type]
    claims = {"usr": "alice", "u": "alice", "usrtype": "buyer", "cmp": "b1", "role": ["Shopper"]}
    return await env.mint(claims)


async def _cart(env: AppEnv, token: str) -> None:
    await env.call("POST", "/cart/lineitems", {"ProductID": "p1", "Quantity": 2}, token=token)
    await env.call("PUT", "/cart/shipto", {**ADDRESS}, token=token)


def measure() -> tuple[list[str], int]:
    import app

    root = Path(app.__file__).resolve().parents[1]
    with tempfile.TemporaryDirectory() as tmp, app_env(Path(tmp)) as env:
        token = env.run(_seed(env))
        env.run(_cart(env, token))
        env.run(env.call("POST", "/cart/submit", token=token))  # warm caches and lazy imports
        env.run(_cart(env, token))
        seen: dict[str, None] = {}
        hops = 0

        def profile(frame: FrameType, event: str, arg: Any) -> None:
            nonlocal hops
            if event != "call":
                return
            here = _ours(root, frame.f_code.co_filename)
            if here is None:
                return
            seen.setdefault(here, None)
            back = frame.f_back
            caller = _ours(root, back.f_code.co_filename) if back is not None else None
            if caller is not None and caller != here:
                hops += 1

        sys.setprofile(profile)
        try:
            env.run(env.call("POST", "/cart/submit", token=token))
        finally:
            sys.setprofile(None)
    return sorted(seen), hops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="print the files too")
    args = parser.parse_args()
    files, hops = measure()
    print(f"a cart submit runs through {len(files)} files of app/, domain/, integrations/ ({hops} hops)")
    if args.list:
        print("\n".join(f"  {f}" for f in files))


if __name__ == "__main__":
    main()
