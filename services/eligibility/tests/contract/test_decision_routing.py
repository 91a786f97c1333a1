"""Contract tier: documents.verified routed to the decision, eligibility.decided as cards read it.

FastStream's in-memory broker and an in-memory store stand in for Kafka and Mongo; the store's
outbox is relayed by hand, as the relay would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_eligibility.adapters.repository import DecisionRepository
from amo_eligibility.handlers import GROUP, wire
from amo_eligibility.ruleset import load_rulesets
from amo_shared.envelope import new_event
from amo_shared.events import (EVENT_TYPES, ApplicantFacts, Category, Dependant, DocumentsVerified,
                               DocumentVerdict, EligibilityDecided)
from amo_shared.topics import DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED

SUBMITTED = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)


class FakeStore:
    """AggregateStore's create/get on a dict, keeping the outbox the relay would publish."""

    def __init__(self):
        self.docs, self.outbox = {}, []

    async def create(self, doc, events=()):
        if doc["_id"] in self.docs:
            return False
        self.docs[doc["_id"]] = doc
        self.outbox.extend(events)
        return True

    async def get(self, key):
        return self.docs.get(key)


class FakeCollection(dict):
    async def find_one(self, flt, projection=None):
        return self.get(flt["_id"])

    async def insert_one(self, doc):
        self[doc["_id"]] = doc


class FakeDb(dict):
    def __missing__(self, key):
        self[key] = FakeCollection()
        return self[key]


def verified(*, outcome="complete", nationality="MA", submission=1, dependants=()):
    applicant = ApplicantFacts(
        cnie="AB123456", first_name="Amina", last_name="Alaoui", birth_date=date(1985, 4, 12),
        nationality=nationality, category=Category.PUBLIC_EMPLOYEE,
        recruitment_date=date(2025, 2, 1), dependants=list(dependants))
    payload = DocumentsVerified(
        application_id="app-1", submission=submission, verified_at=SUBMITTED, outcome=outcome,
        verdicts=[DocumentVerdict(kind="cnie", status="accepted")], applicant=applicant,
        submitted_at=SUBMITTED)
    return new_event(DOCUMENTS_VERIFIED, payload, source="documents", key="app-1")


async def publish(broker, event):
    await broker.publish(event.payload.encode(), event.topic, key=event.key.encode(),
                         headers=event.headers())


@pytest.fixture
def wiring():
    broker, store, decided = KafkaBroker(), FakeStore(), []
    wire(broker, FakeDb(), DecisionRepository(store), load_rulesets())

    @broker.subscriber(ELIGIBILITY_DECIDED, group_id="cards")
    async def on_decided(msg: KafkaMessage) -> None:
        decided.append((msg.headers, msg.raw_message.key,
                        EligibilityDecided.model_validate_json(msg.body)))

    async def relay(br):
        while store.outbox:
            await publish(br, store.outbox.pop(0))

    return broker, store, decided, relay


async def test_a_complete_file_is_decided_once_as_of_its_filing(wiring):
    broker, store, decided, relay = wiring
    kids = [Dependant(relationship="child", first_name="Sara", last_name="Alaoui",
                      birth_date=date(2012, 1, 1)),
            Dependant(relationship="child", first_name="Omar", last_name="Alaoui",
                      birth_date=date(1990, 1, 1))]
    event = verified(dependants=kids)
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)  # a redelivery
        await publish(br, event.model_copy(update={"id": "replayed"}))  # a replay under a new id
        await relay(br)
    assert len(decided) == 1
    headers, key, decision = decided[0]
    assert headers["ce_type"] == EVENT_TYPES[EligibilityDecided] and key == b"app-1"
    assert headers["ce_source"] == GROUP and headers["ce_subject"] == "app-1"
    assert decision.outcome == "approved" and decision.rules_version == "2025.1"
    # Recruited 1 Feb: coverage after the 3-month waiting period; Omar (35) is over age.
    assert decision.coverage_start == date(2025, 5, 1) and decision.covered_dependants == [0]
    assert all(r.message_fr and r.message_ar for r in decision.reasons)
    assert "dependant.over_age" in [r.code for r in decision.reasons]
    assert list(store.docs) == ["app-1:1"]
    assert "AB123456" not in repr(store.docs["app-1:1"])


async def test_a_refusal_is_decided_with_its_failing_reason(wiring):
    broker, store, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, verified(nationality="FR"))  # no residence permit declared
        await relay(br)
    _, _, decision = decided[0]
    assert decision.outcome == "rejected" and decision.coverage_start is None
    assert [r.code for r in decision.reasons if not r.passed] == ["nationality.permit_missing"]


async def test_an_incomplete_file_is_not_decided(wiring):
    broker, store, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, verified(outcome="incomplete"))
        await relay(br)
    assert decided == [] and store.docs == {}


async def test_each_submission_is_decided_on_its_own(wiring):
    broker, store, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, verified(submission=1, nationality="FR"))
        await publish(br, verified(submission=2))
        await relay(br)
    assert [(d.submission, d.outcome) for _, _, d in decided] == [(1, "rejected"), (2, "approved")]
