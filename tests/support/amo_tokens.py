"""An identity provider in miniature for routing tests: a signing key made here, the verifier
the gateway gets in its place, and tokens shaped as the realm's (issuer, audience, roles).
On-stack tests use the real Keycloak instead (`amo_localstack.identity`)."""

from __future__ import annotations

import time

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from amo_shared.identity import TokenVerifier

ISSUER = "http://127.0.0.1:8180/realms/amo"
AUDIENCE = "amo-gateway"


class TestIssuer:
    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})

    def verifier(self) -> TokenVerifier:
        keys = KeySet([self.key]).as_dict(private=False)

        async def fetch() -> dict:
            return keys

        return TokenVerifier(issuer=ISSUER, audience=AUDIENCE, fetch_keys=fetch)

    def token(self, username: str, roles: list[str], *, lifetime: int = 3600, **claims) -> str:
        now = int(time.time())
        body = {
            "iss": ISSUER,
            "aud": [AUDIENCE],
            "sub": f"sub-{username}",
            "preferred_username": username,
            "azp": "amo-cli",
            "iat": now,
            "exp": now + lifetime,
            "realm_access": {"roles": roles},
        } | claims
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, body, self.key)

    def bearer(self, username: str, roles: list[str], **claims) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(username, roles, **claims)}"}


# One per test session: module-level tokens of the gateway's routing tests use it.
ISSUED = TestIssuer()
