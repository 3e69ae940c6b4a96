"""Webhook throughput and cost, on a SQLite file and a loopback receiver.

Run: python -m pytest benchmarks/bench_webhooks.py --benchmark-only -q
 or: python -m benchmarks.bench_webhooks [--db postgresql://...] [--rounds 3]   (the throughput
     figure alone, on SQLite or a PostgreSQL schema of its own; see `main`)
- `test_delivery_throughput`: one `BackgroundWorker` (64 chains in flight) draining 2,000
  deliveries spread over 100 ordering keys (ordering kept) to a local receiver in a process of
  its own (`ProcessReceiver`; `--receiver thread` puts it on a thread of the measuring process, as
  the figures before it did); reports
  deliveries/s and the ratio to a baseline measured in the same run: a minimal aiohttp client
  posting the same bodies to the same receiver with the same concurrency.
- `test_write_*`: one PATCH /v1/buyers/{buyerID} through the whole app (in-process ASGI), without and with a
  matching post-hook webhook; the difference is what recording the delivery in the outbox costs.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing
import statistics
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from app.webhooks import store as outbox_store
from app.webhooks.worker import BackgroundWorker
from benchmarks.appenv import AppEnv, app_env
from domain.clock import utcnow
from tests.integration.receivers import HASH_KEY

DELIVERIES = 2000
KEYS = 100
CONCURRENCY = 64
OK_REPLY = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"


async def _answer(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, counted: Callable[[], None]
) -> None:
    """Serve one keep-alive connection: read each request whole, answer 200 {} at once."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":", 1)[1])
            await reader.readexactly(length)
            counted()
            writer.write(OK_REPLY)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
        writer.close()


