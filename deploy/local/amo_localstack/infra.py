"""The servers of one local stack (PostgreSQL, FerretDB, Kafka, SeaweedFS) as a whole and one by
one, all under the stack's supervisord: start and wait until ready, stop cleanly, crash (what
the fault tests do), and a whole temporary stack for tests and benchmarks.

A server that crashes on its own is restarted by supervisord; `stop_*` keeps it down until the
matching `start_*`. Data stays in the data dir, so the next start finds it again.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .config import StackConfig
from .install import install
from .kafka import ensure_topics, kafka_topics
from .orchestrator import bring_up, start_programs, stop_all
from .postgres import remove_cluster
from .seaweedfs import ensure_buckets, minio_client
from .status import ComponentStatus, stack_rss_mb, status
from .supervision import Supervisor

__all__ = [
    "ComponentStatus",
    "ensure_buckets",
    "ensure_topics",
    "kafka_topics",
    "minio_client",
    "restart_kafka",
    "restart_mongo",
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
]


def start_infra(cfg: StackConfig, *, install_first: bool = False) -> None:
    """Start the servers not running yet, wait until each is ready, create topics and buckets."""
    if install_first:
        install(cfg)
    bring_up(cfg, services=False)


def stop_infra(cfg: StackConfig) -> None:
    """Stop everything of this data dir (services first, PostgreSQL last); the data stays."""
    stop_all(cfg)


def _stop(cfg: StackConfig, name: str, hard: bool) -> None:
    sup = Supervisor(cfg)
    if hard:
        sup.crash(name)
    else:
        sup.stop(name)


def start_kafka(cfg: StackConfig) -> None:
    start_programs(cfg, ["kafka"])
    ensure_topics(cfg)


def stop_kafka(cfg: StackConfig, *, hard: bool = False) -> None:
    """Stop the broker: controlled shutdown (SIGTERM), or a crash (SIGKILL) when `hard`."""
    _stop(cfg, "kafka", hard)


def restart_kafka(cfg: StackConfig, *, hard: bool = False) -> None:
    stop_kafka(cfg, hard=hard)
    start_kafka(cfg)


def start_mongo(cfg: StackConfig) -> None:
    """Start FerretDB (PostgreSQL must be running)."""
    start_programs(cfg, ["ferretdb"])


def stop_mongo(cfg: StackConfig, *, hard: bool = False) -> None:
    _stop(cfg, "ferretdb", hard)


def restart_mongo(cfg: StackConfig) -> None:
    stop_mongo(cfg)
    start_mongo(cfg)


def start_postgres(cfg: StackConfig) -> None:
    start_programs(cfg, ["postgres"])


def stop_postgres(cfg: StackConfig, *, hard: bool = False) -> None:
    _stop(cfg, "postgres", hard)


def start_seaweedfs(cfg: StackConfig) -> None:
    start_programs(cfg, ["seaweedfs"])
    ensure_buckets(cfg)


def stop_seaweedfs(cfg: StackConfig, *, hard: bool = False) -> None:
    _stop(cfg, "seaweedfs", hard)


def remove_stack(cfg: StackConfig) -> None:
    """Delete a stopped stack's data (its PostgreSQL cluster too, wherever it lives)."""
    remove_cluster(cfg)
    shutil.rmtree(cfg.data_dir, ignore_errors=True)


@contextmanager
def temporary_stack(prefix: str = "amo-stack-", **changes: object) -> Iterator[StackConfig]:
    """The servers of a whole stack on free ports in a fresh private data dir, stopped and
    removed on exit (tests, benchmarks, `make chaos`)."""
    cfg = StackConfig.for_tests(Path(tempfile.mkdtemp(prefix=prefix))).replace(**changes)
    install(cfg)
    try:
        start_infra(cfg)  # inside the try: a failed start must not leave servers behind
        yield cfg
    finally:
        stop_all(cfg)
        remove_stack(cfg)
