"""`ordercore import-channel FILE`: import a file of channel orders (a JSON array or NDJSON, as
`POST /v1/channels/{channel}/orders/bulk` takes) straight into the database, one transaction per
order, with a progress bar on stderr and one result line per order (docs/channels.md)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from app.services import channels
from app.state import Services
from app.store.repo import Docs
from domain.errors import DomainError


class ImportCommandError(Exception):
    """What the operator is told (exit code 1), never a traceback."""


def progress_bar(done: int, total: int, width: int = 30) -> str:
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"


async def import_file(
    services: Services,
    channel: str,
    path: Path,
    *,
    as_order: bool | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict[str, Any]]:
    """Import every order of `path`; returns the per-order results (as the bulk route answers)."""
    try:
        name = channels.importable(channels.channel_name(channel))
        items = channels.bulk_items(path.read_bytes())
    except DomainError as error:
        raise ImportCommandError(error.message) from None
    except OSError as error:
        raise ImportCommandError(f"cannot read {path}: {error.strerror}") from None
    results = []
    flag = None if as_order is None else ("true" if as_order else "false")
    for index, body in enumerate(items):
        try:
            async with services.db.transaction() as conn:
                order, created = await channels.import_order(
                    Docs(conn), name, body, services.marketplace_id, as_order=flag
                )
        except DomainError as error:
            results.append(channels.bulk_result(index, None, error.status, error))
        else:
            results.append(channels.bulk_result(index, order, 201 if created else 200, None))
        if progress is not None:
            progress(index + 1, len(items))
    return results


def stderr_progress(stream: TextIO) -> Callable[[int, int], None]:
    def show(done: int, total: int) -> None:
        stream.write("\r" + progress_bar(done, total))
        if done == total:
            stream.write("\n")
        stream.flush()

    return show
