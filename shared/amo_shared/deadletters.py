"""Dead letters: a record the policy gave up on is kept, with why and where from, and never dropped.

The record goes to `<topic>.dlt` with its key, value and headers plus `dlt_*` headers. When Kafka
refuses that copy for good, the letter is still kept:
- too large (the copy adds headers to a record near the limit): a trimmed copy carries the reason,
  key, headers and a reference (original topic, partition, offset, the value's size and SHA-256);
  replay reads the value back from the original topic;
- the dead-letter topic is missing or not ours to write: the letter is parked in the service's own
  database (`dead_letters_parked`), which replay reads too.
Transient broker trouble is waited out like any outage: the offset moves on only once the letter
is stored somewhere.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import structlog
from bson import Binary
from faststream.kafka import KafkaBroker
from pymongo.errors import DuplicateKeyError

from amo_shared.failures import is_permanent_kafka_error, is_too_large, is_transient
from amo_shared.metrics import DEAD_LETTERED, DEAD_LETTERS_PARKED
from amo_shared.records import Database, Headers, Record
from amo_shared.retry import with_infra_retry
from amo_shared.topics import dlt

log = structlog.get_logger(__name__)

PARKED_DEAD_LETTERS = "dead_letters_parked"
REASON_LIMIT = 2000
TRIMMED_HEADER_LIMIT = 1024


def _waitable(exc: BaseException) -> bool:
    return is_transient(exc) and not is_permanent_kafka_error(exc)


def text_headers(raw: Headers) -> dict[str, str]:
    """The record's headers as text (a null value becomes empty; the policy said why)."""
    return {k: (v or b"").decode("utf-8", "replace") for k, v in raw or ()}


def letter_headers(record: Record, *, group: str, reason: str, attempts: int) -> dict[str, str]:
    headers = text_headers(record.headers)
    headers.update(
        {
            "dlt_reason": reason[:REASON_LIMIT],
            "dlt_group": group,
            "dlt_time": datetime.now(UTC).isoformat(),
            "dlt_topic": record.topic,
            "dlt_partition": str(record.partition),
            "dlt_offset": str(record.offset),
            "dlt_attempts": str(attempts),
        }
    )
    return headers


def trimmed_headers(headers: dict[str, str], value: bytes) -> dict[str, str]:
    out = {k: v[:TRIMMED_HEADER_LIMIT] for k, v in headers.items()}
    out.update(
        {
            "dlt_trimmed": "value",
            "dlt_value_bytes": str(len(value)),
            "dlt_value_sha256": hashlib.sha256(value).hexdigest(),
        }
    )
    return out


async def dead_letter(
    broker: KafkaBroker, db: Database, record: Record, *, group: str, reason: str, attempts: int
) -> None:
    """Keep `record` as a dead letter of `group`; returns once it is stored (Kafka or database)."""
    value = record.value or b""
    headers = letter_headers(record, group=group, reason=reason, attempts=attempts)
    topic = dlt(record.topic)

    async def publish(v: bytes, h: dict[str, str]) -> None:
        await broker.publish(v, topic, key=record.key, headers=h)

    trimmed = False
    try:
        try:
            await with_infra_retry(
                lambda: publish(value, headers), topic, transient=_waitable, group=group
            )
        except Exception as exc:
            if not is_too_large(exc):
                raise
            trimmed = True
            await with_infra_retry(
                lambda: publish(b"", trimmed_headers(headers, value)),
                topic,
                transient=_waitable,
                group=group,
            )
    except Exception as exc:
        await park_dead_letter(db, record, headers, why=type(exc).__name__)
    DEAD_LETTERED.labels(record.topic, group, str(trimmed).lower()).inc()
    log.error(
        "event dead-lettered",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        group=group,
        trimmed=trimmed,
        reason=reason[:300],
    )


async def park_dead_letter(
    db: Database, record: Record, headers: dict[str, str], *, why: str, replayable: bool = True
) -> None:
    """Store a dead letter in the service's own database, once (keyed by where it came from).

    `replayable` is False for entries nobody can process as they are (malformed ones): they
    wait for an operator, and replay passes them over."""
    doc = {
        "_id": f"{record.topic}:{record.partition}:{record.offset}:{headers.get('dlt_group', '')}",
        "topic": record.topic,
        "partition": record.partition,
        "offset": record.offset,
        "key": Binary(record.key) if record.key is not None else None,
        "value": Binary(record.value or b""),
        # Objects, not pairs: FerretDB stores no nested arrays.
        "headers": [{"name": k, "value": v} for k, v in headers.items()],
        "group": headers.get("dlt_group"),
        "why": why,
        "replayable": replayable,
        "status": "parked",
        "parked_at": datetime.now(UTC),
        "_v": 0,
    }

    async def insert() -> None:
        try:
            await db[PARKED_DEAD_LETTERS].insert_one(doc)
        except DuplicateKeyError:
            # Parked before: a redelivery, or a replay of this very letter that failed again.
            await db[PARKED_DEAD_LETTERS].update_one(
                {"_id": doc["_id"], "status": {"$ne": "parked"}},
                {
                    "$set": {
                        "status": "parked",
                        "why": why,
                        "headers": doc["headers"],
                        "parked_at": doc["parked_at"],
                    },
                    "$inc": {"_v": 1},
                },
            )

    await with_infra_retry(insert, PARKED_DEAD_LETTERS)
    DEAD_LETTERS_PARKED.labels(record.topic, why).inc()
    log.error(
        "dead letter parked in the database",
        topic=record.topic,
        partition=record.partition,
        offset=record.offset,
        why=why,
    )
