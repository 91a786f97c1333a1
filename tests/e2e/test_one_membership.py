"""End to end: one membership per person, through the gateway, whichever accounts file it."""

from __future__ import annotations

import asyncio

from amo_testkit import applicant


async def test_the_same_cnie_twice_is_a_conflict_without_the_other_file(applicants):
    body = applicant("independent_worker")
    first = await applicants.create(body)
    # Another account filing for the same person meets the same rule.
    other = await applicants.citizen()
    again = await applicants.client.post(
        "/v1/applications", json=body | {"first_name": "Other"}, headers=other.header()
    )
    assert again.status_code == 409, again.text
    assert first.id not in again.text and body["cnie"] not in again.text
    assert "open application or a membership" in again.json()["detail"]


async def test_racing_creations_for_one_cnie_make_one_application(applicants):
    body = applicant("liberal_profession")
    accounts = [(await applicants.citizen()).header() for _ in range(5)]
    responses = await asyncio.gather(
        *(applicants.client.post("/v1/applications", json=body, headers=a) for a in accounts)
    )
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]


async def test_a_member_cannot_apply_again(applicants):
    body = applicant("public_employee")
    app = await applicants.file_complete("public_employee", cnie=body["cnie"])
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    again = await applicants.client.post("/v1/applications", json=body, headers=app.auth)
    assert again.status_code == 409
