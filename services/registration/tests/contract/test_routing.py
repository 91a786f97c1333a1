"""Contract tier: downstream events routed to registration's steps, and the event it produces."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_fakes import MemoryDatabase
from amo_registration.adapters.repository import COLLECTION, ApplicationRepository
from amo_registration.app import SERVICE
from amo_registration.domain import Contact, create, submit
from amo_registration.events import application_submitted
from amo_registration.handlers import routes
from amo_shared.aggregates import AggregateStore
from amo_shared.envelope import new_event, read_event
from amo_shared.events import (
    EVENT_TYPES,
    ApplicantFacts,
    ApplicationSubmitted,
    CardIssued,
    CardSuspended,
    ChangeReason,
    ContactDetails,
    DecisionReason,
    DocumentsVerified,
    DocumentVerdict,
    EligibilityDecided,
)
from amo_shared.subscriptions import subscribe
from amo_shared.topics import (
    APPLICATION_SUBMITTED,
    CARD_CHANGES,
    CARD_ISSUED,
    CARD_SUSPENDED,
    DOCUMENTS_VERIFIED,
    ELIGIBILITY_DECIDED,
    dlt,
)

FACTS = ApplicantFacts(
    cnie="AB123456",
    cnie_expiry=date(2031, 1, 1),
    first_name="Amina",
    last_name="Alaoui",
    birth_date=date(1990, 1, 1),
    nationality="MA",
    category="public_employee",
    recruitment_date=date(2025, 9, 1),
)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def wiring():
    db = MemoryDatabase()
    repo = ApplicationRepository(AggregateStore(db[COLLECTION]))
    broker = KafkaBroker()
    subscribe(broker, routes(repo), group=SERVICE, db=db, attempts=3)
    dead = []
    for topic in (DOCUMENTS_VERIFIED, ELIGIBILITY_DECIDED, CARD_ISSUED, *CARD_CHANGES):

        @broker.subscriber(dlt(topic))
        async def on_dead(msg: KafkaMessage) -> None:
            dead.append(msg.headers)

    return broker, repo, dead


async def filed(repo) -> str:
    app = create(FACTS, Contact(email="a@b.ma", phone="0600000000"), NOW, owner="sub-x")
    submit(app, NOW)
    await repo.add(app)
    return app.id


async def publish(broker, event):
    await broker.publish(
        event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
    )


def documents(app_id, outcome="complete"):
    verdicts = [
        DocumentVerdict(kind="cnie", status="accepted" if outcome == "complete" else "missing")
    ]
    return DocumentsVerified(
        application_id=app_id,
        verified_at=NOW,
        outcome=outcome,
        verdicts=verdicts,
        applicant=FACTS,
        submitted_at=NOW,
    )


async def test_each_downstream_event_reaches_its_step(wiring):
    broker, repo, dead = wiring
    app_id = await filed(repo)
    decision = EligibilityDecided(
        application_id=app_id,
        decided_at=NOW,
        outcome="approved",
        rules_version="v1",
        reasons=[DecisionReason(code="c", passed=True, message_fr="ok", message_ar="ok")],
        applicant=FACTS,
    )
    card = CardIssued(
        member_number="M1",
        application_id=app_id,
        category="public_employee",
        status="active",
        valid_from=date(2026, 3, 2),
        valid_until=date(2027, 3, 1),
        beneficiaries=[],
        payer="CNSS",
        issued_at=NOW,
    )
    async with TestKafkaBroker(broker) as br:
        await publish(
            br, new_event(DOCUMENTS_VERIFIED, documents(app_id), source="documents", key=app_id)
        )
        assert (await repo.get(app_id)).status == "documents_verified"
        await publish(
            br, new_event(ELIGIBILITY_DECIDED, decision, source="eligibility", key=app_id)
        )
        assert (await repo.get(app_id)).status == "eligible"
        await publish(br, new_event(CARD_ISSUED, card, source="cards", key=app_id))
    app = await repo.get(app_id)
    assert app.status == "card_issued" and app.card.member_number == "M1"
    assert dead == []


async def test_incomplete_documents_reported_with_their_reasons(wiring):
    broker, repo, _dead = wiring
    app_id = await filed(repo)
    event = new_event(
        DOCUMENTS_VERIFIED, documents(app_id, "incomplete"), source="documents", key=app_id
    )
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)  # redelivered: one timeline entry
    app = await repo.get(app_id)
    assert app.status == "incomplete"
    assert [d.kind for d in app.refusal.documents] == ["cnie"]
    assert len(app.timeline) == 3


async def test_a_step_for_an_unknown_application_is_dead_lettered(wiring):
    broker, _repo, dead = wiring
    event = new_event(DOCUMENTS_VERIFIED, documents("nope"), source="documents", key="nope")
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
    assert len(dead) == 1 and "UnknownApplication" in dead[0]["dlt_reason"]
    assert dead[0]["dlt_group"] == SERVICE == "registration"


async def test_application_submitted_matches_the_contract():
    app = create(
        FACTS, Contact(email="a@b.ma", phone="0600000000", language="ar"), NOW, owner="sub-x"
    )
    submit(app, NOW)
    event = application_submitted(app, likely_duplicate_of=["other-id"])
    assert (event.topic, event.key, event.subject, event.source) == (
        APPLICATION_SUBMITTED,
        app.id,
        app.id,
        "registration",
    )
    assert event.type == EVENT_TYPES[ApplicationSubmitted]
    broker = KafkaBroker()
    received = []

    @broker.subscriber(APPLICATION_SUBMITTED)
    async def on_submitted(msg: KafkaMessage) -> None:
        headers = {k: v for k, v in msg.headers.items()}
        received.append((msg.raw_message.key, read_event(headers, msg.body, ApplicationSubmitted)))

    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
    ((key, incoming),) = received
    assert key == app.id.encode()
    assert incoming.payload == ApplicationSubmitted(
        application_id=app.id,
        submission=1,
        submitted_at=NOW,
        applicant=FACTS,
        contact=ContactDetails(email="a@b.ma", phone="0600000000", language="ar"),
        likely_duplicate_of=["other-id"],
    )


async def test_a_card_change_keyed_by_member_number_reaches_its_application(wiring):
    broker, repo, dead = wiring
    app_id = await filed(repo)
    card = dict(
        member_number="M1",
        application_id=app_id,
        category="public_employee",
        valid_from=date(2026, 3, 2),
        valid_until=date(2027, 3, 1),
        beneficiaries=[],
        payer="CNOPS",
        issued_at=NOW,
    )
    suspended = CardSuspended(
        **card,
        status="suspended",
        sequence=2,
        change="suspended",
        reason=ChangeReason(code="revalidation.overdue", message_fr="f", message_ar="ع"),
        effective_on=date(2026, 9, 1),
        changed_at=NOW,
    )
    async with TestKafkaBroker(broker) as br:
        await publish(br, new_event(CARD_SUSPENDED, suspended, source="cards", key="M1"))
        await publish(
            br,
            new_event(CARD_ISSUED, CardIssued(**card, status="active"), source="cards", key=app_id),
        )
    app = await repo.get(app_id)
    assert (app.card.status, app.card.sequence, app.status) == ("suspended", 2, "card_issued")
    assert [e.change for e in app.card_events] == ["suspended"] and dead == []
