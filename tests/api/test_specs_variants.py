"""Specs, options, spec-product assignments, generated variants and inventory records."""

from __future__ import annotations

from tests.helpers import Api, error_code


async def make_specs(api: Api) -> None:
    await api.ok("POST", "/products", {"ID": "shirt", "Name": "Shirt", "Active": True})
    await api.ok("POST", "/specs", {"ID": "color", "Name": "Color", "DefinesVariant": True, "ListOrder": 1})
    await api.ok("POST", "/specs", {"ID": "size", "Name": "Size", "DefinesVariant": True, "ListOrder": 2})
    await api.ok("POST", "/specs", {"ID": "note", "Name": "Gift note", "AllowOpenText": True, "ListOrder": 3})
    await api.ok("POST", "/specs/color/options", {"ID": "red", "Value": "Red", "ListOrder": 1})
    await api.ok("POST", "/specs/color/options", {"ID": "blue", "Value": "Blue", "ListOrder": 2})
    await api.ok("POST", "/specs/size/options", {"ID": "S", "Value": "Small", "ListOrder": 1})
    await api.ok(
        "POST",
        "/specs/size/options",
        {
            "ID": "XL",
            "Value": "Extra large",
            "ListOrder": 2,
            "PriceMarkupType": "AmountPerQuantity",
            "PriceMarkup": 2.5,
        },
    )
    for spec in ("color", "size", "note"):
        await api.ok("POST", "/specs/productassignments", {"SpecID": spec, "ProductID": "shirt"}, status=204)


async def test_specs_and_options(api: Api) -> None:
    await make_specs(api)
    size = await api.ok("GET", "/specs/size")
    assert size["OptionCount"] == 2 and [o["ID"] for o in size["Options"]] == ["S", "XL"]
    assert size["Options"][1]["PriceMarkup"] == 2.5 and size["Options"][0]["PriceMarkupType"] == "NoMarkup"
    assert (await api.ok("PATCH", "/specs/size", {"DefaultOptionID": "S"}))["DefaultOptionID"] == "S"
    nope = await api.patch("/specs/size", {"DefaultOptionID": "M"})
    assert nope.status_code == 404 and nope.json()["Errors"][0]["Data"]["ObjectType"] == "SpecOption"
    bad_markup = await api.post("/specs/size/options", {"ID": "M", "PriceMarkupType": "Lots"})
    assert bad_markup.status_code == 400 and error_code(bad_markup) == "ValidationFailure"
    dup = await api.post("/specs/size/options", {"ID": "S", "Value": "again"})
    assert dup.status_code == 409 and error_code(dup) == "IdExists"
    assert (await api.ok("GET", "/specs/size"))["OptionCount"] == 2
    await api.ok("PATCH", "/specs/size/options/S", {"Value": "Tiny"})
    await api.ok("DELETE", "/specs/size/options/S")
    size = await api.ok("GET", "/specs/size")
    assert [o["ID"] for o in size["Options"]] == ["XL"] and size["DefaultOptionID"] is None
    options = await api.ok("GET", "/specs/size/options")
    assert [o["ID"] for o in options["Items"]] == ["XL"]
    missing = await api.get("/specs/nope/options")
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Spec"

    product = await api.ok("GET", "/products/shirt")
    assert product["SpecCount"] == 3
    specs = await api.ok("GET", "/products/shirt/specs")
    assert [s["ID"] for s in specs["Items"]] == ["color", "size", "note"]
    links = await api.ok(
        "GET", "/specs/productassignments", params={"productID": "shirt", "sortBy": "SpecID"}
    )
    assert [a["SpecID"] for a in links["Items"]] == ["color", "note", "size"]
    await api.ok("DELETE", "/specs/note/productassignments/shirt")
    assert (await api.ok("GET", "/products/shirt"))["SpecCount"] == 2
    await api.ok("DELETE", "/specs/color")
    assert (await api.ok("GET", "/products/shirt"))["SpecCount"] == 1


