"""`ordercore import FILE.yml`: every section of a seeding file, in the tool's order, through the
API's own operations as the seller, in one transaction (docs/migration.md).

Per record: an object with an ID is matched to the stored one with that ID (and the same
parents); a record without an ID (inventory records written by hand) or an assignment is matched
to a stored one with the same fields. Matched and the same (app.seeding.compare) -> skipped;
matched and different -> updated (the object saved with PUT, as the file says); unmatched ->
created. Any failure rolls the whole file back: nothing is half-imported."""

from __future__ import annotations

import copy
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.seeding.compare import unchanged
from app.seeding.inprocess import InProcessApi
from app.seeding.reading import Record, read_section
from app.seeding.sections import (
    ALIASES,
    ASSIGNMENTS,
    BY_NAME,
    MARKETPLACE_PLACEHOLDER,
    OBJECTS,
    REDACTED,
    Section,
    import_order,
)
from domain.errors import DomainError

CREATED, UPDATED, SKIPPED, FAILED = "created", "updated", "skipped", "failed"
Progress = Callable[[int, int], None]


class FileError(Exception):
    """The file as a whole cannot be read (not YAML, not the tool's shape, unknown section)."""


@dataclass
class Failure:
    file: str
    section: str
    index: int
    field: str | None
    message: str
    code: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.section}[{self.index}]"
        if self.field:
            where += f".{self.field}"
        return f"{where}: {self.message} ({self.code})"


@dataclass
class Outcome:
    counts: dict[str, int] = field(default_factory=lambda: {CREATED: 0, UPDATED: 0, SKIPPED: 0, FAILED: 0})
    failures: list[Failure] = field(default_factory=list)
    by_section: dict[str, dict[str, int]] = field(default_factory=dict)

    def note(self, section: str, result: str) -> None:
        self.counts[result] += 1
        per = self.by_section.setdefault(section, {CREATED: 0, UPDATED: 0, SKIPPED: 0, FAILED: 0})
        per[result] += 1


def sections_of(data: Any, file: str) -> dict[str, list[Record]]:
    """The file's records by section name (older names mapped to the current ones)."""
    if not isinstance(data, dict):
        raise FileError(f"{file}: not a seeding file (expected a mapping with Objects and Assignments)")
    found: dict[str, list[Record]] = {}
    for group in (OBJECTS, ASSIGNMENTS):
        sections = data.get(group) or {}
        if not isinstance(sections, dict):
            raise FileError(f"{file}: {group} must be a mapping of section names to lists")
        for raw_name, records in sections.items():
            name = ALIASES.get(str(raw_name), str(raw_name))
            section = BY_NAME.get(name)
            if section is None or section.group != group:
                raise FileError(f"{file}: {group}.{raw_name} is not a section of the seeding format")
            if records is None:
                records = []
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise FileError(f"{file}: {group}.{raw_name} must be a list of records")
            found[name] = records
    return found


def _prepared(section: Section, record: Record, marketplace_id: str) -> Record:
    rec = copy.deepcopy(record)
    if section.owner_field and rec.get(section.owner_field) == MARKETPLACE_PLACEHOLDER:
        rec[section.owner_field] = marketplace_id
    return rec


def _params(section: Section, rec: Record) -> dict[str, str]:
    params = {}
    for name, fld in section.parents:
        value = rec.get(fld)
        if value is None or value == "":
            raise DomainError(
                f"{fld} is required (the parent of a {section.name} record)",
                "ValidationFailure",
                {"Field": fld},
            )
        params[name] = str(value)
    return params


def _with_secrets(section: Section, rec: Record, stored: Record | None) -> Record:
    """A redacted secret keeps the stored value, or gets a new one when creating (the tool
    makes new ones too: the real ones never leave OrderCloud)."""
    body = dict(rec)
    for name in section.secrets:
        if body.get(name) == REDACTED:
            body[name] = stored.get(name) if stored is not None else secrets.token_urlsafe(32)
    return body


