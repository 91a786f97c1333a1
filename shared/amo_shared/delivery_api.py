"""A service's internal delivery operations: replay its dead letters, see what is parked, and
retry or discard parked outbox records (docs/runbook.md). Internal port only, never the gateway."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from amo_shared.deadletters import PARKED_DEAD_LETTERS
from amo_shared.lease import Lease, LeaseHeld
from amo_shared.outbox import OutboxRelay
from amo_shared.parked import NotParked, StillRefused, discard_parked, list_parked, retry_parked
from amo_shared.replay import replay_dead_letters

if TYPE_CHECKING:
    from amo_shared.runtime import Runtime

REPLAY_LEASE = "dlt-replay"


class Discard(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


def delivery_router(runtime: Runtime) -> APIRouter:
    router = APIRouter(prefix="/operations", tags=["operations"])

    @router.post("/dead-letters/replay")
    async def replay() -> dict[str, Any]:
        """Replay this service's own dead letters; one replay at a time (409 while one runs)."""
        lease = Lease(runtime.db, REPLAY_LEASE, runtime.settings.replay_lease_seconds)
        try:
            await lease.acquire()
        except LeaseHeld as exc:
            raise HTTPException(
                409, f"a replay is already running for {runtime.name}: {exc}"
            ) from None
        try:
            reports = [
                await replay_dead_letters(
                    runtime.broker, runtime.settings.kafka_access(), sub, renew=lease.renew
                )
                for sub in runtime.subscriptions
            ]
        finally:
            await lease.release()
        return {"service": runtime.name, "reports": [vars(r) for r in reports]}

    @router.get("/dead-letters/parked")
    async def parked_dead_letters() -> list[dict[str, Any]]:
        """Dead letters kept in this database (Kafka refused them, or they were malformed)."""
        fields = {
            "topic": 1,
            "partition": 1,
            "offset": 1,
            "group": 1,
            "why": 1,
            "status": 1,
            "parked_at": 1,
            "replayable": 1,
        }
        return [d async for d in runtime.db[PARKED_DEAD_LETTERS].find({}, fields)]

    @router.get("/outbox/parked")
    async def parked_outbox(status: str = "parked") -> list[dict[str, Any]]:
        return await list_parked(_relay(runtime), status)

    @router.post("/outbox/parked/{event_id}/retry")
    async def retry(event_id: str) -> dict[str, Any]:
        try:
            return await retry_parked(_relay(runtime), event_id)
        except NotParked:
            raise HTTPException(404, "no parked outbox record with that event id") from None
        except StillRefused as exc:
            raise HTTPException(409, f"still refused: {exc}") from None

    @router.post("/outbox/parked/{event_id}/discard")
    async def discard(event_id: str, body: Discard) -> dict[str, Any]:
        try:
            return await discard_parked(_relay(runtime), event_id, body.reason)
        except NotParked:
            raise HTTPException(404, "no parked outbox record with that event id") from None

    return router


def _relay(runtime: Runtime) -> OutboxRelay:
    if runtime.relay is None:
        raise HTTPException(503, "the outbox relay is not running yet")
    return runtime.relay
