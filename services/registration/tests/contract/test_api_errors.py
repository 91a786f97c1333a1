"""The internal API's error shape and limits, which the gateway relays as is: FastAPI's `detail` list with
the field at fault, and never the submitted values. No database is reached on these paths."""

from __future__ import annotations

import httpx
import pytest

from amo_registration.app import create_app
from amo_registration.settings import Settings
from amo_shared.limits import BODY_MAX_BYTES, DEPENDANTS_MAX, NAME_MAX
from amo_shared.rib import rib_key
from amo_shared.sealed import Keyring

RIB = "011780" + "0" * 15 + "1"
RIB += rib_key(RIB)

APPLICANT = {
    "cnie": "ZQ987654",
    "cnie_expiry": "2099-01-01",
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
    app = create_app(Settings(log_json=False, data_keys=Keyring.generate_spec()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://r",
        headers={"X-Citizen": "sub-of-a-citizen"},  # as the gateway names the account
    ) as c:
        yield c


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"recruitment_date": None}, "recruitment_date"),
        ({"category": "retiree", "pension_fund": "CMR"}, "pension_number"),
        ({"category": "widow", "member_death_date": "2025-01-01"}, "survivor_pension"),
        ({"nationality": "FR", "cnie": None}, "residence_permit"),
        ({"cnie": None}, "cnie"),
        ({"cnie_expiry": None}, "cnie_expiry"),
        ({"cnie_expiry": "2020-01-01"}, "cnie_expiry"),  # expired on the filing date
        (
            {"category": "widow", "member_death_date": "2025-01-01", "survivor_pension": True},
            "deceased_member_number",
        ),
        (
            {
                "category": "orphan",
                "birth_date": "2020-01-01",
                "member_death_date": "2025-01-01",
                "survivor_pension": True,
                "deceased_member_number": "M1",
            },
            "guardian",
        ),
    ],
)
async def test_domain_errors_name_the_field(client, changes, field):
    applicant = {k: v for k, v in (APPLICANT | changes).items() if v is not None}
    response = await client.post(
        "/applications",
        json={"applicant": applicant, "email": "a@b.ma", "phone": "0612345678", "rib": RIB},
    )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field] and error["type"] == "value_error" and error["msg"]


async def test_schema_errors_do_not_echo_the_input(client):
    applicant = APPLICANT | {"birth_date": "ZQ987654", "category": "ZQ987654"}
    response = await client.post(
        "/applications",
        json={"applicant": applicant, "email": "a@b.ma", "phone": "0612345678", "rib": RIB},
    )
    assert response.status_code == 422
    assert "ZQ987654" not in response.text
    assert {tuple(e["loc"]) for e in response.json()["detail"]} == {
        ("body", "applicant", "birth_date"),
        ("body", "applicant", "category"),
    }


# Registration's own API enforces the gateway's limits: a caller inside the network cannot file
# an application whose event would outgrow Kafka's request limit and stall the outbox.
CHILD = {
    "relationship": "child",
    "first_name": "Sara",
    "last_name": "Alaoui",
    "birth_date": "2015-01-01",
}


def body(**applicant) -> dict:
    return {
        "applicant": APPLICANT | applicant,
        "email": "a@b.ma",
        "phone": "0612345678",
        "rib": RIB,
    }


@pytest.mark.parametrize(
    "rib,rule",
    [
        (None, "Field required"),
        ("0117800000000000000000", "24 digits"),
        (RIB[:-2] + ("00" if RIB[-2:] != "00" else "01"), "key"),
        ("ZQ987654ZQ987654ZQ987654", "24 digits"),
    ],
)
async def test_a_bad_rib_says_which_rule_and_never_the_digits(client, rib, rule):
    sent = body()
    sent.pop("rib") if rib is None else sent.update(rib=rib)
    response = await client.post("/applications", json=sent)
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "rib"] and rule in error["msg"]
    assert (rib or "ZQ987654ZQ987654") not in response.text


async def test_too_many_dependants_is_a_field_error(client):
    response = await client.post(
        "/applications", json=body(dependants=[CHILD] * (DEPENDANTS_MAX + 1))
    )
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "applicant", "dependants"]


async def test_an_overlong_name_is_a_field_error_without_the_value(client):
    response = await client.post("/applications", json=body(last_name="Z" * (NAME_MAX + 1)))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "applicant", "last_name"] and "ZZZZ" not in response.text


async def test_an_oversized_body_is_refused_with_413(client):
    response = await client.post(
        "/applications",
        content=b"{" + b" " * BODY_MAX_BYTES + b"}",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 413


async def test_an_oversized_chunked_body_is_refused_with_413(client):
    async def chunks():
        for _ in range(BODY_MAX_BYTES // 4096 + 2):
            yield b" " * 4096

    response = await client.post(
        "/applications", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
