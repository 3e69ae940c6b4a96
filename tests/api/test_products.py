"""Products, their suppliers and assignments, as the marketplace owner manages them."""

from __future__ import annotations

from tests.api.storefront_setup import add_buyer, add_shopper, enable_storefront
from tests.helpers import Api, error_code


async def test_product_crud_defaults_and_read_only_fields(api: Api) -> None:
    created = await api.ok(
        "POST",
        "/products",
        {
            "ID": "p1",
            "Name": "Widget",
            "ShipWeight": 1.25,
            "SpecCount": 9,
            "Inventory": {"Enabled": True, "QuantityAvailable": 10, "LastUpdated": "1999-01-01"},
            "xp": {"Color": "blue"},
        },
    )
    assert created["Active"] is False and created["QuantityMultiplier"] == 1
    assert created["SpecCount"] == 0 and created["VariantCount"] == 0 and created["IsBundle"] is False
    assert created["ShipWeight"] == 1.25 and created["OwnerID"] == "ordercore" and created["DateCreated"]
    stamp = created["Inventory"]["LastUpdated"]
    assert stamp and not stamp.startswith("1999")
    patched = await api.ok("PATCH", "/products/p1", {"xp": {"Size": "L"}, "Description": "d"})
    assert patched["xp"] == {"Color": "blue", "Size": "L"} and patched["Inventory"]["LastUpdated"] == stamp
    saved = await api.ok("PUT", "/products/p1", {"Name": "Renamed", "Active": True})
    assert saved["Name"] == "Renamed" and saved["Description"] is None and saved["DateCreated"]
    assert (await api.ok("GET", "/products/p1"))["Name"] == "Renamed"
    await api.ok("DELETE", "/products/p1")
    missing = await api.get("/products/p1")
    assert missing.status_code == 404
    assert missing.json()["Errors"][0]["Data"] == {"ObjectType": "Product", "ObjectID": "p1"}


async def test_product_refusals(api: Api) -> None:
    await api.ok("POST", "/products", {"ID": "p1", "Name": "Widget"})
    dup = await api.post("/products", {"ID": "p1", "Name": "Again"})
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    no_name = await api.post("/products", {"ID": "p2"})
    assert no_name.status_code == 400 and error_code(no_name) == "ValidationFailure"
    bad_type = await api.post("/products", {"ID": "p3", "Name": "x", "ShipWeight": "heavy"})
    assert bad_type.status_code == 400 and bad_type.json()["Errors"][0]["Data"]["Field"] == "ShipWeight"
    bad_id = await api.post("/products", {"ID": "has space", "Name": "x"})
    assert bad_id.status_code == 400
    no_schedule = await api.post("/products", {"ID": "p4", "Name": "x", "DefaultPriceScheduleID": "nope"})
    assert no_schedule.status_code == 404
    assert no_schedule.json()["Errors"][0]["Data"]["ObjectType"] == "PriceSchedule"
    listed = await api.ok("GET", "/products")
    assert [p["ID"] for p in listed["Items"]] == ["p1"]


async def test_product_list_options(api: Api) -> None:
    for pid, name, active in [
        ("a", "Alpha tool", True),
        ("b", "Beta gear", False),
        ("c", "Gamma tool", True),
    ]:
        await api.ok(
            "POST", "/products", {"ID": pid, "Name": name, "Active": active, "xp": {"Rank": ord(pid)}}
        )
    page = await api.ok("GET", "/products", params={"search": "tool", "sortBy": "!Name"})
    assert [p["ID"] for p in page["Items"]] == ["c", "a"] and page["Meta"]["Facets"] == []
    assert [p["ID"] for p in (await api.ok("GET", "/products", params={"Active": "false"}))["Items"]] == ["b"]
    ranked = await api.ok("GET", "/products", params={"xp.Rank": ">97"})
    assert [p["ID"] for p in ranked["Items"]] == ["b", "c"]
    await api.ok("POST", "/catalogs", {"ID": "cat", "Name": "Cat"})
    await api.ok("POST", "/catalogs/productassignments", {"CatalogID": "cat", "ProductID": "b"}, status=204)
    in_cat = await api.ok("GET", "/products", params={"catalogID": "cat"})
    assert [p["ID"] for p in in_cat["Items"]] == ["b"]


async def test_product_suppliers(api: Api) -> None:
    await api.ok("POST", "/products", {"ID": "p1", "Name": "Widget"})
    await api.ok("POST", "/suppliers", {"ID": "s1", "Name": "Supplier One"})
    await api.ok(
        "POST", "/priceschedules", {"ID": "ps", "Name": "ps", "PriceBreaks": [{"Quantity": 1, "Price": 3}]}
    )
    await api.ok("PUT", "/products/p1/suppliers/s1", params={"defaultPriceScheduleID": "ps"}, status=204)
    listed = await api.ok("GET", "/products/p1/suppliers")
    assert [(s["ID"], s["Name"], s["DefaultPriceScheduleID"]) for s in listed["Items"]] == [
        ("s1", "Supplier One", "ps")
    ]
    assert [p["ID"] for p in (await api.ok("GET", "/products", params={"supplierID": "s1"}))["Items"]] == [
        "p1"
    ]
    missing = await api.put("/products/p1/suppliers/nope")
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Supplier"
    await api.ok("DELETE", "/products/p1/suppliers/s1")
    assert (await api.ok("GET", "/products/p1/suppliers"))["Items"] == []


