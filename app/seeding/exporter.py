"""`ordercore export FILE.yml`: the whole marketplace in the seeding tool's format, sections in
the order the tool's `download` writes them, secrets redacted and the marketplace's own ID
written as the tool's placeholder. ordercore's own access (the first admin user, its
full-access profile, the admin and console API clients made by `ordercore init`) is left out,
as OrderCloud's download leaves out the Portal's access (docs/migration.md)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.bootstrap import ADMIN_PROFILE_ID
from app.console.session import CONSOLE_CLIENT_ID
from app.seeding.inprocess import InProcessApi
from app.seeding.reading import Record, read_section
from app.seeding.sections import (
    ASSIGNMENTS,
    MARKETPLACE_PLACEHOLDER,
    OBJECTS,
    REDACTED,
    Section,
    export_order,
)

BOOTSTRAP_CLIENT_ID = "ordercore-admin"
BOOTSTRAP_ADMIN_ID = "admin"


def own_access(section: Section, record: Record) -> bool:
    if section.name == "AdminUsers":
        return record.get("ID") == BOOTSTRAP_ADMIN_ID
    if section.name == "SecurityProfiles":
        return record.get("ID") == ADMIN_PROFILE_ID
    if section.name == "SecurityProfileAssignments":
        return record.get("SecurityProfileID") == ADMIN_PROFILE_ID
    if section.name == "ApiClients":
        return record.get("ID") in (BOOTSTRAP_CLIENT_ID, CONSOLE_CLIENT_ID)
    return False


def _written(section: Section, record: Record, marketplace_id: str) -> Record:
    for name in section.secrets:
        if record.get(name) is not None:
            record[name] = REDACTED
    if section.owner_field and record.get(section.owner_field) == marketplace_id:
        record[section.owner_field] = MARKETPLACE_PLACEHOLDER
    return record


async def export_marketplace(
    api: InProcessApi, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    marketplace_id = api.services.marketplace_id
    out: dict[str, Any] = {OBJECTS: {}, ASSIGNMENTS: {}}
    sections = export_order()
    for done, section in enumerate(sections, start=1):
        records = await read_section(api, section)
        out[section.group][section.name] = [
            _written(section, r, marketplace_id) for r in records if not own_access(section, r)
        ]
        if progress is not None:
            progress(done, len(sections))
    return out
