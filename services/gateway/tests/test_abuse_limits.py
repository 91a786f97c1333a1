"""Abuse limits at the gateway: 429 with Retry-After per address, per account, for application
creations and for uploads; the dependant index registration refuses; documents' quota relayed;
1 MB JSON bodies refused on every JSON route."""

from __future__ import annotations

import re

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from amo_gateway.app import create_app

from .conftest import CITIZEN, FakeServices, gateway_settings

PDF = b"%PDF-1.4 scan"


def multipart(data: bytes = PDF) -> dict:
    return {"files": {"file": ("scan.pdf", data, "application/pdf")}}


@pytest.fixture
async def limited(services):
    """A gateway with small limits, over the usual fakes."""

    async def start(**limits):
        app = create_app(
            gateway_settings(**limits),
            transport=httpx.ASGITransport(app=services.asgi()),
            tokens=ISSUED.verifier(),
        )
        lifespan = app.router.lifespan_context(app)
        await lifespan.__aenter__()
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")
        started.append((lifespan, client))
        return client

    started: list = []
    yield start
    for lifespan, client in started:
        await client.aclose()
        await lifespan.__aexit__(None, None, None)


def assert_too_many(response: httpx.Response) -> None:
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) >= 1
    assert response.json() == {"detail": "too many requests: try again later"}


async def test_an_address_past_its_limit_gets_429_with_retry_after(limited):
    client = await limited(rate_limit_per_address="3/minute")
    for _ in range(3):
        assert (await client.get("/v1/checklist?category=retiree")).status_code == 200
    assert_too_many(await client.get("/v1/checklist?category=retiree"))


async def test_an_account_is_limited_whatever_the_route(limited, services):
    client = await limited(rate_limit_per_account="2/minute")
    app_id, token = services.add()
    other_id, other = services.add()
    auth = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/v1/applications/{app_id}", headers=auth)).status_code == 200
    assert (await client.post(f"/v1/applications/{app_id}/submit", headers=auth)).status_code == 202
    assert_too_many(await client.get(f"/v1/applications/{app_id}", headers=auth))
    # Another account from the same address still has its own allowance.
    response = await client.get(
        f"/v1/applications/{other_id}", headers={"Authorization": f"Bearer {other}"}
    )
    assert response.status_code == 200


async def test_application_creations_are_limited_per_address_once_valid(limited, body):
    client = await limited(rate_limit_application_creations="2/hour")
    # Malformed forms cost only the general limit: fixing a typo is not an application.
    for _ in range(3):
        assert (
            await client.post("/v1/applications", headers=CITIZEN, json=body(cnie="1"))
        ).status_code == 422
    assert (await client.post("/v1/applications", headers=CITIZEN, json=body())).status_code == 201
    assert (await client.post("/v1/applications", headers=CITIZEN, json=body())).status_code == 201
    assert_too_many(await client.post("/v1/applications", headers=CITIZEN, json=body()))


async def test_uploads_are_limited_per_account(limited, services):
    client = await limited(rate_limit_uploads="2/hour")
    app_id, token = services.add()
    auth = {"Authorization": f"Bearer {token}"}
    path = f"/v1/applications/{app_id}/documents/cnie"
    for _ in range(2):
        assert (await client.put(path, headers=auth, **multipart())).status_code == 201
    assert_too_many(await client.put(path, headers=auth, **multipart()))
    assert len(services.uploads) == 2  # the refused one never reached documents


async def test_limits_can_be_switched_off(limited):
    client = await limited(rate_limit_per_address="1/minute", rate_limits_enabled=False)
    for _ in range(3):
        assert (await client.get("/v1/checklist?category=retiree")).status_code == 200


def test_a_malformed_rate_setting_is_refused_at_start():
    with pytest.raises(ValueError, match="120/minute"):
        gateway_settings(rate_limit_per_account="lots")


