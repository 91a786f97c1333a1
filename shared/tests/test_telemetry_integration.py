"""Integration on real Kafka: the outbox relay's publish continues the context stored with the
event, the record's `traceparent` header carries it, and the consumer's handler runs in the same
trace, under a span whose parent is the one named in that header."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor
from pymongo import AsyncMongoClient

from amo_shared.envelope import IncomingEvent, current_traceparent, new_event
from amo_shared.events import ApplicantFacts, ApplicationSubmitted, Category
from amo_shared.runtime import Runtime, make_broker
from amo_shared.settings import ServiceSettings
from amo_shared.subscriptions import Route, subscribe
from amo_shared.telemetry import configure_tracing
from amo_shared.topics import APPLICATION_SUBMITTED
from amo_testkit import eventually, headers_of

TRACE = "0af7651916cd43dd8448eb211c80319c"
STORED_SPAN = "b7ad6b7169203331"


class Recorder(SpanProcessor):
    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []

    def on_end(self, span: ReadableSpan) -> None:
        if format(span.context.trace_id, "032x") == TRACE:
            self.spans.append(span)


@pytest.fixture
async def topic(stack):
    """A topic of this test's own: no service of the session consumes it."""
    name = f"tracing-{uuid.uuid4().hex[:8]}"
    admin = AIOKafkaAdminClient(**stack.kafka_options)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(name, num_partitions=1, replication_factor=1)])
        yield name
        await admin.delete_topics([name])
    finally:
        await admin.close()


@pytest.fixture
async def runtime(stack):
    settings = ServiceSettings(**stack.kafka_settings("admin"), mongo_url=stack.mongo_url)
    mongo = AsyncMongoClient(stack.mongo_url)
    db = mongo[f"amo_test_{uuid.uuid4().hex[:8]}"]
    await db.create_collection("processed_events")
    yield Runtime(
        name="tracing-test",
        settings=settings,
        broker=make_broker(settings, "tracing"),
        mongo=mongo,
        db=db,
    )
    await mongo.drop_database(db.name)
    await mongo.close()


async def test_a_relayed_event_is_one_trace_from_its_cause_to_its_consumer(bus, topic, runtime):
    recorder = Recorder()
    configure_tracing("tracing-test").add_span_processor(recorder)
    seen: list[tuple[IncomingEvent, str | None]] = []

    async def handle(event: IncomingEvent) -> None:
        seen.append((event, current_traceparent()))

    subscribe(
        runtime.broker,
        [Route(topic, ApplicationSubmitted, handle)],
        group=f"g-{uuid.uuid4().hex[:6]}",
        db=runtime.db,
    )
    facts = ApplicantFacts(
        first_name="A",
        last_name="B",
        birth_date=date(1990, 1, 1),
        nationality="MA",
        category=Category.RETIREE,
    )
    payload = ApplicationSubmitted(
        application_id="app-t", submitted_at=datetime.now(UTC), applicant=facts
    )
    # As the outbox stores it: made under the request span STORED_SPAN, published later.
    stored = new_event(APPLICATION_SUBMITTED, payload, source="tests", key="app-t")
    stored = stored.model_copy(
        update={"topic": topic, "traceparent": f"00-{TRACE}-{STORED_SPAN}-01"}
    )
    await runtime.broker.start()
    try:
        await runtime.publish(stored)
        await eventually(lambda: _async(bool(seen)), "the consumer handled the event")
    finally:
        await runtime.broker.stop()

    (record,) = await bus.records(topic)
    _, header_trace, header_span, _ = headers_of(record)["traceparent"].split("-")
    assert header_trace == TRACE and header_span != STORED_SPAN
    event, active = seen[0]
    assert event.traceparent == headers_of(record)["traceparent"]
    assert active is not None and active.split("-")[1] == TRACE

    by_id = {format(s.context.span_id, "016x"): s for s in recorder.spans}
    producer = [s for s in recorder.spans if s.kind == trace.SpanKind.PRODUCER]
    assert producer and all(s.parent is not None for s in producer)
    # The relay's first span hangs off the stored context; the record names a producer span.
    assert STORED_SPAN in {format(s.parent.span_id, "016x") for s in producer}
    assert by_id[header_span].kind == trace.SpanKind.PRODUCER
    (consumer,) = [s for s in recorder.spans if s.kind == trace.SpanKind.CONSUMER]
    assert format(consumer.parent.span_id, "016x") == header_span
    assert active.split("-")[2] == format(consumer.context.span_id, "016x")


async def _async(value: bool) -> bool:
    return value