async def test_product_assignments(api: Api) -> None:
    await api.ok("POST", "/products", {"ID": "p1", "Name": "Widget"})
    await api.ok(
        "POST", "/priceschedules", {"ID": "ps", "Name": "ps", "PriceBreaks": [{"Quantity": 1, "Price": 3}]}
    )
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "B1"})
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "G1"})
    company = {"ProductID": "p1", "BuyerID": "b1", "PriceScheduleID": "ps"}
    await api.ok("POST", "/products/assignments", company, status=204)
    await api.ok("POST", "/products/assignments", {**company, "UserGroupID": "g1"}, status=204)
    await api.ok("POST", "/products/assignments", {**company, "PriceScheduleID": None}, status=204)  # upsert
    listed = await api.ok("GET", "/products/assignments", params={"productID": "p1"})
    assert listed["Meta"]["TotalCount"] == 2
    assert {"SellerID": None, **company, "UserGroupID": None, "PriceScheduleID": None} in listed["Items"]
    assert all("ID" not in a for a in listed["Items"])
    groups = await api.ok("GET", "/products/assignments", params={"level": "Group"})
    assert [a["UserGroupID"] for a in groups["Items"]] == ["g1"]
    for body, object_type in [
        ({**company, "ProductID": "nope"}, "Product"),
        ({**company, "BuyerID": "nope"}, "Buyer"),
        ({**company, "UserGroupID": "nope"}, "UserGroup"),
        ({**company, "PriceScheduleID": "nope"}, "PriceSchedule"),
    ]:
        resp = await api.post("/products/assignments", body)
        assert resp.status_code == 404 and resp.json()["Errors"][0]["Data"]["ObjectType"] == object_type
    no_buyer = await api.post("/products/assignments", {"ProductID": "p1"})
    assert no_buyer.status_code == 400
    await api.ok("DELETE", "/products/p1/assignments/b1", params={"userGroupID": "g1"})
    left = await api.ok("GET", "/products/assignments")
    assert [a["UserGroupID"] for a in left["Items"]] == [None]
    await api.ok("DELETE", "/products/p1")
    assert (await api.ok("GET", "/products/assignments"))["Items"] == []


async def test_only_the_marketplace_owner_administers_products(api: Api) -> None:
    await enable_storefront(api)
    await add_buyer(api, "b1")
    token = await add_shopper(api, "b1", "shopper1")
    listed = await api.get("/products", token=token)
    assert listed.status_code == 403 and error_code(listed) == "Auth.InsufficientRoles"
    created = await api.post("/products", {"ID": "x", "Name": "x"}, token=token)
    assert created.status_code == 403
    schedule = await api.post("/priceschedules", {"ID": "x", "Name": "x"}, token=token)
    assert schedule.status_code == 403
    reader = await api.login("admin", "Admin-pass-1234", scope="ProductReader")
    assert (await api.get("/products", token=reader)).status_code == 200
    refused = await api.post("/products", {"ID": "x", "Name": "x"}, token=reader)
    assert refused.status_code == 403
    assert refused.json()["Errors"][0]["Data"]["SufficientRoles"] == ["ProductAdmin"]
    assign = await api.post("/products/assignments", {"ProductID": "x", "BuyerID": "b1"}, token=reader)
    assert assign.status_code == 403


async def test_renaming_a_product_moves_what_hangs_off_it(api: Api) -> None:
    await api.ok(
        "POST", "/priceschedules", {"ID": "ps", "Name": "ps", "PriceBreaks": [{"Quantity": 1, "Price": 3}]}
    )
    await api.ok("POST", "/products", {"ID": "old", "Name": "Widget", "DefaultPriceScheduleID": "ps"})
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "B1"})
    await api.ok("POST", "/products/assignments", {"ProductID": "old", "BuyerID": "b1"}, status=204)
    await api.ok("POST", "/specs", {"ID": "size", "Name": "Size", "DefinesVariant": True})
    await api.ok("POST", "/specs/size/options", {"ID": "S", "Value": "Small"})
    await api.ok("POST", "/specs/productassignments", {"SpecID": "size", "ProductID": "old"}, status=204)
    await api.ok("POST", "/products/old/variants/generate", status=200)
    renamed = await api.ok("PATCH", "/products/old", {"ID": "new"})
    assert renamed["ID"] == "new" and renamed["SpecCount"] == 1 and renamed["VariantCount"] == 1
    assert (await api.get("/products/old")).status_code == 404
    assert [v["ID"] for v in (await api.ok("GET", "/products/new/variants"))["Items"]] == ["old-S"]
    links = await api.ok("GET", "/products/assignments", params={"buyerID": "b1"})
    assert [a["ProductID"] for a in links["Items"]] == ["new"]
    await api.ok("PATCH", "/priceschedules/ps", {"ID": "ps2"})
    assert (await api.ok("GET", "/products/new"))["DefaultPriceScheduleID"] == "ps2"
    taken = await api.patch("/products/new", {"ID": "new"})
    assert taken.status_code == 200
    await api.ok("POST", "/products", {"ID": "other", "Name": "Other"})
    clash = await api.patch("/products/new", {"ID": "other"})
    assert clash.status_code == 409 and error_code(clash) == "IdExists"
    assert (await api.ok("GET", "/products/new"))["SpecCount"] == 1
