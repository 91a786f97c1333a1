"""Replaying a service's own dead letters, once the cause is fixed (docs/runbook.md#replay).

The service that failed reads its own entries (by the `dlt_group` header) from `<topic>.dlt` and
processes them again through the same policy; nothing is re-published to the original topic,
where every other group, hospitals included, would receive it twice. Progress is the committed
offset of a group of its own (`<group>.dlt-replay`), so each entry is replayed once; an entry that
still fails is parked again with its new reason. The caller holds the service's replay lease
(`amo_shared.lease`): two replays on one group would process entries twice.

An entry this code cannot read (its `dlt_*` headers missing or malformed) is parked in the
service's database with the reason instead of failing the replay or blocking its partition. A
trimmed entry (its value was too large for the dead-letter topic) is replayed with the value read
back from the original topic, checked against the SHA-256 it carries.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import structlog
from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.structs import OffsetAndMetadata
from faststream.kafka import KafkaBroker

from amo_shared.deadletters import PARKED_DEAD_LETTERS, park_dead_letter, text_headers
from amo_shared.kafka_access import KafkaAccess
from amo_shared.records import Letter, Record
from amo_shared.subscriptions import Subscription
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
    malformed: int = 0  # unreadable entries, parked in the database with the reason
    from_database: int = 0  # letters parked in the database (Kafka had refused them) replayed
    notes: list[str] = field(default_factory=list)


class MalformedEntry(ValueError):
    """A dead-letter entry whose `dlt_*` headers do not say where it came from or whose it is."""


def original_record(entry: Record, dlt_topic: str) -> Letter:
    """The record as it stood on its own topic, from a dead-letter entry."""
    meta: dict[str, str] = {}
    for k, v in entry.headers or ():
        if k.startswith("dlt_"):
            if v is None:
                raise MalformedEntry(f"header {k} has a null value")
            try:
                meta[k] = v.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedEntry(f"header {k} is not UTF-8") from None
    missing = [
        h for h in ("dlt_group", "dlt_topic", "dlt_partition", "dlt_offset") if not meta.get(h)
    ]
    if missing:
        raise MalformedEntry(f"missing {', '.join(missing)}")
    if dlt(meta["dlt_topic"]) != dlt_topic:
        raise MalformedEntry(f"dlt_topic {meta['dlt_topic']!r} does not belong on {dlt_topic}")
    try:
        partition, offset = int(meta["dlt_partition"]), int(meta["dlt_offset"])
    except ValueError:
        raise MalformedEntry("dlt_partition or dlt_offset is not a number") from None
    headers = [(k, v) for k, v in entry.headers if not k.startswith("dlt_")]
    return Letter(
        topic=meta["dlt_topic"],
        partition=partition,
        offset=offset,
        key=entry.key,
        value=entry.value,
        headers=headers,
        meta=meta,
    )


async def read_original_value(access: KafkaAccess, record: Letter) -> bytes:
    """The value of a trimmed letter, from the original topic (while retention keeps it)."""
    consumer = AIOKafkaConsumer(**access.client_options(), enable_auto_commit=False)
    await consumer.start()
    try:
        tp = TopicPartition(record.topic, record.partition)
        consumer.assign([tp])
        consumer.seek(tp, record.offset)
        batch = await consumer.getmany(tp, timeout_ms=5000, max_records=1)
        found = [r for r in batch.get(tp, []) if r.offset == record.offset]
    finally:
        await consumer.stop()
    if not found:
        raise MalformedEntry("trimmed letter: the original record is no longer retained")
    value = found[0].value or b""
    if hashlib.sha256(value).hexdigest() != record.meta.get("dlt_value_sha256"):
        raise MalformedEntry("trimmed letter: the original record does not match its SHA-256")
    return value


async def replay_dead_letters(
    broker: KafkaBroker,
    access: KafkaAccess,
    sub: Subscription,
    renew: Callable[[], Awaitable[None]] | None = None,
) -> ReplayReport:
    """Replay this subscription's entries of `<topic>.dlt` written up to now, then the letters
    of the same group and topic that were parked in the database. `renew()` keeps the lease."""
    report = ReplayReport(topic=sub.topic, group=sub.group)
    topic = dlt(sub.topic)
    consumer = AIOKafkaConsumer(
        **access.client_options(),
        group_id=f"{sub.group}.dlt-replay",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    try:
        if not consumer.partitions_for_topic(topic):
            await consumer._client.force_metadata_update()  # metadata of a topic not subscribed
        parts = [
            TopicPartition(topic, p) for p in sorted(consumer.partitions_for_topic(topic) or ())
        ]
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
                    await _replay_entry(broker, access, sub, entry, topic, report)
                    await consumer.commit({tp: OffsetAndMetadata(entry.offset + 1, "")})
                if renew is not None:
                    await renew()
    finally:
        await consumer.stop()
    await _replay_parked(broker, sub, report)
    log.info("dead letters replayed", **{k: v for k, v in vars(report).items() if k != "notes"})
    return report


async def _replay_entry(
    broker: KafkaBroker,
    access: KafkaAccess,
    sub: Subscription,
    entry: Record,
    topic: str,
    report: ReplayReport,
) -> None:
    group = _header(entry, "dlt_group")
    if group is not None and group != sub.group:
        return  # another service's letter
    try:
        record = original_record(entry, topic)
        if record.meta.get("dlt_trimmed") == "value":
            record.value = await read_original_value(access, record)
    except MalformedEntry as exc:
        report.malformed += 1
        report.notes.append(f"{topic}[{entry.partition}]@{entry.offset}: {exc}")
        letter = Letter(
            topic=topic,
            partition=entry.partition,
            offset=entry.offset,
            key=entry.key,
            value=entry.value,
            headers=entry.headers,
        )
        headers = {**text_headers(entry.headers), "dlt_group": group or sub.group}
        await park_dead_letter(sub.db, letter, headers, why=f"malformed: {exc}", replayable=False)
        return
    report.replayed += 1
    await _redeliver(broker, sub, record, report)


async def _redeliver(
    broker: KafkaBroker, sub: Subscription, record: Letter, report: ReplayReport
) -> bool:
    ok = await sub.deliver(broker, record)
    report.processed += ok
    report.parked_again += not ok
    return ok


async def _replay_parked(broker: KafkaBroker, sub: Subscription, report: ReplayReport) -> None:
    parked = sub.db[PARKED_DEAD_LETTERS]
    query = {"status": "parked", "group": sub.group, "topic": sub.topic, "replayable": True}
    async for doc in parked.find(query):
        claimed = await parked.update_one(
            {"_id": doc["_id"], "_v": doc["_v"]},
            {"$set": {"status": "replaying"}, "$inc": {"_v": 1}},
        )
        if claimed.matched_count != 1:
            continue
        record = Letter(
            topic=doc["topic"],
            partition=doc["partition"],
            offset=doc["offset"],
            key=bytes(doc["key"]) if doc.get("key") is not None else None,
            value=bytes(doc["value"]),
            headers=[
                (h["name"], h["value"].encode())
                for h in doc["headers"]
                if not h["name"].startswith("dlt_")
            ],
        )
        report.from_database += 1
        ok = await _redeliver(broker, sub, record, report)
        now = await parked.find_one({"_id": doc["_id"]})
        if now is not None and now["status"] == "replaying":
            # Processed, or dead-lettered again on Kafka this time: it no longer waits here.
            await parked.update_one(
                {"_id": doc["_id"], "_v": now["_v"]},
                {"$set": {"status": "processed" if ok else "moved-to-dlt"}, "$inc": {"_v": 1}},
            )


def _header(entry: Record, name: str) -> str | None:
    for k, v in entry.headers or ():
        if k == name:
            try:
                return v.decode() if v is not None else None
            except UnicodeDecodeError:
                return None
    return None
