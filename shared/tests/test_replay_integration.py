"""Integration: a service replays its own dead letters once the cause is fixed, on real Kafka."""

from __future__ import annotations

import uuid

import pytest
from faststream.kafka import KafkaBroker

from amo_shared.events import ApplicationSubmitted
from amo_shared.replay import replay_dead_letters
from amo_shared.subscriptions import Route, subscribe
from amo_shared.topics import APPLICATION_SUBMITTED, dlt
from amo_testkit import eventually, headers_of, scratch_database, submitted_event


@pytest.fixture
async def db(stack):
    async with scratch_database(stack, "processed_events") as database:
        yield database


async def test_replay_processes_this_groups_dead_letters_once_after_the_fix(stack, bus, db):
    group, key = f"replay-{uuid.uuid4().hex[:8]}", f"app-{uuid.uuid4()}"
    state = {"broken": True, "handled": []}

    async def handle(event):
        if event.payload.application_id != key:
            return  # earlier tests' events on the shared topic: nothing to do
        if state["broken"]:
            raise ValueError("a bug in this version")
        state["handled"].append(event.id)

    broker = KafkaBroker(
        stack.kafka_bootstrap, security=stack.kafka.security(), enable_idempotence=True, logger=None
    )
    subs = subscribe(
        broker, [Route(APPLICATION_SUBMITTED, ApplicationSubmitted, handle)], group=group, db=db
    )
    event = submitted_event(key)
    await broker.start()
    try:
        await bus.publish(event)
        await eventually(lambda: _mine(bus, key, group), "the event was dead-lettered")
        # Another group's entry for the same key must be left alone.
        other = {
            **event.headers(),
            "dlt_group": "someone-else",
            "dlt_topic": APPLICATION_SUBMITTED,
            "dlt_partition": "0",
            "dlt_offset": "0",
            "dlt_reason": "x",
        }
        await bus.publish_raw(dlt(APPLICATION_SUBMITTED), event.payload.encode(), key, other)

        state["broken"] = False  # the fix is deployed
        [sub] = subs
        report = await replay_dead_letters(broker, stack.kafka, sub)
        assert (report.replayed, report.processed, report.parked_again) == (1, 1, 0)
        assert state["handled"] == [event.id]

        again = await replay_dead_letters(broker, stack.kafka, sub)
        assert again.replayed == 0, "an entry is replayed once"
        assert state["handled"] == [event.id]
        assert len(await _mine(bus, key, group)) == 1
    finally:
        await broker.stop()


async def test_an_entry_that_still_fails_is_parked_again_with_its_reason(stack, bus, db):
    group, key = f"replay-{uuid.uuid4().hex[:8]}", f"app-{uuid.uuid4()}"

    async def handle(event):
        if event.payload.application_id == key:
            raise ValueError("still broken")

    broker = KafkaBroker(
        stack.kafka_bootstrap, security=stack.kafka.security(), enable_idempotence=True, logger=None
    )
    subs = subscribe(
        broker,
        [Route(APPLICATION_SUBMITTED, ApplicationSubmitted, handle)],
        group=group,
        db=db,
        attempts=2,
    )
    await broker.start()
    try:
        await bus.publish(submitted_event(key))
        await eventually(lambda: _mine(bus, key, group), "the event was dead-lettered")
        report = await replay_dead_letters(broker, stack.kafka, subs[0])
        assert (report.replayed, report.processed, report.parked_again) == (1, 0, 1)
        entries = [
            r
            for r in await bus.records(dlt(APPLICATION_SUBMITTED), key=key)
            if headers_of(r)["dlt_group"] == group
        ]
        assert len(entries) == 2 and "still broken" in headers_of(entries[-1])["dlt_reason"]
        # The parked-again entry still points at the original record, not at the DLT.
        assert headers_of(entries[-1])["dlt_topic"] == APPLICATION_SUBMITTED
    finally:
        await broker.stop()


async def _mine(bus, key: str, group: str) -> list:
    return [
        r
        for r in await bus.records(dlt(APPLICATION_SUBMITTED), key=key)
        if headers_of(r).get("dlt_group") == group
    ]
