"""Contract: application.submitted routed to the handler yields one documents.verified that reads
back under the contract, and a redelivery yields nothing more (in-memory broker and database, under
the real aggregate store and outbox relay)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_documents.adapters.repository import COLLECTION, DocumentsRepository
from amo_documents.adapters.reviews import REVIEWS, ReviewRepository
from amo_documents.document_rules import shipped_rules
from amo_documents.handlers import SERVICE, routes
from amo_documents.reviewing import Reviewing
from amo_fakes import MemoryDatabase
from amo_shared.aggregates import AggregateStore
from amo_shared.checklist import required_documents
from amo_shared.envelope import OutgoingEvent, new_event, read_event
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category, DocumentsVerified
from amo_shared.outbox import OutboxRelay
from amo_shared.subscriptions import subscribe
from amo_shared.topics import APPLICATION_SUBMITTED, DOCUMENTS_VERIFIED


def submitted(app_id: str, duplicates: tuple[str, ...] = ()) -> ApplicationSubmitted:
    facts = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 3, 2),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
    )
    return ApplicationSubmitted(
        application_id=app_id,
        submitted_at=datetime(2025, 6, 1, 9, tzinfo=UTC),
        applicant=facts,
        likely_duplicate_of=list(duplicates),
    )


REQUIRED = required_documents(submitted("x").applicant, as_of=date(2025, 6, 1))


@pytest.fixture
def wiring():
    broker, db = KafkaBroker(), MemoryDatabase()
    collection = db[COLLECTION]
    repository = DocumentsRepository(AggregateStore(collection))
    rules = shipped_rules()
    reviewing = Reviewing(repository, ReviewRepository(AggregateStore(db[REVIEWS])), rules)
    subscribe(
        broker,
        routes(repository, reviewing, rules),
        group="documents",
        db=db,
        attempts=3,
    )
    received = []

    @broker.subscriber(DOCUMENTS_VERIFIED)
    async def on_verified(msg: KafkaMessage) -> None:
        received.append(read_event(msg.headers, msg.body, DocumentsVerified))

    broker.db = db
    return broker, collection, received


async def publish(broker, event: OutgoingEvent) -> None:
    await broker.publish(
        event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
    )


async def test_submitted_yields_one_documents_verified_matching_the_contract(wiring):
    broker, collection, received = wiring
    incoming = new_event(
        APPLICATION_SUBMITTED, submitted("app-1"), source="registration", key="app-1"
    )
    async with TestKafkaBroker(broker) as br:
        await publish(br, incoming)
        stored = await collection.find_one({"_id": "app-1"})
        outbox = stored["outbox"]
        assert len(outbox) == 1
        # The verification record names the event it emitted and the event that asked for it.
        record = stored["verifications"]["1"]
        assert (record["event_id"], record["caused_by"]) == (outbox[0]["id"], incoming.id)
        assert record["outcome"] == "incomplete" and len(record["verdicts"]) == len(REQUIRED)
        # The relay publishes the stored outbox entry, as is, and clears it.
        assert await OutboxRelay([collection], lambda e: publish(br, e)).drain() == 1
    assert (await collection.find_one({"_id": "app-1"}))["outbox"] == []

    [event] = received
    assert event.id == outbox[0]["id"]
    assert event.source == SERVICE and event.subject == "app-1"
    verified: DocumentsVerified = event.payload
    assert verified.application_id == "app-1" and verified.submission == 1
    assert verified.outcome == "incomplete"
    assert [(v.kind, v.status, v.code) for v in verified.verdicts] == [
        (r.kind, "missing", "document.missing") for r in REQUIRED
    ]
    assert all(v.reason and v.reason_ar for v in verified.verdicts)
    assert verified.applicant == submitted("app-1").applicant
    # The trace continues from the event that caused it.
    assert event.traceparent.split("-")[1] == incoming.traceparent.split("-")[1]


async def test_same_submission_under_a_new_event_id_emits_nothing_new(wiring):
    broker, collection, _ = wiring
    first = new_event(APPLICATION_SUBMITTED, submitted("app-2"), source="registration", key="app-2")
    again = new_event(APPLICATION_SUBMITTED, submitted("app-2"), source="registration", key="app-2")
    async with TestKafkaBroker(broker) as br:
        await publish(br, first)
        await publish(br, again)  # a different ce_id: only the domain check can stop it
    doc = await collection.find_one({"_id": "app-2"})
    assert len(doc["outbox"]) == 1 and list(doc["verifications"]) == ["1"]


async def test_a_likely_duplicate_waits_in_review_with_one_item_whatever_the_redeliveries(wiring):
    broker, collection, _ = wiring
    payload = submitted("app-3", duplicates=("app-0",))
    first = new_event(APPLICATION_SUBMITTED, payload, source="registration", key="app-3")
    again = new_event(APPLICATION_SUBMITTED, payload, source="registration", key="app-3")
    async with TestKafkaBroker(broker) as br:
        await publish(br, first)
        await publish(br, again)
    doc = await collection.find_one({"_id": "app-3"})
    assert doc["verifications"]["1"]["outcome"] == "in_review" and doc["awaiting_review"]
    items = await broker.db[REVIEWS].find({}).to_list()
    assert [(i["_id"], i["code"], i["status"]) for i in items] == [
        ("app-3.1.identity", "identity.duplicate_suspected", "waiting")
    ]
    assert items[0]["likely_duplicate_of"] == ["app-0"] and items[0]["cnie_masked"] == "AB****56"
