"""What an operator does with a parked outbox record: look, retry once the cause is fixed, or
discard it with a reason. Either way the record's key is released, and the events that waited
behind it in their aggregate's outbox flow again, in order (docs/runbook.md#parked-outbox-records).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import structlog
from pymongo.errors import OperationFailure

from amo_shared.aggregates import is_stale_write
from amo_shared.envelope import OutgoingEvent
from amo_shared.failures import describe
from amo_shared.outbox import OutboxRelay

log = structlog.get_logger(__name__)

# What an operator sees of a parked record: never the payload, which may hold personal data.
VISIBLE = (
    "collection",
    "aggregate_id",
    "key",
    "topic",
    "type",
    "reason",
    "status",
    "parked_at",
    "resolved_at",
    "resolution",
)


class NotParked(LookupError):
    """No parked record with that event id (or it was already retried or discarded)."""


class StillRefused(RuntimeError):
    """The record still cannot be published; it stays parked."""


def view(doc: dict[str, Any]) -> dict[str, Any]:
    return {"event_id": doc["_id"], **{k: doc.get(k) for k in VISIBLE if k in doc}}


async def list_parked(relay: OutboxRelay, status: str = "parked") -> list[dict[str, Any]]:
    return [view(d) async for d in relay.parked.find({"status": status}).sort("parked_at", 1)]


async def retry_parked(relay: OutboxRelay, event_id: str) -> dict[str, Any]:
    doc = await _parked(relay, event_id)
    try:
        event = OutgoingEvent.model_validate(doc["event"])
        await relay.publish(event)
    except Exception as exc:
        raise StillRefused(describe(exc, 500)) from None
    return await _resolve(relay, doc, status="retried", resolution="published")


async def discard_parked(relay: OutboxRelay, event_id: str, reason: str) -> dict[str, Any]:
    doc = await _parked(relay, event_id)
    return await _resolve(relay, doc, status="discarded", resolution=reason)


async def _parked(relay: OutboxRelay, event_id: str) -> dict[str, Any]:
    doc: dict[str, Any] | None = await relay.parked.find_one({"_id": event_id, "status": "parked"})
    if doc is None:
        raise NotParked(event_id)
    return doc


async def _resolve(
    relay: OutboxRelay, doc: dict[str, Any], *, status: str, resolution: str
) -> dict[str, Any]:
    fields = {"status": status, "resolution": resolution, "resolved_at": datetime.now(UTC)}
    result = await relay.parked.update_one(
        {"_id": doc["_id"], "_v": doc["_v"]}, {"$set": fields, "$inc": {"_v": 1}}
    )
    if result.matched_count != 1:
        raise NotParked(doc["_id"])
    await _mark_pending(relay, doc["collection"], doc["aggregate_id"])
    relay.wake()
    log.info("parked outbox record resolved", event_id=doc["_id"], status=status)
    return view({**doc, **fields})


async def _mark_pending(relay: OutboxRelay, collection_name: str, aggregate_id: Any) -> None:
    """The aggregate's waiting events go back into the relay's scan."""
    collection = next((c for c in relay.collections if c.name == collection_name), None)
    if collection is None:
        return
    for _ in range(60):
        agg = await collection.find_one({"_id": aggregate_id})
        if agg is None or not agg.get("outbox"):
            return
        try:
            result = await collection.update_one(
                {"_id": aggregate_id, "_v": agg["_v"]},
                {"$set": {"outbox_pending": True}, "$inc": {"_v": 1}},
            )
            if result.matched_count == 1:
                return
        except OperationFailure as exc:
            if not is_stale_write(exc):
                raise
