"""RS256 access tokens. The signing key lives in the database, so every server process on one
database issues and accepts the same tokens; processes only cache it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from app.store.db import Database
from app.store.repo import Docs
from app.wire import new_id
from domain.errors import Unauthorized

KEY_KIND = "signingkey"
# How many verified access tokens a process remembers (an admin token is ~4 KB).
VERIFIED_TOKENS = 4096


# The claim naming a group token's invitation (app.auth.group_tokens mints it).
INVITATION_CLAIM = "goi"


@dataclass
class SigningKey:
    kid: str
    private_pem: str
    public_jwk: dict[str, Any]

    @property
    def private_key(self) -> Any:
        return serialization.load_pem_private_key(self.private_pem.encode(), password=None)


def generate_key() -> SigningKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    kid = new_id()
    jwk = json.loads(RSAAlgorithm.to_jwk(private.public_key()))
    jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return SigningKey(kid, pem, jwk)


@dataclass(frozen=True)
class Caller:
    """Who is calling, as the verified token says. Frozen: one is shared by every request that
    presents the same token (`TokenService.caller`)."""

    user_id: str
    username: str
    user_type: str  # admin | buyer | supplier
    company_id: str
    client_id: str
    roles: frozenset[str]
    custom_roles: frozenset[str] = frozenset()
    anonymous: bool = False
    token: str = ""
    claims: dict[str, Any] = field(default_factory=dict)

    @property
    def is_seller(self) -> bool:
        return self.user_type == "admin"

    @property
    def is_buyer(self) -> bool:
        return self.user_type == "buyer"

    @property
    def is_supplier(self) -> bool:
        return self.user_type == "supplier"

    def has(self, *roles: str) -> bool:
        return "FullAccess" in self.roles or any(r in self.roles for r in roles)

    @property
    def invitation_id(self) -> str | None:
        """The group order invitation a group token acts under (docs/group-orders.md); None for
        every other token, so the common path never reaches the group order modules."""
        value = self.claims.get(INVITATION_CLAIM)
        return str(value) if value else None


class TokenService:
    def __init__(self, db: Database, issuer: str) -> None:
        self.db = db
        self.issuer = issuer.rstrip("/")
        self._current: SigningKey | None = None
        self._public: dict[str, Any] = {}
        # Parsed key objects by kid: parsing a JWK into an RSA key costs more than verifying.
        # Keys are never changed under a kid, so entries need no invalidation.
        self._verifiers: dict[str, Any] = {}
        self._signer: Any = None
        # Access tokens already verified, by token text (see `caller`).
        self._verified: dict[str, Caller] = {}

    async def ensure_key(self, docs: Docs) -> SigningKey:
        """The active signing key, created on first use (inside the caller's transaction)."""
        rows = await docs.all(KEY_KIND, limit=1)
        if rows:
            doc = rows[0]
        else:
            key = generate_key()
            doc = {"ID": key.kid, "PrivatePem": key.private_pem, "PublicJwk": key.public_jwk}
            await docs.insert(KEY_KIND, doc)
        return SigningKey(doc["ID"], doc["PrivatePem"], doc["PublicJwk"])

    async def current_key(self) -> SigningKey:
        if self._current is None:
            async with self.db.transaction() as conn:
                self._current = await self.ensure_key(Docs(conn))
            self._public[self._current.kid] = self._current.public_jwk
            self._signer = self._current.private_key
        return self._current

    async def public_jwk(self, kid: str) -> dict[str, Any] | None:
        if kid not in self._public:
            async with self.db.reader() as conn:
                found = await Docs(conn).get(KEY_KIND, kid)
            if found is None:
                return None
            self._public[kid] = found.doc["PublicJwk"]
        return self._public[kid]

    async def issue(self, claims: dict[str, Any], lifetime_seconds: int) -> str:
        key = await self.current_key()
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": self.issuer,
            "nbf": now,
            "iat": now,
            "exp": now + lifetime_seconds,
            "jti": new_id(),
            # Issue time in milliseconds (informational; revocation uses the user's token
            # generation, app.auth.revocation).
            "iatms": int(time.time() * 1000),
            **claims,
        }
        return jwt.encode(body, self._signer, algorithm="RS256", headers={"kid": key.kid})

    async def verifier(self, kid: str) -> Any:
        """The public key object for `kid`, parsed once per process (None: no such key)."""
        key = self._verifiers.get(kid)
        if key is None:
            jwk = await self.public_jwk(kid)
            if jwk is None:
                return None
            key = self._verifiers[kid] = RSAAlgorithm.from_jwk(jwk)
        return key

    async def verify(self, token: str, *, purpose: str = "access") -> dict[str, Any]:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthorized("Access token is invalid", "InvalidToken") from exc
        key = await self.verifier(str(header.get("kid", "")))
        if key is None:
            raise Unauthorized("Access token is invalid", "InvalidToken")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=["RS256"],
                options={"verify_aud": False},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("Access token is invalid or expired", "InvalidToken") from exc
        except jwt.PyJWTError as exc:
            raise Unauthorized("Access token is invalid", "InvalidToken") from exc
        if claims.get("typ", "access") != purpose:
            raise Unauthorized("Access token is invalid", "InvalidToken")
        return claims

    async def caller(self, token: str) -> Caller:
        """The caller an access token names. A token's signature and claims are checked once per
        process: a token is immutable text and our keys never change under a kid, so the only
        part of the verdict that changes with time is expiry, checked on every use. Whether the
        token still *stands* (revocation, deactivation) is not decided here but per request by
        `Services.authenticate` (app.auth.revocation). Callers must not mutate the result."""
        known = self._verified.get(token)
        if known is not None:
            if known.claims["exp"] > time.time():
                return known
            del self._verified[token]
        caller = self._caller_from(token, await self.verify(token))
        if isinstance(caller.claims.get("exp"), int | float):
            if len(self._verified) >= VERIFIED_TOKENS:
                # Oldest first (dicts keep insertion order); a cache, so dropping one only costs
                # a verification later.
                del self._verified[next(iter(self._verified))]
            self._verified[token] = caller
        return caller

    @staticmethod
    def _caller_from(token: str, claims: dict[str, Any]) -> Caller:
        roles = claims.get("role") or []
        if isinstance(roles, str):
            roles = [roles]
        return Caller(
            user_id=claims.get("u", ""),
            username=claims.get("usr", ""),
            user_type=claims.get("usrtype", ""),
            company_id=claims.get("cmp", ""),
            client_id=claims.get("cid", ""),
            roles=frozenset(roles),
            custom_roles=frozenset(claims.get("crl") or []),
            anonymous=bool(claims.get("anon")),
            token=token,
            claims=claims,
        )
