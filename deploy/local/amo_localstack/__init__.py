"""Local stack without Docker: Apache Kafka (KRaft), FerretDB on PostgreSQL, SeaweedFS (S3) and
the platform's services on 127.0.0.1, every one a program of the stack's own supervisord, data
under a git-ignored dir (`<repo>/.local/` or `$AMO_LOCAL_DIR`).

The test suite starts a second stack with `temporary_stack()` (free ports, temporary data):

    with temporary_stack("amo-test-") as cfg:   # servers, topics, buckets
        start_services(cfg)                     # prepare, hardening, services, gateway
        ...
"""

from .config import ENV_VARS, StackConfig, free_port
from .harden import HardenSummary, harden_mongo
from .infra import (
    ensure_buckets,
    ensure_topics,
    kafka_topics,
    minio_client,
    remove_stack,
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
    temporary_stack,
)
from .install import install
from .orchestrator import bring_up, stop_all
from .procs import wait_http, wait_port
from .services import ServicePorts, service_pids, start_service, start_services, stop_service
from .supervision import Supervisor

__all__ = [
    "ENV_VARS",
    "HardenSummary",
    "ServicePorts",
    "StackConfig",
    "Supervisor",
    "bring_up",
    "ensure_buckets",
    "ensure_topics",
    "free_port",
    "harden_mongo",
    "install",
    "kafka_topics",
    "minio_client",
    "remove_stack",
    "restart_kafka",
    "restart_mongo",
    "service_pids",
    "stack_rss_mb",
    "start_infra",
    "start_kafka",
    "start_mongo",
    "start_postgres",
    "start_seaweedfs",
    "start_service",
    "start_services",
    "status",
    "stop_all",
    "stop_infra",
    "stop_kafka",
    "stop_mongo",
    "stop_postgres",
    "stop_seaweedfs",
    "stop_service",
    "temporary_stack",
    "wait_http",
    "wait_port",
]
