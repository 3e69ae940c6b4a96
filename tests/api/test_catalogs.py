"""Catalogs and their buyer and product assignments."""

from __future__ import annotations

from tests.helpers import Api, error_code


async def test_catalog_crud(api: Api) -> None:
    created = await api.ok(
        "POST", "/catalogs", {"ID": "c1", "Name": "Main", "Active": True, "CategoryCount": 4}
    )
    assert created["CategoryCount"] == 0 and created["OwnerID"] == "ordercore"
    await api.ok("POST", "/catalogs", {"ID": "c2", "Name": "Alt", "Description": "seasonal"})
    assert [c["ID"] for c in (await api.ok("GET", "/catalogs"))["Items"]] == ["c2", "c1"]  # by Name
    found = await api.ok("GET", "/catalogs", params={"search": "seasonal"})
    assert [c["ID"] for c in found["Items"]] == ["c2"]
    assert (await api.ok("PATCH", "/catalogs/c2", {"Active": True}))["Active"] is True
    dup = await api.post("/catalogs", {"ID": "c1", "Name": "again"})
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    bad = await api.post("/catalogs", {"ID": "c3", "Name": "x", "Active": "yes please"})
    assert bad.status_code == 400
    bad_sort = await api.get("/catalogs", params={"sortBy": "Description"})
    assert bad_sort.status_code == 400 and error_code(bad_sort) == "List.InvalidSortProperty"
    await api.ok("DELETE", "/catalogs/c2")
    missing = await api.get("/catalogs/c2")
    assert missing.json()["Errors"][0]["Data"] == {"ObjectType": "Catalog", "ObjectID": "c2"}


async def test_catalog_assignments(api: Api) -> None:
    await api.ok("POST", "/catalogs", {"ID": "c1", "Name": "Main"})
    await api.ok("POST", "/buyers", {"ID": "b1", "Name": "B1", "DefaultCatalogID": "c1"})
    await api.ok("POST", "/buyers", {"ID": "b2", "Name": "B2", "DefaultCatalogID": "c1"})
    await api.ok("POST", "/products", {"ID": "p1", "Name": "P1"})
    for buyer in ("b1", "b2"):
        await api.ok("POST", "/catalogs/assignments", {"CatalogID": "c1", "BuyerID": buyer}, status=204)
    await api.ok(
        "POST",
        "/catalogs/assignments",
        {"CatalogID": "c1", "BuyerID": "b1", "ViewAllProducts": True},
        status=204,
    )
    listed = await api.ok("GET", "/catalogs/assignments", params={"buyerID": "b1"})
    assert listed["Items"] == [
        {"CatalogID": "c1", "BuyerID": "b1", "ViewAllCategories": False, "ViewAllProducts": True}
    ]
    for body, object_type in [
        ({"CatalogID": "x", "BuyerID": "b1"}, "Catalog"),
        ({"CatalogID": "c1", "BuyerID": "x"}, "Buyer"),
    ]:
        resp = await api.post("/catalogs/assignments", body)
        assert resp.status_code == 404 and resp.json()["Errors"][0]["Data"]["ObjectType"] == object_type
    await api.ok("DELETE", "/catalogs/c1/assignments", params={"buyerID": "b2"})
    assert [a["BuyerID"] for a in (await api.ok("GET", "/catalogs/assignments"))["Items"]] == ["b1"]

    await api.ok("POST", "/catalogs/productassignments", {"CatalogID": "c1", "ProductID": "p1"}, status=204)
    products = await api.ok("GET", "/catalogs/productassignments", params={"catalogID": "c1"})
    assert products["Items"] == [{"CatalogID": "c1", "ProductID": "p1"}]
    missing = await api.post("/catalogs/productassignments", {"CatalogID": "c1", "ProductID": "nope"})
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Product"
    await api.ok("DELETE", "/catalogs/c1/productassignments/p1")
    assert (await api.ok("GET", "/catalogs/productassignments"))["Items"] == []

    await api.ok("DELETE", "/catalogs/c1")
    assert (await api.ok("GET", "/catalogs/assignments"))["Items"] == []


async def test_buyer_without_default_catalog_gets_one(api: Api) -> None:
    """`Buyer.DefaultCatalogID` null on POST: a new default catalog is created and assigned."""
    created = await api.ok("POST", "/buyers", {"ID": "b1", "Name": "B1", "DefaultCatalogID": None})
    assert created["DefaultCatalogID"] == "b1"
    catalog = await api.ok("GET", "/catalogs/b1")
    assert catalog["Name"] == "B1" and catalog["Active"] is True
    listed = await api.ok("GET", "/catalogs/assignments", params={"buyerID": "b1"})
    assert [(a["CatalogID"], a["ViewAllCategories"]) for a in listed["Items"]] == [("b1", True)]
    # A catalog already has the buyer's ID: the default one gets a new ID.
    await api.ok("POST", "/catalogs", {"ID": "b2", "Name": "Taken"})
    second = await api.ok("POST", "/buyers", {"ID": "b2", "Name": "B2"})
    assert second["DefaultCatalogID"] not in (None, "b2")
    assert (await api.ok("GET", f"/catalogs/{second['DefaultCatalogID']}"))["Name"] == "B2"
    # A buyer naming its default catalog keeps it; nothing is created.
    third = await api.ok("POST", "/buyers", {"ID": "b3", "Name": "B3", "DefaultCatalogID": "b1"})
    assert third["DefaultCatalogID"] == "b1"
    assert (await api.get("/catalogs/b3")).status_code == 404
