"""The webhook worker's client (pyreqwest) keeps the outbound URL policy and the answer cap of the
shared httpx client (integrations/webhook_client.py)."""

from __future__ import annotations

import asyncio
import socket
import ssl
import threading
import time
from pathlib import Path

import pytest

from integrations import outbound, webhook_client
from integrations.http import TIMEOUT
from integrations.webhook_client import TransportFailure, WebhookClient
from integrations.webhook_delivery import RESPONSE_EXCERPT_BYTES
from tests.integration.receivers import ReceiverPool
from tests.integration.smtp_server import _tls_context


async def post(client: WebhookClient, url: str) -> None:
    await client.post_capped(url, content=b"{}", headers={}, timeout=2.0, max_bytes=RESPONSE_EXCERPT_BYTES)


async def test_loopback_literal_is_refused_unless_private_is_allowed(receivers: ReceiverPool) -> None:
    rx = receivers.recording()
    strict = WebhookClient(concurrency=4, allow_private=False)
    try:
        with pytest.raises(TransportFailure) as refused:
            await post(strict, rx.url)
        assert refused.value.name == "ConnectionFailed" and "refused" in str(refused.value)
        assert rx.requests == []
    finally:
        await strict.aclose()
    relaxed = WebhookClient(concurrency=4, allow_private=True)
    try:
        await post(relaxed, rx.url)
        assert len(rx.requests) == 1
        with pytest.raises(TransportFailure):  # metadata addresses: never, whatever the setting
            await post(relaxed, "http://169.254.169.254/latest")
    finally:
        await relaxed.aclose()


async def test_a_name_is_checked_on_every_address_it_resolves_to(
    receivers: ReceiverPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    rx = receivers.recording()
    port = rx.url.rsplit(":", 1)[1].split("/")[0]

    answers = ["127.0.0.1", "169.254.169.254"]

    async def rebinding(host: str, port: int) -> list[str]:
        return list(answers)

    monkeypatch.setattr(outbound, "resolve", rebinding)
    client = WebhookClient(concurrency=4, allow_private=True)
    url = f"http://hooks.rebind.test:{port}/hook"
    try:
        # One bad address spoils the name, though the first one would have answered.
        with pytest.raises(TransportFailure) as refused:
            await post(client, url)
        assert refused.value.name == "ConnectionFailed"
        assert rx.requests == []
        # The name resolves through the policy's resolver (it exists nowhere else): once it
        # answers only the allowed address, the connection goes there.
        answers.pop()
        await post(client, url)
        assert len(rx.requests) == 1
    finally:
        await client.aclose()


async def test_only_an_excerpt_of_a_huge_answer_is_read(receivers: ReceiverPool) -> None:
    client = WebhookClient(concurrency=4, allow_private=True)
    try:
        answer = await client.post_capped(
            receivers.huge().url, content=b"{}", headers={}, timeout=5.0, max_bytes=RESPONSE_EXCERPT_BYTES
        )
    finally:
        await client.aclose()
    assert answer.status_code == 200 and answer.truncated and len(answer.body) == RESPONSE_EXCERPT_BYTES


class StallingReceiver:
    """Answers 200 with the head and the first bytes of an announced body, then goes silent
    (a receiver that keeps the worker's connection without ever finishing its answer)."""

    def __init__(self, silence: float) -> None:
        self.silence = silence
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}/hook"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conn, _ = self._server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n0123456789")
            time.sleep(self.silence)

    def close(self) -> None:
        self._server.close()


async def test_the_deadline_covers_reading_the_answer() -> None:
    # The deadline is for the whole exchange: an answer whose body never completes is a
    # Timeout once it passes, not a worker slot held for as long as the receiver likes.
    receiver = StallingReceiver(silence=5.0)
    client = WebhookClient(concurrency=4, allow_private=True)
    started = time.monotonic()
    try:
        with pytest.raises(TransportFailure) as failure:
            await client.post_capped(receiver.url, content=b"{}", headers={}, timeout=0.5, max_bytes=2048)
    finally:
        await client.aclose()
        receiver.close()
    assert failure.value.name == TIMEOUT
    assert time.monotonic() - started < 2.5


async def test_the_deadline_covers_resolving_the_name(monkeypatch: pytest.MonkeyPatch) -> None:
    # Resolving is part of the exchange: a resolver that stalls must not hold the delivery (and
    # its leased row) past the attempt's deadline.
    async def stalling(host: str, port: int) -> list[str]:
        await asyncio.sleep(5.0)
        return ["127.0.0.1"]

    monkeypatch.setattr(outbound, "resolve", stalling)
    client = WebhookClient(concurrency=4, allow_private=True)
    started = time.monotonic()
    try:
        with pytest.raises(TransportFailure) as failure:
            await client.post_capped(
                "http://hooks.stalled.test:8080/hook", content=b"{}", headers={}, timeout=0.5, max_bytes=2048
            )
    finally:
        await client.aclose()
    assert failure.value.name == TIMEOUT
    assert time.monotonic() - started < 2.5


async def test_deliveries_to_a_new_name_at_once_resolve_it_once(
    receivers: ReceiverPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A worker starts with tens of deliveries to the same receiver in flight: they share one
    # lookup and one pinned client (each lookup built a client of its own, and all but the last
    # were left to the garbage collector, never closed by `aclose`).
    rx = receivers.recording()
    port = rx.url.rsplit(":", 1)[1].split("/")[0]
    asked: list[str] = []

    async def slow(host: str, port: int) -> list[str]:
        asked.append(host)
        await asyncio.sleep(0.05)
        return ["127.0.0.1"]

    monkeypatch.setattr(outbound, "resolve", slow)
    client = WebhookClient(concurrency=8, allow_private=True)
    try:
        await asyncio.gather(*(post(client, f"http://hooks.busy.test:{port}/hook") for _ in range(8)))
    finally:
        await client.aclose()
    assert asked == ["hooks.busy.test"]
    assert len(rx.requests) == 8


class RawReceiver:
    """Answers every request with the same raw bytes (an answer no well-behaved server sends)."""

    def __init__(self, answer: bytes) -> None:
        self.answer = answer
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._server.getsockname()[1]}/hook"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._server.accept()
            except OSError:
                return  # closed
            with conn:
                conn.recv(65536)
                conn.sendall(self.answer)

    def close(self) -> None:
        self._server.close()


