"""The outbox relay: publishes aggregates' pending events, then removes them by compare-and-set.

No change streams exist on the local stack, so the relay polls the `outbox_pending` index, and a
local write wakes it at once. A crash between publish and removal re-publishes the same event
(same `ce_id`): consumers absorb it.

One record that cannot be published (too large for Kafka, no longer valid after a deploy, a topic
that is not there) must not stop the relay: it is parked (`outbox_parked`, docs/runbook.md#parked-
outbox-records) and the relay goes on. Order per key holds: later events of a parked event's key
wait behind it, in their aggregate's outbox, until an operator retries or discards it; other keys
flow. An outage (transient failures) pauses the whole relay and loses nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import structlog
from pydantic import ValidationError
from pymongo.errors import DuplicateKeyError, OperationFailure

from amo_shared.aggregates import is_stale_write
from amo_shared.envelope import OutgoingEvent
from amo_shared.failures import describe, is_permanent_kafka_error, is_transient
from amo_shared.metrics import OUTBOX_BACKLOG, OUTBOX_PARKED, OUTBOX_PARKED_NOW, OUTBOX_PUBLISHED
from amo_shared.records import Collection, Document

log = structlog.get_logger(__name__)

Publish = Callable[[OutgoingEvent], Awaitable[None]]

PARKED_OUTBOX = "outbox_parked"
BATCH = 200


class OutboxRelay:
    def __init__(
        self,
        collections: list[Collection],
        publish: Publish,
        poll_seconds: float = 0.5,
        parked: Collection | None = None,
    ):
        self.collections = collections
        self.publish = publish
        self.poll_seconds = poll_seconds
        self.parked = parked if parked is not None else collections[0].database[PARKED_OUTBOX]
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="outbox-relay")

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _run(self) -> None:
        backoff = self.poll_seconds
        while True:
            try:
                await self.drain()
                backoff = self.poll_seconds
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning(
                    "outbox relay paused", error=type(exc).__name__, transient=is_transient(exc)
                )
                backoff = min(backoff * 2, 5.0)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
            except TimeoutError:
                pass
            self._wake.clear()

    async def held_keys(self) -> set[str]:
        """Keys with a parked event: their later events wait."""
        return {d["key"] async for d in self.parked.find({"status": "parked"}, {"key": 1})}

    async def drain(self) -> int:
        """Publish every pending event once (parking what cannot be); returns how many went out."""
        published = 0
        held = await self.held_keys()
        OUTBOX_PARKED_NOW.set(await self.parked.count_documents({"status": "parked"}))
        for collection in self.collections:
            backlog = 0
            async for doc in collection.find({"outbox_pending": True}).limit(BATCH):
                backlog += len(doc.get("outbox", []))
                published += await self._relay(collection, doc, held)
            OUTBOX_BACKLOG.labels(collection.name).set(backlog)
        return published

    async def _relay(self, collection: Collection, doc: Document, held: set[str]) -> int:
        done: set[str] = set()  # published or parked: leaves the outbox
        sent = 0
        for raw in doc.get("outbox", []):
            key = str(raw.get("key") or doc["_id"])
            if key in held:
                continue  # behind a parked event of the same key: order per key holds
            try:
                event = OutgoingEvent.model_validate(raw)
                await self.publish(event)  # in order: one aggregate's events keep their order
            except Exception as exc:
                if is_transient(exc) and not is_permanent_kafka_error(exc):
                    raise  # an outage: the relay pauses, nothing is lost
                await self._park(collection, doc["_id"], raw, key, exc)
                held.add(key)
                done.add(raw.get("id") or "")
                continue
            OUTBOX_PUBLISHED.labels(event.topic).inc()
            done.add(event.id)
            sent += 1
        await self._remove(collection, doc, done, held)
        return sent

    async def _park(
        self, collection: Collection, aggregate_id: Any, raw: Document, key: str, exc: BaseException
    ) -> None:
        reason = (
            describe(exc, 1000)
            if not isinstance(exc, ValidationError)
            else "no longer a valid outbox record: " + describe(exc, 1000)
        )
        event_id = str(raw.get("id") or f"{collection.name}:{aggregate_id}:{datetime.now(UTC)}")
        try:
            await self.parked.insert_one(
                {
                    "_id": event_id,
                    "collection": collection.name,
                    "aggregate_id": aggregate_id,
                    "key": key,
                    "topic": raw.get("topic"),
                    "type": raw.get("type"),
                    "event": raw,
                    "reason": reason,
                    "status": "parked",
                    "parked_at": datetime.now(UTC),
                    "_v": 0,
                }
            )
        except DuplicateKeyError:
            pass  # parked on an earlier pass that crashed before the outbox was updated
        OUTBOX_PARKED.labels(str(raw.get("topic"))).inc()
        log.error(
            "outbox record parked",
            event_id=event_id,
            topic=raw.get("topic"),
            collection=collection.name,
            reason=reason[:300],
        )

    async def _remove(
        self, collection: Collection, doc: Document, done: set[str], held: set[str]
    ) -> None:
        # Remove exactly what left; a writer may have appended meanwhile, so CAS and re-read.
        for _ in range(60):
            remaining = [e for e in doc.get("outbox", []) if e.get("id") not in done]
            # Events that wait behind a parked one do not keep the aggregate in the relay's scan;
            # releasing the parked event (retry/discard) marks the aggregate pending again.
            pending = any(str(e.get("key") or doc["_id"]) not in held for e in remaining)
            if not done and pending == doc.get("outbox_pending", False):
                return
            try:
                result = await collection.update_one(
                    {"_id": doc["_id"], "_v": doc["_v"]},
                    {"$set": {"outbox": remaining, "outbox_pending": pending}, "$inc": {"_v": 1}},
                )
                if result.matched_count == 1:
                    return
            except OperationFailure as exc:
                if not is_stale_write(exc):
                    raise
            fresh = await collection.find_one({"_id": doc["_id"]})
            if fresh is None:
                return
            doc = fresh
        # Left pending: the next pass republishes what was sent, consumers absorb it.
