"""The claims register on the real stack: fed by card.issued and the card's changes from Kafka,
answering coverage per beneficiary; ALD exemptions granted by operators."""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime, timedelta

from amo_claims.app import SERVICE, create_app
from amo_claims.settings import Settings
from amo_shared.envelope import new_event
from amo_shared.events import (
    CardBeneficiary,
    CardIssued,
    CardSuspended,
    Category,
    ChangeReason,
)
from amo_shared.topics import CARD_ISSUED, CARD_REINSTATED, CARD_SUSPENDED

ISSUED_AT = datetime(2025, 6, 2, 9, 30, tzinfo=UTC)


def settings(stack, database) -> Settings:
    return Settings(
        **stack.kafka_settings("claims"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
    )


def member_number() -> str:
    return f"M{secrets.randbelow(10**12):012d}"  # the register trusts the cards service's numbers


def card(number: str, *, sequence=1, status="active") -> CardIssued:
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
        issued_at=ISSUED_AT,
        sequence=sequence,
    )


def change_event(
    number: str, model, *, sequence: int, rank: int | None, on: str, also_suspended=()
):
    """The card's state after the change (cards sends it whole), with `also_suspended` ranks
    still suspended from earlier changes."""
    state = card(number, sequence=sequence).model_dump()
    status = "suspended" if model is CardSuspended else "active"
    for earlier in also_suspended:
        state["beneficiaries"][earlier]["status"] = "suspended"
    if rank is None:
        state["status"] = status
    else:
        state["beneficiaries"][rank]["status"] = status
    payload = model(
        **state,
        change="suspended" if model is CardSuspended else "reinstated",
        beneficiary_rank=rank,
        reason=ChangeReason(code="test", message_fr="-", message_ar="-"),
        effective_on=date.fromisoformat(on),
        changed_at=ISSUED_AT + timedelta(days=sequence),
        operator="op-reviewer-1",
    )
    topic = CARD_SUSPENDED if model is CardSuspended else CARD_REINSTATED
    return new_event(topic, payload, source="cards", key=number, subject=number)


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
    body = member.json()
    assert (body["status"], body["scheme"], body["payer"], body["sequence"]) == (
        "active",
        "CNOPS",
        "CNOPS",
        1,
    )
    assert [b["rank"] for b in body["beneficiaries"]] == [0, 1]
    assert inside.json() == {"covered": True, "reason": "active"}
    assert before.json() == {"covered": False, "reason": "not_yet_valid"}
    assert after.json() == {"covered": False, "reason": "expired"}
    assert missing_date.status_code == 422 and unknown.status_code == 404


async def test_the_register_follows_the_cards_life_per_beneficiary(stack, bus, database, run_app):
    number = member_number()
    async with run_app(create_app(settings(stack, database))) as client:
        await bus.publish(card_event(card(number)))
        await bus.publish(change_event(number, CardSuspended, sequence=2, rank=1, on="2026-01-01"))
        # A redelivered older step, then the newest: only sequence 3 counts.
        await bus.publish(change_event(number, CardSuspended, sequence=2, rank=1, on="2026-01-01"))
        newest = await bus.publish(
            change_event(
                number, CardSuspended, sequence=3, rank=None, on="2026-03-01", also_suspended=[1]
            )
        )
        late = await bus.publish(card_event(card(number)))  # card.issued arriving last
        # Two topics, two consumers in the group: each must be past its own last record (past
        # card.issued says nothing of card.suspended, which may still be on its way).
        await bus.wait_consumed(SERVICE, late)
        await bus.wait_consumed(SERVICE, newest)

        async def covered(rank, day):
            answer = await client.get(
                f"/members/{number}/coverage", params={"date": day, "rank": rank}
            )
            return answer.json()

        spouse_before = await covered(1, "2025-12-31")
        spouse_after = await covered(1, "2026-01-01")
        member_between = await covered(0, "2026-02-01")
        member_after = await covered(0, "2026-03-01")
        entry = (await client.get(f"/members/{number}")).json()
    assert spouse_before == {"covered": True, "reason": "active"}
    assert spouse_after == {"covered": False, "reason": "suspended"}
    assert member_between == {"covered": True, "reason": "active"}
    assert member_after == {"covered": False, "reason": "suspended"}
    assert (entry["sequence"], entry["status"], entry["status_since"]) == (
        3,
        "suspended",
        "2026-03-01",
    )


async def test_racing_card_events_on_one_member_leave_the_highest_sequence(
    stack, database, run_app
):
    number = member_number()
    app = create_app(settings(stack, database))
    async with run_app(app):
        register = app.state.members
        await register.record_card(card(number))
        sequences = list(range(2, 17))
        outcomes = await asyncio.gather(
            *(register.record_card(card(number, sequence=n)) for n in sequences)
        )
        stored = await register.store.get(number)
    assert stored["sequence"] == max(sequences)
    # Each stored change bumped the version once: nothing was written twice or lost under the race.
    assert stored["_v"] == outcomes.count("updated") >= 1


async def test_an_operator_grants_an_ald_exemption_to_a_beneficiary(stack, bus, database, run_app):
    number = member_number()
    operator = {"X-Operator": "op-reviewer-1"}
    grant = {"beneficiary_rank": 1, "ald_code": "ALD01", "valid_from": "2025-08-01"}
    path = f"/operator/members/{number}/exemptions"
    async with run_app(create_app(settings(stack, database))) as client:
        await bus.wait_consumed(SERVICE, await bus.publish(card_event(card(number))))
        anonymous = await client.post(path, json=grant)
        unknown = await client.post(
            f"/operator/members/{member_number()}/exemptions", json=grant, headers=operator
        )
        first = await client.post(path, json=grant, headers=operator)
        again = await client.post(path, json=grant, headers=operator)
        overlap = await client.post(
            path, json={**grant, "valid_from": "2026-01-01"}, headers=operator
        )
        bad_code = await client.post(path, json={**grant, "ald_code": "ALD99"}, headers=operator)
        bad_rank = await client.post(path, json={**grant, "beneficiary_rank": 7}, headers=operator)
        listed = await client.get(path, headers=operator)
        listed_anonymous = await client.get(path)
        # A later card event keeps the exemption.
        await bus.wait_consumed(
            SERVICE,
            await bus.publish(
                change_event(number, CardSuspended, sequence=2, rank=0, on="2026-01-01")
            ),
        )
        kept = await client.get(path, headers=operator)
    assert (anonymous.status_code, unknown.status_code) == (401, 404)
    assert (first.status_code, again.status_code, overlap.status_code) == (201, 200, 409)
    assert (
        first.json()["valid_until"] == "2030-07-31"
        and first.json()["granted_by"] == "op-reviewer-1"
    )
    assert bad_code.status_code == 422 and bad_code.json()["detail"][0]["loc"] == [
        "body",
        "ald_code",
    ]
    assert bad_rank.json()["detail"][0]["loc"] == ["body", "beneficiary_rank"]
    assert listed_anonymous.status_code == 401
    assert [e["code"] for e in listed.json()] == ["ALD01"] and kept.json() == listed.json()
