"""`./scripts/serve` passes its arguments on to `ordercore serve` (`./scripts/serve --port 8080`),
run here in a copy of the repository layout whose `.venv` holds stand-ins: `python` (the pip
install step) succeeds without doing anything and `ordercore` prints what it was given. A real
`ordercore serve --port` on a busy port is tested in test_admin_cli.py."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from tests.e2e.harness import ROOT


def _stub(path: Path, body: str) -> None:
    path.write_text("#!/usr/bin/env bash\n" + body + "\n")
    path.chmod(0o755)


def test_serve_script_passes_port_and_other_flags_to_ordercore_serve(tmp_path: Path) -> None:
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "serve", tmp_path / "scripts" / "serve")
    venv = tmp_path / ".venv" / "bin"
    venv.mkdir(parents=True)
    _stub(venv / "python", "exit 0")
    _stub(venv / "ordercore", 'echo "ordercore $* ALLOW_PRIVATE=$ORDERCORE_OUTBOUND_ALLOW_PRIVATE"; exit 3')
    env = {k: v for k, v in os.environ.items() if k != "ORDERCORE_OUTBOUND_ALLOW_PRIVATE"}
    done = subprocess.run(
        [str(tmp_path / "scripts" / "serve"), "--port", "8123", "--host", "0.0.0.0"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.stdout.strip() == "ordercore serve --demo --port 8123 --host 0.0.0.0 ALLOW_PRIVATE=true"
    # `exec`: the server's exit code is the script's (a busy port's 1 reaches the caller).
    assert done.returncode == 3
