"""Contract tier: card.issued routed to the claims group and into the member register.

FastStream's in-memory broker and an in-memory aggregate store stand in for Kafka and Mongo.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_claims.adapters.repository import MemberRegister
from amo_claims.handlers import GROUP, wire
from amo_shared.envelope import new_event
from amo_shared.events import CardBeneficiary, CardIssued, Category
from amo_shared.topics import CARD_ISSUED, dlt

ISSUED_AT = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


class FakeStore:
    """AggregateStore's create/get/mutate on a dict (no outbox: the register emits nothing)."""

    def __init__(self):
        self.docs = {}

    async def create(self, doc, events=()):
        if doc["_id"] in self.docs:
            return False
        self.docs[doc["_id"]] = {**doc, "_v": 0}
        return True

    async def get(self, key):
        return self.docs.get(key)

    async def mutate(self, key, decide):
        doc = self.docs.get(key)
        if doc is None:
            return None
        change = decide(doc)
        if change is not None:
            self.docs[key] = {**doc, **change.set, "_v": doc["_v"] + 1}
        return doc


class FakeCollection(dict):
    async def find_one(self, flt, projection=None):
        return self.get(flt["_id"])

    async def insert_one(self, doc):
        self[doc["_id"]] = doc


class FakeDb(dict):
    def __missing__(self, key):
        self[key] = FakeCollection()
        return self[key]


def card_issued(*, issued_at=ISSUED_AT, status="active", member="M123456789015"):
    payload = CardIssued(
        member_number=member, application_id="app-1", category=Category.RETIREE, status=status,
        valid_from=date(2025, 6, 2), valid_until=date(2030, 6, 1), payer="CNOPS", issued_at=issued_at,
        beneficiaries=[CardBeneficiary(rank=0, relationship="self", first_name="Amina",
                                       last_name="Alaoui", birth_date=date(1955, 4, 12))])
    return new_event(CARD_ISSUED, payload, source="cards", key="app-1", subject=member)


async def publish(broker, event, **headers):
    await broker.publish(event.payload.encode(), event.topic, key=event.key.encode(),
                         headers={**event.headers(), **headers})


@pytest.fixture
def wiring():
    broker, store, dead = KafkaBroker(), FakeStore(), []
    wire(broker, FakeDb(), MemberRegister(store))

    @broker.subscriber(dlt(CARD_ISSUED), group_id="ops")
    async def on_dead(msg: KafkaMessage) -> None:
        dead.append(msg.headers)

    return broker, store, dead


async def test_card_issued_registers_the_member_once(wiring):
    broker, store, dead = wiring
    event = card_issued()
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)
    member = store.docs["M123456789015"]
    assert (member["_v"], member["status"], member["application_id"]) == (0, "active", "app-1")
    assert member["valid_until"] == "2030-06-01" and member["beneficiaries"][0]["rank"] == 0
    assert dead == []


async def test_only_a_newer_card_event_changes_the_member(wiring):
    broker, store, dead = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, card_issued())
        await publish(br, card_issued(issued_at=ISSUED_AT - timedelta(days=1), status="suspended"))
        assert store.docs["M123456789015"]["status"] == "active"
        await publish(br, card_issued(issued_at=ISSUED_AT + timedelta(days=1), status="revoked"))
    member = store.docs["M123456789015"]
    assert (member["status"], member["_v"]) == ("revoked", 1)


async def test_a_card_event_of_the_wrong_schema_is_dead_lettered_for_the_claims_group(wiring):
    broker, store, dead = wiring
    event = card_issued()
    bad = event.model_copy(update={"payload": event.payload.replace('"retiree"', '"astronaut"')})
    async with TestKafkaBroker(broker) as br:
        await publish(br, bad)
    assert store.docs == {} and len(dead) == 1
    assert dead[0]["dlt_group"] == GROUP == "claims" and "category" in dead[0]["dlt_reason"]
