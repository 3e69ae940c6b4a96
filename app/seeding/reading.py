"""Reading a section's records through the API's list operations, as the tool's `download`
does: every page (100 a page; `depth=all` for categories), children listed under each parent
record with the parent's ID written into the record, and the tool's per-section reshaping."""

from __future__ import annotations

from typing import Any

from app.seeding.inprocess import InProcessApi
from app.seeding.sections import BY_NAME, Section

Record = dict[str, Any]
PAGE_SIZE = 100


def listable(api: InProcessApi, section: Section) -> bool:
    return api.has("GET", section.path)


async def list_all(api: InProcessApi, section: Section, params: dict[str, str]) -> list[Record]:
    query = [("pageSize", str(PAGE_SIZE))]
    if section.name == "Categories":
        query.append(("depth", "all"))
    items: list[Record] = []
    page = 1
    while True:
        answer = await api.call("GET", section.path, params, query=[*query, ("page", str(page))])
        items.extend(answer["Items"])
        if page >= int(answer["Meta"].get("TotalPages") or 1):
            return items
        page += 1


def _reshape(section: Section, record: Record) -> Record:
    """The tool's `downloadTransformFunc`s."""
    if section.model == "User":
        record.pop("Locale", None)
    elif section.name == "ApiClients":
        record["ID"] = str(record["ID"]).lower()
    elif section.name == "ApiClientAssignments":
        record["ApiClientID"] = str(record["ApiClientID"]).lower()
    elif section.name == "ProductSupplierAssignments":
        return {"SupplierID": record["ID"], "DefaultPriceScheduleID": record.get("DefaultPriceScheduleID")}
    elif section.name == "SupplierBuyerAssignments":
        return {"BuyerID": record["ID"]}
    return record


async def read_section(api: InProcessApi, section: Section) -> list[Record]:
    """Every record of `section` as the server holds it now (secrets included: the caller is
    the seller), reshaped as the tool writes it."""
    if not listable(api, section):
        return []
    if section.parent_section is None:
        return [_reshape(section, r) for r in await list_all(api, section, {})]
    parents = await read_section(api, BY_NAME[section.parent_section])
    records: list[Record] = []
    for parent in parents:
        if section.name == "Variants" and not parent.get("VariantCount"):
            continue
        values = (
            [str(parent["ID"])]
            if len(section.parents) == 1
            else [str(parent["ProductID"]), str(parent["ID"])]
        )
        params = {name: value for (name, _), value in zip(section.parents, values, strict=True)}
        for item in await list_all(api, section, params):
            record = _reshape(section, item)
            for (_, field), value in zip(section.parents, values, strict=True):
                record[field] = value
            records.append(record)
    return records
