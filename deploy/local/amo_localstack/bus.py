"""The closed bus: who may connect to Kafka and what each principal may do.

- Credentials: one SCRAM-SHA-512 principal per service (named after it) and `admin` (the
  stack's own setup, operators' tools, the test suite), passwords drawn at first run into a
  0600 file of the data dir, never in the repository. The broker learns them when its storage is
  formatted; a principal added later (a new service) is registered with Kafka's ConfigCommand.
- TLS (`kafka_tls.py`): a local CA made at first run signs the broker's certificate for the
  TLS listener, the one clients from outside the host use; they trust `tls/ca.crt`.
- ACLs (StandardAuthorizer, nothing allowed unless granted): from `amo_shared.topics`' maps,
  each service writes only the topics it owns and reads only those it consumes, in its own
  consumer groups (docs/architecture.md#security).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
from dataclasses import dataclass
from pathlib import Path

from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.protocol.admin import CreateAclsRequest_v1
from aiokafka.protocol.api import Request

from amo_shared.kafka_access import MECHANISM, KafkaAccess
from amo_shared.topics import BUS_SERVICES, CONSUMES, PRODUCES, consumer_groups, dlt

from ._common import run_async
from .config import StackConfig, resource
from .kafka_tls import ca_file

ADMIN = "admin"

# Kafka's ACL protocol codes (org.apache.kafka.common.acl / resource).
TOPIC, GROUP, CLUSTER = 2, 3, 4
LITERAL = 3
READ, WRITE, DESCRIBE, IDEMPOTENT_WRITE = 3, 4, 8, 12
ALLOW = 3


def principals() -> tuple[str, ...]:
    return (ADMIN, *BUS_SERVICES)


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(text)
    tmp.replace(path)


def credentials(cfg: StackConfig) -> dict[str, str]:
    """Every principal's password; a principal missing from the file gets one now."""
    path = cfg.kafka_credentials_file
    known: dict[str, str] = json.loads(path.read_text()) if path.is_file() else {}
    missing = [p for p in principals() if p not in known]
    if missing:
        known |= {p: secrets.token_urlsafe(24) for p in missing}
        _write_private(path, json.dumps(known, indent=2) + "\n")
    return known


def access(cfg: StackConfig, principal: str = ADMIN, *, tls: bool = False) -> KafkaAccess:
    """How `principal` connects to this stack's broker (over the TLS listener with `tls`)."""
    password = credentials(cfg)[principal]
    if tls:
        return KafkaAccess(cfg.kafka_tls_bootstrap, principal, password, ca_file=ca_file(cfg))
    return KafkaAccess(cfg.kafka_bootstrap, principal, password)


def scram_arguments(cfg: StackConfig) -> list[str]:
    """`kafka-storage format` arguments registering every principal at format time."""
    args = []
    for name, password in credentials(cfg).items():
        args += ["--add-scram", f"{MECHANISM}=[name={name},password={password}]"]
    return args


def _registered_file(cfg: StackConfig) -> Path:
    return cfg.kafka_dir / "scram-registered.json"


def mark_registered(cfg: StackConfig, names: list[str]) -> None:
    done = set(registered(cfg)) | set(names)
    _write_private(_registered_file(cfg), json.dumps(sorted(done)) + "\n")


def registered(cfg: StackConfig) -> list[str]:
    path = _registered_file(cfg)
    return json.loads(path.read_text()) if path.is_file() else []


def admin_properties(cfg: StackConfig) -> Path:
    """A client properties file for Kafka's own tools as `admin` (0600, rewritten each start):
    `make watch`, `make lag`, ConfigCommand."""
    password = credentials(cfg)[ADMIN]
    path = cfg.kafka_dir / "admin.properties"
    _write_private(
        path,
        "security.protocol=SASL_PLAINTEXT\n"
        f"sasl.mechanism={MECHANISM}\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required "
        f'username="{ADMIN}" password="{password}";\n',
    )
    return path


