"""Security headers on every answer, no-store on everything personal, HSTS over TLS, and the API
docs only in development (with their own, looser CSP on those pages alone)."""

from __future__ import annotations

import httpx
import pytest
from amo_tokens import ISSUED

from amo_gateway.app import create_app
from amo_gateway.security_headers import API_CSP

from .conftest import CITIZEN, gateway_settings

ALWAYS = {
    "content-security-policy": API_CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
}


@pytest.fixture
async def started(services):
    async def start(base_url: str = "http://gw", **settings):
        app = create_app(
            gateway_settings(**settings),
            transport=httpx.ASGITransport(app=services.asgi()),
            tokens=ISSUED.verifier(),
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url)
        opened.append((lifespan, client))
        return client

    opened: list = []
    yield start
    for lifespan, client in opened:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def assert_secured(response: httpx.Response) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, name


async def test_personal_answers_and_errors_carry_every_header_and_no_store(started, services, body):
    client = await started()
    app_id, token = services.add()
    auth = {"Authorization": f"Bearer {token}"}
    answers = [
        await client.post("/v1/applications", headers=CITIZEN, json=body()),
        await client.get(f"/v1/applications/{app_id}", headers=auth),
        await client.get(f"/v1/applications/{app_id}"),  # 401
        await client.get("/v1/applications/not-an-id", headers=auth),  # 422
        await client.get("/v1/claims", headers=auth),
        await client.get("/v1/operator/reviews", headers=auth),
        await client.get("/nowhere"),
        await client.get("/livez"),
    ]
    for response in answers:
        assert_secured(response)
        assert response.headers["cache-control"] == "no-store", response.request.url
        assert "strict-transport-security" not in response.headers


async def test_reference_data_may_be_cached(started):
    client = await started()
    response = await client.get("/v1/checklist?category=retiree")
    assert response.status_code == 200
    assert_secured(response)
    assert response.headers["cache-control"] == "public, max-age=300"
    refused = await client.get("/v1/checklist?category=astronaut")
    assert refused.headers["cache-control"] == "no-store"


async def test_hsts_over_tls_or_behind_a_tls_proxy(started):
    over_tls = await started(base_url="https://gw")
    response = await over_tls.get("/livez")
    assert response.headers["strict-transport-security"].startswith("max-age=31536000")
    behind = await started(behind_tls=True)
    assert "strict-transport-security" in (await behind.get("/livez")).headers


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/openapi.json"])
async def test_production_serves_no_api_docs(started, path):
    client = await started()
    assert (await client.get(path)).status_code == 404


async def test_development_serves_the_docs_with_a_csp_of_their_own(started):
    client = await started(environment="development")
    docs = await client.get("/docs")
    assert docs.status_code == 200
    assert "cdn.jsdelivr.net" in docs.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in docs.headers["content-security-policy"]
    spec = await client.get("/openapi.json")
    assert spec.status_code == 200 and spec.headers["content-security-policy"] == API_CSP
