"""The servers of the session's stack for real (Kafka, FerretDB on PostgreSQL, SeaweedFS, under
the stack's supervisord): topics, a Kafka round trip, Mongo, S3, the hardening step, and the
fault helpers other tests use (a server restarted mid-session)."""

from __future__ import annotations

import asyncio
import io
import random
import shutil
import subprocess
import uuid

import pytest
from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import OperationFailure

from amo_localstack import (
    StackConfig,
    harden_mongo,
    kafka_topics,
    minio_client,
    restart_kafka,
    restart_mongo,
    status,
)
from amo_localstack import bus as closed_bus
from amo_localstack.postgres import pg_home
from amo_shared.topics import ALL_TOPICS, APPLICATION_SUBMITTED, DEFAULT_PARTITIONS

pytestmark = pytest.mark.stack


@pytest.fixture(scope="module")
def cfg(stack) -> StackConfig:
    return stack.cfg


def test_every_topic_exists_with_its_partitions(cfg):
    topics = set(kafka_topics(cfg))
    assert set(ALL_TOPICS) <= topics

    async def partitions() -> dict[str, int]:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(**closed_bus.access(cfg).client_options())
        await admin.start()
        try:
            described = await admin.describe_topics(list(ALL_TOPICS))
            return {d["topic"]: len(d["partitions"]) for d in described}
        finally:
            await admin.close()

    assert set(asyncio.run(partitions()).values()) == {DEFAULT_PARTITIONS}


async def _kafka_roundtrip(cfg: StackConfig, n: int = 10) -> list[tuple[bytes, bytes]]:
    from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

    run = uuid.uuid4().hex
    producer = AIOKafkaProducer(**closed_bus.access(cfg).client_options(), enable_idempotence=True)
    await producer.start()
    try:
        for i in range(n):
            await producer.send_and_wait(
                APPLICATION_SUBMITTED,
                key=f"{run}-{i % 3}".encode(),
                value=f"{run}:{i}".encode(),
                headers=[("ce_id", f"{run}-{i}".encode())],
            )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        APPLICATION_SUBMITTED,
        **closed_bus.access(cfg).client_options(),
        group_id=f"test-{run}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    got: list[tuple[bytes, bytes]] = []
    try:
        async with asyncio.timeout(30):
            while len(got) < n:
                batch = await consumer.getmany(timeout_ms=1000)
                for records in batch.values():
                    got += [(r.key, r.value) for r in records if r.value.startswith(run.encode())]
        await consumer.commit()
    finally:
        await consumer.stop()
    return got


def test_kafka_idempotent_producer_and_consumer_roundtrip(cfg):
    got = asyncio.run(_kafka_roundtrip(cfg))
    assert len(got) == 10
    # per key, in order
    by_key: dict[bytes, list[int]] = {}
    for k, v in got:
        by_key.setdefault(k, []).append(int(v.split(b":")[1]))
    assert all(seq == sorted(seq) for seq in by_key.values())


def test_mongo_insert_and_find(cfg):
    async def go():
        client = AsyncMongoClient(cfg.mongo_url)
        try:
            col = client["amo_stack_test"]["things"]
            await col.insert_one({"_id": "a", "_v": 0, "name": "alpha"})
            return await col.find_one({"_id": "a"})
        finally:
            await client.close()

    assert asyncio.run(go()) == {"_id": "a", "_v": 0, "name": "alpha"}


def test_s3_put_and_get(cfg):
    s3 = minio_client(cfg)
    body = random.randbytes(100_000)
    s3.put_object(
        cfg.buckets[0],
        "tests/blob.bin",
        io.BytesIO(body),
        len(body),
        content_type="application/octet-stream",
    )
    r = s3.get_object(cfg.buckets[0], "tests/blob.bin")
    try:
        assert r.read() == body
    finally:
        r.close()
        r.release_conn()


