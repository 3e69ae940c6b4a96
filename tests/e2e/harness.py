"""Run the real server as a subprocess and drive it with node scripts that use the official
OrderCloud JavaScript SDK (`tests/e2e/js`)."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
JS = Path(__file__).resolve().parent / "js"
START_TIMEOUT = 60.0
NODE_TIMEOUT = 180.0


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    stdout: Path
    stderr: Path
    credentials: dict[str, Any] = field(default_factory=dict)

    def output(self) -> str:
        return self.stdout.read_text(errors="replace") + self.stderr.read_text(errors="replace")

    def env(self) -> dict[str, str]:
        """What every node script gets: where the server is and the first admin's credentials."""
        return {
            "BASE_URL": self.url,
            "ADMIN_CLIENT_ID": str(self.credentials["ClientID"]),
            "ADMIN_CLIENT_SECRET": str(self.credentials["ClientSecret"]),
            "ADMIN_USERNAME": str(self.credentials["Username"]),
            "ADMIN_PASSWORD": str(self.credentials["Password"]),
        }


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(workdir: Path, database_args: list[str]) -> Server:
    """`ordercore serve` on a free port; returns once it answers, with the credentials that the
    first run prints (a line of text, then one JSON object)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    stdout, stderr = workdir / "server.out", workdir / "server.err"
    command = [
        sys.executable,
        "-m",
        "app.cli",
        "serve",
        "--port",
        str(port),
        "--public-url",
        url,
        *database_args,
    ]
    # The SDK scripts' webhook receivers listen on loopback (docs/security-orders.md).
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "ORDERCORE_OUTBOUND_ALLOW_PRIVATE": "true"}
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(command, cwd=ROOT, stdout=out, stderr=err, env=env)
    server = Server(url, process, stdout, stderr)
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}:\n{server.output()}")
        try:
            if httpx.get(f"{url}/oauth/certs", timeout=1.0).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            stop_server(server)
            raise RuntimeError(f"server did not answer within {START_TIMEOUT}s:\n{server.output()}")
        time.sleep(0.2)
    server.credentials = parse_credentials(stdout.read_text())
    return server


def parse_credentials(text: str) -> dict[str, Any]:
    start = text.find("\n{")
    if start < 0:
        raise RuntimeError(f"the server printed no credentials (was the database new?):\n{text}")
    decoded, _ = json.JSONDecoder().raw_decode(text[start + 1 :])
    return dict(decoded)


def stop_server(server: Server) -> None:
    if server.process.poll() is None:
        server.process.send_signal(signal.SIGTERM)
        try:
            server.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait(timeout=10)


def node_available() -> str | None:
    """Why the SDK tests cannot run here, or None when they can."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not (JS / "node_modules" / "ordercloud-javascript-sdk").is_dir():
        return "tests/e2e/js/node_modules is missing (run npm install in tests/e2e/js)"
    return None


def run_node(script_name: str, env: dict[str, str]) -> dict[str, Any]:
    """Run `tests/e2e/js/<script_name>.mjs` and return the JSON object it prints last; a script
    that fails fails the test with what it wrote."""
    reason = node_available()
    if reason:
        pytest.skip(reason)
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, str(JS / f"{script_name}.mjs")],
        cwd=JS,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"{script_name}.mjs exited with {result.returncode}\n--- stderr\n{result.stderr}"
            f"\n--- stdout\n{result.stdout}",
            pytrace=False,
        )
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    if not lines:
        pytest.fail(f"{script_name}.mjs printed nothing\n--- stderr\n{result.stderr}", pytrace=False)
    try:
        summary = json.loads(lines[-1])
    except json.JSONDecodeError:
        pytest.fail(f"{script_name}.mjs did not end with JSON:\n{result.stdout}", pytrace=False)
    assert isinstance(summary, dict), summary
    return summary
