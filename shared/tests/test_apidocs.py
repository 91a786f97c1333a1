"""API docs only in development, for the gateway and every service alike."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from amo_shared.apidocs import api_docs


@pytest.mark.parametrize("environment", ["production", "staging", ""])
async def test_outside_development_no_docs_are_served(environment):
    app = FastAPI(**api_docs(environment))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await c.get(path)).status_code == 404


async def test_in_development_the_docs_are_served():
    app = FastAPI(**api_docs("development"))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://s") as c:
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await c.get(path)).status_code == 200


@pytest.mark.parametrize(
    "module,prefix",
    [
        ("amo_registration.settings", "AMO_REGISTRATION_"),
        ("amo_documents.settings", "AMO_DOCUMENTS_"),
        ("amo_eligibility.settings", "AMO_ELIGIBILITY_"),
        ("amo_cards.settings", "AMO_CARDS_"),
        ("amo_claims.settings", "AMO_CLAIMS_"),
        ("amo_notifications.settings", "AMO_NOTIFICATIONS_"),
    ],
)
def test_each_service_reads_its_environment_production_by_default(monkeypatch, module, prefix):
    settings_class = __import__(module, fromlist=["Settings"]).Settings
    assert api_docs(settings_class().environment)["docs_url"] is None
    monkeypatch.setenv(prefix + "ENVIRONMENT", "development")
    assert api_docs(settings_class().environment)["docs_url"] == "/docs"
    monkeypatch.setenv(prefix + "ENVIRONMENT", "prod")
    with pytest.raises(ValueError):
        settings_class()
