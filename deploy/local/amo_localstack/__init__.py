"""Local stack without Docker: Apache Kafka (KRaft), FerretDB on PostgreSQL, SeaweedFS (S3),
on 127.0.0.1, data under a git-ignored dir (`<repo>/.local/` or `$AMO_LOCAL_DIR`).

The test suite starts a second stack with `StackConfig.for_tests(tmp_dir)`:

    cfg = StackConfig.for_tests(tmp_dir)
    install(cfg); start_infra(cfg)
    ...
    harden_mongo(cfg)      # after the services created their collections
    stop_infra(cfg)
"""

from .config import ENV_VARS, StackConfig, free_port
from .harden import HardenSummary, harden_mongo
from .infra import (
    ensure_buckets,
    ensure_topics,
    kafka_topics,
    minio_client,
    restart_kafka,
    restart_mongo,
    stack_rss_mb,
    start_infra,
    start_kafka,
    start_mongo,
    start_postgres,
    start_seaweedfs,
    status,
    stop_infra,
    stop_kafka,
    stop_mongo,
    stop_postgres,
    stop_seaweedfs,
)
from .install import install
from .procs import wait_http, wait_port

__all__ = [
    "ENV_VARS",
    "HardenSummary",
    "StackConfig",
    "ensure_buckets",
    "ensure_topics",
    "free_port",
    "harden_mongo",
    "install",
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
    "wait_http",
    "wait_port",
]
