"""Registration holds the public text rules itself (internal callers included): names, free
text and birth dates, field by field, and at most 12 dependants."""

from __future__ import annotations

import httpx
import pytest

from amo_registration.app import create_app
from amo_registration.settings import Settings
from amo_shared.limits import DEPENDANTS_PER_APPLICATION
from amo_shared.rib import rib_key
from amo_shared.sealed import Keyring

RIB = "011780" + "0" * 15 + "1"
RIB += rib_key(RIB)
APPLICANT = {
    "cnie": "AB123456",
    "cnie_expiry": "2099-01-01",
    "first_name": "Amina",
    "last_name": "Alaoui",
    "birth_date": "1990-01-01",
    "nationality": "MA",
    "category": "public_employee",
    "recruitment_date": "2025-09-01",
}
CHILD = {
    "relationship": "child",
    "first_name": "Sara",
    "last_name": "Alaoui",
    "birth_date": "2015-01-01",
}


@pytest.fixture
async def client():
    app = create_app(Settings(log_json=False, data_keys=Keyring.generate_spec()))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://r",
        headers={"X-Citizen": "sub-of-a-citizen"},  # as the gateway names the account
    ) as c:
        yield c


@pytest.mark.parametrize(
    "changes,loc,rule",
    [
        ({"first_name": "Amina2"}, ["first_name"], "name.characters"),
        ({"last_name": "Ala\u202eoui"}, ["last_name"], "text.bidi"),
        ({"employer": '=HYPERLINK("x")'}, ["employer"], "text.formula"),
        ({"employer": "Office\x07"}, ["employer"], "text.control"),
        ({"birth_date": "1899-12-31"}, ["birth_date"], "date.too_early"),
        (
            {"dependants": [CHILD | {"first_name": "@x"}]},
            ["dependants", 0, "first_name"],
            "name.start",
        ),
        ({"dependants": [CHILD] * (DEPENDANTS_PER_APPLICATION + 1)}, ["dependants"], "too_long"),
    ],
)
async def test_each_rule_is_named_on_its_field(client, changes, loc, rule):
    body = {"applicant": APPLICANT | changes, "email": "a@b.ma", "phone": "0612345678", "rib": RIB}
    response = await client.post("/applications", json=body)
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "applicant", *loc] and error["type"] == rule
