"""The ACLs the local stack grants, read from the bus's map: least privilege, no overlaps."""

from __future__ import annotations

from amo_localstack.bus import (
    CLUSTER,
    DESCRIBE,
    GROUP,
    IDEMPOTENT_WRITE,
    READ,
    TOPIC,
    WRITE,
    all_acls,
    service_acls,
)
from amo_shared.topics import ALL_TOPICS, BUS_SERVICES, CONSUMES, MAIN_TOPICS, PRODUCES, dlt


def test_every_main_topic_has_exactly_one_writer():
    for topic in MAIN_TOPICS:
        writers = [
            a.principal
            for a in all_acls()
            if a.resource_type == TOPIC and a.name == topic and a.operation == WRITE
        ]
        assert len(writers) == 1, (topic, writers)


def test_a_service_writes_only_its_own_topics_and_its_dead_letters():
    for service in BUS_SERVICES:
        written = {
            a.name
            for a in service_acls(service)
            if a.resource_type == TOPIC and a.operation == WRITE
        }
        assert written == set(PRODUCES[service]) | {dlt(t) for t in CONSUMES[service]}


def test_a_service_reads_only_what_it_consumes_in_its_own_groups():
    for service in BUS_SERVICES:
        acls = service_acls(service)
        read = {a.name for a in acls if a.resource_type == TOPIC and a.operation == READ}
        assert read == set(CONSUMES[service]) | {dlt(t) for t in CONSUMES[service]}
        groups = {a.name for a in acls if a.resource_type == GROUP}
        assert groups == {service, f"{service}.dlt-replay"}


def test_no_wildcards_and_no_operation_beyond_the_needed_ones():
    for acl in all_acls():
        assert acl.name != "*" and acl.principal in BUS_SERVICES
        if acl.resource_type == TOPIC:
            assert acl.name in ALL_TOPICS and acl.operation in (READ, WRITE, DESCRIBE)
        elif acl.resource_type == CLUSTER:
            assert acl.operation == IDEMPOTENT_WRITE
        else:
            assert acl.resource_type == GROUP and acl.operation == READ


def test_notifications_write_nothing():
    assert not PRODUCES["notifications"]
    assert all(
        a.operation != WRITE or a.name.endswith(".dlt") for a in service_acls("notifications")
    )