async def test_generate_variants(api: Api) -> None:
    await make_specs(api)
    product = await api.ok("POST", "/products/shirt/variants/generate", status=200)
    assert product["ID"] == "shirt" and product["VariantCount"] == 4
    page = await api.ok("GET", "/products/shirt/variants", params={"pageSize": 10})
    assert sorted(v["ID"] for v in page["Items"]) == [
        "shirt-blue-S",
        "shirt-blue-XL",
        "shirt-red-S",
        "shirt-red-XL",
    ]
    variant = await api.ok("GET", "/products/shirt/variants/shirt-red-XL")
    # OrderCloud leaves a generated variant's Name null.
    assert variant["Name"] is None and variant["Active"] is True
    assert [(s["SpecID"], s["OptionID"], s["Value"]) for s in variant["Specs"]] == [
        ("color", "red", "Red"),
        ("size", "XL", "Extra large"),
    ]
    assert (
        variant["Specs"][1]["PriceMarkupType"] == "AmountPerQuantity"
        and variant["Specs"][1]["PriceMarkup"] == 2.5
    )

    edited = await api.ok(
        "PATCH",
        "/products/shirt/variants/shirt-red-XL",
        {"Description": "Big", "Inventory": {"QuantityAvailable": 3}},
    )
    assert edited["Inventory"]["QuantityAvailable"] == 3 and edited["Inventory"]["LastUpdated"]
    saved = await api.ok(
        "PUT", "/products/shirt/variants/shirt-red-XL", {**edited, "Specs": [], "Name": "Red XL"}
    )
    assert saved["Name"] == "Red XL" and len(saved["Specs"]) == 2  # Specs are read-only
    missing = await api.put("/products/shirt/variants/nope", {"Name": "x"})
    assert missing.status_code == 404 and missing.json()["Errors"][0]["Data"]["ObjectType"] == "Variant"

    await api.ok(
        "POST", "/products/shirt/variants/generate", params={"overwriteExisting": "false"}, status=200
    )
    assert (await api.ok("GET", "/products/shirt/variants/shirt-red-XL"))["Description"] == "Big"
    await api.ok(
        "POST",
        "/products/shirt/variants/generate",
        {"Active": False},
        params={"overwriteExisting": "true"},
        status=200,
    )
    rebuilt = await api.ok("GET", "/products/shirt/variants/shirt-red-XL")
    assert rebuilt["Description"] is None and rebuilt["Active"] is False

    await api.ok("DELETE", "/specs/size/options/S")
    again = await api.ok("POST", "/products/shirt/variants/generate", status=200)
    assert again["VariantCount"] == 2
    gone = await api.get("/products/shirt/variants/shirt-red-S")
    assert gone.status_code == 404


# OrderCloud's own export of the seeding tool's Vercel-B2C template: both specs at ListOrder 0,
# every option at ListOrder 0, the size spec's ID sorting first.
VERCEL_VARIANTS = [
    f"short-sleeve-t-shirt-{color}-{size}"
    for color in ("Aqua", "light-brown", "orange", "Peach")
    for size in ("L", "M", "S", "XL")
]


