"""Session fixtures: one real local stack (Kafka, FerretDB on PostgreSQL, SeaweedFS) per test run,
started by the same code as `make run` under its own supervisord, on free ports and a temporary
data directory, so tests never touch a running platform's data. `platform` adds the six
services as supervised programs (each service's `prepare` and the hardening step first), so a
service a test kills comes back by itself. `The session always runs the trace viewer (Jaeger) as well."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections.abc import Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import partial

import httpx
import pytest
from hypothesis import settings as hypothesis_settings

from amo_localstack import bus as closed_bus
from amo_localstack import identity
from amo_localstack.config import StackConfig
from amo_localstack.harden import harden_mongo
from amo_localstack.infra import temporary_stack
from amo_localstack.services import ServicePorts, start_services
from amo_shared.kafka_access import KafkaAccess
from amo_testkit import Bus, eventually

# Properties are judged on their examples, not on wall time: the suite shares two cores with the
# servers it starts, and a slow example is no counterexample.
hypothesis_settings.register_profile("suite", deadline=None)
hypothesis_settings.load_profile("suite")


@dataclass
class Stack:
    cfg: StackConfig

    @property
    def kafka_bootstrap(self) -> str:
        return self.cfg.kafka_bootstrap

    @property
    def kafka(self) -> KafkaAccess:
        """The stack's super user on the closed bus (test fixtures publish and rewind freely)."""
        return closed_bus.access(self.cfg)

    @property
    def kafka_options(self) -> dict:
        """aiokafka keyword arguments for `kafka` (bootstrap servers and SASL)."""
        return self.kafka.client_options()

    def kafka_settings(self, service: str) -> dict:
        """A service's settings for the bus, as its own principal (its ACLs apply)."""
        access = closed_bus.access(self.cfg, service)
        return {
            "kafka_bootstrap_servers": access.bootstrap,
            "kafka_username": access.username,
            "kafka_password": access.password,
        }

    @property
    def mongo_url(self) -> str:
        return self.cfg.mongo_url

    @property
    def s3_endpoint(self) -> str:
        return self.cfg.s3_endpoint

    @property
    def s3_access_key(self) -> str:
        return self.cfg.s3_access_key

    @property
    def s3_secret_key(self) -> str:
        return self.cfg.s3_secret_key

    @property
    def s3_bucket(self) -> str:
        return self.cfg.buckets[0]

    @property
    def mailpit_url(self) -> str:
        """Mailpit's API (`GET /api/v1/search?query=to:<address>`), where notifications go."""
        return self.cfg.mailpit_url

    @property
    def smtp_port(self) -> int:
        return self.cfg.mailpit_smtp_port

    @property
    def sms_sink(self):
        """The notifications service's SMS file sink (one JSON line per message)."""
        return self.cfg.sms_outbox

    async def harden(self) -> None:
        """The local stack's setup step: GIN indexes and the version guard, for every
        collection that exists now. Call it after an app has created its collections."""
        await asyncio.to_thread(harden_mongo, self.cfg, verbose=False)


@dataclass
class Platform:
    stack: Stack
    ports: ServicePorts

    @property
    def gateway(self) -> str:
        return self.ports.url("gateway")

    def url(self, service: str) -> str:
        return self.ports.url(service)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "stack: needs the real local stack (started once per session)"
    )


def pytest_collection_modifyitems(items):
    for item in items:
        if {"stack", "platform"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.stack)


@pytest.fixture(scope="session")
def stack() -> Stack:
    # The trace viewer too: one test reads the whole trace of an application from it.
    with temporary_stack("amo-test-stack-", traces=True) as cfg:
        yield Stack(cfg)


# Operators are accounts of the stack's identity provider, made once per session with their
# realm role: two supervisors (four-eyes needs two people; supervisors may also act on cards and
# pay) and a reviewer (the queues only).
OPERATOR_ACCOUNTS: dict[str, str] = {
    "op-supervisor-1@amo.test": "supervisor",
    "op-supervisor-2@amo.test": "supervisor",
    "op-reviewer-1@amo.test": "reviewer",
}


class FreshTokens(Mapping):
    """Name -> an Authorization header with a token of the identity provider, drawn again by
    its grant when the last one has less than a minute left (access tokens live five minutes)."""

    def __init__(self, grants: dict[str, Callable[[], dict]]):
        self.grants = grants
        self.tokens: dict[str, tuple[str, float]] = {}

    def __getitem__(self, name: str) -> dict[str, str]:
        token, until = self.tokens.get(name, ("", 0.0))
        if until - time.time() < 60:
            granted = self.grants[name]()
            token, until = granted["access_token"], time.time() + granted["expires_in"]
            self.tokens[name] = (token, until)
        return {"Authorization": f"Bearer {token}"}

    def __iter__(self):
        return iter(self.grants)

    def __len__(self) -> int:
        return len(self.grants)


# Two approved facilities billing directly (FAC-000201, FAC-000101 in the reference data), each
# a hospital client of the identity provider whose tokens name it, made once per session.
FACILITIES = ("FAC-000201", "FAC-000101")


@pytest.fixture(scope="session")
def platform(stack: Stack) -> Platform:
    # prepare (collections, indexes), hardening, the services, then the gateway, each ready
    start_services(stack.cfg)
    return Platform(stack, ServicePorts.of(stack.cfg))


@pytest.fixture(scope="session")
def operators(stack: Stack) -> FreshTokens:
    """Each test operator's Authorization header (a fresh token), by operator (sign-in name)."""
    grants = {}
    for op, role in OPERATOR_ACCOUNTS.items():
        password = secrets.token_urlsafe(16)
        identity.create_user(stack.cfg, op, password, roles=[role])
        grants[op] = partial(identity.password_grant, stack.cfg, op, password)
    return FreshTokens(grants)


@pytest.fixture(scope="session")
def facilities(stack: Stack) -> FreshTokens:
    """Each test facility's Authorization header (a hospital client's fresh token), by id."""
    grants = {}
    for facility in FACILITIES:
        made = identity.ensure_hospital(stack.cfg, f"Test {facility}", facility=facility)
        assert made.secret is not None
        grants[facility] = partial(identity.hospital_token, stack.cfg, made.client_id, made.secret)
    return FreshTokens(grants)


@pytest.fixture(scope="session")
async def bus(stack):
    """An operator's Kafka client: publish, read topics through, watch and rewind groups."""
    bus = Bus(stack.kafka)
    await bus.producer.start()
    yield bus
    await bus.producer.stop()


@pytest.fixture
def run_app(stack):
    """`async with run_app(app) as client`: the app's lifespan, the local setup step, a client."""

    @asynccontextmanager
    async def running(app):
        async with app.router.lifespan_context(app):
            await stack.harden()
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
                yield client

    return running


@pytest.fixture
def wait():
    return eventually
