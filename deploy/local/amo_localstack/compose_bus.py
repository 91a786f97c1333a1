"""The closed bus under docker-compose: `python -m amo_localstack.compose_bus --bootstrap kafka:9092`.

A one-shot step between the broker and the services, the compose counterpart of what the local
stack does in `kafka.ensure_topics` (docs/architecture.md#security). As `admin` (whose SCRAM
credentials `deploy/docker/kafka-format.sh` wrote when the broker's storage was formatted):

1. each service's SCRAM-SHA-512 credentials, from `AMO_<SERVICE>_KAFKA_PASSWORD` (the variable
   the service itself reads), written again at every run: a changed password replaces the old;
2. every topic of `amo_shared.topics` and its dead letters, the missing ones;
3. the ACLs `bus.all_acls()` derives from PRODUCES/CONSUMES, the same as the local stack's
   (creating an existing binding changes nothing);
4. then each service logs in with its own password until it sees every topic it was granted, so
   no service starts before its login and its grants are in force.

Passwords come only from the environment (`AMO_KAFKA_ADMIN_PASSWORD` and one per service);
a missing or short one stops the step before it connects, naming the variable.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import os
import secrets
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.protocol.api import Request, RequestStruct, Response
from aiokafka.protocol.types import (
    CompactArray,
    CompactBytes,
    CompactString,
    Int8,
    Int16,
    Int32,
    Schema,
    TaggedFields,
)

from amo_shared.kafka_access import KafkaAccess
from amo_shared.topics import ALL_TOPICS, BUS_SERVICES, DEFAULT_PARTITIONS

from . import bus

ADMIN_PASSWORD_VAR = "AMO_KAFKA_ADMIN_PASSWORD"
MIN_PASSWORD_LENGTH = 16
# org.apache.kafka.clients.admin.ScramMechanism.SCRAM_SHA_512, and an iteration count inside
# what the broker accepts for it (4096..16384).
SCRAM_SHA_512 = 2
ITERATIONS = 8192
TOPIC_ALREADY_EXISTS = 36


def password_var(service: str) -> str:
    """The variable holding `service`'s password: the one its settings read (`AMO_<SERVICE>_`)."""
    return f"AMO_{service.upper()}_KAFKA_PASSWORD"


def required_vars() -> tuple[str, ...]:
    return (ADMIN_PASSWORD_VAR, *(password_var(s) for s in BUS_SERVICES))


@dataclass(frozen=True)
class Plan:
    """Everything the step makes, decided before it connects."""

    bootstrap: str
    admin_password: str = field(repr=False)
    passwords: Mapping[str, str] = field(repr=False)
    acls: tuple[bus.Acl, ...]
    topics: tuple[str, ...] = ALL_TOPICS
    partitions: int = DEFAULT_PARTITIONS

    def access(self, principal: str = bus.ADMIN) -> KafkaAccess:
        password = self.admin_password if principal == bus.ADMIN else self.passwords[principal]
        return KafkaAccess(self.bootstrap, principal, password)


def plan_from_env(bootstrap: str, env: Mapping[str, str]) -> Plan:
    """The plan for this environment; ValueError naming every missing or too short password."""
    missing = [v for v in required_vars() if not env.get(v)]
    short = [v for v in required_vars() if env.get(v) and len(env[v]) < MIN_PASSWORD_LENGTH]
    problems = []
    if missing:
        problems.append("not set: " + ", ".join(missing))
    if short:
        problems.append(f"shorter than {MIN_PASSWORD_LENGTH} characters: " + ", ".join(short))
    if problems:
        raise ValueError("; ".join(problems) + " (deploy/docker/README.md)")
    return Plan(
        bootstrap=bootstrap,
        admin_password=env[ADMIN_PASSWORD_VAR],
        passwords={s: env[password_var(s)] for s in BUS_SERVICES},
        acls=tuple(bus.all_acls()),
    )


# --- SCRAM credentials (AlterUserScramCredentials, KIP-554) --------------------------------


def salted_password(password: str, salt: bytes, iterations: int = ITERATIONS) -> bytes:
    """SCRAM's Hi() (RFC 5802) over HMAC-SHA-512, as Kafka's ScramFormatter computes it."""
    return hashlib.pbkdf2_hmac("sha512", password.encode(), salt, iterations)


