"""Gateway: the operators' review routes relay to documents with the operator the credential
names, never a client's own `X-Operator`; renewal uploads after the card carry `X-Renewal`."""

from __future__ import annotations

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI, Header, Request

from amo_gateway.app import create_app
from amo_gateway.settings import Settings

TOKEN = ISSUED.token("op-reviewer-1", ["reviewer"])


def fake_services(seen: list[dict]) -> FastAPI:
    api = FastAPI()

    @api.api_route("/operator/reviews{rest:path}", methods=["GET", "POST"])
    async def reviews(request: Request, rest: str, x_operator: str | None = Header(None)):
        body = await request.body()
        seen.append(
            {
                "method": request.method,
                "path": request.url.path,
                "query": str(request.url.query),
                "operator": x_operator,
                "body": body.decode(),
            }
        )
        return {"ok": True}

    @api.get("/applications/{app_id}/access")
    async def access(app_id: str):
        return {"status": "card_issued", "uploads_open": False, "revalidation_open": True}

    @api.put("/applications/{app_id}/documents/{kind}", status_code=201)
    async def upload(request: Request, app_id: str, kind: str):
        seen.append({"path": request.url.path, "renewal": request.headers.get("x-renewal")})
        await request.body()
        return {"kind": kind, "size": 1, "sha256": "0" * 64, "content_type": "application/pdf"}

    return api


@pytest.fixture
async def gateway():
    seen: list[dict] = []
    settings = Settings()
    app = create_app(
        settings, transport=httpx.ASGITransport(app=fake_services(seen)), tokens=ISSUED.verifier()
    )
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gateway") as client:
            yield client, seen


async def test_every_review_route_needs_an_operator_credential(gateway):
    client, seen = gateway
    assert (await client.get("/v1/operator/reviews")).status_code == 401
    wrong = {"Authorization": "Bearer not-an-operator-credential-000"}
    assert (
        await client.post("/v1/operator/reviews/a.1.cnie/claim", headers=wrong)
    ).status_code == 401
    # A valid token of the realm that holds no operator role: a citizen's.
    citizen = ISSUED.bearer("amina@example.ma", ["citizen"])
    assert (
        await client.post("/v1/operator/reviews/a.1.cnie/claim", headers=citizen)
    ).status_code == 403
    # An operator's token gone stale, or issued for another audience: refused as invalid.
    expired = ISSUED.bearer("op-reviewer-1", ["reviewer"], exp=1_000_000)
    elsewhere = ISSUED.bearer("op-reviewer-1", ["reviewer"], aud=["account"])
    for token in (expired, elsewhere):
        assert (await client.get("/v1/operator/reviews", headers=token)).status_code == 401
    assert seen == []


async def test_steps_are_relayed_with_the_operator_the_credential_names(gateway):
    client, seen = gateway
    auth = {"Authorization": f"Bearer {TOKEN}", "X-Operator": "someone-else"}
    r = await client.get("/v1/operator/reviews", params={"status": "waiting"}, headers=auth)
    assert r.status_code == 200
    r = await client.post(
        "/v1/operator/reviews/app-1.1.work_certificate/refuse",
        json={"reason": "cachet absent"},
        headers=auth,
    )
    assert r.status_code == 200
    await client.post("/v1/operator/reviews/app-1.1.identity/confirm", headers=auth)
    assert [(s["method"], s["path"], s["operator"]) for s in seen] == [
        ("GET", "/operator/reviews", "op-reviewer-1"),
        ("POST", "/operator/reviews/app-1.1.work_certificate/refuse", "op-reviewer-1"),
        ("POST", "/operator/reviews/app-1.1.identity/confirm", "op-reviewer-1"),
    ]
    assert seen[0]["query"] == "status=waiting" and "cachet absent" in seen[1]["body"]


async def test_an_unknown_status_filter_is_a_422(gateway):
    client, _ = gateway
    auth = {"Authorization": f"Bearer {TOKEN}"}
    r = await client.get("/v1/operator/reviews", params={"status": "nope"}, headers=auth)
    assert r.status_code == 422


async def test_after_the_card_only_renewal_proofs_go_through_marked_as_renewals(gateway):
    client, seen = gateway
    auth = ISSUED.bearer("amina@example.ma", ["citizen"]) | {"X-Renewal": "forged"}
    app_id = "3f0c1f5e-8a4e-4a57-9a2e-1d2b3c4d5e6f"
    files = {"file": ("proof.pdf", b"%PDF-1.7 ...")}
    r = await client.put(
        f"/v1/applications/{app_id}/documents/school_certificate",
        params={"dependant": 0},
        files=files,
        headers=auth,
    )
    assert r.status_code == 201, r.text
    assert seen[-1]["renewal"] == "1"
    r = await client.put(f"/v1/applications/{app_id}/documents/photo", files=files, headers=auth)
    assert r.status_code == 409
    assert len(seen) == 1