def register_missing_users(cfg: StackConfig, java: str) -> list[str]:
    """Principals the broker does not know yet (added after its storage was formatted), given
    their SCRAM credentials through the running broker; returns their names."""
    missing = [p for p in credentials(cfg) if p not in registered(cfg)]
    if ADMIN in missing:
        raise RuntimeError(
            f"{cfg.kafka_dir} was formatted before the bus was closed, without an admin "
            "principal: stop the stack and remove that directory (its events are lost), "
            "then start again"
        )
    passwords = credentials(cfg)
    for name in missing:
        r = subprocess.run(
            [
                java,
                "-Xmx128m",
                "-XX:TieredStopAtLevel=1",
                f"-Dlog4j2.configurationFile={resource('log4j2.properties')}",
                "-cp",
                f"{cfg.kafka_libs_dir}/*",
                "org.apache.kafka.tools.ConfigCommand",
                "--bootstrap-server",
                cfg.kafka_bootstrap,
                "--command-config",
                str(admin_properties(cfg)),
                "--alter",
                "--entity-type",
                "users",
                "--entity-name",
                name,
                "--add-config",
                f"{MECHANISM}=[password={passwords[name]}]",
            ],
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            raise RuntimeError(f"registering Kafka user {name} failed:\n{r.stdout}\n{r.stderr}")
        mark_registered(cfg, [name])
    return missing


# --- ACLs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Acl:
    principal: str
    resource_type: int
    name: str
    operation: int

    def creation(self) -> tuple[int, str, int, str, str, int, int]:
        return (
            self.resource_type,
            self.name,
            LITERAL,
            f"User:{self.principal}",
            "*",
            self.operation,
            ALLOW,
        )


def service_acls(service: str) -> list[Acl]:
    """What `service` may do: write its own topics and the dead letters of those it consumes;
    read what it consumes and those dead letters (its replay); use its own groups only."""
    consumed = CONSUMES[service]
    writes = [*PRODUCES[service], *(dlt(t) for t in consumed)]
    reads = [*consumed, *(dlt(t) for t in consumed)]
    acls = [Acl(service, TOPIC, t, op) for t in writes for op in (WRITE, DESCRIBE)]
    acls += [Acl(service, TOPIC, t, op) for t in reads for op in (READ, DESCRIBE)]
    acls += [Acl(service, GROUP, g, READ) for g in consumer_groups(service)]
    # Every service's producer is idempotent (a retried send is never written twice): the
    # broker asks for this before it hands out a producer id.
    acls.append(Acl(service, CLUSTER, "kafka-cluster", IDEMPOTENT_WRITE))
    return sorted(set(acls), key=lambda a: (a.principal, a.resource_type, a.name, a.operation))


def all_acls() -> list[Acl]:
    return [acl for service in BUS_SERVICES for acl in service_acls(service)]


class _CreateAcls(Request[CreateAclsRequest_v1]):
    """CreateAcls v1 with many bindings in one request (aiokafka's own builder sends one)."""

    API_KEY = 30

    def __init__(self, acls: list[Acl]):
        self.acls = acls

    def build(self, request_struct_class: type[CreateAclsRequest_v1]) -> CreateAclsRequest_v1:
        return request_struct_class([acl.creation() for acl in self.acls])


async def _create_acls(cfg: StackConfig, acls: list[Acl]) -> None:
    admin = AIOKafkaAdminClient(**access(cfg).client_options(), request_timeout_ms=15000)
    await admin.start()
    try:
        await create_acls(admin, acls)
    finally:
        await admin.close()


async def create_acls(admin: AIOKafkaAdminClient, acls: list[Acl]) -> None:
    """Every binding in one CreateAcls request, as the admin client `admin`; raises naming the
    first refused ones (an existing binding is not a refusal)."""
    response = await admin._send_request(_CreateAcls(acls))
    failed = [
        (acl, code, message)
        for acl, (code, message) in zip(acls, response.creation_responses, strict=True)
        if code != 0
    ]
    if failed:
        raise RuntimeError(f"creating ACLs failed: {failed[:5]}")


async def _visible_topics(cfg: StackConfig, principal: str) -> set[str]:
    admin = AIOKafkaAdminClient(**access(cfg, principal).client_options(), request_timeout_ms=5000)
    await admin.start()
    try:
        return set(await admin.list_topics())
    finally:
        await admin.close()


async def _until_effective(cfg: StackConfig, timeout: float = 30.0) -> None:
    """The controller has the ACLs when it answers; the broker's authorizer a moment later.
    Wait until every service sees each topic it was granted, so no start races its grant."""
    deadline = asyncio.get_running_loop().time() + timeout
    for service in BUS_SERVICES:
        wanted = {a.name for a in service_acls(service) if a.resource_type == TOPIC}
        while not wanted <= (seen := await _visible_topics(cfg, service)):
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"ACLs of {service} not in force: {sorted(wanted - seen)[:5]}")
            await asyncio.sleep(0.2)


def ensure_acls(cfg: StackConfig) -> int:
    """Grant every service's ACLs (creating an existing binding changes nothing) and wait
    until the broker applies them."""
    acls = all_acls()
    run_async(lambda: _create_acls(cfg, acls))
    run_async(lambda: _until_effective(cfg))
    return len(acls)
