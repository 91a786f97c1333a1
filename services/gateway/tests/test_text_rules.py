"""The public text rules at the door: each rule a field-level 422 naming the field and the rule
(its type), never the value."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from amo_tokens import ISSUED

from amo_gateway.app import create_app
from amo_shared.limits import DEPENDANTS_PER_APPLICATION

from .conftest import CITIZEN, gateway_settings

CHILD = {
    "relationship": "child",
    "first_name": "Sara",
    "last_name": "Alaoui",
    "birth_date": "2015-01-01",
}
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.mark.parametrize(
    "changes,loc,rule",
    [
        ({"first_name": "Amina 2"}, ["first_name"], "name.characters"),
        ({"last_name": "-Alaoui"}, ["last_name"], "name.start"),
        ({"last_name": "Ala\u2066oui"}, ["last_name"], "text.bidi"),
        ({"first_name": "Ami\x1bna"}, ["first_name"], "text.control"),
        ({"employer": "=cmd|' /C calc'!A0"}, ["employer"], "text.formula"),
        ({"employer": "@SUM(1+1)"}, ["employer"], "text.formula"),
        ({"employer": "x" * 201}, ["employer"], "string_too_long"),
        ({"birth_date": "1899-12-31"}, ["birth_date"], "date.too_early"),
        ({"birth_date": TOMORROW}, ["birth_date"], "date.future"),
        ({"email": "amina\u202e@example.ma"}, ["email"], "text.bidi"),
        (
            {"dependants": [CHILD | {"birth_date": TOMORROW}]},
            ["dependants", 0, "birth_date"],
            "date.future",
        ),
        ({"dependants": [CHILD] * (DEPENDANTS_PER_APPLICATION + 1)}, ["dependants"], "too_long"),
    ],
)
async def test_each_text_rule_is_a_field_level_422(gateway, body, changes, loc, rule):
    response = await gateway.post("/v1/applications", headers=CITIZEN, json=body(**changes))
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", *loc] and error["type"] == rule
    assert set(error) == {"loc", "msg", "type"}  # no input echoed


async def test_names_of_any_script_and_twelve_dependants_pass(gateway, services, body):
    family = [CHILD | {"first_name": "نور"}] * DEPENDANTS_PER_APPLICATION
    response = await gateway.post(
        "/v1/applications",
        headers=CITIZEN,
        json=body(first_name="أمينة", last_name="Aït-Lahcen O'Neil", dependants=family),
    )
    assert response.status_code == 201
    assert services.created[-1]["applicant"]["first_name"] == "أمينة"


async def test_a_review_note_follows_the_free_text_rules(services):
    operator = ISSUED.token("op-1", ["reviewer"])
    app = create_app(
        gateway_settings(),
        transport=httpx.ASGITransport(app=services.asgi()),
        tokens=ISSUED.verifier(),
    )
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as c,
    ):
        response = await c.post(
            "/v1/operator/reviews/item-1/refuse",
            json={"reason": '=HYPERLINK("http://x")'},
            headers={"Authorization": f"Bearer {operator}"},
        )
    assert response.status_code == 422
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", "reason"] and error["type"] == "text.formula"