class Importer:
    def __init__(self, api: InProcessApi, file: str, progress: Progress | None = None) -> None:
        self.api = api
        self.file = file
        self.progress = progress
        self.outcome = Outcome()
        self.done = 0
        self.total = 0
        # Specs' DefaultOptionID waits until the options exist (as the tool does).
        self.default_options: list[tuple[int, Record]] = []

    async def run(self, data: Any) -> Outcome:
        sections = sections_of(data, self.file)
        self.total = sum(len(r) for r in sections.values())
        for section in import_order():
            records = sections.get(section.name, [])
            if section.name == "Variants":
                await self._generate_variants(sections.get("Products", []))
            if records:
                await self._section(section, records)
            if section.name == "SpecOptions":
                await self._default_options()
        return self.outcome

    def _tick(self) -> None:
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)

    def _fail(self, section: str, index: int, error: DomainError) -> None:
        data = error.data if isinstance(error.data, dict) else {}
        fld = data.get("Field") or data.get("field")
        self.outcome.failures.append(
            Failure(self.file, section, index, str(fld) if fld else None, error.message, error.code)
        )
        self.outcome.note(section, FAILED)

    async def _section(self, section: Section, records: list[Record]) -> None:
        marketplace_id = self.api.services.marketplace_id
        order = list(range(len(records)))
        if section.name == "Categories":
            order = _parents_first(records)
        if not self.api.has("GET", section.path):
            for index in order:
                missing = DomainError(
                    f"ordercore has no {section.name} yet (no {section.path})", "NotSupported", None
                )
                self._fail(section.name, index, missing)
                self._tick()
            return
        stored = Stored(section, await read_section(self.api, section))
        for index in order:
            rec = _prepared(section, records[index], marketplace_id)
            try:
                async with self.api.services.db.transaction():
                    if section.group == ASSIGNMENTS:
                        result = await self._assignment(section, rec, stored)
                    else:
                        result = await self._object(section, index, rec, stored)
            except DomainError as error:
                self._fail(section.name, index, error)
            else:
                self.outcome.note(section.name, result)
            self._tick()

    async def _object(self, section: Section, index: int, rec: Record, stored: Stored) -> str:
        params = _params(section, rec)
        match = stored.find(rec)
        if section.name == "Variants" and match is None:
            match = _variant_by_specs(rec, stored)
        if section.name == "Specs" and rec.get("DefaultOptionID") is not None:
            self.default_options.append((index, rec))
            rec = {**rec, "DefaultOptionID": match.get("DefaultOptionID") if match else None}
        if match is not None:
            stored.take(match)
            if unchanged(section.model, rec, match) or section.id_param is None:
                return SKIPPED
            body = _with_secrets(section, rec, match)
            await self.api.call(
                "PUT", section.item_path, {**params, section.id_param: str(match["ID"])}, body=body
            )
            return UPDATED
        body = _with_secrets(section, rec, None)
        if section.name == "Variants":
            # Variants are generated from the product's specs, never created: the file's ID
            # names the variant whose options match (it may rename the generated one).
            raise DomainError(
                "no variant of this product has these spec options (generate variants first)",
                "NotFound",
                {"Field": "Specs"},
            )
        await self.api.call(section.create_verb, section.path, params, body=body)
        return CREATED

    async def _assignment(self, section: Section, rec: Record, stored: Stored) -> str:
        match = stored.same(rec)
        if match is not None:
            stored.take(match)
            return SKIPPED
        params = _params(section, rec)
        if section.put_path is not None:
            query: list[tuple[str, str]] = []
            if section.name == "ProductSupplierAssignments":
                params["supplierID"] = _required(rec, "SupplierID")
                if rec.get("DefaultPriceScheduleID"):
                    query.append(("defaultPriceScheduleID", str(rec["DefaultPriceScheduleID"])))
            else:
                params["buyerID"] = _required(rec, "BuyerID")
            await self.api.call("PUT", section.put_path, params, query=query)
            return CREATED
        await self.api.call("POST", section.path, params, body=rec)
        return CREATED

    async def _generate_variants(self, products: list[Record]) -> None:
        """Products the file says have variants get them generated from their specs, unless
        they have some already (the tool generates them for every such product)."""
        for index, product in enumerate(products):
            if not product.get("VariantCount") or not product.get("ID"):
                continue
            try:
                async with self.api.services.db.transaction():
                    pid = str(product["ID"])
                    current = await self.api.call("GET", "/products/{productID}", {"productID": pid})
                    if not current.get("VariantCount"):
                        await self.api.call(
                            "POST", "/products/{productID}/variants/generate", {"productID": pid}, body=None
                        )
            except DomainError as error:
                self._fail("Products", index, error)

    async def _default_options(self) -> None:
        for index, rec in self.default_options:
            try:
                async with self.api.services.db.transaction():
                    spec_id = str(rec["ID"])
                    current = await self.api.call("GET", "/specs/{specID}", {"specID": spec_id})
                    if current.get("DefaultOptionID") != rec["DefaultOptionID"]:
                        await self.api.call(
                            "PATCH",
                            "/specs/{specID}",
                            {"specID": spec_id},
                            body={"DefaultOptionID": rec["DefaultOptionID"]},
                        )
            except DomainError as error:
                self._fail("Specs", index, error)
        self.default_options = []


