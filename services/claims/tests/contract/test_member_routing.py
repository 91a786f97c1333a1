"""Contract tier: card.issued and the card's changes routed to the claims group and into the
member register.

FastStream's in-memory broker and an in-memory database stand in for Kafka and Mongo, under the
real aggregate store.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_claims.adapters.payees import COLLECTION as PAYEES
from amo_claims.adapters.payees import Payees
from amo_claims.adapters.repository import COLLECTION, MemberRegister
from amo_claims.app import SERVICE
from amo_claims.handlers import routes
from amo_claims.reference_files import load_reference
from amo_fakes import MemoryDatabase
from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import new_event
from amo_shared.events import CardBeneficiary, CardIssued, CardRevoked, Category, ChangeReason
from amo_shared.subscriptions import subscribe
from amo_shared.topics import (
    CARD_CHANGES,
    CARD_ISSUED,
    CARD_REVOKED,
    CLAIM_SUBMITTED,
    ELIGIBILITY_DECIDED,
    dlt,
)

REFERENCE = load_reference()


async def rules_for(card):
    return REFERENCE.rules(card.valid_from)


ISSUED_AT = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def card_issued(*, sequence=1, status="active", member="M123456789015"):
    payload = CardIssued(
        member_number=member,
        application_id="app-1",
        category=Category.RETIREE,
        status=status,
        valid_from=date(2025, 6, 2),
        valid_until=date(2030, 6, 1),
        payer="CNOPS",
        issued_at=ISSUED_AT,
        sequence=sequence,
        beneficiaries=[
            CardBeneficiary(
                rank=0,
                relationship="self",
                first_name="Amina",
                last_name="Alaoui",
                birth_date=date(1955, 4, 12),
            )
        ],
    )
    return new_event(CARD_ISSUED, payload, source="cards", key="app-1", subject=member)


def card_revoked(*, sequence, member="M123456789015"):
    card = card_issued(member=member).payload
    payload = CardRevoked(
        **{**CardIssued.model_validate_json(card).model_dump(), "status": "revoked"},
        change="revoked",
        reason=ChangeReason(code="member.deceased", message_fr="-", message_ar="-"),
        effective_on=date(2026, 1, 10),
        changed_at=ISSUED_AT + timedelta(days=200),
    )
    payload = payload.model_copy(update={"sequence": sequence})
    return new_event(CARD_REVOKED, payload, source="cards", key=member, subject=member)


async def publish(broker, event, **headers):
    await broker.publish(
        event.payload.encode(),
        event.topic,
        key=event.key.encode(),
        headers={**event.headers(), **headers},
    )


@pytest.fixture
def wiring():
    broker, db, dead = KafkaBroker(), MemoryDatabase(), []
    members = AggregateStore(db[COLLECTION])
    register = MemberRegister(members, rules_for)
    wired = routes(register, undecided, Payees(AggregateStore(db[PAYEES])))
    subscribe(broker, wired, group=SERVICE, db=db, attempts=3)

    @broker.subscriber(dlt(CARD_ISSUED), group_id="ops")
    async def on_dead(msg: KafkaMessage) -> None:
        dead.append(msg.headers)

    return broker, members, dead


async def test_card_issued_registers_the_member_once(wiring):
    broker, members, dead = wiring
    event = card_issued()
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)
    member = await members.get("M123456789015")
    assert (member["_v"], member["status"], member["application_id"]) == (0, "active", "app-1")
    assert member["valid_until"] == "2030-06-01" and member["beneficiaries"][0]["rank"] == 0
    assert dead == []


async def test_only_a_higher_sequence_changes_the_member(wiring):
    broker, members, _dead = wiring
    async with TestKafkaBroker(broker) as br:
        await publish(br, card_revoked(sequence=3))  # the change overtook the issue
        await publish(br, card_issued())
        member = await members.get("M123456789015")
        assert (member["status"], member["status_since"], member["sequence"]) == (
            "revoked",
            "2026-01-10",
            3,
        )
        await publish(br, card_issued(sequence=4, status="active"))
    member = await members.get("M123456789015")
    assert (member["status"], member["_v"], member["scheme"]) == ("active", 1, "CNOPS")


async def undecided(claim_id: str, submission: int) -> str:
    raise AssertionError("no claim is submitted in these tests")


def test_the_service_listens_to_every_card_change_claims_and_payees():
    wired = routes(MemberRegister(None, rules_for), undecided, Payees(None))
    topics = {route.topic for route in wired}
    assert topics == {CARD_ISSUED, *CARD_CHANGES, CLAIM_SUBMITTED, ELIGIBILITY_DECIDED}


async def test_a_card_event_of_the_wrong_schema_is_dead_lettered_for_the_claims_group(wiring):
    broker, members, dead = wiring
    event = card_issued()
    bad = event.model_copy(update={"payload": event.payload.replace('"retiree"', '"astronaut"')})
    async with TestKafkaBroker(broker) as br:
        await publish(br, bad)
    assert await members.count() == 0 and len(dead) == 1
    assert dead[0]["dlt_group"] == SERVICE == "claims" and "category" in dead[0]["dlt_reason"]
