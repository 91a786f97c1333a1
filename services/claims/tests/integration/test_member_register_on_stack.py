"""The claims register on the real stack: fed by card.issued from Kafka, answering coverage."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta

from amo_claims.app import SERVICE, create_app
from amo_claims.settings import Settings
from amo_shared.envelope import new_event
from amo_shared.events import CardBeneficiary, CardIssued, Category
from amo_shared.topics import CARD_ISSUED

ISSUED_AT = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def settings(stack, database) -> Settings:
    return Settings(
        kafka_bootstrap_servers=stack.kafka_bootstrap,
        mongo_url=stack.mongo_url,
        mongo_database=database,
    )


def member_number() -> str:
    return f"M{secrets.randbelow(10**12):012d}"  # the register trusts the cards service's numbers


def card(number: str, *, issued_at=ISSUED_AT, status="active") -> CardIssued:
    people = [
        CardBeneficiary(
            rank=0,
            relationship="self",
            first_name="Amina",
            last_name="Alaoui",
            birth_date=date(1960, 4, 12),
        ),
        CardBeneficiary(
            rank=1,
            relationship="spouse",
            first_name="Karim",
            last_name="Alaoui",
            birth_date=date(1958, 2, 1),
        ),
    ]
    return CardIssued(
        member_number=number,
        application_id=f"app-{number}",
        category=Category.RETIREE,
        status=status,
        valid_from=date(2025, 7, 1),
        valid_until=date(2030, 6, 30),
        beneficiaries=people,
        payer="CNOPS",
        issued_at=issued_at,
    )


def card_event(payload: CardIssued):
    return new_event(
        CARD_ISSUED,
        payload,
        source="cards",
        key=payload.application_id,
        subject=payload.member_number,
    )


async def test_a_card_issued_on_kafka_makes_the_member_answer_the_lookup(
    stack, bus, database, run_app
):
    number = member_number()
    event = card_event(card(number))
    async with run_app(create_app(settings(stack, database))) as client:
        assert (await client.get(f"/members/{number}")).status_code == 404
        await bus.publish(event)
        await bus.wait_consumed(SERVICE, await bus.publish(event))  # and its redelivery
        member = await client.get(f"/members/{number}")
        inside = await client.get(f"/members/{number}/coverage", params={"date": "2025-07-01"})
        before = await client.get(f"/members/{number}/coverage", params={"date": "2025-06-30"})
        after = await client.get(f"/members/{number}/coverage", params={"date": "2030-07-01"})
        missing_date = await client.get(f"/members/{number}/coverage")
        unknown = await client.get(
            f"/members/{member_number()}/coverage", params={"date": "2025-07-01"}
        )
    assert member.status_code == 200
    assert member.json() == {
        "member_number": number,
        "status": "active",
        "valid_from": "2025-07-01",
        "valid_until": "2030-06-30",
        "category": "retiree",
        "beneficiaries": [b.model_dump(mode="json") for b in card(number).beneficiaries],
    }
    assert inside.json() == {"covered": True, "reason": "active"}
    assert before.json() == {"covered": False, "reason": "not_yet_valid"}
    assert after.json() == {"covered": False, "reason": "expired"}
    assert missing_date.status_code == 422 and unknown.status_code == 404


async def test_a_later_card_event_wins_and_an_older_one_changes_nothing(
    stack, bus, database, run_app
):
    number = member_number()
    async with run_app(create_app(settings(stack, database))) as client:
        await bus.publish(card_event(card(number)))
        await bus.publish(
            card_event(card(number, issued_at=ISSUED_AT + timedelta(days=2), status="suspended"))
        )
        late = await bus.publish(
            card_event(card(number, issued_at=ISSUED_AT + timedelta(days=1), status="revoked"))
        )
        await bus.wait_consumed(SERVICE, late)
        coverage = await client.get(f"/members/{number}/coverage", params={"date": "2026-01-01"})
    assert coverage.json() == {"covered": False, "reason": "suspended"}


async def test_racing_card_events_on_one_member_leave_the_newest(stack, database, run_app):
    number = member_number()
    app = create_app(settings(stack, database))
    async with run_app(app):
        register = app.state.members
        await register.record_card(card(number))
        times = [ISSUED_AT + timedelta(hours=h) for h in range(1, 16)]
        outcomes = await asyncio.gather(
            *(register.record_card(card(number, issued_at=t)) for t in times)
        )
        stored = await register.store.get(number)
    assert datetime.fromisoformat(stored["as_of"]) == max(times)
    # Each stored change bumped the version once: nothing was written twice or lost under the race.
    assert stored["_v"] == outcomes.count("updated") >= 1
