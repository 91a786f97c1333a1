"""Cards on the real stack: one card per approved application whatever Kafka redelivers.

The app runs in process with its lifespan against the session's Kafka and FerretDB; an
independent consumer reads `card.issued` as a hospital would.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest

from amo_cards.app import SERVICE, create_app
from amo_cards.card_terms import load_card_terms
from amo_cards.domain import issue_card, new_member_number, to_card_issued
from amo_cards.settings import Settings
from amo_shared.consumer import PROCESSED
from amo_shared.envelope import new_event
from amo_shared.events import ApplicantFacts, Category, Dependant, EligibilityDecided
from amo_shared.topics import CARD_ISSUED, ELIGIBILITY_DECIDED, dlt

CNIE = "ZX998877"


def settings(stack, database) -> Settings:
    return Settings(
        **stack.kafka_settings("cards"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
        outbox_poll_seconds=0.2,
    )


def approved(app_id: str, outcome: str = "approved"):
    applicant = ApplicantFacts(
        cnie=CNIE,
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1985, 4, 12),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
        dependants=[
            Dependant(
                relationship="child",
                first_name="Sara",
                last_name="Alaoui",
                birth_date=date(2015, 1, 1),
            )
        ],
    )
    payload = EligibilityDecided(
        application_id=app_id,
        decided_at=datetime.now(UTC),
        outcome=outcome,
        reasons=[],
        rules_version="2025.1",
        covered_dependants=[0],
        applicant=applicant,
    )
    return new_event(ELIGIBILITY_DECIDED, payload, source="eligibility", key=app_id)


async def stored_card(app, app_id: str, wait):
    """The application's card once its event has left the outbox (so it is on Kafka)."""
    cards = app.state.cards.store

    async def relayed():
        doc = await cards.get(app_id)
        return doc if doc and not doc["outbox_pending"] else None

    return await wait(relayed, f"card of {app_id} relayed")


async def issued_for(bus, app_id: str) -> list:
    return [r for r in await bus.read(CARD_ISSUED) if r.key == app_id.encode()]


async def test_the_same_decision_twice_gives_one_card_issued(stack, bus, database, run_app, wait):
    app_id = f"app-{uuid4().hex[:8]}"
    event = approved(app_id)
    app = create_app(settings(stack, database))
    async with run_app(app) as client:
        await bus.publish(event)
        second = await bus.publish(event)
        await bus.wait_consumed(SERVICE, second)
        card = await stored_card(app, app_id, wait)
        response = await client.get(f"/cards/{card['member_number']}")
    records = await issued_for(bus, app_id)
    assert len(records) == 1
    headers = {k: v.decode() for k, v in records[0].headers}
    assert headers["ce_type"] == "ma.amo.card.issued.v1" and headers["ce_source"] == "cards"
    assert headers["ce_subject"] == card["member_number"]
    assert CNIE.encode() not in records[0].value
    assert response.status_code == 200
    body = response.json()
    assert body["member_number"] == card["member_number"] and body["application_id"] == app_id
    assert [b["rank"] for b in body["beneficiaries"]] == [0, 1] and CNIE not in response.text


async def test_a_rewound_group_issues_no_second_card(stack, bus, database, run_app, wait):
    app_id = f"app-{uuid4().hex[:8]}"
    sent = await bus.publish(approved(app_id))
    app = create_app(settings(stack, database))
    async with run_app(app):
        await bus.wait_consumed(SERVICE, sent)
        number = (await stored_card(app, app_id, wait))["member_number"]

    # Rewind twice: once as an operator would, once after losing the processed-event records too
    # (a crash between the card's insert and its dedup record): the card itself must hold.
    for forget_processed in (False, True):
        await bus.rewind(SERVICE, ELIGIBILITY_DECIDED)
        app = create_app(settings(stack, database))
        async with run_app(app):
            if forget_processed:
                await app.state.runtime.db[PROCESSED].delete_many({})
            await bus.wait_consumed(SERVICE, sent)
            cards = await app.state.cards.store.find({"application_id": app_id})
            assert [c["member_number"] for c in cards] == [number]
            await stored_card(app, app_id, wait)
    assert len(await issued_for(bus, app_id)) == 1


