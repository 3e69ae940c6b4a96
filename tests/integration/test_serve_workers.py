"""`ordercore serve --workers N` (docs/operations.md, "Several API processes"): N processes
answer on one port, on PostgreSQL, and behave as one (a revocation made through one process is
refused at once by the other, whose cache held the token's standing). On SQLite it refuses."""

from __future__ import annotations

import http.client
import json
import os
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.e2e import harness
from tests.e2e.conftest import _run_schema_sql

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 180.0  # two spawned interpreters importing the app, on a loaded 2-core machine

pytestmark = pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="needs Linux /proc")


def _children(parent: int) -> list[int]:
    """The worker processes uvicorn spawned (not multiprocessing's resource tracker)."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == parent and b"spawn_main" in cmdline:
            found.append(int(entry))
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from `client_port`."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            local, remote, inode = fields[1], fields[2], fields[9]
            if (
                int(local.rsplit(":", 1)[1], 16) == server_port
                and int(remote.rsplit(":", 1)[1], 16) == client_port
            ):
                return inode
    return None


def _owner(inode: str, pids: list[int]) -> int | None:
    target = f"socket:[{inode}]"
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                    return pid
            except OSError:
                continue
    return None


class Conn:
    """One keep-alive connection, and the server process that accepted it."""

    def __init__(self, port: int) -> None:
        self.http = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.http.connect()
        assert self.http.sock is not None
        self.port: int = self.http.sock.getsockname()[1]
        self.pid: int | None = None

    def call(self, method: str, path: str, token: str | None = None, body: object = None) -> tuple[int, dict]:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = self.http.getresponse()
        raw = response.read()
        return response.status, (json.loads(raw) if raw else {})

    def close(self) -> None:
        self.http.close()


@pytest.fixture
def server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[harness.Server]:
    schema = "w_" + secrets.token_hex(6)
    _run_schema_sql(f'CREATE SCHEMA "{schema}"')
    monkeypatch.setattr(harness, "START_TIMEOUT", START_SECONDS)
    args = ["--database-url", PG_URL, "--database-schema", schema, "--workers", "2", "--no-worker"]
    running = harness.start_server(tmp_path, args)
    try:
        yield running
    finally:
        harness.stop_server(running)
        _run_schema_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _one_connection_per_process(port: int, parent: int) -> dict[int, Conn]:
    """Open connections until each of the two processes holds one (the kernel hands each new
    connection to whichever process accepts first)."""
    by_pid: dict[int, Conn] = {}
    spare: list[Conn] = []
    deadline = time.monotonic() + START_SECONDS
    while len(by_pid) < 2:
        assert time.monotonic() < deadline, f"only processes {sorted(by_pid)} answered"
        conn = Conn(port)
        status, _ = conn.call("GET", "/oauth/certs")
        assert status == 200
        inode = _socket_inode(port, conn.port)
        conn.pid = _owner(inode, _children(parent)) if inode else None
        if conn.pid is not None and conn.pid not in by_pid:
            by_pid[conn.pid] = conn
        else:
            spare.append(conn)
            time.sleep(0.05)
    for conn in spare:
        conn.close()
    return by_pid


def test_two_processes_answer_and_a_revocation_in_one_is_seen_by_the_other(server: harness.Server) -> None:
    port = int(server.url.rsplit(":", 1)[1])
    workers = _children(server.process.pid)
    assert len(workers) == 2, workers
    conns = _one_connection_per_process(port, server.process.pid)
    first, second = conns.values()
    assert first.pid != second.pid
    try:
        creds = server.credentials
        form = (
            f"grant_type=password&username={creds['Username']}&password={creds['Password']}"
            f"&client_id={creds['ClientID']}"
        )
        first.http.request(
            "POST", "/oauth/token", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"}
        )
        answer = first.http.getresponse()
        token = json.loads(answer.read())["access_token"]
        assert answer.status == 200

        # Both processes answer for the token (and the second now holds its standing in cache).
        status, me = first.call("GET", "/v1/me", token)
        assert status == 200, me
        for _ in range(2):
            status, _ = second.call("GET", "/v1/buyers", token)
            assert status == 200

        # A write through the second is read by the first.
        status, _ = second.call("POST", "/v1/buyers", token, {"ID": "b1", "Name": "Made in one"})
        assert status == 201
        status, got = first.call("GET", "/v1/buyers/b1", token)
        assert status == 200 and got["Name"] == "Made in one"

        # Revoked through the first: the second refuses the token at once.
        status, _ = first.call("DELETE", f"/v1/adminusers/{me['ID']}/tokens", token)
        assert status == 204
        status, refused = second.call("GET", "/v1/buyers", token)
        assert status == 401 and refused["Errors"][0]["ErrorCode"] == "Auth.TokenRevoked", refused
    finally:
        for conn in conns.values():
            conn.close()


def test_several_processes_on_sqlite_are_refused(tmp_path: Path) -> None:
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--database-url",
        f"sqlite:///{tmp_path / 'one.db'}",
        "--workers",
        "2",
        "--port",
        str(harness.free_port()),
    ]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "needs PostgreSQL" in done.stderr and "--workers 1" in done.stderr
    assert not (tmp_path / "one.db").exists()  # refused before touching the database