class FastReceiver:
    """A minimal keep-alive HTTP/1.1 receiver on its own thread and event loop, answering 200 {}
    at once. It shares the measuring process's CPU and interpreter lock with the client being
    measured: `ProcessReceiver` (the default) keeps it out of the figure. (The test receivers
    are one-thread-per-connection HTTP/1.0 servers with a listen backlog of 5, which refuse
    connections under 20 concurrent deliveries.)"""

    def __init__(self) -> None:
        self.count = 0
        self._ready = threading.Event()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self.port = 0
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> FastReceiver:
        self._thread.start()
        self._ready.wait(5)
        return self

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop).result(5)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)
        self._loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._server = self._loop.run_until_complete(
            asyncio.start_server(self._serve, "127.0.0.1", 0, backlog=512)
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()

    def _counted(self) -> None:
        self.count += 1

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer(reader, writer, self._counted)


def _receive(port: Any, count: Any, ready: Any) -> None:
    """The receiver process: the same `_answer` on uvloop, counting into shared memory (only
    this process writes it, so no lock)."""
    import uvloop

    def counted() -> None:
        count.value += 1

    async def serve() -> None:
        server = await asyncio.start_server(lambda r, w: _answer(r, w, counted), "127.0.0.1", 0, backlog=512)
        port.value = server.sockets[0].getsockname()[1]
        ready.set()
        await server.serve_forever()

    uvloop.run(serve())


class ProcessReceiver:
    """The same receiver in a process of its own (a separate server on loopback, as a real
    receiver is): its CPU and interpreter lock are not the measured process's, so the figure is
    the client's alone, for the worker and the baseline alike."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("spawn")  # no fork of a process with threads
        self._port = context.RawValue("i", 0)
        self._count = context.RawValue("q", 0)
        self._ready = context.Event()
        self._process = context.Process(
            target=_receive, args=(self._port, self._count, self._ready), daemon=True
        )

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._port.value}/hook"

    def start(self) -> ProcessReceiver:
        self._process.start()
        if not self._ready.wait(60):
            raise RuntimeError("the receiver process did not start")
        return self

    def stop(self) -> None:
        self._process.terminate()
        self._process.join(5)


Receiver = FastReceiver | ProcessReceiver


@dataclass
class Env(AppEnv):
    receiver: Receiver


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    with app_env(tmp_path_factory.mktemp("bench"), webhook_worker=False, outbound_allow_private=True) as app:
        receiver = ProcessReceiver().start()
        env = Env(app.loop, app.services, app.client, app.token, receiver)
        env.run(env.call("POST", "/buyers", {"ID": "b1", "Name": "Bench buyer"}))
        try:
            yield env
        finally:
            receiver.stop()


def _webhook(env: Env, routes: list[dict[str, str]]) -> None:
    hook = {
        "ID": "bench",
        "Name": "bench",
        "Url": env.receiver.url,
        "HashKey": HASH_KEY,
        "ApiClientIDs": ["ordercore-admin"],
        "WebhookRoutes": routes,
    }
    env.run(env.call("PUT", "/webhooks/bench", hook))


def _baseline(
    url: str, body: bytes, loop_factory: Callable[[], asyncio.AbstractEventLoop] = asyncio.new_event_loop
) -> float:
    """Deliveries/s of a minimal client: the same bodies, receiver and concurrency, no database."""

    async def run() -> float:
        import aiohttp

        queue = list(range(DELIVERIES))
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:

            async def one() -> None:
                while queue:
                    queue.pop()
                    async with session.post(
                        url, data=body, headers={"Content-Type": "application/json"}
                    ) as r:
                        await r.read()

            started = time.perf_counter()
            await asyncio.gather(*(one() for _ in range(CONCURRENCY)))
            return DELIVERIES / (time.perf_counter() - started)

    with asyncio.Runner(loop_factory=loop_factory) as runner:
        return runner.run(run())


def test_delivery_throughput(benchmark: Any, env: Env) -> None:
    _webhook(env, [])
    body = json.dumps({"Route": "v1/buyers", "Payload": "x" * 500})

    async def fill() -> None:
        now = utcnow()
        async with env.services.db.transaction() as conn:
            for i in range(DELIVERIES):
                await outbox_store.enqueue(
                    conn,
                    webhook_id="bench",
                    delivery_id=str(uuid.uuid4()),
                    ordering_key=f"order-{i % KEYS}",
                    body=body,
                    now=now,
                )

    async def drain() -> int:
        worker = BackgroundWorker(env.services, concurrency=CONCURRENCY)
        start = env.receiver.count
        await worker.start()
        try:
            while env.receiver.count - start < DELIVERIES:
                await asyncio.sleep(0.005)
        finally:
            await worker.stop()
        return env.receiver.count - start

    rounds = 0
    baselines: list[float] = []

    def setup() -> None:
        nonlocal rounds
        rounds += 1
        env.run(fill())
        # The baseline runs interleaved with the rounds, so both see the same machine load.
        baselines.append(_baseline(env.receiver.url, body.encode()))

    before = env.receiver.count
    made = benchmark.pedantic(lambda: env.run(drain()), setup=setup, rounds=3, iterations=1)
    # Every delivery succeeded at the first attempt, each once: no retries inflate the figure.
    assert rounds >= 1 and made == DELIVERIES
    assert env.receiver.count - before == rounds * DELIVERIES * 2  # the worker's and the baseline's
    if benchmark.stats is not None:  # None under --benchmark-disable: nothing was timed
        rate = DELIVERIES / benchmark.stats.stats.median
        base = statistics.median(baselines)
        benchmark.extra_info["deliveries_per_second"] = round(rate)
        benchmark.extra_info["baseline_per_second"] = round(base)
        benchmark.extra_info["ratio"] = round(rate / base, 3)
        print(f"\nwebhooks: {rate:.0f} deliveries/s, baseline {base:.0f}/s, ratio {rate / base:.3f}x")


@pytest.mark.parametrize("hooked", [False, True], ids=["no-webhook", "post-hook"])
def test_write(benchmark: Any, env: Env, hooked: bool) -> None:
    _webhook(env, [{"Route": "v1/buyers/{buyerID}", "Verb": "PATCH"}] if hooked else [])
    counter = iter(range(10**9))

    def write() -> None:
        env.run(env.call("PATCH", "/buyers/b1", {"Name": f"Bench {next(counter)}"}))

    benchmark.group = "write with/without post-hook"
    benchmark.pedantic(write, rounds=300, iterations=1, warmup_rounds=20)


# --- `--clients`: the HTTP client experiment (docs/performance.md, webhook fourth pass) ---------


async def _timed(one: Callable[[], Any]) -> tuple[float, float]:
    """Rate and process CPU per request (us) of DELIVERIES calls of `one`, CONCURRENCY at once."""
    todo = list(range(DELIVERIES))

    async def loop() -> None:
        while todo:
            todo.pop()
            await one()

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(loop() for _ in range(CONCURRENCY)))
    return DELIVERIES / (time.perf_counter() - started), (time.process_time() - cpu) / DELIVERIES * 1e6


async def _client_aiohttp(url: str, body: bytes, headers: dict[str, str]) -> tuple[float, float]:
    import aiohttp

    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=CONCURRENCY)) as session:

        async def one() -> None:
            async with session.post(url, data=body, headers={"Content-Type": "application/json"}) as r:
                await r.read()

        await _timed(one)  # warm: connections made
        return await _timed(one)


async def _client_ours(url: str, body: bytes, headers: dict[str, str]) -> tuple[float, float]:
    from integrations.webhook_client import WebhookClient

    client = WebhookClient(concurrency=CONCURRENCY, allow_private=True)
    try:

        async def one() -> None:
            await client.post_capped(url, content=body, headers=headers, timeout=10.0, max_bytes=2048)

        await _timed(one)
        return await _timed(one)
    finally:
        await client.aclose()


async def _client_pyreqwest(url: str, body: bytes, headers: dict[str, str]) -> tuple[float, float]:
    from pyreqwest.client import ClientBuilder

    async with ClientBuilder().max_connections(CONCURRENCY).build() as client:

        async def one() -> None:
            r = await client.post(url).headers(headers).body_bytes(body).build().send()
            await r.bytes()

        await _timed(one)
        return await _timed(one)


async def _client_aiosonic(url: str, body: bytes, headers: dict[str, str]) -> tuple[float, float]:
    import aiosonic  # type: ignore[import-not-found]
    from aiosonic.pools import PoolConfig  # type: ignore[import-not-found]

    client = aiosonic.HTTPClient(
        aiosonic.TCPConnector(pool_configs={":default": PoolConfig(size=CONCURRENCY)})
    )

    async def one() -> None:
        r = await client.post(url, data=body, headers=headers)
        await r.content()

    await _timed(one)
    return await _timed(one)


async def _client_rnet(url: str, body: bytes, headers: dict[str, str]) -> tuple[float, float]:
    import rnet  # type: ignore[import-not-found]

    client = rnet.Client(allow_redirects=False)

    async def one() -> None:
        r = await client.post(url, body=body, headers=headers)
        await r.bytes()

    await _timed(one)
    return await _timed(one)


CLIENTS = {
    "aiohttp (bare, the baseline)": _client_aiohttp,
    "WebhookClient (the worker's)": _client_ours,
    "pyreqwest (bare)": _client_pyreqwest,
    "aiosonic (bare)": _client_aiosonic,
    "rnet (bare)": _client_rnet,
}


def compare_clients(rounds: int) -> None:
    """Each client posting the benchmark's body with the worker's headers to the same
    out-of-process receiver, rounds interleaved; clients not installed are skipped."""
    import uvloop

    from integrations.webhook_delivery import _headers as delivery_headers

    body = json.dumps({"Route": "v1/buyers", "Payload": "x" * 500}).encode()
    headers = delivery_headers(body, HASH_KEY, str(uuid.uuid4()), int(time.time()), None)
    receiver = ProcessReceiver().start()
    results: dict[str, list[tuple[float, float]]] = {}
    try:
        for n in range(rounds):
            for name, client in CLIENTS.items():
                try:
                    rate, cpu = uvloop.run(client(receiver.url, body, headers))
                except ImportError:
                    continue
                results.setdefault(name, []).append((rate, cpu))
                print(f"round {n + 1}: {name}: {rate:.0f}/s, {cpu:.0f} us CPU each", flush=True)
    finally:
        receiver.stop()
    base = statistics.median(cpu for _, cpu in results[next(iter(CLIENTS))])
    for name, got in results.items():
        cpu = statistics.median(c for _, c in got)
        rate = statistics.median(r for r, _ in got)
        print(f"{name}: {rate:.0f}/s, {cpu:.0f} us CPU per request, {cpu / base:.2f}x the baseline's CPU")


def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.bench_webhooks [--db postgresql://...] [--rounds 3] [--receiver
    process|thread]`: the delivery
    throughput figure outside pytest, on SQLite (default) or a PostgreSQL schema of its own,
    worker and baseline rounds interleaved; prints each round and the medians."""
    import argparse
    import tempfile
    from pathlib import Path

    from sqlalchemy import insert

    from app.store.tables import outbox

    p = argparse.ArgumentParser(prog="python -m benchmarks.bench_webhooks")
    p.add_argument("--db", help="postgresql://... (default: a SQLite file)")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument(
        "--loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop of the worker and of the baseline (default uvloop, what serve and worker run)",
    )
    p.add_argument(
        "--receiver",
        choices=("process", "thread"),
        default="process",
        help="the receiver in a process of its own (default), or on a thread of the measuring "
        "process (sharing its CPU and interpreter lock, as before)",
    )
    p.add_argument(
        "--clients",
        action="store_true",
        help="instead: CPU per request of candidate HTTP clients against the same receiver",
    )
    args = p.parse_args(argv)
    if args.clients:
        compare_clients(args.rounds)
        return 0
    loop_factory = asyncio.new_event_loop
    if args.loop == "uvloop":
        import uvloop

        loop_factory = uvloop.new_event_loop
    settings: dict[str, Any] = {}
    schema = ""
    if args.db:
        from benchmarks.load_checkout import pg_execute

        schema = "whbench_" + uuid.uuid4().hex[:8]
        asyncio.run(pg_execute(args.db, f'CREATE SCHEMA "{schema}"'))
        settings = {"database_url": args.db, "database_schema": schema}
    body = json.dumps({"Route": "v1/buyers", "Payload": "x" * 500})
    rates: list[float] = []
    bases: list[float] = []
    # Process CPU per delivery of the measuring process (with `--receiver thread`, the receiver's
    # thread included, for both).
    cpus: list[float] = []
    base_cpus: list[float] = []
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            app_env(
                Path(tmp),
                loop_factory=loop_factory,
                webhook_worker=False,
                outbound_allow_private=True,
                **settings,
            ) as app,
        ):
            receiver: Receiver = (ProcessReceiver() if args.receiver == "process" else FastReceiver()).start()
            env = Env(app.loop, app.services, app.client, app.token, receiver)
            _webhook(env, [])

            async def fill() -> None:
                now = utcnow()
                rows = [
                    {
                        "webhook_id": "bench",
                        "delivery_id": str(uuid.uuid4()),
                        "ordering_key": f"order-{i % KEYS}",
                        "status": outbox_store.PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                        "body": body,
                    }
                    for i in range(DELIVERIES)
                ]
                async with env.services.db.transaction() as conn:
                    await conn.execute(insert(outbox), rows)

            async def drain() -> float:
                worker = BackgroundWorker(env.services, concurrency=CONCURRENCY)
                start = receiver.count
                await worker.start()
                started, cpu = time.perf_counter(), time.process_time()
                try:
                    while receiver.count - start < DELIVERIES:
                        await asyncio.sleep(0.005)
                    cpus.append((time.process_time() - cpu) / DELIVERIES * 1e6)
                    return DELIVERIES / (time.perf_counter() - started)
                finally:
                    await worker.stop()

            for n in range(args.rounds):
                env.run(fill())
                rates.append(env.run(drain()))
                cpu = time.process_time()
                bases.append(_baseline(receiver.url, body.encode(), loop_factory))
                base_cpus.append((time.process_time() - cpu) / DELIVERIES * 1e6)
                print(
                    f"round {n + 1}: worker {rates[-1]:.0f}/s ({cpus[-1]:.0f} us CPU each), "
                    f"baseline {bases[-1]:.0f}/s ({base_cpus[-1]:.0f} us CPU each)",
                    flush=True,
                )
            receiver.stop()
    finally:
        if schema:
            from benchmarks.load_checkout import pg_execute

            asyncio.run(pg_execute(args.db, f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    rate, base = statistics.median(rates), statistics.median(bases)
    kind = "PostgreSQL" if args.db else "SQLite"
    print(
        f"webhooks ({kind}, {args.loop}, receiver: {args.receiver}): {rate:.0f} deliveries/s, "
        f"baseline {base:.0f}/s, "
        f"ratio {rate / base:.3f}x; CPU per delivery {statistics.median(cpus):.0f} us, "
        f"baseline {statistics.median(base_cpus):.0f} us"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
