"""Integration, real Kafka and FerretDB: an outbox record Kafka refuses, or that no longer
validates, is parked; the relay goes on with other keys and keeps order within the parked key."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker
from prometheus_client import REGISTRY

from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent
from amo_shared.outbox import PARKED_OUTBOX, OutboxRelay
from amo_shared.parked import StillRefused, discard_parked, list_parked, retry_parked
from amo_testkit import scratch_database


@pytest.fixture
async def topic(stack):
    name = f"outbox-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(**stack.kafka_options)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 3, 1)])
    finally:
        await admin.close()
    return name


@pytest.fixture
async def db(stack):
    async with scratch_database(stack, "things", "outbox_parked") as database:
        yield database


@pytest.fixture
async def relay(stack, db):
    broker = KafkaBroker(
        stack.kafka_bootstrap, security=stack.kafka.security(), enable_idempotence=True, logger=None
    )
    await broker.start()

    async def publish(event: OutgoingEvent) -> None:
        await broker.publish(
            event.payload.encode(), event.topic, key=event.key.encode(), headers=event.headers()
        )

    yield OutboxRelay([db["things"]], publish, parked=db[PARKED_OUTBOX])
    await broker.stop()


def event(topic: str, key: str, n: int, size: int = 10) -> OutgoingEvent:
    return OutgoingEvent(
        id=str(uuid.uuid4()),
        topic=topic,
        key=key,
        type="ma.amo.test.v1",
        source="tests",
        subject=key,
        time=datetime.now(UTC).isoformat(),
        traceparent=f"00-{uuid.uuid4().hex}-{uuid.uuid4().hex[:16]}-01",
        payload=json.dumps({"n": n, "pad": "x" * size}),
    )


def numbers(records, key: str) -> list[int]:
    return [json.loads(r.value)["n"] for r in records if r.key == key.encode()]


async def test_a_record_kafka_refuses_is_parked_while_other_keys_flow_and_its_key_waits(
    topic, db, relay, bus
):
    store = AggregateStore(db["things"])
    big = event(topic, "A", 1, size=2 * 1024 * 1024)  # over Kafka's 1 MiB request limit
    await store.create({"_id": "A"}, [big, event(topic, "A", 2)])
    await store.create({"_id": "B"}, [event(topic, "B", 1), event(topic, "B", 2)])
    parked_before = REGISTRY.get_sample_value("amo_outbox_parked_total", {"topic": topic}) or 0

    assert await relay.drain() == 2  # B's two events
    records = await bus.records(topic)
    assert numbers(records, "B") == [1, 2] and numbers(records, "A") == []
    [parked] = await list_parked(relay)
    assert parked["event_id"] == big.id and parked["key"] == "A"
    assert "MessageSizeTooLarge" in parked["reason"]
    assert "event" not in parked, "an operator's view carries no payload"
    assert (
        REGISTRY.get_sample_value("amo_outbox_parked_total", {"topic": topic}) == parked_before + 1
    )
    a = await store.get("A")
    assert [e["id"] for e in a["outbox"]] != [big.id] and len(a["outbox"]) == 1
    assert a["outbox_pending"] is False, "a held key does not keep the relay scanning it"

    # A later event of the parked key waits behind it, in order.
    await store.cas(a, Change(events=[event(topic, "A", 3)]))
    await relay.drain()
    assert numbers(await bus.records(topic), "A") == []

    with pytest.raises(StillRefused):
        await retry_parked(relay, big.id)  # still too large: stays parked
    await discard_parked(relay, big.id, "split into smaller events by a fix")
    await relay.drain()
    assert numbers(await bus.records(topic), "A") == [2, 3]
    assert await list_parked(relay) == []
    [done] = await list_parked(relay, "discarded")
    assert done["resolution"] == "split into smaller events by a fix"


async def test_a_record_that_no_longer_validates_is_parked_and_can_be_retried_once_fixed(
    topic, db, relay, bus
):
    store = AggregateStore(db["things"])
    good = event(topic, "C", 1)
    broken = good.model_dump()
    del broken["payload"]  # what an older release wrote, say
    await db["things"].insert_one(
        {
            "_id": "C",
            "_v": 0,
            "outbox": [broken, event(topic, "C", 2).model_dump()],
            "outbox_pending": True,
        }
    )
    await store.create({"_id": "D"}, [event(topic, "D", 1)])
    await relay.drain()
    assert numbers(await bus.records(topic), "D") == [1]
    [parked] = await list_parked(relay)
    assert parked["reason"].startswith("no longer a valid outbox record") and parked["key"] == "C"
    with pytest.raises(StillRefused):
        await retry_parked(relay, good.id)
    # The operator repairs the stored record (runbook), then retries it.
    await relay.parked.update_one(
        {"_id": good.id}, {"$set": {"event": good.model_dump()}, "$inc": {"_v": 1}}
    )
    await retry_parked(relay, good.id)
    await relay.drain()
    assert numbers(await bus.records(topic), "C") == [1, 2]