class AlterUserScramCredentialsResponse_v0(Response):
    API_KEY = 51
    API_VERSION = 0
    SCHEMA = Schema(
        ("throttle_time_ms", Int32),
        (
            "results",
            CompactArray(
                ("user", CompactString("utf-8")),
                ("error_code", Int16),
                ("error_message", CompactString("utf-8")),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class AlterUserScramCredentialsRequest_v0(RequestStruct):
    FLEXIBLE_VERSION = True
    API_KEY = 51
    API_VERSION = 0
    RESPONSE_TYPE = AlterUserScramCredentialsResponse_v0
    SCHEMA = Schema(
        (
            "deletions",
            CompactArray(
                ("name", CompactString("utf-8")), ("mechanism", Int8), ("tags", TaggedFields)
            ),
        ),
        (
            "upsertions",
            CompactArray(
                ("name", CompactString("utf-8")),
                ("mechanism", Int8),
                ("iterations", Int32),
                ("salt", CompactBytes),
                ("salted_password", CompactBytes),
                ("tags", TaggedFields),
            ),
        ),
        ("tags", TaggedFields),
    )


class UpsertScramCredentials(Request[AlterUserScramCredentialsRequest_v0]):
    """SCRAM-SHA-512 credentials for each user, a fresh salt each; the broker keeps only the
    salted password (the password itself never leaves this process)."""

    API_KEY = 51

    def __init__(self, passwords: Mapping[str, str]):
        self.passwords = dict(passwords)

    def build(
        self, request_struct_class: type[AlterUserScramCredentialsRequest_v0]
    ) -> AlterUserScramCredentialsRequest_v0:
        upsertions = []
        for name, password in self.passwords.items():
            salt = secrets.token_bytes(32)
            upsertions.append(
                (name, SCRAM_SHA_512, ITERATIONS, salt, salted_password(password, salt), {})
            )
        return request_struct_class([], upsertions, {})


async def _admin(plan: Plan, principal: str = bus.ADMIN) -> AIOKafkaAdminClient:
    admin = AIOKafkaAdminClient(**plan.access(principal).client_options(), request_timeout_ms=15000)
    await admin.start()
    return admin


async def upsert_credentials(admin: AIOKafkaAdminClient, plan: Plan) -> None:
    response = await admin._send_request(UpsertScramCredentials(plan.passwords))
    failed = [(u, code, msg) for u, code, msg, _tags in response.results if code != 0]
    if failed:
        raise RuntimeError(f"registering Kafka users failed: {failed}")


async def ensure_topics(admin: AIOKafkaAdminClient, plan: Plan) -> list[str]:
    """Create the missing topics; returns their names."""
    missing = [t for t in plan.topics if t not in set(await admin.list_topics())]
    if not missing:
        return []
    response = await admin.create_topics(
        [NewTopic(name=t, num_partitions=plan.partitions, replication_factor=1) for t in missing]
    )
    for error in response.topic_errors:
        name, code = error[0], error[1]
        if code not in (0, TOPIC_ALREADY_EXISTS):
            raise RuntimeError(f"creating topic {name} failed: error code {code} {error[2:]}")
    return missing


async def grant(admin: AIOKafkaAdminClient, plan: Plan) -> None:
    await bus.create_acls(admin, list(plan.acls))


async def until_effective(plan: Plan, timeout: float = 60.0) -> None:
    """Each service logs in as itself until it sees every topic it was granted (credentials and
    ACLs reach the broker from the controller a moment after they are written)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    for service in BUS_SERVICES:
        wanted = {
            a.name for a in plan.acls if a.principal == service and a.resource_type == bus.TOPIC
        }
        while True:
            seen: set[str] = set()
            try:
                admin = await _admin(plan, service)
                try:
                    seen = set(await admin.list_topics())
                finally:
                    await admin.close()
            except Exception as exc:  # its login not in force yet: try again until the deadline
                problem = f"{type(exc).__name__}: {exc}"
            else:
                problem = f"topics not visible: {sorted(wanted - seen)[:5]}"
            if wanted <= seen:
                break
            if loop.time() > deadline:
                raise RuntimeError(f"{service} cannot use the bus after {timeout:.0f}s: {problem}")
            await asyncio.sleep(0.5)


async def set_up(plan: Plan) -> list[str]:
    """The whole step; returns the topics it created."""
    admin = await _admin(plan)
    try:
        await upsert_credentials(admin, plan)
        created = await ensure_topics(admin, plan)
        await grant(admin, plan)
    finally:
        await admin.close()
    await until_effective(plan)
    return created


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m amo_localstack.compose_bus",
        description="Services' SCRAM logins, topics and ACLs on a compose broker (one-shot).",
    )
    parser.add_argument("--bootstrap", required=True, help="host:port of a broker, e.g. kafka:9092")
    args = parser.parse_args(argv)
    try:
        plan = plan_from_env(args.bootstrap, os.environ)
    except ValueError as exc:
        raise SystemExit(f"compose bus: {exc}") from None
    created = asyncio.run(set_up(plan))
    print(
        f"kafka: {len(BUS_SERVICES)} service logins, {len(plan.topics)} topics "
        f"({len(created)} created, {plan.partitions} partitions each), {len(plan.acls)} ACLs",
        file=sys.stderr,
    )


if __name__ == "__main__":
    main()