async def test_variants_as_ordercloud_makes_them_when_specs_tie(api: Api) -> None:
    """Specs tied on ListOrder are taken by Name (Color before Size, whatever their IDs), options
    by ID case-insensitively; the variants' IDs are then OrderCloud's own, their Names null."""
    await api.ok("POST", "/products", {"ID": "short-sleeve-t-shirt", "Name": "Short Sleeve T-Shirt"})
    for spec_id, name, options in (
        ("short-sleeve-t-shirt-color", "Color", ("Peach", "orange", "light-brown", "Aqua")),
        ("cross-product-size", "Size", ("XL", "S", "M", "L")),
    ):
        await api.ok("POST", "/specs", {"ID": spec_id, "Name": name, "DefinesVariant": True, "ListOrder": 0})
        for option in options:
            await api.ok("POST", f"/specs/{spec_id}/options", {"ID": option, "Value": option.lower()})
        assignment = {"SpecID": spec_id, "ProductID": "short-sleeve-t-shirt"}
        await api.ok("POST", "/specs/productassignments", assignment, status=204)

    size = await api.ok("GET", "/specs/cross-product-size")
    assert [o["ID"] for o in size["Options"]] == ["L", "M", "S", "XL"]
    color = await api.ok("GET", "/specs/short-sleeve-t-shirt-color/options")
    assert [o["ID"] for o in color["Items"]] == ["Aqua", "light-brown", "orange", "Peach"]
    embedded = await api.ok("GET", "/specs/short-sleeve-t-shirt-color")
    assert [o["ID"] for o in embedded["Options"]] == ["Aqua", "light-brown", "orange", "Peach"]

    await api.ok("POST", "/products/short-sleeve-t-shirt/variants/generate", status=200)
    page = await api.ok("GET", "/products/short-sleeve-t-shirt/variants", params={"pageSize": 20})
    assert [v["ID"] for v in page["Items"]] == VERCEL_VARIANTS
    assert {v["Name"] for v in page["Items"]} == {None}
    first = page["Items"][0]
    assert [(s["SpecID"], s["Name"], s["OptionID"]) for s in first["Specs"]] == [
        ("short-sleeve-t-shirt-color", "Color", "Aqua"),
        ("cross-product-size", "Size", "L"),
    ]
    # Text sorts ignore case on request too (`L, M, S, XL`, never `L, XL, m, s`).
    await api.ok("POST", "/specs/cross-product-size/options", {"ID": "m2", "Value": "medium two"})
    by_id = await api.ok("GET", "/specs/cross-product-size/options", params={"sortBy": "!ID"})
    assert [o["ID"] for o in by_id["Items"]] == ["XL", "S", "m2", "M", "L"]
    size = await api.ok("GET", "/specs/cross-product-size")
    assert [o["ID"] for o in size["Options"]] == ["L", "M", "m2", "S", "XL"]


async def test_inventory_records(api: Api) -> None:
    await make_specs(api)
    await api.ok("POST", "/products/shirt/variants/generate", status=200)
    await api.ok(
        "POST",
        "/addresses",
        {
            "ID": "wh1",
            "Street1": "1 Main",
            "City": "Town",
            "State": "MN",
            "Zip": "55555",
            "Country": "US",
            "AddressName": "WH",
        },
    )
    record = await api.ok(
        "POST", "/products/shirt/inventoryrecords", {"ID": "r1", "AddressID": "wh1", "QuantityAvailable": 7}
    )
    assert record["Address"]["ID"] == "wh1" and record["LastUpdated"] and record["OwnerID"] == "ordercore"
    assert "_VariantID" not in record
    missing_address = await api.post("/products/shirt/inventoryrecords", {"ID": "r2", "AddressID": "nope"})
    assert missing_address.status_code == 404
    assert missing_address.json()["Errors"][0]["Data"]["ObjectType"] == "Address"
    no_address = await api.post("/products/shirt/inventoryrecords", {"ID": "r2"})
    assert no_address.status_code == 400
    await api.ok(
        "POST", "/products/shirt/variants/shirt-red-XL/inventoryrecords", {"ID": "v1", "AddressID": "wh1"}
    )
    product_level = await api.ok("GET", "/products/shirt/inventoryrecords")
    assert [r["ID"] for r in product_level["Items"]] == ["r1"]
    variant_level = await api.ok("GET", "/products/shirt/variants/shirt-red-XL/inventoryrecords")
    assert [r["ID"] for r in variant_level["Items"]] == ["v1"]
    assert (await api.get("/products/shirt/inventoryrecords/v1")).status_code == 404
    assert (await api.ok("PATCH", "/products/shirt/inventoryrecords/r1", {"QuantityAvailable": 2}))[
        "QuantityAvailable"
    ] == 2
    await api.ok("DELETE", "/products/shirt/variants/shirt-red-XL/inventoryrecords/v1")
    assert (await api.ok("GET", "/products/shirt/variants/shirt-red-XL/inventoryrecords"))["Items"] == []
    await api.ok("DELETE", "/products/shirt")
    assert (await api.get("/products/shirt/inventoryrecords")).status_code == 404
