"""Integration: application.submitted on real Kafka -> exactly one documents.verified per submission,
read by an independent consumer."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest_asyncio
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

from amo_shared.checklist import required_documents
from amo_shared.envelope import OutgoingEvent, new_event, read_event
from amo_shared.events import (
    ApplicantFacts,
    ApplicationSubmitted,
    Category,
    Dependant,
    DocumentsVerified,
    Relationship,
)
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED
from amo_testkit import PDF, content_for


def submitted(application: str, submission: int = 1, **facts) -> ApplicationSubmitted:
    applicant = ApplicantFacts(
        **{
            "cnie": "AB123456",
            "first_name": "Amina",
            "last_name": "Alaoui",
            "birth_date": date(1985, 3, 2),
            "nationality": "MA",
            "category": Category.PUBLIC_EMPLOYEE,
            **facts,
        }
    )
    return ApplicationSubmitted(
        application_id=application,
        submission=submission,
        submitted_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        applicant=applicant,
    )


@pytest_asyncio.fixture(scope="module")
async def producer(stack):
    p = AIOKafkaProducer(**stack.kafka_options, enable_idempotence=True)
    await p.start()
    yield p
    await p.stop()


async def publish(producer, event: OutgoingEvent) -> None:
    await producer.send_and_wait(
        event.topic,
        event.payload.encode(),
        key=event.key.encode(),
        headers=[(k, v.encode()) for k, v in event.headers().items()],
    )


async def verified_until(stack, application: str, last_submission: int) -> list[DocumentsVerified]:
    """Every documents.verified of `application`, read from the start until `last_submission`'s.

    One application's events share a key, hence a partition, in order: once the last one is
    read, any duplicate of an earlier submission would already have been read too.
    """
    consumer = AIOKafkaConsumer(
        DOCUMENTS_VERIFIED,
        **stack.kafka_options,
        group_id=None,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    seen: list[DocumentsVerified] = []
    try:
        async with asyncio.timeout(90):  # a guard against a hang, not a measure
            async for record in consumer:
                if record.key != application.encode():
                    continue
                headers = {k: v.decode() for k, v in record.headers}
                seen.append(read_event(headers, record.value, DocumentsVerified).payload)
                if seen[-1].submission == last_submission:
                    return seen
    finally:
        await consumer.stop()
    return seen


async def test_missing_documents_give_one_incomplete_verdict_naming_each(
    app, client, stack, producer
):
    application = f"app-{uuid4().hex[:12]}"
    child = Dependant(
        relationship=Relationship.CHILD,
        first_name="Sara",
        last_name="Alaoui",
        birth_date=date(2004, 1, 1),
        student=True,
    )
    event = submitted(application, dependants=[child])
    r = await client.put(
        f"/applications/{application}/documents/cnie",
        files={"file": ("cnie.pdf", PDF, "application/pdf")},
    )
    assert r.status_code == 201

    incoming = new_event(APPLICATION_SUBMITTED, event, source="registration", key=application)
    await publish(producer, incoming)
    # The verdict is on the documents held when it is made: wait for it before uploading more.
    assert [v.submission for v in await verified_until(stack, application, last_submission=1)] == [
        1
    ]
    await publish(producer, incoming)  # a redelivery: same ce_id
    await publish(
        producer, new_event(APPLICATION_SUBMITTED, event, source="registration", key=application)
    )  # same submission, new ce_id
    # A later submission, after the applicant uploaded the rest, closes the observation window.
    for item in required_documents(event.applicant, date(2025, 6, 1))[1:]:
        content, filename = content_for(str(item.kind))
        r = await client.put(
            f"/applications/{application}/documents/{item.kind}",
            params={"dependant": item.dependant} if item.dependant is not None else None,
            files={"file": (filename, content)},
        )
        assert r.status_code == 201
    await publish(
        producer,
        new_event(
            APPLICATION_SUBMITTED,
            submitted(application, submission=2, dependants=[child]),
            source="registration",
            key=application,
        ),
    )

    seen = await verified_until(stack, application, last_submission=2)
    assert [v.submission for v in seen] == [1, 2]
    first, second = seen
    assert first.outcome == "incomplete"
    missing = [v for v in first.verdicts if v.status == "missing"]
    labels = [d.label_fr for d in required_documents(event.applicant, date(2025, 6, 1))[1:]]
    assert [v.reason for v in missing] == [f"{label} : pièce manquante" for label in labels]
    assert all(v.code == "document.missing" and v.reason_ar for v in missing)
    assert (first.verdicts[0].kind, first.verdicts[0].status) == ("cnie", "accepted")
    assert first.applicant == event.applicant and first.submitted_at == event.submitted_at
    assert second.outcome == "complete"


async def test_applicant_who_uploaded_nothing_gets_every_document_listed(app, stack, producer):
    application = f"app-{uuid4().hex[:12]}"
    event = submitted(application, category=Category.WIDOW, survivor_pension=True)
    await publish(
        producer, new_event(APPLICATION_SUBMITTED, event, source="registration", key=application)
    )
    [verified] = await verified_until(stack, application, last_submission=1)
    assert verified.outcome == "incomplete"
    assert [(v.kind, v.status) for v in verified.verdicts] == [
        (item.kind, "missing") for item in required_documents(event.applicant, date(2025, 6, 1))
    ]
    doc = await app.state.runtime.db["application_documents"].find_one({"_id": application})
    assert list(doc["verifications"]) == ["1"] and doc["documents"] == {}
