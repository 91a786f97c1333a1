"""Integration, real Kafka and FerretDB: records the policy could once lose or stall are now
dead-lettered, trimmed or parked, and replays are safe."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

import pytest
from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from faststream.kafka import KafkaBroker

from amo_shared.deadletters import PARKED_DEAD_LETTERS
from amo_shared.events import ApplicationSubmitted
from amo_shared.lease import Lease, LeaseHeld
from amo_shared.replay import replay_dead_letters
from amo_shared.subscriptions import Route, subscribe
from amo_shared.topics import dlt
from amo_testkit import eventually, headers_of, scratch_database, submitted_event

MAX_REQUEST = 1048576  # the producers' default max.request.size


@pytest.fixture
async def topic(stack):
    """A topic and its dead-letter topic of this test's own: no other test's records in them."""
    name = f"hardening-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(**stack.kafka_options)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1), NewTopic(dlt(name), 1, 1)])
    finally:
        await admin.close()
    return name


@pytest.fixture
async def db(stack):
    async with scratch_database(
        stack, "processed_events", "dead_letters_parked", "leases"
    ) as database:
        yield database


@pytest.fixture
async def producer(stack):
    p = AIOKafkaProducer(**stack.kafka_options)
    await p.start()
    yield p
    await p.stop()


class Consumer:
    """A group of our own on the test's topic, under the delivery policy."""

    def __init__(
        self, stack, db, topic: str, keys: set[str], broken: bool = False, attempts: int = 2
    ):
        self.topic, self.keys, self.broken, self.handled = topic, keys, broken, []
        self.group = f"hardening-{uuid.uuid4().hex[:8]}"
        self.broker = KafkaBroker(
            stack.kafka_bootstrap,
            security=stack.kafka.security(),
            enable_idempotence=True,
            logger=None,
        )
        [self.sub] = subscribe(
            self.broker,
            [Route(topic, ApplicationSubmitted, self.handle)],
            group=self.group,
            db=db,
            attempts=attempts,
        )

    async def handle(self, event):
        if self.broken:
            raise ValueError("a bug in this version")
        self.handled.append(event.payload.application_id)

    async def dead(self, bus, key: str) -> list:
        return [
            r
            for r in await bus.records(dlt(self.topic), key=key)
            if headers_of(r).get("dlt_group") == self.group
        ]


async def test_null_and_undecodable_headers_are_dead_lettered_and_the_partition_goes_on(
    stack, bus, db, producer, topic
):
    key = f"app-{uuid.uuid4()}"
    consumer = Consumer(stack, db, topic, {key})
    good = submitted_event(key, topic)
    headers = [(k, v.encode()) for k, v in good.headers().items()]
    await consumer.broker.start()
    try:
        await producer.send_and_wait(
            topic, good.payload.encode(), key=key.encode(), headers=[*headers, ("x-broken", None)]
        )
        await producer.send_and_wait(
            topic,
            good.payload.encode(),
            key=key.encode(),
            headers=[*headers, ("x-latin1", "é".encode("latin-1"))],
        )
        await bus.publish(good)  # behind both, on the same partition
        await eventually(lambda: _async(consumer.handled), "the good record was handled")
        dead = await eventually(lambda: _at_least(consumer.dead(bus, key), 2), "both dead-lettered")
    finally:
        await consumer.broker.stop()
    reasons = sorted(headers_of(r)["dlt_reason"] for r in dead)
    assert reasons == ["header x-broken has a null value", "header x-latin1 is not UTF-8"]
    assert all(r.value == good.payload.encode() for r in dead)
    assert consumer.handled == [key]


async def test_a_near_limit_bad_record_is_dead_lettered_trimmed_and_replay_reads_it_back(
    stack, bus, db, producer, topic
):
    key = f"app-{uuid.uuid4()}"
    consumer = Consumer(stack, db, topic, {key})
    headers = {
        "ce_specversion": "1.0",
        "ce_id": str(uuid.uuid4()),
        "ce_source": "tests",
        "ce_type": "ma.amo.application.submitted.v1",
        "ce_time": "2026-01-01T00:00:00Z",
        "ce_subject": key,
        "content-type": "application/json",
    }
    overhead = 200 + len(key) + sum(len(k) + len(v) + 8 for k, v in headers.items())
    value = b'{"junk":"' + b"x" * (MAX_REQUEST - overhead - 12) + b'"}'
    await consumer.broker.start()
    try:
        # It fits the topic; its dead-letter copy (value + dlt_* headers) does not.
        await producer.send_and_wait(
            topic, value, key=key.encode(), headers=[(k, v.encode()) for k, v in headers.items()]
        )
        [entry] = await eventually(lambda: consumer.dead(bus, key), "the record was dead-lettered")
        meta = headers_of(entry)
        assert entry.value == b"" and meta["dlt_trimmed"] == "value"
        assert meta["dlt_value_bytes"] == str(len(value))
        assert "invalid payload" in meta["dlt_reason"] and meta["ce_id"] == headers["ce_id"]
        report = await replay_dead_letters(consumer.broker, stack.kafka, consumer.sub)
    finally:
        await consumer.broker.stop()
    # Replay found the value on the original topic (else it would be malformed) and judged it.
    assert (report.replayed, report.malformed, report.parked_again) == (1, 0, 1), report
    assert len(await consumer.dead(bus, key)) == 2


