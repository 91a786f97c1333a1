"""The contract tier's in-memory MongoDB answers as a server would for what the services call."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from amo_fakes import MemoryCollection, MemoryDatabase
from bson import ObjectId
from bson.errors import InvalidDocument
from pymongo.errors import CollectionInvalid, DuplicateKeyError, InvalidOperation, WriteError

from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent
from amo_shared.outbox import OutboxRelay
from amo_shared.runtime import ensure_collections


@pytest.fixture
def db() -> MemoryDatabase:
    return MemoryDatabase()


def event(n: int) -> OutgoingEvent:
    return OutgoingEvent(id=f"e{n}", topic="t", key="k", type="ty", source="s", subject="k",
                         time="2025-01-01T00:00:00Z", payload="{}",
                         traceparent=f"00-{'1' * 32}-{'2' * 16}-01")


async def test_a_taken_id_is_a_duplicate_key_and_the_stored_document_stays(db):
    await db.c.insert_one({"_id": "a", "n": 1})
    with pytest.raises(DuplicateKeyError) as caught:
        await db.c.insert_one({"_id": "a", "n": 2})
    assert caught.value.code == 11000 and "index: _id_" in str(caught.value)
    assert await db.c.find_one({"_id": "a"}) == {"_id": "a", "n": 1}
    assert await db.c.count_documents({}) == 1


async def test_an_insert_without_id_gets_an_object_id_on_the_callers_dict(db):
    doc = {"n": 1}
    result = await db.c.insert_one(doc)
    assert isinstance(doc["_id"], ObjectId) and result.inserted_id == doc["_id"]


async def test_a_unique_index_refuses_a_taken_key_on_insert_and_on_update(db):
    assert await db.c.create_index("member_number", unique=True) == "member_number_1"
    await db.c.insert_one({"_id": "a", "member_number": "M1"})
    await db.c.insert_one({"_id": "b", "member_number": "M2"})
    with pytest.raises(DuplicateKeyError, match="member_number_1 dup key"):
        await db.c.insert_one({"_id": "c", "member_number": "M1"})
    with pytest.raises(DuplicateKeyError):
        await db.c.update_one({"_id": "b"}, {"$set": {"member_number": "M1"}})
    assert [d["_id"] async for d in db.c.find({"member_number": "M1"})] == ["a"]
    # Rewriting a document's own key is no collision.
    result = await db.c.update_one({"_id": "a"}, {"$set": {"member_number": "M1"}})
    assert (result.matched_count, result.modified_count) == (1, 0)
    assert (await db.c.index_information())["member_number_1"]["unique"] is True


async def test_a_unique_index_cannot_be_built_over_colliding_documents(db):
    await db.c.insert_one({"_id": "a", "k": 1})
    await db.c.insert_one({"_id": "b", "k": 1})
    with pytest.raises(DuplicateKeyError):
        await db.c.create_index("k", unique=True)
    await db.c.insert_one({"_id": "c", "k": 1})  # the failed index was not kept


async def test_a_stale_version_matches_nothing_and_changes_nothing(db):
    await db.c.insert_one({"_id": "a", "_v": 3, "s": "x"})
    stale = await db.c.update_one({"_id": "a", "_v": 2}, {"$set": {"s": "y"}, "$inc": {"_v": 1}})
    assert (stale.matched_count, stale.modified_count) == (0, 0)
    assert await db.c.find_one({"_id": "a"}) == {"_id": "a", "_v": 3, "s": "x"}
    fresh = await db.c.update_one({"_id": "a", "_v": 3}, {"$set": {"s": "y"}, "$inc": {"_v": 1}})
    assert (fresh.matched_count, fresh.modified_count) == (1, 1)
    assert await db.c.find_one({"_id": "a", "_v": 4}) == {"_id": "a", "_v": 4, "s": "y"}


async def test_updates_are_refused_as_a_server_refuses_them(db):
    await db.c.insert_one({"_id": "a", "_v": 0, "s": "x"})
    with pytest.raises(WriteError) as conflict:
        await db.c.update_one({"_id": "a"}, {"$set": {"_v": 5}, "$inc": {"_v": 1}})
    assert conflict.value.code == 40
    with pytest.raises(WriteError) as immutable:
        await db.c.update_one({"_id": "a"}, {"$set": {"_id": "b"}})
    assert immutable.value.code == 66
    with pytest.raises(WriteError):
        await db.c.update_one({"_id": "a"}, {"$inc": {"s": 1}})
    with pytest.raises(ValueError, match=r"\$ operators"):
        await db.c.update_one({"_id": "a"}, {"s": "y"})
    with pytest.raises(NotImplementedError):
        await db.c.update_one({"_id": "a"}, {"$push": {"l": 1}})
    with pytest.raises(NotImplementedError):
        await db.c.find_one({"_v": {"$gt": 0}})
    assert await db.c.find_one({"_id": "a"}) == {"_id": "a", "_v": 0, "s": "x"}


async def test_documents_are_copied_in_and_out(db):
    doc = {"_id": "a", "nested": {"items": [1]}}
    await db.c.insert_one(doc)
    doc["nested"]["items"].append(2)
    read = await db.c.find_one({"_id": "a"})
    assert read["nested"]["items"] == [1]
    read["nested"]["items"].append(3)
    [listed] = await db.c.find({}).to_list()
    listed["nested"]["items"].append(4)
    value = {"items": [9]}
    await db.c.update_one({"_id": "a"}, {"$set": {"nested": value}})
    value["items"].append(10)
    assert await db.c.find_one("a") == {"_id": "a", "nested": {"items": [9]}}


async def test_values_go_through_bson(db):
    with pytest.raises(InvalidDocument):
        await db.c.insert_one({"_id": "a", "day": date(2025, 1, 1)})
    assert await db.c.count_documents({}) == 0
    at = datetime(2025, 1, 1, 9, 30, 0, 123456, tzinfo=UTC)
    await db.c.insert_one({"_id": "b", "at": at, "pair": (1, 2)})
    stored = await db.c.find_one({"_id": "b"})
    assert stored["at"] == at.replace(microsecond=123000) and stored["at"].tzinfo is not None
    assert stored["pair"] == [1, 2]


async def test_find_filters_sorts_limits_and_projects(db):
    for i, (app, n) in enumerate([("x", 1), ("y", 1), ("x", 3), ("x", 2)]):
        await db.c.insert_one({"_id": i, "application_id": app, "submission": n, "tags": ["t"]})
    cursor = db.c.find({"application_id": "x"})
    newest = await cursor.sort("submission", -1).limit(2).to_list()
    assert [d["submission"] for d in newest] == [3, 2]
    with pytest.raises(InvalidOperation):
        cursor.limit(1)
    assert await db.c.count_documents({"tags": "t", "missing": None}) == 4
    assert await db.c.find_one({"_id": 1}, {"_id": 1}) == {"_id": 1}
    assert await db.c.find_one({"_id": 1}, {"tags": 0, "_id": 0}) == {"application_id": "y",
                                                                       "submission": 1}


async def test_the_database_lists_only_collections_that_exist(db):
    assert db["a"] is db.a and isinstance(db.a, MemoryCollection)
    assert await db.list_collection_names() == []
    await ensure_collections(db, ["a"])  # the runtime's startup step
    await db.b.insert_one({"_id": 1})
    assert sorted(await db.list_collection_names()) == ["a", "b", "processed_events"]
    with pytest.raises(CollectionInvalid):
        await db.create_collection("a")
    await ensure_collections(db, ["a"])  # a second replica starting: nothing to do
    assert await db.command("ping") == {"ok": 1.0}


async def test_aggregate_store_compare_and_set_over_the_fake(db):
    store = AggregateStore(db.aggregates)
    assert await store.create({"_id": "a", "count": 0})
    assert not await store.create({"_id": "a", "count": 7})
    doc = await store.get("a")
    assert await store.cas(doc, Change(set={"count": 1}))
    assert not await store.cas(doc, Change(set={"count": 99}))  # the same, now stale, version
    assert (await store.get("a"))["count"] == 1


async def test_concurrent_writers_lose_races_and_the_store_retries(db):
    store = AggregateStore(db.aggregates)
    await store.create({"_id": "a", "count": 0})
    lost = 0
    cas = store.cas

    async def counting_cas(doc, change):
        nonlocal lost
        won = await cas(doc, change)
        lost += not won
        return won

    store.cas = counting_cas
    await asyncio.gather(*[store.mutate("a", lambda d: Change(set={"count": d["count"] + 1}))
                           for _ in range(5)])
    doc = await store.get("a")
    assert (doc["count"], doc["_v"]) == (5, 5) and lost > 0


async def test_the_outbox_relay_publishes_and_clears_pending_events(db):
    store, published = AggregateStore(db.aggregates), []
    await store.create({"_id": "a"}, [event(1)])
    await store.cas(await store.get("a"), Change(events=[event(2)]))

    async def publish(e):
        published.append(e.id)

    relay = OutboxRelay([db.aggregates], publish)
    assert await relay.drain() == 2 and published == ["e1", "e2"]
    doc = await store.get("a")
    assert (doc["outbox"], doc["outbox_pending"]) == ([], False)
    assert await relay.drain() == 0
