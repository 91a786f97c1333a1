"""The upload check the gateway asks before streaming a document: with `?dependant=N`, only a
dependant the application declares opens (one account cannot fill 100 dependant slots)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import httpx
import pytest

from amo_registration.app import create_app
from amo_registration.domain import Contact, create
from amo_registration.settings import Settings
from amo_shared.events import ApplicantFacts
from amo_shared.sealed import Keyring


class OneApplication:
    """Stands for the repository: the one application it holds, by id."""

    def __init__(self, app):
        self.app = app

    async def get(self, application_id: str):
        return self.app if application_id == self.app.id else None


@pytest.fixture
async def filed():
    facts = ApplicantFacts(
        cnie="AB123456",
        cnie_expiry=date(2099, 1, 1),
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 3, 2),
        nationality="MA",
        category="public_employee",
        recruitment_date=date(2020, 1, 1),
        dependants=[
            {
                "relationship": "spouse",
                "first_name": "Omar",
                "last_name": "Alaoui",
                "birth_date": date(1984, 1, 1),
            }
        ],
    )
    application = create(
        facts, Contact(email="a@b.ma", phone="0612345678"), datetime.now(UTC), owner="sub-amina"
    )
    api = create_app(Settings(log_json=False, data_keys=Keyring.generate_spec()))
    api.state.applications = OneApplication(application)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://r") as c:
        yield c, f"/applications/{application.id}/access", {"X-Citizen": "sub-amina"}


async def test_a_declared_dependant_opens_uploads(filed):
    client, path, auth = filed
    response = await client.get(path, params={"dependant": 0}, headers=auth)
    assert response.status_code == 200 and response.json()["uploads_open"] is True
    assert (await client.get(path, headers=auth)).status_code == 200


@pytest.mark.parametrize("index", [1, 12, 99])
async def test_an_undeclared_dependant_is_a_field_error(filed, index):
    client, path, auth = filed
    response = await client.get(path, params={"dependant": index}, headers=auth)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["query", "dependant"] and "no dependant" in error["msg"]


async def test_another_account_learns_nothing_about_dependants(filed):
    client, path, _ = filed
    for account in ("sub-omar", "sub-amin", "sub-amina2"):
        response = await client.get(path, params={"dependant": 5}, headers={"X-Citizen": account})
        assert response.status_code == 404
