"""Token lifecycle (issue #10 items 2 and 3): every change that must end a user's tokens ends its
outstanding access AND refresh tokens, while tokens issued after the change work; `/me` cannot
reactivate or re-role itself; lockout after wrong passwords (item 6) and the token endpoint's rate
limit. docs/security-tokens.md states the model."""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import httpx
import pytest

from app.auth.lockout import LOCKED_UNTIL
from app.config import Settings
from app.store.repo import Docs
from tests.api.org_setup import PASSWORD, buyer, profile, supplier, user_body
from tests.helpers import Api, error_code

CLIENT = "refresher"
NEW_PASSWORD = "An0ther-secret-pw"
# Where each kind of user lives, and the roles its profile gives.
PATHS = {"buyer": "/buyers/b1/users", "supplier": "/suppliers/s1/users", "admin": "/adminusers"}
ASSIGN = {"buyer": {"BuyerID": "b1"}, "supplier": {"SupplierID": "s1"}, "admin": {}}


@pytest.fixture
async def world(api: Api) -> Api:
    """Buyer b1, supplier s1, and a client every kind of user may use that issues refresh tokens."""
    await buyer(api, "b1")
    await supplier(api, "s1")
    await api.ok(
        "POST",
        "/apiclients",
        {
            "ID": CLIENT,
            "AppName": "Refresher",
            "AccessTokenDuration": 600,
            "RefreshTokenDuration": 600,
            "AllowAnyBuyer": True,
            "AllowAnySupplier": True,
            "AllowSeller": True,
        },
    )
    return api


async def make_user(api: Api, kind: str, user_id: str, **extra: Any) -> None:
    await api.ok("POST", PATHS[kind], user_body(user_id, **extra))
    roles = ["MeAdmin", "Shopper"] if kind == "buyer" else ["MeAdmin"]
    # Assigned to the company (the marketplace for admin users), so renaming the ID keeps roles.
    await profile(api, f"p-{kind}-{user_id}", roles, **ASSIGN[kind])


async def pair(api: Api, username: str, password: str = PASSWORD) -> tuple[str, str]:
    """(access token, refresh token) from a password sign-in."""
    response = await api.token(username, password, CLIENT)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["refresh_token"], body
    return body["access_token"], body["refresh_token"]


async def refresh(api: Api, token: str) -> httpx.Response:
    form = {"grant_type": "refresh_token", "refresh_token": token, "client_id": CLIENT}
    return await api.client.post("/oauth/token", data=form)


async def assert_dead(api: Api, tokens: tuple[str, str], code: str = "Auth.TokenRevoked") -> None:
    access, refresh_token = tokens
    me = await api.get("/me", token=access)
    assert me.status_code == 401 and error_code(me) == code, me.text
    refreshed = await refresh(api, refresh_token)
    assert refreshed.status_code == 400 and refreshed.json()["error"] == "invalid_grant", refreshed.text


async def assert_alive(api: Api, tokens: tuple[str, str], username: str) -> None:
    access, refresh_token = tokens
    assert (await api.ok("GET", "/me", token=access))["Username"] == username
    refreshed = await refresh(api, refresh_token)
    assert refreshed.status_code == 200, refreshed.text
    assert (await api.ok("GET", "/me", token=refreshed.json()["access_token"]))["Username"] == username


