"""Public reference search and the operators' exemptions, relayed to a fake claims service:
what is forwarded, what is refused at the door, and that a client's X-Operator is never trusted."""

from __future__ import annotations

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI, Header, Request
from fastapi.responses import JSONResponse

from amo_gateway.app import create_app

from .conftest import gateway_settings

TOKEN = ISSUED.token("op-1", ["supervisor"])


@pytest.fixture
def calls():
    return []


@pytest.fixture
async def client(calls):
    claims = FastAPI()

    @claims.get("/reference/{registry}")
    async def search(registry: str, request: Request):
        calls.append(("GET", request.url.path, dict(request.query_params), None))
        return {"registry": registry, "items": [], "total": 0}

    @claims.post("/operator/members/{number}/exemptions")
    async def grant(number: str, request: Request, x_operator: str | None = Header(None)):
        calls.append(("POST", request.url.path, await request.json(), x_operator))
        return JSONResponse({"code": "ALD01"}, status_code=201)

    @claims.get("/operator/members/{number}/exemptions")
    async def listed(number: str, x_operator: str | None = Header(None)):
        calls.append(("GET", f"/operator/members/{number}/exemptions", None, x_operator))
        return []

    settings = gateway_settings(claims_url="http://claims")
    app = create_app(settings, transport=httpx.ASGITransport(app=claims), tokens=ISSUED.verifier())
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c,
    ):
        yield c


async def test_a_search_is_relayed_with_its_filters(client, calls):
    answer = await client.get(
        "/v1/reference/tariffs",
        params={"q": "consultation", "scheme": "CNSS", "date": "2025-06-01", "size": 5},
    )
    assert answer.status_code == 200 and answer.json()["registry"] == "tariffs"
    assert calls == [
        (
            "GET",
            "/reference/tariffs",
            {"q": "consultation", "page": "1", "size": "5", "scheme": "CNSS", "date": "2025-06-01"},
            None,
        )
    ]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/v1/reference/tariffs", {"q": "x" * 101}, "q"),
        ("/v1/reference/tariffs", {"size": 101}, "size"),
        ("/v1/reference/tariffs", {"page": 0}, "page"),
        ("/v1/reference/tariffs", {"scheme": "OTHER"}, "scheme"),
        ("/v1/reference/tariffs", {"date": "01/06/2025"}, "date"),
        ("/v1/reference/prices", {}, "registry"),
    ],
)
async def test_a_bad_search_is_refused_naming_the_field(client, calls, path, params, field):
    answer = await client.get(path, params=params)
    assert answer.status_code == 422 and answer.json()["detail"][0]["loc"][-1] == field
    assert calls == []


async def test_exemptions_need_an_operator_and_forward_only_the_checked_id(client, calls):
    grant = {"beneficiary_rank": 1, "ald_code": "ALD01", "valid_from": "2025-08-01"}
    path = "/v1/operator/members/M2019004521/exemptions"
    anonymous = await client.post(path, json=grant, headers={"X-Operator": "op-1"})
    stranger = await client.post(path, json=grant, headers={"Authorization": "Bearer " + "x" * 24})
    operator = {"Authorization": f"Bearer {TOKEN}", "X-Operator": "op-forged"}
    granted = await client.post(path, json=grant, headers=operator)
    listed = await client.get(path, headers=operator)
    malformed = await client.post(path, json={**grant, "ald_code": "ald 01"}, headers=operator)
    reviewer = await client.post(path, json=grant, headers=ISSUED.bearer("op-2", ["reviewer"]))
    assert (anonymous.status_code, stranger.status_code, reviewer.status_code) == (401, 401, 403)
    assert (granted.status_code, listed.status_code, malformed.status_code) == (201, 200, 422)
    assert [(c[0], c[3]) for c in calls] == [("POST", "op-1"), ("GET", "op-1")]
    assert calls[0][2] == {**grant, "valid_until": None}
