"""End to end: scripted applicants through the gateway, cards read back from Kafka by an
independent consumer, as a hospital system would."""

from __future__ import annotations

import asyncio

import pytest

from amo_shared.topics import APPLICATION_SUBMITTED, CARD_ISSUED, DOCUMENTS_VERIFIED
from amo_testkit import (
    DOCUMENTS,
    JPEG,
    SURVIVORS,
    applicant,
    headers_of,
    required_uploads,
    value_of,
)

CATEGORIES = list(DOCUMENTS)


@pytest.mark.parametrize("category", CATEGORIES)
async def test_each_category_gets_one_card_visible_on_kafka(applicants, bus, category):
    survivor = (
        {"deceased_member_number": await applicants.member()} if category in SURVIVORS else {}
    )
    body = applicant(category, **survivor)
    app = await applicants.file_complete(category, **{"cnie": body["cnie"], **survivor})
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    member_number = view["card"]["member_number"]

    records = await bus.wait_records(CARD_ISSUED, key=app.id)
    assert len(records) == 1
    card, headers = value_of(records[0]), headers_of(records[0])
    assert card["member_number"] == member_number
    assert headers["ce_type"].endswith("card.issued.v1") and headers["ce_subject"] == member_number
    assert headers["ce_source"] and headers["ce_id"] and headers["traceparent"].startswith("00-")
    assert card["beneficiaries"][0]["relationship"] == "self"
    # Card events go to hospitals: never the CNIE, in the value or in a header.
    assert body["cnie"] not in records[0].value.decode()
    assert all(body["cnie"] not in v.decode() for _, v in records[0].headers)
    assert member_number != body["cnie"]

    steps = [step["status"] for step in view["timeline"]]
    for expected in ("draft", "submitted", "documents_verified", "eligible", "card_issued"):
        assert expected in steps, steps


async def test_incomplete_application_gets_one_notice_naming_every_missing_document(
    applicants, bus
):
    body = applicant(
        "public_employee",
        dependants=[
            {
                "relationship": "spouse",
                "first_name": "Karim",
                "last_name": "Alaoui",
                "birth_date": "1984-01-01",
            }
        ],
    )
    app = await applicants.create(body)
    assert (await app.upload("cnie")).status_code == 201
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("incomplete", "card_issued", "eligible")
    assert view["status"] == "incomplete"
    missing = {(r["kind"], r["status"]) for r in view["reasons"]["documents"]}
    assert {("work_certificate", "missing"), ("marriage_certificate", "missing")} <= missing
    assert all(
        r["code"] and r["message_fr"] and r["message_ar"] for r in view["reasons"]["documents"]
    )

    records = await bus.wait_records(DOCUMENTS_VERIFIED, key=app.id)
    await asyncio.sleep(1)
    records = await bus.records(DOCUMENTS_VERIFIED, key=app.id)
    assert len(records) == 1, "one notice, not one per missing document"
    verdicts = {(v["kind"], v["status"]) for v in value_of(records[0])["verdicts"]}
    assert ("work_certificate", "missing") in verdicts
    assert ("marriage_certificate", "missing") in verdicts
    assert ("cnie", "accepted") in verdicts

    # The applicant uploads what was missing and resubmits: the same application goes on to a card.
    # A certificate needs a text layer (a scan without one waits for an operator): a real PDF.
    assert (await app.upload("work_certificate")).status_code == 201
    assert (await app.upload("marriage_certificate", dependant=0)).status_code == 201
    assert (await app.upload("photo", JPEG, filename="photo.jpg")).status_code == 201
    assert (await app.upload("rib")).status_code == 201
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("card_issued", "ineligible")
    assert view["status"] == "card_issued", view
    submitted = await bus.records(APPLICATION_SUBMITTED, key=app.id)
    assert len(submitted) == 2


async def test_foreign_resident_with_children_is_covered_with_dependants(applicants, bus):
    body = applicant(
        "public_employee",
        cnie=None,
        cnie_expiry=None,
        nationality="FR",
        residence_permit="RP998877",
        residence_permit_expiry="2031-01-01",
        dependants=[
            {
                "relationship": "child",
                "first_name": "Lina",
                "last_name": "Martin",
                "birth_date": "2015-06-01",
            }
        ],
    )
    app = await applicants.create(body)
    await app.upload_all(required_uploads(body))
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    card = value_of((await bus.wait_records(CARD_ISSUED, key=app.id))[0])
    assert [b["relationship"] for b in card["beneficiaries"]] == ["self", "child"]
    assert [b["rank"] for b in card["beneficiaries"]] == [0, 1]


async def test_foreigner_with_expired_permit_is_told_why(applicants):
    body = applicant(
        "independent_worker",
        cnie=None,
        cnie_expiry=None,
        nationality="SN",
        residence_permit="RP1",
        residence_permit_expiry="2020-01-01",
    )
    app = await applicants.create(body)
    await app.upload_all(required_uploads(body))
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("ineligible", "card_issued", "incomplete")
    assert view["status"] == "ineligible"
    assert view["reasons"], "a refusal always carries its reasons"
    assert view["card"] is None
