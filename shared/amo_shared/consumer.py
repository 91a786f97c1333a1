"""The delivery policy around every handler: dedup, bounded attempts, dead letters, waiting out outages.

FastStream's own ack policies either lose a failed message or re-read it forever, so handlers run
with `AckPolicy.MANUAL` and this module decides (docs/architecture.md#delivery):
- success: the offset is committed after the handler's state and outbox are stored;
- the message's own fault (headers, envelope, schema, a broken invariant): a few attempts, then
  `<topic>.dlt` with the reason, and the offset moves on;
- a transient failure (`amo_shared.failures`): retry with capped backoff for as long as it takes,
  without moving the offset, so an outage never empties a topic into its DLT.
Everything about a record, header decoding included, happens inside `deliver`, which never
raises: nothing escapes to FastStream, where a failure would be skipped by the next commit.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from faststream.kafka import KafkaBroker
from pymongo.errors import DuplicateKeyError

from amo_shared.deadletters import dead_letter
from amo_shared.envelope import EnvelopeError, IncomingEvent, read_event
from amo_shared.events import Contract
from amo_shared.failures import describe
from amo_shared.metrics import DELIVERY_RETRIES
from amo_shared.records import Database, Record
from amo_shared.retry import BACKOFF_CAP_SECONDS, with_infra_retry

log = structlog.get_logger(__name__)

Handler = Callable[[IncomingEvent], Awaitable[None]]

PROCESSED = "processed_events"
MESSAGE_ATTEMPTS = 3


async def already_processed(db: Database, event: IncomingEvent) -> bool:
    return (
        await db[PROCESSED].find_one({"_id": f"{event.source}:{event.id}"}, {"_id": 1}) is not None
    )


async def mark_processed(db: Database, event: IncomingEvent, group: str) -> None:
    try:
        await db[PROCESSED].insert_one(
            {
                "_id": f"{event.source}:{event.id}",
                "type": event.type,
                "group": group,
                "at": datetime.now(UTC),
            }
        )
    except DuplicateKeyError:
        pass  # the same event again (a redelivery got there first): an idempotent replay


async def raw_body(msg: Any, original: Any = None) -> bytes:
    return bytes(msg.body)


async def tolerant_parser(record: Any, original: Callable[[Any], Awaitable[Any]]) -> Any:
    """FastStream's parser decodes every header as UTF-8 and fails on a null or undecodable
    value, before any handler runs (the record would be skipped by the next commit). Give it a
    sanitised copy and keep the original record, which `deliver` judges."""
    safe = [(k, v if isinstance(v, bytes) and _utf8(v) else b"") for k, v in record.headers or ()]
    msg = await original(dataclasses.replace(record, headers=safe))
    msg.raw_message = record
    return msg


def _utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_headers(raw: Any) -> tuple[dict[str, str], list[str]]:
    """Headers as text, and what is wrong with them (null or non-UTF-8 values), by name."""
    headers: dict[str, str] = {}
    problems: list[str] = []
    for name, value in raw or ():
        if value is None:
            problems.append(f"header {name} has a null value")
            headers[name] = ""
        elif not _utf8(value):
            problems.append(f"header {name} is not UTF-8")
            headers[name] = value.decode("utf-8", "replace")
        else:
            headers[name] = value.decode("utf-8")
    return headers, problems


async def deliver(
    broker: KafkaBroker,
    record: Record,
    *,
    group: str,
    model: type[Contract],
    db: Database,
    handle: Handler,
    attempts: int,
) -> bool:
    """Process one record under the policy; False when it ended as a dead letter.

    Never raises (but for cancellation): a fault in the policy itself, which should not
    happen, is logged and the whole record is tried again, so its offset never moves unjudged.
    """
    if attempts < 1:
        raise ValueError(f"message attempts must be at least 1, not {attempts}")

    async def judge() -> bool:
        headers, problems = decode_headers(record.headers)
        if problems:
            await dead_letter(
                broker, db, record, group=group, reason="; ".join(problems), attempts=1
            )
            return False
        try:
            event = read_event(headers, record.value, model)
        except EnvelopeError as exc:
            await dead_letter(broker, db, record, group=group, reason=str(exc), attempts=1)
            return False

        async def process() -> None:
            if not await already_processed(db, event):
                await handle(event)
                await mark_processed(db, event, group)

        for failures in range(1, attempts + 1):
            try:
                await with_infra_retry(process, record.topic, group=group)
                return True
            except Exception as exc:  # not transient (those retry above): the message's fault
                if failures >= attempts:
                    await dead_letter(
                        broker,
                        db,
                        record,
                        group=group,
                        reason=describe(exc, 2000),
                        attempts=failures,
                    )
                    return False
                DELIVERY_RETRIES.labels(record.topic, group, "message").inc()
                log.warning(
                    "handler failed, retrying",
                    topic=record.topic,
                    attempt=failures,
                    error=type(exc).__name__,
                )
                await asyncio.sleep(0.1 * failures)
        raise AssertionError("unreachable: the last attempt returns")

    pause = 0.5
    while True:
        try:
            return await judge()
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # a fault of the policy itself: never move on unjudged
            log.error(
                "delivery policy failed, retrying the record",
                topic=record.topic,
                partition=record.partition,
                offset=record.offset,
                group=group,
                error=describe(exc),
            )
            await asyncio.sleep(pause)
            pause = min(pause * 2, BACKOFF_CAP_SECONDS)
