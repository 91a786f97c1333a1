"""The ledger of notices sent, in Mongo: one record per event and channel (`_id`), recorded
before the send and marked sent after; a unique `change` key makes a copy of the same change
under another event id find the first record instead of sending again."""

from __future__ import annotations

from typing import Any

from amo_notifications.domain import Channel, Notice, Progress, change_id, ledger_id
from amo_shared.aggregates import AggregateStore, Change

COLLECTION = "notifications"


class Ledger:
    def __init__(self, store: AggregateStore) -> None:
        self.store = store

    async def ensure_indexes(self) -> None:
        await self.store.ensure_index("change", unique=True)
        await self.store.ensure_index("application_id")

    async def record(self, notice: Notice, channel: Channel) -> tuple[str, Progress | None]:
        """Record the notice as pending; returns the record's id and what was recorded before
        (None: nothing, this call recorded it)."""
        rid = ledger_id(notice.event, channel)
        doc = {
            "_id": rid,
            "change": change_id(notice.change, channel),
            "application_id": notice.application_id,
            "kind": notice.kind.value,
            "channel": channel.value,
            "status": Progress.PENDING.value,
        }
        if await self.store.create(doc):
            return rid, None
        existing = await self.store.get(rid) or await self.store.find_one({"change": doc["change"]})
        if existing is None:
            raise RuntimeError("a ledger record was refused but cannot be found")
        return existing["_id"], Progress(existing["status"])

    async def mark_sent(self, record_id: str) -> None:
        def decide(doc: dict[str, Any]) -> Change | None:
            if doc.get("status") == Progress.SENT.value:
                return None
            return Change(set={"status": Progress.SENT.value})

        await self.store.mutate(record_id, decide)

    async def of_application(self, application_id: str) -> list[dict[str, Any]]:
        return await self.store.find({"application_id": application_id})

    async def count(self, status: Progress) -> int:
        return await self.store.count({"status": status.value})
