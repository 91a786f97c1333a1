"""Integration (real stack): a verdict waiting for operators, the four-eyes review steps, racing
claims, the final verdict; a verified document is never replaced; a refused upload stores nothing."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from uuid import uuid4

import pikepdf
import pytest

from amo_shared.checklist import required_documents
from amo_shared.envelope import new_event
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category, DocumentsVerified
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED
from amo_testkit import content_for, value_of

FILED = datetime(2025, 6, 1, 9, tzinfo=UTC)
OP1, OP2 = {"X-Operator": "op-reviewer-1"}, {"X-Operator": "op-reviewer-2"}


def scanned_pdf() -> bytes:
    """A certificate as a scanner makes it: a page and no text layer."""
    import io

    doc = pikepdf.new()
    doc.add_blank_page()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def facts() -> ApplicantFacts:
    return ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 3, 2),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
    )


def objects_under(s3, bucket: str, application: str) -> list[str]:
    prefix = f"applications/{application}/"
    return sorted(o.object_name for o in s3.list_objects(bucket, prefix=prefix, recursive=True))


async def put(client, application: str, kind: str, content: bytes, dependant=None):
    return await client.put(
        f"/applications/{application}/documents/{kind}",
        params={"dependant": dependant} if dependant is not None else None,
        files={"file": ("f", content)},
    )


async def verdicts(bus, application: str, count: int) -> list[DocumentsVerified]:
    records = await bus.wait_records(DOCUMENTS_VERIFIED, application, count, timeout=90)
    return [DocumentsVerified.model_validate(value_of(r)) for r in records]


@pytest.fixture
def application() -> str:
    return f"app-{uuid4().hex[:12]}"


async def test_a_refused_upload_is_a_422_naming_the_rule_and_stores_nothing(
    client, app, s3, settings, application
):
    r = await put(client, application, "cnie", content_for("cnie")[0] + b"\x7fELF\x02\x01\x01")
    assert r.status_code == 422
    (error,) = r.json()["detail"]
    assert error["loc"] == ["body", "file"] and error["type"] == "pdf.trailing_data"
    assert error["ctx"]["message_ar"] and error["msg"]
    assert objects_under(s3, settings.s3_bucket, application) == []
    assert (
        await app.state.runtime.db["application_documents"].find_one({"_id": application}) is None
    )


async def test_review_four_eyes_racing_claims_and_no_replacing_a_verified_document(
    client, app, s3, settings, bus, application
):
    applicant = facts()
    for item in required_documents(applicant, FILED.date()):
        content = scanned_pdf() if item.kind == "work_certificate" else content_for(item.kind)[0]
        r = await put(client, application, item.kind, content, item.dependant)
        assert r.status_code == 201, r.text
    assert r is not None
    event = ApplicationSubmitted(
        application_id=application, submitted_at=FILED, applicant=applicant
    )
    await bus.publish(new_event(APPLICATION_SUBMITTED, event, source="tests", key=application))
    (waiting,) = await verdicts(bus, application, 1)
    assert waiting.outcome == "in_review"
    work = next(v for v in waiting.verdicts if v.kind == "work_certificate")
    assert (work.status, work.code) == ("in_review", "document.no_text_layer")

    # Neither the verified CNIE nor the certificate under review can be replaced; nothing stored.
    before = objects_under(s3, settings.s3_bucket, application)
    assert (await put(client, application, "cnie", content_for("cnie")[0])).status_code == 409
    again = await put(client, application, "work_certificate", content_for("work_certificate")[0])
    assert again.status_code == 409
    assert objects_under(s3, settings.s3_bucket, application) == before

    # Operators only, with their id.
    assert (await client.get("/operator/reviews")).status_code == 401
    listing = (
        await client.get("/operator/reviews", params={"status": "waiting"}, headers=OP1)
    ).json()
    (item,) = [i for i in listing if i["application_id"] == application]
    assert item["cnie_masked"] == "AB****56" and "AB123456" not in str(listing)
    base = f"/operator/reviews/{item['id']}"

    # Two operators claim at once: one wins, the other is told.
    claims = await asyncio.gather(
        client.post(f"{base}/claim", headers=OP1), client.post(f"{base}/claim", headers=OP2)
    )
    assert sorted(r.status_code for r in claims) == [200, 409]
    winner, other = (OP1, OP2) if claims[0].status_code == 200 else (OP2, OP1)

    r = await client.post(f"{base}/refuse", json={"reason": "cachet absent"}, headers=winner)
    assert r.status_code == 200 and r.json()["status"] == "refusal_pending"
    assert (await client.post(f"{base}/confirm", headers=winner)).status_code == 409
    r = await client.post(f"{base}/confirm", headers=other)
    assert r.status_code == 200 and r.json()["status"] == "refused"
    history = r.json()["history"]
    assert [(s["action"], s["operator"]) for s in history] == [
        ("claim", winner["X-Operator"]),
        ("refuse", winner["X-Operator"]),
        ("confirm", other["X-Operator"]),
    ]

    _, final = await verdicts(bus, application, 2)
    assert final.submission == 1 and final.outcome == "incomplete"
    work = next(v for v in final.verdicts if v.kind == "work_certificate")
    assert (work.status, work.code) == ("refused", "review.refused")
    assert work.reason and "cachet absent" in work.reason
    stored = await app.state.runtime.db["review_items"].find_one({"_id": item["id"]})
    assert stored["settled"] is True
    # The refused certificate may now be replaced.
    fixed = await put(client, application, "work_certificate", content_for("work_certificate")[0])
    assert fixed.status_code == 201
