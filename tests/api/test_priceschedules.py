"""Price schedules: the pricing engine's rules surfaced as API refusals that change nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.helpers import Api, error_code

BASE: dict[str, Any] = {"ID": "ps", "Name": "Standard", "Currency": "USD"}


async def test_schedule_crud_sorts_breaks_and_computes_is_on_sale(api: Api) -> None:
    body = {
        **BASE,
        "PriceBreaks": [{"Quantity": 10, "Price": 8, "SalePrice": 7}, {"Quantity": 1, "Price": 10.5}],
        "SaleStart": "2000-01-01T00:00:00Z",
    }
    created = await api.ok("POST", "/priceschedules", body)
    assert [b["Quantity"] for b in created["PriceBreaks"]] == [1, 10]
    assert created["PriceBreaks"][0] == {
        "Quantity": 1,
        "Price": 10.5,
        "SalePrice": None,
        "SubscriptionPrice": None,
        "BundlePrice": None,
    }
    assert (
        created["MinQuantity"] == 1 and created["MaxQuantity"] is None and created["OwnerID"] == "ordercore"
    )
    assert created["SaleStart"] == "2000-01-01T00:00:00.000+00:00" and created["IsOnSale"] is True
    ended = await api.ok("PATCH", "/priceschedules/ps", {"SaleEnd": "2001-01-01T00:00:00Z", "IsOnSale": True})
    assert ended["IsOnSale"] is False
    assert (await api.ok("GET", "/priceschedules/ps"))["IsOnSale"] is False
    listed = await api.ok("GET", "/priceschedules", params={"Currency": "USD"})
    assert [s["ID"] for s in listed["Items"]] == ["ps"] and listed["Items"][0]["IsOnSale"] is False
    await api.ok("DELETE", "/priceschedules/ps")
    missing = await api.get("/priceschedules/ps")
    assert missing.status_code == 404
    assert missing.json()["Errors"][0]["Data"] == {"ObjectType": "PriceSchedule", "ObjectID": "ps"}


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"MinQuantity": 5, "MaxQuantity": 2}, "PriceSchedule.MinGreaterThanMax"),
        ({"MinQuantity": 0}, "PriceSchedule.MinQtyMustBePositive"),
        (
            {"PriceBreaks": [{"Quantity": 1, "Price": 1}, {"Quantity": 1, "Price": 2}]},
            "PriceSchedule.DuplicatePriceBreaks",
        ),
        (
            {"SaleStart": "2030-01-02T00:00:00Z", "SaleEnd": "2030-01-01T00:00:00Z"},
            "PriceSchedule.InvalidSaleStartOrSaleEnd",
        ),
        ({"SaleStart": "not a date"}, "PriceSchedule.InvalidSaleStartOrSaleEnd"),
        ({"PriceBreaks": []}, "PriceSchedule.CannotClearPriceBreaks"),
        ({"PriceBreaks": [{"Quantity": 1}]}, "ValidationFailure"),
        ({"PriceBreaks": [{"Quantity": 1, "Price": -1}]}, "ValidationFailure"),
        ({"MaxQuantity": "lots"}, "ValidationFailure"),
        ({"Name": None}, "ValidationFailure"),
    ],
)
async def test_bad_schedules_are_refused_and_change_nothing(
    api: Api, change: dict[str, Any], code: str
) -> None:
    await api.ok("POST", "/priceschedules", {**BASE, "PriceBreaks": [{"Quantity": 1, "Price": 5}]})
    before = await api.ok("GET", "/priceschedules/ps")
    for method in ("PATCH", "PUT"):
        resp = await api.call(
            method, "/priceschedules/ps", {**BASE, "PriceBreaks": before["PriceBreaks"], **change}
        )
        assert resp.status_code == 400, resp.text
        assert error_code(resp) == code
    assert await api.ok("GET", "/priceschedules/ps") == before
    created = await api.post("/priceschedules", {**BASE, "ID": "other", **change})
    if code != "PriceSchedule.CannotClearPriceBreaks":  # a new schedule may start without breaks
        assert created.status_code == 400 and error_code(created) == code
        assert (await api.get("/priceschedules/other")).status_code == 404


async def test_price_break_endpoints(api: Api) -> None:
    await api.ok("POST", "/priceschedules", {**BASE})  # no breaks yet: they come one by one
    one = await api.ok("POST", "/priceschedules/ps/PriceBreaks", {"Quantity": 1, "Price": 10})
    assert [b["Price"] for b in one["PriceBreaks"]] == [10]
    await api.ok("POST", "/priceschedules/ps/PriceBreaks", {"Quantity": 5, "Price": 9})
    replaced = await api.ok("POST", "/priceschedules/ps/pricebreaks", {"Quantity": 1, "Price": 11})
    assert [(b["Quantity"], b["Price"]) for b in replaced["PriceBreaks"]] == [(1, 11), (5, 9)]
    await api.ok("DELETE", "/priceschedules/ps/PriceBreaks", params={"quantity": 5})
    missing = await api.delete("/priceschedules/ps/PriceBreaks", params={"quantity": 7})
    assert missing.status_code == 404 and error_code(missing) == "PriceSchedule.QtyNotFound"
    last = await api.delete("/priceschedules/ps/PriceBreaks", params={"quantity": 1})
    assert last.status_code == 400 and error_code(last) == "PriceSchedule.CannotDeleteLastPriceBreak"
    bad = await api.post("/priceschedules/ps/PriceBreaks", {"Quantity": "many", "Price": 1})
    assert bad.status_code == 400
    assert [b["Quantity"] for b in (await api.ok("GET", "/priceschedules/ps"))["PriceBreaks"]] == [1]
    nope = await api.post("/priceschedules/nope/PriceBreaks", {"Quantity": 1, "Price": 1})
    assert nope.status_code == 404 and nope.json()["Errors"][0]["Data"]["ObjectType"] == "PriceSchedule"
