"""Recovering access with the `ordercore` command on a real SQLite file (docs/operations.md,
"Recovering access"): `admin reset-password` and `admin new-client` print credentials that sign in
against the real server, the old password and the tokens issued before stop working, `init` on an
initialized database names the recovery commands, and `serve` on a busy port fails at once."""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import PG_URL
from tests.e2e.conftest import _run_schema_sql
from tests.e2e.harness import ROOT, free_port

CLI_TIMEOUT = 120.0
START_TIMEOUT = 60.0


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=CLI_TIMEOUT,
        check=False,
    )


def printed_json(out: str) -> dict[str, Any]:
    """The JSON object a command prints after its first line of text."""
    start = out.find("\n{")
    assert start >= 0, out
    decoded, _ = json.JSONDecoder().raw_decode(out[start + 1 :])
    return dict(decoded)


@dataclass
class Db:
    url: str
    admin: dict[str, Any]


@dataclass
class Running:
    url: str
    process: subprocess.Popen[str]


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Db:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('admin-cli') / 'ordercore.db'}"
    done = cli("init", "--database-url", url)
    assert done.returncode == 0, done.stderr
    return Db(url, json.loads(done.stdout))


def _start(db: Db, *database: str) -> Running:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    database = database or ("--database-url", db.url)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *database, "--no-worker"],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        assert process.poll() is None, f"server exited with {process.returncode}"
        try:
            if httpx.get(f"{url}/health", timeout=1.0).status_code == 200:
                return Running(url, process)
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, "server did not answer"
        time.sleep(0.2)


def _stop(running: Running) -> None:
    running.process.terminate()
    try:
        running.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        running.process.kill()
        running.process.wait(timeout=10)


@pytest.fixture
def server(db: Db) -> Iterator[Running]:
    running = _start(db)
    try:
        yield running
    finally:
        _stop(running)


def password_token(url: str, client_id: str, username: str, password: str) -> httpx.Response:
    form = {"grant_type": "password", "client_id": client_id, "username": username, "password": password}
    return httpx.post(f"{url}/oauth/token", data=form, timeout=10.0)


def me(url: str, token: str) -> httpx.Response:
    return httpx.get(f"{url}/v1/me", headers={"Authorization": f"Bearer {token}"}, timeout=10.0)


def test_init_on_an_initialized_database_names_the_recovery_commands(db: Db) -> None:
    done = cli("init", "--database-url", db.url)
    assert done.returncode == 0
    assert "already initialized" in done.stdout
    assert "ordercore admin reset-password USERNAME" in done.stdout
    assert "ordercore admin new-client" in done.stdout


def test_reset_password_prints_a_password_that_signs_in_and_ends_old_tokens(db: Db) -> None:
    admin = db.admin
    running = _start(db)
    try:
        before = password_token(running.url, admin["ClientID"], admin["Username"], admin["Password"])
        assert before.status_code == 200, before.text
        old_token = before.json()["access_token"]
        assert me(running.url, old_token).status_code == 200
    finally:
        _stop(running)

    done = cli("admin", "reset-password", admin["Username"].upper(), "--database-url", db.url)
    assert done.returncode == 0, done.stderr
    printed = printed_json(done.stdout)
    assert printed["Username"] == admin["Username"]
    assert printed["UserType"] == "admin" and printed["Active"] is True
    assert printed["Password"] != admin["Password"]
    # SQLite: one server process per file, which keeps what it read; the output says so.
    assert "restart a running `ordercore serve`" in done.stdout

    running = _start(db)
    try:
        refused = me(running.url, old_token)
        assert refused.status_code == 401
        assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.TokenRevoked"
        old = password_token(running.url, admin["ClientID"], admin["Username"], admin["Password"])
        assert old.status_code == 400
        assert old.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidUsernameOrPassword"
        new = password_token(running.url, admin["ClientID"], admin["Username"], printed["Password"])
        assert new.status_code == 200, new.text
        mine = me(running.url, new.json()["access_token"])
        assert mine.status_code == 200 and mine.json()["Username"] == admin["Username"]
    finally:
        _stop(running)
    db.admin = {**admin, "Password": printed["Password"]}


