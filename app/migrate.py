"""Apply Alembic migrations programmatically (used by the CLI and the test fixtures)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from app.store.db import normalize_url


def alembic_config(database_url: str, schema: str | None = None) -> Config:
    cfg = Config()
    if schema:
        cfg.set_main_option("schema", schema)
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    cfg.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    return cfg


def migrate(database_url: str, schema: str | None = None) -> None:
    """Bring the schema to the newest revision (creating the SQLite file's folder if needed)."""
    url = normalize_url(database_url)
    if url.startswith("sqlite") and ":///" in url:
        path = url.split(":///", 1)[1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
    command.upgrade(alembic_config(url, schema), "head")
