"""Stacks of their own, beside the session's: a whole stop and start keeps the data, two stacks
run at once, and a start that fails stops what it started and says which program failed."""

from __future__ import annotations

import asyncio
import io
import os
import socket
import tempfile
from pathlib import Path

import pytest
from pymongo import MongoClient
from pymongo.errors import OperationFailure

from amo_localstack import (
    StackConfig,
    Supervisor,
    bring_up,
    harden_mongo,
    install,
    minio_client,
    remove_stack,
    stack_rss_mb,
    start_infra,
    status,
    stop_infra,
)
from amo_localstack import bus as closed_bus
from amo_localstack._common import StartError
from amo_localstack.config import free_port
from amo_localstack.procs import port_open
from amo_localstack.programs import programs_for
from amo_localstack.supervision import config_path

pytestmark = pytest.mark.stack


def _kafka_answers(cfg: StackConfig) -> bool:
    from aiokafka.admin import AIOKafkaAdminClient

    async def topics():
        admin = AIOKafkaAdminClient(**closed_bus.access(cfg).client_options())
        await admin.start()
        try:
            return await admin.list_topics()
        finally:
            await admin.close()

    return bool(asyncio.run(topics()))


def _processes_of(cfg: StackConfig) -> list[int]:
    """Processes whose command line mentions this stack's data dir (its servers, supervisord)."""
    marker = str(cfg.data_dir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and entry.name != str(os.getpid()):
            try:
                if marker in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@pytest.fixture
def own_cfg():
    cfg = StackConfig.for_tests(tempfile.mkdtemp(prefix="amo-own-stack-"))
    install(cfg)
    try:
        yield cfg
    finally:
        stop_infra(cfg)
        remove_stack(cfg)


def test_a_whole_stop_and_start_keeps_the_data_beside_another_stack(stack, own_cfg):
    cfg = own_cfg
    assert not set(cfg.all_ports().values()) & set(stack.cfg.all_ports().values())
    start_infra(cfg)
    with MongoClient(cfg.mongo_url) as c:
        c["amo_restart_test"]["keep"].insert_one({"_id": "k", "_v": 0})
    with MongoClient(stack.mongo_url) as other:
        assert other["amo_restart_test"]["keep"].find_one({"_id": "k", "_v": 0}) is None
    harden_mongo(cfg, verbose=False)
    minio_client(cfg).put_object(cfg.buckets[0], "tests/keep.txt", io.BytesIO(b"kept"), 4)
    rss = stack_rss_mb(cfg)
    print(f"second stack resident memory: {rss} MiB")
    assert rss > 0
    # A running supervisord takes a changed table (a program added, one changed, then removed).
    changed = cfg.replace(traces=True, cards_http_port=free_port())
    Supervisor(changed).ensure_running(programs_for(changed))
    sup = Supervisor(cfg)
    assert {"jaeger", "cards"} <= set(sup.all_info())
    assert f'AMO_CARDS_HTTP_PORT="{changed.cards_http_port}"' in config_path(cfg).read_text()
    sup.ensure_running(programs_for(cfg))
    assert "jaeger" not in sup.all_info() and sup.state("postgres") == "RUNNING"

    stop_infra(cfg)
    assert not Supervisor(cfg).running() and not any(s.running for s in status(cfg))
    assert not _processes_of(cfg), "nothing of the stack is left running"
    start_infra(cfg)
    start_infra(cfg)  # twice is fine: reuses what runs
    with MongoClient(cfg.mongo_url) as c:
        assert c["amo_restart_test"]["keep"].find_one({"_id": "k"}) == {"_id": "k", "_v": 0}
        # The version guard survives too (it lives in PostgreSQL).
        with pytest.raises(OperationFailure, match="stale write"):
            c["amo_restart_test"]["keep"].update_one({"_id": "k"}, {"$set": {"x": 1}})
    r = minio_client(cfg).get_object(cfg.buckets[0], "tests/keep.txt")
    try:
        assert r.read() == b"kept"
    finally:
        r.close()
        r.release_conn()
    assert _kafka_answers(cfg)
    assert all(s.ready for s in status(cfg) if s.kind == "server")


def test_a_failed_start_stops_what_it_started_and_names_the_culprit(own_cfg):
    cfg = own_cfg
    # A log file left world-readable by an older version: tightened at the next start.
    cfg.log_dir.mkdir(parents=True)
    old_log = cfg.log_dir / "postgres.log"
    old_log.write_text("from before\n")
    old_log.chmod(0o644)
    with socket.socket() as squatter:  # another program holds FerretDB's port
        squatter.bind((cfg.host, cfg.mongo_port))
        squatter.listen()
        with pytest.raises(StartError) as failure:
            bring_up(cfg, services=False)
    assert failure.value.program == "ferretdb"
    assert f"{cfg.host}:{cfg.mongo_port}" in str(failure.value)
    assert "AMO_MONGO_PORT" in str(failure.value)
    # PostgreSQL, Kafka and SeaweedFS had started: all stopped again, supervisord too.
    assert not Supervisor(cfg).running()
    assert not _processes_of(cfg), "nothing of the failed start is left running"
    for port in (cfg.pg_port, cfg.kafka_port, cfg.s3_port):
        assert not port_open(cfg.host, port)
    assert old_log.stat().st_mode & 0o777 == 0o600
    assert "from before" in old_log.read_text()


def test_a_program_that_exits_during_start_up_is_reported_with_its_log(own_cfg):
    cfg = own_cfg.replace(kafka_heap="1k")  # the JVM refuses a heap that small and exits
    with pytest.raises(StartError) as failure:
        bring_up(cfg, services=False)
    assert failure.value.program == "kafka"
    assert "exited" in failure.value.reason
    assert str(cfg.log_dir / "kafka.log") in str(failure.value)
    assert "heap" in str(failure.value).lower(), "the end of its log says why"
    assert not Supervisor(cfg).running() and not _processes_of(cfg)