def _required(rec: Record, name: str) -> str:
    value = rec.get(name)
    if not value:
        raise DomainError(f"{name} is required", "ValidationFailure", {"Field": name})
    return str(value)


class Stored:
    """A section's stored records, found by ID and parents in one step (a file of thousands of
    records is matched in linear time); records already matched are not matched again."""

    def __init__(self, section: Section, records: list[Record]) -> None:
        self.section = section
        self.records = records
        self.taken: set[int] = set()
        self.by_key = {self._key(r): r for r in records if r.get("ID") is not None}
        self.indexes: dict[tuple[str, ...], dict[tuple[str, ...], list[Record]]] = {}

    def _key(self, record: Record) -> tuple[str, ...]:
        return (*(str(record.get(f)) for _, f in self.section.parents), str(record.get("ID")))

    def take(self, record: Record) -> None:
        self.taken.add(id(record))

    def free(self) -> list[Record]:
        return [r for r in self.records if id(r) not in self.taken]

    def same(self, rec: Record) -> Record | None:
        """A stored record not matched yet with every field of `rec` (app.seeding.compare). The
        candidates are first narrowed to those with the same `...ID` values as `rec` (an index
        per set of ID fields), so an assignment is found without scanning them all."""
        names = tuple(sorted(k for k, v in rec.items() if k.endswith("ID") and isinstance(v, str)))
        index = self.indexes.get(names)
        if index is None:
            index = self.indexes[names] = {}
            for r in self.records:
                index.setdefault(tuple(str(r.get(n)) for n in names), []).append(r)
        candidates = index.get(tuple(str(rec[n]) for n in names), [])
        return next(
            (c for c in candidates if id(c) not in self.taken and unchanged(self.section.model, rec, c)), None
        )

    def find(self, rec: Record) -> Record | None:
        """The stored record `rec` stands for: same ID and parents, or (no ID) the same fields."""
        if rec.get("ID") is not None:
            found = self.by_key.get(self._key(rec))
            return found if found is not None and id(found) not in self.taken else None
        return self.same(rec)


def _variant_by_specs(rec: Record, stored: Stored) -> Record | None:
    wanted = {(s.get("SpecID"), s.get("OptionID")) for s in rec.get("Specs") or []}
    for candidate in stored.free():
        if str(candidate.get("ProductID")) != str(rec.get("ProductID")):
            continue
        options = {(s.get("SpecID"), s.get("OptionID")) for s in candidate.get("Specs") or []}
        if wanted and options == wanted:
            return candidate
    return None


def _parents_first(records: list[Record]) -> list[int]:
    """Category indexes ordered so a parent is created before its children (the tool creates
    them depth by depth); categories whose parent is not in the file come first."""
    ids = {(str(r.get("CatalogID")), str(r.get("ID"))) for r in records}

    def depth(i: int, seen: int = 0) -> int:
        parent = records[i].get("ParentID")
        if parent is None or seen > len(records):
            return 0
        key = (str(records[i].get("CatalogID")), str(parent))
        if key not in ids:
            return 0
        j = next(k for k, r in enumerate(records) if (str(r.get("CatalogID")), str(r.get("ID"))) == key)
        return 1 + depth(j, seen + 1)

    return sorted(range(len(records)), key=depth)
