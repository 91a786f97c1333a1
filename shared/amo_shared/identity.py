"""Who is calling, from a bearer token of the identity provider (OpenID Connect, JWS).

A token is accepted only when its signature verifies with a key of the provider's JWKS, it was
issued by the expected issuer, for the expected audience, and it is not expired (a small leeway
for clocks); then its subject, its client and its realm roles say who the caller is. Nothing a
client asserts beside the token is ever read (docs/architecture.md#security).

The key set is fetched once and kept; a token signed with a key id the set does not have makes
one refetch (the provider rotated its keys), at most every `refetch_after` seconds, so a flood
of forged key ids cannot turn the verifier into a request amplifier.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet

# The signature algorithms accepted: asymmetric only, so no shared secret can mint a token.
ALGORITHMS = ("RS256", "PS256", "ES256")

FetchKeys = Callable[[], Awaitable[dict[str, Any]]]


class InvalidToken(Exception):
    """A token that is not accepted; the reason is safe to log (it names no claim value)."""


@dataclass(frozen=True)
class Caller:
    subject: str
    roles: frozenset[str]
    client_id: str | None = None
    # The account's sign-in name (an operator's email): what decisions record, for people.
    username: str | None = None
    # The approved facility a hospital client bills as (its `facility_id` claim).
    facility_id: str | None = None

    def has(self, role: str) -> bool:
        return role in self.roles


class TokenVerifier:
    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        fetch_keys: FetchKeys,
        leeway_seconds: int = 30,
        refetch_after: float = 30.0,
        clock: Callable[[], float] = time.time,
    ):
        self.issuer = issuer
        self.audience = audience
        self._fetch = fetch_keys
        self._leeway = leeway_seconds
        self._refetch_after = refetch_after
        self._clock = clock
        self._keys: KeySet | None = None
        self._fetched_at = float("-inf")

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        stale = self._clock() - self._fetched_at >= self._refetch_after
        if self._keys is None or (refresh and stale):
            self._fetched_at = self._clock()
            self._keys = KeySet.import_key_set(await self._fetch())  # type: ignore[arg-type]
        return self._keys

    async def verify(self, token: str) -> Caller:
        keys = await self._key_set()
        try:
            decoded = self._decode(token, keys)
        except _UnknownKey:
            try:
                decoded = self._decode(token, await self._key_set(refresh=True))
            except _UnknownKey:
                raise InvalidToken("token refused: no key of the provider has its key id") from None
        claims = decoded.claims
        registry = jwt.JWTClaimsRegistry(
            now=lambda: int(self._clock()),
            leeway=self._leeway,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.audience},
            exp={"essential": True},
            sub={"essential": True},
        )
        try:
            registry.validate(claims)
        except JoseError as exc:
            raise InvalidToken(f"claims refused: {exc.error}") from None
        roles = (claims.get("realm_access") or {}).get("roles") or []
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise InvalidToken("claims refused: realm roles are not a list of names")
        client, username = claims.get("azp"), claims.get("preferred_username")
        facility = claims.get("facility_id")
        return Caller(
            subject=str(claims["sub"]),
            roles=frozenset(roles),
            client_id=client if isinstance(client, str) else None,
            username=username if isinstance(username, str) else None,
            facility_id=facility if isinstance(facility, str) else None,
        )

    @staticmethod
    def _decode(token: str, keys: KeySet) -> jwt.Token:
        try:
            return jwt.decode(token, keys, algorithms=list(ALGORITHMS))
        except InvalidKeyIdError:  # no key of the set has the token's key id
            raise _UnknownKey from None
        except JoseError as exc:
            raise InvalidToken(f"token refused: {exc.error}") from None


class _UnknownKey(Exception):
    pass


def http_key_fetcher(client: Any, jwks_url: str) -> FetchKeys:
    """Fetch the JWKS document with an httpx.AsyncClient (the provider's `jwks_uri`)."""

    async def fetch() -> dict[str, Any]:
        response = await client.get(jwks_url)
        response.raise_for_status()
        body = response.json()
        if not isinstance(body, dict) or not isinstance(body.get("keys"), list):
            raise InvalidToken("the identity provider's key set is malformed")
        return body

    return fetch
