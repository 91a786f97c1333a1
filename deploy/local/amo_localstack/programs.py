"""The one table of everything a local stack runs: every server and every service, declared once.

supervisord's configuration, the start order, the readiness probes, the port checks, `status`
and the stop order are all derived from `PROGRAMS`. A program starts once every program in its
`after` is ready; `kind` says whether it is a server (before the setup steps: topics, buckets,
`prepare`, hardening) or a service (after them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from . import jaeger, keycloak
from ._common import Command, log_path
from .config import SERVICES, StackConfig
from .ferretdb import ferretdb_command, prepare_ferretdb, probe_mongo
from .kafka import kafka_command, prepare_kafka, probe_kafka
from .keycloak import keycloak_command, prepare_keycloak, probe_keycloak
from .mailpit import mailpit_argv, mailpit_dir, prepare_mailpit, probe_mailpit, smtp_endpoint
from .postgres import postgres_command, prepare_postgres, probe_postgres
from .seaweedfs import prepare_seaweedfs, probe_seaweedfs, seaweedfs_command
from .service_programs import probe_service, service_command

SERVER, SERVICE = "server", "service"


def _fields(*names: str) -> Callable[[StackConfig], dict[str, int]]:
    return lambda cfg: {n: getattr(cfg, n) for n in names}


def _none(cfg: StackConfig) -> None:
    return None


@dataclass(frozen=True)
class Program:
    name: str
    kind: str
    command: Callable[[StackConfig], Command]
    probe: Callable[[StackConfig], None]  # raises until the program is ready
    ports: Callable[[StackConfig], dict[str, int]]  # config field -> port it binds
    endpoint: Callable[[StackConfig], str]  # what a client connects to
    url: Callable[[StackConfig], str | None] = _none  # HTTP base URL, if it speaks HTTP
    after: tuple[str, ...] = ()
    prepare: Callable[[StackConfig], None] | None = None  # before each start we make
    optional: bool = False  # only with `traces`
    start_timeout: float | None = None  # seconds to be ready; None: the stack's start_timeout
    stopsignal: str = "TERM"
    stopwaitsecs: int = 20
    stopasgroup: bool = True
    # supervisord's backoff: a process that dies within `startsecs` waits 1 s, 2 s, ... before
    # the next try, `startretries` times; one that ran longer is restarted at once.
    startsecs: int = 3
    startretries: int = 30

    def log_file(self, cfg: StackConfig) -> Path:
        return log_path(cfg, self.name)


def _jaeger_command(cfg: StackConfig) -> Command:
    argv, env = jaeger.jaeger_program(cfg)
    return Command(argv=argv, cwd=jaeger.config_path(cfg).parent, env=env)


def _probe_jaeger(cfg: StackConfig) -> None:
    import httpx

    httpx.get(jaeger.ui_url(cfg), timeout=3.0).raise_for_status()


def _mailpit_command(cfg: StackConfig) -> Command:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(mailpit_dir(cfg))}
    return Command(argv=mailpit_argv(cfg), cwd=mailpit_dir(cfg), env=env)


def _service(name: str, after: tuple[str, ...]) -> Program:
    return Program(
        name=name,
        kind=SERVICE,
        after=after,
        command=partial(service_command, name),
        probe=partial(probe_service, name),
        ports=_fields(f"{name}_http_port"),
        endpoint=lambda cfg: cfg.service_url(name),
        url=lambda cfg: cfg.service_url(name),
        stopwaitsecs=15,
    )


PROGRAMS: tuple[Program, ...] = (
    # PostgreSQL's fast shutdown is SIGINT (SIGTERM waits for every client to leave); its
    # backends hear of a stop from the postmaster, not from a signal to the whole group.
    Program(
        "postgres",
        SERVER,
        postgres_command,
        probe_postgres,
        _fields("pg_port"),
        endpoint=lambda cfg: cfg.pg_dsn,
        prepare=prepare_postgres,
        stopsignal="INT",
        stopwaitsecs=30,
        stopasgroup=False,
    ),
    Program(
        "ferretdb",
        SERVER,
        ferretdb_command,
        probe_mongo,
        _fields("mongo_port", "ferretdb_debug_port"),
        endpoint=lambda cfg: cfg.mongo_url,
        after=("postgres",),
        prepare=prepare_ferretdb,
        stopwaitsecs=10,
    ),
    Program(
        "kafka",
        SERVER,
        kafka_command,
        probe_kafka,
        _fields("kafka_port", "kafka_controller_port", "kafka_tls_port"),
        endpoint=lambda cfg: cfg.kafka_bootstrap,
        prepare=prepare_kafka,
        stopwaitsecs=60,
    ),
    # weed's filer always waits 15 s for its own metadata subscriptions before it stops; a kill
    # after 2 s loses nothing acknowledged (volumes and the filer's leveldb are written through
    # to the kernel and checked at start).
    Program(
        "seaweedfs",
        SERVER,
        seaweedfs_command,
        probe_seaweedfs,
        _fields(
            "s3_port",
            "s3_grpc_port",
            "seaweed_master_port",
            "seaweed_master_grpc_port",
            "seaweed_volume_port",
            "seaweed_volume_grpc_port",
            "seaweed_filer_port",
            "seaweed_filer_grpc_port",
        ),
        endpoint=lambda cfg: cfg.s3_url,
        url=lambda cfg: cfg.s3_url,
        prepare=prepare_seaweedfs,
        stopwaitsecs=2,
    ),
    Program(
        "jaeger",
        SERVER,
        _jaeger_command,
        _probe_jaeger,
        _fields("jaeger_ui_port", "jaeger_otlp_port"),
        endpoint=lambda cfg: jaeger.otlp_endpoint(cfg),
        url=jaeger.ui_url,
        optional=True,
        stopwaitsecs=10,
    ),
    # The mail server notifications send to (UI and API on mailpit_ui_port, SMTP beside it).
    Program(
        "mailpit",
        SERVER,
        _mailpit_command,
        probe_mailpit,
        _fields("mailpit_ui_port", "mailpit_smtp_port"),
        endpoint=smtp_endpoint,
        url=lambda cfg: cfg.mailpit_url,
        prepare=prepare_mailpit,
        stopwaitsecs=10,
    ),
    # The identity provider: realm `amo` on its own database of the stack's PostgreSQL.
    Program(
        "keycloak",
        SERVER,
        keycloak_command,
        probe_keycloak,
        _fields("keycloak_http_port", "keycloak_management_port"),
        endpoint=keycloak.issuer,
        url=keycloak.url,
        after=("postgres",),
        prepare=prepare_keycloak,
        # Its first start creates ~100 tables and imports the realm: 47 s on an idle machine.
        start_timeout=300,
        stopwaitsecs=30,
    ),
    _service("registration", ("ferretdb", "kafka")),
    _service("documents", ("ferretdb", "kafka", "seaweedfs")),
    _service("eligibility", ("ferretdb", "kafka")),
    _service("cards", ("ferretdb", "kafka")),
    _service("claims", ("ferretdb", "kafka")),
    # Not one of the gateway's upstreams: the public API works while notifications restart.
    _service("notifications", ("ferretdb", "kafka", "mailpit")),
    # The gateway last: its /readyz is 200 only once its upstreams' are.
    _service("gateway", ("registration", "documents", "cards", "claims")),
)
assert tuple(p.name for p in PROGRAMS if p.kind == SERVICE) == SERVICES

BY_NAME: dict[str, Program] = {p.name: p for p in PROGRAMS}


def programs_for(cfg: StackConfig) -> list[Program]:
    """The programs this stack runs (the trace viewer only when `traces` is on)."""
    return [p for p in PROGRAMS if cfg.traces or not p.optional]


def names(cfg: StackConfig, kind: str) -> tuple[str, ...]:
    return tuple(p.name for p in programs_for(cfg) if p.kind == kind)
