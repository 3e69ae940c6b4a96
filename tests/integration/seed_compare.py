"""How a test compares an exported marketplace with the seeding file it came from
(docs/migration.md, "Normalization"):

- section by section, each of the file's records matched to one exported record that reads back
  as it (app.seeding.compare.equivalent), in any order (the tool creates records eight at a
  time: OrderCloud keeps no file order either);
- a section the file lacks is not compared (older versions of the tool did not download it), and
  an empty one equals an absent one;
- records the server makes from the file's own records are not extra: the variants generated
  from a product's specs (the file lists only those it changes, the product's VariantCount says
  how many there are) and the catalog, with its assignment, of a buyer created without a
  DefaultCatalogID (OrderCloud makes one with the buyer's ID)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from app.seeding.compare import equivalent
from app.seeding.importer import sections_of
from app.seeding.sections import BY_NAME

Record = dict[str, Any]


def _implied(wanted: dict[str, list[Record]], got: dict[str, list[Record]]) -> dict[str, list[Record]]:
    """The exported records the server made from the file's records (see above)."""
    own_catalogs = {str(b["ID"]) for b in wanted.get("Buyers", []) if not b.get("DefaultCatalogID")}
    counts = {str(p["ID"]): int(p.get("VariantCount") or 0) for p in wanted.get("Products", [])}
    variants = Counter(str(v.get("ProductID")) for v in got.get("Variants", []))
    return {
        "Catalogs": [c for c in got.get("Catalogs", []) if c.get("ID") in own_catalogs],
        "CatalogAssignments": [
            a
            for a in got.get("CatalogAssignments", [])
            if a.get("CatalogID") in own_catalogs and a.get("CatalogID") == a.get("BuyerID")
        ],
        "Variants": [
            v
            for v in got.get("Variants", [])
            if variants[str(v.get("ProductID"))] == counts.get(str(v.get("ProductID")))
        ],
    }


def _without(record: Record, fields: set[str]) -> Record:
    return {k: v for k, v in record.items() if k not in fields}


def differences(file: Any, exported: Any, unequal: dict[str, set[str]] | None = None) -> list[str]:
    """What keeps `exported` from reading back as `file`; `unequal`: fields, by section, a test
    knows ordercore answers differently (named in the test, with the divergence)."""
    wanted = sections_of(file, "file")
    got = sections_of(exported, "export")
    implied = _implied(wanted, got)
    found: list[str] = []
    for name, records in wanted.items():
        left = list(got.get(name, []))
        skip = (unequal or {}).get(name, set())
        for index, record in enumerate(records):
            mine = _without(record, skip)
            match = next((g for g in left if equivalent(BY_NAME[name].model, mine, g)), None)
            if match is None:
                found.append(f"{name}[{index}] has no equal in the export: {record}")
            else:
                left.remove(match)
        found.extend(
            f"{name}: not in the file: {extra}"
            for extra in left
            if not any(extra is i for i in implied.get(name, []))
        )
    return found