# --------------------------------------------------------------------------- lifecycle


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_rename_by_admin_ends_tokens(world: Api, kind: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    by_username = await pair(api, "u1-name")
    await api.ok("PATCH", f"{PATHS[kind]}/u1", {"Username": "renamed"})
    await assert_dead(api, by_username)
    by_id = await pair(api, "renamed")
    await api.ok("PATCH", f"{PATHS[kind]}/u1", {"ID": "u1b"})
    await assert_dead(api, by_id)
    await assert_alive(api, await pair(api, "renamed"), "renamed")


async def test_username_squatting_through_me_yields_nothing(world: Api) -> None:
    """Rename yourself to a future colleague's username, take a refresh token, rename back; the
    colleague created later under that name is not reachable through the old token."""
    api = world
    await make_user(api, "buyer", "mallory")
    mine = await pair(api, "mallory-name")
    await api.ok("PATCH", "/me", {"Username": "future-colleague"}, token=mine[0])
    squatted = await pair(api, "future-colleague")
    await api.ok("PATCH", "/me", {"Username": "mallory-name"}, token=squatted[0])
    await make_user(api, "buyer", "victim", Username="future-colleague")
    await assert_dead(api, squatted)
    await assert_dead(api, mine)
    await assert_alive(api, await pair(api, "future-colleague"), "future-colleague")


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_delete_and_recreate_same_id_and_username(world: Api, kind: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    old = await pair(api, "u1-name")
    await api.ok("DELETE", f"{PATHS[kind]}/u1")
    await assert_dead(api, old)
    await make_user(api, kind, "u1")
    # Same ID, same username, another person: the old tokens stay dead.
    await assert_dead(api, old)
    await assert_alive(api, await pair(api, "u1-name"), "u1-name")


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_deactivating_a_user_ends_tokens_at_once(world: Api, kind: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    old = await pair(api, "u1-name")
    await api.ok("PATCH", f"{PATHS[kind]}/u1", {"Active": False})
    await assert_dead(api, old, "Auth.UserNotActive")
    # It cannot reactivate itself either: its token is refused before /me is reached.
    assert (await api.patch("/me", {"Active": True}, token=old[0])).status_code == 401
    await api.ok("PATCH", f"{PATHS[kind]}/u1", {"Active": True})
    await assert_dead(api, old)
    await assert_alive(api, await pair(api, "u1-name"), "u1-name")


@pytest.mark.parametrize(("kind", "company"), [("buyer", "/buyers/b1"), ("supplier", "/suppliers/s1")])
async def test_deactivating_the_company_ends_tokens(world: Api, kind: str, company: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    old = await pair(api, "u1-name")
    await api.ok("PATCH", company, {"Active": False})
    await assert_dead(api, old, "Auth.CompanyNotActive")
    await api.ok("PATCH", company, {"Active": True})
    # Reactivating the company does not revive what its deactivation ended.
    await assert_dead(api, old)
    await assert_alive(api, await pair(api, "u1-name"), "u1-name")


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_password_change_by_admin_ends_tokens(world: Api, kind: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    old = await pair(api, "u1-name")
    await api.ok("PATCH", f"{PATHS[kind]}/u1", {"Password": NEW_PASSWORD})
    await assert_dead(api, old)
    assert (await api.token("u1-name", PASSWORD, CLIENT)).status_code == 400
    await assert_alive(api, await pair(api, "u1-name", NEW_PASSWORD), "u1-name")


async def test_password_change_through_me_ends_tokens(world: Api) -> None:
    api = world
    await make_user(api, "buyer", "u1")
    old = await pair(api, "u1-name")
    other_device = await pair(api, "u1-name")
    await api.ok("PATCH", "/me", {"Password": NEW_PASSWORD}, token=old[0])
    await assert_dead(api, old)
    await assert_dead(api, other_device)
    await assert_alive(api, await pair(api, "u1-name", NEW_PASSWORD), "u1-name")


async def test_other_profile_changes_keep_tokens(world: Api) -> None:
    """Only what changes who may sign in ends tokens: a new first name does not."""
    api = world
    await make_user(api, "buyer", "u1")
    tokens = await pair(api, "u1-name")
    await api.ok("PATCH", "/buyers/b1/users/u1", {"FirstName": "Renamed"})
    await api.ok("PATCH", "/me", {"LastName": "Also"}, token=tokens[0])
    await assert_alive(api, tokens, "u1-name")


@pytest.mark.parametrize("kind", ["buyer", "supplier", "admin"])
async def test_revoke_ends_access_and_refresh_tokens(world: Api, kind: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    old = await pair(api, "u1-name")
    await api.ok("DELETE", f"{PATHS[kind]}/u1/tokens")
    await assert_dead(api, old)
    fresh = await pair(api, "u1-name")
    await assert_alive(api, fresh, "u1-name")
    # The refresh above issued one more pair; DELETE /me/tokens ends all of them.
    await api.ok("DELETE", "/me/tokens", token=fresh[0])
    await assert_dead(api, fresh)
    await assert_alive(api, await pair(api, "u1-name"), "u1-name")


async def test_moving_a_user_ends_its_tokens_even_after_moving_back(world: Api) -> None:
    api = world
    await buyer(api, "b2")
    await make_user(api, "buyer", "u1")
    old = await pair(api, "u1-name")
    await api.ok("POST", "/buyers/b1/users/u1/moveto/b2")
    await api.ok("POST", "/buyers/b2/users/u1/moveto/b1")
    await assert_dead(api, old)


# --------------------------------------------------------------------------- /me


@pytest.mark.parametrize("verb", ["PATCH", "PUT"])
async def test_me_cannot_change_privileged_fields(world: Api, verb: str) -> None:
    api = world
    await make_user(api, "buyer", "u1")
    access, _ = await pair(api, "u1-name")
    before = await api.ok("GET", "/me", token=access)
    body = {
        **user_body("u1"),
        "Active": False,
        "AvailableRoles": ["FullAccess"],
        "CompanyID": "b2",
        "Buyer": {"ID": "b2"},
        "Seller": {"ID": "ordercore"},
        "FailedLoginAttempts": 0,
    }
    body.pop("Password")
    after = await api.ok(verb, "/me", body, token=access)
    assert after["Active"] is True and after["AvailableRoles"] == before["AvailableRoles"]
    assert after["Buyer"] == before["Buyer"] and after["Seller"] is None
    stored = await api.ok("GET", "/buyers/b1/users/u1")
    assert stored["Active"] is True and stored["CompanyID"] == "b1"
    # The token still stands: nothing that ends tokens happened.
    assert (await api.get("/me", token=access)).status_code == 200


# --------------------------------------------------------------------------- lockout


async def _wrong(api: Api, username: str, times: int) -> None:
    for _ in range(times):
        response = await api.token(username, "wrong-password", CLIENT)
        assert response.status_code == 400, response.text


async def test_default_lockout_then_unlock(world: Api) -> None:
    api = world
    await make_user(api, "buyer", "u1")
    attempts = Settings().lockout_attempts
    await _wrong(api, "u1-name", attempts - 1)
    # One short of the limit: the right password still works and starts the count again.
    await pair(api, "u1-name")
    assert (await api.ok("GET", "/buyers/b1/users/u1"))["FailedLoginAttempts"] == 0
    await _wrong(api, "u1-name", attempts)
    locked = await api.token("u1-name", PASSWORD, CLIENT)
    assert locked.status_code == 400 and error_code(locked) == "Auth.LockedOut"
    assert locked.json()["error"] == "invalid_grant"
    assert (await api.ok("GET", "/buyers/b1/users/u1"))["FailedLoginAttempts"] == attempts
    await api.ok("POST", "/buyers/b1/users/u1/unlock", status=204)
    await pair(api, "u1-name")


@pytest.mark.parametrize("kind", ["supplier", "admin"])
async def test_profile_password_config_sets_the_lockout(world: Api, kind: str) -> None:
    api = world
    await make_user(api, kind, "u1")
    await api.ok(
        "PATCH",
        f"/securityprofiles/p-{kind}-u1",
        {"PasswordConfig": {"AllowedFailedAttempts": 3, "LockoutDuration": 5}},
    )
    await _wrong(api, "u1-name", 3)
    locked = await api.token("u1-name", PASSWORD, CLIENT)
    assert error_code(locked) == "Auth.LockedOut"
    async with api.services.db.reader() as conn:
        found = await Docs(conn).get(
            "supplieruser" if kind == "supplier" else "adminuser", "u1", _scope(kind)
        )
    assert found is not None
    # Locked for LockoutDuration (5 minutes) from the third failure.
    assert 4 * 60 < int(found.doc[LOCKED_UNTIL]) - time.time() <= 5 * 60 + 1
    await api.ok("POST", f"{PATHS[kind]}/u1/unlock", status=204)
    await pair(api, "u1-name")


def _scope(kind: str) -> str:
    return "s1" if kind == "supplier" else ""


async def test_lock_ends_after_its_duration(world: Api) -> None:
    api = world
    await make_user(api, "buyer", "u1")
    await _wrong(api, "u1-name", Settings().lockout_attempts)
    assert error_code(await api.token("u1-name", PASSWORD, CLIENT)) == "Auth.LockedOut"
    # Let the lock run out (as if LockoutDuration had passed).
    async with api.services.db.transaction() as conn:
        docs = Docs(conn)
        found = await docs.get("user", "u1", "b1")
        assert found is not None
        await docs.replace("user", "u1", {**found.doc, LOCKED_UNTIL: 1}, "b1")
    await pair(api, "u1-name")


async def test_unknown_user_is_never_locked_and_looks_like_a_wrong_password(world: Api) -> None:
    api = world
    for _ in range(Settings().lockout_attempts + 1):
        response = await api.token("nobody", "wrong-password", CLIENT)
        assert error_code(response) == "Auth.InvalidUsernameOrPassword"


# --------------------------------------------------------------------------- rate limit


def _client_from(api: Api, address: str) -> httpx.AsyncClient:
    transport: Any = api.client._transport
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=transport.app, client=(address, 40000)),
        base_url="http://testserver",
    )


async def _burst(client: httpx.AsyncClient, count: int, client_id: str = CLIENT) -> list[httpx.Response]:
    # Requests without a password: counted by the limiter, cheap to answer (no argon2).
    form = {"grant_type": "password", "username": "nobody", "client_id": client_id}
    return [await client.post("/oauth/token", data=form) for _ in range(count)]


async def test_default_rate_limit_throttles_one_address(world: Api) -> None:
    api = world
    defaults = Settings()
    services = api.services
    services.settings = replace(
        services.settings,
        token_rate_per_address=defaults.token_rate_per_address,
        token_rate_per_client=defaults.token_rate_per_client,
        token_rate_window=defaults.token_rate_window,
    )
    services.throttle.clear()
    try:
        async with _client_from(api, "203.0.113.7") as attacker, _client_from(api, "203.0.113.8") as other:
            allowed = await _burst(attacker, defaults.token_rate_per_address)
            assert all(r.status_code == 400 for r in allowed)
            throttled = (await _burst(attacker, 1))[0]
            assert throttled.status_code == 429 and error_code(throttled) == "Auth.TooManyRequests"
            assert 1 <= int(throttled.headers["Retry-After"]) <= defaults.token_rate_window
            # Another address is not affected.
            assert (await _burst(other, 1))[0].status_code == 400
    finally:
        services.throttle.clear()


async def test_rate_limit_per_client_spans_addresses(world: Api) -> None:
    api = world
    services = api.services
    services.settings = replace(services.settings, token_rate_per_address=0, token_rate_per_client=3)
    services.throttle.clear()
    try:
        for n in range(3):
            async with _client_from(api, f"198.51.100.{n}") as one:
                assert (await _burst(one, 1))[0].status_code == 400
        async with _client_from(api, "198.51.100.9") as fourth:
            throttled = (await _burst(fourth, 1))[0]
            assert throttled.status_code == 429 and throttled.headers["Retry-After"]
            assert (await _burst(fourth, 1, client_id="ordercore-admin"))[0].status_code == 400
    finally:
        services.throttle.clear()
