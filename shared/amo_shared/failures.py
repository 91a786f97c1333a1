"""What a failure means for delivery: the infrastructure is away (wait), or the message is at fault.

Classified by meaning, not by class (docs/delivery.md#failure-classes has the table): FerretDB
reports a PostgreSQL outage as `OperationFailure` code 1 (InternalError), MongoDB reports timeouts
and write-concern trouble as `OperationFailure` subclasses, and both are outages, not bad
messages. Everything this module does not recognise as transient is the message's fault, which
costs a bounded number of attempts and a dead letter, never a stalled partition.
"""

from __future__ import annotations

import asyncio
import re
from enum import StrEnum

from pydantic import ValidationError
from pymongo.errors import (
    ConnectionFailure,
    DocumentTooLarge,
    DuplicateKeyError,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    WriteConcernError,
    WTimeoutError,
)


class Failure(StrEnum):
    TRANSIENT = "transient"  # wait with capped backoff; the offset does not move
    MESSAGE = "message"  # the message's own fault: bounded attempts, then its dead-letter topic


class InfrastructureUnavailable(Exception):
    """Raised by adapters when a dependency is down or misconfigured: never the message's fault."""


# Server error codes that mean "not now" on MongoDB (retryable and timeout codes) or FerretDB.
TRANSIENT_CODES = frozenset(
    {
        1,  # InternalError: FerretDB's answer when its PostgreSQL backend is away
        6,
        7,
        89,
        9001,  # HostUnreachable, HostNotFound, NetworkTimeout, SocketException
        24,
        46,
        112,
        117,  # LockTimeout, LockBusy, WriteConflict, ConflictingOperationInProgress
        50,
        262,  # MaxTimeMSExpired, ExceededTimeLimit
        64,
        100,  # WriteConcernFailed, UnsatisfiableWriteConcern
        91,
        11600,
        11601,
        11602,  # ShutdownInProgress, InterruptedAtShutdown, Interrupted, ReplState
        133,
        134,
        189,  # FailedToSatisfyReadPreference, ReadConcernMajorityNotAvailableYet, Stepdown
        10107,
        13435,
        13436,  # NotWritablePrimary, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary
    }
)
TRANSIENT_LABELS = ("RetryableWriteError", "TransientTransactionError", "NoWritesPerformed")

# S3 error codes (minio `S3Error.code`) that say the store is unwell or misconfigured.
S3_TRANSIENT_CODES = frozenset(
    {
        "InternalError",
        "SlowDown",
        "ServiceUnavailable",
        "RequestTimeout",
        "NoSuchBucket",
        "AccessDenied",
        "InvalidAccessKeyId",
        "SignatureDoesNotMatch",
        "XMinioServerNotInitialized",
    }
)

# Kafka errors that no retry fixes: the record or the configuration must change.
KAFKA_PERMANENT = frozenset(
    {
        "MessageSizeTooLargeError",
        "RecordTooLargeError",
        "RecordListTooLargeError",
        "TopicAuthorizationFailedError",
        "UnknownTopicOrPartitionError",
        "InvalidTopicError",
        "ClusterAuthorizationFailedError",
        "InvalidRecordError",
        "CorruptRecordError",
    }
)
KAFKA_TOO_LARGE = frozenset(
    {"MessageSizeTooLargeError", "RecordTooLargeError", "RecordListTooLargeError"}
)


def classify(exc: BaseException) -> Failure:
    """TRANSIENT when waiting will fix it, MESSAGE otherwise."""
    if isinstance(
        exc,
        (InfrastructureUnavailable, ConnectionFailure, OSError, TimeoutError, asyncio.TimeoutError),
    ):
        return Failure.TRANSIENT
    if isinstance(exc, (DuplicateKeyError, DocumentTooLarge)):
        return Failure.MESSAGE
    if isinstance(exc, (ExecutionTimeout, WriteConcernError, WTimeoutError)):
        return Failure.TRANSIENT
    if isinstance(exc, OperationFailure):
        if exc.code == 1:
            return _ferretdb_internal(str(exc))
        if exc.code in TRANSIENT_CODES or any(exc.has_error_label(x) for x in TRANSIENT_LABELS):
            return Failure.TRANSIENT
        return Failure.MESSAGE
    if isinstance(exc, PyMongoError):
        # Client-side faults that are not about the document (pool closed, server selection...).
        return (
            Failure.MESSAGE
            if type(exc).__name__ in ("InvalidDocument", "InvalidName")
            else Failure.TRANSIENT
        )
    kind = type(exc)
    module = kind.__module__
    if module.startswith("aiokafka"):
        # A handler never publishes (the outbox does): any Kafka trouble here is the broker's.
        return Failure.TRANSIENT
    if module.startswith(("urllib3", "httpx", "httpcore")):
        return Failure.TRANSIENT
    if module.startswith("minio"):
        if kind.__name__ == "ServerError":
            return Failure.TRANSIENT
        if getattr(exc, "code", None) in S3_TRANSIENT_CODES:
            return Failure.TRANSIENT
    if kind.__name__ == "ConcurrentWriteError":
        return Failure.TRANSIENT  # writers raced past the bounded retries: try again later
    return Failure.MESSAGE


def _ferretdb_internal(message: str) -> Failure:
    """FerretDB wraps PostgreSQL's errors in code 1 (InternalError). With no SQLSTATE the backend
    is away; with one, its class says whose fault it is: data (22) and integrity (23, e.g. a
    unique key taken by an update) are the message's; connection (08), serialization (40: the
    version guard's `stale write`), resources (53), shutdown (57) and system (58, XX) are not."""
    match = _SQLSTATE.search(message)
    if match is None:
        return Failure.TRANSIENT
    return Failure.MESSAGE if match.group(1)[:2] in ("22", "23", "42", "44") else Failure.TRANSIENT


_SQLSTATE = re.compile(r"SQLSTATE ([0-9A-Z]{5})")


def is_transient(exc: BaseException) -> bool:
    return classify(exc) is Failure.TRANSIENT


def is_permanent_kafka_error(exc: BaseException) -> bool:
    """A Kafka error no wait fixes (too large, unknown topic, not authorised)."""
    return type(exc).__module__.startswith("aiokafka") and type(exc).__name__ in KAFKA_PERMANENT


def is_too_large(exc: BaseException) -> bool:
    return type(exc).__module__.startswith("aiokafka") and type(exc).__name__ in KAFKA_TOO_LARGE


def describe(exc: BaseException, limit: int = 500) -> str:
    """Type and message, bounded; callers pass only errors of our own code and drivers, whose
    messages name fields and codes (validation errors are rendered without input values)."""
    if isinstance(exc, ValidationError):
        text = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or '<body>'}: {e['msg']}"
            for e in exc.errors(include_input=False, include_url=False)
        )
    else:
        text = str(exc).replace("\n", " ")
    return f"{type(exc).__name__}: {text}"[:limit] if text else type(exc).__name__
