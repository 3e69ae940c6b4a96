"""Product facets (issue #14): `/productfacets` CRUD in OrderCloud's shape, and facet counts in
product lists' Meta.Facets. docs/facets.md."""

from __future__ import annotations

from tests.helpers import Api, error_code

COLOR = {"ID": "color", "Name": "Color", "XpPath": "Facets.Color", "ListOrder": 0, "MinCount": 1, "xp": {}}


async def test_facet_crud(api: Api) -> None:
    made = await api.ok("POST", "/productfacets", COLOR)
    assert made == COLOR
    # Without XpPath the facet is at product.xp.{ID}; MinCount defaults to 1, as in OrderCloud.
    size = await api.ok("POST", "/productfacets", {"ID": "size", "Name": "Size"})
    assert size == {
        "ID": "size",
        "Name": "Size",
        "XpPath": "size",
        "ListOrder": None,
        "MinCount": 1,
        "xp": None,
    }
    assert (await api.ok("GET", "/productfacets/color"))["XpPath"] == "Facets.Color"
    patched = await api.ok("PATCH", "/productfacets/size", {"ListOrder": 2, "xp": {"ui": "chips"}})
    assert (patched["ListOrder"], patched["xp"], patched["XpPath"]) == (2, {"ui": "chips"}, "size")
    saved = await api.ok("PUT", "/productfacets/size", {"Name": "Sizes", "XpPath": "Facets.Size"})
    assert (saved["ID"], saved["Name"], saved["XpPath"], saved["ListOrder"]) == (
        "size",
        "Sizes",
        "Facets.Size",
        None,
    )
    page = await api.ok("GET", "/productfacets", params={"XpPath": "Facets.*", "sortBy": "!ID"})
    assert [f["ID"] for f in page["Items"]] == ["size", "color"]
    assert (await api.delete("/productfacets/size")).status_code == 204
    assert (await api.get("/productfacets/size")).status_code == 404


async def test_facet_paths_are_unique_and_valid(api: Api) -> None:
    await api.ok("POST", "/productfacets", COLOR)
    taken = await api.post("/productfacets", {"ID": "colour", "XpPath": "facets.color"})
    assert taken.status_code == 409 and error_code(taken) == "ProductFacet.XpPathInUse"
    # A facet whose derived path (its ID) is another's XpPath is refused the same way.
    await api.ok("POST", "/productfacets", {"ID": "brand"})
    clash = await api.post("/productfacets", {"ID": "maker", "XpPath": "Brand"})
    assert clash.status_code == 409 and error_code(clash) == "ProductFacet.XpPathInUse"
    # Saving a facet with its own path is no clash.
    await api.ok("PUT", "/productfacets/color", {**COLOR, "Name": "Colour"})
    for bad in ("Facets..Color", "Facets.Co lor", "a" * 201, ".x"):
        refused = await api.post("/productfacets", {"ID": "bad", "XpPath": bad})
        assert refused.status_code == 400, bad
    assert (await api.post("/productfacets", {"ID": "n", "MinCount": 2**31})).status_code == 400
    assert [f["ID"] for f in (await api.ok("GET", "/productfacets"))["Items"]] == ["brand", "color"]
