"""`ordercore import` / `ordercore export` (docs/migration.md) with the five templates published
with OrderCloud's seeding tool (tests/fixtures/seed-templates): each imports with no failure, a
second import skips every record, the export reads back as the template, and importing an
export into an empty marketplace gives the same export. A bad record is named by file, section,
index and field, and nothing of its file is kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from app.seeding.commands import export_data, import_data, read_file
from app.seeding.compare import STAMPS
from app.state import Services
from tests.conftest import Backend
from tests.integration.seed_compare import differences
from tests.integration.test_admin_cli import cli

TEMPLATES = Path(__file__).resolve().parents[1] / "fixtures" / "seed-templates"
NAMES = [
    "Simple-B2C",
    "Vercel-B2C",
    "Inventory-Records-Example",
    "Variant-Inventory-Records-Example",
    "Locales-Example",
]


def _template(name: str) -> Any:
    return read_file(TEMPLATES / f"{name}.yml")


def _records(data: Any) -> int:
    return sum(len(v or []) for group in data.values() for v in group.values())


@pytest.mark.parametrize("name", NAMES)
async def test_template_imports_then_reimport_skips_everything(services: Services, name: str) -> None:
    data = _template(name)
    first = await import_data(services, data, name)
    assert [str(f) for f in first.failures] == []
    assert first.counts["created"] + first.counts["updated"] == _records(data)

    again = await import_data(services, _template(name), name)
    assert [str(f) for f in again.failures] == []
    assert again.counts == {"created": 0, "updated": 0, "skipped": _records(data), "failed": 0}


@pytest.mark.parametrize("name", NAMES)
async def test_export_reads_back_as_the_template(services: Services, name: str) -> None:
    outcome = await import_data(services, _template(name), name)
    assert outcome.failures == []
    exported = await export_data(services)
    assert differences(_template(name), exported) == []


def _without_stamps(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_stamps(v) for k, v in value.items() if k not in STAMPS}
    if isinstance(value, list):
        return [_without_stamps(v) for v in value]
    return value


@pytest.mark.parametrize("name", ["Vercel-B2C", "Variant-Inventory-Records-Example", "Locales-Example"])
async def test_import_of_an_export_gives_the_same_export(
    services: Services, backend_name: str, _backends: dict[str, Backend], name: str
) -> None:
    assert (await import_data(services, _template(name), name)).failures == []
    first = await export_data(services)

    await _backends[backend_name].reset(services.db)  # an empty marketplace again
    outcome = await import_data(services, first, "export.yml")
    assert [str(f) for f in outcome.failures] == []
    second = await export_data(services)
    assert list(second["Objects"]) == list(first["Objects"])
    assert list(second["Assignments"]) == list(first["Assignments"])
    assert differences(first, second) == []
    # Secrets are not carried: they are redacted in both, never the real values.
    assert all(
        c["ClientSecret"] in (None, "<Redacted. Leave unchanged.>") for c in second["Objects"]["ApiClients"]
    )
    assert _without_stamps(first) != {} and _records(second) == _records(first)


async def test_a_bad_record_is_named_and_nothing_is_imported(services: Services) -> None:
    data = {
        "Objects": {
            "Buyers": [{"ID": "north", "Name": "North", "Active": True}],
            "PriceSchedules": [
                {"ID": "ok", "Name": "OK", "PriceBreaks": [{"Quantity": 1, "Price": 5}]},
                {
                    "ID": "bad",
                    "Name": "Bad",
                    "MinQuantity": "lots",
                    "PriceBreaks": [{"Quantity": 1, "Price": 5}],
                },
            ],
        },
        "Assignments": {},
    }
    outcome = await import_data(services, data, "market.yml")
    assert [(f.file, f.section, f.index, f.field) for f in outcome.failures] == [
        ("market.yml", "PriceSchedules", 1, "MinQuantity")
    ]
    assert str(outcome.failures[0]).startswith("market.yml: PriceSchedules[1].MinQuantity: ")
    assert outcome.counts["created"] == 2 and outcome.counts["failed"] == 1
    exported = await export_data(services)
    assert exported["Objects"]["Buyers"] == [] and exported["Objects"]["PriceSchedules"] == []


async def test_a_changed_record_is_updated(services: Services) -> None:
    data = {"Objects": {"Buyers": [{"ID": "north", "Name": "North", "Active": True}]}, "Assignments": {}}
    assert (await import_data(services, data, "a.yml")).counts["created"] == 1
    data["Objects"]["Buyers"][0]["Name"] = "North East"
    changed = await import_data(services, data, "a.yml")
    assert changed.counts == {"created": 0, "updated": 1, "skipped": 0, "failed": 0}
    exported = await export_data(services)
    assert [b["Name"] for b in exported["Objects"]["Buyers"]] == ["North East"]


def test_import_and_export_commands(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'ordercore.db'}"
    assert cli("init", "--database-url", url).returncode == 0
    template = TEMPLATES / "Vercel-B2C.yml"
    done = cli("import", str(template), "--database-url", url)
    assert done.returncode == 0, done.stderr
    assert "86/86" in done.stderr and "#" in done.stderr
    assert "created 86, updated 0, skipped 0, failed 0" in done.stderr

    out = tmp_path / "out.yml"
    exported = cli("export", str(out), "--database-url", url)
    assert exported.returncode == 0, exported.stderr
    assert differences(read_file(template), read_file(out)) == []
    again = cli("import", str(out), "--database-url", url)
    assert again.returncode == 0 and "created 0, updated 0, skipped" in again.stderr

    bad = tmp_path / "bad.yml"
    bad.write_text("Objects:\n  Buyers:\n    - ID: x\n      Name: [not, a, name]\n")
    refused = cli("import", str(bad), "--database-url", url)
    assert refused.returncode == 1
    assert f"{bad}: Buyers[0].Name: " in refused.stderr and "nothing was imported" in refused.stderr
    unknown = tmp_path / "unknown.yml"
    unknown.write_text("Objects:\n  Widgets: []\n")
    assert "Objects.Widgets is not a section" in cli("import", str(unknown), "--database-url", url).stderr
