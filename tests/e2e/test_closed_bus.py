"""The closed bus, tried as an attacker would, on the real broker with the platform running:
no credentials, wrong ones, an unknown principal, a service reaching past its ACLs, the
forged-decision attack, and the TLS listener for clients from outside the host."""

from __future__ import annotations

import asyncio
import json
import ssl

import pytest
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import (
    ClusterAuthorizationFailedError,
    GroupAuthorizationFailedError,
    KafkaConnectionError,
    KafkaError,
    TopicAuthorizationFailedError,
)

from amo_localstack import bus as closed_bus
from amo_shared.kafka_access import KafkaAccess
from amo_shared.topics import APPLICATION_SUBMITTED, CARD_ISSUED, ELIGIBILITY_DECIDED
from amo_testkit import new_id


async def _topics(options: dict) -> list[str]:
    admin = AIOKafkaAdminClient(**options, request_timeout_ms=5000)
    try:
        await asyncio.wait_for(admin.start(), 20)
        return await admin.list_topics()
    finally:
        await admin.close()


async def test_a_client_without_credentials_cannot_connect(stack):
    with pytest.raises(KafkaConnectionError):
        await _topics({"bootstrap_servers": stack.kafka_bootstrap})


@pytest.mark.parametrize("who", ["wrong password", "unknown principal"])
async def test_a_client_with_wrong_credentials_is_refused(stack, who):
    access = (
        KafkaAccess(stack.kafka_bootstrap, "cards", "not-the-password")
        if who == "wrong password"
        else KafkaAccess(stack.kafka_bootstrap, "mallory", "any-password-at-all")
    )
    with pytest.raises(KafkaError):
        await _topics(access.client_options())


async def _write(access: KafkaAccess, topic: str, value: bytes, key: str) -> None:
    producer = AIOKafkaProducer(**access.client_options(), enable_idempotence=True)
    await producer.start()
    try:
        await producer.send_and_wait(topic, value, key=key.encode())
    finally:
        await producer.stop()


async def test_a_service_cannot_write_a_topic_it_does_not_own(stack):
    eligibility = closed_bus.access(stack.cfg, "eligibility")
    with pytest.raises(TopicAuthorizationFailedError):
        await _write(eligibility, CARD_ISSUED, b"{}", new_id())


async def test_a_service_cannot_read_a_topic_it_does_not_consume(stack):
    # Registration writes application.submitted (CNIE, family) but has no reason to read it.
    registration = closed_bus.access(stack.cfg, "registration")
    consumer = AIOKafkaConsumer(
        APPLICATION_SUBMITTED,
        **registration.client_options(),
        group_id="registration",
        auto_offset_reset="earliest",
    )
    try:
        with pytest.raises(TopicAuthorizationFailedError):
            await consumer.start()  # refused at once, or at the first fetch
            await asyncio.wait_for(consumer.getone(), 20)
    finally:
        await consumer.stop()


async def test_a_service_cannot_use_another_services_consumer_group(stack):
    eligibility = closed_bus.access(stack.cfg, "eligibility")
    consumer = AIOKafkaConsumer(
        "documents.verified", **eligibility.client_options(), group_id="cards"
    )
    try:
        with pytest.raises(GroupAuthorizationFailedError):
            await consumer.start()  # the group is refused when the consumer joins it
            await asyncio.wait_for(consumer.getone(), 20)
    finally:
        await consumer.stop()


def _forged_decision(application_id: str) -> bytes:
    return json.dumps(
        {"application_id": application_id, "outcome": "eligible", "category": "retiree"}
    ).encode()


async def test_the_forged_decision_attack_issues_no_card(platform, bus):
    forged = new_id()
    attackers = [
        KafkaAccess(platform.stack.kafka_bootstrap, "mallory", "guessed-password"),
        # A principal of the platform that is not the decision's owner (a stolen credential).
        closed_bus.access(platform.stack.cfg, "documents"),
        closed_bus.access(platform.stack.cfg, "notifications"),
    ]
    for attacker in attackers:
        with pytest.raises((TopicAuthorizationFailedError, KafkaError)):
            await _write(attacker, ELIGIBILITY_DECIDED, _forged_decision(forged), forged)
    # Nothing reached the topic, so the cards service had nothing to issue a card for.
    assert await bus.records(ELIGIBILITY_DECIDED, key=forged) == []
    assert await bus.records(CARD_ISSUED, key=forged) == []


async def test_a_principal_added_after_the_first_start_is_registered_and_granted_nothing(stack):
    path = stack.cfg.kafka_credentials_file
    known = json.loads(path.read_text())
    known["newcomer"] = "a-password-of-the-newcomer"
    path.write_text(json.dumps(known))
    java = __import__("shutil").which("java")
    assert await asyncio.to_thread(closed_bus.register_missing_users, stack.cfg, java) == [
        "newcomer"
    ]
    newcomer = closed_bus.access(stack.cfg, "newcomer")
    # It authenticates, and sees nothing: no ACL names it.
    assert await _topics(newcomer.client_options()) == []
    # Not even a producer id (the idempotent producer asks first), let alone a write.
    with pytest.raises((ClusterAuthorizationFailedError, TopicAuthorizationFailedError)):
        await _write(newcomer, CARD_ISSUED, b"{}", new_id())


async def test_the_tls_listener_serves_clients_that_trust_the_local_ca(stack):
    tls = closed_bus.access(stack.cfg, "cards", tls=True)
    assert CARD_ISSUED in await _topics(tls.client_options())
    # The same credentials against a client that does not trust the local CA: no session.
    untrusting = tls.client_options() | {"ssl_context": ssl.create_default_context()}
    with pytest.raises(KafkaConnectionError):
        await _topics(untrusting)