def test_version_guard_makes_compare_and_set_atomic(cfg):
    sync = MongoClient(cfg.mongo_url)
    db = sync["amo_guard_test"]
    db.create_collection("counters")
    db.counters.create_index([("owner", 1), ("meta.kind", -1)], name="owner_kind")
    db.counters.insert_one({"_id": 1, "_v": 0, "n": 0, "owner": "x", "meta": {"kind": "k"}})

    first = harden_mongo(cfg)
    again = harden_mongo(cfg)
    assert first.guards >= 1 and again.guards_created == 0 and again.gin_indexes_created == 0
    assert first.details["amo_guard_test.counters"] == ["_id", "owner", "meta.kind"]

    # An update that does not bump _v is refused.
    with pytest.raises(OperationFailure, match="stale write"):
        db.counters.update_one({"_id": 1}, {"$set": {"n": 99}})
    assert db.counters.find_one({"_id": 1})["n"] == 0

    # 50 racing read-and-CAS increments: none lost.
    async def racer(col) -> int:
        attempts = 0
        while True:
            attempts += 1
            doc = await col.find_one({"_id": 1})
            try:
                r = await col.update_one({"_id": 1, "_v": doc["_v"]}, {"$inc": {"n": 1, "_v": 1}})
                if r.matched_count == 1:
                    return attempts
            except OperationFailure as e:
                if "stale write" not in str(e):
                    raise
            await asyncio.sleep(random.random() * 0.01)

    async def race() -> list[int]:
        client = AsyncMongoClient(cfg.mongo_url, maxPoolSize=60)
        try:
            col = client["amo_guard_test"]["counters"]
            return await asyncio.gather(*(racer(col) for _ in range(50)))
        finally:
            await client.close()

    attempts = asyncio.run(race())
    doc = db.counters.find_one({"_id": 1})
    sync.close()
    assert doc["n"] == 50 and doc["_v"] == 50
    print(f"50 racing CAS writers: max {max(attempts)} attempts, total {sum(attempts)}")


def test_gin_index_serves_id_lookups(cfg):
    sync = MongoClient(cfg.mongo_url)
    col = sync["amo_explain_test"]["docs"]
    col.insert_many([{"_id": i, "_v": 0, "k": f"v{i}"} for i in range(3000)])
    sync.close()
    harden_mongo(cfg)  # indexes, then ANALYZE
    import psycopg

    with psycopg.connect(cfg.pg_dsn) as conn:
        table = conn.execute(
            "SELECT _jsonb->>'table' FROM amo_explain_test._ferretdb_database_metadata "
            "WHERE _jsonb->>'_id' = 'docs'"
        ).fetchone()[0]
    psql = shutil.which("psql") or str(cfg.pg_bin_dir / "psql")
    plan = subprocess.run(
        [
            psql,
            cfg.pg_dsn,
            "-X",
            "-A",
            "-t",
            "-c",
            f"EXPLAIN SELECT _jsonb FROM amo_explain_test.{table} WHERE _jsonb->'_id' @> '1'",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    print(plan)
    assert "_amogin" in plan and "Index" in plan, plan


def test_fault_helpers_restart_a_server_and_it_serves_again(cfg):
    sync = MongoClient(cfg.mongo_url)
    sync["amo_restart_test"]["keep"].insert_one({"_id": "k", "_v": 0})
    sync.close()
    restart_kafka(cfg)
    restart_mongo(cfg)
    assert asyncio.run(_kafka_roundtrip(cfg, 3))
    with MongoClient(cfg.mongo_url) as c:
        assert c["amo_restart_test"]["keep"].find_one({"_id": "k"}) == {"_id": "k", "_v": 0}
    assert all(s.ready for s in status(cfg) if s.kind == "server")


def test_postgres_cluster_lives_where_its_user_can_reach_it(cfg):
    """The session's data dir is a private (0700) temporary dir: as root, PostgreSQL (run as
    `postgres`) cannot reach it, so its cluster lives outside, owned by `postgres`, 0700."""
    import os

    home = pg_home(cfg)
    assert (home / "data" / "PG_VERSION").is_file()
    if os.geteuid() != 0:
        assert home == cfg.data_dir / "pg"
        return
    assert cfg.data_dir.stat().st_mode & 0o777 == 0o700, "the user's directory is not loosened"
    assert not str(home).startswith(str(cfg.data_dir))
    import pwd

    assert home.stat().st_uid == pwd.getpwnam("postgres").pw_uid
    assert home.stat().st_mode & 0o077 == 0
    assert (home / "stack.id").read_text() == (cfg.data_dir / "stack.id").read_text()
