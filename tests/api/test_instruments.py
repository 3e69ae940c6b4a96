"""Credit cards, spending accounts and cost centers: admin CRUD, assignments, the `/me` views."""

from __future__ import annotations

from tests.api.order_fixtures import World
from tests.helpers import error_code

CARDS = "/buyers/b1/creditcards"
ACCOUNTS = "/buyers/b1/spendingaccounts"
CENTERS = "/buyers/b1/costcenters"


def card(card_id: str, **extra: object) -> dict[str, object]:
    return {
        "ID": card_id,
        "Token": f"tok-{card_id}",
        "CardType": "Visa",
        "PartialAccountNumber": "1111",
        **extra,
    }


async def test_credit_cards_crud_assignments_and_me(world: World) -> None:
    api = world.api
    created = await api.ok("POST", CARDS, card("c1", CardholderName="Alice", ExpirationDate="2030-01-31"))
    assert created["DateCreated"] and created["ExpirationDate"].startswith("2030-01-31T00:00:00")
    assert (await api.ok("PATCH", f"{CARDS}/c1", {"CardholderName": "A. Lee"}))["CardholderName"] == "A. Lee"
    await api.ok("POST", CARDS, card("c2"))
    page = await api.ok("GET", CARDS, params={"search": "A. Lee", "searchOn": "CardholderName"})
    assert [c["ID"] for c in page["Items"]] == ["c1"]

    # Only tokens and the last digits: a card number is refused wherever it is put.
    for body in (
        card("x", PartialAccountNumber="4111111111111111"),
        card("x", CardNumber="4111111111111111"),
        card("x", CardholderName="4111 1111 1111 1111"),
        card("x", xp={"raw": "4111-1111-1111-1111"}),
        card("x", Token="5500005555555559"),
    ):
        refused = await api.post(CARDS, body)
        assert refused.status_code == 400, body
    assert (await api.get(f"{CARDS}/x")).status_code == 404

    await api.ok("POST", f"{CARDS}/assignments", {"CreditCardID": "c1", "UserID": "alice"}, status=204)
    await api.ok("POST", f"{CARDS}/assignments", {"CreditCardID": "c1", "UserID": "alice"}, status=204)
    both = await api.post(
        f"{CARDS}/assignments", {"CreditCardID": "c1", "UserID": "alice", "UserGroupID": "g"}
    )
    assert error_code(both) == "PartyAssignment.CannotSpecifyGroupAndUser"
    missing = await api.post(f"{CARDS}/assignments", {"CreditCardID": "nope", "UserID": "alice"})
    assert missing.status_code == 404
    listed = await api.ok("GET", f"{CARDS}/assignments", params={"userID": "alice"})
    assert listed["Items"] == [{"CreditCardID": "c1", "UserID": "alice", "UserGroupID": None}]
    assert (await api.ok("GET", f"{CARDS}/assignments", params={"level": "Company"}))["Items"] == []

    alice = await world.token("alice", "Shopper MeCreditCardAdmin")
    carol = await world.token("carol", "Shopper MeCreditCardAdmin")
    mine = await api.ok("GET", "/me/creditcards", token=alice)
    assert [(c["ID"], c["Editable"]) for c in mine["Items"]] == [("c1", False)]
    assert (await api.ok("GET", "/me/creditcards", token=carol))["Items"] == []
    assert (await api.get("/me/creditcards/c1", token=carol)).status_code == 404
    public = await api.patch("/me/creditcards/c1", {"CardholderName": "Me"}, token=alice)
    assert public.status_code == 403 and error_code(public) == "CreditCard.CannotEditPublic"

    own = await api.ok("POST", "/me/creditcards", card("mine", Editable=False), token=alice)
    assert own["Editable"] is True and own["ID"] == "mine"
    assert (await api.post("/me/creditcards", card("y", CVV="123"), token=alice)).status_code == 400
    shopper_only = await api.post("/me/creditcards", card("z"), token=await world.token("alice"))
    assert shopper_only.status_code == 403
    saved = await api.ok("PUT", "/me/creditcards/mine", card("ignored", CardType="Amex"), token=alice)
    assert saved["ID"] == "mine" and saved["CardType"] == "Amex"
    editable = await api.ok("GET", "/me/creditcards", params={"Editable": "true"}, token=alice)
    assert [c["ID"] for c in editable["Items"]] == ["mine"]
    assert (await api.get("/me/creditcards/mine", token=carol)).status_code == 404
    # The seller sees the user's card as one of the buyer's, assigned to the user.
    assert (await api.ok("GET", f"{CARDS}/mine"))["CardType"] == "Amex"
    await api.ok("DELETE", "/me/creditcards/mine", token=alice)
    assert (await api.get(f"{CARDS}/mine")).status_code == 404
    assert (await api.ok("GET", f"{CARDS}/assignments", params={"creditCardID": "mine"}))["Items"] == []

    await api.ok("DELETE", f"{CARDS}/c1/assignments", params={"userID": "alice"})
    assert (await api.delete(f"{CARDS}/c1/assignments", params={"userID": "alice"})).status_code == 404
    assert (await api.ok("GET", "/me/creditcards", token=alice))["Items"] == []

    # Another buyer's users never reach b1's cards; roles are checked first.
    bob = await world.token("bob", "CreditCardAdmin")
    assert (await api.get(CARDS, token=bob)).status_code == 404
    assert (await api.get("/buyers/b2/creditcards", token=alice)).status_code == 403
    await api.ok("DELETE", f"{CARDS}/c2")
    assert (await api.get(f"{CARDS}/c2")).status_code == 404


