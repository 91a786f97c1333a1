"""The gateway's card routes against fakes of registration and cards: the PDF only for the
citizen's own card, verification and keys public, operator actions behind a credential."""

from __future__ import annotations

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI, Header, HTTPException, Response

from amo_gateway.app import create_app
from amo_gateway.settings import Settings

NUMBER = "M000000000018"
# The card's owner (subject sub-amina@example.ma) and another citizen.
TOKEN, OTHER = ISSUED.token("amina@example.ma", ["citizen"]), ISSUED.token("omar@x.ma", ["citizen"])
OPERATOR_TOKEN = ISSUED.token("op-1", ["supervisor"])


def services() -> tuple[FastAPI, list]:
    api, seen = FastAPI(), []

    @api.get("/applications/{app_id}/card")
    async def card(app_id: str, x_citizen: str | None = Header(None)):
        if x_citizen != "sub-amina@example.ma":
            raise HTTPException(404, "application not found")
        return {"member_number": NUMBER}

    @api.get("/cards/{number}/card.pdf")
    async def pdf(number: str, lang: str):
        seen.append(("pdf", number, lang))
        return Response(b"%PDF-1.7 card", media_type="application/pdf")

    @api.get("/.well-known/jwks.json")
    async def jwks():
        return {"keys": [{"kty": "OKP", "kid": "k1"}]}

    @api.get("/cards/verify")
    async def verify(token: str):
        return {"genuine": token == "good", "reason": None if token == "good" else "x"}

    @api.post("/operator/cards/{number}/{action}")
    async def act(number: str, action: str, body: dict, x_operator: str | None = Header(None)):
        seen.append((action, number, body, x_operator))
        if action == "reinstate":
            raise HTTPException(409, "the card is not suspended")
        return {"member_number": number, "status": "suspended"}

    return api, seen


@pytest.fixture
async def gateway():
    fake, seen = services()
    settings = Settings(
        registration_url="http://registration",
        cards_url="http://cards",
        log_json=False,
    )
    app = create_app(settings, transport=httpx.ASGITransport(app=fake), tokens=ISSUED.verifier())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as client,
    ):
        yield client, seen


APP = "5b0c7e55-0f8e-4a32-9a0e-6c1b1f2d9e11"


async def test_the_pdf_is_the_citizens_own_card(gateway):
    client, seen = gateway
    ok = await client.get(
        f"/v1/applications/{APP}/card.pdf?lang=ar", headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert ok.status_code == 200 and ok.headers["content-type"] == "application/pdf"
    assert ok.content.startswith(b"%PDF") and seen == [("pdf", NUMBER, "ar")]
    other = await client.get(
        f"/v1/applications/{APP}/card.pdf", headers={"Authorization": f"Bearer {OTHER}"}
    )
    assert other.status_code == 404 and len(seen) == 1
    assert (await client.get(f"/v1/applications/{APP}/card.pdf")).status_code == 401


async def test_keys_and_verification_are_public(gateway):
    client, _ = gateway
    assert (await client.get("/.well-known/jwks.json")).json()["keys"][0]["kid"] == "k1"
    assert (await client.get("/v1/cards/verify?token=good")).json()["genuine"] is True
    assert (await client.get("/v1/cards/verify?token=bad")).json()["genuine"] is False
    assert (await client.get("/v1/cards/verify?token=" + "a" * 5000)).status_code == 422


async def test_operator_actions_need_a_credential_and_carry_the_operator(gateway):
    client, seen = gateway
    body = {"reason": "operator.fraud_suspected", "beneficiary_rank": 1}
    path = f"/v1/operator/cards/{NUMBER}/suspend"
    assert (await client.post(path, json=body)).status_code == 401
    assert (
        await client.post(path, json=body, headers={"Authorization": "Bearer " + "x" * 24})
    ).status_code == 401
    # A reviewer works the queues; acting on a card is a supervisor's.
    reviewer = ISSUED.bearer("op-2", ["reviewer"])
    assert (await client.post(path, json=body, headers=reviewer)).status_code == 403
    auth = {"Authorization": f"Bearer {OPERATOR_TOKEN}", "X-Operator": "someone-else"}
    assert (await client.post(path, json=body, headers=auth)).status_code == 200
    assert seen[-1] == ("suspend", NUMBER, body, "op-1")
    assert (
        await client.post(f"/v1/operator/cards/{NUMBER}/reinstate", json=body, headers=auth)
    ).status_code == 409
    assert (
        await client.post(f"/v1/operator/cards/{NUMBER}/delete", json=body, headers=auth)
    ).status_code == 422
