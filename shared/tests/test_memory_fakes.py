"""The contract tier's in-memory database answers as the server does for what the store, the
dedup records and the relay ask of it: each behaviour test runs on the fake and on the real
Mongo-wire server of the local stack, and must pass on both."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from uuid import uuid4

import pytest
from bson.errors import InvalidDocument
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

from amo_fakes import MemoryDatabase
from amo_shared.aggregates import AggregateStore, Change
from amo_shared.envelope import OutgoingEvent
from amo_shared.outbox import OutboxRelay


@pytest.fixture(params=["memory", pytest.param("server", marks=pytest.mark.stack)])
def mongo_url(request) -> str | None:
    return None if request.param == "memory" else request.getfixturevalue("stack").mongo_url


@pytest.fixture
async def db(mongo_url):
    if mongo_url is None:
        yield MemoryDatabase()
        return
    # As the services read documents: tz-aware datetimes.
    client = AsyncMongoClient(mongo_url, tz_aware=True)
    database = client[f"amo_test_fakes_{uuid4().hex[:8]}"]
    yield database
    await client.drop_database(database.name)
    await client.close()


def event(n: int) -> OutgoingEvent:
    return OutgoingEvent(
        id=f"e{n}",
        topic="t",
        key="k",
        type="ty",
        source="s",
        subject="k",
        time="2025-01-01T00:00:00Z",
        payload="{}",
        traceparent=f"00-{'1' * 32}-{'2' * 16}-01",
    )


async def test_a_taken_id_is_a_duplicate_key_and_the_stored_document_stays(db):
    await db["c"].insert_one({"_id": "a", "n": 1})
    with pytest.raises(DuplicateKeyError):
        await db["c"].insert_one({"_id": "a", "n": 2})
    assert await db["c"].find_one({"_id": "a"}) == {"_id": "a", "n": 1}
    assert await db["c"].count_documents({}) == 1


async def test_a_unique_index_refuses_a_taken_key(db):
    # Unique keys are written at creation only: an update onto a taken key is refused by both
    # servers, but FerretDB v1 says so with an InternalError, so no code may rely on its shape.
    await db["c"].create_index("member_number", unique=True)
    await db["c"].insert_one({"_id": "a", "member_number": "M1"})
    await db["c"].insert_one({"_id": "b", "member_number": "M2"})
    with pytest.raises(DuplicateKeyError):
        await db["c"].insert_one({"_id": "c", "member_number": "M1"})
    assert [d["_id"] async for d in db["c"].find({"member_number": "M1"})] == ["a"]
    # Rewriting a document's own key is no collision.
    result = await db["c"].update_one({"_id": "a"}, {"$set": {"member_number": "M1"}})
    assert result.matched_count == 1


async def test_a_stale_version_matches_nothing_and_changes_nothing(db):
    await db["c"].insert_one({"_id": "a", "_v": 3, "s": "x"})
    stale = await db["c"].update_one({"_id": "a", "_v": 2}, {"$set": {"s": "y"}, "$inc": {"_v": 1}})
    assert stale.matched_count == 0
    assert await db["c"].find_one({"_id": "a"}) == {"_id": "a", "_v": 3, "s": "x"}
    fresh = await db["c"].update_one(
        {"_id": "a", "_v": 3}, {"$set": {"s": "y", "nested.n": 1}, "$inc": {"_v": 1}}
    )
    assert fresh.matched_count == 1
    assert await db["c"].find_one({"_id": "a", "_v": 4}) == {
        "_id": "a",
        "_v": 4,
        "s": "y",
        "nested": {"n": 1},
    }


async def test_documents_go_through_bson_and_are_copied_in_and_out(db):
    with pytest.raises(InvalidDocument):
        await db["c"].insert_one({"_id": "a", "day": date(2025, 1, 1)})
    at = datetime(2025, 1, 1, 9, 30, 0, 123456, tzinfo=UTC)
    doc = {"_id": "b", "at": at, "pair": (1, 2), "nested": {"items": [1]}}
    await db["c"].insert_one(doc)
    doc["nested"]["items"].append(2)
    read = await db["c"].find_one({"_id": "b"})
    assert read["at"] == at.replace(microsecond=123000) and read["at"].tzinfo is not None
    assert read["pair"] == [1, 2] and read["nested"]["items"] == [1]
    read["nested"]["items"].append(3)
    assert (await db["c"].find_one({"_id": "b"}))["nested"]["items"] == [1]


async def test_find_filters_sorts_limits_and_projects(db):
    for i, (app, n) in enumerate([("x", 1), ("y", 1), ("x", 3), ("x", 2)]):
        await db["c"].insert_one(
            {
                "_id": i,
                "application_id": app,
                "submission": n,
                "tags": ["t"],
                "status": "parked" if n == 1 else "released",
            }
        )
    newest = await db["c"].find({"application_id": "x"}).sort("submission", -1).limit(2).to_list()
    assert [d["submission"] for d in newest] == [3, 2]
    assert await db["c"].count_documents({"tags": "t", "missing": None}) == 4
    assert await db["c"].count_documents({"status": {"$ne": "parked"}}) == 2
    assert await db["c"].count_documents({"submission": {"$in": [2, 3]}}) == 2
    assert await db["c"].find_one({"_id": 1}, {"_id": 1}) == {"_id": 1}
    assert [d async for d in db["c"].find({"status": "parked"}, {"application_id": 1})] == [
        {"_id": 0, "application_id": "x"},
        {"_id": 1, "application_id": "y"},
    ]


async def test_the_store_answers_its_queries_by_equality(db):
    store = AggregateStore(db["cards"])
    await store.ensure_index("member_number", unique=True)
    await store.ensure_index([("application_id", 1), ("submission", -1)])
    for app_id, number, submission in [("a", "M1", 1), ("b", "M2", 1), ("c", "M3", 2)]:
        assert await store.create(
            {
                "_id": app_id,
                "member_number": number,
                "application_id": "x",
                "submission": submission,
            }
        )
    assert not await store.create({"_id": "d", "member_number": "M1"})  # the unique key
    assert (await store.find_one({"member_number": "M2"}))["_id"] == "b"
    assert await store.find_one({"member_number": "M9"}) is None
    latest = await store.find({"application_id": "x"}, sort=[("submission", -1)], limit=1)
    assert [d["_id"] for d in latest] == ["c"]
    assert [d["_id"] for d in await store.find(sort=[("_id", -1)])] == ["c", "b", "a"]
    assert (await store.count(), await store.count({"submission": 1})) == (3, 2)


async def test_the_store_compares_and_sets(db):
    store = AggregateStore(db["aggregates"])
    assert await store.create({"_id": "a", "count": 0})
    assert not await store.create({"_id": "a", "count": 7})
    doc = await store.get("a")
    assert await store.cas(doc, Change(set={"count": 1}, push={"seen": ["x"]}))
    assert not await store.cas(doc, Change(set={"count": 99}))  # the same, now stale, version
    assert {k: v for k, v in (await store.get("a")).items() if k != "outbox"} == {
        "_id": "a",
        "count": 1,
        "seen": ["x"],
        "_v": 1,
        "outbox_pending": False,
    }


async def test_the_store_refuses_operators_which_leave_the_common_subset():
    store = AggregateStore(MemoryDatabase()["c"])
    with pytest.raises(ValueError, match="equality only"):
        await store.find({"submission": {"$gt": 1}})
    with pytest.raises(ValueError, match="equality only"):
        await store.count({"$or": [{"a": 1}]})
    with pytest.raises(ValueError, match="1 \\(ascending\\) or -1"):
        await store.ensure_index([("a", "up")])


async def test_what_the_fake_does_not_imitate_it_refuses():
    db = MemoryDatabase()
    await db["c"].insert_one({"_id": "a", "l": []})
    with pytest.raises(NotImplementedError):
        await db["c"].update_one({"_id": "a"}, {"$push": {"l": 1}})
    with pytest.raises(NotImplementedError):
        await db["c"].find_one({"l": {"$size": 0}})
    with pytest.raises(NotImplementedError):
        await db["c"].find_one({"_id": "a"}, {"l": 0})


async def test_concurrent_writers_lose_races_and_the_store_retries():
    store = AggregateStore(MemoryDatabase()["aggregates"])
    await store.create({"_id": "a", "count": 0})
    lost = 0
    cas = store.cas

    async def counting_cas(doc, change):
        nonlocal lost
        won = await cas(doc, change)
        lost += not won
        return won

    store.cas = counting_cas
    await asyncio.gather(
        *[store.mutate("a", lambda d: Change(set={"count": d["count"] + 1})) for _ in range(5)]
    )
    doc = await store.get("a")
    assert (doc["count"], doc["_v"]) == (5, 5) and lost > 0


async def test_the_outbox_relay_publishes_and_clears_pending_events():
    db = MemoryDatabase()
    store, published = AggregateStore(db["aggregates"]), []
    await store.create({"_id": "a"}, [event(1)])
    await store.cas(await store.get("a"), Change(events=[event(2)]))

    async def publish(e):
        published.append(e.id)

    relay = OutboxRelay([db["aggregates"]], publish)
    assert await relay.drain() == 2 and published == ["e1", "e2"]
    doc = await store.get("a")
    assert (doc["outbox"], doc["outbox_pending"]) == ([], False)
    assert await relay.drain() == 0
