"""IDs are case-insensitive, as under OrderCloud's collation (its exports sort `L, m, s, XL`):
`Acme` and `acme` are one ID on both databases, found in any spelling, sorted without regard to
case (issue #11)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import create_engine, text

from app.migrate import alembic_config
from tests.api.org_setup import user_body
from tests.helpers import Api, error_code


async def test_ids_differing_only_in_case_are_one_id(api: Api) -> None:
    await api.ok("POST", "/buyers", {"ID": "Acme", "Name": "Acme"})
    again = await api.post("/buyers", {"ID": "acme", "Name": "Other"})
    assert again.status_code == 409 and error_code(again) == "IdExists"
    assert (await api.ok("GET", "/buyers/ACME"))["ID"] == "Acme"
    # Children reached through another spelling of the parent live under the stored one.
    user = await api.ok("POST", "/buyers/aCmE/users", user_body("U1"))
    assert user["CompanyID"] == "Acme"
    assert [u["ID"] for u in (await api.ok("GET", "/buyers/acme/users"))["Items"]] == ["U1"]
    assert (await api.ok("GET", "/buyers/ACME/users/u1"))["ID"] == "U1"
    # A PATCH through another spelling is no rename; a new spelling in the body is.
    assert (await api.ok("PATCH", "/buyers/acme", {"Name": "Acme Inc"}))["ID"] == "Acme"
    assert (await api.ok("PATCH", "/buyers/acme", {"ID": "ACME"}))["ID"] == "ACME"
    assert [u["ID"] for u in (await api.ok("GET", "/buyers/Acme/users"))["Items"]] == ["U1"]
    assert [b["ID"] for b in (await api.ok("GET", "/buyers", params={"ID": "acme"}))["Items"]] == ["ACME"]
    await api.ok("DELETE", "/buyers/acme/users/u1", status=204)
    assert (await api.ok("GET", "/buyers/ACME/users"))["Items"] == []


async def test_ids_and_text_sort_without_regard_to_case(api: Api) -> None:
    for size in ("XL", "s", "m", "L"):
        await api.ok("POST", "/buyers", {"ID": size, "Name": size})
    for sort in ("ID", "Name"):
        page = await api.ok("GET", "/buyers", params={"sortBy": sort})
        assert [b["ID"] for b in page["Items"]] == ["L", "m", "s", "XL"], sort
    page = await api.ok("GET", "/buyers", params={"ID": ">M", "sortBy": "!ID"})
    assert [b["ID"] for b in page["Items"]] == ["XL", "s"]


INSERT = text("INSERT INTO resources (kind, scope, id, doc, version) VALUES (:kind, '', :id, :doc, 1)")


def test_migration_refuses_ids_that_would_merge(tmp_path: Path) -> None:
    """Rows differing only in case cannot both survive: the upgrade names them and stops."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    cfg = alembic_config(url)
    command.upgrade(cfg, "0002")
    engine = create_engine(url)
    with engine.begin() as conn:
        for id in ("Acme", "acme"):
            conn.execute(INSERT, {"kind": "buyer", "id": id, "doc": "{}"})
    with pytest.raises(RuntimeError, match="buyer acme"):
        command.upgrade(cfg, "head")
    stray = '{"ID": "r1", "PaymentIDs": ["p1"], "PaymentIds": null}'
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM resources WHERE id = 'acme'"))
        conn.execute(INSERT, {"kind": "orderreturn", "id": "r1", "doc": stray})
    command.upgrade(cfg, "head")
    with engine.begin() as conn:
        doc = json.loads(conn.execute(text("SELECT doc FROM resources WHERE id = 'r1'")).scalar_one())
    assert doc == {"ID": "r1", "PaymentIDs": ["p1"]}  # the stray wire name is gone
    with engine.begin() as conn, pytest.raises(Exception, match="UNIQUE"):
        conn.execute(INSERT, {"kind": "buyer", "id": "ACME", "doc": "{}"})
    engine.dispose()
