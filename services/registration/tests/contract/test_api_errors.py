"""The internal API's error shape, which the gateway relays as is: FastAPI's `detail` list with
the field at fault, and never the submitted values. No database is reached on these paths."""

from __future__ import annotations

import httpx
import pytest

from amo_registration.app import create_app
from amo_registration.settings import Settings

APPLICANT = {
    "cnie": "ZQ987654",
    "first_name": "Amina",
    "last_name": "Alaoui",
    "birth_date": "1990-01-01",
    "nationality": "MA",
    "category": "public_employee",
    "recruitment_date": "2025-09-01",
}


@pytest.fixture
async def client():
    # Neither Mongo nor Kafka is contacted: the lifespan is not started and these requests
    # are refused before any storage call.
    app = create_app(Settings(log_json=False))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://r") as c:
        yield c


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"recruitment_date": None}, "recruitment_date"),
        ({"category": "retiree", "pension_fund": "CMR"}, "pension_number"),
        ({"category": "widow", "member_death_date": "2025-01-01"}, "survivor_pension"),
        ({"nationality": "FR", "cnie": None}, "residence_permit"),
        ({"cnie": None}, "cnie"),
    ],
)
async def test_domain_errors_name_the_field(client, changes, field):
    applicant = {k: v for k, v in (APPLICANT | changes).items() if v is not None}
    response = await client.post(
        "/applications", json={"applicant": applicant, "email": "a@b.ma", "phone": "0612345678"}
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field] and error["type"] == "value_error" and error["msg"]


async def test_schema_errors_do_not_echo_the_input(client):
    applicant = APPLICANT | {"birth_date": "ZQ987654", "category": "ZQ987654"}
    response = await client.post(
        "/applications", json={"applicant": applicant, "email": "a@b.ma", "phone": "0612345678"}
    )
    assert response.status_code == 422
    assert "ZQ987654" not in response.text
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "applicant", "birth_date"),
        ("body", "applicant", "category"),
    }