async def test_the_account_is_its_subject_whatever_token_it_presents(limited, services):
    # Tokens are drawn again every few minutes: a new one does not bring a new allowance.
    client = await limited(rate_limit_per_account="2/minute")
    app_id, _ = services.add(owner="sub-amina@example.ma")
    path = f"/v1/applications/{app_id}"
    for jti in ("first", "second"):
        token = ISSUED.bearer("amina@example.ma", ["citizen"], jti=jti)
        assert (await client.get(path, headers=token)).status_code == 200
    assert_too_many(
        await client.get(path, headers=ISSUED.bearer("amina@example.ma", ["citizen"], jti="3"))
    )


async def test_a_forged_token_spends_no_ones_allowance(limited, services):
    client = await limited(rate_limit_per_account="1/minute")
    app_id, token = services.add()
    for _ in range(3):
        forged = {"Authorization": f"Bearer {token[:-4]}AAAA"}
        assert (await client.get(f"/v1/applications/{app_id}", headers=forged)).status_code == 401
    ok = await client.get(
        f"/v1/applications/{app_id}", headers={"Authorization": f"Bearer {token}"}
    )
    assert ok.status_code == 200


class Dependants(FakeServices):
    """Registration answers the upload check as the real one: a dependant index it does not
    declare is a 422 on `dependant`; documents answers 413 once the quota is spent."""

    declared: int = 1
    quota_spent: bool = False

    def asgi(self) -> FastAPI:
        api = FastAPI()

        @api.get("/applications/{app_id}/access")
        async def access(app_id: str, dependant: int | None = None):
            if dependant is not None and dependant >= self.declared:
                detail = [{"loc": ["query", "dependant"], "msg": "no such", "type": "value_error"}]
                return JSONResponse({"detail": detail}, status_code=422)
            status = self.applications[app_id]["status"]
            return {"status": status, "uploads_open": True, "revalidation_open": False}

        if self.quota_spent:

            @api.put("/applications/{app_id}/documents/{kind}")
            async def full(app_id: str, kind: str):
                detail = "les pièces de ce dossier dépassent 60 Mo au total"
                return JSONResponse({"detail": detail}, status_code=413)

        # The usual fakes answer everything else (routes match in order: these come first).
        api.router.routes.extend(super().asgi().router.routes)
        return api


async def gateway_over(fakes: FakeServices):
    app = create_app(
        gateway_settings(),
        transport=httpx.ASGITransport(app=fakes.asgi()),
        tokens=ISSUED.verifier(),
    )
    return app, httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")


async def test_a_dependant_the_application_does_not_declare_is_refused_before_any_byte():
    fakes = Dependants()
    app_id, token = fakes.add()
    app, client = await gateway_over(fakes)
    auth = {"Authorization": f"Bearer {token}"}
    async with app.router.lifespan_context(app), client:
        path = f"/v1/applications/{app_id}/documents/birth_certificate"
        ok = await client.put(path, params={"dependant": 0}, headers=auth, **multipart())
        assert ok.status_code == 201
        refused = await client.put(path, params={"dependant": 1}, headers=auth, **multipart())
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["query", "dependant"]
    assert [u["dependant"] for u in fakes.uploads] == [0]


async def test_documents_quota_is_relayed_as_413():
    fakes = Dependants()
    fakes.quota_spent = True
    app_id, token = fakes.add()
    app, client = await gateway_over(fakes)
    async with app.router.lifespan_context(app), client:
        response = await client.put(
            f"/v1/applications/{app_id}/documents/cnie",
            headers={"Authorization": f"Bearer {token}"},
            **multipart(),
        )
    assert response.status_code == 413 and "60 Mo" in response.json()["detail"]


def json_routes(app: FastAPI) -> list[tuple[str, str]]:
    """Every route that reads a JSON body (as the spec documents it), its parameters filled."""
    found = []
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                found.append((method.upper(), re.sub(r"{[^}]+}", "M1234567", path)))
    return found


async def test_a_one_megabyte_json_record_is_refused_on_every_json_route(gateway):
    app = create_app(gateway_settings())
    routes = json_routes(app)
    assert len(routes) >= 10
    record = b'{"reason": "' + b"x" * (1024 * 1024) + b'"}'
    for method, path in routes:
        response = await gateway.request(
            method, path, content=record, headers={"content-type": "application/json"}
        )
        assert response.status_code == 413, (method, path)
