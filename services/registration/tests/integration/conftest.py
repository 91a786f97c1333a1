"""Registration running in process against the real local stack, and a Kafka reader that sees
exactly what was published."""

from __future__ import annotations

import asyncio
from uuid import uuid4

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from amo_registration.app import create_app
from amo_registration.settings import Settings
from amo_shared.sealed import Keyring


@pytest.fixture(scope="module")
def database() -> str:
    return f"amo_test_{uuid4().hex[:8]}"


@pytest.fixture
async def registration(stack, database):
    """The app with its lifespan started (broker, relay) and the version guard active."""
    settings = Settings(
        **stack.kafka_settings("registration"),
        mongo_url=stack.mongo_url,
        mongo_database=database,
        log_json=False,
        outbox_poll_seconds=0.2,
        # A key of the test's own: bank details are stored only sealed.
        data_keys=Keyring.generate_spec(),
    )
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        await stack.harden()
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://registration",
            # The account the gateway names for calls that do not name their own.
            headers={"X-Citizen": f"sub-{uuid4()}"},
        ) as client:
            client.app = app
            yield client


async def outbox_drained(runtime, collection: str = "applications", limit: float = 60) -> None:
    """Wait until the relay has published and removed every pending event (a deadlock guard)."""

    async def drained():
        while await runtime.db[collection].find_one({"outbox_pending": True}) is not None:
            await asyncio.sleep(0.05)

    await asyncio.wait_for(drained(), timeout=limit)


@pytest.fixture
def published(stack):
    async def read(topic: str, key: str | None = None) -> list:
        """Every record of `topic` up to its current end (optionally only `key`'s), in order."""
        # No group: every partition is ours, and no committed offset is touched.
        consumer = AIOKafkaConsumer(
            topic,
            **stack.kafka_options,
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            await asyncio.wait_for(_assigned(consumer), timeout=30)
            partitions = list(consumer.assignment())
            await consumer.seek_to_beginning(*partitions)
            ends = await consumer.end_offsets(partitions)
            records = []
            while [tp for tp in partitions if await consumer.position(tp) < ends[tp]]:
                batch = await consumer.getmany(timeout_ms=1000)
                for items in batch.values():
                    records.extend(items)
        finally:
            await consumer.stop()
        if key is not None:
            records = [r for r in records if r.key == key.encode()]
        return records

    return read


async def _assigned(consumer: AIOKafkaConsumer) -> None:
    while not consumer.assignment():
        await asyncio.sleep(0.05)


@pytest.fixture
def outbox():
    return outbox_drained
