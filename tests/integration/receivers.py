"""Real loopback HTTP receivers for integration-event and webhook tests.

Each `Receiver` is a `ThreadingHTTPServer` on 127.0.0.1 with an ephemeral port, serving in a
daemon thread, so the code under test goes through real sockets and real HTTP parsing. What a
receiver answers is decided by a `Responder`: a function of the recorded request and its
0-based index that returns a `Reply`. The factories below build the usual ones.

Use through the `receivers` fixture (tests/integration/conftest.py), which stops every server it
started at teardown::

    async def test_x(receivers, http_client):
        rx = receivers.recording()                 # answers 200 {}
        await send(..., url=rx.url + "/hook")
        req = rx.requests[0]
        assert req.oc_hash_valid and req.header("webhook-id") == "d1"
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from integrations.signing import oc_hash, verify_oc_hash

HASH_KEY = "test-hash-key-Ω"  # non-ASCII on purpose: the key is UTF-8 encoded before HMAC


@dataclass(frozen=True)
class RecordedRequest:
    method: str
    path: str
    headers: list[tuple[str, str]]
    body: bytes
    # None when the receiver has no hash key to check against.
    oc_hash_valid: bool | None

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        for key, value in self.headers:
            if key.lower() == lowered:
                return value
        return None

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    # Seconds to wait before answering (cut short when the receiver stops).
    delay: float = 0.0
    # Send this many bytes of filler instead of `body`, in 64 KiB writes, without Content-Length
    # (the body ends when the connection closes), so only a streaming cap can stop it.
    stream_bytes: int | None = None
    # Pause between the 64 KiB writes of `stream_bytes`: a trickle that never trips a per-read
    # timeout, to test the overall deadline.
    chunk_delay: float = 0.0
    # Declare a Content-Length of this size (and send only `body`), to test early rejection.
    declared_length: int | None = None


Responder = Callable[[RecordedRequest, int], Reply]


class Receiver:
    def __init__(self, responder: Responder, *, hash_key: str | None = HASH_KEY) -> None:
        self.responder = responder
        self.hash_key = hash_key
        self.requests: list[RecordedRequest] = []
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        # A short poll interval keeps shutdown (once per test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> Receiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # releases handlers sleeping in Reply.delay
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> Receiver:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _record(self, request: RecordedRequest) -> int:
        with self._lock:
            self.requests.append(request)
            return len(self.requests) - 1

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, format: str, *args: Any) -> None:
                pass  # keep pytest output clean

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                valid = (
                    None
                    if receiver.hash_key is None
                    else verify_oc_hash(receiver.hash_key, body, self.headers.get("X-oc-hash"))
                )
                request = RecordedRequest(self.command, self.path, list(self.headers.items()), body, valid)
                index = receiver._record(request)
                reply = receiver.responder(request, index)
                if reply.delay and receiver._stopping.wait(reply.delay):
                    return
                try:
                    self.send_response(reply.status)
                    for key, value in reply.headers.items():
                        self.send_header(key, value)
                    if reply.stream_bytes is None:
                        declared = reply.declared_length
                        self.send_header("Content-Length", str(declared or len(reply.body)))
                    self.end_headers()
                    if reply.stream_bytes is None:
                        self.wfile.write(reply.body)
                        return
                    chunk = b"x" * 65536
                    remaining = reply.stream_bytes
                    while remaining > 0 and not receiver._stopping.is_set():
                        self.wfile.write(chunk[:remaining])
                        self.wfile.flush()
                        remaining -= len(chunk)
                        if reply.chunk_delay and receiver._stopping.wait(reply.chunk_delay):
                            return
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (size cap, timeout): that is what the test wanted

            do_POST = _handle
            do_GET = _handle
            do_PUT = _handle

        return Handler


# --- Responders ---------------------------------------------------------------------------


def answer(reply: Reply) -> Responder:
    """Always the same reply."""
    return lambda _request, _index: reply


def json_reply(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Reply:
    return Reply(
        status=status,
        body=json.dumps(payload).encode(),
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def fail_then_succeed(fail_times: int, ok: Reply | None = None) -> Responder:
    """500 for the first `fail_times` requests, then `ok` (default 200 {})."""
    success = ok or Reply()

    def responder(_request: RecordedRequest, index: int) -> Reply:
        if index < fail_times:
            return Reply(status=500, body=b'{"error":"temporarily broken"}')
        return success

    return responder


class ReceiverPool:
    """Starts receivers on demand and stops them all at the end of a test."""

    def __init__(self) -> None:
        self._started: list[Receiver] = []

    def custom(self, responder: Responder, *, hash_key: str | None = HASH_KEY) -> Receiver:
        receiver = Receiver(responder, hash_key=hash_key).start()
        self._started.append(receiver)
        return receiver

    def recording(self, reply: Reply | None = None, *, hash_key: str | None = HASH_KEY) -> Receiver:
        """Records everything; answers `reply` (default 200 `{}`). Checks X-oc-hash with `hash_key`."""
        return self.custom(answer(reply or Reply()), hash_key=hash_key)

    def flaky(self, fail_times: int = 2, ok: Reply | None = None) -> Receiver:
        """500 for the first `fail_times` requests, then 200."""
        return self.custom(fail_then_succeed(fail_times, ok))

    def hanging(self, seconds: float = 30.0) -> Receiver:
        """Waits `seconds` (or until teardown) before answering 200 {}: longer than any test timeout."""
        return self.custom(answer(Reply(delay=seconds)))

    def status(self, code: int, body: bytes = b"", headers: dict[str, str] | None = None) -> Receiver:
        """Fixed status, e.g. `status(429, headers={"Retry-After": "120"})`, `status(410)`."""
        return self.custom(answer(Reply(status=code, body=body, headers=headers or {})))

    def garbage(self, body: bytes = b"<html>this is not json</html>", status: int = 200) -> Receiver:
        """2xx with a body that is not JSON (pass b"[1,2]" for JSON that is not an object)."""
        return self.custom(answer(Reply(status=status, body=body, headers={"Content-Type": "text/html"})))

    def huge(self, size: int = 8 * 1024 * 1024, *, declare_length: bool = False) -> Receiver:
        """Answers 200 with `size` bytes. Streamed without Content-Length unless `declare_length`."""
        if declare_length:
            return self.custom(answer(Reply(body=b"{}", declared_length=size)))
        return self.custom(answer(Reply(stream_bytes=size)))

    def stop_all(self) -> None:
        for receiver in self._started:
            receiver.stop()
        self._started.clear()


def expected_oc_hash(body: bytes, hash_key: str = HASH_KEY) -> str:
    return oc_hash(hash_key, body)


def unused_port() -> int:
    """A loopback port nothing listens on (bound, then released), for connection-refused tests."""
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
