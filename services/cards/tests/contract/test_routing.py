"""Contract tier: eligibility.decided routed to the card issuer, card.issued shaped for hospitals.

FastStream's in-memory broker and an in-memory database stand in for Kafka and Mongo, under the
real aggregate store; the outbox is drained by the real relay, by hand rather than on a timer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_cards.adapters.repository import COLLECTION, CardRepository
from amo_cards.app import SERVICE
from amo_cards.card_terms import load_card_terms, load_reasons
from amo_cards.domain import is_valid_member_number
from amo_cards.handlers import routes
from amo_fakes import MemoryDatabase
from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import new_event
from amo_shared.events import (
    EVENT_TYPES,
    ApplicantFacts,
    CardIssued,
    Category,
    Dependant,
    EligibilityDecided,
)
from amo_shared.outbox import OutboxRelay
from amo_shared.subscriptions import subscribe
from amo_shared.topics import CARD_ISSUED, ELIGIBILITY_DECIDED, dlt


def decision(app_id="app-1", outcome="approved", covered=(0,)):
    applicant = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 4, 12),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
        dependants=[
            Dependant(
                relationship="spouse",
                first_name="Karim",
                last_name="Alaoui",
                birth_date=date(1983, 2, 1),
            )
        ],
    )
    payload = EligibilityDecided(
        application_id=app_id,
        decided_at=datetime.now(UTC),
        outcome=outcome,
        reasons=[],
        rules_version="2025.1",
        covered_dependants=list(covered),
        coverage_start=date(2025, 9, 1),
        applicant=applicant,
    )
    return new_event(ELIGIBILITY_DECIDED, payload, source="eligibility", key=app_id)


async def publish(broker, event):
    await broker.publish(
        event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
    )


@pytest.fixture
async def wiring():
    broker, db = KafkaBroker(), MemoryDatabase()
    cards = CardRepository(AggregateStore(db[COLLECTION]))
    await cards.ensure_indexes()  # the unique member_number index, as the service's startup makes
    draws = iter([1, 1, 2, 3, 4, 5])  # the second card's first draw collides with the first card
    subscribe(
        broker,
        routes(cards, load_card_terms(), load_reasons(), randbelow=lambda n: next(draws)),
        group=SERVICE,
        db=db,
        attempts=3,
    )
    issued, dead = [], []

    @broker.subscriber(CARD_ISSUED, group_id="hospital")
    async def on_card(msg: KafkaMessage) -> None:
        issued.append((msg.headers, msg.raw_message.key, CardIssued.model_validate_json(msg.body)))

    @broker.subscriber(dlt(ELIGIBILITY_DECIDED), group_id="ops")
    async def on_dead(msg: KafkaMessage) -> None:
        dead.append(msg.headers)

    return broker, cards.store, issued, dead


async def relay(broker, stored: AggregateStore) -> int:
    return await OutboxRelay([stored.collection], lambda event: publish(broker, event)).drain()


async def test_an_approved_decision_gives_one_card_issued_keyed_by_application(wiring):
    broker, stored, issued, dead = wiring
    event = decision()
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)  # a redelivery
        await publish(br, event.model_copy(update={"id": "another-id"}))  # a re-decided copy
        assert await relay(br, stored) == 1
    assert dead == [] and len(issued) == 1
    headers, key, card = issued[0]
    assert headers["ce_type"] == EVENT_TYPES[CardIssued] == "ma.amo.card.issued.v1"
    assert headers["ce_source"] == SERVICE and key == b"app-1"
    assert headers["ce_subject"] == card.member_number and is_valid_member_number(
        card.member_number
    )
    assert headers["traceparent"].split("-")[1] == event.traceparent.split("-")[1]
    assert [(b.rank, b.relationship) for b in card.beneficiaries] == [(0, "self"), (1, "spouse")]
    assert (card.valid_from, card.payer) == (date(2025, 9, 1), "CNOPS")
    assert [d["_id"] for d in await stored.find()] == ["app-1"]
    assert "AB123456" not in repr(await stored.get("app-1"))


async def test_a_rejected_decision_gives_no_card(wiring):
    broker, stored, issued, dead = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, decision(outcome="rejected", covered=()))
        await relay(br, stored)
    assert issued == [] and dead == [] and await stored.count() == 0


async def test_a_taken_member_number_is_drawn_again(wiring):
    broker, stored, issued, _dead = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, decision("app-1"))
        await publish(br, decision("app-2"))
        await relay(br, stored)
    numbers = [card.member_number for _, _, card in issued]
    assert len(set(numbers)) == 2 and numbers[1].startswith("M00000000002")
    assert [d["member_number"] for d in await stored.find(sort=[("_id", 1)])] == numbers


async def test_a_decision_covering_an_unknown_dependant_is_dead_lettered(wiring):
    broker, stored, issued, dead = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, decision(covered=(4,)))
        await relay(br, stored)
    assert issued == [] and len(dead) == 1
    assert "covered_dependants" in dead[0]["dlt_reason"] and dead[0]["dlt_group"] == SERVICE


async def test_a_survivors_card_revokes_the_deceaseds_once(wiring):
    broker, stored, issued, dead = wiring
    revoked = []

    @broker.subscriber("card.revoked", group_id="hospital")
    async def on_revoked(msg: KafkaMessage) -> None:
        revoked.append((msg.raw_message.key, msg.body))

    async with TestKafkaBroker(broker) as br:
        await publish(br, decision("app-1"))
        await relay(br, stored)
        number = issued[0][2].member_number
        survivor = EligibilityDecided.model_validate_json(decision("app-2").payload)
        facts = survivor.applicant.model_copy(
            update={
                "category": Category.WIDOW,
                "deceased_member_number": number,
                "member_death_date": date(2025, 8, 31),
            }
        )
        event = new_event(
            ELIGIBILITY_DECIDED,
            survivor.model_copy(update={"applicant": facts}),
            source="eligibility",
            key="app-2",
        )
        await publish(br, event)
        await publish(br, event.model_copy(update={"id": "again"}))
        await relay(br, stored)
    assert dead == [] and len(revoked) == 1 and revoked[0][0] == number.encode()
    assert b'"member.deceased"' in revoked[0][1] and b'"effective_on":"2025-09-01"' in revoked[0][1]
    assert issued[1][2].deceased_member_number == number