@pytest.mark.parametrize("status", [200, 503])
async def test_an_answer_with_an_undecodable_retry_after_is_still_its_answer(status: int) -> None:
    # A Retry-After that is not text means nothing; the answer's status still counts (a 200 was
    # recorded as a failed, never retried, "InvalidUrl" delivery; a 503 was not retried).
    head = f"HTTP/1.1 {status} X\r\nRetry-After: 5".encode()
    receiver = RawReceiver(head + b"\xe9\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    client = WebhookClient(concurrency=4, allow_private=True)
    try:
        answer = await client.post_capped(
            receiver.url, content=b"{}", headers={}, timeout=2.0, max_bytes=2048
        )
    finally:
        await client.aclose()
        receiver.close()
    assert answer.status_code == status and answer.headers.get("retry-after") is None


async def test_a_name_is_resolved_again_after_its_ttl_and_checked_again(
    receivers: ReceiverPool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The client connects only to an address the policy checked (it never resolves the name
    # itself); within DNS_TTL it reuses that answer, after it asks again, and a name that has
    # since turned to a refused address (DNS rebinding after the first check) is refused.
    rx = receivers.recording()
    port = rx.url.rsplit(":", 1)[1].split("/")[0]
    answers = ["127.0.0.1"]
    asked: list[str] = []

    async def resolver(host: str, port: int) -> list[str]:
        asked.append(host)
        return list(answers)

    monkeypatch.setattr(outbound, "resolve", resolver)
    client = WebhookClient(concurrency=4, allow_private=True)
    url = f"http://hooks.pinned.test:{port}/hook"
    try:
        await post(client, url)
        await post(client, url)
        assert asked == ["hooks.pinned.test"] and len(rx.requests) == 2
        answers[:] = ["169.254.169.254"]
        monkeypatch.setattr(webhook_client, "DNS_TTL", 0.0)
        await post(client, url)  # still the first answer's pin (its TTL was 10 s)
        assert len(rx.requests) == 3
        client._pins["hooks.pinned.test"].expires = 0.0
        with pytest.raises(TransportFailure) as refused:
            await post(client, url)
        assert refused.value.name == "ConnectionFailed" and "refused" in str(refused.value)
        assert asked == ["hooks.pinned.test"] * 2 and len(rx.requests) == 3
        answers[:] = ["127.0.0.1"]
        await post(client, url)  # a good answer again: pinned again
        assert len(rx.requests) == 4
    finally:
        await client.aclose()


@pytest.mark.parametrize("host", ["2130706433", "0x7f.1", "[::ffff:127.0.0.1]"])
async def test_an_ip_literal_in_any_spelling_is_checked_as_the_address_it_is(
    receivers: ReceiverPool, host: str
) -> None:
    # The URL is read by the client's own parser, so the address checked is the one connected
    # to, however the URL spells it.
    rx = receivers.recording()
    port = rx.url.rsplit(":", 1)[1].split("/")[0]
    strict = WebhookClient(concurrency=4, allow_private=False)
    try:
        with pytest.raises(TransportFailure) as refused:
            await post(strict, f"http://{host}:{port}/hook")
        assert refused.value.name == "ConnectionFailed" and "refused" in str(refused.value)
        assert rx.requests == []
    finally:
        await strict.aclose()


async def test_a_redirect_is_not_followed_and_retry_after_is_kept(receivers: ReceiverPool) -> None:
    elsewhere = receivers.recording()
    client = WebhookClient(concurrency=4, allow_private=True)
    try:
        answer = await client.post_capped(
            receivers.status(307, headers={"Location": elsewhere.url, "Retry-After": "7"}).url,
            content=b"{}",
            headers={},
            timeout=2.0,
            max_bytes=RESPONSE_EXCERPT_BYTES,
        )
    finally:
        await client.aclose()
    assert answer.status_code == 307 and answer.headers.get("retry-after") == "7"
    assert elsewhere.requests == []  # the signed request goes to the configured URL only


class UntrustedTlsReceiver:
    """An HTTPS receiver whose certificate is self-signed (trusted by nobody): it records whether
    any request got through the handshake."""

    def __init__(self, directory: Path) -> None:
        self.requests = 0
        self._context = _tls_context(directory)  # a self-signed certificate for "localhost"
        self._server = socket.create_server(("127.0.0.1", 0))
        self.url = f"https://127.0.0.1:{self._server.getsockname()[1]}/hook"
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        conn, _ = self._server.accept()
        try:
            with self._context.wrap_socket(conn, server_side=True) as tls:
                if tls.recv(65536):
                    self.requests += 1
                    tls.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        except (ssl.SSLError, OSError):
            pass  # the client refused the certificate

    def close(self) -> None:
        self._server.close()


async def test_an_untrusted_certificate_is_refused(tmp_path: Path) -> None:
    receiver = UntrustedTlsReceiver(tmp_path)
    client = WebhookClient(concurrency=4, allow_private=True)
    try:
        with pytest.raises(TransportFailure) as failure:
            await post(client, receiver.url)
    finally:
        await client.aclose()
        receiver.close()
    assert failure.value.name == "ConnectionFailed"
    assert receiver.requests == 0
