"""Contract tier: envelope and delivery-policy routing on FastStream's in-memory broker."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from faststream.kafka import KafkaBroker, KafkaMessage, TestKafkaBroker

from amo_fakes import MemoryDatabase
from amo_shared.consumer import raw_body
from amo_shared.envelope import new_event
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category
from amo_shared.subscriptions import Route, subscribe
from amo_shared.topics import APPLICATION_SUBMITTED, dlt


def submitted(app_id: str = "app-1") -> ApplicationSubmitted:
    facts = ApplicantFacts(
        cnie="AB123456",
        first_name="Amina",
        last_name="Alaoui",
        birth_date=date(1990, 1, 1),
        nationality="MA",
        category=Category.PUBLIC_EMPLOYEE,
    )
    return ApplicationSubmitted(
        application_id=app_id, submitted_at=datetime.now(UTC), applicant=facts
    )


async def publish(broker, event):
    await broker.publish(
        event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
    )


@pytest.fixture
def db():
    return MemoryDatabase()


@pytest.fixture
def wiring(db):
    broker = KafkaBroker()
    seen, dead = [], []

    async def handle(event):
        if event.payload.applicant.first_name == "Boom":
            raise ValueError("broken invariant")
        seen.append(event)

    subscribe(
        broker, [Route(APPLICATION_SUBMITTED, ApplicationSubmitted, handle)], group="g", db=db
    )

    @broker.subscriber(dlt(APPLICATION_SUBMITTED), decoder=raw_body)
    async def on_dead(msg: KafkaMessage) -> None:
        dead.append(msg.headers)

    return broker, seen, dead


async def test_valid_event_reaches_handler_once_even_when_redelivered(wiring, db):
    broker, seen, dead = wiring
    event = new_event(APPLICATION_SUBMITTED, submitted(), source="registration", key="app-1")
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
        await publish(br, event)  # same ce_id: a redelivery
    assert [e.id for e in seen] == [event.id]
    assert dead == []
    [record] = await db["processed_events"].find({}).to_list()
    assert record["_id"] == f"registration:{event.id}" and record["group"] == "g"


async def test_wrong_schema_goes_to_dlt_with_field_named_and_no_personal_data(wiring):
    broker, seen, dead = wiring
    event = new_event(APPLICATION_SUBMITTED, submitted(), source="registration", key="app-1")
    bad = event.model_copy(
        update={
            "payload": event.payload.replace(
                '"category":"public_employee"', '"category":"astronaut"'
            )
        }
    )
    async with TestKafkaBroker(broker) as br:
        await publish(br, bad)
    assert seen == []
    assert len(dead) == 1
    reason = dead[0]["dlt_reason"]
    assert "applicant.category" in reason
    assert "AB123456" not in reason and "Amina" not in reason
    assert dead[0]["dlt_group"] == "g" and dead[0]["dlt_topic"] == APPLICATION_SUBMITTED
    assert dead[0]["ce_id"] == bad.id


async def test_handler_error_is_dead_lettered_after_bounded_attempts(wiring, db):
    broker, seen, dead = wiring
    ev = submitted()
    ev = ev.model_copy(update={"applicant": ev.applicant.model_copy(update={"first_name": "Boom"})})
    event = new_event(APPLICATION_SUBMITTED, ev, source="registration", key="app-1")
    async with TestKafkaBroker(broker) as br:
        await publish(br, event)
    assert seen == [] and len(dead) == 1
    assert dead[0]["dlt_attempts"] == "3"
    assert "ValueError: broken invariant" in dead[0]["dlt_reason"]
    assert await db["processed_events"].count_documents({}) == 0  # a failure is not processed


async def test_body_that_is_not_json_is_dead_lettered_not_lost(wiring):
    broker, seen, dead = wiring
    event = new_event(APPLICATION_SUBMITTED, submitted(), source="registration", key="app-1")
    async with TestKafkaBroker(broker) as br:
        await br.publish(
            b'{"application_id": 42, "oops"', event.topic, key=b"app-1", headers=event.headers()
        )
    assert seen == [] and len(dead) == 1
    assert "Invalid JSON" in dead[0]["dlt_reason"]


async def test_unexpected_type_is_refused_by_the_envelope(wiring):
    broker, seen, dead = wiring
    event = new_event(APPLICATION_SUBMITTED, submitted(), source="registration", key="app-1")
    async with TestKafkaBroker(broker) as br:
        await br.publish(
            event.payload.encode(),
            event.topic,
            key=b"app-1",
            headers={**event.headers(), "ce_type": "ma.amo.something.v9"},
        )
    assert seen == [] and "unexpected ce_type" in dead[0]["dlt_reason"]
