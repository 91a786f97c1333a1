"""Operators are accounts of the identity provider: `make operator`'s code path makes one, its
token opens the routes its role allows and no other; a citizen's token, a forged one and none
at all open nothing."""

from __future__ import annotations

import asyncio
import json
import secrets

from joserfc import jwt
from joserfc.jwk import RSAKey

from amo_localstack import identity, keycloak


async def test_an_operator_made_by_the_command_signs_in_and_holds_only_its_role(
    platform, applicants
):
    cfg, client = platform.stack.cfg, applicants.client
    username = f"op-{secrets.token_hex(4)}@amo.test"
    made = await asyncio.to_thread(identity.ensure_operator, cfg, username, "reviewer")
    assert made.created and made.password  # the one-time password, printed once
    # The temporary password asks for a change first: no token before the first sign-in.
    refused = await asyncio.to_thread(_grant, cfg, username, made.password)
    assert isinstance(refused, identity.TokenRefused)
    password = secrets.token_urlsafe(16)
    await asyncio.to_thread(
        identity.complete_first_login, cfg, username, password, first_name="Nadia", last_name="B"
    )
    token = (await asyncio.to_thread(identity.password_grant, cfg, username, password))[
        "access_token"
    ]
    reviewer = {"Authorization": f"Bearer {token}"}
    listed = await client.get(
        "/v1/operator/reviews", params={"purpose": "file 42"}, headers=reviewer
    )
    assert listed.status_code == 200
    # Written to the audit log: who, what, when, why.
    audit = cfg.log_dir / "audit.jsonl"
    mine = [e for e in map(json.loads, audit.read_text().splitlines()) if e["operator"] == username]
    assert [(e["route"], e["why"]) for e in mine] == [("/v1/operator/reviews", "file 42")]
    assert (await client.post("/v1/operator/payment-runs", headers=reviewer)).status_code == 403
    # Promoted by the same command, the next token carries the new role.
    await asyncio.to_thread(identity.ensure_operator, cfg, username, "supervisor")
    token = (await asyncio.to_thread(identity.password_grant, cfg, username, password))[
        "access_token"
    ]
    run = await client.post(
        "/v1/operator/payment-runs", headers={"Authorization": f"Bearer {token}"}
    )
    assert run.status_code in (200, 201), run.text


def _grant(cfg, username, password):
    try:
        return identity.password_grant(cfg, username, password)
    except identity.TokenRefused as exc:
        return exc


async def test_a_citizen_a_forger_and_nobody_open_no_operator_route(platform, applicants):
    cfg, client = platform.stack.cfg, applicants.client
    email, password = f"citizen-{secrets.token_hex(4)}@example.ma", secrets.token_urlsafe(16)
    await asyncio.to_thread(identity.create_user, cfg, email, password)
    citizen = (await asyncio.to_thread(identity.password_grant, cfg, email, password))[
        "access_token"
    ]
    # A token shaped as the realm's, claiming every role, signed by a key of the forger's own.
    forged = jwt.encode(
        {"alg": "RS256", "kid": "forged"},
        {
            "iss": keycloak.issuer(cfg),
            "aud": "amo-gateway",
            "sub": "mallory",
            "exp": 4_000_000_000,
            "realm_access": {"roles": ["admin", "supervisor", "reviewer"]},
        },
        RSAKey.generate_key(2048, parameters={"kid": "forged"}),
    )
    for path in ("/v1/operator/reviews", "/v1/operator/claims", "/v1/operator/prior-approvals"):
        assert (await client.get(path)).status_code == 401
        assert (await client.get(path, headers=_bearer(forged))).status_code == 401
        assert (await client.get(path, headers=_bearer(citizen))).status_code == 403
    # The operator's name upstream is the token's, never a header the caller adds.
    spoofed = _bearer(citizen) | {"X-Operator": "op-supervisor-1@amo.test"}
    assert (await client.get("/v1/operator/reviews", headers=spoofed)).status_code == 403


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
