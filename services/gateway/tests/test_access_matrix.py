"""The gateway's access matrix, table-driven: every route it serves x every kind of caller, with
tokens shaped as the identity provider's (signed by a key made here). A refused caller gets
401 (no valid token) or 403 (a valid one without the role) and reaches no internal service; an
admitted one reaches it under the identity the gateway read from the token, never the identity
headers it sent itself. A route missing from the table fails the suite: each new route must
say who may call it. A service's own token (audience amo-services) opens nothing here. (Whose
application or claim a citizen may open is decided by registration and claims and tried on the
real platform, citizen A against citizen B: another's resource is 404 there.)"""

from __future__ import annotations

import httpx
import pytest
from amo_tokens import AUDIENCE, ISSUED, ISSUER
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from joserfc import jwt
from joserfc.jwk import RSAKey

from amo_gateway.app import create_app
from amo_gateway.settings import Settings

PUBLIC, CITIZEN, QUEUE, SUPERVISOR, FACILITY = (
    "public",
    "citizen",
    "queue",
    "supervisor",
    "facility",
)
ID = "0123456789abcdef"
MEMBER = "M2019004521"

# (method, path as the OpenAPI names it, who may call it)
ROUTES: list[tuple[str, str, str]] = [
    ("POST", "/v1/applications", CITIZEN),
    ("GET", "/v1/applications", CITIZEN),
    ("GET", "/v1/checklist", PUBLIC),
    ("GET", "/v1/reference/{registry}", PUBLIC),
    ("GET", "/v1/cards/verify", PUBLIC),
    ("GET", "/.well-known/jwks.json", PUBLIC),
    ("GET", "/v1/applications/{application_id}", CITIZEN),
    ("POST", "/v1/applications/{application_id}/submit", CITIZEN),
    ("GET", "/v1/applications/{application_id}/card", CITIZEN),
    ("GET", "/v1/applications/{application_id}/card.pdf", CITIZEN),
    ("PUT", "/v1/applications/{application_id}/documents/{kind}", CITIZEN),
    ("POST", "/v1/claims", CITIZEN),
    ("GET", "/v1/claims", CITIZEN),
    ("GET", "/v1/claims/{claim_id}", CITIZEN),
    ("POST", "/v1/claims/{claim_id}/submit", CITIZEN),
    ("PUT", "/v1/claims/{claim_id}/documents/{kind}", CITIZEN),
    ("GET", "/v1/operator/reviews", QUEUE),
    ("GET", "/v1/operator/reviews/{item_id}", QUEUE),
    ("POST", "/v1/operator/reviews/{item_id}/claim", QUEUE),
    ("POST", "/v1/operator/reviews/{item_id}/approve", QUEUE),
    ("POST", "/v1/operator/reviews/{item_id}/refuse", QUEUE),
    ("POST", "/v1/operator/reviews/{item_id}/confirm", QUEUE),
    ("POST", "/v1/operator/reviews/{item_id}/overrule", QUEUE),
    ("GET", "/v1/operator/prior-approvals", QUEUE),
    ("POST", "/v1/operator/prior-approvals/{approval_id}/decision", QUEUE),
    ("GET", "/v1/operator/claims", QUEUE),
    ("POST", "/v1/operator/claims/{claim_id}/decision", QUEUE),
    ("GET", "/v1/operator/members/{member_number}/exemptions", QUEUE),
    ("POST", "/v1/operator/members/{member_number}/exemptions", SUPERVISOR),
    ("POST", "/v1/operator/cards/{member_number}/{action}", SUPERVISOR),
    ("POST", "/v1/operator/payment-runs", SUPERVISOR),
    ("GET", "/v1/operator/payment-runs/{run_id}", SUPERVISOR),
    ("GET", "/v1/operator/payment-runs/{run_id}/pain.001", SUPERVISOR),
    ("POST", "/v1/facility/claims", FACILITY),
    ("GET", "/v1/facility/claims/{claim_id}", FACILITY),
    ("POST", "/v1/facility/prior-approvals", FACILITY),
    ("GET", "/v1/facility/prior-approvals/{approval_id}", FACILITY),
]
OPERATIONS = {"/livez", "/readyz", "/health", "/metrics"}

VALUES = {
    "application_id": "5b0c7e55-0f8e-4a32-9a0e-6c1b1f2d9e11",
    "kind": "identity",
    "claim_id": ID,
    "item_id": ID,
    "approval_id": ID,
    "run_id": ID,
    "member_number": MEMBER,
    "action": "suspend",
    "registry": "tariffs",
}


def concrete(path: str) -> str:
    for name, value in VALUES.items():
        path = path.replace("{" + name + "}", value)
    if path.endswith("/claims/" + ID + "/documents/identity"):
        path = path.replace("/documents/identity", "/documents/invoice")
    return path


def _forged() -> str:
    stranger = RSAKey.generate_key(2048, parameters={"kid": ISSUED.key.kid})
    body = {
        "iss": ISSUER,
        "aud": [AUDIENCE],
        "sub": "mallory",
        "preferred_username": "mallory",
        "exp": 4_000_000_000,
        "realm_access": {"roles": ["admin", "supervisor", "reviewer", "hospital"]},
        "facility_id": "FAC-000201",
    }
    return jwt.encode({"alg": "RS256", "kid": ISSUED.key.kid}, body, stranger)


