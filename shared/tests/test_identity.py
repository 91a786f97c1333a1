"""Bearer tokens: what the verifier accepts and everything it refuses, with keys made here (the
same checks run against the real identity provider in the on-stack tests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet, RSAKey

from amo_shared.identity import InvalidToken, TokenVerifier

ISSUER = "http://127.0.0.1:8180/realms/amo"
AUDIENCE = "amo-gateway"
NOW = 1_800_000_000


class Provider:
    """An identity provider's signing keys and its JWKS endpoint, counting fetches."""

    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
        self.published = [self.key]
        self.fetches = 0

    async def jwks(self):
        self.fetches += 1
        return KeySet(self.published).as_dict(private=False)

    def token(self, key=None, header=None, **claims) -> str:
        key = key or self.key
        body = {
            "iss": ISSUER,
            "aud": [AUDIENCE, "account"],
            "sub": "2f1c0d3e-citizen",
            "azp": "amo-portal",
            "exp": NOW + 300,
            "iat": NOW,
            "realm_access": {"roles": ["citizen", "default-roles-amo"]},
        } | claims
        body = {k: v for k, v in body.items() if v is not None}
        return jwt.encode(header or {"alg": "RS256", "kid": key.kid}, body, key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.fixture
def provider():
    return Provider()


def verifier(provider, clock=lambda: NOW) -> TokenVerifier:
    return TokenVerifier(
        issuer=ISSUER, audience=AUDIENCE, fetch_keys=provider.jwks, clock=clock, refetch_after=30
    )


async def test_a_valid_token_names_its_subject_client_and_roles(provider):
    caller = await verifier(provider).verify(provider.token())
    assert caller.subject == "2f1c0d3e-citizen"
    assert caller.client_id == "amo-portal"
    assert caller.has("citizen") and not caller.has("reviewer")


@pytest.mark.parametrize(
    "claims",
    [
        {"iss": "http://127.0.0.1:8180/realms/other"},
        {"aud": ["account"]},
        {"aud": None},
        {"exp": NOW - 31},
        {"exp": None},
        {"sub": None},
        {"realm_access": {"roles": "admin"}},
    ],
    ids=["issuer", "audience", "no audience", "expired", "no expiry", "no subject", "roles"],
)
async def test_a_token_with_wrong_claims_is_refused(provider, claims):
    with pytest.raises(InvalidToken):
        await verifier(provider).verify(provider.token(**claims))


async def test_the_clock_leeway_is_thirty_seconds(provider):
    assert await verifier(provider).verify(provider.token(exp=NOW - 29))


async def test_a_token_signed_by_another_key_is_refused(provider):
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k1"})  # the same key id, forged
    with pytest.raises(InvalidToken):
        await verifier(provider).verify(provider.token(key=stranger))


async def test_a_symmetric_or_unsigned_token_is_refused(provider):
    # HS256 with the public key's bytes as the secret: the classic algorithm confusion (made by
    # hand: the library itself refuses to build such a key).
    head = _b64(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
    body = provider.token().split(".")[1]
    mac = hmac.new(provider.key.as_pem(private=False), f"{head}.{body}".encode(), hashlib.sha256)
    with pytest.raises(InvalidToken):
        await verifier(provider).verify(f"{head}.{body}.{_b64(mac.digest())}")
    head, body, _ = provider.token().split(".")
    with pytest.raises(InvalidToken):
        await verifier(provider).verify(f"{head}.{body}.")
    with pytest.raises(InvalidToken):
        await verifier(provider).verify("not a token")


async def test_rotated_keys_are_fetched_again_but_not_for_every_unknown_key_id(provider):
    clock = [float(NOW)]
    v = verifier(provider, clock=lambda: clock[0])
    await v.verify(provider.token())
    assert provider.fetches == 1
    # The provider rotates: a new key signs; the verifier fetches the set once more.
    clock[0] += 60
    rotated = ECKey.generate_key("P-256", parameters={"kid": "k2"})
    provider.published = [provider.key, rotated]
    caller = await v.verify(provider.token(key=rotated, header={"alg": "ES256", "kid": "k2"}))
    assert caller.subject and provider.fetches == 2
    # A flood of made-up key ids within the window costs no fetch at all.
    stranger = RSAKey.generate_key(2048, parameters={"kid": "k-forged"})
    for _ in range(5):
        with pytest.raises(InvalidToken):
            await v.verify(provider.token(key=stranger))
    assert provider.fetches == 2
