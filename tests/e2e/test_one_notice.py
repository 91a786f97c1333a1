"""End to end: two problems get one notice listing both, the applicant re-uploads only those,
resubmits, and gets a card; the timeline shows both rounds."""

from __future__ import annotations

from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED
from amo_testkit import applicant, required_uploads, value_of

TO_FIX = {("work_certificate", None), ("rib", None)}


async def test_two_problems_one_notice_then_a_card(applicants, bus):
    body = applicant("public_employee")
    app = await applicants.create(body)
    uploads = required_uploads(body)
    assert set(uploads) >= TO_FIX
    await app.upload_all([u for u in uploads if u not in TO_FIX])
    assert (await app.submit()).status_code == 202

    view = await app.wait_for("incomplete", "documents_verified", "card_issued", "in_review")
    assert view["status"] == "incomplete", view
    notice = view["reasons"]["documents"]
    assert {(d["kind"], d["dependant"]) for d in notice} == TO_FIX
    for item in notice:
        assert item["status"] == "missing" and item["code"]
        assert (
            item["message_fr"] and item["message_ar"] and item["message_fr"] != item["message_ar"]
        )
    # One verdict for the whole filing, not one per problem.
    verdicts = await bus.wait_records(DOCUMENTS_VERIFIED, key=app.id)
    assert [value_of(r)["submission"] for r in verdicts] == [1]

    await app.upload_all(sorted(TO_FIX, key=str))
    assert (await app.submit()).status_code == 202
    view = await app.wait_for("card_issued", "ineligible", "incomplete")
    assert view["status"] == "card_issued", view
    assert (view["submission"], len(view["rounds"])) == (2, 2)
    first, second = view["rounds"]
    assert first["steps"] == ["submitted", "incomplete"]
    assert {(d["kind"], d["dependant"]) for d in first["to_fix"]} == TO_FIX
    assert second["steps"][0] == "submitted" and "card_issued" in second["steps"]
    timeline = [(e["status"], e["submission"]) for e in view["timeline"]]
    assert ("incomplete", 1) in timeline and ("documents_verified", 2) in timeline
    submitted = await bus.records(APPLICATION_SUBMITTED, key=app.id)
    assert [value_of(r)["submission"] for r in submitted] == [1, 2]
    contact = value_of(submitted[0])["contact"]
    assert contact["email"] == body["email"] and contact["language"] == "fr"
    assert body["rib"] not in submitted[0].value.decode()
