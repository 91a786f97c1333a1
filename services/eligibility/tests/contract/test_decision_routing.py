"""Contract tier: documents.verified routed to the decision, eligibility.decided as cards read it.

FastStream's in-memory broker and an in-memory database stand in for Kafka and Mongo, under the
real aggregate store; the outbox is drained by the real relay, by hand rather than on a timer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_eligibility.adapters.repository import COLLECTION, DecisionRepository
from amo_eligibility.app import SERVICE
from amo_eligibility.handlers import routes
from amo_eligibility.ruleset import load_rulesets
from amo_fakes import MemoryDatabase
from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import new_event
from amo_shared.events import (
    EVENT_TYPES,
    ApplicantFacts,
    Category,
    Dependant,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
)
from amo_shared.outbox import OutboxRelay
from amo_shared.subscriptions import subscribe
from amo_shared.topics import DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED

SUBMITTED = datetime(2025, 3, 10, 11, 0, tzinfo=UTC)


def verified(*, outcome="complete", nationality="MA", submission=1, dependants=()):
    applicant = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 4, 12),
        nationality=nationality,
        category=Category.PUBLIC_EMPLOYEE,
        recruitment_date=date(2025, 2, 1),
        dependants=list(dependants),
    )
    payload = DocumentsVerified(
        application_id="app-1",
        submission=submission,
        verified_at=SUBMITTED,
        outcome=outcome,
        verdicts=[DocumentVerdict(kind="cnie", status="accepted")],
        applicant=applicant,
        submitted_at=SUBMITTED,
    )
    return new_event(DOCUMENTS_VERIFIED, payload, source="documents", key="app-1")


async def publish(broker, event):
    await broker.publish(
        event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
    )


@pytest.fixture
async def wiring():
    broker, db, decided = KafkaBroker(), MemoryDatabase(), []
    decisions = DecisionRepository(AggregateStore(db[COLLECTION]))
    await decisions.ensure_indexes()
    subscribe(broker, routes(decisions, load_rulesets()), group=SERVICE, db=db, attempts=3)

    @broker.subscriber(ELIGIBILITY_DECIDED, group_id="cards")
    async def on_decided(msg: KafkaMessage) -> None:
        decided.append(
            (msg.headers, msg.raw_message.key, EligibilityDecided.model_validate_json(msg.body))
        )

    async def relay(br) -> int:
        return await OutboxRelay([db[COLLECTION]], lambda event: publish(br, event)).drain()

    return broker, decisions.store, decided, relay


async def test_a_complete_file_is_decided_once_as_of_its_filing(wiring):
    broker, stored, decided, relay = wiring
    kids = [
        Dependant(
            relationship="child", first_name="Sara", last_name="Alaoui", birth_date=date(2012, 1, 1)
        ),
        Dependant(
            relationship="child", first_name="Omar", last_name="Alaoui", birth_date=date(1990, 1, 1)
        ),
    ]
    event = verified(dependants=kids)
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)  # a redelivery
        await publish(br, event.model_copy(update={"id": "replayed"}))  # a replay under a new id
        assert await relay(br) == 1
    assert len(decided) == 1
    headers, key, decision = decided[0]
    assert headers["ce_type"] == EVENT_TYPES[EligibilityDecided] and key == b"app-1"
    assert headers["ce_source"] == SERVICE and headers["ce_subject"] == "app-1"
    assert decision.outcome == "approved" and decision.rules_version == "2025.1"
    # Recruited 1 Feb: coverage after the 3-month waiting period; Omar (35) is over age.
    assert decision.coverage_start == date(2025, 5, 1) and decision.covered_dependants == [0]
    assert all(r.message_fr and r.message_ar for r in decision.reasons)
    assert "dependant.over_age" in [r.code for r in decision.reasons]
    assert [d["_id"] for d in await stored.find()] == ["app-1:1"]
    assert "AB123456" not in repr(await stored.get("app-1:1"))


async def test_a_refusal_is_decided_with_its_failing_reason(wiring):
    broker, _stored, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, verified(nationality="FR"))  # no residence permit declared
        await relay(br)
    _, _, decision = decided[0]
    assert decision.outcome == "rejected" and decision.coverage_start is None
    assert [r.code for r in decision.reasons if not r.passed] == ["nationality.permit_missing"]


async def test_an_incomplete_file_is_not_decided(wiring):
    broker, stored, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, verified(outcome="incomplete"))
        await relay(br)
    assert decided == [] and await stored.count() == 0


async def test_each_submission_is_decided_on_its_own(wiring):
    broker, stored, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, verified(submission=1, nationality="FR"))
        await publish(br, verified(submission=2))
        await relay(br)
    assert [(d.submission, d.outcome) for _, _, d in decided] == [(1, "rejected"), (2, "approved")]
    latest = await DecisionRepository(stored).latest("app-1")
    assert (latest.submission, latest.outcome) == (2, "approved")


def survivor_verified(app_id: str = "app-1"):
    filed = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
    applicant = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1975, 4, 12),
        nationality="MA",
        category=Category.WIDOW,
        member_death_date=date(2025, 10, 20),
        survivor_pension=False,
        deceased_member_number="M123456789012",
        dependants=[
            Dependant(
                relationship="child",
                first_name="Sara",
                last_name="Alaoui",
                birth_date=date(2010, 2, 2),
            ),
            Dependant(
                relationship="child",
                first_name="Omar",
                last_name="Alaoui",
                birth_date=date(2004, 6, 1),
                student=True,
                married=True,
            ),
        ],
    )
    payload = DocumentsVerified(
        application_id=app_id,
        verified_at=filed,
        outcome="complete",
        verdicts=[DocumentVerdict(kind="cnie", status="accepted")],
        applicant=applicant,
        submitted_at=filed,
    )
    return new_event(DOCUMENTS_VERIFIED, payload, source="documents", key=app_id)


async def test_the_event_carries_payer_periods_and_revalidations(wiring):
    broker, stored, decided, relay = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, survivor_verified())
        await relay(br)
    _, _, decision = decided[0]
    assert decision.rules_version == "2026.2" and decision.outcome == "approved"
    assert decision.payer == "CNOPS"
    assert (decision.coverage_start, decision.coverage_until) == (
        date(2025, 10, 21),
        date(2027, 10, 20),
    )
    # Omar (22, married) is excluded; Sara's period is capped by her mother's.
    assert decision.covered_dependants == [0]
    assert [d.model_dump() for d in decision.dependant_coverage] == [
        {"dependant": 0, "coverage_from": date(2025, 10, 21), "coverage_until": date(2027, 10, 20)}
    ]
    assert [(r.what, r.dependant, r.due_on) for r in decision.revalidations] == [
        ("survivor_pension", None, date(2027, 10, 20))
    ]
    record = await DecisionRepository(stored).latest("app-1")
    assert record.payer == "CNOPS" and record.coverage_until == date(2027, 10, 20)
    assert record.dependant_coverage == decision.dependant_coverage
