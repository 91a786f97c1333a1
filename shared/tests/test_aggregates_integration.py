"""Integration: compare-and-set aggregates and the outbox relay on the real Mongo-wire server,
with racing writers. On the local FerretDB the version guard is what makes these pass."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.errors import OperationFailure

from amo_shared.aggregates import AggregateStore, Change
from amo_shared.outbox import OutboxRelay
from amo_testkit import scratch_database, submitted_event


@pytest.fixture(scope="module")
async def db(stack):
    async with scratch_database(stack, "things", "relayed") as database:
        yield database


async def test_update_without_version_bump_is_refused_by_the_guard(db):
    await db.things.insert_one({"_id": "guarded", "_v": 0, "n": 0})
    with pytest.raises(OperationFailure, match="stale write"):
        await db.things.update_one({"_id": "guarded"}, {"$inc": {"n": 1}})


async def test_racing_writers_lose_nothing(db):
    store = AggregateStore(db.things)
    assert await store.create({"_id": "race", "items": []})

    async def append(i: int):
        await store.mutate("race", lambda doc: Change(push={"items": [i]}))

    await asyncio.gather(*(append(i) for i in range(40)))
    doc = await store.get("race")
    assert sorted(doc["items"]) == list(range(40))
    assert doc["_v"] == 40


async def test_racing_transitions_have_one_winner_and_one_event(db):
    store = AggregateStore(db.things)
    await store.create({"_id": "submit-race", "status": "draft"})

    def submit(doc):
        if doc["status"] != "draft":
            return None  # already submitted: nothing to do
        return Change(set={"status": "submitted"}, events=[submitted_event("submit-race")])

    await asyncio.gather(*(store.mutate("submit-race", submit) for _ in range(20)))
    doc = await store.get("submit-race")
    assert doc["status"] == "submitted" and len(doc["outbox"]) == 1


async def test_relay_racing_new_events_publishes_each_once(db):
    published: list[str] = []

    async def publish(ev):
        await asyncio.sleep(0.001)
        published.append(ev.id)

    store = AggregateStore(db.relayed)  # its own collection: the relay drains all of it
    await store.create({"_id": "relay-race"})
    relay = OutboxRelay([db.relayed], publish)
    created: list[str] = []

    async def writer():
        for _ in range(15):
            ev = submitted_event("relay-race")
            await store.mutate("relay-race", lambda doc, ev=ev: Change(events=[ev]))
            created.append(ev.id)

    async def relaying():
        for _ in range(30):
            await relay.drain()
            await asyncio.sleep(0.002)

    await asyncio.gather(writer(), relaying())
    await relay.drain()
    assert sorted(published) == sorted(created), "every event published exactly once"
    doc = await store.get("relay-race")
    assert doc["outbox"] == [] and doc["outbox_pending"] is False
