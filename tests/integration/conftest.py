"""Fixtures for tests that talk real HTTP over loopback; see receivers.py for the servers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from integrations.http import create_client
from tests.integration.receivers import Receiver, ReceiverPool
from tests.integration.smtp_server import SmtpServer


@pytest.fixture
def receivers() -> Iterator[ReceiverPool]:
    """Factory for loopback receivers: `.recording()`, `.flaky(n)`, `.hanging()`, `.status(code)`,
    `.garbage()`, `.huge()`, `.custom(responder)`. All are stopped after the test."""
    pool = ReceiverPool()
    try:
        yield pool
    finally:
        pool.stop_all()


@pytest.fixture
def recording_receiver(receivers: ReceiverPool) -> Receiver:
    return receivers.recording()


@pytest.fixture
def flaky_receiver(receivers: ReceiverPool) -> Receiver:
    """Fails twice with 500, then answers 200 {}."""
    return receivers.flaky(2)


@pytest.fixture
def hanging_receiver(receivers: ReceiverPool) -> Receiver:
    return receivers.hanging()


@pytest.fixture
def garbage_receiver(receivers: ReceiverPool) -> Receiver:
    return receivers.garbage()


@pytest.fixture
def huge_receiver(receivers: ReceiverPool) -> Receiver:
    return receivers.huge()


@pytest.fixture
async def http_client() -> AsyncIterator[httpx.AsyncClient]:
    """The production client factory with short timeouts so failure tests stay fast."""
    client = create_client(connect_timeout=2.0, read_timeout=2.0, allow_private=True)  # loopback receivers
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on loopback (aiosmtpd) keeping what it accepts: `smtp.inbox`."""
    server = SmtpServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def secure_smtp() -> Iterator[SmtpServer]:
    """The same, requiring STARTTLS (a self-signed certificate) and AUTH LOGIN/PLAIN."""
    server = SmtpServer(secure=True).start()
    try:
        yield server
    finally:
        server.stop()