async def test_spending_accounts_and_me_views(world: World) -> None:
    api = world.api
    account = {"ID": "sa1", "Name": "Budget", "Balance": "100.50", "AllowAsPaymentMethod": True}
    created = await api.ok("POST", ACCOUNTS, account)
    assert created["Balance"] == 100.5 and created["StartDate"] is None
    bad_dates = await api.post(
        ACCOUNTS, {**account, "ID": "x", "StartDate": "2030-01-02", "EndDate": "2030-01-01"}
    )
    assert bad_dates.status_code == 400
    assert (await api.post(ACCOUNTS, {"ID": "x", "Name": "No balance"})).status_code == 400
    await api.ok("POST", ACCOUNTS, {"ID": "sa2", "Name": "Gifts", "Balance": 5})

    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "carol"}, status=204
    )
    await api.ok(
        "POST",
        f"{ACCOUNTS}/assignments",
        {"SpendingAccountID": "sa1", "UserGroupID": "g1", "AllowExceed": True},
        status=204,
    )
    await api.ok("POST", f"{ACCOUNTS}/assignments", {"SpendingAccountID": "sa2"}, status=204)
    listed = await api.ok("GET", f"{ACCOUNTS}/assignments", params={"level": "Group"})
    assert listed["Items"] == [
        {"SpendingAccountID": "sa1", "UserID": None, "UserGroupID": "g1", "AllowExceed": True}
    ]

    carol = await world.token("carol")
    alice = await world.token("alice")
    mine = await api.ok("GET", "/me/spendingAccounts", token=carol)
    assert [a["ID"] for a in mine["Items"]] == ["sa1", "sa2"]
    lower = await api.ok("GET", "/me/spendingaccounts", params={"search": "Gift"}, token=carol)
    assert [a["ID"] for a in lower["Items"]] == ["sa2"]
    assert [a["ID"] for a in (await api.ok("GET", "/me/spendingAccounts", token=alice))["Items"]] == ["sa2"]
    assert (await api.ok("GET", "/me/spendingaccounts/sa1", token=carol))["Name"] == "Budget"
    assert (await api.get("/me/spendingaccounts/sa1", token=alice)).status_code == 404
    assert (await api.get(ACCOUNTS, token=alice)).status_code == 403
    reader = await world.token("alice", "SpendingAccountReader")
    assert (await api.ok("GET", ACCOUNTS, token=reader))["Meta"]["TotalCount"] == 2
    assert (await api.patch(f"{ACCOUNTS}/sa1", {"Balance": 1}, token=reader)).status_code == 403

    # Deleting the group takes its assignments along.
    await api.ok("DELETE", "/buyers/b1/usergroups/g1")
    assert [a["ID"] for a in (await api.ok("GET", "/me/spendingAccounts", token=carol))["Items"]] == ["sa2"]
    await api.ok("DELETE", f"{ACCOUNTS}/sa2")
    assert (await api.ok("GET", f"{ACCOUNTS}/assignments"))["Items"] == []


async def test_cost_centers(world: World) -> None:
    api = world.api
    await api.ok("POST", CENTERS, {"ID": "cc1", "Name": "Marketing", "Description": "Ads"})
    await api.ok("PUT", f"{CENTERS}/cc2", {"Name": "Ops"})
    await api.ok("POST", "/buyers/b1/usergroups", {"ID": "g1", "Name": "Group"})
    await api.ok(
        "POST", "/buyers/b1/usergroups/assignments", {"UserGroupID": "g1", "UserID": "alice"}, status=204
    )
    await api.ok("POST", f"{CENTERS}/assignments", {"CostCenterID": "cc1", "UserGroupID": "g1"}, status=204)
    user_level = await api.post(f"{CENTERS}/assignments", {"CostCenterID": "cc2", "UserID": "alice"})
    assert error_code(user_level) == "PartyAssignment.UserLevelNotAllowed"
    listed = await api.ok("GET", f"{CENTERS}/assignments", params={"costCenterID": "cc1"})
    assert listed["Items"] == [{"CostCenterID": "cc1", "UserGroupID": "g1"}]
    alice = await world.token("alice")
    assert [c["ID"] for c in (await api.ok("GET", "/me/costcenters", token=alice))["Items"]] == ["cc1"]
    assert (await api.ok("GET", "/me/costcenters", token=await world.token("carol")))["Items"] == []
    await api.ok("DELETE", f"{CENTERS}/cc1/assignments", params={"userGroupID": "g1"})
    assert (await api.ok("GET", "/me/costcenters", token=alice))["Items"] == []
    found = await api.ok("GET", CENTERS, params={"search": "Ads"})
    assert [c["ID"] for c in found["Items"]] == ["cc1"]