CALLERS: dict[str, dict[str, str]] = {
    "anonymous": {},
    "garbage": {"Authorization": "Bearer not-a-token-at-all-0123456789"},
    "forged": {"Authorization": f"Bearer {_forged()}"},
    "expired reviewer": ISSUED.bearer("op-old@amo.test", ["reviewer"], exp=1_000_000),
    "citizen": ISSUED.bearer("amina@example.ma", ["citizen"]),
    # A client-credentials token for the services' internal APIs: not for this audience.
    "another service": ISSUED.bearer(
        "service-account-svc-claims", ["service"], aud=["amo-services"], azp="svc-claims"
    ),
    "reviewer": ISSUED.bearer("op-reviewer@amo.test", ["reviewer"]),
    "supervisor": ISSUED.bearer("op-supervisor@amo.test", ["supervisor"]),
    "admin": ISSUED.bearer("op-admin@amo.test", ["admin"]),
    "hospital": ISSUED.bearer(
        "service-account-hospital-chu", ["hospital"], facility_id="FAC-000201"
    ),
    "hospital without facility": ISSUED.bearer("service-account-hospital-x", ["hospital"]),
}
INVALID = {"garbage", "forged", "expired reviewer", "another service"}
# What the gateway must answer each caller, per kind of route ("in": past the gateway).
EXPECTED: dict[str, dict[str, str]] = {
    PUBLIC: {caller: "in" for caller in CALLERS},
    CITIZEN: {
        caller: (
            "401"
            if caller == "anonymous" or caller in INVALID
            else "in"
            if caller == "citizen"
            else "403"
        )
        for caller in CALLERS
    },
    QUEUE: {
        caller: (
            "401"
            if caller == "anonymous" or caller in INVALID
            else "in"
            if caller in ("reviewer", "supervisor", "admin")
            else "403"
        )
        for caller in CALLERS
    },
    SUPERVISOR: {
        caller: (
            "401"
            if caller == "anonymous" or caller in INVALID
            else "in"
            if caller in ("supervisor", "admin")
            else "403"
        )
        for caller in CALLERS
    },
    FACILITY: {
        caller: (
            "401"
            if caller == "anonymous" or caller in INVALID
            else "in"
            if caller == "hospital"
            else "403"
        )
        for caller in CALLERS
    },
}
# Sent by every caller: none of them may reach a service as it is.
SPOOFED = {
    "X-Operator": "op-spoofed",
    "X-Facility": "FAC-999999",
    "X-Member": "M99999999",
    "X-Citizen": "sub-spoofed",
}


class Upstream:
    """Every internal service at once: answers anything, records who it was asked as."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []

    def asgi(self) -> FastAPI:
        api = FastAPI()

        @api.api_route("/{path:path}", methods=["GET", "POST", "PUT"])
        async def anything(path: str, request: Request):
            await request.body()
            self.calls.append({k.lower(): v for k, v in request.headers.items()})
            if path == "readyz":
                return {"status": "ready"}
            return JSONResponse({"member_number": MEMBER, "id": ID, "items": [], "total": 0})

        return api


@pytest.fixture
async def gateway():
    upstream = Upstream()
    settings = Settings(log_json=False, rate_limits_enabled=False)
    app = create_app(
        settings, transport=httpx.ASGITransport(app=upstream.asgi()), tokens=ISSUED.verifier()
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c,
    ):
        yield c, upstream, app


def test_the_table_names_every_route_the_gateway_serves():
    app = create_app(Settings(log_json=False))
    served = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    listed = {(method, path) for method, path, _ in ROUTES}
    assert served - {(m, p) for m, p in served if p in OPERATIONS} == listed


@pytest.mark.parametrize("method,path,kind", ROUTES, ids=[f"{m} {p}" for m, p, _ in ROUTES])
async def test_every_caller_gets_exactly_its_access(gateway, method, path, kind):
    client, upstream, _ = gateway
    leaks = []
    for caller, headers in CALLERS.items():
        upstream.calls.clear()
        r = await client.request(method, concrete(path), headers=headers | SPOOFED, content=b"{}")
        expected = EXPECTED[kind][caller]
        if expected in ("401", "403"):
            if str(r.status_code) != expected or upstream.calls:
                leaks.append((caller, r.status_code, len(upstream.calls)))
            continue
        if r.status_code in (401, 403):
            leaks.append((caller, r.status_code, "refused"))
        for call in upstream.calls:
            # Identity headers upstream are the gateway's own reading of the token, or absent.
            if call.get("x-operator") == "op-spoofed" or call.get("x-facility") == "FAC-999999":
                leaks.append((caller, "spoofed identity forwarded"))
            if call.get("x-member") == "M99999999":
                leaks.append((caller, "spoofed member forwarded"))
            if call.get("x-citizen") == "sub-spoofed":
                leaks.append((caller, "spoofed account forwarded"))
            if kind == CITIZEN and call.get("x-citizen", "sub-amina@example.ma") != (
                "sub-amina@example.ma"
            ):
                leaks.append((caller, "the account is not the token's", call["x-citizen"]))
        if kind == CITIZEN and upstream.calls and not any("x-citizen" in c for c in upstream.calls):
            leaks.append((caller, "registration was not told whose account"))
            if kind in (QUEUE, SUPERVISOR) and "x-operator" in call:
                assert call["x-operator"] == f"op-{caller}@amo.test", call
            if kind == FACILITY and "x-facility" in call:
                assert call["x-facility"] == "FAC-000201", call
    assert leaks == [], leaks
