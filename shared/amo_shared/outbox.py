"""The outbox relay: publishes aggregates' pending events, then removes them by compare-and-set.

No change streams exist on the local stack, so the relay polls the `outbox_pending` index, and a
local write wakes it at once. A crash between publish and removal re-publishes the same event
(same `ce_id`): consumers absorb it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import structlog
from pymongo.errors import OperationFailure

from amo_shared.aggregates import is_stale_write
from amo_shared.envelope import OutgoingEvent
from pymongo.asynchronous.collection import AsyncCollection

log = structlog.get_logger(__name__)

Publish = Callable[[OutgoingEvent], Awaitable[None]]


class OutboxRelay:
    def __init__(self, collections: list[AsyncCollection], publish: Publish, poll_seconds: float = 0.5):
        self.collections = collections
        self.publish = publish
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._task: asyncio.Task | None = None

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
            except Exception as exc:  # noqa: BLE001 - an outage: keep the events, try again
                log.warning("outbox relay paused", error=type(exc).__name__)
                backoff = min(backoff * 2, 5.0)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=backoff)
            except TimeoutError:
                pass
            self._wake.clear()

    async def drain(self) -> int:
        """Publish every pending event once; returns how many were published."""
        published = 0
        for collection in self.collections:
            cursor = collection.find({"outbox_pending": True}).limit(200)
            async for doc in cursor:
                published += await self._relay(collection, doc)
        return published

    async def _relay(self, collection: AsyncCollection, doc: dict) -> int:
        sent: set[str] = set()
        for raw in doc.get("outbox", []):
            event = OutgoingEvent.model_validate(raw)
            await self.publish(event)  # in order: one aggregate's events keep their order
            sent.add(event.id)
        # Remove exactly what was sent; a writer may have appended meanwhile, so CAS and re-read.
        for _ in range(60):
            remaining = [e for e in doc.get("outbox", []) if e["id"] not in sent]
            try:
                result = await collection.update_one(
                    {"_id": doc["_id"], "_v": doc["_v"]},
                    {"$set": {"outbox": remaining, "outbox_pending": bool(remaining)},
                     "$inc": {"_v": 1}},
                )
                if result.matched_count == 1:
                    return len(sent)
            except OperationFailure as exc:
                if not is_stale_write(exc):
                    raise
            doc = await collection.find_one({"_id": doc["_id"]})
            if doc is None:
                return len(sent)
        return len(sent)  # left pending: the next pass republishes, consumers absorb it
