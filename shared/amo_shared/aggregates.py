"""Aggregate documents with a version `_v` and an embedded outbox; every write is a compare-and-set.

On MongoDB the `_v` filter makes a CAS atomic; on the local FerretDB a version guard trigger
does (LOCAL_STACK.md), which refuses a stale write with an error whose message says
`stale write`: both cases mean "someone else wrote first": re-read, re-decide, retry.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, OperationFailure

from amo_shared.envelope import OutgoingEvent

MAX_ATTEMPTS = 60


class ConcurrentWriteError(RuntimeError):
    """Too many writers raced on one aggregate; the caller may retry later."""


@dataclass
class Change:
    """What a decision wants written: fields to set and events to publish, in one update."""

    set: dict[str, Any] = field(default_factory=dict)
    push: dict[str, list[Any]] = field(default_factory=dict)
    events: list[OutgoingEvent] = field(default_factory=list)


def is_stale_write(exc: OperationFailure) -> bool:
    return "stale write" in str(exc)


class AggregateStore:
    """CAS reads and writes of one collection's aggregates; notifies the relay of new events."""

    def __init__(self, collection: AsyncCollection, on_events: Callable[[], None] | None = None):
        self.collection = collection
        self._on_events = on_events or (lambda: None)

    async def ensure_indexes(self) -> None:
        # The relay finds aggregates with pending events through this index.
        await self.collection.create_index("outbox_pending")

    async def get(self, aggregate_id: str) -> dict[str, Any] | None:
        return await self.collection.find_one({"_id": aggregate_id})

    async def create(self, doc: dict[str, Any], events: list[OutgoingEvent] = ()) -> bool:
        """Insert a new aggregate (version 0) with its first events; False if the id exists."""
        outbox = [e.model_dump() for e in events]
        try:
            await self.collection.insert_one(
                {**doc, "_v": 0, "outbox": outbox, "outbox_pending": bool(outbox)}
            )
        except DuplicateKeyError:
            return False
        if outbox:
            self._on_events()
        return True

    async def cas(self, doc: dict[str, Any], change: Change) -> bool:
        """Apply `change` if `doc` is still the stored version. False if someone wrote first."""
        update: dict[str, Any] = {"$inc": {"_v": 1}}
        sets = dict(change.set)
        if change.events:
            # $set of the whole outbox rather than $push: the guard sees one consistent document.
            sets["outbox"] = doc.get("outbox", []) + [e.model_dump() for e in change.events]
            sets["outbox_pending"] = True
        for path, items in change.push.items():
            sets[path] = _get(doc, path) + list(items)
        if sets:
            update["$set"] = sets
        try:
            result = await self.collection.update_one({"_id": doc["_id"], "_v": doc["_v"]}, update)
        except OperationFailure as exc:
            if is_stale_write(exc):
                return False
            raise
        if result.matched_count == 1 and change.events:
            self._on_events()
        return result.matched_count == 1

    async def mutate(
        self,
        aggregate_id: str,
        decide: Callable[[dict[str, Any]], Change | None | Awaitable[Change | None]],
    ) -> dict[str, Any] | None:
        """Read, decide, compare-and-set; on a lost race re-read and decide again (bounded).

        `decide` returns None when there is nothing to do (e.g. a repeated step). Returns the
        document as last read (before the change), or None when the aggregate does not exist.
        """
        for attempt in range(MAX_ATTEMPTS):
            doc = await self.get(aggregate_id)
            if doc is None:
                return None
            change = decide(doc)
            if asyncio.iscoroutine(change):
                change = await change
            if change is None or await self.cas(doc, change):
                return doc
            await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise ConcurrentWriteError(f"gave up after {MAX_ATTEMPTS} concurrent writes on one aggregate")


def _get(doc: dict[str, Any], path: str) -> list[Any]:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part, {}) if isinstance(value, dict) else {}
    return list(value) if isinstance(value, list) else []
