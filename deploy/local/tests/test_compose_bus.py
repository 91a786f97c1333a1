"""Compose's bus setup (`amo_localstack.compose_bus`) without a broker: it grants exactly the ACLs
the local stack derives, reads each service's password from the variable the service reads, and
speaks AlterUserScramCredentials as Kafka's protocol defines it."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import importlib

import pytest
from aiokafka.protocol.admin import CreateAclsRequest_v1

from amo_localstack import bus
from amo_localstack.compose_bus import (
    ADMIN_PASSWORD_VAR,
    ITERATIONS,
    SCRAM_SHA_512,
    AlterUserScramCredentialsRequest_v0,
    AlterUserScramCredentialsResponse_v0,
    UpsertScramCredentials,
    password_var,
    plan_from_env,
    required_vars,
    salted_password,
    upsert_credentials,
)
from amo_shared.topics import ALL_TOPICS, BUS_SERVICES, DEFAULT_PARTITIONS


def _env() -> dict[str, str]:
    return {var: f"{var.lower()}-0123456789abcdef" for var in required_vars()}


def test_the_acls_granted_are_exactly_those_the_local_stack_derives():
    plan = plan_from_env("kafka:9092", _env())
    assert list(plan.acls) == bus.all_acls()
    assert {a.principal for a in plan.acls} == set(BUS_SERVICES)
    sent = bus._CreateAcls(list(plan.acls)).build(CreateAclsRequest_v1)
    assert sent.creations == [acl.creation() for acl in bus.all_acls()]
    assert plan.topics == ALL_TOPICS and plan.partitions == DEFAULT_PARTITIONS


def test_each_password_comes_from_the_variable_its_service_reads():
    for service in BUS_SERVICES:
        settings = importlib.import_module(f"amo_{service}.settings").Settings
        assert password_var(service) == settings.model_config["env_prefix"] + "KAFKA_PASSWORD"
    env = _env()
    plan = plan_from_env("kafka:9092", env)
    for service in BUS_SERVICES:
        access = plan.access(service)
        assert (access.username, access.password) == (service, env[password_var(service)])
        assert access.security_protocol() == "SASL_PLAINTEXT"
    assert plan.access().username == bus.ADMIN
    assert plan.access().password == env[ADMIN_PASSWORD_VAR]
    assert env[ADMIN_PASSWORD_VAR] not in repr(plan)


def test_a_missing_or_short_password_stops_it_naming_every_variable():
    env = _env()
    del env[password_var("cards")]
    env[password_var("claims")] = "short"
    env[ADMIN_PASSWORD_VAR] = ""
    with pytest.raises(ValueError) as refused:
        plan_from_env("kafka:9092", env)
    message = str(refused.value)
    for var in (password_var("cards"), password_var("claims"), ADMIN_PASSWORD_VAR):
        assert var in message
    assert password_var("registration") not in message


def _hi(password: bytes, salt: bytes, iterations: int) -> bytes:
    """RFC 5802's Hi() spelled out, as Kafka's ScramFormatter.hi loops it."""
    u = hmac.new(password, salt + b"\x00\x00\x00\x01", hashlib.sha512).digest()
    result = u
    for _ in range(iterations - 1):
        u = hmac.new(password, u, hashlib.sha512).digest()
        result = bytes(a ^ b for a, b in zip(result, u, strict=True))
    return result


def test_the_salted_password_is_scrams_hi_over_sha512():
    assert salted_password("pencil-pencil-pencil", b"salt", 4096) == _hi(
        b"pencil-pencil-pencil", b"salt", 4096
    )
    assert len(salted_password("x" * 16, b"s")) == 64


def test_the_upsertions_carry_only_salted_passwords_with_fresh_salts():
    passwords = {"registration": "r" * 20, "cards": "c" * 20}
    request = UpsertScramCredentials(passwords)
    first = request.build(AlterUserScramCredentialsRequest_v0)
    second = request.build(AlterUserScramCredentialsRequest_v0)
    assert first.deletions == []
    for name, mechanism, iterations, salt, salted, tags in first.upsertions:
        assert mechanism == SCRAM_SHA_512 and 4096 <= iterations == ITERATIONS <= 16384
        assert len(salt) == 32 and salted == salted_password(passwords[name], salt, iterations)
        assert tags == {}
    assert [u[0] for u in first.upsertions] == list(passwords)
    assert {u[3] for u in first.upsertions}.isdisjoint({u[3] for u in second.upsertions})
    wire = first.encode()
    assert b"r" * 20 not in wire and b"c" * 20 not in wire
    decoded = AlterUserScramCredentialsRequest_v0.decode(wire)
    assert decoded.upsertions == first.upsertions


def test_the_request_and_response_match_kafkas_wire_format():
    # API key 51 v0 is flexible: compact strings/bytes/arrays (length + 1 as a varint), tags.
    assert AlterUserScramCredentialsRequest_v0.API_KEY == 51
    assert AlterUserScramCredentialsRequest_v0.FLEXIBLE_VERSION
    request = AlterUserScramCredentialsRequest_v0(
        [], [("ab", SCRAM_SHA_512, 4096, b"\x01", b"\x02\x03", {})], {}
    )
    assert request.encode() == (
        b"\x01"  # no deletions
        + b"\x02"  # one upsertion
        + b"\x03ab"
        + b"\x02"
        + (4096).to_bytes(4, "big")
        + b"\x02\x01"
        + b"\x03\x02\x03"
        + b"\x00"
        + b"\x00"
    )
    response = AlterUserScramCredentialsResponse_v0.decode(
        b"\x00\x00\x00\x00"  # throttle
        + b"\x02"  # one result
        + b"\x0dregistration"
        + b"\x00\x00"
        + b"\x00"  # null message
        + b"\x00"
        + b"\x00"
    )
    assert response.results == [("registration", 0, None, {})]


class _Admin:
    def __init__(self, results):
        self.results = results

    async def _send_request(self, request):
        return AlterUserScramCredentialsResponse_v0(0, self.results, {})


def test_a_refused_login_stops_the_setup():
    plan = plan_from_env("kafka:9092", _env())
    asyncio.run(upsert_credentials(_Admin([("cards", 0, None, {})]), plan))
    with pytest.raises(RuntimeError, match="cards"):
        asyncio.run(upsert_credentials(_Admin([("cards", 58, "unsupported", {})]), plan))
