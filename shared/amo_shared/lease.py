"""A lease in the service's own database: at most one holder at a time, taken over once it lapses.

Used so that one DLT replay runs per service: two replays on one consumer group would process
entries twice and move its offsets backwards. The lease document carries `_v` and every change
is a compare-and-set, so it is atomic on MongoDB and under the local stack's version guard alike.
A holder that dies stops renewing; after `seconds` another may take the lease over.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from pymongo.errors import DuplicateKeyError, OperationFailure

from amo_shared.aggregates import is_stale_write
from amo_shared.records import Database, Document

LEASES = "leases"


class LeaseHeld(RuntimeError):
    """Someone else holds the lease now."""


class Lease:
    def __init__(self, db: Database, name: str, seconds: float) -> None:
        self.collection = db[LEASES]
        self.name = name
        self.seconds = seconds
        self.holder = uuid.uuid4().hex

    def _until(self) -> datetime:
        return datetime.now(UTC) + timedelta(seconds=self.seconds)

    async def acquire(self) -> None:
        """Take the lease or raise `LeaseHeld`."""
        try:
            await self.collection.insert_one(
                {"_id": self.name, "holder": self.holder, "until": self._until(), "_v": 0}
            )
            return
        except DuplicateKeyError:
            pass
        doc = await self.collection.find_one({"_id": self.name})
        if doc is None:
            return await self.acquire()  # released between our insert and read
        if doc["holder"] != self.holder and _aware(doc["until"]) > datetime.now(UTC):
            raise LeaseHeld(f"{self.name} is held until {_aware(doc['until']).isoformat()}")
        if not await self._cas(doc, {"holder": self.holder, "until": self._until()}):
            raise LeaseHeld(f"{self.name} was taken by another holder just now")

    async def renew(self) -> None:
        doc = await self.collection.find_one({"_id": self.name})
        if doc is None or doc["holder"] != self.holder:
            raise LeaseHeld(f"{self.name} is no longer ours")
        if not await self._cas(doc, {"until": self._until()}):
            raise LeaseHeld(f"{self.name} changed hands")

    async def release(self) -> None:
        doc = await self.collection.find_one({"_id": self.name})
        if doc is not None and doc["holder"] == self.holder:
            await self._cas(doc, {"until": datetime.now(UTC) - timedelta(seconds=1)})

    async def _cas(self, doc: Document, fields: Document) -> bool:
        try:
            result = await self.collection.update_one(
                {"_id": self.name, "_v": doc["_v"]}, {"$set": fields, "$inc": {"_v": 1}}
            )
        except OperationFailure as exc:
            if is_stale_write(exc):
                return False
            raise
        return result.matched_count == 1

    async def __aenter__(self) -> Lease:
        await self.acquire()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.release()


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
