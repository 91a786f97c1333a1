"""Replaying a service's own dead letters, once the cause is fixed.

ARCHITECTURE.md: the service that failed reads its own entries (by the `dlt_group` header) from
`<topic>.dlt` and processes them again; nothing is re-published to the original topic, where
every other group, hospitals included, would receive it twice. Progress is the committed offset
of a group of its own (`<group>.dlt-replay`), so each entry is replayed once; an entry that still
fails goes through the same policy and is parked again, with its new reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from faststream.kafka import KafkaBroker

from amo_shared.consumer import Subscription, deliver
from amo_shared.topics import dlt

log = structlog.get_logger(__name__)


@dataclass
class ReplayReport:
    topic: str
    group: str
    read: int = 0  # entries of the dead-letter topic read in this pass
    replayed: int = 0  # of those, this group's
    processed: int = 0  # replayed and now processed
    parked_again: int = 0  # replayed and dead-lettered again


def original_record(entry) -> SimpleNamespace:
    """The record as it stood on its own topic, from a dead-letter entry."""
    headers = [(k, v) for k, v in entry.headers if not k.startswith("dlt_")]
    meta = {k: v.decode() for k, v in entry.headers if k.startswith("dlt_")}
    return SimpleNamespace(topic=meta["dlt_topic"], partition=int(meta["dlt_partition"]),
                           offset=int(meta["dlt_offset"]), key=entry.key, value=entry.value,
                           headers=headers)


async def replay_dead_letters(broker: KafkaBroker, bootstrap: str, sub: Subscription) -> ReplayReport:
    """Replay this subscription's entries of `<topic>.dlt` written up to now."""
    report = ReplayReport(topic=sub.topic, group=sub.group)
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=f"{sub.group}.dlt-replay",
                                enable_auto_commit=False, auto_offset_reset="earliest")
    await consumer.start()
    try:
        topic = dlt(sub.topic)
        if not consumer.partitions_for_topic(topic):
            await consumer._client.force_metadata_update()  # metadata of a topic not subscribed
        parts = [TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())]
        consumer.assign(parts)
        # Stop at the end as it is now: entries parked again by this pass wait for the next one.
        ends = await consumer.end_offsets(parts)
        for tp in parts:
            while await consumer.position(tp) < ends[tp]:
                batch = await consumer.getmany(tp, timeout_ms=1000, max_records=100)
                for entry in batch.get(tp, []):
                    if entry.offset >= ends[tp]:
                        break
                    report.read += 1
                    if _header(entry, "dlt_group") == sub.group:
                        report.replayed += 1
                        ok = await deliver(broker, original_record(entry), group=sub.group,
                                           model=sub.model, db=sub.db, handle=sub.handle,
                                           attempts=sub.attempts)
                        report.processed += ok
                        report.parked_again += not ok
                    await consumer.commit({tp: OffsetAndMetadata(entry.offset + 1, "")})
    finally:
        await consumer.stop()
    log.info("dead letters replayed", **vars(report))
    return report


def _header(entry, name: str) -> str | None:
    for k, v in entry.headers:
        if k == name:
            return v.decode()
    return None