async def test_a_malformed_dead_letter_is_parked_and_the_replay_goes_on(stack, bus, db, topic):
    bad_key, good_key = f"app-{uuid.uuid4()}", f"app-{uuid.uuid4()}"
    consumer = Consumer(stack, db, topic, {bad_key, good_key}, broken=True)
    event = submitted_event(good_key, topic)
    await consumer.broker.start()
    try:
        await bus.publish(event)
        await eventually(lambda: consumer.dead(bus, good_key), "the event was dead-lettered")
        # An entry of this group whose origin headers are gone or garbled.
        garbled = {
            **event.headers(),
            "dlt_group": consumer.group,
            "dlt_offset": "not-a-number",
            "dlt_partition": "0",
            "dlt_topic": topic,
            "dlt_reason": "x",
        }
        await bus.publish_raw(dlt(topic), b"{}", bad_key, garbled)
        consumer.broken = False  # the fix is deployed
        report = await replay_dead_letters(consumer.broker, stack.kafka, consumer.sub)
    finally:
        await consumer.broker.stop()
    assert (report.replayed, report.processed, report.malformed) == (1, 1, 1), report
    assert consumer.handled == [good_key]
    [parked] = await db[PARKED_DEAD_LETTERS].find({"replayable": False}).to_list()
    assert parked["why"].startswith("malformed: dlt_partition or dlt_offset is not a number")
    assert parked["group"] == consumer.group and parked["status"] == "parked"


async def test_two_concurrent_replays_of_one_service_process_each_entry_once(stack, bus, db, topic):
    keys = {f"app-{uuid.uuid4()}" for _ in range(5)}
    consumer = Consumer(stack, db, topic, keys, broken=True)
    await consumer.broker.start()
    try:
        for key in keys:
            await bus.publish(submitted_event(key, topic))
        for key in keys:
            await eventually(lambda key=key: consumer.dead(bus, key), "dead-lettered")
        consumer.broken = False

        async def replay_under_lease():
            lease = Lease(db, "dlt-replay", seconds=30)
            try:
                await lease.acquire()
            except LeaseHeld:
                return None
            try:
                return await replay_dead_letters(
                    consumer.broker, stack.kafka, consumer.sub, renew=lease.renew
                )
            finally:
                await lease.release()

        outcomes = await asyncio.gather(*(replay_under_lease() for _ in range(4)))
        again = await replay_under_lease()  # the lease was released: a later replay may run
    finally:
        await consumer.broker.stop()
    ran = [r for r in outcomes if r is not None]
    assert len(ran) == 1, "one replay per service at a time"
    assert ran[0].processed == 5 and sorted(consumer.handled) == sorted(keys)
    assert again is not None and again.replayed == 0


async def test_a_dead_letter_kafka_refuses_is_parked_in_the_database_and_replayed_from_there(
    stack, bus, db
):
    name = f"hardening-nodlt-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(**stack.kafka_options)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, 1, 1)])  # and no dead-letter topic
    finally:
        await admin.close()
    keys = {f"app-{uuid.uuid4()}", f"app-{uuid.uuid4()}"}
    first, second = sorted(keys)
    consumer = Consumer(stack, db, name, keys, broken=True, attempts=1)
    # A short metadata wait, so the missing topic is refused in seconds rather than 40.
    consumer.broker = KafkaBroker(
        stack.kafka_bootstrap,
        security=stack.kafka.security(),
        enable_idempotence=True,
        logger=None,
        request_timeout_ms=3000,
    )
    [consumer.sub] = subscribe(
        consumer.broker,
        [Route(name, ApplicationSubmitted, consumer.handle)],
        group=consumer.group,
        db=db,
        attempts=1,
    )
    await consumer.broker.start()
    try:
        await bus.publish(submitted_event(first, name))
        await bus.publish(submitted_event(second, name))
        parked = db[PARKED_DEAD_LETTERS]

        async def both_parked():
            return await parked.count_documents({"group": consumer.group}) == 2

        await eventually(both_parked, "both letters parked in the database")
        consumer.broken = False
        report = await replay_dead_letters(consumer.broker, stack.kafka, consumer.sub)
    finally:
        await consumer.broker.stop()
    assert (report.from_database, report.processed) == (2, 2), report
    assert sorted(consumer.handled) == [first, second]
    statuses = [d["status"] async for d in parked.find({"group": consumer.group})]
    assert statuses == ["processed", "processed"]


async def test_a_lapsed_lease_is_taken_over_and_a_live_one_is_not(db):
    first = Lease(db, "dlt-replay", seconds=5)
    await first.acquire()
    second = Lease(db, "dlt-replay", seconds=5)
    with pytest.raises(LeaseHeld):
        await second.acquire()
    await db["leases"].update_one(
        {"_id": "dlt-replay"},
        {"$set": {"until": datetime(2020, 1, 1, tzinfo=UTC)}, "$inc": {"_v": 1}},
    )  # the first holder died long ago
    await second.acquire()
    with pytest.raises(LeaseHeld):
        await first.renew()


async def _async(value):
    return value


async def _at_least(records, n: int):
    found = await records
    return found if len(found) >= n else None
