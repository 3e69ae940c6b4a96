"""The README's JavaScript snippets run as written, in the README's order, against a server
started like `./scripts/serve` (`ordercore serve --demo`), with node and the official SDK.

Two things are given to them, as a reader would: the server's address replaces the README's
`http://127.0.0.1:8000` (the test server listens on a free port), and `CLIENT_SECRET` is the admin
client's secret that the first run printed. Each snippet is one ES module read by node from stdin
in tests/e2e/js, so `import ... from 'ordercloud-javascript-sdk'` resolves as in a project."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator

import pytest

from app.demo import BUYER_PASSWORD, SUPPLIER_PASSWORD
from tests.e2e.conftest import running_server
from tests.e2e.harness import JS, NODE_TIMEOUT, ROOT, Server

pytestmark = pytest.mark.e2e

README = ROOT / "README.md"
README_URL = "http://127.0.0.1:8000"
SNIPPET = re.compile(r"^```js\n(.*?)^```", re.S | re.M)


def snippets() -> list[str]:
    return SNIPPET.findall(README.read_text())


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tmp_path_factory, "readme", "--demo") as running:
        yield running


def run_snippet(code: str, server: Server) -> str:
    node = shutil.which("node")
    assert node is not None
    result = subprocess.run(
        [node, "--input-type=module"],
        input=code.replace(README_URL, server.url),
        cwd=JS,
        env={**os.environ, "CLIENT_SECRET": str(server.credentials["ClientSecret"])},
        capture_output=True,
        text=True,
        timeout=NODE_TIMEOUT,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(
            f"README snippet failed ({result.returncode}):\n{code}\n--- stderr\n{result.stderr}"
            f"\n--- stdout\n{result.stdout}",
            pytrace=False,
        )
    return result.stdout


def test_the_readme_has_the_snippets_this_test_expects() -> None:
    found = snippets()
    assert len(found) == 3, [s.splitlines()[0] for s in found]
    assert all(README_URL in code for code in found)


def test_the_readme_snippets_run_as_written_against_the_demo(demo: Server) -> None:
    """In order: the admin creates a buyer; the demo's shopper checks out and the seller lists the
    order; the seller forwards it, the demo's supplier ships it in two shipments, the shopper sees
    them and the order completed. The last lines each snippet prints are what its comments say."""
    first, checkout, fulfilment = snippets()
    run_snippet(first, demo)
    listed = run_snippet(checkout, demo)
    assert " 100" in listed, listed  # 10 widgets at the 10-break's price of 10
    shipped = run_snippet(fulfilment, demo)
    assert shipped.split() == ["2", "Completed"], shipped


def test_the_readme_says_how_to_sign_in_to_the_demo() -> None:
    text = README.read_text()
    section = text[text.index("## The demo marketplace") :]
    section = section[: section.index("\n## ", 1)]
    needed = ("demo-storefront", "shopper", BUYER_PASSWORD, "supplier", SUPPLIER_PASSWORD, "demo-widget")
    for word in needed:
        assert word in section, word