def test_new_client_prints_an_admin_client_that_signs_in(db: Db, server: Running) -> None:
    done = cli("admin", "new-client", "--database-url", db.url)
    assert done.returncode == 0, done.stderr
    printed = printed_json(done.stdout)
    client_id = printed["ClientID"]
    assert client_id == client_id.lower() and len(client_id) == 36 and client_id.count("-") == 4
    assert printed["DefaultContextUserName"] == "admin"

    form = {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": printed["ClientSecret"],
        "scope": "FullAccess",
    }
    token = httpx.post(f"{server.url}/oauth/token", data=form, timeout=10.0)
    assert token.status_code == 200, token.text
    headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
    # FullAccess: the new client can administer the marketplace, e.g. create a buyer.
    created = httpx.post(
        f"{server.url}/v1/buyers", json={"ID": "after-recovery", "Name": "After recovery"}, headers=headers
    )
    assert created.status_code == 201, created.text
    # Admin users sign in through it too.
    login = password_token(server.url, client_id, db.admin["Username"], db.admin["Password"])
    assert login.status_code == 200, login.text
    wrong = {**form, "client_secret": "not-it"}
    refused = httpx.post(f"{server.url}/oauth/token", data=wrong, timeout=10.0)
    assert refused.status_code == 400
    assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.InvalidClientSecret"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("reset-password", "nobody"), "no user with Username 'nobody'"),
        (("new-client", "--user", "nobody"), "no admin user with Username 'nobody'"),
    ],
)
def test_admin_commands_refuse_unknown_users(db: Db, args: tuple[str, ...], message: str) -> None:
    done = cli("admin", *args, "--database-url", db.url)
    assert done.returncode == 1
    assert message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_admin_commands_on_an_empty_database_say_to_initialize(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    assert cli("migrate", "--database-url", url).returncode == 0
    done = cli("admin", "new-client", "--database-url", url)
    assert done.returncode == 1
    assert "not initialized" in done.stderr and "ordercore init" in done.stderr


def test_serve_on_a_busy_port_fails_before_listening(tmp_path: Path) -> None:
    busy = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        database = tmp_path / "never.db"
        started = time.monotonic()
        done = cli("serve", "--port", str(port), "--database-url", f"sqlite+aiosqlite:///{database}")
    finally:
        busy.close()
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in done.stderr
    assert "--port" in done.stderr
    assert "listening" not in done.stdout and "Traceback" not in done.stderr
    # It fails first: no database was created, no credentials printed, no waiting.
    assert not database.exists()
    assert done.stdout == ""
    assert time.monotonic() - started < 30


def test_on_postgresql_a_running_server_refuses_the_old_tokens_at_once() -> None:
    """PostgreSQL: the reset is announced to every server process (app.store.invalidation), so the
    server that issued the token, still running, refuses it right after the command returns."""
    schema = "admin_cli_" + secrets.token_hex(6)
    _run_schema_sql(f'CREATE SCHEMA "{schema}"')
    database = ("--database-url", PG_URL, "--database-schema", schema)
    try:
        init = cli("init", *database)
        assert init.returncode == 0, init.stderr
        admin = json.loads(init.stdout)
        running = _start(Db(PG_URL, admin), *database)
        try:
            signed_in = password_token(running.url, admin["ClientID"], admin["Username"], admin["Password"])
            old_token = signed_in.json()["access_token"]
            assert me(running.url, old_token).status_code == 200  # read, and cached, by the server

            done = cli("admin", "reset-password", admin["Username"], *database)
            assert done.returncode == 0, done.stderr
            assert "restart" not in done.stdout
            printed = printed_json(done.stdout)

            refused = me(running.url, old_token)
            assert refused.status_code == 401
            assert refused.json()["Errors"][0]["ErrorCode"] == "Auth.TokenRevoked"
            new = password_token(running.url, admin["ClientID"], admin["Username"], printed["Password"])
            assert new.status_code == 200, new.text

            client = cli("admin", "new-client", *database)
            assert client.returncode == 0, client.stderr
            made = printed_json(client.stdout)
            form = {
                "grant_type": "client_credentials",
                "client_id": made["ClientID"],
                "client_secret": made["ClientSecret"],
            }
            token = httpx.post(f"{running.url}/oauth/token", data=form, timeout=10.0)
            assert token.status_code == 200, token.text
        finally:
            _stop(running)
    finally:
        _run_schema_sql(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
