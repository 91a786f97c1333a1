"""The local stack for real: Kafka, FerretDB on PostgreSQL and SeaweedFS, started on free ports in
a temporary data dir (never the platform's own `.local/data`), once for this module."""

from __future__ import annotations

import asyncio
import io
import random
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient, MongoClient
from pymongo.errors import OperationFailure

from amo_localstack import (
    StackConfig,
    harden_mongo,
    install,
    kafka_topics,
    minio_client,
    restart_kafka,
    restart_mongo,
    stack_rss_mb,
    start_infra,
    status,
    stop_infra,
)
from amo_shared.topics import ALL_TOPICS, APPLICATION_SUBMITTED, DEFAULT_PARTITIONS

pytestmark = pytest.mark.stack


def _private_tmp(prefix: str) -> Path:
    # Not pytest's tmp_path: its parents are 0700 and PostgreSQL runs as user `postgres`.
    d = Path(tempfile.mkdtemp(prefix=prefix))
    d.chmod(0o755)
    return d


@pytest.fixture(scope="module")
def cfg():
    data_dir = _private_tmp("amo-localstack-test-")
    cfg = StackConfig.for_tests(data_dir)
    install(cfg)
    start_infra(cfg)
    try:
        yield cfg
    finally:
        stop_infra(cfg)
        shutil.rmtree(data_dir, ignore_errors=True)


def test_config_defaults_and_env(monkeypatch):
    for var in ("AMO_LOCAL_DIR", "AMO_KAFKA_PORT", "AMO_MONGO_PORT", "AMO_S3_PORT", "AMO_PG_PORT"):
        monkeypatch.delenv(var, raising=False)
    d = StackConfig.from_env()
    assert d.kafka_bootstrap == "127.0.0.1:9092"
    assert d.mongo_url == "mongodb://127.0.0.1:27017/"
    assert d.s3_endpoint == "127.0.0.1:8333"
    assert d.pg_port == 54329 and d.buckets == ("amo-documents",)
    assert d.data_dir.parts[-2:] == (".local", "data")
    monkeypatch.setenv("AMO_LOCAL_DIR", "/tmp/elsewhere")
    monkeypatch.setenv("AMO_KAFKA_PORT", "19092")
    monkeypatch.setenv("AMO_MONGO_PORT", "37017")
    e = StackConfig.from_env()
    assert e.data_dir == Path("/tmp/elsewhere") and e.kafka_bootstrap == "127.0.0.1:19092"
    assert e.mongo_url == "mongodb://127.0.0.1:37017/"
    assert e.cache_dir == d.cache_dir  # binaries are shared between stacks
    t = StackConfig.for_tests("/tmp/x")
    assert len(set(t.all_ports().values())) == len(t.all_ports())


def test_every_topic_exists_with_its_partitions(cfg):
    topics = set(kafka_topics(cfg))
    assert set(ALL_TOPICS) <= topics

    async def partitions() -> dict[str, int]:
        from aiokafka.admin import AIOKafkaAdminClient

        admin = AIOKafkaAdminClient(bootstrap_servers=cfg.kafka_bootstrap)
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
    producer = AIOKafkaProducer(bootstrap_servers=cfg.kafka_bootstrap, enable_idempotence=True)
    await producer.start()
    try:
        for i in range(n):
            await producer.send_and_wait(
                APPLICATION_SUBMITTED, key=f"{run}-{i % 3}".encode(), value=f"{run}:{i}".encode(),
                headers=[("ce_id", f"{run}-{i}".encode())],
            )
    finally:
        await producer.stop()
    consumer = AIOKafkaConsumer(
        APPLICATION_SUBMITTED, bootstrap_servers=cfg.kafka_bootstrap, group_id=f"test-{run}",
        auto_offset_reset="earliest", enable_auto_commit=False,
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
    s3.put_object(cfg.buckets[0], "tests/blob.bin", io.BytesIO(body), len(body),
                  content_type="application/octet-stream")
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
        [psql, cfg.pg_dsn, "-X", "-A", "-t", "-c",
         f"EXPLAIN SELECT _jsonb FROM amo_explain_test.{table} WHERE _jsonb->'_id' @> '1'"],
        capture_output=True, text=True, check=True,
    ).stdout
    print(plan)
    assert "_amogin" in plan and "Index" in plan, plan


def test_restart_keeps_data_and_fault_helpers(cfg):
    sync = MongoClient(cfg.mongo_url)
    sync["amo_restart_test"]["keep"].insert_one({"_id": "k", "_v": 0})
    sync.close()
    harden_mongo(cfg, verbose=False)
    s3 = minio_client(cfg)
    s3.put_object(cfg.buckets[0], "tests/keep.txt", io.BytesIO(b"kept"), 4)
    asyncio.run(_kafka_roundtrip(cfg, 3))

    # The fault-test helpers: one server down and back, mid-flow.
    restart_kafka(cfg)
    restart_mongo(cfg)
    assert asyncio.run(_kafka_roundtrip(cfg, 3))

    stop_infra(cfg)
    assert not any(s.running for s in status(cfg))
    start_infra(cfg)
    start_infra(cfg)  # twice is fine: reuses what runs
    sync = MongoClient(cfg.mongo_url)
    assert sync["amo_restart_test"]["keep"].find_one({"_id": "k"}) == {"_id": "k", "_v": 0}
    sync.close()
    r = s3.get_object(cfg.buckets[0], "tests/keep.txt")
    assert r.read() == b"kept"
    r.close()
    r.release_conn()
    # The version guard survives too (it lives in PostgreSQL).
    with MongoClient(cfg.mongo_url) as c, pytest.raises(OperationFailure, match="stale write"):
        c["amo_restart_test"]["keep"].update_one({"_id": "k"}, {"$set": {"x": 1}})


def test_two_stacks_at_once(cfg):
    other_dir = _private_tmp("amo-localstack-second-")
    other = StackConfig.for_tests(other_dir)
    assert not set(other.all_ports().values()) & set(cfg.all_ports().values())
    try:
        start_infra(other)
        a, b = MongoClient(cfg.mongo_url), MongoClient(other.mongo_url)
        b["amo_two"]["c"].insert_one({"_id": "only-in-b"})
        assert a["amo_two"]["c"].find_one({"_id": "only-in-b"}) is None
        a.close()
        b.close()
        assert asyncio.run(_kafka_roundtrip(other, 2))
        assert minio_client(other).bucket_exists(other.buckets[0])
        rss = stack_rss_mb(other)
        print(f"second stack resident memory: {rss} MiB")
        assert rss > 0
    finally:
        stop_infra(other)
        shutil.rmtree(other_dir, ignore_errors=True)
    assert all(s.running for s in status(cfg))
