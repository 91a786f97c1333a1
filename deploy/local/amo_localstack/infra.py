"""Start, check and stop the servers of one local stack (one `StackConfig`).

Every server runs in the background in its own session (process group), with a pid file under
`<data dir>/run` and its log under `<data dir>/logs`. Starting again while a server of the same
data dir is alive reuses it; stopping sends SIGTERM, waits, then SIGKILL (PostgreSQL: `pg_ctl
stop -m fast`). Data stays in the data dir, so the next start finds it again.

Each server has its own module (postgres, ferretdb, kafka, seaweedfs); this one starts, checks
and stops them together.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ._common import ensure_dirs, pid_path, run_async, stack_marker
from .config import StackConfig
from .ferretdb import restart_mongo, start_mongo, stop_mongo, wait_mongo
from .install import install, say
from .kafka import (
    ensure_topics,
    kafka_topics,
    restart_kafka,
    start_kafka,
    stop_kafka,
    wait_kafka,
)
from .postgres import pg_running, postmaster_pid, start_postgres, stop_postgres
from .procs import port_open, rss_bytes, running_pid
from .seaweedfs import (
    ensure_buckets,
    minio_client,
    start_seaweedfs,
    stop_seaweedfs,
    wait_seaweedfs,
)

# The component functions live in their own modules; callers import them from here too.
__all__ = [
    "COMPONENTS",
    "ComponentStatus",
    "ensure_buckets",
    "ensure_topics",
    "kafka_topics",
    "minio_client",
    "pg_running",
    "restart_kafka",
    "restart_mongo",
    "run_async",
    "stack_rss_mb",
    "start_infra",
    "start_kafka",
    "start_mongo",
    "start_postgres",
    "start_seaweedfs",
    "status",
    "stop_infra",
    "stop_kafka",
    "stop_mongo",
    "stop_postgres",
    "stop_seaweedfs",
    "temporary_stack",
    "wait_kafka",
    "wait_mongo",
    "wait_seaweedfs",
]

COMPONENTS = ("postgres", "ferretdb", "kafka", "seaweedfs")


def start_infra(cfg: StackConfig, *, install_first: bool = False) -> None:
    """Start PostgreSQL, FerretDB, Kafka and SeaweedFS (reusing those already running for this
    data dir), wait until each answers, then create the topics and buckets."""
    t0 = time.monotonic()
    if install_first:
        install(cfg)
    ensure_dirs(cfg)
    # Slow starters first, in the background; PostgreSQL and FerretDB meanwhile.
    kafka_pid = start_kafka(cfg, wait=False)
    seaweed_pid = start_seaweedfs(cfg, wait=False)
    try:
        start_postgres(cfg)
        start_mongo(cfg)
        wait_kafka(cfg, kafka_pid)
        wait_seaweedfs(cfg, seaweed_pid)
        ensure_topics(cfg)
        ensure_buckets(cfg)
    except BaseException:
        say("start failed: logs in " + str(cfg.log_dir))
        raise
    say(f"infra up in {time.monotonic() - t0:.1f}s")


def stop_infra(cfg: StackConfig) -> None:
    """Stop every server of this data dir (PostgreSQL last); the data stays."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        for f in [pool.submit(fn, cfg) for fn in (stop_kafka, stop_seaweedfs, stop_mongo)]:
            f.result()
    stop_postgres(cfg)


@dataclass
class ComponentStatus:
    name: str
    pid: int | None
    running: bool
    endpoint: str
    answering: bool
    rss_mb: float


def status(cfg: StackConfig) -> list[ComponentStatus]:
    out = []
    for name, port, endpoint in (
        ("postgres", cfg.pg_port, cfg.pg_dsn),
        ("ferretdb", cfg.mongo_port, cfg.mongo_url),
        ("kafka", cfg.kafka_port, cfg.kafka_bootstrap),
        ("seaweedfs", cfg.s3_port, cfg.s3_url),
    ):
        if name == "postgres":
            pid = postmaster_pid(cfg)
        else:
            pid = running_pid(pid_path(cfg, name), stack_marker(cfg))
        out.append(
            ComponentStatus(
                name=name,
                pid=pid,
                running=pid is not None,
                endpoint=endpoint,
                answering=port_open(cfg.host, port),
                rss_mb=round(rss_bytes(pid) / 2**20, 1) if pid else 0.0,
            )
        )
    return out


def stack_rss_mb(cfg: StackConfig) -> float:
    """Resident memory of all the stack's servers (and their children), in MiB."""
    return round(sum(s.rss_mb for s in status(cfg)), 1)


@contextmanager
def temporary_stack(prefix: str = "amo-stack-") -> Iterator[StackConfig]:
    """A whole stack on free ports in a fresh data dir, stopped and removed on exit (tests and
    benchmarks). Not a tmp_path-style private dir: PostgreSQL runs as `postgres`."""
    data_dir = Path(tempfile.mkdtemp(prefix=prefix))
    data_dir.chmod(0o755)
    cfg = StackConfig.for_tests(data_dir)
    install(cfg)
    try:
        start_infra(cfg)  # inside the try: a failed start must not leave servers behind
        yield cfg
    finally:
        from amo_localstack.services import stop_services  # the launcher builds on this module

        stop_services(cfg)
        stop_infra(cfg)
        shutil.rmtree(data_dir, ignore_errors=True)
