"""Unit: failures are classified by what they mean for delivery, and settings that would break
delivery are refused at start."""

from __future__ import annotations

import pytest
from aiokafka import errors as kafka
from pydantic import BaseModel, ValidationError
from pymongo.errors import (
    AutoReconnect,
    DocumentTooLarge,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    OperationFailure,
    ServerSelectionTimeoutError,
    WriteConcernError,
)

from amo_shared.aggregates import ConcurrentWriteError
from amo_shared.failures import (
    Failure,
    InfrastructureUnavailable,
    classify,
    describe,
    is_permanent_kafka_error,
    is_too_large,
)
from amo_shared.settings import ServiceSettings


@pytest.mark.parametrize(
    "exc",
    [
        OperationFailure("backend unavailable", code=1),  # FerretDB: PostgreSQL away
        OperationFailure("stale write", code=1),  # the version guard, as a client may see it
        OperationFailure("ERROR: stale write (SQLSTATE 40001)", code=1),
        OperationFailure("ERROR: the database system is shutting down (SQLSTATE 57P03)", code=1),
        ExecutionTimeout("operation exceeded time limit", code=50),
        WriteConcernError("waiting for replication timed out", code=64),
        OperationFailure("not primary", code=10107),
        OperationFailure("interrupted", code=11602),
        OperationFailure("custom", code=999, details={"errorLabels": ["RetryableWriteError"]}),
        AutoReconnect("connection reset"),
        NetworkTimeout("timed out"),
        ServerSelectionTimeoutError("no servers"),
        ConnectionRefusedError(111, "refused"),
        TimeoutError(),
        InfrastructureUnavailable("s3 bucket missing"),
        kafka.KafkaConnectionError(),
        kafka.RequestTimedOutError(),
        ConcurrentWriteError("gave up after 60 concurrent writes"),
    ],
)
def test_outages_and_races_are_transient(exc):
    assert classify(exc) is Failure.TRANSIENT


@pytest.mark.parametrize(
    "exc",
    [
        DuplicateKeyError("E11000 duplicate key"),
        DocumentTooLarge("document too large"),
        OperationFailure("bad value", code=2),
        # FerretDB: an update onto a unique key another document holds.
        OperationFailure(
            "[collection.go:227 UpdateAll] ERROR: duplicate key value violates unique "
            'constraint "c_m_idx" (SQLSTATE 23505)',
            code=1,
        ),
        OperationFailure("object too large", code=10334),
        ValueError("broken invariant"),
        LookupError("no application"),
        KeyError("x"),
    ],
)
def test_the_message_own_faults_are_the_message(exc):
    assert classify(exc) is Failure.MESSAGE


def test_minio_errors_are_classified_by_code_without_importing_minio_in_shared():
    from minio.error import S3Error, ServerError

    assert classify(ServerError("503", 503)) is Failure.TRANSIENT
    slow = S3Error(None, "SlowDown", "reduce your rate", "k", "r", "h")
    assert classify(slow) is Failure.TRANSIENT
    missing = S3Error(None, "NoSuchBucket", "bucket", "k", "r", "h")
    assert classify(missing) is Failure.TRANSIENT, "our own bucket missing is configuration"
    odd = S3Error(None, "InvalidArgument", "bad", "k", "r", "h")
    assert classify(odd) is Failure.MESSAGE


@pytest.mark.parametrize(
    "exc,permanent,too_large",
    [
        (kafka.MessageSizeTooLargeError(), True, True),
        (kafka.RecordTooLargeError(), True, True),
        (kafka.TopicAuthorizationFailedError(), True, False),
        (kafka.UnknownTopicOrPartitionError(), True, False),
        (kafka.KafkaConnectionError(), False, False),
        (kafka.NotLeaderForPartitionError(), False, False),
    ],
)
def test_permanent_kafka_errors_are_told_apart(exc, permanent, too_large):
    assert is_permanent_kafka_error(exc) is permanent
    assert is_too_large(exc) is too_large


def test_a_validation_error_is_described_without_its_input():
    class Facts(BaseModel):
        cnie: int

    with pytest.raises(ValidationError) as info:
        Facts(cnie="AB123456")
    text = describe(info.value)
    assert text.startswith("ValidationError: cnie:") and "AB123456" not in text


@pytest.mark.parametrize(
    "name,value",
    [
        ("message_attempts", "0"),
        ("message_attempts", "-1"),
        ("outbox_poll_seconds", "0"),
        ("replay_lease_seconds", "1"),
        ("http_port", "0"),
        ("mongo_url", "postgres://x"),
        ("log_level", "loud"),
    ],
)
def test_settings_that_would_break_delivery_are_refused(monkeypatch, name, value):
    monkeypatch.setenv(f"AMO_{name.upper()}", value)
    with pytest.raises(ValidationError) as info:
        ServiceSettings()
    assert name in str(info.value)


def test_sane_settings_pass(monkeypatch):
    monkeypatch.setenv("AMO_MESSAGE_ATTEMPTS", "1")
    assert ServiceSettings().message_attempts == 1
