"""The two commands' work on an initialized marketplace: read the file, run it in one
transaction as the seller, roll back unless every record went in; or write the export."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.seeding import yamlfile
from app.seeding.exporter import export_marketplace
from app.seeding.importer import FileError, Importer, Outcome
from app.seeding.inprocess import InProcessApi, seller_caller
from app.state import Services
from app.store.repo import Docs

Progress = Callable[[int, int], None]


class SeedCommandError(Exception):
    """What the operator is told (exit code 1), never a traceback."""


class _RolledBack(Exception):
    """Raised inside the transaction to undo a file with failures."""


async def _seller(services: Services, conn: Any) -> tuple[str, str]:
    """The admin user the commands act as: the first one `ordercore init` made, else the oldest."""
    docs = Docs(conn)
    if not await docs.exists("seller", services.marketplace_id):
        raise SeedCommandError(
            "ordercore is not initialized yet: run `ordercore init` (or `ordercore serve`)"
        )
    found = await docs.get("adminuser", "admin")
    user = found.doc if found is not None else next(iter(await docs.all("adminuser", limit=1)), None)
    if user is None:
        raise SeedCommandError("the marketplace has no admin user for the import to act as")
    return str(user["ID"]), str(user["Username"])


def read_file(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SeedCommandError(f"cannot read {path}: {error.strerror}") from None
    try:
        return yamlfile.loads(text)
    except Exception as error:  # yaml's errors carry the line and column
        raise SeedCommandError(f"{path}: not valid YAML: {error}") from None


async def import_data(services: Services, data: Any, file: str, progress: Progress | None = None) -> Outcome:
    """Import `data` (a parsed seeding file) in one transaction: committed when no record
    failed, else rolled back (the outcome still tells what would have happened)."""
    outcome: Outcome | None = None
    try:
        async with services.db.transaction() as conn:
            user_id, username = await _seller(services, conn)
            api = InProcessApi(services, conn, seller_caller(services, user_id, username))
            try:
                outcome = await Importer(api, file, progress).run(data)
            except FileError as error:
                raise SeedCommandError(str(error)) from None
            if outcome.failures:
                raise _RolledBack
    except _RolledBack:
        pass
    assert outcome is not None
    return outcome


async def import_file(services: Services, path: Path, progress: Progress | None = None) -> Outcome:
    return await import_data(services, read_file(path), str(path), progress)


async def export_data(services: Services, progress: Progress | None = None) -> dict[str, Any]:
    async with services.db.reader() as conn:
        user_id, username = await _seller(services, conn)
        api = InProcessApi(services, conn, seller_caller(services, user_id, username))
        return await export_marketplace(api, progress)


async def export_file(services: Services, path: Path, progress: Progress | None = None) -> int:
    data = await export_data(services, progress)
    try:
        path.write_text(yamlfile.dumps(data), encoding="utf-8")
    except OSError as error:
        raise SeedCommandError(f"cannot write {path}: {error.strerror}") from None
    return sum(len(records) for group in data.values() for records in group.values())
