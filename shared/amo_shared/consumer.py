"""The delivery policy around every handler: dedup, bounded retries, dead letters, infra backoff.

FastStream's own ack policies either lose a failed message or re-read it forever, so handlers run
with `AckPolicy.MANUAL` and this module decides, per ARCHITECTURE.md:
- success: the offset is committed after the handler's state and outbox are stored;
- a message error (envelope, schema, a broken invariant): a few attempts, then `<topic>.dlt`
  with the reason, and the offset moves on;
- an infrastructure error (database, S3 or broker unreachable): retry with capped backoff, for as
  long as it takes, without moving the offset, so no message reaches the DLT for an outage.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar
from weakref import WeakKeyDictionary

import structlog
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage
from pymongo.asynchronous.database import AsyncDatabase
from tenacity import AsyncRetrying, retry_if_exception, wait_exponential_jitter
from pymongo.errors import ConnectionFailure, DuplicateKeyError, OperationFailure, PyMongoError

from amo_shared.envelope import EnvelopeError, IncomingEvent, read_event
from amo_shared.events import Contract
from amo_shared.topics import dlt

log = structlog.get_logger(__name__)

Handler = Callable[[IncomingEvent], Awaitable[None]]
T = TypeVar("T")

PROCESSED = "processed_events"
MESSAGE_ATTEMPTS = 3
BACKOFF_CAP_SECONDS = 5.0


class InfrastructureUnavailable(Exception):
    """Raised by adapters when a dependency is down; never a reason to dead-letter."""


def is_infrastructure_error(exc: BaseException) -> bool:
    if isinstance(exc, (InfrastructureUnavailable, ConnectionFailure, OSError, asyncio.TimeoutError)):
        return True
    # Any other PyMongo failure that is not about the document itself (e.g. a server error).
    if isinstance(exc, PyMongoError) and not isinstance(exc, (DuplicateKeyError, OperationFailure)):
        return True
    name = type(exc).__module__ + "." + type(exc).__name__
    return name.startswith(("aiokafka.errors", "urllib3.exceptions", "minio.error.ServerError"))


async def already_processed(db: AsyncDatabase, event: IncomingEvent) -> bool:
    return await db[PROCESSED].find_one({"_id": f"{event.source}:{event.id}"}, {"_id": 1}) is not None


async def mark_processed(db: AsyncDatabase, event: IncomingEvent, group: str) -> None:
    try:
        await db[PROCESSED].insert_one(
            {"_id": f"{event.source}:{event.id}", "type": event.type, "group": group,
             "at": datetime.now(UTC)}
        )
    except DuplicateKeyError:
        pass  # a concurrent redelivery got there first: same outcome


async def raw_body(msg, original=None) -> bytes:  # noqa: ARG001 - FastStream's decoder signature
    return msg.body


@dataclass(frozen=True)
class Subscription:
    """One handler under the delivery policy: what replaying its dead letters needs."""

    topic: str
    group: str
    model: type[Contract]
    db: AsyncDatabase
    handle: Handler
    attempts: int


_SUBSCRIPTIONS: WeakKeyDictionary[KafkaBroker, list[Subscription]] = WeakKeyDictionary()


def subscriptions(broker: KafkaBroker) -> list[Subscription]:
    """The subscriptions registered on `broker` through `subscribe`."""
    return list(_SUBSCRIPTIONS.get(broker, ()))


def subscribe(
    broker: KafkaBroker,
    *,
    topic: str,
    group: str,
    model: type[Contract],
    db: AsyncDatabase,
    handle: Handler,
    attempts: int = MESSAGE_ATTEMPTS,
) -> None:
    """Register `handle` for `topic` in consumer group `group`, under the delivery policy."""
    _SUBSCRIPTIONS.setdefault(broker, []).append(
        Subscription(topic, group, model, db, handle, attempts))

    @broker.subscriber(
        topic,
        group_id=group,
        ack_policy=AckPolicy.MANUAL,
        # FastStream would parse an `application/json` body before the handler runs, and a
        # body that is not JSON would then never reach this policy (nor the DLT): keep bytes.
        decoder=raw_body,
        auto_offset_reset="earliest",
        title=f"{group}:{topic}",
    )
    async def on_message(msg: KafkaMessage) -> None:
        record = msg.raw_message
        await deliver(broker, record, group=group, model=model, db=db, handle=handle, attempts=attempts)
        await msg.ack()


async def with_infra_retry(call: Callable[[], Awaitable[T]], what: str) -> T:
    """Run `call`, retrying infrastructure errors with capped exponential backoff, forever:
    an outage pauses this consumer (and keeps per-key order) instead of emptying the topic."""
    async for attempt in AsyncRetrying(
        retry=retry_if_exception(is_infrastructure_error),
        wait=wait_exponential_jitter(multiplier=0.2, max=BACKOFF_CAP_SECONDS),
        before_sleep=lambda state: log.warning(
            "dependency unavailable, retrying", what=what,
            error=type(state.outcome.exception()).__name__),
        reraise=True,
    ):
        with attempt:
            return await call()
    raise AssertionError("unreachable")


async def deliver(broker, record, *, group, model, db, handle, attempts) -> bool:
    """Process one record under the policy; False when it ended in the dead-letter topic."""
    headers = {k: v.decode("utf-8", "replace") for k, v in (record.headers or [])}
    try:
        event = read_event(headers, record.value, model)
    except EnvelopeError as exc:
        await dead_letter(broker, record, headers, group=group, reason=str(exc), attempts=1)
        return False

    async def process() -> None:
        if not await already_processed(db, event):
            await handle(event)
            await mark_processed(db, event, group)

    for failures in range(1, attempts + 1):
        try:
            await with_infra_retry(process, record.topic)
            return True
        except Exception as exc:  # noqa: BLE001 - not infrastructure: the message is at fault
            if failures == attempts:
                await dead_letter(broker, record, headers, group=group,
                                  reason=f"{type(exc).__name__}: {exc}", attempts=failures)
                return False
            log.warning("handler failed, retrying", topic=record.topic, attempt=failures,
                        error=type(exc).__name__)
            await asyncio.sleep(0.1 * failures)


async def dead_letter(broker: KafkaBroker, record, headers: dict[str, str], *, group: str,
                      reason: str, attempts: int) -> None:
    """Park the record in `<topic>.dlt`: same key, value and headers, plus why and where from."""
    dl_headers = dict(headers)
    dl_headers.update({
        "dlt_reason": reason[:2000],
        "dlt_group": group,
        "dlt_time": datetime.now(UTC).isoformat(),
        "dlt_topic": record.topic,
        "dlt_partition": str(record.partition),
        "dlt_offset": str(record.offset),
        "dlt_attempts": str(attempts),
    })
    # The offset moves on only after the dead letter is stored.
    await with_infra_retry(
        lambda: broker.publish(record.value or b"", dlt(record.topic), key=record.key,
                               headers=dl_headers),
        dlt(record.topic),
    )
    log.error("event dead-lettered", topic=record.topic, partition=record.partition,
              offset=record.offset, group=group, reason=reason[:300])