async def test_a_rejected_decision_issues_nothing(stack, bus, database, run_app):
    app_id = f"app-{uuid4().hex[:8]}"
    app = create_app(settings(stack, database))
    async with run_app(app):
        sent = await bus.publish(approved(app_id, outcome="rejected"))
        await bus.wait_consumed(SERVICE, sent)
        assert await app.state.cards.store.get(app_id) is None
    assert await issued_for(bus, app_id) == []


def not_json(event):
    return b"{not json"


def wrong_schema(event):
    return event.payload.replace('"approved"', '"maybe"').encode()


@pytest.mark.parametrize(
    ("spoil", "reason"), [(wrong_schema, "outcome"), (not_json, "Invalid JSON")]
)
async def test_a_poison_message_is_dead_lettered_and_the_next_event_still_gets_its_card(
    stack, bus, database, run_app, wait, spoil, reason
):
    good_id, bad_id = f"app-{uuid4().hex[:8]}", f"app-{uuid4().hex[:8]}"
    poison = approved(bad_id)
    app = create_app(settings(stack, database))
    async with run_app(app):
        await bus.publish_raw(ELIGIBILITY_DECIDED, spoil(poison), bad_id, poison.headers())
        # Same key, so the same partition: the good event waits behind the poison.
        sent = await bus.publish(approved(good_id).model_copy(update={"key": bad_id}))
        await bus.wait_consumed(SERVICE, sent)
        await stored_card(app, good_id, wait)
        assert await app.state.cards.store.get(bad_id) is None
    dead = [
        r
        for r in await bus.read(dlt(ELIGIBILITY_DECIDED))
        if dict(r.headers).get("ce_id") == poison.id.encode()
    ]
    assert dead, "the poison message never reached the dead-letter topic"
    headers = {k: v.decode() for k, v in dead[0].headers}
    assert headers["dlt_group"] == SERVICE and headers["dlt_topic"] == ELIGIBILITY_DECIDED
    assert reason in headers["dlt_reason"] and CNIE not in headers["dlt_reason"]
    assert dead[0].key == bad_id.encode() and dead[0].value == spoil(poison)


async def test_racing_issuers_of_one_application_store_one_card(stack, database, run_app):
    app = create_app(settings(stack, database))
    terms = load_card_terms()
    decision = approved(f"app-{uuid4().hex[:8]}")
    payload = EligibilityDecided.model_validate_json(decision.payload)
    async with run_app(app):
        cards = app.state.cards

        def draft():
            card = issue_card(
                payload, new_member_number(secrets.randbelow), terms, datetime.now(UTC)
            )
            return card, new_event(
                CARD_ISSUED,
                to_card_issued(card),
                source="cards",
                key=card.application_id,
                subject=card.member_number,
            )

        outcomes = await asyncio.gather(
            *(cards.issue(payload.application_id, draft) for _ in range(12))
        )
        stored = await cards.store.find({"application_id": payload.application_id})
    winners = [card for card in outcomes if card is not None]
    assert len(winners) == 1 and len(stored) == 1
    assert stored[0]["member_number"] == winners[0].member_number and len(stored[0]["outbox"]) <= 1


async def test_a_taken_member_number_is_drawn_again_against_the_unique_index(
    stack, database, run_app
):
    app = create_app(settings(stack, database))
    terms = load_card_terms()
    first, second = (
        EligibilityDecided.model_validate_json(approved(f"app-{uuid4().hex[:8]}").payload)
        for _ in range(2)
    )
    body = int(uuid4().int % 10**11)
    draws = iter([body, body, (body + 1) % 10**11])
    async with run_app(app):
        cards = app.state.cards

        def drafter(decision):
            def draft():
                card = issue_card(
                    decision, new_member_number(lambda n: next(draws)), terms, datetime.now(UTC)
                )
                return card, new_event(
                    CARD_ISSUED,
                    to_card_issued(card),
                    source="cards",
                    key=card.application_id,
                    subject=card.member_number,
                )

            return draft

        one = await cards.issue(first.application_id, drafter(first))
        two = await cards.issue(second.application_id, drafter(second))
        assert (
            await cards.by_member_number(two.member_number)
        ).application_id == second.application_id
    assert one.member_number != two.member_number
    assert two.member_number == new_member_number(lambda n: (body + 1) % 10**11)


@pytest.mark.parametrize("number", ["M000000000001", "M123"])
async def test_unknown_or_malformed_numbers_are_not_found(stack, database, run_app, number):
    async with run_app(create_app(settings(stack, database))) as client:
        assert (await client.get(f"/cards/{number}")).status_code == 404
