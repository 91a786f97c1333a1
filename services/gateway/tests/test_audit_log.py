"""The operators' audit log: each operator call past the check is one line saying who, what,
when and why; a refused caller writes none; the stated purpose is kept as plain text."""

from __future__ import annotations

import json
import stat
from datetime import UTC, datetime

import httpx
import pytest
from amo_tokens import ISSUED
from fastapi import FastAPI

from amo_gateway.app import create_app
from amo_gateway.settings import Settings

REVIEWER = ISSUED.bearer("op-nadia@amo.test", ["reviewer"])


@pytest.fixture
async def gateway(tmp_path):
    services = FastAPI()

    @services.api_route("/{path:path}", methods=["GET", "POST"])
    async def anything(path: str):
        return {"items": [], "total": 0} if path != "readyz" else {"status": "ready"}

    audit = tmp_path / "audit.jsonl"
    app = create_app(
        Settings(log_json=False, audit_log=audit),
        transport=httpx.ASGITransport(app=services),
        tokens=ISSUED.verifier(),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c,
    ):
        yield c, audit


def lines(audit) -> list[dict]:
    return [json.loads(line) for line in audit.read_text().splitlines()] if audit.exists() else []


async def test_an_operators_read_is_written_with_who_what_when_and_why(gateway):
    client, audit = gateway
    before = datetime.now(UTC)
    r = await client.get(
        "/v1/operator/members/M2019004521/exemptions",
        params={"purpose": "اتصال المنخرط\u202e، ملف 12\x07"},
        headers=REVIEWER,
    )
    assert r.status_code == 200
    (entry,) = lines(audit)
    assert entry["operator"] == "op-nadia@amo.test" and entry["subject"]
    assert (entry["method"], entry["route"]) == (
        "GET",
        "/v1/operator/members/{member_number}/exemptions",
    )
    assert entry["resource"] == {"member_number": "M2019004521"}
    # Bidi and control characters become spaces: the line reads as it was meant.
    assert entry["why"] == "اتصال المنخرط ، ملف 12" and entry["stated"] is True
    assert datetime.fromisoformat(entry["at"]) >= before.replace(microsecond=0)
    assert stat.S_IMODE(audit.stat().st_mode) == 0o600


async def test_without_a_stated_purpose_the_routes_own_is_written(gateway):
    client, audit = gateway
    await client.get("/v1/operator/reviews", headers=REVIEWER)
    await client.get("/v1/operator/claims", headers=REVIEWER)
    await client.get("/v1/operator/claims", headers=REVIEWER | {"X-Access-Purpose": "controle"})
    assert [(e["why"], e["stated"]) for e in lines(audit)] == [
        ("document review", False),
        ("medical review of claims", False),
        ("controle", True),
    ]


async def test_refused_callers_write_nothing(gateway):
    client, audit = gateway
    citizen = ISSUED.bearer("amina@example.ma", ["citizen"])
    assert (await client.get("/v1/operator/reviews")).status_code == 401
    assert (await client.get("/v1/operator/reviews", headers=citizen)).status_code == 403
    assert (await client.post("/v1/operator/payment-runs", headers=REVIEWER)).status_code == 403
    assert lines(audit) == []
