"""Aggregate documents with a version `_v` and an embedded outbox; every write is a compare-and-set.

The store is the only code that queries an aggregate collection: repositories ask it for what
they need (by id, by a field, a count) and declare their indexes through it, so the queries stay
in the subset every server we run on answers alike (equality on fields, one sort, a limit).

On MongoDB the `_v` filter makes a CAS atomic; on the local FerretDB a version guard trigger
does (docs/local-stack.md), which refuses a stale write with an error whose message says
`stale write`: both cases mean "someone else wrote first": re-read, re-decide, retry.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, OperationFailure

from amo_shared.envelope import OutgoingEvent

MAX_ATTEMPTS = 60

Document = dict[str, Any]
# Index and sort keys: (field, 1) ascending or (field, -1) descending, as Mongo takes them.
Keys = Sequence[tuple[str, int]]


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


def _equality(where: Mapping[str, Any] | None) -> dict[str, Any]:
    """`where` as a filter of plain equalities; operators would leave the common subset."""
    where = dict(where or {})
    for name, value in where.items():
        if name.startswith("$") or (
            isinstance(value, Mapping) and any(str(k).startswith("$") for k in value)
        ):
            raise ValueError(f"the store matches fields by equality only, not {name!r}")
    return where


def _keys(keys: str | Keys) -> list[tuple[str, int]]:
    pairs = [(keys, 1)] if isinstance(keys, str) else [(f, d) for f, d in keys]
    if not pairs or any(d not in (1, -1) or isinstance(d, bool) for _, d in pairs):
        raise ValueError(f"keys are fields with 1 (ascending) or -1 (descending): {keys!r}")
    return pairs


class AggregateStore:
    """CAS reads and writes of one collection's aggregates; notifies the relay of new events.

    Reads: `get` (by id), `find_one`, `find` and `count` (equality on fields). Writes: `create`,
    `cas`, `mutate`. Indexes: `ensure_indexes` (the relay's) and `ensure_index` (a repository's).
    """

    def __init__(
        self, collection: AsyncCollection[Document], on_events: Callable[[], None] | None = None
    ):
        self.collection = collection
        self._on_events = on_events or (lambda: None)

    async def ensure_indexes(self) -> None:
        # The relay finds aggregates with pending events through this index.
        await self.collection.create_index("outbox_pending")

    async def ensure_index(self, keys: str | Keys, *, unique: bool = False) -> None:
        """Declare an index a repository looks up or sorts by (the local stack derives its own
        lookup indexes from these); `unique` makes a second aggregate with the same key fail."""
        await self.collection.create_index(_keys(keys), unique=unique)

    async def get(self, aggregate_id: Any) -> Document | None:
        return await self.collection.find_one({"_id": aggregate_id})

    async def find_one(self, where: Mapping[str, Any]) -> Document | None:
        """An aggregate whose fields equal `where` (any one: meant for a unique field)."""
        return await self.collection.find_one(_equality(where))

    async def find(
        self, where: Mapping[str, Any] | None = None, *, sort: Keys = (), limit: int = 0
    ) -> list[Document]:
        """Aggregates whose fields equal `where`, in `sort` order, at most `limit` (0: all)."""
        cursor = self.collection.find(_equality(where))
        if sort:
            cursor = cursor.sort(_keys(sort))
        if limit:
            cursor = cursor.limit(limit)
        return await cursor.to_list()

    async def count(self, where: Mapping[str, Any] | None = None) -> int:
        return await self.collection.count_documents(_equality(where))

    async def create(self, doc: Document, events: Iterable[OutgoingEvent] = ()) -> bool:
        """Insert a new aggregate (version 0) with its first events; False if the id or another
        unique key is taken."""
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

    async def cas(self, doc: Document, change: Change) -> bool:
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
        aggregate_id: Any,
        decide: Callable[[Document], Change | Awaitable[Change | None] | None],
    ) -> Document | None:
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
            if change is None or await self.cas(doc, change):  # type: ignore[arg-type]
                return doc
            await asyncio.sleep(random.uniform(0, 0.005 * (attempt + 1)))
        raise ConcurrentWriteError(
            f"gave up after {MAX_ATTEMPTS} concurrent writes on one aggregate"
        )


def _get(doc: Document, path: str) -> list[Any]:
    value: Any = doc
    for part in path.split("."):
        value = value.get(part, {}) if isinstance(value, dict) else {}
    return list(value) if isinstance(value, list) else []
