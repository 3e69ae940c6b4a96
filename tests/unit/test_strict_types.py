"""`mypy --strict` holds for the pure domain and the unit of work (issue #12): the rest of the
code is checked by the project's ordinary mypy settings (pyproject.toml). Imported modules are
followed for their types but not reported on (`--follow-imports=silent`)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STRICT = ("domain", "app/unit.py")


def test_domain_and_unit_of_work_pass_mypy_strict() -> None:
    mypy = shutil.which("mypy", path=str(Path(sys.executable).parent)) or shutil.which("mypy")
    if mypy is None:
        pytest.skip("mypy is not installed")
    done = subprocess.run(
        [mypy, "--strict", "--follow-imports=silent", "--no-error-summary", *STRICT],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
