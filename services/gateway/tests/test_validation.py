"""The public body's checks: each field's 422 names the field, nothing sent is echoed, and no
client mistake ever becomes a 500."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from amo_shared.rib import rib_key

from .conftest import CITIZEN, citizen, citizen_bearer

TOMORROW = (date.today() + timedelta(days=1)).isoformat()
YESTERDAY = (date.today() - timedelta(days=1)).isoformat()
SECRET_CNIE = "ZQ987654"
VALID_RIB = "0117800000123456789012" + rib_key(
    "0117800000123456789012"
)  # well-formed, so any echo of it would be visible


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"cnie": "123456"}, "cnie"),
        ({"cnie": "ABC12345"}, "cnie"),
        ({"cnie": "AB1234"}, "cnie"),
        ({"cnie": None}, "cnie"),  # required for MA nationals
        ({"first_name": ""}, "first_name"),
        ({"first_name": "   "}, "first_name"),
        ({"last_name": "x" * 101}, "last_name"),
        ({"birth_date": TOMORROW}, "birth_date"),
        ({"birth_date": "01/02/1990"}, "birth_date"),
        ({"nationality": "XX"}, "nationality"),
        ({"nationality": "MAR"}, "nationality"),
        ({"nationality": "FR"}, "residence_permit"),  # foreigners need one
        ({"category": "astronaut"}, "category"),
        ({"email": "not-an-email"}, "email"),
        ({"email": "a@b"}, "email"),
        ({"phone": "12345"}, "phone"),
        ({"phone": "+2126123456789012"}, "phone"),
        ({"phone": "06abc45678"}, "phone"),
        ({"survivor_pension": "maybe"}, "survivor_pension"),
        ({"cnie_expiry": None}, "cnie_expiry"),  # required with a CNIE
        ({"cnie_expiry": YESTERDAY}, "cnie_expiry"),  # expired at filing
        ({"rib": None}, "rib"),
        ({"rib": "1234"}, "rib"),
        ({"language": "en"}, "language"),
        ({"deceased_member_number": "M" * 17}, "deceased_member_number"),
        ({"retirement_date": "2020-13-01"}, "retirement_date"),
    ],
)
async def test_each_malformed_field_is_named(gateway, body, changes, field):
    response = await gateway.post("/v1/applications", headers=CITIZEN, json=body(**changes))
    assert response.status_code == 422
    assert [e["loc"] for e in response.json()["detail"]] == [["body", field]]


@pytest.mark.parametrize(
    "dependant,field",
    [
        ({"relationship": "cousin"}, "relationship"),
        ({"birth_date": TOMORROW}, "birth_date"),
        ({"first_name": ""}, "first_name"),
        ({"insured_elsewhere": "sometimes"}, "insured_elsewhere"),
        ({"married": "perhaps"}, "married"),
        ({"kafala": [1]}, "kafala"),
    ],
)
async def test_a_malformed_dependant_is_named(gateway, body, dependant, field):
    person = {
        "relationship": "child",
        "first_name": "Yasmine",
        "last_name": "Alaoui",
        "birth_date": "2015-05-05",
    } | dependant
    response = await gateway.post(
        "/v1/applications", headers=CITIZEN, json=body(dependants=[person])
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "dependants", 0, field]


async def test_valid_body_is_normalised_and_unknown_fields_ignored(gateway, services, body):
    response = await gateway.post(
        "/v1/applications",
        headers=CITIZEN,
        json=body(nationality="ma", phone="+212 6-12-34-56-78", favourite_colour="blue"),
    )
    assert response.status_code == 201, response.text
    sent = services.created[-1]
    assert sent["applicant"]["cnie"] == "AB123456" and sent["applicant"]["nationality"] == "MA"
    assert sent["phone"] == "+212612345678" and "email" not in sent["applicant"]
    assert "favourite_colour" not in sent["applicant"]


async def test_the_new_facts_reach_registration_and_the_rib_travels_apart(gateway, services, body):
    spouse = {
        "relationship": "spouse",
        "first_name": "Karim",
        "last_name": "Alaoui",
        "birth_date": "1984-01-01",
        "insured_elsewhere": True,
    }
    child = {
        "relationship": "child",
        "first_name": "Sara",
        "last_name": "Alaoui",
        "birth_date": "2001-01-01",
        "student": True,
        "married": False,
        "kafala": True,
    }
    spaced = " ".join(VALID_RIB[i : i + 4] for i in range(0, 24, 4))
    response = await gateway.post(
        "/v1/applications",
        headers=CITIZEN,
        json=body(
            rib=spaced, language="ar", previous_scheme="anything", dependants=[spouse, child]
        ),
    )
    assert response.status_code == 201, response.text
    sent = services.created[-1]
    assert sent["rib"] == VALID_RIB and sent["language"] == "ar"
    assert "rib" not in sent["applicant"] and "language" not in sent["applicant"]
    assert sent["applicant"]["cnie_expiry"] == "2099-01-01"
    assert sent["applicant"]["dependants"][0]["insured_elsewhere"] is True
    assert sent["applicant"]["dependants"][1]["kafala"] is True
    assert sent["applicant"]["previous_scheme"] == "anything"  # the rules decide


async def test_a_bad_rib_names_the_rule_never_the_digits(gateway, body):
    wrong_key = VALID_RIB[:-2] + ("00" if VALID_RIB[-2:] != "00" else "01")
    response = await gateway.post("/v1/applications", headers=CITIZEN, json=body(rib=wrong_key))
    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["body", "rib"] and "key" in error["msg"]
    assert wrong_key not in response.text and wrong_key[:12] not in response.text


async def test_an_orphan_filed_by_a_guardian_needs_no_cnie_of_their_own(gateway, services, body):
    guardian = {
        "cnie": "bk654321",
        "first_name": "Samira",
        "last_name": "Alaoui",
        "relationship": "aunt",
    }
    response = await gateway.post(
        "/v1/applications",
        headers=CITIZEN,
        json=body(
            cnie=None,
            cnie_expiry=None,
            category="orphan",
            birth_date="2016-05-05",
            member_death_date="2025-01-01",
            survivor_pension=True,
            deceased_member_number="M12345678",
            guardian=guardian,
        ),
    )
    assert response.status_code == 201, response.text
    sent = services.created[-1]["applicant"]
    assert sent["cnie"] is None and sent["guardian"]["cnie"] == "BK654321"
    bad = await gateway.post(
        "/v1/applications",
        headers=CITIZEN,
        json=body(cnie=None, guardian=guardian | {"cnie": "123"}),
    )
    assert bad.status_code == 422
    assert ["body", "guardian", "cnie"] in [e["loc"] for e in bad.json()["detail"]]


async def test_a_foreigner_with_a_residence_permit_needs_no_cnie(gateway, body):
    response = await gateway.post(
        "/v1/applications",
        headers=CITIZEN,
        json=body(
            cnie=None,
            cnie_expiry=None,
            nationality="SN",
            residence_permit="RC1234",
            residence_permit_expiry="2030-01-01",
        ),
    )
    assert response.status_code == 201


async def test_a_domain_error_from_registration_is_relayed(gateway, body):
    response = await gateway.post(
        "/v1/applications", headers=CITIZEN, json=body(category="retiree")
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "pension_fund"]


async def test_errors_never_echo_the_input(gateway, body):
    bad = body(
        cnie=SECRET_CNIE,
        first_name="",
        birth_date=TOMORROW,
        email="Amina-secret",
        residence_permit=12345,
        dependants="RC-SECRET-1",
    )
    response = await gateway.post("/v1/applications", headers=CITIZEN, json=bad)
    assert response.status_code == 422
    text = response.text
    for value in ("ZQ987654", "Amina-secret", "RC-SECRET-1", TOMORROW):
        assert value not in text
    assert all(set(e) == {"loc", "msg", "type"} for e in response.json()["detail"])


JUNK = [
    ("application/json", b"{not json"),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"a string"'),
    ("application/json", b"null"),
    ("application/json", b"\xff\xfe\x00garbage"),
    ("application/json", b'{"cnie": {"$gt": ""}}'),
    ("text/plain", json.dumps({"cnie": SECRET_CNIE}).encode()),
    ("application/x-www-form-urlencoded", b"cnie=" + SECRET_CNIE.encode()),
    ("multipart/form-data; boundary=x", b"--x\r\n\r\n--x--"),
    ("", b""),
]


@pytest.mark.parametrize("content_type,raw", JUNK)
async def test_junk_bodies_are_client_errors_without_echo(gateway, content_type, raw):
    response = await gateway.post(
        "/v1/applications",
        content=raw,
        headers={"content-type": content_type} if content_type else {},
    )
    assert 400 <= response.status_code < 500
    assert SECRET_CNIE not in response.text


async def test_a_huge_body_is_refused_before_being_read(gateway, body):
    huge = json.dumps(body(employer="x" * 200_000)).encode()
    response = await gateway.post(
        "/v1/applications", content=huge, headers={"content-type": "application/json"}
    )
    assert response.status_code == 413

    async def chunks():  # no Content-Length: counted while reading
        for _ in range(100):
            yield b" " * 10_000

    response = await gateway.post(
        "/v1/applications", content=chunks(), headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


@pytest.mark.parametrize(
    "method,path",
    [
        ("GET", "/v1/applications/not-a-uuid"),
        ("POST", "/v1/applications/not-a-uuid/submit"),
        ("PUT", "/v1/applications/not-a-uuid/documents/cnie"),
        ("PUT", "/v1/applications/00000000-0000-0000-0000-000000000000/documents/passport"),
        ("GET", "/v1/checklist?category=astronaut"),
        ("GET", "/v1/checklist?category=retiree&nationality=ZZ"),
        ("GET", "/v1/checklist?category=retiree&dependants=cousin"),
    ],
)
async def test_malformed_paths_and_queries_are_422(gateway, method, path):
    # A citizen's valid token: the address and the query are what is wrong.
    response = await gateway.request(method, path, headers=CITIZEN)
    assert response.status_code == 422


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=30)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "cnie",
    "cnie_expiry",
    "rib",
    "language",
    "guardian",
    "deceased_member_number",
    "first_name",
    "last_name",
    "birth_date",
    "nationality",
    "residence_permit",
    "residence_permit_expiry",
    "category",
    "employer",
    "email",
    "phone",
    "recruitment_date",
    "survivor_pension",
    "dependants",
]


@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.dictionaries(st.sampled_from(FIELDS), json_values, max_size=len(FIELDS)))
async def test_no_body_shape_makes_a_server_error(gateway, fields):
    body = {"cnie": SECRET_CNIE, **fields}
    # An account per example: 300 of them from one would be its rate limit, not the shape.
    response = await gateway.post(
        "/v1/applications", headers=citizen_bearer(citizen()[1]), json=body
    )
    assert response.status_code in (201, 422)
    if response.status_code == 422 and body["cnie"] == SECRET_CNIE:
        assert SECRET_CNIE not in response.text
