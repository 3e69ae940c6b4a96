"""OrderCloud's own seeding tool (`@ordercloud/seeding`, js/seeding.mjs) seeds each published
template into a fresh ordercore through the SDK with no failure, the marketplace then reads back
as the template (`ordercore export`, compared with the rules of docs/migration.md), and the
tool's `download` gives the template back. The tool only talks to OrderCloud's SaaS; the script
says how it is pointed at ordercore (its Portal and OpenAPI calls are answered in the script)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.contract.document import OFFICIAL_FILE
from app.seeding.commands import read_file
from app.seeding.exporter import own_access
from app.seeding.sections import BY_NAME
from tests.e2e.harness import Server, node_available, run_node, start_server, stop_server
from tests.integration.seed_compare import differences
from tests.integration.test_admin_cli import cli
from tests.integration.test_seed_import_export import NAMES, TEMPLATES

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module", params=NAMES)
def seeded(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    reason = node_available()
    if reason:
        pytest.skip(reason)
    if not (Path(__file__).parent / "js" / "node_modules" / "@ordercloud" / "seeding").is_dir():
        pytest.skip("@ordercloud/seeding is not installed (npm install in tests/e2e/js)")
    name = str(request.param)
    workdir = tmp_path_factory.mktemp(f"seed-{name}")
    database = f"sqlite+aiosqlite:///{workdir / 'e2e.db'}"
    server: Server = start_server(workdir, ["--database-url", database])
    try:
        out = workdir / "download.json"
        summary = run_node(
            "seeding",
            {
                **server.env(),
                "MARKETPLACE_ID": str(server.credentials["MarketplaceID"]),
                "SEED_TEMPLATE": str(TEMPLATES / f"{name}.yml"),
                "SEED_DOWNLOAD": str(out),
                "OPENAPI_GZ": str(OFFICIAL_FILE),
            },
        )
        exported = workdir / "export.yml"
        done = cli("export", str(exported), "--database-url", database)
        assert done.returncode == 0, done.stderr
        yield {
            "name": name,
            "summary": summary,
            "export": read_file(exported),
            "download": json.loads(out.read_text()) if out.exists() else None,
        }
    finally:
        stop_server(server)


# The tool's own bug, whatever the server: with one product to generate variants for and one
# variant to save, both batches get the job ID `CREATE-Variants-...-0-1` and Bottleneck refuses
# the second ("A job with the same id already exists"), so seeding stops (on OrderCloud too).
TOOL_BUG = "A job with the same id already exists"


def _expected_failures(seeded: dict[str, Any]) -> None:
    name = seeded["name"]
    if name == "Inventory-Records-Example":
        assert TOOL_BUG in str(seeded["summary"].get("seedError"))
        assert seeded["summary"]["seedFailedCalls"] == []  # every call it made before went through
        pytest.xfail("the seeding tool's job-ID collision (see TOOL_BUG), not ordercore")


def test_the_tool_seeds_the_template_with_no_failure(seeded: dict[str, Any]) -> None:
    _expected_failures(seeded)
    summary = seeded["summary"]
    assert summary.get("seedError") is None and summary["seeded"] is True
    assert summary["messages"]["errors"] == []
    assert summary["seedFailedCalls"] == []
    assert summary["apiCalls"]["total"] > 0
    assert any(call.startswith("PUT /organizations/") for call in summary["portalCalls"])


def test_the_seeded_marketplace_reads_back_as_the_template(seeded: dict[str, Any]) -> None:
    _expected_failures(seeded)
    name = seeded["name"]
    assert differences(read_file(TEMPLATES / f"{name}.yml"), seeded["export"]) == []


def test_the_tools_download_equals_the_template(seeded: dict[str, Any]) -> None:
    _expected_failures(seeded)
    name = seeded["name"]
    download = seeded["download"]
    assert download is not None, seeded["summary"].get("downloadError")
    # ordercore's own access is not part of the marketplace (docs/migration.md, as in an export).
    for group in download.values():
        for section, records in group.items():
            if section in BY_NAME:
                group[section] = [r for r in records if not own_access(BY_NAME[section], r)]
    assert differences(read_file(TEMPLATES / f"{name}.yml"), download) == []
