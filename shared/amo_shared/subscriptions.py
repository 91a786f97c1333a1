"""One way to wire every service's consumers: (topic, handler) routes under the delivery policy.

A service's `handlers.routes(...)` returns its `Route`s, built from the repositories its app
factory made once; `subscribe` puts each under the policy of `amo_shared.consumer` in the
service's own consumer group and returns the `Subscription`s, which the runtime keeps (DLT
replay needs them). No module-global registry: whoever subscribes holds what it subscribed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from aiokafka import ConsumerRecord
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from amo_shared.consumer import MESSAGE_ATTEMPTS, Handler, deliver, raw_body, tolerant_parser
from amo_shared.events import Contract
from amo_shared.records import Database, Record

SESSION_TIMEOUT_MS = 6000


@dataclass(frozen=True)
class Route:
    """What a service does with one topic: the payload model it expects and its handler."""

    topic: str
    model: type[Contract]
    handle: Handler


@dataclass(frozen=True)
class Subscription:
    """One route under the delivery policy in one consumer group: what DLT replay needs."""

    topic: str
    group: str
    model: type[Contract]
    db: Database
    handle: Handler
    attempts: int

    async def deliver(self, broker: KafkaBroker, record: Record) -> bool:
        """`record` under the delivery policy of this subscription (live or replayed)."""
        return await deliver(
            broker,
            record,
            group=self.group,
            model=self.model,
            db=self.db,
            handle=self.handle,
            attempts=self.attempts,
        )


def subscribe(
    broker: KafkaBroker,
    routes: Iterable[Route],
    *,
    group: str,
    db: Database,
    attempts: int = MESSAGE_ATTEMPTS,
) -> list[Subscription]:
    """Subscribe every route in consumer group `group`; dedup records live in `db`."""
    subs = [Subscription(r.topic, group, r.model, db, r.handle, attempts) for r in routes]
    for sub in subs:
        _subscribe_one(broker, sub)
    return subs


def _subscribe_one(broker: KafkaBroker, sub: Subscription) -> None:
    @broker.subscriber(
        sub.topic,
        group_id=sub.group,
        ack_policy=AckPolicy.MANUAL,
        # FastStream would parse an `application/json` body before the policy runs, and a body
        # that is not JSON would then never reach the policy (nor the DLT): keep the bytes.
        decoder=raw_body,
        parser=tolerant_parser,
        auto_offset_reset="earliest",
        # A killed consumer's partitions move to the others (or to its restart) after this,
        # not after the default 10 s: the broker's minimum is 6 s.
        session_timeout_ms=SESSION_TIMEOUT_MS,
        heartbeat_interval_ms=SESSION_TIMEOUT_MS // 3,
        title=f"{sub.group}:{sub.topic}",
    )
    async def on_message(msg: KafkaMessage) -> None:
        record: ConsumerRecord[bytes, bytes] = msg.raw_message
        await sub.deliver(broker, record)
        await msg.ack()
